/* validate_conv.c — parameter and shape checks of conv2d and transposed conv2d. */
#include "core/validate.h"

static ck_status check_conv_params(ck_context *ctx, const char *op, const ck_conv2d_params *p) {
    if (!p) return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT, "%s: params is NULL", op);
    CK_TRY(ck_check_extent(ctx, op, "stride_h", p->stride_h, 1));
    CK_TRY(ck_check_extent(ctx, op, "stride_w", p->stride_w, 1));
    CK_TRY(ck_check_extent(ctx, op, "dilation_h", p->dilation_h, 1));
    CK_TRY(ck_check_extent(ctx, op, "dilation_w", p->dilation_w, 1));
    CK_TRY(ck_check_extent(ctx, op, "pad_top", p->pad_top, 0));
    CK_TRY(ck_check_extent(ctx, op, "pad_bottom", p->pad_bottom, 0));
    CK_TRY(ck_check_extent(ctx, op, "pad_left", p->pad_left, 0));
    CK_TRY(ck_check_extent(ctx, op, "pad_right", p->pad_right, 0));
    CK_TRY(ck_check_extent(ctx, op, "groups", p->groups, 1));
    return CK_OK;
}

/* y (N, O, OH, OW) of conv2d for x (N, C, H, W) and w (O, C/groups, KH, KW). */
static ck_status conv_output_dims(ck_context *ctx, const char *op, const ck_conv2d_params *p, const int64_t x[4],
                                  const int64_t w[4], int64_t y[4]) {
    CK_TRY(check_conv_params(ctx, op, p));
    for (int i = 0; i < 4; i++) {
        if (x[i] < 1 || w[i] < 1)
            return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT, "%s: sizes must be >= 1 (input dim %d = %lld, weight dim %d = %lld)",
                                op, i, (long long)x[i], i, (long long)w[i]);
    }
    int64_t g = p->groups;
    if (x[1] % g != 0)
        return ck_set_error(ctx, CK_ERR_SHAPE_MISMATCH, "%s: input has %lld channels, not divisible by groups = %lld", op,
                            (long long)x[1], (long long)g);
    if (w[0] % g != 0)
        return ck_set_error(ctx, CK_ERR_SHAPE_MISMATCH, "%s: weight has %lld output channels, not divisible by groups = %lld",
                            op, (long long)w[0], (long long)g);
    if (w[1] != x[1] / g) {
        int64_t expects;
        if (__builtin_mul_overflow(w[1], g, &expects))
            return ck_set_error(ctx, CK_ERR_OVERFLOW, "%s: weight dim 1 = %lld per group × %lld groups overflows int64", op,
                                (long long)w[1], (long long)g);
        return ck_set_error(ctx, CK_ERR_SHAPE_MISMATCH,
                            "%s: input has %lld channels but weight expects %lld (weight dim 1 = %lld per group × %lld groups)",
                            op, (long long)x[1], (long long)expects, (long long)w[1], (long long)g);
    }
    CK_TRY(ck_check_extent(ctx, op, "kernel height", w[2], 1));
    CK_TRY(ck_check_extent(ctx, op, "kernel width", w[3], 1));
    CK_TRY(ck_check_extent(ctx, op, "input height", x[2], 1));
    CK_TRY(ck_check_extent(ctx, op, "input width", x[3], 1));
    int64_t oh = ck_conv_output_size(x[2], w[2], p->stride_h, p->pad_top, p->pad_bottom, p->dilation_h);
    int64_t ow = ck_conv_output_size(x[3], w[3], p->stride_w, p->pad_left, p->pad_right, p->dilation_w);
    if (oh < 1 || ow < 1)
        return ck_set_error(ctx, CK_ERR_SHAPE_MISMATCH,
                            "%s: the output would be empty: input %lldx%lld with padding (%d, %d, %d, %d) is smaller than "
                            "the dilated kernel %lldx%lld",
                            op, (long long)x[2], (long long)x[3], p->pad_top, p->pad_bottom, p->pad_left, p->pad_right,
                            (long long)(p->dilation_h * (w[2] - 1) + 1), (long long)(p->dilation_w * (w[3] - 1) + 1));
    y[0] = x[0]; y[1] = w[0]; y[2] = oh; y[3] = ow;
    return CK_OK;
}

ck_status ck_conv2d_output_dims(ck_context *ctx, const ck_conv2d_params *params, const int64_t x_dims[4],
                                const int64_t w_dims[4], int64_t y_dims[4]) {
    if (!x_dims || !w_dims || !y_dims)
        return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT, "ck_conv2d_output_dims: a dims pointer is NULL");
    return conv_output_dims(ctx, "ck_conv2d_output_dims", params, x_dims, w_dims, y_dims);
}

/* ---- transposed conv ---- */

static ck_status check_transpose_params(ck_context *ctx, const char *op, const ck_conv_transpose2d_params *p) {
    if (!p) return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT, "%s: params is NULL", op);
    ck_conv2d_params c = {p->stride_h, p->stride_w, p->pad_top, p->pad_bottom, p->pad_left, p->pad_right,
                          p->dilation_h, p->dilation_w, p->groups};
    CK_TRY(check_conv_params(ctx, op, &c));
    int32_t limit_h = p->stride_h > p->dilation_h ? p->stride_h : p->dilation_h;
    int32_t limit_w = p->stride_w > p->dilation_w ? p->stride_w : p->dilation_w;
    if (p->output_padding_h < 0 || p->output_padding_h >= limit_h || p->output_padding_w < 0 ||
        p->output_padding_w >= limit_w)
        return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT,
                            "%s: output_padding (%d, %d) must be >= 0 and smaller than max(stride, dilation) = (%d, %d)",
                            op, p->output_padding_h, p->output_padding_w, limit_h, limit_w);
    return CK_OK;
}

/* y (N, O, OH, OW) of a transposed conv for x (N, C, H, W) and w (C, O/groups, KH, KW). */
static ck_status transpose_output_dims(ck_context *ctx, const char *op, const ck_conv_transpose2d_params *p,
                                       const int64_t x[4], const int64_t w[4], int64_t y[4]) {
    CK_TRY(check_transpose_params(ctx, op, p));
    for (int i = 0; i < 4; i++) {
        if (x[i] < 1 || w[i] < 1)
            return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT, "%s: sizes must be >= 1 (input dim %d = %lld, weight dim %d = %lld)",
                                op, i, (long long)x[i], i, (long long)w[i]);
    }
    int64_t g = p->groups;
    if (w[0] != x[1])
        return ck_set_error(ctx, CK_ERR_SHAPE_MISMATCH,
                            "%s: input has %lld channels but the IOHW weight has %lld input channels (dim 0)", op,
                            (long long)x[1], (long long)w[0]);
    if (x[1] % g != 0)
        return ck_set_error(ctx, CK_ERR_SHAPE_MISMATCH, "%s: input has %lld channels, not divisible by groups = %lld", op,
                            (long long)x[1], (long long)g);
    int64_t out_channels;
    if (__builtin_mul_overflow(w[1], g, &out_channels))
        return ck_set_error(ctx, CK_ERR_OVERFLOW, "%s: output channels = weight dim 1 = %lld per group × %lld groups overflow int64",
                            op, (long long)w[1], (long long)g);
    CK_TRY(ck_check_extent(ctx, op, "kernel height", w[2], 1));
    CK_TRY(ck_check_extent(ctx, op, "kernel width", w[3], 1));
    CK_TRY(ck_check_extent(ctx, op, "input height", x[2], 1));
    CK_TRY(ck_check_extent(ctx, op, "input width", x[3], 1));
    int64_t oh = ck_conv_transpose_output_size(x[2], w[2], p->stride_h, p->pad_top, p->pad_bottom, p->dilation_h,
                                               p->output_padding_h);
    int64_t ow = ck_conv_transpose_output_size(x[3], w[3], p->stride_w, p->pad_left, p->pad_right, p->dilation_w,
                                               p->output_padding_w);
    if (oh < 1 || ow < 1)
        return ck_set_error(ctx, CK_ERR_SHAPE_MISMATCH,
                            "%s: the output would be empty: padding (%d, %d, %d, %d) removes more than the %lldx%lld "
                            "the transposed conv produces",
                            op, p->pad_top, p->pad_bottom, p->pad_left, p->pad_right,
                            (long long)((x[2] - 1) * p->stride_h + p->dilation_h * (w[2] - 1) + 1),
                            (long long)((x[3] - 1) * p->stride_w + p->dilation_w * (w[3] - 1) + 1));
    y[0] = x[0]; y[1] = out_channels; y[2] = oh; y[3] = ow;
    return CK_OK;
}

ck_status ck_conv_transpose2d_output_dims(ck_context *ctx, const ck_conv_transpose2d_params *params,
                                          const int64_t x_dims[4], const int64_t w_dims[4], int64_t y_dims[4]) {
    if (!x_dims || !w_dims || !y_dims)
        return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT, "ck_conv_transpose2d_output_dims: a dims pointer is NULL");
    return transpose_output_dims(ctx, "ck_conv_transpose2d_output_dims", params, x_dims, w_dims, y_dims);
}

/* ---- the three passes, shared by conv2d and transposed conv ---- */

/** Output dims (N, O, OH, OW) of a conv-like op from x (N, C, H, W), its weight and its params. */
typedef ck_status (*conv_dims_fn)(ck_context *ctx, const char *op, const void *params, const int64_t x[4],
                                  const int64_t w[4], int64_t y[4]);

static ck_status conv_dims(ck_context *ctx, const char *op, const void *params, const int64_t x[4],
                           const int64_t w[4], int64_t y[4]) {
    return conv_output_dims(ctx, op, params, x, w, y);
}

static ck_status transpose_dims(ck_context *ctx, const char *op, const void *params, const int64_t x[4],
                                const int64_t w[4], int64_t y[4]) {
    return transpose_output_dims(ctx, op, params, x, w, y);
}

static const char *const Y_LAYOUT = "(N, O, OH, OW)";

/* x (N, C, H, W), w, optional bias (O) -> y (N, O, OH, OW), y apart from the inputs. */
static ck_status validate_forward(ck_context *ctx, const char *op, conv_dims_fn dims, const void *params,
                                  const ck_tensor *x, const ck_tensor *w, const ck_tensor *bias, const ck_tensor *y) {
    CK_TRY(ck_check_tensor(ctx, op, "x", x, 4, CK_ROLE_FLOAT));
    CK_TRY(ck_check_tensor(ctx, op, "w", w, 4, CK_ROLE_FLOAT));
    CK_TRY(ck_check_optional_tensor(ctx, op, "bias", bias, 1, CK_ROLE_FLOAT));
    CK_TRY(ck_check_tensor(ctx, op, "y", y, 4, CK_ROLE_FLOAT));
    const ck_tensor *all[] = {x, w, bias, y};
    const char *names[] = {"x", "w", "bias", "y"};
    CK_TRY(ck_check_same_dtype(ctx, op, all, names, 4));
    int64_t y_dims[4];
    CK_TRY(dims(ctx, op, params, x->dims, w->dims, y_dims));
    if (bias) CK_TRY(ck_check_dims(ctx, op, "bias", bias, 1, &y_dims[1], "(O)"));
    CK_TRY(ck_check_dims(ctx, op, "y", y, 4, y_dims, Y_LAYOUT));
    for (int i = 0; i < 3; i++) CK_TRY(ck_check_no_overlap(ctx, op, "y", y, names[i], all[i], 0));
    return CK_OK;
}

/* w, dy (N, O, OH, OW) -> dx (N, C, H, W), accumulated with a finite beta, dx apart from the inputs. */
static ck_status validate_backward_data(ck_context *ctx, const char *op, conv_dims_fn dims, const void *params,
                                        float beta, const ck_tensor *w, const ck_tensor *dy, const ck_tensor *dx) {
    CK_TRY(ck_check_finite(ctx, op, "beta", beta));
    CK_TRY(ck_check_tensor(ctx, op, "w", w, 4, CK_ROLE_FLOAT));
    CK_TRY(ck_check_tensor(ctx, op, "dy", dy, 4, CK_ROLE_FLOAT));
    CK_TRY(ck_check_tensor(ctx, op, "dx", dx, 4, CK_ROLE_FLOAT));
    const ck_tensor *all[] = {w, dy, dx};
    const char *names[] = {"w", "dy", "dx"};
    CK_TRY(ck_check_same_dtype(ctx, op, all, names, 3));
    int64_t y_dims[4];
    CK_TRY(dims(ctx, op, params, dx->dims, w->dims, y_dims));
    CK_TRY(ck_check_dims(ctx, op, "dy", dy, 4, y_dims, Y_LAYOUT));
    for (int i = 0; i < 2; i++) CK_TRY(ck_check_no_overlap(ctx, op, "dx", dx, names[i], all[i], 0));
    return CK_OK;
}

/* x (N, C, H, W), dy (N, O, OH, OW) -> dw and optional dbias (O), apart from the inputs and each other. */
static ck_status validate_backward_weights(ck_context *ctx, const char *op, conv_dims_fn dims, const void *params,
                                           float beta, const ck_tensor *x, const ck_tensor *dy, const ck_tensor *dw,
                                           const ck_tensor *dbias) {
    CK_TRY(ck_check_finite(ctx, op, "beta", beta));
    CK_TRY(ck_check_tensor(ctx, op, "x", x, 4, CK_ROLE_FLOAT));
    CK_TRY(ck_check_tensor(ctx, op, "dy", dy, 4, CK_ROLE_FLOAT));
    CK_TRY(ck_check_tensor(ctx, op, "dw", dw, 4, CK_ROLE_FLOAT));
    CK_TRY(ck_check_optional_tensor(ctx, op, "dbias", dbias, 1, CK_ROLE_FLOAT));
    const ck_tensor *all[] = {x, dy, dw, dbias};
    const char *names[] = {"x", "dy", "dw", "dbias"};
    CK_TRY(ck_check_same_dtype(ctx, op, all, names, 4));
    int64_t y_dims[4];
    CK_TRY(dims(ctx, op, params, x->dims, dw->dims, y_dims));
    CK_TRY(ck_check_dims(ctx, op, "dy", dy, 4, y_dims, Y_LAYOUT));
    if (dbias) CK_TRY(ck_check_dims(ctx, op, "dbias", dbias, 1, &y_dims[1], "(O)"));
    for (int i = 0; i < 2; i++) {
        CK_TRY(ck_check_no_overlap(ctx, op, "dw", dw, names[i], all[i], 0));
        CK_TRY(ck_check_no_overlap(ctx, op, "dbias", dbias, names[i], all[i], 0));
    }
    CK_TRY(ck_check_no_overlap(ctx, op, "dbias", dbias, "dw", dw, 0));
    return CK_OK;
}

ck_status ck_validate_conv2d_forward(ck_context *ctx, const ck_conv2d_forward_args *a) {
    if (a->epilogue.has_activation)
        CK_TRY(ck_check_activation(ctx, "conv2d_forward", a->epilogue.activation, a->epilogue.alpha));
    return validate_forward(ctx, "conv2d_forward", conv_dims, a->params, a->x, a->w, a->bias, a->y);
}

ck_status ck_validate_conv2d_backward_data(ck_context *ctx, const ck_conv2d_backward_data_args *a) {
    return validate_backward_data(ctx, "conv2d_backward_data", conv_dims, a->params, a->beta, a->w, a->dy, a->dx);
}

ck_status ck_validate_conv2d_backward_weights(ck_context *ctx, const ck_conv2d_backward_weights_args *a) {
    return validate_backward_weights(ctx, "conv2d_backward_weights", conv_dims, a->params, a->beta, a->x, a->dy,
                                     a->dw, a->dbias);
}

ck_status ck_validate_conv_transpose2d_forward(ck_context *ctx, const ck_conv_transpose2d_forward_args *a) {
    return validate_forward(ctx, "conv_transpose2d_forward", transpose_dims, a->params, a->x, a->w, a->bias, a->y);
}

ck_status ck_validate_conv_transpose2d_backward_data(ck_context *ctx, const ck_conv_transpose2d_backward_data_args *a) {
    return validate_backward_data(ctx, "conv_transpose2d_backward_data", transpose_dims, a->params, a->beta, a->w,
                                  a->dy, a->dx);
}

ck_status ck_validate_conv_transpose2d_backward_weights(ck_context *ctx,
                                                        const ck_conv_transpose2d_backward_weights_args *a) {
    return validate_backward_weights(ctx, "conv_transpose2d_backward_weights", transpose_dims, a->params, a->beta,
                                     a->x, a->dy, a->dw, a->dbias);
}
