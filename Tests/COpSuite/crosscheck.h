/*
 * crosscheck.h — running one op on the backend under test and on the
 * reference backend with the same inputs, and comparing what they wrote.
 *
 * A pair is the same tensor on both contexts (run->ctx and run->ref), always
 * float32 unless made otherwise. The compare functions also check the guard
 * bytes of both halves.
 */
#ifndef CK_CROSSCHECK_H
#define CK_CROSSCHECK_H

#include "harness.h"

typedef struct ckt_pair {
    ckt_tensor *test; /* on run->ctx */
    ckt_tensor *ref;  /* on run->ref */
} ckt_pair;

/** A poisoned pair of `dtype`. Returns 0 (failure reported) when either half cannot be made. */
int ckt_pair_new(ckt_run *run, ckt_pair *pair, ck_dtype dtype, int32_t ndim, const int64_t *dims);
/** A float32 pair filled with the same seeded uniform values in [lo, hi). */
int ckt_pair_uniform(ckt_run *run, ckt_pair *pair, int32_t ndim, const int64_t *dims, uint64_t seed, double lo,
                     double hi);
/** A float32 pair holding `values` on both halves. */
int ckt_pair_values(ckt_run *run, ckt_pair *pair, int32_t ndim, const int64_t *dims, const double *values);
/** Writes the same values to both halves. */
void ckt_pair_write(ckt_pair *pair, const double *values);
void ckt_pair_free(ckt_pair *pair);

/** The views, or NULL for a pair that was not made (optional tensors). */
const ck_tensor *ckt_test_view(const ckt_pair *pair);
const ck_tensor *ckt_ref_view(const ckt_pair *pair);

/** Compares the test half with the reference half: |test - ref| <= atol + rtol * |ref|. */
int ckt_pair_expect_close(ckt_run *run, const char *what, const ckt_pair *pair, double atol, double rtol);
/**
 * Compares the halves within the float32 summation bound k * u * bound[i]
 * (see ckt_expect_within_bound); `bound` is a tensor on any context.
 */
int ckt_pair_expect_within_bound(ckt_run *run, const char *what, const ckt_pair *pair, const ckt_tensor *bound,
                                 double k);
/** Compares the halves within the per-element tolerances tol[i]. */
int ckt_pair_expect_within_tol(ckt_run *run, const char *what, const ckt_pair *pair, const double *tol);

/** Returns 1 when both statuses are CK_OK; otherwise fails, naming the backend that failed. */
int ckt_pair_expect_ok(ckt_run *run, ck_status test_status, ck_status ref_status, const char *what);

#endif
