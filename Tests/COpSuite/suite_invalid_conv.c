/*
 * suite_invalid_conv.c — bad calls of conv2d forward, backward-data and
 * backward-weights (see suite_invalid.h for how a case is written).
 *
 * Valid call: groups 2, pad 1: x (2,4,5,5), w (6,2,3,3), bias (6), y (2,6,5,5).
 * Statuses (convkit.h): a NULL pointer, a bad parameter value or a view that
 * is malformed on its own (dims < 1, ndim outside 0...8, unknown or int32
 * dtype, misaligned offset) is CK_ERR_INVALID_ARGUMENT; shapes that do not fit
 * each other or the params (wrong ndim included) are CK_ERR_SHAPE_MISMATCH; a
 * byte size that overflows size_t is CK_ERR_OVERFLOW; a view that does not fit
 * its buffer is CK_ERR_OUT_OF_BOUNDS. An output that overlaps an input is an
 * invalid argument.
 */
#include "suite_invalid.h"

#include <math.h>
#include <stdint.h>

/** The arguments of the three conv2d passes; the p* pointers point at the copies (or are set NULL). */
typedef struct conv_call {
    ck_context *ctx;
    ck_conv2d_params p;
    ck_tensor x, w, bias, y, dx, dy, dw, dbias;
    float beta;
    ck_conv2d_epilogue epilogue; /* ReLU; the forward calls ck_conv2d_forward_fused when pepilogue is set */
    const ck_conv2d_params *params;
    const ck_tensor *px, *pw, *pbias, *py, *pdx, *pdy, *pdw, *pdbias;
    const ck_conv2d_epilogue *pepilogue;
} conv_call;

static void conv_init(const inv_env *e, conv_call *c) {
    c->ctx = e->ctx;
    c->p = ck_conv2d_params_default();
    c->p.pad_top = c->p.pad_bottom = c->p.pad_left = c->p.pad_right = 1;
    c->p.groups = 2;
    c->x = e->conv.x, c->w = e->conv.w, c->bias = e->conv.bias, c->y = e->conv.y;
    c->dx = e->conv.dx, c->dy = e->conv.dy, c->dw = e->conv.dw, c->dbias = e->conv.dbias;
    c->beta = 0.0f;
    c->epilogue = (ck_conv2d_epilogue){1, CK_ACT_RELU, 0.0f};
    c->pepilogue = NULL;
    c->params = &c->p;
    c->px = &c->x, c->pw = &c->w, c->pbias = &c->bias, c->py = &c->y;
    c->pdx = &c->dx, c->pdy = &c->dy, c->pdw = &c->dw, c->pdbias = &c->dbias;
}

static ck_status conv_forward(const conv_call *c) {
    if (c->pepilogue) return ck_conv2d_forward_fused(c->ctx, c->params, c->px, c->pw, c->pbias, c->pepilogue, c->py);
    return ck_conv2d_forward(c->ctx, c->params, c->px, c->pw, c->pbias, c->py);
}

static ck_status conv_backward_data(const conv_call *c) {
    return ck_conv2d_backward_data(c->ctx, c->params, c->pw, c->pdy, c->beta, c->pdx);
}

static ck_status conv_backward_weights(const conv_call *c) {
    return ck_conv2d_backward_weights(c->ctx, c->params, c->px, c->pdy, c->beta, c->pdw, c->pdbias);
}

#define TWO_POW_20 ((int64_t)1 << 20)

/* clang-format off */
#define FORWARD_CASES(X) \
    X(fwd_valid, "valid call", CK_OK, (void)0) \
    X(fwd_valid_no_bias, "valid call without bias", CK_OK, c.pbias = NULL) \
    X(fwd_ctx_null, "ctx NULL", CK_ERR_INVALID_ARGUMENT, c.ctx = NULL) \
    X(fwd_params_null, "params NULL", CK_ERR_INVALID_ARGUMENT, c.params = NULL) \
    X(fwd_x_null, "x NULL", CK_ERR_INVALID_ARGUMENT, c.px = NULL) \
    X(fwd_w_null, "w NULL", CK_ERR_INVALID_ARGUMENT, c.pw = NULL) \
    X(fwd_y_null, "y NULL", CK_ERR_INVALID_ARGUMENT, c.py = NULL) \
    X(fwd_x_no_buffer, "x has a NULL buffer", CK_ERR_INVALID_ARGUMENT, c.x = inv_no_buffer(c.x)) \
    X(fwd_y_no_buffer, "y has a NULL buffer", CK_ERR_INVALID_ARGUMENT, c.y = inv_no_buffer(c.y)) \
    X(fwd_x_foreign, "x on a buffer of another context", CK_ERR_INVALID_ARGUMENT, c.x = inv_foreign(e, c.x)) \
    X(fwd_w_foreign, "w on a buffer of another context", CK_ERR_INVALID_ARGUMENT, c.w = inv_foreign(e, c.w)) \
    X(fwd_bias_foreign, "bias on a buffer of another context", CK_ERR_INVALID_ARGUMENT, c.bias = inv_foreign(e, c.bias)) \
    X(fwd_y_foreign, "y on a buffer of another context", CK_ERR_INVALID_ARGUMENT, c.y = inv_foreign(e, c.y)) \
    X(fwd_x_3d, "x 3-D (4,5,5)", CK_ERR_SHAPE_MISMATCH, c.x = inv_dims3(c.x, 4, 5, 5)) \
    X(fwd_x_5d, "x 5-D (1,2,4,5,5)", CK_ERR_SHAPE_MISMATCH, c.x.ndim = 5; c.x.dims[0] = 1; c.x.dims[1] = 2; c.x.dims[2] = 4; c.x.dims[3] = 5; c.x.dims[4] = 5) \
    X(fwd_x_ndim_negative, "x ndim -1", CK_ERR_INVALID_ARGUMENT, c.x.ndim = -1) \
    X(fwd_x_ndim_too_large, "x ndim 9 (> CK_MAX_DIMS)", CK_ERR_INVALID_ARGUMENT, c.x.ndim = CK_MAX_DIMS + 1) \
    X(fwd_w_2d, "w 2-D (6,18)", CK_ERR_SHAPE_MISMATCH, c.w = inv_dims2(c.w, 6, 18)) \
    X(fwd_y_3d, "y 3-D (12,5,5)", CK_ERR_SHAPE_MISMATCH, c.y = inv_dims3(c.y, 12, 5, 5)) \
    X(fwd_bias_2d, "bias 2-D (1,6)", CK_ERR_SHAPE_MISMATCH, c.bias = inv_dims2(c.bias, 1, 6)) \
    X(fwd_x_batch_zero, "x batch 0", CK_ERR_INVALID_ARGUMENT, c.x.dims[0] = 0) \
    X(fwd_x_channels_zero, "x channels 0", CK_ERR_INVALID_ARGUMENT, c.x.dims[1] = 0) \
    X(fwd_x_height_zero, "x height 0", CK_ERR_INVALID_ARGUMENT, c.x.dims[2] = 0) \
    X(fwd_x_width_negative, "x width -3", CK_ERR_INVALID_ARGUMENT, c.x.dims[3] = -3) \
    X(fwd_x_batch_int64_min, "x batch INT64_MIN", CK_ERR_INVALID_ARGUMENT, c.x.dims[0] = INT64_MIN) \
    X(fwd_w_out_zero, "w out channels 0", CK_ERR_INVALID_ARGUMENT, c.w.dims[0] = 0) \
    X(fwd_w_kernel_h_zero, "kernel height 0", CK_ERR_INVALID_ARGUMENT, c.w.dims[2] = 0) \
    X(fwd_w_kernel_w_negative, "kernel width -1", CK_ERR_INVALID_ARGUMENT, c.w.dims[3] = -1) \
    X(fwd_y_dim_zero, "y height 0", CK_ERR_INVALID_ARGUMENT, c.y.dims[2] = 0) \
    X(fwd_bias_zero, "bias length 0", CK_ERR_INVALID_ARGUMENT, c.bias.dims[0] = 0) \
    X(fwd_x_bytes_overflow, "x 4 dims of 2^20 (byte size overflows size_t)", CK_ERR_OVERFLOW, c.x = inv_on_small(e, inv_dims4(c.x, TWO_POW_20, TWO_POW_20, TWO_POW_20, TWO_POW_20))) \
    X(fwd_x_int64_max, "x batch INT64_MAX (byte size overflows size_t)", CK_ERR_OVERFLOW, c.x.dims[0] = INT64_MAX) \
    X(fwd_y_bytes_overflow, "y dims (2^31, 2^31, 2^31, 2) (byte size overflows size_t)", CK_ERR_OVERFLOW, c.y = inv_dims4(c.y, (int64_t)1 << 31, (int64_t)1 << 31, (int64_t)1 << 31, 2)) \
    X(fwd_x_small_buffer, "x on a 16-byte buffer", CK_ERR_OUT_OF_BOUNDS, c.x = inv_on_small(e, c.x)) \
    X(fwd_y_small_buffer, "y on a 16-byte buffer", CK_ERR_OUT_OF_BOUNDS, c.y = inv_on_small(e, c.y)) \
    X(fwd_x_huge_in_bounds_math, "x (1,4,2^40,5): no overflow, but far beyond its buffer", CK_ERR_OUT_OF_BOUNDS, c.x = inv_dims4(c.x, 1, 4, (int64_t)1 << 40, 5)) \
    X(fwd_x_past_end, "x ends 4 bytes past the end of its buffer", CK_ERR_OUT_OF_BOUNDS, c.x.offset = e->pool_bytes - 200 * sizeof(float) + 4) \
    X(fwd_x_offset_beyond, "x offset beyond the buffer", CK_ERR_OUT_OF_BOUNDS, c.x.offset = e->pool_bytes + 64) \
    X(fwd_x_offset_wraps, "x offset SIZE_MAX - 3 (offset + size wraps around)", CK_ERR_OUT_OF_BOUNDS, c.x.offset = SIZE_MAX - 3) \
    X(fwd_x_offset_misaligned, "x offset not a multiple of 4", CK_ERR_INVALID_ARGUMENT, c.x.offset += 2) \
    X(fwd_x_i32, "x int32", CK_ERR_INVALID_ARGUMENT, c.x = inv_dtype(c.x, CK_I32)) \
    X(fwd_w_i32, "w int32", CK_ERR_INVALID_ARGUMENT, c.w = inv_dtype(c.w, CK_I32)) \
    X(fwd_bias_i32, "bias int32", CK_ERR_INVALID_ARGUMENT, c.bias = inv_dtype(c.bias, CK_I32)) \
    X(fwd_y_i32, "y int32", CK_ERR_INVALID_ARGUMENT, c.y = inv_dtype(c.y, CK_I32)) \
    X(fwd_x_dtype_unknown, "x dtype 7 (not a ck_dtype)", CK_ERR_INVALID_ARGUMENT, c.x = inv_dtype(c.x, (ck_dtype)7)) \
    X(fwd_x_f64, "x float64, the rest float32", INV_F64_AMONG_F32, c.x = inv_dtype(c.x, CK_F64)) \
    X(fwd_y_f64, "y float64, the rest float32", INV_F64_AMONG_F32, c.y = inv_dtype(c.y, CK_F64)) \
    X(fwd_stride_h_zero, "stride_h 0", CK_ERR_INVALID_ARGUMENT, c.p.stride_h = 0) \
    X(fwd_stride_w_negative, "stride_w -1", CK_ERR_INVALID_ARGUMENT, c.p.stride_w = -1) \
    X(fwd_dilation_h_zero, "dilation_h 0", CK_ERR_INVALID_ARGUMENT, c.p.dilation_h = 0) \
    X(fwd_dilation_w_negative, "dilation_w -2", CK_ERR_INVALID_ARGUMENT, c.p.dilation_w = -2) \
    X(fwd_pad_top_negative, "pad_top -1", CK_ERR_INVALID_ARGUMENT, c.p.pad_top = -1) \
    X(fwd_pad_bottom_negative, "pad_bottom -1", CK_ERR_INVALID_ARGUMENT, c.p.pad_bottom = -1) \
    X(fwd_pad_left_negative, "pad_left -1", CK_ERR_INVALID_ARGUMENT, c.p.pad_left = -1) \
    X(fwd_pad_right_int32_min, "pad_right INT32_MIN", CK_ERR_INVALID_ARGUMENT, c.p.pad_right = INT32_MIN) \
    X(fwd_fused_valid, "fused ReLU, valid call", CK_OK, c.pepilogue = &c.epilogue) \
    X(fwd_fused_leaky_valid, "fused LeakyReLU -0.5, valid call", CK_OK, c.pepilogue = &c.epilogue; c.epilogue.activation = CK_ACT_LEAKY_RELU; c.epilogue.alpha = -0.5f) \
    X(fwd_fused_none_ignores_kind, "fused, has_activation 0 (the kind 9 is not read)", CK_OK, c.pepilogue = &c.epilogue; c.epilogue.has_activation = 0; c.epilogue.activation = (ck_activation)9) \
    X(fwd_fused_act_unknown, "fused activation 4 (not a ck_activation)", CK_ERR_INVALID_ARGUMENT, c.pepilogue = &c.epilogue; c.epilogue.activation = (ck_activation)4) \
    X(fwd_fused_act_negative, "fused activation -1", CK_ERR_INVALID_ARGUMENT, c.pepilogue = &c.epilogue; c.epilogue.activation = (ck_activation)-1) \
    X(fwd_fused_alpha_nan, "fused LeakyReLU alpha NaN", CK_ERR_INVALID_ARGUMENT, c.pepilogue = &c.epilogue; c.epilogue.activation = CK_ACT_LEAKY_RELU; c.epilogue.alpha = NAN) \
    X(fwd_fused_alpha_inf, "fused alpha infinity", CK_ERR_INVALID_ARGUMENT, c.pepilogue = &c.epilogue; c.epilogue.alpha = INFINITY) \
    X(fwd_fused_ctx_null, "fused, ctx NULL", CK_ERR_INVALID_ARGUMENT, c.pepilogue = &c.epilogue; c.ctx = NULL) \
    X(fwd_fused_x_null, "fused, x NULL", CK_ERR_INVALID_ARGUMENT, c.pepilogue = &c.epilogue; c.px = NULL) \
    X(fwd_fused_y_small_buffer, "fused, y on a 16-byte buffer", CK_ERR_OUT_OF_BOUNDS, c.pepilogue = &c.epilogue; c.y = inv_on_small(e, c.y)) \
    X(fwd_groups_zero, "groups 0", CK_ERR_INVALID_ARGUMENT, c.p.groups = 0) \
    X(fwd_groups_negative, "groups -2", CK_ERR_INVALID_ARGUMENT, c.p.groups = -2) \
    X(fwd_channels_not_divisible, "x channels 4 not divisible by groups 3", CK_ERR_SHAPE_MISMATCH, c.p.groups = 3) \
    X(fwd_out_not_divisible, "w out channels 5 not divisible by groups 2", CK_ERR_SHAPE_MISMATCH, c.w.dims[0] = 5; c.bias.dims[0] = 5; c.y.dims[1] = 5) \
    X(fwd_w_in_per_group, "w dim 1 is 4, not C/groups = 2", CK_ERR_SHAPE_MISMATCH, c.w.dims[1] = 4) \
    X(fwd_w_groups1, "groups 1 with a weight for groups 2", CK_ERR_SHAPE_MISMATCH, c.p.groups = 1) \
    X(fwd_bias_length, "bias length 5, not O = 6", CK_ERR_SHAPE_MISMATCH, c.bias.dims[0] = 5) \
    X(fwd_y_height, "y height 4, not 5", CK_ERR_SHAPE_MISMATCH, c.y.dims[2] = 4) \
    X(fwd_y_width_larger, "y width 6, not 5", CK_ERR_SHAPE_MISMATCH, c.y.dims[3] = 6) \
    X(fwd_y_channels, "y channels 4, not O = 6", CK_ERR_SHAPE_MISMATCH, c.y.dims[1] = 4) \
    X(fwd_y_batch, "y batch 1, not 2", CK_ERR_SHAPE_MISMATCH, c.y.dims[0] = 1) \
    X(fwd_y_for_other_stride, "y for stride 1 with stride_h 2", CK_ERR_SHAPE_MISMATCH, c.p.stride_h = 2) \
    X(fwd_empty_output, "kernel 7x7 on a 5x5 input without padding (empty output)", CK_ERR_SHAPE_MISMATCH, c.p.pad_top = c.p.pad_bottom = c.p.pad_left = c.p.pad_right = 0; c.w.dims[2] = c.w.dims[3] = 7; c.y.dims[2] = c.y.dims[3] = 1) \
    X(fwd_empty_output_dilation, "dilation 4 makes the 3x3 kernel span 9 > 5 + 2", CK_ERR_SHAPE_MISMATCH, c.p.dilation_h = c.p.dilation_w = 4; c.y.dims[2] = c.y.dims[3] = 1) \
    X(fwd_y_overlaps_x, "y partly overlaps x", CK_ERR_INVALID_ARGUMENT, c.y = inv_overlapping(c.y, &c.x, 64)) \
    X(fwd_y_overlaps_w, "y starts inside w", CK_ERR_INVALID_ARGUMENT, c.y = inv_overlapping(c.y, &c.w, 100 * sizeof(float))) \
    X(fwd_y_overlaps_bias, "y overlaps bias", CK_ERR_INVALID_ARGUMENT, c.y = inv_overlapping(c.y, &c.bias, 0)) \
    X(fwd_y_is_x, "y begins where x begins", CK_ERR_INVALID_ARGUMENT, c.y = inv_overlapping(c.y, &c.x, 0))

#define BACKWARD_DATA_CASES(X) \
    X(bd_valid, "valid call", CK_OK, (void)0) \
    X(bd_valid_beta, "valid call with beta 1", CK_OK, c.beta = 1.0f) \
    X(bd_ctx_null, "ctx NULL", CK_ERR_INVALID_ARGUMENT, c.ctx = NULL) \
    X(bd_params_null, "params NULL", CK_ERR_INVALID_ARGUMENT, c.params = NULL) \
    X(bd_w_null, "w NULL", CK_ERR_INVALID_ARGUMENT, c.pw = NULL) \
    X(bd_dy_null, "dy NULL", CK_ERR_INVALID_ARGUMENT, c.pdy = NULL) \
    X(bd_dx_null, "dx NULL", CK_ERR_INVALID_ARGUMENT, c.pdx = NULL) \
    X(bd_dx_foreign, "dx on a buffer of another context", CK_ERR_INVALID_ARGUMENT, c.dx = inv_foreign(e, c.dx)) \
    X(bd_beta_nan, "beta NaN", CK_ERR_INVALID_ARGUMENT, c.beta = NAN) \
    X(bd_beta_inf, "beta infinite", CK_ERR_INVALID_ARGUMENT, c.beta = INFINITY) \
    X(bd_dy_height, "dy height 4, not 5", CK_ERR_SHAPE_MISMATCH, c.dy.dims[2] = 4) \
    X(bd_dy_channels, "dy channels 5, not O = 6", CK_ERR_SHAPE_MISMATCH, c.dy.dims[1] = 5) \
    X(bd_dx_channels, "dx channels 6 with a weight for 4", CK_ERR_SHAPE_MISMATCH, c.dx.dims[1] = 6) \
    X(bd_dx_3d, "dx 3-D", CK_ERR_SHAPE_MISMATCH, c.dx = inv_dims3(c.dx, 8, 5, 5)) \
    X(bd_stride_zero, "stride_w 0", CK_ERR_INVALID_ARGUMENT, c.p.stride_w = 0) \
    X(bd_groups_zero, "groups 0", CK_ERR_INVALID_ARGUMENT, c.p.groups = 0) \
    X(bd_pad_negative, "pad_top -1", CK_ERR_INVALID_ARGUMENT, c.p.pad_top = -1) \
    X(bd_dx_i32, "dx int32", CK_ERR_INVALID_ARGUMENT, c.dx = inv_dtype(c.dx, CK_I32)) \
    X(bd_dx_f64, "dx float64, the rest float32", INV_F64_AMONG_F32, c.dx = inv_dtype(c.dx, CK_F64)) \
    X(bd_dx_small_buffer, "dx on a 16-byte buffer", CK_ERR_OUT_OF_BOUNDS, c.dx = inv_on_small(e, c.dx)) \
    X(bd_dx_overlaps_dy, "dx partly overlaps dy", CK_ERR_INVALID_ARGUMENT, c.dx = inv_overlapping(c.dx, &c.dy, 4)) \
    X(bd_dx_overlaps_w, "dx overlaps w", CK_ERR_INVALID_ARGUMENT, c.dx = inv_overlapping(c.dx, &c.w, 0))

#define BACKWARD_WEIGHTS_CASES(X) \
    X(bw_valid, "valid call", CK_OK, (void)0) \
    X(bw_valid_no_dbias, "valid call without dbias, beta 1", CK_OK, c.pdbias = NULL; c.beta = 1.0f) \
    X(bw_ctx_null, "ctx NULL", CK_ERR_INVALID_ARGUMENT, c.ctx = NULL) \
    X(bw_params_null, "params NULL", CK_ERR_INVALID_ARGUMENT, c.params = NULL) \
    X(bw_x_null, "x NULL", CK_ERR_INVALID_ARGUMENT, c.px = NULL) \
    X(bw_dy_null, "dy NULL", CK_ERR_INVALID_ARGUMENT, c.pdy = NULL) \
    X(bw_dw_null, "dw NULL", CK_ERR_INVALID_ARGUMENT, c.pdw = NULL) \
    X(bw_dbias_foreign, "dbias on a buffer of another context", CK_ERR_INVALID_ARGUMENT, c.dbias = inv_foreign(e, c.dbias)) \
    X(bw_beta_nan, "beta NaN", CK_ERR_INVALID_ARGUMENT, c.beta = NAN) \
    X(bw_beta_minus_inf, "beta -infinity", CK_ERR_INVALID_ARGUMENT, c.beta = -INFINITY) \
    X(bw_dbias_length, "dbias length 7, not O = 6", CK_ERR_SHAPE_MISMATCH, c.dbias.dims[0] = 7) \
    X(bw_dbias_2d, "dbias 2-D (6,1)", CK_ERR_SHAPE_MISMATCH, c.dbias = inv_dims2(c.dbias, 6, 1)) \
    X(bw_dw_out, "dw out channels 4 while dy has 6", CK_ERR_SHAPE_MISMATCH, c.dw.dims[0] = 4) \
    X(bw_dw_in_per_group, "dw dim 1 is 4, not C/groups = 2", CK_ERR_SHAPE_MISMATCH, c.dw.dims[1] = 4) \
    X(bw_dw_kernel, "dw kernel 5x5 while dy is for 3x3", CK_ERR_SHAPE_MISMATCH, c.dw.dims[2] = c.dw.dims[3] = 5) \
    X(bw_dy_width, "dy width 3, not 5", CK_ERR_SHAPE_MISMATCH, c.dy.dims[3] = 3) \
    X(bw_dilation_zero, "dilation_h 0", CK_ERR_INVALID_ARGUMENT, c.p.dilation_h = 0) \
    X(bw_x_i32, "x int32", CK_ERR_INVALID_ARGUMENT, c.x = inv_dtype(c.x, CK_I32)) \
    X(bw_dw_f64, "dw float64, the rest float32", INV_F64_AMONG_F32, c.dw = inv_dtype(c.dw, CK_F64)) \
    X(bw_dw_overlaps_x, "dw partly overlaps x", CK_ERR_INVALID_ARGUMENT, c.dw = inv_overlapping(c.dw, &c.x, 8)) \
    X(bw_dw_overlaps_dy, "dw overlaps dy", CK_ERR_INVALID_ARGUMENT, c.dw = inv_overlapping(c.dw, &c.dy, 0)) \
    X(bw_dbias_overlaps_dw, "dbias inside dw", CK_ERR_INVALID_ARGUMENT, c.dbias = inv_overlapping(c.dbias, &c.dw, 16)) \
    X(bw_dbias_overlaps_dy, "dbias inside dy", CK_ERR_INVALID_ARGUMENT, c.dbias = inv_overlapping(c.dbias, &c.dy, 40))
/* clang-format on */

/* Each case: the valid call, the case's edit, then the pass. */
#define DEFINE_CASE(run_fn, edit) \
    {                             \
        conv_call c;              \
        conv_init(e, &c);         \
        edit;                     \
        *message_ctx = c.ctx;     \
        return run_fn(&c);        \
    }
#define FORWARD_FN(id, text, status, edit) \
    static ck_status id(const inv_env *e, ck_context **message_ctx) DEFINE_CASE(conv_forward, edit)
#define BACKWARD_DATA_FN(id, text, status, edit) \
    static ck_status id(const inv_env *e, ck_context **message_ctx) DEFINE_CASE(conv_backward_data, edit)
#define BACKWARD_WEIGHTS_FN(id, text, status, edit) \
    static ck_status id(const inv_env *e, ck_context **message_ctx) DEFINE_CASE(conv_backward_weights, edit)

FORWARD_CASES(FORWARD_FN)
BACKWARD_DATA_CASES(BACKWARD_DATA_FN)
BACKWARD_WEIGHTS_CASES(BACKWARD_WEIGHTS_FN)

#define FORWARD_ENTRY(id, text, status, edit) {"conv2d_forward: " text, status, id},
#define BACKWARD_DATA_ENTRY(id, text, status, edit) {"conv2d_backward_data: " text, status, id},
#define BACKWARD_WEIGHTS_ENTRY(id, text, status, edit) {"conv2d_backward_weights: " text, status, id},

static const inv_case cases[] = {
    FORWARD_CASES(FORWARD_ENTRY) BACKWARD_DATA_CASES(BACKWARD_DATA_ENTRY) BACKWARD_WEIGHTS_CASES(BACKWARD_WEIGHTS_ENTRY)
};

inv_table inv_conv_cases(void) { return (inv_table){cases, sizeof cases / sizeof cases[0]}; }
