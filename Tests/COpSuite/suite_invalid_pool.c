/*
 * suite_invalid_pool.c — bad calls of pooling and global pooling (see
 * suite_invalid.h for how a case is written, suite_invalid_conv.c for which
 * status each kind of fault gets).
 *
 * Valid call: max 3x3, stride 2, pad 1: x (2,3,6,6) -> y (2,3,3,3);
 * global pooling: x (2,3,6,6) -> y (2,3,1,1).
 *
 * Padding: PyTorch allows at most half the dilated window per side; ONNX
 * models (and the ONNX node tests) use more, and the core accepts any padding
 * smaller than the dilated window extent, so that every window still reaches
 * the input. The cases pin that rule: pad == extent is rejected, a pad above
 * PyTorch's limit but below the extent is accepted.
 */
#include "suite_invalid.h"

#include <math.h>
#include <stdint.h>

typedef struct pool_call {
    ck_context *ctx;
    ck_pool2d_params p;
    ck_pool_mode mode; /* global pooling */
    ck_tensor x, y, dx, dy, gy, gdy;
    float beta;
    const ck_pool2d_params *params;
    const ck_tensor *px, *py, *pdx, *pdy, *pgy, *pgdy;
} pool_call;

static void pool_init(const inv_env *e, pool_call *c) {
    c->ctx = e->ctx;
    c->p = ck_pool2d_params_default(CK_POOL_MAX, 3, 3);
    c->p.stride_h = c->p.stride_w = 2;
    c->p.pad_top = c->p.pad_bottom = c->p.pad_left = c->p.pad_right = 1;
    c->mode = CK_POOL_AVG;
    c->x = e->pooling.x, c->y = e->pooling.y, c->dx = e->pooling.dx, c->dy = e->pooling.dy;
    c->gy = e->pooling.gy, c->gdy = e->pooling.gdy;
    c->beta = 0.0f;
    c->params = &c->p;
    c->px = &c->x, c->py = &c->y, c->pdx = &c->dx, c->pdy = &c->dy, c->pgy = &c->gy, c->pgdy = &c->gdy;
}

static ck_status pool_forward(const pool_call *c) { return ck_pool2d_forward(c->ctx, c->params, c->px, c->py); }

static ck_status pool_backward(const pool_call *c) {
    return ck_pool2d_backward(c->ctx, c->params, c->px, c->pdy, c->beta, c->pdx);
}

static ck_status global_forward(const pool_call *c) { return ck_global_pool2d_forward(c->ctx, c->mode, c->px, c->pgy); }

static ck_status global_backward(const pool_call *c) {
    return ck_global_pool2d_backward(c->ctx, c->mode, c->px, c->pgdy, c->beta, c->pdx);
}

/* clang-format off */
#define FORWARD_CASES(X) \
    X(fwd_valid, "valid max pooling", CK_OK, (void)0) \
    X(fwd_valid_avg, "valid average pooling, padding excluded", CK_OK, c.p.mode = CK_POOL_AVG; c.p.count_include_pad = 0) \
    X(fwd_valid_count_include_pad_7, "count_include_pad 7 (any nonzero value means yes)", CK_OK, c.p.mode = CK_POOL_AVG; c.p.count_include_pad = 7) \
    X(fwd_valid_divisor, "valid average pooling, divisor_override 4", CK_OK, c.p.mode = CK_POOL_AVG; c.p.divisor_override = 4) \
    X(fwd_valid_ceil, "ceil_mode, y 4x4", CK_OK, c.p.ceil_mode = 1; c.y = inv_dims4(c.y, 2, 3, 4, 4)) \
    X(fwd_valid_ceil_dropped, "ceil_mode drops a last window that starts in the end padding: 5x5, k3 s3 p1 -> 2x2", CK_OK, c.p.ceil_mode = 1; c.p.stride_h = c.p.stride_w = 3; c.x = inv_dims4(c.x, 2, 3, 5, 5); c.y = inv_dims4(c.y, 2, 3, 2, 2)) \
    X(fwd_valid_pad_beyond_half, "pad 2 with a 3x3 window (above PyTorch's half-window limit, below the extent 3)", CK_OK, c.p.pad_top = c.p.pad_bottom = c.p.pad_left = c.p.pad_right = 2; c.y = inv_dims4(c.y, 2, 3, 4, 4)) \
    X(fwd_ctx_null, "ctx NULL", CK_ERR_INVALID_ARGUMENT, c.ctx = NULL) \
    X(fwd_params_null, "params NULL", CK_ERR_INVALID_ARGUMENT, c.params = NULL) \
    X(fwd_x_null, "x NULL", CK_ERR_INVALID_ARGUMENT, c.px = NULL) \
    X(fwd_y_null, "y NULL", CK_ERR_INVALID_ARGUMENT, c.py = NULL) \
    X(fwd_x_no_buffer, "x has a NULL buffer", CK_ERR_INVALID_ARGUMENT, c.x = inv_no_buffer(c.x)) \
    X(fwd_y_foreign, "y on a buffer of another context", CK_ERR_INVALID_ARGUMENT, c.y = inv_foreign(e, c.y)) \
    X(fwd_x_3d, "x 3-D (6,6,6)", CK_ERR_SHAPE_MISMATCH, c.x = inv_dims3(c.x, 6, 6, 6)) \
    X(fwd_y_2d, "y 2-D (6,9)", CK_ERR_SHAPE_MISMATCH, c.y = inv_dims2(c.y, 6, 9)) \
    X(fwd_x_width_zero, "x width 0", CK_ERR_INVALID_ARGUMENT, c.x.dims[3] = 0) \
    X(fwd_x_channels_negative, "x channels -3", CK_ERR_INVALID_ARGUMENT, c.x.dims[1] = -3) \
    X(fwd_x_bytes_overflow, "x 4 dims of 2^20 (byte size overflows size_t)", CK_ERR_OVERFLOW, c.x = inv_on_small(e, inv_dims4(c.x, (int64_t)1 << 20, (int64_t)1 << 20, (int64_t)1 << 20, (int64_t)1 << 20))) \
    X(fwd_x_small_buffer, "x on a 16-byte buffer", CK_ERR_OUT_OF_BOUNDS, c.x = inv_on_small(e, c.x)) \
    X(fwd_x_i32, "x int32", CK_ERR_INVALID_ARGUMENT, c.x = inv_dtype(c.x, CK_I32)) \
    X(fwd_x_f64, "x float64, y float32", INV_F64_AMONG_F32, c.x = inv_dtype(c.x, CK_F64)) \
    X(fwd_mode_unknown, "mode 2 (not a ck_pool_mode)", CK_ERR_INVALID_ARGUMENT, c.p.mode = (ck_pool_mode)2) \
    X(fwd_mode_negative, "mode -1", CK_ERR_INVALID_ARGUMENT, c.p.mode = (ck_pool_mode)-1) \
    X(fwd_kernel_h_zero, "kernel_h 0", CK_ERR_INVALID_ARGUMENT, c.p.kernel_h = 0) \
    X(fwd_kernel_w_negative, "kernel_w -1", CK_ERR_INVALID_ARGUMENT, c.p.kernel_w = -1) \
    X(fwd_stride_h_zero, "stride_h 0", CK_ERR_INVALID_ARGUMENT, c.p.stride_h = 0) \
    X(fwd_stride_w_negative, "stride_w -2", CK_ERR_INVALID_ARGUMENT, c.p.stride_w = -2) \
    X(fwd_dilation_h_zero, "dilation_h 0", CK_ERR_INVALID_ARGUMENT, c.p.dilation_h = 0) \
    X(fwd_dilation_w_zero, "dilation_w 0", CK_ERR_INVALID_ARGUMENT, c.p.dilation_w = 0) \
    X(fwd_pad_top_negative, "pad_top -1", CK_ERR_INVALID_ARGUMENT, c.p.pad_top = -1) \
    X(fwd_pad_bottom_extent, "pad_bottom 3 = the 3x3 window's extent", CK_ERR_INVALID_ARGUMENT, c.p.pad_bottom = 3) \
    X(fwd_pad_left_extent, "pad_left 3 = the 3x3 window's extent", CK_ERR_INVALID_ARGUMENT, c.p.pad_left = 3) \
    X(fwd_pad_right_large, "pad_right 100", CK_ERR_INVALID_ARGUMENT, c.p.pad_right = 100) \
    X(fwd_pad_dilated_extent, "pad_top 5 = extent of a 3-tap window with dilation 2", CK_ERR_INVALID_ARGUMENT, c.p.dilation_h = 2; c.p.pad_top = 5) \
    X(fwd_divisor_negative, "divisor_override -1", CK_ERR_INVALID_ARGUMENT, c.p.mode = CK_POOL_AVG; c.p.divisor_override = -1) \
    X(fwd_divisor_with_max, "divisor_override 4 with max pooling", CK_ERR_INVALID_ARGUMENT, c.p.divisor_override = 4) \
    X(fwd_ceil_floor_sized_y, "ceil_mode with y sized for floor mode (3x3; needs 4x4)", CK_ERR_SHAPE_MISMATCH, c.p.ceil_mode = 1) \
    X(fwd_ceil_dropped_window_kept, "ceil_mode, 5x5, k3 s3 p1: y 3x3 keeps the window that starts in the padding", CK_ERR_SHAPE_MISMATCH, c.p.ceil_mode = 1; c.p.stride_h = c.p.stride_w = 3; c.x = inv_dims4(c.x, 2, 3, 5, 5)) \
    X(fwd_floor_ceil_sized_y, "floor mode with y sized for ceil mode (4x4)", CK_ERR_SHAPE_MISMATCH, c.y = inv_dims4(c.y, 2, 3, 4, 4)) \
    X(fwd_y_channels, "y channels 2, not 3", CK_ERR_SHAPE_MISMATCH, c.y.dims[1] = 2) \
    X(fwd_y_batch, "y batch 1, not 2", CK_ERR_SHAPE_MISMATCH, c.y.dims[0] = 1) \
    X(fwd_y_width, "y width 2, not 3", CK_ERR_SHAPE_MISMATCH, c.y.dims[3] = 2) \
    X(fwd_empty_window_larger, "9x9 window on a 6x6 input without padding (empty output)", CK_ERR_SHAPE_MISMATCH, c.p.kernel_h = c.p.kernel_w = 9; c.p.pad_top = c.p.pad_bottom = c.p.pad_left = c.p.pad_right = 0; c.y = inv_dims4(c.y, 2, 3, 1, 1)) \
    X(fwd_empty_dilation, "dilation 4 spreads the 3x3 window over 9 > 6 + 2 (empty output)", CK_ERR_SHAPE_MISMATCH, c.p.dilation_h = c.p.dilation_w = 4; c.y = inv_dims4(c.y, 2, 3, 1, 1)) \
    X(fwd_kernel_int32_max, "kernel_h INT32_MAX (empty output, no overflow)", CK_ERR_SHAPE_MISMATCH, c.p.kernel_h = INT32_MAX) \
    X(fwd_dilation_int32_max, "dilation_h INT32_MAX with kernel 3 (extent beyond int32)", CK_ERR_SHAPE_MISMATCH, c.p.dilation_h = INT32_MAX) \
    X(fwd_y_overlaps_x, "y partly overlaps x", CK_ERR_INVALID_ARGUMENT, c.y = inv_overlapping(c.y, &c.x, 200)) \
    X(fwd_y_is_x_start, "y begins where x begins", CK_ERR_INVALID_ARGUMENT, c.y = inv_overlapping(c.y, &c.x, 0))

#define BACKWARD_CASES(X) \
    X(bwd_valid, "valid max pooling", CK_OK, (void)0) \
    X(bwd_valid_avg_beta, "valid average pooling, beta 1", CK_OK, c.p.mode = CK_POOL_AVG; c.beta = 1.0f) \
    X(bwd_ctx_null, "ctx NULL", CK_ERR_INVALID_ARGUMENT, c.ctx = NULL) \
    X(bwd_params_null, "params NULL", CK_ERR_INVALID_ARGUMENT, c.params = NULL) \
    X(bwd_x_null, "x NULL", CK_ERR_INVALID_ARGUMENT, c.px = NULL) \
    X(bwd_dy_null, "dy NULL", CK_ERR_INVALID_ARGUMENT, c.pdy = NULL) \
    X(bwd_dx_null, "dx NULL", CK_ERR_INVALID_ARGUMENT, c.pdx = NULL) \
    X(bwd_beta_nan, "beta NaN", CK_ERR_INVALID_ARGUMENT, c.beta = NAN) \
    X(bwd_kernel_zero, "kernel_w 0", CK_ERR_INVALID_ARGUMENT, c.p.kernel_w = 0) \
    X(bwd_pad_extent, "pad_top 3 = window extent", CK_ERR_INVALID_ARGUMENT, c.p.pad_top = 3) \
    X(bwd_dy_height, "dy height 4, not 3", CK_ERR_SHAPE_MISMATCH, c.dy.dims[2] = 4) \
    X(bwd_dy_ceil, "ceil_mode with dy sized for floor mode", CK_ERR_SHAPE_MISMATCH, c.p.ceil_mode = 1) \
    X(bwd_dx_width, "dx width 5, not x's 6", CK_ERR_SHAPE_MISMATCH, c.dx.dims[3] = 5) \
    X(bwd_dx_3d, "dx 3-D", CK_ERR_SHAPE_MISMATCH, c.dx = inv_dims3(c.dx, 6, 6, 6)) \
    X(bwd_dx_i32, "dx int32", CK_ERR_INVALID_ARGUMENT, c.dx = inv_dtype(c.dx, CK_I32)) \
    X(bwd_dx_overlaps_x, "dx partly overlaps x", CK_ERR_INVALID_ARGUMENT, c.dx = inv_overlapping(c.dx, &c.x, 4)) \
    X(bwd_dx_overlaps_dy, "dx overlaps dy", CK_ERR_INVALID_ARGUMENT, c.dx = inv_overlapping(c.dx, &c.dy, 0))

#define GLOBAL_FORWARD_CASES(X) \
    X(gfwd_valid, "valid average", CK_OK, (void)0) \
    X(gfwd_valid_max, "valid max", CK_OK, c.mode = CK_POOL_MAX) \
    X(gfwd_ctx_null, "ctx NULL", CK_ERR_INVALID_ARGUMENT, c.ctx = NULL) \
    X(gfwd_mode_unknown, "mode 3", CK_ERR_INVALID_ARGUMENT, c.mode = (ck_pool_mode)3) \
    X(gfwd_x_null, "x NULL", CK_ERR_INVALID_ARGUMENT, c.px = NULL) \
    X(gfwd_y_null, "y NULL", CK_ERR_INVALID_ARGUMENT, c.pgy = NULL) \
    X(gfwd_x_foreign, "x on a buffer of another context", CK_ERR_INVALID_ARGUMENT, c.x = inv_foreign(e, c.x)) \
    X(gfwd_x_3d, "x 3-D", CK_ERR_SHAPE_MISMATCH, c.x = inv_dims3(c.x, 6, 6, 6)) \
    X(gfwd_y_2d, "y 2-D (2,3)", CK_ERR_SHAPE_MISMATCH, c.gy = inv_dims2(c.gy, 2, 3)) \
    X(gfwd_y_not_1x1, "y (2,3,2,1)", CK_ERR_SHAPE_MISMATCH, c.gy = inv_dims4(c.gy, 2, 3, 2, 1)) \
    X(gfwd_y_channels, "y channels 6", CK_ERR_SHAPE_MISMATCH, c.gy = inv_dims4(c.gy, 1, 6, 1, 1)) \
    X(gfwd_x_height_zero, "x height 0", CK_ERR_INVALID_ARGUMENT, c.x.dims[2] = 0) \
    X(gfwd_y_i32, "y int32", CK_ERR_INVALID_ARGUMENT, c.gy = inv_dtype(c.gy, CK_I32)) \
    X(gfwd_y_overlaps_x, "y inside x", CK_ERR_INVALID_ARGUMENT, c.gy = inv_overlapping(c.gy, &c.x, 40))

#define GLOBAL_BACKWARD_CASES(X) \
    X(gbwd_valid, "valid average, beta 1", CK_OK, c.beta = 1.0f) \
    X(gbwd_valid_max, "valid max", CK_OK, c.mode = CK_POOL_MAX) \
    X(gbwd_ctx_null, "ctx NULL", CK_ERR_INVALID_ARGUMENT, c.ctx = NULL) \
    X(gbwd_mode_unknown, "mode -1", CK_ERR_INVALID_ARGUMENT, c.mode = (ck_pool_mode)-1) \
    X(gbwd_dx_null, "dx NULL", CK_ERR_INVALID_ARGUMENT, c.pdx = NULL) \
    X(gbwd_beta_inf, "beta infinite", CK_ERR_INVALID_ARGUMENT, c.beta = INFINITY) \
    X(gbwd_dy_not_1x1, "dy (2,3,2,2)", CK_ERR_SHAPE_MISMATCH, c.gdy = inv_dims4(c.gdy, 2, 3, 2, 2)) \
    X(gbwd_dx_shape, "dx (2,3,6,5), not x's dims", CK_ERR_SHAPE_MISMATCH, c.dx.dims[3] = 5) \
    X(gbwd_dx_overlaps_dy, "dx covers dy", CK_ERR_INVALID_ARGUMENT, c.dx = inv_overlapping(c.dx, &c.gdy, 0)) \
    X(gbwd_dx_overlaps_x, "dx partly overlaps x", CK_ERR_INVALID_ARGUMENT, c.dx = inv_overlapping(c.dx, &c.x, 64))
/* clang-format on */

/* Each case: the valid call, the case's edit, then the op. */
#define DEFINE_CASE(run_fn, edit) \
    {                             \
        pool_call c;              \
        pool_init(e, &c);         \
        edit;                     \
        *message_ctx = c.ctx;     \
        return run_fn(&c);        \
    }
#define FORWARD_FN(id, text, status, edit) \
    static ck_status id(const inv_env *e, ck_context **message_ctx) DEFINE_CASE(pool_forward, edit)
#define BACKWARD_FN(id, text, status, edit) \
    static ck_status id(const inv_env *e, ck_context **message_ctx) DEFINE_CASE(pool_backward, edit)
#define GLOBAL_FORWARD_FN(id, text, status, edit) \
    static ck_status id(const inv_env *e, ck_context **message_ctx) DEFINE_CASE(global_forward, edit)
#define GLOBAL_BACKWARD_FN(id, text, status, edit) \
    static ck_status id(const inv_env *e, ck_context **message_ctx) DEFINE_CASE(global_backward, edit)

FORWARD_CASES(FORWARD_FN)
BACKWARD_CASES(BACKWARD_FN)
GLOBAL_FORWARD_CASES(GLOBAL_FORWARD_FN)
GLOBAL_BACKWARD_CASES(GLOBAL_BACKWARD_FN)

#define FORWARD_ENTRY(id, text, status, edit) {"pool2d_forward: " text, status, id},
#define BACKWARD_ENTRY(id, text, status, edit) {"pool2d_backward: " text, status, id},
#define GLOBAL_FORWARD_ENTRY(id, text, status, edit) {"global_pool2d_forward: " text, status, id},
#define GLOBAL_BACKWARD_ENTRY(id, text, status, edit) {"global_pool2d_backward: " text, status, id},

static const inv_case cases[] = {
    FORWARD_CASES(FORWARD_ENTRY) BACKWARD_CASES(BACKWARD_ENTRY) GLOBAL_FORWARD_CASES(GLOBAL_FORWARD_ENTRY)
    GLOBAL_BACKWARD_CASES(GLOBAL_BACKWARD_ENTRY)
};

inv_table inv_pool_cases(void) { return (inv_table){cases, sizeof cases / sizeof cases[0]}; }
