/*
 * suite_invalid_conv_transpose.c — bad calls of the three transposed-conv2d
 * passes (see suite_invalid.h for how a case is written, and
 * suite_invalid_conv.c for which status each kind of fault gets).
 *
 * Valid call: groups 2, stride 2, pad 1, output_padding 1:
 * x (2,4,3,3), w (4,3,3,3) IOHW, bias (6), y (2,6,6,6), since
 * OH = (3-1)*2 - 1 - 1 + (3-1) + 1 + 1 = 6 (the same with stride 1, dilation 2).
 * output_padding must be smaller than max(stride, dilation) (convkit.h).
 */
#include "suite_invalid.h"

#include <math.h>
#include <stdint.h>

typedef struct transpose_call {
    ck_context *ctx;
    ck_conv_transpose2d_params p;
    ck_tensor x, w, bias, y, dx, dy, dw, dbias;
    float beta;
    const ck_conv_transpose2d_params *params;
    const ck_tensor *px, *pw, *pbias, *py, *pdx, *pdy, *pdw, *pdbias;
} transpose_call;

static void transpose_init(const inv_env *e, transpose_call *c) {
    c->ctx = e->ctx;
    c->p = ck_conv_transpose2d_params_default();
    c->p.stride_h = c->p.stride_w = 2;
    c->p.pad_top = c->p.pad_bottom = c->p.pad_left = c->p.pad_right = 1;
    c->p.output_padding_h = c->p.output_padding_w = 1;
    c->p.groups = 2;
    c->x = e->transpose.x, c->w = e->transpose.w, c->bias = e->transpose.bias, c->y = e->transpose.y;
    c->dx = e->transpose.dx, c->dy = e->transpose.dy, c->dw = e->transpose.dw, c->dbias = e->transpose.dbias;
    c->beta = 0.0f;
    c->params = &c->p;
    c->px = &c->x, c->pw = &c->w, c->pbias = &c->bias, c->py = &c->y;
    c->pdx = &c->dx, c->pdy = &c->dy, c->pdw = &c->dw, c->pdbias = &c->dbias;
}

static ck_status transpose_forward(const transpose_call *c) {
    return ck_conv_transpose2d_forward(c->ctx, c->params, c->px, c->pw, c->pbias, c->py);
}

static ck_status transpose_backward_data(const transpose_call *c) {
    return ck_conv_transpose2d_backward_data(c->ctx, c->params, c->pw, c->pdy, c->beta, c->pdx);
}

static ck_status transpose_backward_weights(const transpose_call *c) {
    return ck_conv_transpose2d_backward_weights(c->ctx, c->params, c->px, c->pdy, c->beta, c->pdw, c->pdbias);
}

/* clang-format off */
#define FORWARD_CASES(X) \
    X(fwd_valid, "valid call", CK_OK, (void)0) \
    X(fwd_valid_no_bias, "valid call without bias", CK_OK, c.pbias = NULL) \
    X(fwd_valid_outpad_below_dilation, "output_padding 1 with stride 1, dilation 2 (< max(stride, dilation))", CK_OK, c.p.stride_h = c.p.stride_w = 1; c.p.dilation_h = c.p.dilation_w = 2) \
    X(fwd_ctx_null, "ctx NULL", CK_ERR_INVALID_ARGUMENT, c.ctx = NULL) \
    X(fwd_params_null, "params NULL", CK_ERR_INVALID_ARGUMENT, c.params = NULL) \
    X(fwd_x_null, "x NULL", CK_ERR_INVALID_ARGUMENT, c.px = NULL) \
    X(fwd_w_null, "w NULL", CK_ERR_INVALID_ARGUMENT, c.pw = NULL) \
    X(fwd_y_null, "y NULL", CK_ERR_INVALID_ARGUMENT, c.py = NULL) \
    X(fwd_w_no_buffer, "w has a NULL buffer", CK_ERR_INVALID_ARGUMENT, c.w = inv_no_buffer(c.w)) \
    X(fwd_y_foreign, "y on a buffer of another context", CK_ERR_INVALID_ARGUMENT, c.y = inv_foreign(e, c.y)) \
    X(fwd_x_3d, "x 3-D", CK_ERR_SHAPE_MISMATCH, c.x = inv_dims3(c.x, 8, 3, 3)) \
    X(fwd_x_height_zero, "x height 0", CK_ERR_INVALID_ARGUMENT, c.x.dims[2] = 0) \
    X(fwd_w_kernel_zero, "kernel width 0", CK_ERR_INVALID_ARGUMENT, c.w.dims[3] = 0) \
    X(fwd_w_out_negative, "w dim 1 (O/groups) -3", CK_ERR_INVALID_ARGUMENT, c.w.dims[1] = -3) \
    X(fwd_x_bytes_overflow, "x 4 dims of 2^20 (byte size overflows size_t)", CK_ERR_OVERFLOW, c.x = inv_on_small(e, inv_dims4(c.x, (int64_t)1 << 20, (int64_t)1 << 20, (int64_t)1 << 20, (int64_t)1 << 20))) \
    X(fwd_y_small_buffer, "y on a 16-byte buffer", CK_ERR_OUT_OF_BOUNDS, c.y = inv_on_small(e, c.y)) \
    X(fwd_w_i32, "w int32", CK_ERR_INVALID_ARGUMENT, c.w = inv_dtype(c.w, CK_I32)) \
    X(fwd_w_f64, "w float64, the rest float32", INV_F64_AMONG_F32, c.w = inv_dtype(c.w, CK_F64)) \
    X(fwd_stride_h_zero, "stride_h 0", CK_ERR_INVALID_ARGUMENT, c.p.stride_h = 0) \
    X(fwd_stride_w_negative, "stride_w -2", CK_ERR_INVALID_ARGUMENT, c.p.stride_w = -2) \
    X(fwd_dilation_h_zero, "dilation_h 0", CK_ERR_INVALID_ARGUMENT, c.p.dilation_h = 0) \
    X(fwd_dilation_w_zero, "dilation_w 0", CK_ERR_INVALID_ARGUMENT, c.p.dilation_w = 0) \
    X(fwd_pad_top_negative, "pad_top -1", CK_ERR_INVALID_ARGUMENT, c.p.pad_top = -1) \
    X(fwd_pad_bottom_negative, "pad_bottom -1", CK_ERR_INVALID_ARGUMENT, c.p.pad_bottom = -1) \
    X(fwd_pad_left_negative, "pad_left -1", CK_ERR_INVALID_ARGUMENT, c.p.pad_left = -1) \
    X(fwd_pad_right_negative, "pad_right -1", CK_ERR_INVALID_ARGUMENT, c.p.pad_right = -1) \
    X(fwd_outpad_h_equals_stride, "output_padding_h 2 = max(stride 2, dilation 1)", CK_ERR_INVALID_ARGUMENT, c.p.output_padding_h = 2) \
    X(fwd_outpad_w_above_stride, "output_padding_w 3 > max(stride 2, dilation 1)", CK_ERR_INVALID_ARGUMENT, c.p.output_padding_w = 3) \
    X(fwd_outpad_stride1, "output_padding 1 with stride 1, dilation 1", CK_ERR_INVALID_ARGUMENT, c.p.stride_h = c.p.stride_w = 1) \
    X(fwd_outpad_negative, "output_padding_h -1", CK_ERR_INVALID_ARGUMENT, c.p.output_padding_h = -1) \
    X(fwd_groups_zero, "groups 0", CK_ERR_INVALID_ARGUMENT, c.p.groups = 0) \
    X(fwd_groups_negative, "groups -1", CK_ERR_INVALID_ARGUMENT, c.p.groups = -1) \
    X(fwd_channels_not_divisible, "x channels 4 not divisible by groups 3", CK_ERR_SHAPE_MISMATCH, c.p.groups = 3) \
    X(fwd_w_in_channels, "w dim 0 is 3, not C = 4", CK_ERR_SHAPE_MISMATCH, c.w.dims[0] = 3) \
    X(fwd_bias_length, "bias length 3, not O = 6", CK_ERR_SHAPE_MISMATCH, c.bias.dims[0] = 3) \
    X(fwd_y_channels_groups1, "groups 1: y needs O = 3 channels, has 6", CK_ERR_SHAPE_MISMATCH, c.p.groups = 1) \
    X(fwd_y_height, "y height 5 (output_padding ignored)", CK_ERR_SHAPE_MISMATCH, c.y.dims[2] = 5) \
    X(fwd_y_width, "y width 7", CK_ERR_SHAPE_MISMATCH, c.y.dims[3] = 7) \
    X(fwd_y_batch, "y batch 3", CK_ERR_SHAPE_MISMATCH, c.y.dims[0] = 3) \
    X(fwd_empty_output, "pad_top and pad_bottom 4 crop all 7 rows of the output", CK_ERR_SHAPE_MISMATCH, c.p.output_padding_h = c.p.output_padding_w = 0; c.p.pad_top = c.p.pad_bottom = 4; c.y.dims[2] = 1) \
    X(fwd_y_overlaps_x, "y partly overlaps x", CK_ERR_INVALID_ARGUMENT, c.y = inv_overlapping(c.y, &c.x, 128)) \
    X(fwd_y_overlaps_w, "y overlaps w", CK_ERR_INVALID_ARGUMENT, c.y = inv_overlapping(c.y, &c.w, 0)) \
    X(fwd_y_overlaps_bias, "y overlaps bias", CK_ERR_INVALID_ARGUMENT, c.y = inv_overlapping(c.y, &c.bias, 4))

#define BACKWARD_DATA_CASES(X) \
    X(bd_valid, "valid call", CK_OK, (void)0) \
    X(bd_ctx_null, "ctx NULL", CK_ERR_INVALID_ARGUMENT, c.ctx = NULL) \
    X(bd_params_null, "params NULL", CK_ERR_INVALID_ARGUMENT, c.params = NULL) \
    X(bd_dx_null, "dx NULL", CK_ERR_INVALID_ARGUMENT, c.pdx = NULL) \
    X(bd_dy_null, "dy NULL", CK_ERR_INVALID_ARGUMENT, c.pdy = NULL) \
    X(bd_beta_nan, "beta NaN", CK_ERR_INVALID_ARGUMENT, c.beta = NAN) \
    X(bd_outpad_too_large, "output_padding_w 2 = stride 2", CK_ERR_INVALID_ARGUMENT, c.p.output_padding_w = 2) \
    X(bd_dy_height, "dy height 5, not 6", CK_ERR_SHAPE_MISMATCH, c.dy.dims[2] = 5) \
    X(bd_dy_channels, "dy channels 4, not 6", CK_ERR_SHAPE_MISMATCH, c.dy.dims[1] = 4) \
    X(bd_dx_channels, "dx channels 2 with an IOHW weight for 4", CK_ERR_SHAPE_MISMATCH, c.dx.dims[1] = 2) \
    X(bd_dx_i32, "dx int32", CK_ERR_INVALID_ARGUMENT, c.dx = inv_dtype(c.dx, CK_I32)) \
    X(bd_dx_overlaps_dy, "dx partly overlaps dy", CK_ERR_INVALID_ARGUMENT, c.dx = inv_overlapping(c.dx, &c.dy, 256)) \
    X(bd_dx_overlaps_w, "dx overlaps w", CK_ERR_INVALID_ARGUMENT, c.dx = inv_overlapping(c.dx, &c.w, 12))

#define BACKWARD_WEIGHTS_CASES(X) \
    X(bw_valid, "valid call", CK_OK, (void)0) \
    X(bw_valid_no_dbias, "valid call without dbias", CK_OK, c.pdbias = NULL) \
    X(bw_ctx_null, "ctx NULL", CK_ERR_INVALID_ARGUMENT, c.ctx = NULL) \
    X(bw_params_null, "params NULL", CK_ERR_INVALID_ARGUMENT, c.params = NULL) \
    X(bw_dw_null, "dw NULL", CK_ERR_INVALID_ARGUMENT, c.pdw = NULL) \
    X(bw_x_foreign, "x on a buffer of another context", CK_ERR_INVALID_ARGUMENT, c.x = inv_foreign(e, c.x)) \
    X(bw_beta_inf, "beta infinite", CK_ERR_INVALID_ARGUMENT, c.beta = INFINITY) \
    X(bw_dbias_length, "dbias length 3, not O = 6", CK_ERR_SHAPE_MISMATCH, c.dbias.dims[0] = 3) \
    X(bw_dw_out_per_group, "dw dim 1 is 2: y would have 4 channels, dy has 6", CK_ERR_SHAPE_MISMATCH, c.dw.dims[1] = 2) \
    X(bw_dw_in, "dw dim 0 is 2, not C = 4", CK_ERR_SHAPE_MISMATCH, c.dw.dims[0] = 2) \
    X(bw_groups_zero, "groups 0", CK_ERR_INVALID_ARGUMENT, c.p.groups = 0) \
    X(bw_dw_overlaps_dy, "dw partly overlaps dy", CK_ERR_INVALID_ARGUMENT, c.dw = inv_overlapping(c.dw, &c.dy, 4)) \
    X(bw_dbias_overlaps_dw, "dbias overlaps dw", CK_ERR_INVALID_ARGUMENT, c.dbias = inv_overlapping(c.dbias, &c.dw, 0))
/* clang-format on */

/* Each case: the valid call, the case's edit, then the pass. */
#define DEFINE_CASE(run_fn, edit) \
    {                             \
        transpose_call c;         \
        transpose_init(e, &c);    \
        edit;                     \
        *message_ctx = c.ctx;     \
        return run_fn(&c);        \
    }
#define FORWARD_FN(id, text, status, edit) \
    static ck_status id(const inv_env *e, ck_context **message_ctx) DEFINE_CASE(transpose_forward, edit)
#define BACKWARD_DATA_FN(id, text, status, edit) \
    static ck_status id(const inv_env *e, ck_context **message_ctx) DEFINE_CASE(transpose_backward_data, edit)
#define BACKWARD_WEIGHTS_FN(id, text, status, edit) \
    static ck_status id(const inv_env *e, ck_context **message_ctx) DEFINE_CASE(transpose_backward_weights, edit)

FORWARD_CASES(FORWARD_FN)
BACKWARD_DATA_CASES(BACKWARD_DATA_FN)
BACKWARD_WEIGHTS_CASES(BACKWARD_WEIGHTS_FN)

#define FORWARD_ENTRY(id, text, status, edit) {"conv_transpose2d_forward: " text, status, id},
#define BACKWARD_DATA_ENTRY(id, text, status, edit) {"conv_transpose2d_backward_data: " text, status, id},
#define BACKWARD_WEIGHTS_ENTRY(id, text, status, edit) {"conv_transpose2d_backward_weights: " text, status, id},

static const inv_case cases[] = {
    FORWARD_CASES(FORWARD_ENTRY) BACKWARD_DATA_CASES(BACKWARD_DATA_ENTRY) BACKWARD_WEIGHTS_CASES(BACKWARD_WEIGHTS_ENTRY)
};

inv_table inv_conv_transpose_cases(void) { return (inv_table){cases, sizeof cases / sizeof cases[0]}; }
