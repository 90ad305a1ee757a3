/*
 * harness.h — what every suite uses: guarded tensors, seeded random data,
 * tolerance checks and failure reports.
 *
 * Guard bytes: every tensor made here sits in a buffer with GUARD bytes of a
 * known pattern before and after it; outputs are also poisoned with NaN
 * before an op runs, so an element the op fails to write shows up as NaN.
 */
#ifndef CK_HARNESS_H
#define CK_HARNESS_H

#include <stdint.h>
#include <stddef.h>
#include "convkit.h"

#if defined(__GNUC__)
#define CKT_PRINTF(fmt_index, first_arg) __attribute__((format(printf, fmt_index, first_arg)))
#else
#define CKT_PRINTF(fmt_index, first_arg)
#endif

typedef struct ckt_run {
    ck_context *ctx;      /* backend under test */
    ck_context *ref;      /* reference backend (the oracle) */
    ck_backend_kind backend;
    const char *fixtures_dir;
    const char *case_name;/* current case, for messages */
    int checks, failures, cases;
    const char *suite;    /* suite name, for messages */
    int reported;         /* failure messages printed (capped per suite, then only counted) */
    char case_storage[224]; /* holds the text case_name points at */
} ckt_run;

/** float32's unit roundoff u = 2^-24. */
#define CKT_F32_UNIT (1.0 / 16777216.0)

/** A tensor in a guarded buffer on `ctx`. */
typedef struct ckt_tensor {
    ck_tensor t;          /* the view ops take: &tensor->t */
    ck_context *ctx;
    size_t count;         /* elements */
} ckt_tensor;

/** Starts a case (name used in failure messages); counts it. */
void ckt_case(ckt_run *run, const char *fmt, ...) CKT_PRINTF(2, 3);

/** New guarded tensor on ctx, contents poisoned (NaN for floats, 0x7fffffff for int32). NULL on failure (reported). */
ckt_tensor *ckt_new(ckt_run *run, ck_context *ctx, ck_dtype dtype, int32_t ndim, const int64_t *dims);
void ckt_free(ckt_tensor *t);

/** Writes / reads all elements as doubles (converted to/from the tensor's dtype). */
void ckt_write(ckt_tensor *t, const double *values);
void ckt_read(const ckt_tensor *t, double *values);
/** Fills uniformly in [lo, hi) from a seeded generator (same seed, same values). */
void ckt_fill_uniform(ckt_tensor *t, uint64_t seed, double lo, double hi);
/** Writes the same values to a tensor on another context (for cross-backend runs). */
ckt_tensor *ckt_clone_to(ckt_run *run, const ckt_tensor *src, ck_context *ctx, ck_dtype dtype);

/** Fails (and returns 0) unless status == CK_OK; prints the context's last error. */
int ckt_expect_ok(ckt_run *run, ck_status status, ck_context *ctx, const char *what);
/** Fails unless status == expected and the last error is non-empty. */
int ckt_expect_status(ckt_run *run, ck_status status, ck_status expected, ck_context *ctx, const char *what);
/** Fails unless the guard bytes around t are intact. */
int ckt_check_guards(ckt_run *run, const ckt_tensor *t, const char *what);

/**
 * Elementwise |got - want| <= atol + rtol * |want| (tolerance per call), NaN
 * never passes unless both are NaN. Reports the first failing index.
 */
int ckt_expect_close(ckt_run *run, const char *what, const double *got, const double *want,
                     size_t n, double atol, double rtol);
/**
 * |got - want| <= k * u * bound[i] + atol, with u = 2^-24: the classical
 * error bound of a float32 sum of k products, bound[i] = sum of |terms|
 * (compute it by running the reference op on |inputs|).
 */
int ckt_expect_within_bound(ckt_run *run, const char *what, const double *got, const double *want,
                            const double *bound, size_t n, double k, double atol);

/**
 * |got - want| <= tol[i], a tolerance per element (for bounds derived from
 * several sums, e.g. batch norm). NaN never passes unless both are NaN.
 */
int ckt_expect_within_tol(ckt_run *run, const char *what, const double *got, const double *want,
                          const double *tol, size_t n);

/** Records a failure with a message (case name prefixed). */
void ckt_fail(ckt_run *run, const char *fmt, ...) CKT_PRINTF(2, 3);
/** Counts one check that passed when `ok`, else fails with the message. Returns ok. */
int ckt_expect(ckt_run *run, int ok, const char *fmt, ...) CKT_PRINTF(3, 4);

/** A new array of t's elements as doubles (ckt_read); NULL when out of memory (reported). */
double *ckt_read_new(ckt_run *run, const ckt_tensor *t);
/** Like ckt_clone_to, with every value replaced by its absolute value (for error bounds). */
ckt_tensor *ckt_abs_clone_to(ckt_run *run, const ckt_tensor *src, ck_context *ctx, ck_dtype dtype);

/** Every suite has this signature; registered in suites.c. */
typedef void (*ckt_suite_fn)(ckt_run *run);

#endif
