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
 *
 * Winograd F(2x2, 3x3) (cases with `winograd` set: the OpenCL backend ran
 * the forward and backward-data that way) sums other terms: products of
 * transformed weights and inputs, which expand into the products w * x of the
 * direct conv's window with coefficients of at most 2 per dimension (G's
 * entries are 1/2, B's and A's 1; e.g. the first output of a row is
 * m0 + m1 + m2 = x0 w0 + x1 (w0 + w1 + w2) + x2 (2 w0 + w1 + w2)), and every
 * weight of a channel pair with every input of the output's 3x3 window. So
 * sum|terms| <= 4 * sum over c of (sum of the 9 |w[o, c]|) * (sum of |x| in
 * the window): the reference's conv of |x| with every tap of w[o, c] set to
 * 4 * sum |w[o, c]|. Each term passes through at most k = channels + 10
 * roundings (+ 1 with a bias): 2 in the input transform (two sums of two),
 * 4 in the weight transform (two sums of three; the halvings are exact), one
 * fused multiply-add per channel, 4 in the output transform (two sums of
 * three); the case sets k_forward and k_data to that.
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

/** conv2d's passes (params: ck_conv2d_params) and the transposed conv's (ck_conv_transpose2d_params). */
extern const ckt_conv_ops ckt_conv2d_ops;
extern const ckt_conv_ops ckt_conv_transpose2d_ops;

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
    int winograd;         /* forward and backward-data ran Winograd F(2x2, 3x3): the bound above */
} ckt_conv_case;

/**
 * Winograd's bound weights (above), on the reference: every tap of [o, c] is 4 * the sum of the
 * 9 |w[o, c]| of abs_w (O, C, 3, 3). NULL (reported) when out of memory.
 */
ckt_tensor *ckt_winograd_bound_weights(ckt_run *run, const ckt_tensor *abs_w);

/** Runs the three passes on both backends with inputs seeded by `seed` and compares them. */
void ckt_check_conv_case(ckt_run *run, const ckt_conv_case *c, uint64_t seed);

/**
 * Backward-weights alone (+ dbias with has_bias), with this `beta` (>= 0: the
 * bound counts beta * |previous dw|; 0: a poisoned dw), on both backends.
 */
void ckt_check_conv_backward_weights(ckt_run *run, const ckt_conv_case *c, float beta, uint64_t seed);

#endif
