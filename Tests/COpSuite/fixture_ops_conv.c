/*
 * fixture_ops_conv.c — fixture cases of conv2d, conv_transpose2d and linear
 * (see fixture_ops.h for the tolerance: 2 * (terms + 1) * u * sum|terms|).
 *
 * Terms per output element (x (N,C,H,W), y (N,O,OH,OW), g groups):
 *   conv2d:           y: C/g*KH*KW (+ bias)   dx: O/g*KH*KW   dw, dbias: N*OH*OW
 *   conv_transpose2d: y: C/g*KH*KW (+ bias)   dx: O/g*KH*KW   dw: N*H*W   dbias: N*OH*OW
 *   linear:           y: IN (+ bias)          dx: OUT         dw, dbias: N
 * (counts for dx and the transposed forward are the most any element sums).
 * sum|terms| is the same pass on the reference backend with |inputs|.
 */
#include "fixture_ops.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/** Two implementations, each within (terms + 1) * u * sum|terms| of the exact value. */
static double two_sided(double terms) { return 2.0 * (terms + 1.0); }

/** The three passes of a conv-like op behind a void pointer to its params (as in conv_check.h). */
typedef struct conv_passes {
    ck_status (*output_dims)(ck_context *ctx, const void *p, const int64_t x[4], const int64_t w[4], int64_t y[4]);
    ck_status (*forward)(ck_context *ctx, const void *p, const ck_tensor *x, const ck_tensor *w, const ck_tensor *b,
                         const ck_tensor *y);
    ck_status (*backward_data)(ck_context *ctx, const void *p, const ck_tensor *w, const ck_tensor *dy,
                               const ck_tensor *dx);
    ck_status (*backward_weights)(ck_context *ctx, const void *p, const ck_tensor *x, const ck_tensor *dy,
                                  const ck_tensor *dw, const ck_tensor *dbias);
} conv_passes;

static ck_status conv_dims(ck_context *ctx, const void *p, const int64_t x[4], const int64_t w[4], int64_t y[4]) {
    return ck_conv2d_output_dims(ctx, p, x, w, y);
}
static ck_status conv_forward(ck_context *ctx, const void *p, const ck_tensor *x, const ck_tensor *w,
                              const ck_tensor *b, const ck_tensor *y) {
    return ck_conv2d_forward(ctx, p, x, w, b, y);
}
static ck_status conv_data(ck_context *ctx, const void *p, const ck_tensor *w, const ck_tensor *dy,
                           const ck_tensor *dx) {
    return ck_conv2d_backward_data(ctx, p, w, dy, 0.0f, dx);
}
static ck_status conv_weights(ck_context *ctx, const void *p, const ck_tensor *x, const ck_tensor *dy,
                              const ck_tensor *dw, const ck_tensor *dbias) {
    return ck_conv2d_backward_weights(ctx, p, x, dy, 0.0f, dw, dbias);
}
static const conv_passes conv2d_passes = {conv_dims, conv_forward, conv_data, conv_weights};

static ck_status transpose_dims(ck_context *ctx, const void *p, const int64_t x[4], const int64_t w[4],
                                int64_t y[4]) {
    return ck_conv_transpose2d_output_dims(ctx, p, x, w, y);
}
static ck_status transpose_forward(ck_context *ctx, const void *p, const ck_tensor *x, const ck_tensor *w,
                                   const ck_tensor *b, const ck_tensor *y) {
    return ck_conv_transpose2d_forward(ctx, p, x, w, b, y);
}
static ck_status transpose_data(ck_context *ctx, const void *p, const ck_tensor *w, const ck_tensor *dy,
                                const ck_tensor *dx) {
    return ck_conv_transpose2d_backward_data(ctx, p, w, dy, 0.0f, dx);
}
static ck_status transpose_weights(ck_context *ctx, const void *p, const ck_tensor *x, const ck_tensor *dy,
                                   const ck_tensor *dw, const ck_tensor *dbias) {
    return ck_conv_transpose2d_backward_weights(ctx, p, x, dy, 0.0f, dw, dbias);
}
static const conv_passes transpose_passes = {transpose_dims, transpose_forward, transpose_data, transpose_weights};

static const ck_tensor *view(const ckt_tensor *t) { return t ? &t->t : NULL; }

/** Term counts of one conv-like case. */
typedef struct conv_terms {
    double forward, data, weights, bias;
} conv_terms;

/** Forward, then (with dy) both backward passes, each compared with the fixture. */
static void run_conv_like(ckt_fixture *f, const conv_passes *ops, const void *params, conv_terms terms, int ok) {
    ckt_run *run = f->run;
    const ckf_tensor *x = ckt_fx_tensor(f, "x", &ok), *w = ckt_fx_tensor(f, "w", &ok), *y = ckt_fx_tensor(f, "y", &ok);
    const ckf_tensor *bias = ckt_fx_optional(f, "bias"), *dy = ckt_fx_optional(f, "dy");
    if (!ok || !ckt_expect(run, x->ndim == 4 && w->ndim == 4, "x and w must be 4-D")) return;
    int64_t y_dims[4];
    if (!ckt_expect_ok(run, ops->output_dims(run->ctx, params, x->dims, w->dims, y_dims), run->ctx, "output dims") ||
        !ckt_fx_same_dims(f, "output dims", 4, y_dims, y))
        return;

    ckt_tensor *tx = ckt_fx_upload(f, run->ctx, x, 0, &ok), *tw = ckt_fx_upload(f, run->ctx, w, 0, &ok);
    ckt_tensor *tb = ckt_fx_upload(f, run->ctx, bias, 0, &ok), *ty = ckt_fx_output(f, run->ctx, 4, y_dims, &ok);
    ckt_tensor *ax = ckt_fx_upload(f, run->ref, x, 1, &ok), *aw = ckt_fx_upload(f, run->ref, w, 1, &ok);
    ckt_tensor *ab = ckt_fx_upload(f, run->ref, bias, 1, &ok), *by = ckt_fx_output(f, run->ref, 4, y_dims, &ok);
    if (!ok) return;
    if (ckt_expect_ok(run, ops->forward(run->ctx, params, &tx->t, &tw->t, view(tb), &ty->t), run->ctx, "forward") &&
        ckt_expect_ok(run, ops->forward(run->ref, params, &ax->t, &aw->t, view(ab), &by->t), run->ref, "forward bound"))
        ckt_fx_expect_bound(f, ty, y, by, two_sided(terms.forward + (bias ? 1.0 : 0.0)));
    if (!dy) return;

    const ckf_tensor *dx = ckt_fx_tensor(f, "dx", &ok), *dw = ckt_fx_tensor(f, "dw", &ok);
    const ckf_tensor *dbias = bias ? ckt_fx_tensor(f, "dbias", &ok) : NULL;
    ckt_tensor *tdy = ckt_fx_upload(f, run->ctx, dy, 0, &ok), *ady = ckt_fx_upload(f, run->ref, dy, 1, &ok);
    ckt_tensor *tdx = ckt_fx_output(f, run->ctx, 4, x->dims, &ok), *bdx = ckt_fx_output(f, run->ref, 4, x->dims, &ok);
    ckt_tensor *tdw = ckt_fx_output(f, run->ctx, 4, w->dims, &ok), *bdw = ckt_fx_output(f, run->ref, 4, w->dims, &ok);
    ckt_tensor *tdb = bias ? ckt_fx_output(f, run->ctx, 1, bias->dims, &ok) : NULL;
    ckt_tensor *bdb = bias ? ckt_fx_output(f, run->ref, 1, bias->dims, &ok) : NULL;
    if (!ok) return;
    if (ckt_expect_ok(run, ops->backward_data(run->ctx, params, &tw->t, &tdy->t, &tdx->t), run->ctx, "backward data") &&
        ckt_expect_ok(run, ops->backward_data(run->ref, params, &aw->t, &ady->t, &bdx->t), run->ref, "dx bound"))
        ckt_fx_expect_bound(f, tdx, dx, bdx, two_sided(terms.data));
    if (ckt_expect_ok(run, ops->backward_weights(run->ctx, params, &tx->t, &tdy->t, &tdw->t, view(tdb)), run->ctx,
                      "backward weights") &&
        ckt_expect_ok(run, ops->backward_weights(run->ref, params, &ax->t, &ady->t, &bdw->t, view(bdb)), run->ref,
                      "dw bound")) {
        ckt_fx_expect_bound(f, tdw, dw, bdw, two_sided(terms.weights));
        if (bias) ckt_fx_expect_bound(f, tdb, dbias, bdb, two_sided(terms.bias));
    }
}

/** Reads `stride`, `pad` (top bottom left right), `dilation` and `groups` into the common fields. */
static void window_attrs(const ckt_fixture *f, int32_t stride[2], int32_t pad[4], int32_t dilation[2],
                         int32_t *groups, int *ok) {
    for (int i = 0; i < 2; i++) {
        stride[i] = (int32_t)ckt_fx_attr(f, "stride", i, ok);
        dilation[i] = (int32_t)ckt_fx_attr(f, "dilation", i, ok);
    }
    for (int i = 0; i < 4; i++) pad[i] = (int32_t)ckt_fx_attr(f, "pad", i, ok);
    *groups = (int32_t)ckt_fx_attr(f, "groups", 0, ok);
}

static void run_conv2d(ckt_fixture *f) {
    int ok = 1;
    int32_t stride[2], pad[4], dilation[2], groups;
    window_attrs(f, stride, pad, dilation, &groups, &ok);
    ck_conv2d_params p = {stride[0], stride[1], pad[0], pad[1], pad[2], pad[3], dilation[0], dilation[1], groups};
    const ckf_tensor *x = ckf_tensor_named(f->c, "x"), *w = ckf_tensor_named(f->c, "w");
    const ckf_tensor *y = ckf_tensor_named(f->c, "y");
    conv_terms terms = {0, 0, 0, 0};
    if (x && w && y && x->ndim == 4 && w->ndim == 4 && y->ndim == 4 && groups > 0) {
        double taps = (double)w->dims[2] * (double)w->dims[3];
        terms.forward = (double)w->dims[1] * taps;
        terms.data = (double)(w->dims[0] / groups) * taps;
        terms.weights = terms.bias = (double)y->dims[0] * (double)y->dims[2] * (double)y->dims[3];
    }
    run_conv_like(f, &conv2d_passes, &p, terms, ok);
}

/*
 * conv2d_fused: y = f(conv2d(x, w) + bias) by ck_conv2d_forward_fused. Tolerance per element:
 * L * 2 * (terms + 1) * u * sum|terms| + 16 * u * |y|. The conv part is conv2d's bound, carried
 * through f by its Lipschitz constant L (1 for ReLU and tanh, max(1, |alpha|) for LeakyReLU, 1/4
 * for sigmoid); the second term is f's own evaluation on both sides: sigmoid and tanh are within
 * a few ulps of the result on each (OpenCL's exp allows 3 ulp and tanh 5; 1 + e and the division
 * add one rounding each), the rectifiers add at most one rounding (alpha * v).
 */
static void run_conv2d_fused(ckt_fixture *f) {
    ckt_run *run = f->run;
    int ok = 1;
    int32_t stride[2], pad[4], dilation[2], groups;
    window_attrs(f, stride, pad, dilation, &groups, &ok);
    const ck_conv2d_params p = {stride[0],   stride[1],   pad[0], pad[1], pad[2], pad[3],
                                dilation[0], dilation[1], groups};
    const ck_conv2d_epilogue epilogue = {1, (ck_activation)ckt_fx_attr(f, "activation", 0, &ok),
                                         (float)ckt_fx_attr(f, "alpha", 0, &ok)};
    const ckf_tensor *x = ckt_fx_tensor(f, "x", &ok), *w = ckt_fx_tensor(f, "w", &ok), *y = ckt_fx_tensor(f, "y", &ok);
    const ckf_tensor *bias = ckt_fx_optional(f, "bias");
    if (!ok || !ckt_expect(run, x->ndim == 4 && w->ndim == 4 && groups > 0, "x and w must be 4-D")) return;
    int64_t y_dims[4];
    if (!ckt_expect_ok(run, ck_conv2d_output_dims(run->ctx, &p, x->dims, w->dims, y_dims), run->ctx, "output dims") ||
        !ckt_fx_same_dims(f, "output dims", 4, y_dims, y))
        return;
    ckt_tensor *tx = ckt_fx_upload(f, run->ctx, x, 0, &ok), *tw = ckt_fx_upload(f, run->ctx, w, 0, &ok);
    ckt_tensor *tb = ckt_fx_upload(f, run->ctx, bias, 0, &ok), *ty = ckt_fx_output(f, run->ctx, 4, y_dims, &ok);
    ckt_tensor *ax = ckt_fx_upload(f, run->ref, x, 1, &ok), *aw = ckt_fx_upload(f, run->ref, w, 1, &ok);
    ckt_tensor *ab = ckt_fx_upload(f, run->ref, bias, 1, &ok), *by = ckt_fx_output(f, run->ref, 4, y_dims, &ok);
    if (!ok ||
        !ckt_expect_ok(run, ck_conv2d_forward_fused(run->ctx, &p, &tx->t, &tw->t, view(tb), &epilogue, &ty->t),
                       run->ctx, "fused forward") ||
        !ckt_expect_ok(run, ck_conv2d_forward(run->ref, &p, &ax->t, &aw->t, view(ab), &by->t), run->ref,
                       "forward bound"))
        return;
    const double lipschitz = epilogue.activation == CK_ACT_SIGMOID      ? 0.25
                             : epilogue.activation == CK_ACT_LEAKY_RELU ? fmax(1.0, fabs(epilogue.alpha))
                                                                         : 1.0;
    const double terms = (double)w->dims[1] * (double)w->dims[2] * (double)w->dims[3] + (bias ? 1.0 : 0.0);
    double *bound = ckt_read_new(run, by), *want = ckt_fx_float32(run, y);
    if (bound && want) {
        for (size_t i = 0; i < by->count; i++)
            bound[i] = lipschitz * two_sided(terms) * CKT_F32_UNIT * bound[i] + 16.0 * CKT_F32_UNIT * fabs(want[i]);
        ckt_fx_expect_tol(f, ty, y, bound);
    }
    free(bound);
    free(want);
}

static void run_conv_transpose2d(ckt_fixture *f) {
    int ok = 1;
    int32_t stride[2], pad[4], dilation[2], groups, output_padding[2];
    window_attrs(f, stride, pad, dilation, &groups, &ok);
    for (int i = 0; i < 2; i++) output_padding[i] = (int32_t)ckt_fx_attr(f, "output_padding", i, &ok);
    ck_conv_transpose2d_params p = {stride[0],   stride[1],   pad[0],           pad[1],           pad[2], pad[3],
                                    dilation[0], dilation[1], output_padding[0], output_padding[1], groups};
    const ckf_tensor *x = ckf_tensor_named(f->c, "x"), *w = ckf_tensor_named(f->c, "w");
    const ckf_tensor *y = ckf_tensor_named(f->c, "y");
    conv_terms terms = {0, 0, 0, 0};
    if (x && w && y && x->ndim == 4 && w->ndim == 4 && y->ndim == 4 && groups > 0) {
        double taps = (double)w->dims[2] * (double)w->dims[3];
        terms.forward = (double)(w->dims[0] / groups) * taps;
        terms.data = (double)w->dims[1] * taps;
        terms.weights = (double)x->dims[0] * (double)x->dims[2] * (double)x->dims[3];
        terms.bias = (double)y->dims[0] * (double)y->dims[2] * (double)y->dims[3];
    }
    run_conv_like(f, &transpose_passes, &p, terms, ok);
}

/* ------------------------------------------------------------------------ */
/* linear: y = x . w^T + bias by ck_gemm and ck_bias_add                      */
/* ------------------------------------------------------------------------ */

/** y = x . w^T (+ bias) on ctx. */
static ck_status linear_forward(ck_context *ctx, const ckt_tensor *x, const ckt_tensor *w, const ckt_tensor *b,
                                const ckt_tensor *y) {
    ck_status status = ck_gemm(ctx, 0, 1, 1.0f, &x->t, &w->t, 0.0f, &y->t);
    if (status == CK_OK && b) status = ck_bias_add(ctx, &y->t, &b->t, &y->t);
    return status;
}

/** dx = dy . w, dw = dy^T . x, dbias = sum of dy over the batch, on ctx. */
static ck_status linear_backward(ck_context *ctx, const ckt_tensor *x, const ckt_tensor *w, const ckt_tensor *dy,
                                 const ckt_tensor *dx, const ckt_tensor *dw, const ckt_tensor *db) {
    ck_status status = ck_gemm(ctx, 0, 0, 1.0f, &dy->t, &w->t, 0.0f, &dx->t);
    if (status == CK_OK) status = ck_gemm(ctx, 1, 0, 1.0f, &dy->t, &x->t, 0.0f, &dw->t);
    if (status == CK_OK && db) status = ck_bias_backward(ctx, &dy->t, 0.0f, &db->t);
    return status;
}

static void run_linear(ckt_fixture *f) {
    ckt_run *run = f->run;
    int ok = 1;
    const ckf_tensor *x = ckt_fx_tensor(f, "x", &ok), *w = ckt_fx_tensor(f, "w", &ok), *y = ckt_fx_tensor(f, "y", &ok);
    const ckf_tensor *bias = ckt_fx_optional(f, "bias"), *dy = ckt_fx_optional(f, "dy");
    if (!ok || !ckt_expect(run, x->ndim == 2 && w->ndim == 2, "x and w must be 2-D")) return;
    const int64_t y_dims[2] = {x->dims[0], w->dims[0]};
    if (!ckt_fx_same_dims(f, "linear output dims (N, OUT)", 2, y_dims, y)) return;
    ckt_tensor *tx = ckt_fx_upload(f, run->ctx, x, 0, &ok), *tw = ckt_fx_upload(f, run->ctx, w, 0, &ok);
    ckt_tensor *tb = ckt_fx_upload(f, run->ctx, bias, 0, &ok), *ty = ckt_fx_output(f, run->ctx, 2, y_dims, &ok);
    ckt_tensor *ax = ckt_fx_upload(f, run->ref, x, 1, &ok), *aw = ckt_fx_upload(f, run->ref, w, 1, &ok);
    ckt_tensor *ab = ckt_fx_upload(f, run->ref, bias, 1, &ok), *by = ckt_fx_output(f, run->ref, 2, y_dims, &ok);
    if (!ok) return;
    const double in = (double)x->dims[1], out = (double)w->dims[0], n = (double)x->dims[0];
    if (ckt_expect_ok(run, linear_forward(run->ctx, tx, tw, tb, ty), run->ctx, "forward") &&
        ckt_expect_ok(run, linear_forward(run->ref, ax, aw, ab, by), run->ref, "forward bound"))
        ckt_fx_expect_bound(f, ty, y, by, two_sided(in + (bias ? 1.0 : 0.0)));
    if (!dy) return;

    const ckf_tensor *dx = ckt_fx_tensor(f, "dx", &ok), *dw = ckt_fx_tensor(f, "dw", &ok);
    const ckf_tensor *dbias = bias ? ckt_fx_tensor(f, "dbias", &ok) : NULL;
    ckt_tensor *tdy = ckt_fx_upload(f, run->ctx, dy, 0, &ok), *ady = ckt_fx_upload(f, run->ref, dy, 1, &ok);
    ckt_tensor *tdx = ckt_fx_output(f, run->ctx, 2, x->dims, &ok), *bdx = ckt_fx_output(f, run->ref, 2, x->dims, &ok);
    ckt_tensor *tdw = ckt_fx_output(f, run->ctx, 2, w->dims, &ok), *bdw = ckt_fx_output(f, run->ref, 2, w->dims, &ok);
    ckt_tensor *tdb = bias ? ckt_fx_output(f, run->ctx, 1, bias->dims, &ok) : NULL;
    ckt_tensor *bdb = bias ? ckt_fx_output(f, run->ref, 1, bias->dims, &ok) : NULL;
    if (!ok) return;
    if (ckt_expect_ok(run, linear_backward(run->ctx, tx, tw, tdy, tdx, tdw, tdb), run->ctx, "backward") &&
        ckt_expect_ok(run, linear_backward(run->ref, ax, aw, ady, bdx, bdw, bdb), run->ref, "backward bound")) {
        ckt_fx_expect_bound(f, tdx, dx, bdx, two_sided(out));
        ckt_fx_expect_bound(f, tdw, dw, bdw, two_sided(n));
        if (bias) ckt_fx_expect_bound(f, tdb, dbias, bdb, two_sided(n));
    }
}

static const char *const conv2d_attrs[] = {"stride", "pad", "dilation", "groups", NULL};
static const char *const fused_attrs[] = {"stride", "pad", "dilation", "groups", "activation", "alpha", NULL};
static const char *const transpose_attrs[] = {"stride", "pad", "dilation", "output_padding", "groups", NULL};
static const char *const no_attrs[] = {NULL};
static const char *const conv_tensors[] = {"x", "w", "bias", "y", "dy", "dx", "dw", "dbias", NULL};

const ckt_fixture_op ckt_fixture_conv_ops[] = {
    {"conv2d", conv2d_attrs, conv_tensors, run_conv2d},
    {"conv2d_fused", fused_attrs, conv_tensors, run_conv2d_fused},
    {"conv_transpose2d", transpose_attrs, conv_tensors, run_conv_transpose2d},
    {"linear", no_attrs, conv_tensors, run_linear},
    {NULL, NULL, NULL, NULL},
};
