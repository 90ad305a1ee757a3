/*
 * harness.c — guarded tensors, seeded data, tolerance checks and failure
 * reports for the op suites (see harness.h).
 *
 * Buffer layout of a guarded tensor of B bytes:
 *   [ GUARD bytes of pattern | B bytes: the view (offset GUARD) | GUARD bytes of pattern ]
 */
#include "harness.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/** Guard bytes on each side; a multiple of 64 keeps the view as aligned as the buffer. */
#define GUARD ((size_t)64)
/** Failure messages printed per suite run; later failures are only counted. */
#define MAX_REPORTED 20

/* ------------------------------------------------------------------------ */
/* Reports                                                                    */
/* ------------------------------------------------------------------------ */

static void report(ckt_run *run, const char *fmt, va_list args) {
    run->failures++;
    run->reported++;
    if (run->reported > MAX_REPORTED) return;
    fprintf(stderr, "[%s/%s] %s: ", run->suite ? run->suite : "?", ck_backend_name(run->backend),
            run->case_name ? run->case_name : "(no case)");
    vfprintf(stderr, fmt, args);
    fputc('\n', stderr);
    if (run->reported == MAX_REPORTED)
        fprintf(stderr, "[%s/%s] further failures of this suite are counted, not printed\n",
                run->suite ? run->suite : "?", ck_backend_name(run->backend));
}

void ckt_fail(ckt_run *run, const char *fmt, ...) {
    va_list args;
    va_start(args, fmt);
    run->checks++;
    report(run, fmt, args);
    va_end(args);
}

int ckt_expect(ckt_run *run, int ok, const char *fmt, ...) {
    run->checks++;
    if (ok) return 1;
    va_list args;
    va_start(args, fmt);
    report(run, fmt, args);
    va_end(args);
    return 0;
}

void ckt_case(ckt_run *run, const char *fmt, ...) {
    va_list args;
    va_start(args, fmt);
    vsnprintf(run->case_storage, sizeof run->case_storage, fmt, args);
    va_end(args);
    run->case_name = run->case_storage;
    run->cases++;
}

int ckt_expect_ok(ckt_run *run, ck_status status, ck_context *ctx, const char *what) {
    return ckt_expect(run, status == CK_OK, "%s: returned %s: %s", what, ck_status_string(status), ck_last_error(ctx));
}

int ckt_expect_status(ckt_run *run, ck_status status, ck_status expected, ck_context *ctx, const char *what) {
    if (status != expected)
        return ckt_expect(run, 0, "%s: returned %s (%s); expected %s", what, ck_status_string(status),
                          status == CK_OK ? "no error" : ck_last_error(ctx), ck_status_string(expected));
    const char *message = ck_last_error(ctx);
    return ckt_expect(run, message && message[0] != '\0', "%s: returned %s but left no error message", what,
                      ck_status_string(status));
}

/* ------------------------------------------------------------------------ */
/* Guarded tensors                                                            */
/* ------------------------------------------------------------------------ */

/** The guard pattern: varies with the position so shifted copies show up too. */
static uint8_t guard_byte(size_t i) { return (uint8_t)(0xA7u + 29u * (unsigned)i); }

static size_t tensor_bytes(const ckt_tensor *t) { return t->count * ck_dtype_size(t->t.dtype); }

/** Host array of `count` elements of `dtype` holding the poison value. */
static void poison(ck_dtype dtype, void *data, size_t count) {
    for (size_t i = 0; i < count; i++) {
        if (dtype == CK_F32) {
            const uint32_t bits = 0x7fffffffu; /* a quiet NaN */
            memcpy((uint32_t *)data + i, &bits, 4);
        } else if (dtype == CK_F64) {
            const uint64_t bits = 0x7fffffffffffffffull;
            memcpy((uint64_t *)data + i, &bits, 8);
        } else {
            ((int32_t *)data)[i] = 0x7fffffff;
        }
    }
}

ckt_tensor *ckt_new(ckt_run *run, ck_context *ctx, ck_dtype dtype, int32_t ndim, const int64_t *dims) {
    size_t count = 1;
    for (int32_t i = 0; i < ndim; i++) count *= (size_t)dims[i];
    size_t bytes = count * ck_dtype_size(dtype);
    size_t total = GUARD + bytes + GUARD;
    ckt_tensor *t = calloc(1, sizeof *t);
    uint8_t *host = malloc(total);
    ck_buffer *buffer = NULL;
    ck_status status = t && host ? ck_buffer_create(ctx, total, &buffer) : CK_ERR_OUT_OF_MEMORY;
    if (status != CK_OK) {
        ckt_fail(run, "cannot create a %zu-byte guarded buffer: %s %s", total, ck_status_string(status),
                 t && host ? ck_last_error(ctx) : "");
        free(host);
        free(t);
        return NULL;
    }
    for (size_t i = 0; i < GUARD; i++) host[i] = host[GUARD + bytes + i] = guard_byte(i);
    poison(dtype, host + GUARD, count);
    status = ck_buffer_write(ctx, buffer, 0, host, total);
    free(host);
    if (status != CK_OK) {
        ckt_fail(run, "cannot write a guarded buffer: %s", ck_last_error(ctx));
        ck_buffer_destroy(buffer);
        free(t);
        return NULL;
    }
    t->t = ck_tensor_nd(buffer, dtype, ndim, dims);
    t->t.offset = GUARD;
    t->ctx = ctx;
    t->count = count;
    return t;
}

void ckt_free(ckt_tensor *t) {
    if (!t) return;
    ck_buffer_destroy(t->t.buffer);
    free(t);
}

void ckt_write(ckt_tensor *t, const double *values) {
    if (!t) return;
    size_t bytes = tensor_bytes(t);
    void *host = malloc(bytes ? bytes : 1);
    if (!host) return;
    for (size_t i = 0; i < t->count; i++) {
        switch (t->t.dtype) {
        case CK_F32: ((float *)host)[i] = (float)values[i]; break;
        case CK_F64: ((double *)host)[i] = values[i]; break;
        case CK_I32: ((int32_t *)host)[i] = (int32_t)values[i]; break;
        }
    }
    ck_buffer_write(t->ctx, t->t.buffer, GUARD, host, bytes);
    free(host);
}

void ckt_read(const ckt_tensor *t, double *values) {
    if (!t) return;
    size_t bytes = tensor_bytes(t);
    void *host = malloc(bytes ? bytes : 1);
    if (!host || ck_buffer_read(t->ctx, t->t.buffer, GUARD, host, bytes) != CK_OK) {
        for (size_t i = 0; i < t->count; i++) values[i] = NAN;
        free(host);
        return;
    }
    for (size_t i = 0; i < t->count; i++) {
        switch (t->t.dtype) {
        case CK_F32: values[i] = ((const float *)host)[i]; break;
        case CK_F64: values[i] = ((const double *)host)[i]; break;
        case CK_I32: values[i] = ((const int32_t *)host)[i]; break;
        }
    }
    free(host);
}

double *ckt_read_new(ckt_run *run, const ckt_tensor *t) {
    double *values = t ? malloc((t->count ? t->count : 1) * sizeof *values) : NULL;
    if (!values) {
        if (t) ckt_fail(run, "out of host memory reading %zu elements", t->count);
        return NULL;
    }
    ckt_read(t, values);
    return values;
}

/** splitmix64: a tiny seeded generator with good statistical quality. */
static uint64_t splitmix64(uint64_t *state) {
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void ckt_fill_uniform(ckt_tensor *t, uint64_t seed, double lo, double hi) {
    if (!t) return;
    double *values = malloc((t->count ? t->count : 1) * sizeof *values);
    if (!values) return;
    uint64_t state = seed;
    for (size_t i = 0; i < t->count; i++) {
        double r = (double)(splitmix64(&state) >> 11) * 0x1.0p-53; /* [0, 1) */
        double v = lo + r * (hi - lo);
        values[i] = t->t.dtype == CK_I32 ? floor(v) : v;
    }
    ckt_write(t, values);
    free(values);
}

static ckt_tensor *clone_with(ckt_run *run, const ckt_tensor *src, ck_context *ctx, ck_dtype dtype, int absolute) {
    if (!src) return NULL;
    double *values = ckt_read_new(run, src);
    if (!values) return NULL;
    if (absolute)
        for (size_t i = 0; i < src->count; i++) values[i] = fabs(values[i]);
    ckt_tensor *copy = ckt_new(run, ctx, dtype, src->t.ndim, src->t.dims);
    ckt_write(copy, values);
    free(values);
    return copy;
}

ckt_tensor *ckt_clone_to(ckt_run *run, const ckt_tensor *src, ck_context *ctx, ck_dtype dtype) {
    return clone_with(run, src, ctx, dtype, 0);
}

ckt_tensor *ckt_abs_clone_to(ckt_run *run, const ckt_tensor *src, ck_context *ctx, ck_dtype dtype) {
    return clone_with(run, src, ctx, dtype, 1);
}

int ckt_check_guards(ckt_run *run, const ckt_tensor *t, const char *what) {
    if (!t) return ckt_expect(run, 0, "%s: no tensor to check the guards of", what);
    size_t bytes = tensor_bytes(t);
    size_t total = GUARD + bytes + GUARD;
    uint8_t *host = malloc(total);
    if (!host || ck_buffer_read(t->ctx, t->t.buffer, 0, host, total) != CK_OK) {
        free(host);
        return ckt_expect(run, 0, "%s: cannot read the guarded buffer back", what);
    }
    long bad = -1;
    int after = 0;
    for (size_t i = 0; i < GUARD && bad < 0; i++) {
        if (host[i] != guard_byte(i)) bad = (long)i;
        else if (host[GUARD + bytes + i] != guard_byte(i)) bad = (long)i, after = 1;
    }
    uint8_t got = bad < 0 ? 0 : host[after ? GUARD + bytes + (size_t)bad : (size_t)bad];
    free(host);
    if (bad < 0) return ckt_expect(run, 1, "%s", what);
    return ckt_expect(run, 0, "%s: guard byte %ld %s the tensor was overwritten (got 0x%02x want 0x%02x)", what,
                      after ? bad : (long)GUARD - bad, after ? "after the end of" : "before the start of", got,
                      guard_byte((size_t)bad));
}

/* ------------------------------------------------------------------------ */
/* Comparisons                                                                */
/* ------------------------------------------------------------------------ */

/** 1 when got is within tol of want; NaN only matches NaN, infinities only themselves. */
static int within(double got, double want, double tol) {
    if (isnan(got) || isnan(want)) return isnan(got) && isnan(want);
    if (isinf(got) || isinf(want)) return got == want;
    return fabs(got - want) <= tol;
}

/** The shared check: tolerance of element i from tol_at; reports the first bad index and how many. */
static int expect_each(ckt_run *run, const char *what, const double *got, const double *want, size_t n,
                       double (*tol_at)(const void *ctx, size_t i), const void *tol_ctx) {
    size_t bad = 0, first = 0;
    for (size_t i = 0; i < n; i++) {
        if (within(got[i], want[i], tol_at(tol_ctx, i))) continue;
        if (bad++ == 0) first = i;
    }
    if (bad == 0) return ckt_expect(run, 1, "%s", what);
    return ckt_expect(run, 0, "%s: index %zu got %.9g want %.9g (tol %.3g); %zu of %zu elements outside", what, first,
                      got[first], want[first], tol_at(tol_ctx, first), bad, n);
}

typedef struct { const double *want; double atol, rtol; } close_tol;
static double close_tol_at(const void *ctx, size_t i) {
    const close_tol *c = ctx;
    return c->atol + c->rtol * fabs(c->want[i]);
}

int ckt_expect_close(ckt_run *run, const char *what, const double *got, const double *want, size_t n, double atol,
                     double rtol) {
    const close_tol c = {want, atol, rtol};
    return expect_each(run, what, got, want, n, close_tol_at, &c);
}

typedef struct { const double *bound; double k, atol; } bound_tol;
static double bound_tol_at(const void *ctx, size_t i) {
    const bound_tol *b = ctx;
    return b->k * CKT_F32_UNIT * b->bound[i] + b->atol;
}

int ckt_expect_within_bound(ckt_run *run, const char *what, const double *got, const double *want,
                            const double *bound, size_t n, double k, double atol) {
    const bound_tol b = {bound, k, atol};
    return expect_each(run, what, got, want, n, bound_tol_at, &b);
}

static double array_tol_at(const void *ctx, size_t i) { return ((const double *)ctx)[i]; }

int ckt_expect_within_tol(ckt_run *run, const char *what, const double *got, const double *want, const double *tol,
                          size_t n) {
    return expect_each(run, what, got, want, n, array_tol_at, tol);
}
