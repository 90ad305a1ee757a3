/*
 * fixture_ops_pool.c — fixture cases of pool2d and global_pool2d (see
 * fixture_ops.h for the tolerances).
 *
 *  - max forward: exact, the output is one of the inputs (the first maximum;
 *    no arithmetic).
 *  - average forward: a sum of at most KH*KW taps (H*W for global pooling)
 *    and a division: 2 * (taps + 1) * u * sum|x| / divisor, sum|x| / divisor
 *    being the reference's average of |x| with the same parameters.
 *  - backward: dx sums dy over the windows that hold an element (max: where
 *    it is the window's first maximum), at most KH*KW of them (1 for global
 *    pooling), then divides (average): 2 * (KH*KW + 1) * u * bound, bound the
 *    reference's backward pass for x and |dy| (max routing depends on x only).
 */
#include "fixture_ops.h"

/** Pooling parameters from the attributes; pool_max 1 is max pooling (README), unlike ck_pool_mode's numbering. */
static ck_pool2d_params pool_params(const ckt_fixture *f, int *ok) {
    ck_pool2d_params p;
    p.mode = ckt_fx_attr(f, "pool_max", 0, ok) != 0.0 ? CK_POOL_MAX : CK_POOL_AVG;
    p.kernel_h = (int32_t)ckt_fx_attr(f, "kernel", 0, ok);
    p.kernel_w = (int32_t)ckt_fx_attr(f, "kernel", 1, ok);
    p.stride_h = (int32_t)ckt_fx_attr(f, "stride", 0, ok);
    p.stride_w = (int32_t)ckt_fx_attr(f, "stride", 1, ok);
    p.pad_top = (int32_t)ckt_fx_attr(f, "pad", 0, ok);
    p.pad_bottom = (int32_t)ckt_fx_attr(f, "pad", 1, ok);
    p.pad_left = (int32_t)ckt_fx_attr(f, "pad", 2, ok);
    p.pad_right = (int32_t)ckt_fx_attr(f, "pad", 3, ok);
    p.dilation_h = (int32_t)ckt_fx_attr(f, "dilation", 0, ok);
    p.dilation_w = (int32_t)ckt_fx_attr(f, "dilation", 1, ok);
    p.ceil_mode = (int32_t)ckt_fx_attr(f, "ceil_mode", 0, ok);
    p.count_include_pad = (int32_t)ckt_fx_attr(f, "count_include_pad", 0, ok);
    p.divisor_override = (int32_t)ckt_fx_attr(f, "divisor_override", 0, ok);
    return p;
}

static void run_pool2d(ckt_fixture *f) {
    ckt_run *run = f->run;
    int ok = 1;
    const ck_pool2d_params p = pool_params(f, &ok);
    const ckf_tensor *x = ckt_fx_tensor(f, "x", &ok), *y = ckt_fx_tensor(f, "y", &ok), *dy = ckt_fx_optional(f, "dy");
    if (!ok || !ckt_expect(run, x->ndim == 4, "x must be 4-D")) return;
    int64_t y_dims[4];
    if (!ckt_expect_ok(run, ck_pool2d_output_dims(run->ctx, &p, x->dims, y_dims), run->ctx, "output dims") ||
        !ckt_fx_same_dims(f, "output dims", 4, y_dims, y))
        return;
    const double taps = (double)p.kernel_h * (double)p.kernel_w;

    ckt_tensor *tx = ckt_fx_upload(f, run->ctx, x, 0, &ok), *ty = ckt_fx_output(f, run->ctx, 4, y_dims, &ok);
    ckt_tensor *rx = ckt_fx_upload(f, run->ref, x, 0, &ok), *ax = ckt_fx_upload(f, run->ref, x, 1, &ok);
    ckt_tensor *by = ckt_fx_output(f, run->ref, 4, y_dims, &ok);
    if (!ok) return;
    if (ckt_expect_ok(run, ck_pool2d_forward(run->ctx, &p, &tx->t, &ty->t), run->ctx, "forward")) {
        if (p.mode == CK_POOL_MAX)
            ckt_fx_expect_exact(f, ty, y);
        else if (ckt_expect_ok(run, ck_pool2d_forward(run->ref, &p, &ax->t, &by->t), run->ref, "forward bound"))
            ckt_fx_expect_bound(f, ty, y, by, 2.0 * (taps + 1.0));
    }
    if (!dy) return;

    const ckf_tensor *dx = ckt_fx_tensor(f, "dx", &ok);
    ckt_tensor *tdy = ckt_fx_upload(f, run->ctx, dy, 0, &ok), *ady = ckt_fx_upload(f, run->ref, dy, 1, &ok);
    ckt_tensor *tdx = ckt_fx_output(f, run->ctx, 4, x->dims, &ok), *bdx = ckt_fx_output(f, run->ref, 4, x->dims, &ok);
    if (ok && ckt_expect_ok(run, ck_pool2d_backward(run->ctx, &p, &tx->t, &tdy->t, 0.0f, &tdx->t), run->ctx, "backward") &&
        ckt_expect_ok(run, ck_pool2d_backward(run->ref, &p, &rx->t, &ady->t, 0.0f, &bdx->t), run->ref, "dx bound"))
        ckt_fx_expect_bound(f, tdx, dx, bdx, 2.0 * (taps + 1.0));
}

static void run_global_pool2d(ckt_fixture *f) {
    ckt_run *run = f->run;
    int ok = 1;
    const ck_pool_mode mode = ckt_fx_attr(f, "pool_max", 0, &ok) != 0.0 ? CK_POOL_MAX : CK_POOL_AVG;
    const ckf_tensor *x = ckt_fx_tensor(f, "x", &ok), *y = ckt_fx_tensor(f, "y", &ok), *dy = ckt_fx_optional(f, "dy");
    if (!ok || !ckt_expect(run, x->ndim == 4, "x must be 4-D")) return;
    const int64_t y_dims[4] = {x->dims[0], x->dims[1], 1, 1};
    if (!ckt_fx_same_dims(f, "output dims (N, C, 1, 1)", 4, y_dims, y)) return;
    const double taps = (double)x->dims[2] * (double)x->dims[3];

    ckt_tensor *tx = ckt_fx_upload(f, run->ctx, x, 0, &ok), *ty = ckt_fx_output(f, run->ctx, 4, y_dims, &ok);
    ckt_tensor *rx = ckt_fx_upload(f, run->ref, x, 0, &ok), *ax = ckt_fx_upload(f, run->ref, x, 1, &ok);
    ckt_tensor *by = ckt_fx_output(f, run->ref, 4, y_dims, &ok);
    if (!ok) return;
    if (ckt_expect_ok(run, ck_global_pool2d_forward(run->ctx, mode, &tx->t, &ty->t), run->ctx, "forward")) {
        if (mode == CK_POOL_MAX)
            ckt_fx_expect_exact(f, ty, y);
        else if (ckt_expect_ok(run, ck_global_pool2d_forward(run->ref, mode, &ax->t, &by->t), run->ref, "forward bound"))
            ckt_fx_expect_bound(f, ty, y, by, 2.0 * (taps + 1.0));
    }
    if (!dy) return;

    const ckf_tensor *dx = ckt_fx_tensor(f, "dx", &ok);
    ckt_tensor *tdy = ckt_fx_upload(f, run->ctx, dy, 0, &ok), *ady = ckt_fx_upload(f, run->ref, dy, 1, &ok);
    ckt_tensor *tdx = ckt_fx_output(f, run->ctx, 4, x->dims, &ok), *bdx = ckt_fx_output(f, run->ref, 4, x->dims, &ok);
    if (ok &&
        ckt_expect_ok(run, ck_global_pool2d_backward(run->ctx, mode, &tx->t, &tdy->t, 0.0f, &tdx->t), run->ctx,
                      "backward") &&
        ckt_expect_ok(run, ck_global_pool2d_backward(run->ref, mode, &rx->t, &ady->t, 0.0f, &bdx->t), run->ref,
                      "dx bound"))
        ckt_fx_expect_bound(f, tdx, dx, bdx, 2.0 * 2.0);
}

static const char *const pool2d_attrs[] = {"pool_max", "kernel",    "stride",            "pad",
                                           "dilation", "ceil_mode", "count_include_pad", "divisor_override",
                                           NULL};
static const char *const global_attrs[] = {"pool_max", NULL};
static const char *const pool_tensors[] = {"x", "y", "dy", "dx", NULL};

const ckt_fixture_op ckt_fixture_pool_ops[] = {
    {"pool2d", pool2d_attrs, pool_tensors, run_pool2d},
    {"global_pool2d", global_attrs, pool_tensors, run_global_pool2d},
    {NULL, NULL, NULL, NULL},
};
