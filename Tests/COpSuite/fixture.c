/*
 * fixture.c — the *.ckf reader (see fixture.h; format in Tests/Fixtures/README.md).
 *
 * The whole file is read into memory and parsed line by line, in place: each
 * line and each token is NUL-terminated where it ends. A malformed file gives
 * "path:line: what" and frees everything parsed so far.
 */
#include "fixture.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Upper bound on one tensor's values, so a corrupt dims line cannot ask for
 * an absurd allocation (2^26 doubles = 512 MiB). */
#define CKF_MAX_VALUES ((size_t)1 << 26)
/* Most tokens a directive line may hold ("attr key" + values), plus one to detect excess. */
#define CKF_LINE_TOKENS (2 + CKF_MAX_ATTR_VALUES + 1)

typedef struct ckf_parser {
    const char *path;
    char *err;
    size_t err_len;
    int line;             /* 1-based number of the line being parsed */
    ckf_file file;        /* cases parsed so far */
    int capacity;         /* allocated cases */
    ckf_case *open_case;  /* case between "case" and "end", or NULL */
    int open_case_line;
    ckf_tensor *filling;  /* tensor still waiting for values, or NULL */
    size_t filled;        /* values of `filling` read so far */
    const ckf_tensor *last_tensor; /* the open case's latest tensor, or NULL */
} ckf_parser;

static int fail(ckf_parser *p, const char *fmt, ...) {
    if (p->err && p->err_len > 0) {
        int used = snprintf(p->err, p->err_len, "%s:%d: ", p->path, p->line);
        if (used >= 0 && (size_t)used < p->err_len) {
            va_list args;
            va_start(args, fmt);
            vsnprintf(p->err + used, p->err_len - (size_t)used, fmt, args);
            va_end(args);
        }
    }
    return -1;
}

static int is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

/* The next blank-separated token at *cursor, NUL-terminated in place; NULL at the line's end. */
static char *next_token(char **cursor) {
    char *s = *cursor;
    while (is_blank(*s)) s++;
    if (*s == '\0') {
        *cursor = s;
        return NULL;
    }
    char *token = s;
    while (*s != '\0' && !is_blank(*s)) s++;
    if (*s != '\0') *s++ = '\0';
    *cursor = s;
    return token;
}

static int parse_int64(const char *token, int64_t *out) {
    char *end = NULL;
    errno = 0;
    long long v = strtoll(token, &end, 10);
    if (end == token || *end != '\0' || errno == ERANGE) return -1;
    *out = (int64_t)v;
    return 0;
}

/* A decimal (or inf / nan) number; a value too large for a double is refused. */
static int parse_double(const char *token, double *out) {
    char *end = NULL;
    errno = 0;
    double v = strtod(token, &end);
    if (end == token || *end != '\0') return -1;
    if (errno == ERANGE && isinf(v)) return -1;
    *out = v;
    return 0;
}

static int copy_name(ckf_parser *p, char *dst, size_t size, const char *src, const char *what) {
    size_t len = strlen(src);
    if (len >= size) return fail(p, "%s '%.40s...' is longer than %zu characters", what, src, size - 1);
    memcpy(dst, src, len + 1);
    return 0;
}

/* ---- tensor values -------------------------------------------------------- */

static int parse_value(ckf_parser *p, const char *token, double *out) {
    const ckf_tensor *t = p->filling;
    if (t->dtype == CK_I32) {
        int64_t v;
        if (parse_int64(token, &v) != 0 || v < INT32_MIN || v > INT32_MAX)
            return fail(p, "tensor '%s': '%.40s' is not an int32 value", t->name, token);
        *out = (double)v;
        return 0;
    }
    if (parse_double(token, out) != 0) return fail(p, "tensor '%s': '%.40s' is not a number", t->name, token);
    if (t->dtype == CK_F32 && isfinite(*out) && fabs(*out) > FLT_MAX)
        return fail(p, "tensor '%s': %.40s is outside the float32 range", t->name, token);
    return 0;
}

static int parse_values_line(ckf_parser *p, char *cursor) {
    char *token;
    while ((token = next_token(&cursor)) != NULL) {
        if (p->filled == p->filling->count)
            return fail(p, "tensor '%s' has more values than its dims allow (%zu)", p->filling->name,
                        p->filling->count);
        if (parse_value(p, token, &p->filling->values[p->filled]) != 0) return -1;
        p->filled++;
    }
    if (p->filled == p->filling->count) p->filling = NULL;
    return 0;
}

/* ---- directives ----------------------------------------------------------- */

static int parse_case(ckf_parser *p, char **tok, int n) {
    if (p->open_case)
        return fail(p, "'case' inside case '%s' (line %d), which has no 'end'", p->open_case->name,
                    p->open_case_line);
    if (n != 2) return fail(p, "expected 'case <name>'");
    for (int i = 0; i < p->file.n_cases; i++)
        if (strcmp(p->file.cases[i].name, tok[1]) == 0) return fail(p, "duplicate case name '%s'", tok[1]);
    if (p->file.n_cases == p->capacity) {
        int capacity = p->capacity ? 2 * p->capacity : 16;
        ckf_case *grown = realloc(p->file.cases, (size_t)capacity * sizeof *grown);
        if (!grown) return fail(p, "out of memory");
        p->file.cases = grown;
        p->capacity = capacity;
    }
    ckf_case *c = &p->file.cases[p->file.n_cases];
    memset(c, 0, sizeof *c);
    p->file.n_cases++; /* counted now so that ckf_free sees it on a later failure */
    p->open_case = c;
    p->open_case_line = p->line;
    return copy_name(p, c->name, sizeof c->name, tok[1], "case name");
}

static int parse_op(ckf_parser *p, char **tok, int n) {
    if (n != 2) return fail(p, "expected 'op <name>'");
    if (p->open_case->op[0] != '\0') return fail(p, "case '%s' has a second 'op'", p->open_case->name);
    return copy_name(p, p->open_case->op, sizeof p->open_case->op, tok[1], "op name");
}

static int parse_attr(ckf_parser *p, char **tok, int n) {
    ckf_case *c = p->open_case;
    if (n < 3) return fail(p, "expected 'attr <key> <number> [<number> ...]'");
    if (n > 2 + CKF_MAX_ATTR_VALUES) return fail(p, "attr '%.40s' has more than %d values", tok[1], CKF_MAX_ATTR_VALUES);
    if (ckf_attr_named(c, tok[1])) return fail(p, "duplicate attr '%.40s' in case '%s'", tok[1], c->name);
    if (c->n_attrs == CKF_MAX_ATTRS) return fail(p, "case '%s' has more than %d attrs", c->name, CKF_MAX_ATTRS);
    ckf_attr *a = &c->attrs[c->n_attrs];
    if (copy_name(p, a->key, sizeof a->key, tok[1], "attr key") != 0) return -1;
    for (int i = 2; i < n; i++) {
        double v;
        if (parse_double(tok[i], &v) != 0 || !isfinite(v))
            return fail(p, "attr '%s': '%.40s' is not a finite number", a->key, tok[i]);
        a->values[i - 2] = v;
    }
    a->count = n - 2;
    c->n_attrs++;
    return 0;
}

static int parse_dtype(const char *token, ck_dtype *out) {
    if (strcmp(token, "f32") == 0) *out = CK_F32;
    else if (strcmp(token, "f64") == 0) *out = CK_F64;
    else if (strcmp(token, "i32") == 0) *out = CK_I32;
    else return -1;
    return 0;
}

static int parse_tensor(ckf_parser *p, char **tok, int n) {
    ckf_case *c = p->open_case;
    const char *usage = "expected 'tensor <name> <f32|f64|i32> <ndim> <dim0> ... <dimN-1>'";
    if (n < 4) return fail(p, "%s", usage);
    if (ckf_tensor_named(c, tok[1])) return fail(p, "duplicate tensor '%.40s' in case '%s'", tok[1], c->name);
    if (c->n_tensors == CKF_MAX_TENSORS) return fail(p, "case '%s' has more than %d tensors", c->name, CKF_MAX_TENSORS);
    ckf_tensor *t = &c->tensors[c->n_tensors];
    memset(t, 0, sizeof *t);
    if (copy_name(p, t->name, sizeof t->name, tok[1], "tensor name") != 0) return -1;
    if (parse_dtype(tok[2], &t->dtype) != 0) return fail(p, "tensor '%s': unknown dtype '%.40s'", t->name, tok[2]);
    int64_t ndim;
    if (parse_int64(tok[3], &ndim) != 0 || ndim < 0 || ndim > CKF_MAX_DIMS)
        return fail(p, "tensor '%s': ndim '%.40s' is not in [0, %d]", t->name, tok[3], CKF_MAX_DIMS);
    if (n != 4 + ndim) return fail(p, "tensor '%s': ndim is %d but %d dims follow", t->name, (int)ndim, n - 4);
    t->ndim = (int32_t)ndim;
    size_t count = 1;
    for (int i = 0; i < t->ndim; i++) {
        int64_t d;
        if (parse_int64(tok[4 + i], &d) != 0 || d < 1 || (uint64_t)d > CKF_MAX_VALUES)
            return fail(p, "tensor '%s': dim %d '%.40s' is not a size >= 1", t->name, i, tok[4 + i]);
        t->dims[i] = d;
        count *= (size_t)d;
        if (count > CKF_MAX_VALUES)
            return fail(p, "tensor '%s' has more than %zu values", t->name, (size_t)CKF_MAX_VALUES);
    }
    t->values = malloc(count * sizeof *t->values);
    if (!t->values) return fail(p, "tensor '%s': out of memory for %zu values", t->name, count);
    t->count = count;
    c->n_tensors++;
    p->filling = t;
    p->last_tensor = t;
    p->filled = 0;
    return 0;
}

static int parse_end(ckf_parser *p, int n) {
    if (n != 1) return fail(p, "expected 'end' alone on its line");
    if (p->open_case->op[0] == '\0') return fail(p, "case '%s' has no 'op'", p->open_case->name);
    p->open_case = NULL;
    p->last_tensor = NULL;
    return 0;
}

static int parse_directive(ckf_parser *p, char *cursor) {
    char *tok[CKF_LINE_TOKENS];
    int n = 0;
    char *token;
    while (n < CKF_LINE_TOKENS && (token = next_token(&cursor)) != NULL) tok[n++] = token;
    if (n == 0) return 0;
    if (n == CKF_LINE_TOKENS && next_token(&cursor) != NULL) return fail(p, "line has too many fields");
    if (strcmp(tok[0], "case") == 0) return parse_case(p, tok, n);
    int known = strcmp(tok[0], "op") == 0 || strcmp(tok[0], "attr") == 0 || strcmp(tok[0], "tensor") == 0 ||
                strcmp(tok[0], "end") == 0;
    double number;
    if (!known && parse_double(tok[0], &number) == 0) {
        if (p->open_case && p->last_tensor)
            return fail(p, "tensor '%s' has more values than its dims allow (%zu)", p->last_tensor->name,
                        p->last_tensor->count);
        return fail(p, "values outside a tensor");
    }
    if (!known) return fail(p, "unknown directive '%.40s'", tok[0]);
    if (!p->open_case) return fail(p, "'%s' outside a case", tok[0]);
    if (strcmp(tok[0], "op") == 0) return parse_op(p, tok, n);
    if (strcmp(tok[0], "attr") == 0) return parse_attr(p, tok, n);
    if (strcmp(tok[0], "tensor") == 0) return parse_tensor(p, tok, n);
    return parse_end(p, n);
}

static int is_comment(const char *line) {
    while (is_blank(*line)) line++;
    return *line == '#';
}

static int starts_with_keyword(const char *line) {
    static const char *const keywords[] = {"case", "op", "attr", "tensor", "end"};
    while (is_blank(*line)) line++;
    for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++) {
        size_t len = strlen(keywords[i]);
        if (strncmp(line, keywords[i], len) == 0 && (line[len] == '\0' || is_blank(line[len]))) return 1;
    }
    return 0;
}

static int parse_line(ckf_parser *p, char *line) {
    if (is_comment(line)) return 0;
    if (p->filling) {
        if (starts_with_keyword(line))
            return fail(p, "tensor '%s' has %zu values; its dims need %zu", p->filling->name, p->filled,
                        p->filling->count);
        return parse_values_line(p, line);
    }
    return parse_directive(p, line);
}

/* ---- files ---------------------------------------------------------------- */

/* Reads the whole file, NUL-terminated; NULL with the message set on failure. */
static char *read_all(ckf_parser *p, size_t *out_len) {
    FILE *f = fopen(p->path, "rb");
    if (!f) {
        fail(p, "cannot open: %s", strerror(errno));
        return NULL;
    }
    size_t len = 0, capacity = 1 << 16;
    char *text = malloc(capacity);
    while (text) {
        len += fread(text + len, 1, capacity - 1 - len, f);
        if (len < capacity - 1) break;
        char *grown = realloc(text, capacity * 2);
        if (!grown) {
            free(text);
            text = NULL;
        } else {
            text = grown;
            capacity *= 2;
        }
    }
    int read_error = ferror(f) ? (errno ? errno : EIO) : 0;
    fclose(f);
    if (!text) {
        fail(p, "out of memory reading the file");
        return NULL;
    }
    if (read_error) {
        free(text);
        fail(p, "read error: %s", strerror(read_error));
        return NULL;
    }
    text[len] = '\0';
    *out_len = len;
    return text;
}

static int parse_text(ckf_parser *p, char *text, size_t len) {
    char *line = text;
    char *const stop = text + len;
    p->line = 0;
    while (line < stop) {
        p->line++;
        char *newline = memchr(line, '\n', (size_t)(stop - line));
        char *line_end = newline ? newline : stop;
        if (memchr(line, '\0', (size_t)(line_end - line))) return fail(p, "NUL byte in the file");
        *line_end = '\0';
        if (parse_line(p, line) != 0) return -1;
        line = line_end + 1;
    }
    if (p->filling)
        return fail(p, "file ends inside tensor '%s' (%zu of %zu values)", p->filling->name, p->filled,
                    p->filling->count);
    if (p->open_case)
        return fail(p, "file ends inside case '%s' (line %d); 'end' is missing", p->open_case->name,
                    p->open_case_line);
    if (p->file.n_cases == 0) return fail(p, "no cases in the file");
    return 0;
}

int ckf_load(const char *path, ckf_file *out, char *err, size_t err_len) {
    ckf_parser p;
    memset(&p, 0, sizeof p);
    p.path = path ? path : "(null)";
    p.err = err;
    p.err_len = err_len;
    if (err && err_len > 0) err[0] = '\0';
    if (!out) return fail(&p, "no ckf_file to load into");
    out->n_cases = 0;
    out->cases = NULL;
    if (!path) return fail(&p, "no path");
    size_t len = 0;
    char *text = read_all(&p, &len);
    if (!text) return -1;
    int status = parse_text(&p, text, len);
    free(text);
    if (status != 0) {
        ckf_free(&p.file);
        return -1;
    }
    *out = p.file;
    return 0;
}

void ckf_free(ckf_file *file) {
    if (!file) return;
    for (int i = 0; i < file->n_cases; i++)
        for (int j = 0; j < file->cases[i].n_tensors; j++) free(file->cases[i].tensors[j].values);
    free(file->cases);
    file->cases = NULL;
    file->n_cases = 0;
}

const ckf_tensor *ckf_tensor_named(const ckf_case *c, const char *name) {
    if (!c || !name) return NULL;
    for (int i = 0; i < c->n_tensors; i++)
        if (strcmp(c->tensors[i].name, name) == 0) return &c->tensors[i];
    return NULL;
}

const ckf_attr *ckf_attr_named(const ckf_case *c, const char *key) {
    if (!c || !key) return NULL;
    for (int i = 0; i < c->n_attrs; i++)
        if (strcmp(c->attrs[i].key, key) == 0) return &c->attrs[i];
    return NULL;
}

double ckf_attr_or(const ckf_case *c, const char *key, int index, double fallback) {
    const ckf_attr *a = ckf_attr_named(c, key);
    if (!a || index < 0 || index >= a->count) return fallback;
    return a->values[index];
}
