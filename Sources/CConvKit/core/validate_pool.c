/* validate_pool.c — parameter and shape checks of pooling and global pooling. */
#include "core/validate.h"

/*
 * Padding may be up to (but not including) the dilated kernel extent on each
 * side, so every window still reaches the input: PyTorch allows at most half
 * the kernel, ONNX more, and this rule accepts both.
 */
static ck_status check_pad(ck_context *ctx, const char *op, const char *what, int32_t pad, int64_t extent) {
    if (pad < 0 || pad >= extent)
        return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT,
                            "%s: %s is %d; it must be >= 0 and smaller than the dilated kernel extent %lld", op, what,
                            (int)pad, (long long)extent);
    return CK_OK;
}

static ck_status pool_output_dims(ck_context *ctx, const char *op, const ck_pool2d_params *p, const int64_t x[4],
                                  int64_t y[4]) {
    if (!p) return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT, "%s: params is NULL", op);
    if (p->mode != CK_POOL_MAX && p->mode != CK_POOL_AVG)
        return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT, "%s: unknown pooling mode %d", op, (int)p->mode);
    CK_TRY(ck_check_extent(ctx, op, "kernel_h", p->kernel_h, 1));
    CK_TRY(ck_check_extent(ctx, op, "kernel_w", p->kernel_w, 1));
    CK_TRY(ck_check_extent(ctx, op, "stride_h", p->stride_h, 1));
    CK_TRY(ck_check_extent(ctx, op, "stride_w", p->stride_w, 1));
    CK_TRY(ck_check_extent(ctx, op, "dilation_h", p->dilation_h, 1));
    CK_TRY(ck_check_extent(ctx, op, "dilation_w", p->dilation_w, 1));
    CK_TRY(ck_check_extent(ctx, op, "divisor_override", p->divisor_override, 0));
    if (p->mode == CK_POOL_MAX && p->divisor_override != 0)
        return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT, "%s: divisor_override applies to average pooling only", op);
    int64_t extent_h = (int64_t)p->dilation_h * (p->kernel_h - 1) + 1;
    int64_t extent_w = (int64_t)p->dilation_w * (p->kernel_w - 1) + 1;
    CK_TRY(check_pad(ctx, op, "pad_top", p->pad_top, extent_h));
    CK_TRY(check_pad(ctx, op, "pad_bottom", p->pad_bottom, extent_h));
    CK_TRY(check_pad(ctx, op, "pad_left", p->pad_left, extent_w));
    CK_TRY(check_pad(ctx, op, "pad_right", p->pad_right, extent_w));
    CK_TRY(ck_check_extent(ctx, op, "input height", x[2], 1));
    CK_TRY(ck_check_extent(ctx, op, "input width", x[3], 1));
    int64_t oh = ck_pool_output_size(x[2], p->kernel_h, p->stride_h, p->pad_top, p->pad_bottom, p->dilation_h, p->ceil_mode);
    int64_t ow = ck_pool_output_size(x[3], p->kernel_w, p->stride_w, p->pad_left, p->pad_right, p->dilation_w, p->ceil_mode);
    if (oh < 1 || ow < 1)
        return ck_set_error(ctx, CK_ERR_SHAPE_MISMATCH,
                            "%s: the output would be empty: input %lldx%lld with padding (%d, %d, %d, %d) is smaller than "
                            "the dilated window %lldx%lld",
                            op, (long long)x[2], (long long)x[3], p->pad_top, p->pad_bottom, p->pad_left, p->pad_right,
                            (long long)extent_h, (long long)extent_w);
    y[0] = x[0]; y[1] = x[1]; y[2] = oh; y[3] = ow;
    return CK_OK;
}

ck_status ck_pool2d_output_dims(ck_context *ctx, const ck_pool2d_params *params, const int64_t x_dims[4],
                                int64_t y_dims[4]) {
    if (!x_dims || !y_dims) return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT, "ck_pool2d_output_dims: a dims pointer is NULL");
    for (int i = 0; i < 4; i++)
        if (x_dims[i] < 1)
            return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT, "ck_pool2d_output_dims: input dim %d is %lld; sizes must be >= 1",
                                i, (long long)x_dims[i]);
    return pool_output_dims(ctx, "ck_pool2d_output_dims", params, x_dims, y_dims);
}

ck_status ck_validate_pool2d_forward(ck_context *ctx, const ck_pool2d_forward_args *a) {
    const char *op = "pool2d_forward";
    CK_TRY(ck_check_tensor(ctx, op, "x", a->x, 4, CK_ROLE_FLOAT));
    CK_TRY(ck_check_tensor(ctx, op, "y", a->y, 4, CK_ROLE_FLOAT));
    const ck_tensor *all[] = {a->x, a->y};
    const char *names[] = {"x", "y"};
    CK_TRY(ck_check_same_dtype(ctx, op, all, names, 2));
    int64_t y[4];
    CK_TRY(pool_output_dims(ctx, op, a->params, a->x->dims, y));
    CK_TRY(ck_check_dims(ctx, op, "y", a->y, 4, y, "(N, C, OH, OW)"));
    return ck_check_no_overlap(ctx, op, "y", a->y, "x", a->x, 0);
}

ck_status ck_validate_pool2d_backward(ck_context *ctx, const ck_pool2d_backward_args *a) {
    const char *op = "pool2d_backward";
    CK_TRY(ck_check_finite(ctx, op, "beta", a->beta));
    CK_TRY(ck_check_tensor(ctx, op, "x", a->x, 4, CK_ROLE_FLOAT));
    CK_TRY(ck_check_tensor(ctx, op, "dy", a->dy, 4, CK_ROLE_FLOAT));
    CK_TRY(ck_check_tensor(ctx, op, "dx", a->dx, 4, CK_ROLE_FLOAT));
    const ck_tensor *all[] = {a->x, a->dy, a->dx};
    const char *names[] = {"x", "dy", "dx"};
    CK_TRY(ck_check_same_dtype(ctx, op, all, names, 3));
    int64_t y[4];
    CK_TRY(pool_output_dims(ctx, op, a->params, a->x->dims, y));
    CK_TRY(ck_check_dims(ctx, op, "dy", a->dy, 4, y, "(N, C, OH, OW)"));
    CK_TRY(ck_check_same_dims(ctx, op, "x", a->x, "dx", a->dx));
    CK_TRY(ck_check_no_overlap(ctx, op, "dx", a->dx, "x", a->x, 0));
    return ck_check_no_overlap(ctx, op, "dx", a->dx, "dy", a->dy, 0);
}

static ck_status check_global_mode(ck_context *ctx, const char *op, ck_pool_mode mode) {
    if (mode != CK_POOL_MAX && mode != CK_POOL_AVG)
        return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT, "%s: unknown pooling mode %d", op, (int)mode);
    return CK_OK;
}

ck_status ck_validate_global_pool2d_forward(ck_context *ctx, const ck_global_pool2d_forward_args *a) {
    const char *op = "global_pool2d_forward";
    CK_TRY(check_global_mode(ctx, op, a->mode));
    CK_TRY(ck_check_tensor(ctx, op, "x", a->x, 4, CK_ROLE_FLOAT));
    CK_TRY(ck_check_tensor(ctx, op, "y", a->y, 4, CK_ROLE_FLOAT));
    const ck_tensor *all[] = {a->x, a->y};
    const char *names[] = {"x", "y"};
    CK_TRY(ck_check_same_dtype(ctx, op, all, names, 2));
    const int64_t y[4] = {a->x->dims[0], a->x->dims[1], 1, 1};
    CK_TRY(ck_check_dims(ctx, op, "y", a->y, 4, y, "(N, C, 1, 1)"));
    return ck_check_no_overlap(ctx, op, "y", a->y, "x", a->x, 0);
}

ck_status ck_validate_global_pool2d_backward(ck_context *ctx, const ck_global_pool2d_backward_args *a) {
    const char *op = "global_pool2d_backward";
    CK_TRY(ck_check_finite(ctx, op, "beta", a->beta));
    CK_TRY(check_global_mode(ctx, op, a->mode));
    CK_TRY(ck_check_tensor(ctx, op, "x", a->x, 4, CK_ROLE_FLOAT));
    CK_TRY(ck_check_tensor(ctx, op, "dy", a->dy, 4, CK_ROLE_FLOAT));
    CK_TRY(ck_check_tensor(ctx, op, "dx", a->dx, 4, CK_ROLE_FLOAT));
    const ck_tensor *all[] = {a->x, a->dy, a->dx};
    const char *names[] = {"x", "dy", "dx"};
    CK_TRY(ck_check_same_dtype(ctx, op, all, names, 3));
    const int64_t y[4] = {a->x->dims[0], a->x->dims[1], 1, 1};
    CK_TRY(ck_check_dims(ctx, op, "dy", a->dy, 4, y, "(N, C, 1, 1)"));
    CK_TRY(ck_check_same_dims(ctx, op, "x", a->x, "dx", a->dx));
    CK_TRY(ck_check_no_overlap(ctx, op, "dx", a->dx, "x", a->x, 0));
    return ck_check_no_overlap(ctx, op, "dx", a->dx, "dy", a->dy, 0);
}
