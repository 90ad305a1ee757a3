/*
 * fixture_ops.c — loading a fixture folder, dispatching each case to its op
 * and the helpers the op files share (see fixture_ops.h).
 */
#include "fixture_ops.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PATH_LEN 1024
#define MAX_FILES 256

static const ckt_fixture_op *const op_lists[] = {ckt_fixture_conv_ops, ckt_fixture_pool_ops, ckt_fixture_batchnorm_ops,
                                                 ckt_fixture_train_ops, ckt_fixture_optim_ops};

static const ckt_fixture_op *find_op(const char *name) {
    for (size_t l = 0; l < sizeof op_lists / sizeof op_lists[0]; l++)
        for (const ckt_fixture_op *op = op_lists[l]; op->name; op++)
            if (strcmp(op->name, name) == 0) return op;
    return NULL;
}

static int listed(const char *const *names, const char *name) {
    for (; *names; names++)
        if (strcmp(*names, name) == 0) return 1;
    return 0;
}

/** Every attribute and tensor of the case must be one the op knows: an unknown one would be ignored semantics. */
static int only_known_names(ckt_fixture *f, const ckt_fixture_op *op) {
    int ok = 1;
    for (int i = 0; i < f->c->n_attrs; i++)
        if (!listed(op->attrs, f->c->attrs[i].key)) {
            ckt_fail(f->run, "attribute '%s' is not one op %s knows: the suite cannot honour it", f->c->attrs[i].key,
                     op->name);
            ok = 0;
        }
    for (int i = 0; i < f->c->n_tensors; i++)
        if (!listed(op->tensors, f->c->tensors[i].name)) {
            ckt_fail(f->run, "tensor '%s' is not one op %s knows: the suite cannot check it", f->c->tensors[i].name,
                     op->name);
            ok = 0;
        }
    return ok;
}

static void run_case(ckt_run *run, const ckt_fixture_source *source, int *rounded_used, const char *file,
                     const ckf_case *c) {
    ckt_case(run, "%s/%s: %s (op %s)", source->folder, file, c->name, c->op);
    ckt_fixture f;
    memset(&f, 0, sizeof f);
    f.run = run;
    f.source = source;
    f.rounded_used = rounded_used;
    f.c = c;
    const ckt_fixture_op *op = find_op(c->op);
    if (!op) {
        ckt_fail(run, "unknown op '%s': no ConvKit op runs it, so this case cannot be checked", c->op);
        return;
    }
    if (only_known_names(&f, op)) op->run(&f);
    for (int i = 0; i < f.n_owned; i++) ckt_free(f.owned[i]);
}

static void run_file(ckt_run *run, const ckt_fixture_source *source, int *rounded_used, const char *dir,
                     const char *file) {
    char path[PATH_LEN], err[512] = "";
    snprintf(path, sizeof path, "%s/%s", dir, file);
    ckf_file fixtures = {0, NULL};
    ckt_case(run, "%s/%s", source->folder, file);
    if (!ckt_expect(run, ckf_load(path, &fixtures, err, sizeof err) == 0, "cannot load fixture file: %s", err)) return;
    for (int i = 0; i < fixtures.n_cases; i++) run_case(run, source, rounded_used, file, &fixtures.cases[i]);
    ckf_free(&fixtures);
}

static int has_suffix(const char *name, const char *suffix) {
    size_t n = strlen(name), s = strlen(suffix);
    return n > s && strcmp(name + n - s, suffix) == 0;
}

static int compare_names(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void ckt_run_fixture_folder(ckt_run *run, const ckt_fixture_source *source) {
    char dir[PATH_LEN];
    snprintf(dir, sizeof dir, "%s/%s", run->fixtures_dir && run->fixtures_dir[0] ? run->fixtures_dir : ".",
             source->folder);
    ckt_case(run, "%s fixtures in %s", source->folder, dir);
    DIR *d = opendir(dir);
    if (!ckt_expect(run, d != NULL, "cannot open the fixture folder %s (is fixtures_dir the Tests/Fixtures folder?)", dir))
        return;
    char *names[MAX_FILES];
    int count = 0, too_many = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (!has_suffix(e->d_name, ".ckf")) continue;
        if (count == MAX_FILES) {
            too_many = 1;
            break;
        }
        names[count] = malloc(strlen(e->d_name) + 1);
        if (!names[count]) {
            ckt_fail(run, "out of host memory listing %s", dir);
            break;
        }
        strcpy(names[count++], e->d_name);
    }
    closedir(d);
    ckt_expect(run, !too_many, "more than %d fixture files in %s: raise MAX_FILES", MAX_FILES, dir);
    ckt_expect(run, count > 0, "no *.ckf file in %s", dir);
    qsort(names, (size_t)count, sizeof names[0], compare_names);
    int *rounded_used = calloc(source->rounded_count + 1, sizeof *rounded_used);
    if (!rounded_used) ckt_fail(run, "out of host memory");
    for (int i = 0; i < count; i++) {
        run_file(run, source, rounded_used, dir, names[i]);
        free(names[i]);
    }
    /* A hand-rounding exception that matched nothing is stale: its tolerance would hide nothing, or the wrong thing. */
    ckt_case(run, "%s fixtures: hand-rounded outputs", source->folder);
    for (size_t i = 0; rounded_used && i < source->rounded_count; i++)
        ckt_expect(run, rounded_used[i], "no output %s of a case %s was compared: the exception is stale",
                   source->rounded[i].tensor, source->rounded[i].case_name);
    free(rounded_used);
}

/* ------------------------------------------------------------------------ */
/* Helpers for the op files                                                   */
/* ------------------------------------------------------------------------ */

double ckt_fx_attr(const ckt_fixture *f, const char *key, int index, int *ok) {
    const ckf_attr *a = ckf_attr_named(f->c, key);
    if (a && index < a->count) return a->values[index];
    ckt_fail(f->run, "attribute '%s' (value %d) is missing; the README lists it for op %s", key, index, f->c->op);
    *ok = 0;
    return 0.0;
}

const ckf_tensor *ckt_fx_tensor(const ckt_fixture *f, const char *name, int *ok) {
    const ckf_tensor *t = ckf_tensor_named(f->c, name);
    if (!t) {
        ckt_fail(f->run, "tensor '%s' is missing; op %s needs it", name, f->c->op);
        *ok = 0;
    }
    return t;
}

const ckf_tensor *ckt_fx_optional(const ckt_fixture *f, const char *name) { return ckf_tensor_named(f->c, name); }

static ckt_tensor *own(ckt_fixture *f, ckt_tensor *t, int *ok) {
    if (!t) {
        *ok = 0;
        return NULL;
    }
    if (f->n_owned == CKT_FX_MAX_OWNED) {
        ckt_fail(f->run, "more than %d tensors in one case: raise CKT_FX_MAX_OWNED", CKT_FX_MAX_OWNED);
        ckt_free(t);
        *ok = 0;
        return NULL;
    }
    f->owned[f->n_owned++] = t;
    return t;
}

ckt_tensor *ckt_fx_upload(ckt_fixture *f, ck_context *ctx, const ckf_tensor *t, int absolute, int *ok) {
    if (!t) return NULL;
    const ck_dtype dtype = t->dtype == CK_I32 ? CK_I32 : CK_F32;
    ckt_tensor *out = own(f, ckt_new(f->run, ctx, dtype, t->ndim, t->dims), ok);
    if (!out) return NULL;
    double *values = malloc((t->count ? t->count : 1) * sizeof *values);
    if (!values) {
        ckt_fail(f->run, "out of host memory for %zu values", t->count);
        *ok = 0;
        return NULL;
    }
    for (size_t i = 0; i < t->count; i++) values[i] = absolute ? fabs(t->values[i]) : t->values[i];
    ckt_write(out, values);
    free(values);
    return out;
}

ckt_tensor *ckt_fx_output(ckt_fixture *f, ck_context *ctx, int32_t ndim, const int64_t *dims, int *ok) {
    return own(f, ckt_new(f->run, ctx, CK_F32, ndim, dims), ok);
}

static void format_dims(char *buf, size_t len, int32_t ndim, const int64_t *dims) {
    size_t used = (size_t)snprintf(buf, len, "(");
    for (int32_t i = 0; i < ndim && used < len; i++)
        used += (size_t)snprintf(buf + used, len - used, i ? ", %lld" : "%lld", (long long)dims[i]);
    if (used < len) snprintf(buf + used, len - used, ")");
}

int ckt_fx_same_dims(const ckt_fixture *f, const char *what, int32_t ndim, const int64_t *dims, const ckf_tensor *want) {
    int same = ndim == want->ndim;
    for (int32_t i = 0; same && i < ndim; i++) same = dims[i] == want->dims[i];
    char got_s[160], want_s[160];
    format_dims(got_s, sizeof got_s, ndim, dims);
    format_dims(want_s, sizeof want_s, want->ndim, want->dims);
    return ckt_expect(f->run, same, "%s: ConvKit gives dims %s, the fixture's '%s' has %s", what, got_s, want->name,
                      want_s);
}

static const ckt_fixture_rounded *rounded_output(const ckt_fixture *f, const char *tensor) {
    for (size_t i = 0; i < f->source->rounded_count; i++) {
        const ckt_fixture_rounded *r = &f->source->rounded[i];
        if (strcmp(r->case_name, f->c->name) == 0 && strcmp(r->tensor, tensor) == 0) {
            if (f->rounded_used) f->rounded_used[i] = 1;
            return r;
        }
    }
    return NULL;
}

double *ckt_fx_float32(ckt_run *run, const ckf_tensor *t) {
    double *v = malloc((t->count ? t->count : 1) * sizeof *v);
    if (!v) {
        ckt_fail(run, "out of host memory for %zu values", t->count);
        return NULL;
    }
    for (size_t i = 0; i < t->count; i++) v[i] = t->dtype == CK_F32 ? (double)(float)t->values[i] : t->values[i];
    return v;
}

/** An output's values and the fixture's (as float32), after the dims and guard checks. */
typedef struct compared {
    double *got, *want;
} compared;

static void compared_free(compared *c) {
    free(c->got);
    free(c->want);
    c->got = c->want = NULL;
}

/**
 * Reads got and want after checking got's dims against want's and its
 * guards; 0 (reported) otherwise. When the source rounded this output by
 * hand, compares it within that relative tolerance right here and returns 0.
 */
static int read_checked(const ckt_fixture *f, const ckt_tensor *got, const ckf_tensor *want, compared *c) {
    c->got = c->want = NULL;
    if (!got) return 0;
    char what[200];
    snprintf(what, sizeof what, "output %s", want->name);
    if (!ckt_fx_same_dims(f, what, got->t.ndim, got->t.dims, want)) return 0;
    ckt_check_guards(f->run, got, what);
    c->got = ckt_read_new(f->run, got);
    c->want = c->got ? ckt_fx_float32(f->run, want) : NULL;
    const ckt_fixture_rounded *r = rounded_output(f, want->name);
    if (c->want && r) {
        snprintf(what, sizeof what, "%s (rtol %g: %s)", want->name, r->rtol, r->why);
        ckt_expect_close(f->run, what, c->got, c->want, want->count, 0.0, r->rtol);
        compared_free(c);
        return 0;
    }
    return c->want != NULL;
}

void ckt_fx_expect_bound(const ckt_fixture *f, const ckt_tensor *got, const ckf_tensor *want, const ckt_tensor *bound,
                         double k) {
    compared c;
    double *b = read_checked(f, got, want, &c) ? ckt_read_new(f->run, bound) : NULL;
    char what[160];
    snprintf(what, sizeof what, "%s (within %g u sum|terms|)", want->name, k);
    if (b) ckt_expect_within_bound(f->run, what, c.got, c.want, b, want->count, k, 0.0);
    compared_free(&c);
    free(b);
}

void ckt_fx_expect_exact(const ckt_fixture *f, const ckt_tensor *got, const ckf_tensor *want) {
    compared c;
    char what[160];
    snprintf(what, sizeof what, "%s (exact)", want->name);
    if (read_checked(f, got, want, &c)) ckt_expect_close(f->run, what, c.got, c.want, want->count, 0.0, 0.0);
    compared_free(&c);
}

void ckt_fx_expect_tol(const ckt_fixture *f, const ckt_tensor *got, const ckf_tensor *want, const double *tol) {
    compared c;
    if (read_checked(f, got, want, &c)) ckt_expect_within_tol(f->run, want->name, c.got, c.want, tol, want->count);
    compared_free(&c);
}
