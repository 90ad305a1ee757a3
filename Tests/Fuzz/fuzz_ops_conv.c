/*
 * fuzz_ops_conv.c — fuzz drivers of conv2d, transposed conv2d, pooling and
 * global pooling (three passes each where the op has them).
 *
 * Shapes are decoded as a few small variables (batch, groups, channels per
 * group, extents, kernel) so that most inputs give consistent tensors; the
 * output dims come from the library's own *_output_dims helper (or a
 * placeholder when the parameters make it fail, so that the call fails too).
 * Parameters are ordinary values for most bytes and edge values (0, -1,
 * INT32_MAX, 2^30, ...) for the rest: huge padding with huge strides still
 * gives small valid calls that the backends' index arithmetic must survive.
 */
#include "fuzz_call.h"

#include <string.h>

/* x (N, C, H, W), weight, and y (N, O, OH, OW) of a conv-like op. */
typedef struct conv_shapes {
    int64_t x[4], w[4], y[4];
} conv_shapes;

/* Batch, groups, channels per group, extents and kernel of a conv-like op. */
typedef struct conv_sizes {
    int64_t n, groups, in_per_group, out_per_group, h, w, kh, kw;
} conv_sizes;

static conv_sizes decode_sizes(fz_input *in) {
    conv_sizes s;
    s.n = fz_pick(in, 1, 3);
    s.groups = fz_pick(in, 1, 3);
    s.in_per_group = fz_pick(in, 1, 5); /* 1: depthwise when groups == C; 2..4: the direct kernels */
    s.out_per_group = fz_pick(in, 1, 3);
    s.h = fz_extent(in);
    s.w = fz_extent(in);
    s.kh = fz_pick(in, 1, 4);
    s.kw = fz_pick(in, 1, 4);
    return s;
}

static void decode_conv(fz_input *in, fz_call *c, conv_shapes *out) {
    conv_sizes s = decode_sizes(in);
    ck_conv2d_params *p = &c->p.conv;
    p->stride_h = fz_param(in, 1, 3);
    p->stride_w = fz_param(in, 1, 3);
    p->pad_top = fz_param(in, 0, 2);
    p->pad_bottom = fz_param(in, 0, 2);
    p->pad_left = fz_param(in, 0, 2);
    p->pad_right = fz_param(in, 0, 2);
    p->dilation_h = fz_param(in, 1, 2);
    p->dilation_w = fz_param(in, 1, 2);
    p->groups = fz_tweak(in, (int32_t)s.groups);
    const int64_t x[4] = {s.n, s.groups * s.in_per_group, s.h, s.w};
    const int64_t w[4] = {s.groups * s.out_per_group, s.in_per_group, s.kh, s.kw};
    memcpy(out->x, x, sizeof x);
    memcpy(out->w, w, sizeof w);
    if (ck_conv2d_output_dims(NULL, p, x, w, out->y) != CK_OK) {
        const int64_t y[4] = {s.n, w[0], 1, 1};
        memcpy(out->y, y, sizeof y);
    }
}

static void decode_transpose(fz_input *in, fz_call *c, conv_shapes *out) {
    conv_sizes s = decode_sizes(in);
    ck_conv_transpose2d_params *p = &c->p.transpose;
    p->stride_h = fz_param(in, 1, 3);
    p->stride_w = fz_param(in, 1, 3);
    p->pad_top = fz_param(in, 0, 2);
    p->pad_bottom = fz_param(in, 0, 2);
    p->pad_left = fz_param(in, 0, 2);
    p->pad_right = fz_param(in, 0, 2);
    p->dilation_h = fz_param(in, 1, 2);
    p->dilation_w = fz_param(in, 1, 2);
    int32_t limit_h = p->stride_h > p->dilation_h ? p->stride_h : p->dilation_h;
    int32_t limit_w = p->stride_w > p->dilation_w ? p->stride_w : p->dilation_w;
    p->output_padding_h = fz_param(in, 0, limit_h > 1 && limit_h <= 4 ? limit_h - 1 : 0);
    p->output_padding_w = fz_param(in, 0, limit_w > 1 && limit_w <= 4 ? limit_w - 1 : 0);
    p->groups = fz_tweak(in, (int32_t)s.groups);
    const int64_t x[4] = {s.n, s.groups * s.in_per_group, s.h, s.w};
    const int64_t w[4] = {x[1], s.out_per_group, s.kh, s.kw};
    memcpy(out->x, x, sizeof x);
    memcpy(out->w, w, sizeof w);
    if (ck_conv_transpose2d_output_dims(NULL, p, x, w, out->y) != CK_OK) {
        const int64_t y[4] = {s.n, s.groups * s.out_per_group, 1, 1};
        memcpy(out->y, y, sizeof y);
    }
}

/* ---- the three passes, on the shapes of either op ---- */

typedef void (*decode_fn)(fz_input *in, fz_call *c, conv_shapes *out);

/* x, w, bias (O), y. */
static void build_forward(fz_input *in, fz_call *c, decode_fn decode) {
    conv_shapes s;
    decode(in, c, &s);
    fz_add_slot(c, "x", FZ_INPUT, 4, s.x);
    fz_add_slot(c, "w", FZ_INPUT, 4, s.w);
    fz_add_slot(c, "bias", FZ_INPUT, 1, &s.y[1]);
    fz_add_slot(c, "y", FZ_OUTPUT, 4, s.y);
}

/* w, dy, dx; beta. */
static void build_backward_data(fz_input *in, fz_call *c, decode_fn decode) {
    conv_shapes s;
    decode(in, c, &s);
    c->f[0] = fz_scalar(in, 0.0f, 1.0f, 0.5f);
    fz_add_slot(c, "w", FZ_INPUT, 4, s.w);
    fz_add_slot(c, "dy", FZ_INPUT, 4, s.y);
    fz_add_slot(c, "dx", FZ_OUTPUT, 4, s.x);
}

/* x, dy, dw, dbias (O); beta. */
static void build_backward_weights(fz_input *in, fz_call *c, decode_fn decode) {
    conv_shapes s;
    decode(in, c, &s);
    c->f[0] = fz_scalar(in, 0.0f, 1.0f, 0.5f);
    fz_add_slot(c, "x", FZ_INPUT, 4, s.x);
    fz_add_slot(c, "dy", FZ_INPUT, 4, s.y);
    fz_add_slot(c, "dw", FZ_OUTPUT, 4, s.w);
    fz_add_slot(c, "dbias", FZ_OUTPUT, 1, &s.y[1]);
}

static void build_conv_forward(fz_input *in, fz_call *c) { build_forward(in, c, decode_conv); }
static void build_conv_backward_data(fz_input *in, fz_call *c) { build_backward_data(in, c, decode_conv); }
static void build_conv_backward_weights(fz_input *in, fz_call *c) { build_backward_weights(in, c, decode_conv); }
static void build_transpose_forward(fz_input *in, fz_call *c) { build_forward(in, c, decode_transpose); }
static void build_transpose_backward_data(fz_input *in, fz_call *c) { build_backward_data(in, c, decode_transpose); }
static void build_transpose_backward_weights(fz_input *in, fz_call *c) { build_backward_weights(in, c, decode_transpose); }

static ck_status call_conv_forward(ck_context *ctx, const fz_call *c, const ck_tensor *const *t) {
    return ck_conv2d_forward(ctx, fz_params_arg(c), t[0], t[1], t[2], t[3]);
}
static ck_status call_conv_backward_data(ck_context *ctx, const fz_call *c, const ck_tensor *const *t) {
    return ck_conv2d_backward_data(ctx, fz_params_arg(c), t[0], t[1], c->f[0], t[2]);
}
static ck_status call_conv_backward_weights(ck_context *ctx, const fz_call *c, const ck_tensor *const *t) {
    return ck_conv2d_backward_weights(ctx, fz_params_arg(c), t[0], t[1], c->f[0], t[2], t[3]);
}
static ck_status call_transpose_forward(ck_context *ctx, const fz_call *c, const ck_tensor *const *t) {
    return ck_conv_transpose2d_forward(ctx, fz_params_arg(c), t[0], t[1], t[2], t[3]);
}
static ck_status call_transpose_backward_data(ck_context *ctx, const fz_call *c, const ck_tensor *const *t) {
    return ck_conv_transpose2d_backward_data(ctx, fz_params_arg(c), t[0], t[1], c->f[0], t[2]);
}
static ck_status call_transpose_backward_weights(ck_context *ctx, const fz_call *c, const ck_tensor *const *t) {
    return ck_conv_transpose2d_backward_weights(ctx, fz_params_arg(c), t[0], t[1], c->f[0], t[2], t[3]);
}

/* ---- pooling ---- */

/* x (N, C, H, W) and the pooling params; y from ck_pool2d_output_dims. */
static void decode_pool(fz_input *in, fz_call *c, int64_t x[4], int64_t y[4]) {
    ck_pool2d_params *p = &c->p.pool;
    p->mode = (ck_pool_mode)fz_param(in, 0, 1);
    p->kernel_h = fz_param(in, 1, 4);
    p->kernel_w = fz_param(in, 1, 4);
    p->stride_h = fz_param(in, 1, 3);
    p->stride_w = fz_param(in, 1, 3);
    p->dilation_h = fz_param(in, 1, 2);
    p->dilation_w = fz_param(in, 1, 2);
    /* Padding below the dilated kernel extent is valid; an odd kernel or dilation makes it 0..1. */
    int sane_h = p->kernel_h >= 1 && p->kernel_h <= 4 && p->dilation_h >= 1 && p->dilation_h <= 2;
    int sane_w = p->kernel_w >= 1 && p->kernel_w <= 4 && p->dilation_w >= 1 && p->dilation_w <= 2;
    int32_t max_h = sane_h ? p->dilation_h * (p->kernel_h - 1) : 1, max_w = sane_w ? p->dilation_w * (p->kernel_w - 1) : 1;
    p->pad_top = fz_param(in, 0, max_h);
    p->pad_bottom = fz_param(in, 0, max_h);
    p->pad_left = fz_param(in, 0, max_w);
    p->pad_right = fz_param(in, 0, max_w);
    p->ceil_mode = fz_param(in, 0, 1);
    p->count_include_pad = fz_param(in, 0, 1);
    p->divisor_override = fz_u8(in) >= 192 ? fz_param(in, 1, 9) : 0;
    x[0] = fz_pick(in, 1, 3);
    x[1] = fz_pick(in, 1, 4);
    x[2] = fz_extent(in);
    x[3] = fz_extent(in);
    /* The reference visits every tap of every window: with kernels of 2^30 taps it would take minutes. */
    c->cpu_only = (int64_t)p->kernel_h * p->kernel_w > ((int64_t)1 << 16);
    if (ck_pool2d_output_dims(NULL, p, x, y) != CK_OK) {
        y[0] = x[0]; y[1] = x[1]; y[2] = 1; y[3] = 1;
    }
}

/* Global pooling: mode in i[0]; x (N, C, H, W), y or dy (N, C, 1, 1). */
static void decode_global(fz_input *in, fz_call *c, int64_t x[4], int64_t y[4]) {
    c->i[0] = fz_param(in, 0, 1);
    x[0] = y[0] = fz_pick(in, 1, 3);
    x[1] = y[1] = fz_pick(in, 1, 4);
    x[2] = fz_extent(in);
    x[3] = fz_extent(in);
    y[2] = y[3] = 1;
}

/* A pooling call's slots from `decode`'s x and y: forward x -> y; backward (x, dy) -> dx, beta in f[0]. */
typedef void (*pool_decode_fn)(fz_input *, fz_call *, int64_t[4], int64_t[4]);

static void build_pooling_forward(fz_input *in, fz_call *c, pool_decode_fn decode) {
    int64_t x[4], y[4];
    decode(in, c, x, y);
    fz_add_slot(c, "x", FZ_INPUT, 4, x);
    fz_add_slot(c, "y", FZ_OUTPUT, 4, y);
}

static void build_pooling_backward(fz_input *in, fz_call *c, pool_decode_fn decode) {
    int64_t x[4], y[4];
    decode(in, c, x, y);
    c->f[0] = fz_scalar(in, 0.0f, 1.0f, 0.5f);
    fz_add_slot(c, "x", FZ_INPUT, 4, x);
    fz_add_slot(c, "dy", FZ_INPUT, 4, y);
    fz_add_slot(c, "dx", FZ_OUTPUT, 4, x);
}

static void build_pool_forward(fz_input *in, fz_call *c) { build_pooling_forward(in, c, decode_pool); }
static void build_pool_backward(fz_input *in, fz_call *c) { build_pooling_backward(in, c, decode_pool); }
static void build_global_forward(fz_input *in, fz_call *c) { build_pooling_forward(in, c, decode_global); }
static void build_global_backward(fz_input *in, fz_call *c) { build_pooling_backward(in, c, decode_global); }

static ck_status call_pool_forward(ck_context *ctx, const fz_call *c, const ck_tensor *const *t) {
    return ck_pool2d_forward(ctx, fz_params_arg(c), t[0], t[1]);
}
static ck_status call_pool_backward(ck_context *ctx, const fz_call *c, const ck_tensor *const *t) {
    return ck_pool2d_backward(ctx, fz_params_arg(c), t[0], t[1], c->f[0], t[2]);
}
static ck_status call_global_forward(ck_context *ctx, const fz_call *c, const ck_tensor *const *t) {
    return ck_global_pool2d_forward(ctx, (ck_pool_mode)c->i[0], t[0], t[1]);
}
static ck_status call_global_backward(ck_context *ctx, const fz_call *c, const ck_tensor *const *t) {
    return ck_global_pool2d_backward(ctx, (ck_pool_mode)c->i[0], t[0], t[1], c->f[0], t[2]);
}

void fz_register_conv_ops(fz_op table[CK_OP_COUNT]) {
    table[CK_OP_CONV2D_FORWARD] = (fz_op){build_conv_forward, call_conv_forward};
    table[CK_OP_CONV2D_BACKWARD_DATA] = (fz_op){build_conv_backward_data, call_conv_backward_data};
    table[CK_OP_CONV2D_BACKWARD_WEIGHTS] = (fz_op){build_conv_backward_weights, call_conv_backward_weights};
    table[CK_OP_CONV_TRANSPOSE2D_FORWARD] = (fz_op){build_transpose_forward, call_transpose_forward};
    table[CK_OP_CONV_TRANSPOSE2D_BACKWARD_DATA] = (fz_op){build_transpose_backward_data, call_transpose_backward_data};
    table[CK_OP_CONV_TRANSPOSE2D_BACKWARD_WEIGHTS] =
        (fz_op){build_transpose_backward_weights, call_transpose_backward_weights};
    table[CK_OP_POOL2D_FORWARD] = (fz_op){build_pool_forward, call_pool_forward};
    table[CK_OP_POOL2D_BACKWARD] = (fz_op){build_pool_backward, call_pool_backward};
    table[CK_OP_GLOBAL_POOL2D_FORWARD] = (fz_op){build_global_forward, call_global_forward};
    table[CK_OP_GLOBAL_POOL2D_BACKWARD] = (fz_op){build_global_backward, call_global_backward};
}
