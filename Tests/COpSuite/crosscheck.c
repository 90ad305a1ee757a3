/* crosscheck.c — tensor pairs on the backend under test and the reference backend (see crosscheck.h). */
#include "crosscheck.h"

#include <stdio.h>
#include <stdlib.h>

int ckt_pair_new(ckt_run *run, ckt_pair *pair, ck_dtype dtype, int32_t ndim, const int64_t *dims) {
    pair->test = ckt_new(run, run->ctx, dtype, ndim, dims);
    pair->ref = ckt_new(run, run->ref, dtype, ndim, dims);
    if (pair->test && pair->ref) return 1;
    ckt_pair_free(pair);
    return 0;
}

int ckt_pair_uniform(ckt_run *run, ckt_pair *pair, int32_t ndim, const int64_t *dims, uint64_t seed, double lo,
                     double hi) {
    if (!ckt_pair_new(run, pair, CK_F32, ndim, dims)) return 0;
    ckt_fill_uniform(pair->test, seed, lo, hi);
    ckt_fill_uniform(pair->ref, seed, lo, hi);
    return 1;
}

int ckt_pair_values(ckt_run *run, ckt_pair *pair, int32_t ndim, const int64_t *dims, const double *values) {
    if (!ckt_pair_new(run, pair, CK_F32, ndim, dims)) return 0;
    ckt_pair_write(pair, values);
    return 1;
}

void ckt_pair_write(ckt_pair *pair, const double *values) {
    ckt_write(pair->test, values);
    ckt_write(pair->ref, values);
}

void ckt_pair_free(ckt_pair *pair) {
    ckt_free(pair->test);
    ckt_free(pair->ref);
    pair->test = pair->ref = NULL;
}

const ck_tensor *ckt_test_view(const ckt_pair *pair) { return pair && pair->test ? &pair->test->t : NULL; }
const ck_tensor *ckt_ref_view(const ckt_pair *pair) { return pair && pair->ref ? &pair->ref->t : NULL; }

int ckt_pair_expect_ok(ckt_run *run, ck_status test_status, ck_status ref_status, const char *what) {
    char label[200];
    snprintf(label, sizeof label, "%s on the backend under test", what);
    int ok = ckt_expect_ok(run, test_status, run->ctx, label);
    snprintf(label, sizeof label, "%s on the reference backend", what);
    return ckt_expect_ok(run, ref_status, run->ref, label) && ok;
}

/** Checks the guards of both halves; returns 1 when both are intact. */
static int pair_guards(ckt_run *run, const char *what, const ckt_pair *pair) {
    char label[200];
    snprintf(label, sizeof label, "%s (backend under test)", what);
    int ok = ckt_check_guards(run, pair->test, label);
    snprintf(label, sizeof label, "%s (reference)", what);
    return ckt_check_guards(run, pair->ref, label) && ok;
}

/** Reads both halves; 0 (reported) when out of memory. */
static int read_pair(ckt_run *run, const ckt_pair *pair, double **got, double **want) {
    *got = ckt_read_new(run, pair->test);
    *want = ckt_read_new(run, pair->ref);
    if (*got && *want) return 1;
    free(*got);
    free(*want);
    return 0;
}

int ckt_pair_expect_close(ckt_run *run, const char *what, const ckt_pair *pair, double atol, double rtol) {
    double *got, *want;
    if (!pair->test || !pair->ref || !read_pair(run, pair, &got, &want)) return 0;
    int ok = ckt_expect_close(run, what, got, want, pair->test->count, atol, rtol);
    free(got);
    free(want);
    return pair_guards(run, what, pair) && ok;
}

int ckt_pair_expect_within_bound(ckt_run *run, const char *what, const ckt_pair *pair, const ckt_tensor *bound,
                                 double k) {
    double *got, *want;
    if (!pair->test || !pair->ref || !bound || !read_pair(run, pair, &got, &want)) return 0;
    double *b = ckt_read_new(run, bound);
    int ok = b && ckt_expect_within_bound(run, what, got, want, b, pair->test->count, k, 0.0);
    free(b);
    free(got);
    free(want);
    return pair_guards(run, what, pair) && ok;
}

int ckt_pair_expect_within_tol(ckt_run *run, const char *what, const ckt_pair *pair, const double *tol) {
    double *got, *want;
    if (!pair->test || !pair->ref || !read_pair(run, pair, &got, &want)) return 0;
    int ok = ckt_expect_within_tol(run, what, got, want, tol, pair->test->count);
    free(got);
    free(want);
    return pair_guards(run, what, pair) && ok;
}
