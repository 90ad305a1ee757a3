/*
 * conv_check.h — the cross-backend check shared by conv2d and
 * conv_transpose2d: forward, backward-data and backward-weights (+ bias),
 * each gradient with beta = 0 (poisoned output) and beta = 1 (pre-filled).
 *
 * Tolerance: every output element is a float32 sum of at most k products
 * (k = the reduction length of that pass), so |got - exact| <= gamma_k *
 * sum|terms| with gamma_k = k*u/(1 - k*u), u = 2^-24, whatever the summation
 * order (Higham, "Accuracy and Stability of Numerical Algorithms", 3.1). The
 * reference backend accumulates in double, so its result is the exact one
 * rounded once. sum|terms| is the same op run by the reference on |inputs|
 * (and |previous gradient| with beta = 1). The check allows (k + 2) * u *
 * bound: one more rounding for the beta accumulation (or the bias) and one
 * for the reference's own rounding to float32.
 */
#ifndef CK_CONV_CHECK_H
#define CK_CONV_CHECK_H

#include "harness.h"

/** One conv-like op: its three passes behind the op's own parameter struct. */
typedef struct ckt_conv_ops {
    ck_status (*forward)(ck_context *ctx, const void *params, const ck_tensor *x, const ck_tensor *w,
                         const ck_tensor *bias, const ck_tensor *y);
    ck_status (*backward_data)(ck_context *ctx, const void *params, const ck_tensor *w, const ck_tensor *dy,
                               float beta, const ck_tensor *dx);
    ck_status (*backward_weights)(ck_context *ctx, const void *params, const ck_tensor *x, const ck_tensor *dy,
                                  float beta, const ck_tensor *dw, const ck_tensor *dbias);
} ckt_conv_ops;

/** One case: dims of x (N,C,H,W), w and y, and the reduction length of each pass. */
typedef struct ckt_conv_case {
    const ckt_conv_ops *ops;
    const void *params;
    int64_t x[4], w[4], y[4];
    int has_bias;         /* forward with a bias, backward-weights with dbias; else both NULL */
    double k_forward;     /* terms summed per y element (bias included) */
    double k_data;        /* terms summed per dx element (at most) */
    double k_weights;     /* terms summed per dw element */
    double k_bias;        /* terms summed per dbias element */
} ckt_conv_case;

/** Runs the three passes on both backends with inputs seeded by `seed` and compares them. */
void ckt_check_conv_case(ckt_run *run, const ckt_conv_case *c, uint64_t seed);

#endif
