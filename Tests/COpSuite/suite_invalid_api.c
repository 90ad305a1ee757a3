/*
 * suite_invalid_api.c — bad calls of everything that is not an op: context
 * creation and queries, buffers, SAME padding and the output-dims helpers
 * (see suite_invalid.h). Each X line names the call itself; `where` receives
 * the context the call was given (NULL: the message is the thread's).
 *
 * Statuses: a NULL pointer or a bad value is CK_ERR_INVALID_ARGUMENT; sizes
 * that do not fit each other are CK_ERR_SHAPE_MISMATCH; a size computation
 * whose result does not fit int64 (an output of INT64_MAX + 2 rows) is
 * CK_ERR_OVERFLOW, as convkit.h defines it; a range outside a buffer is
 * CK_ERR_OUT_OF_BOUNDS; an allocation of 2^63 bytes is CK_ERR_OUT_OF_MEMORY.
 */
#include "suite_invalid.h"

#include <stdint.h>

/** Creates a context with these options; destroys it again when creation succeeded. */
static ck_status create(const inv_env *e, ck_backend_kind kind, int32_t threads, ck_context **where) {
    ck_context_options options;
    ck_context_options_init(&options);
    options.backend = kind;
    options.num_threads = threads;
    ck_context *ctx = NULL;
    ck_status status = ck_context_create(&options, &ctx);
    if (status == CK_OK) ckt_expect(e->run, ctx != NULL, "ck_context_create returned ok but no context");
    ck_context_destroy(ctx);
    *where = NULL;
    return status;
}

static ck_status create_defaults(const inv_env *e, ck_context **where) {
    ck_context *ctx = NULL;
    ck_status status = ck_context_create(NULL, &ctx);
    ckt_expect(e->run, status != CK_OK || ctx != NULL, "ck_context_create(NULL options) left no context");
    ck_context_destroy(ctx);
    *where = NULL;
    return status;
}

static ck_status destroy_null(ck_context **where) {
    ck_context_destroy(NULL);
    ck_buffer_destroy(NULL);
    *where = NULL;
    return CK_OK;
}

static ck_status op_stats(ck_context *ctx, ck_op op, int with_out, ck_context **where) {
    ck_op_stats stats;
    *where = ctx;
    return ck_context_op_stats(ctx, op, with_out ? &stats : NULL);
}

static ck_status buffer_create(ck_context *ctx, size_t bytes, int with_out, ck_context **where) {
    ck_buffer *buffer = NULL;
    ck_status status = ck_buffer_create(ctx, bytes, with_out ? &buffer : NULL);
    ck_buffer_destroy(buffer);
    *where = ctx;
    return status;
}

static ck_status buffer_write(ck_context *ctx, ck_buffer *buffer, size_t offset, int with_host, size_t bytes,
                              ck_context **where) {
    static const unsigned char host[64];
    *where = ctx;
    return ck_buffer_write(ctx, buffer, offset, with_host ? host : NULL, bytes);
}

static ck_status buffer_read(ck_context *ctx, const ck_buffer *buffer, size_t offset, int with_host, size_t bytes,
                             ck_context **where) {
    unsigned char host[64];
    *where = ctx;
    return ck_buffer_read(ctx, buffer, offset, with_host ? host : NULL, bytes);
}

static ck_status same_padding(ck_context *ctx, int64_t in, int64_t kernel, int64_t stride, int64_t dilation,
                              int with_out, ck_context **where) {
    int32_t begin = 0, end = 0;
    *where = ctx;
    return ck_same_padding(ctx, in, kernel, stride, dilation, 0, with_out ? &begin : NULL, with_out ? &end : NULL);
}

/** ck_conv2d_output_dims for x (2,4,H,W), w (6,4/groups,3,3) and params `p` edited by the case. */
static ck_status conv_dims(ck_context *ctx, ck_conv2d_params p, int64_t h, int64_t w, int64_t kernel,
                           int with_params, ck_context **where) {
    const int64_t x_dims[4] = {2, 4, h, w};
    const int64_t w_dims[4] = {6, p.groups > 0 ? 4 / p.groups : 4, kernel, kernel};
    int64_t y_dims[4];
    *where = ctx;
    return ck_conv2d_output_dims(ctx, with_params ? &p : NULL, x_dims, w_dims, y_dims);
}

static ck_conv2d_params conv_params(int32_t stride, int32_t pad, int32_t groups) {
    ck_conv2d_params p = ck_conv2d_params_default();
    p.stride_h = p.stride_w = stride;
    p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = pad;
    p.groups = groups;
    return p;
}

static ck_status conv_dims_null_array(ck_context *ctx, ck_context **where) {
    const ck_conv2d_params p = ck_conv2d_params_default();
    const int64_t w_dims[4] = {6, 4, 3, 3};
    int64_t y_dims[4];
    *where = ctx;
    return ck_conv2d_output_dims(ctx, &p, NULL, w_dims, y_dims);
}

/** ck_conv_transpose2d_output_dims for x (2,4,H,H) and w (C,3,3,3) with this stride and output_padding. */
static ck_status transpose_dims(ck_context *ctx, int64_t h, int32_t stride, int32_t output_padding, int64_t c,
                                ck_context **where) {
    ck_conv_transpose2d_params p = ck_conv_transpose2d_params_default();
    p.stride_h = p.stride_w = stride;
    p.output_padding_h = p.output_padding_w = output_padding;
    const int64_t x_dims[4] = {2, 4, h, h};
    const int64_t w_dims[4] = {c, 3, 3, 3};
    int64_t y_dims[4];
    *where = ctx;
    return ck_conv_transpose2d_output_dims(ctx, &p, x_dims, w_dims, y_dims);
}

/** ck_conv2d_output_dims (transpose 0) or ck_conv_transpose2d_output_dims for x (1,2,5,5), w (2,W1,3,3), groups 2. */
static ck_status grouped_dims(ck_context *ctx, int transpose, int64_t w1, ck_context **where) {
    const int64_t x_dims[4] = {1, 2, 5, 5}, w_dims[4] = {2, w1, 3, 3};
    int64_t y_dims[4];
    *where = ctx;
    if (!transpose) {
        ck_conv2d_params p = ck_conv2d_params_default();
        p.groups = 2;
        return ck_conv2d_output_dims(ctx, &p, x_dims, w_dims, y_dims);
    }
    ck_conv_transpose2d_params p = ck_conv_transpose2d_params_default();
    p.groups = 2;
    return ck_conv_transpose2d_output_dims(ctx, &p, x_dims, w_dims, y_dims);
}

/** ck_pool2d_output_dims for x (2,3,H,6) with a 3x3 max window, stride 1 and padding `pad`. */
static ck_status pool_dims(ck_context *ctx, int64_t h, int32_t kernel, int32_t pad, int with_params,
                           ck_context **where) {
    ck_pool2d_params p = ck_pool2d_params_default(CK_POOL_MAX, kernel, kernel);
    p.stride_h = p.stride_w = 1;
    p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = pad;
    const int64_t x_dims[4] = {2, 3, h, 6};
    int64_t y_dims[4];
    *where = ctx;
    return ck_pool2d_output_dims(ctx, with_params ? &p : NULL, x_dims, y_dims);
}

#define SIZE_HALF (SIZE_MAX / 2 + 1)
#define CTX e->ctx

/* clang-format off */
#define API_CASES(X) \
    X(ctx_defaults, "ck_context_create: NULL options (defaults)", CK_OK, create_defaults(e, where)) \
    X(ctx_reference_one_thread, "ck_context_create: reference, 1 thread", CK_OK, create(e, CK_BACKEND_REFERENCE, 1, where)) \
    X(ctx_out_null, "ck_context_create: out_context NULL", CK_ERR_INVALID_ARGUMENT, (*where = NULL, ck_context_create(NULL, NULL))) \
    X(ctx_threads_negative, "ck_context_create: num_threads -1", CK_ERR_INVALID_ARGUMENT, create(e, CK_BACKEND_CPU, -1, where)) \
    X(ctx_threads_int32_min, "ck_context_create: num_threads INT32_MIN", CK_ERR_INVALID_ARGUMENT, create(e, CK_BACKEND_CPU, INT32_MIN, where)) \
    X(ctx_backend_unknown, "ck_context_create: backend 99", CK_ERR_INVALID_ARGUMENT, create(e, (ck_backend_kind)99, 0, where)) \
    X(ctx_backend_negative, "ck_context_create: backend -1", CK_ERR_INVALID_ARGUMENT, create(e, (ck_backend_kind)-1, 0, where)) \
    X(ctx_destroy_null, "ck_context_destroy(NULL), ck_buffer_destroy(NULL) are no-ops", CK_OK, destroy_null(where)) \
    X(ctx_finish_valid, "ck_context_finish", CK_OK, (*where = CTX, ck_context_finish(CTX))) \
    X(ctx_finish_null, "ck_context_finish: ctx NULL", CK_ERR_INVALID_ARGUMENT, (*where = NULL, ck_context_finish(NULL))) \
    X(stats_valid, "ck_context_op_stats", CK_OK, op_stats(CTX, CK_OP_GEMM, 1, where)) \
    X(stats_ctx_null, "ck_context_op_stats: ctx NULL", CK_ERR_INVALID_ARGUMENT, op_stats(NULL, CK_OP_GEMM, 1, where)) \
    X(stats_op_count, "ck_context_op_stats: op CK_OP_COUNT", CK_ERR_INVALID_ARGUMENT, op_stats(CTX, CK_OP_COUNT, 1, where)) \
    X(stats_op_negative, "ck_context_op_stats: op -1", CK_ERR_INVALID_ARGUMENT, op_stats(CTX, (ck_op)-1, 1, where)) \
    X(stats_out_null, "ck_context_op_stats: out_stats NULL", CK_ERR_INVALID_ARGUMENT, op_stats(CTX, CK_OP_GEMM, 0, where)) \
    X(buf_valid, "ck_buffer_create: 1 byte", CK_OK, buffer_create(CTX, 1, 1, where)) \
    X(buf_zero, "ck_buffer_create: 0 bytes", CK_ERR_INVALID_ARGUMENT, buffer_create(CTX, 0, 1, where)) \
    X(buf_ctx_null, "ck_buffer_create: ctx NULL", CK_ERR_INVALID_ARGUMENT, buffer_create(NULL, 64, 1, where)) \
    X(buf_out_null, "ck_buffer_create: out_buffer NULL", CK_ERR_INVALID_ARGUMENT, buffer_create(CTX, 64, 0, where)) \
    X(buf_huge, "ck_buffer_create: 2^63 bytes", CK_ERR_OUT_OF_MEMORY, buffer_create(CTX, SIZE_HALF, 1, where)) \
    X(write_valid, "ck_buffer_write: 16 bytes", CK_OK, buffer_write(CTX, e->small, 0, 1, 16, where)) \
    X(write_ctx_null, "ck_buffer_write: ctx NULL", CK_ERR_INVALID_ARGUMENT, buffer_write(NULL, e->small, 0, 1, 4, where)) \
    X(write_buffer_null, "ck_buffer_write: buffer NULL", CK_ERR_INVALID_ARGUMENT, buffer_write(CTX, NULL, 0, 1, 4, where)) \
    X(write_src_null, "ck_buffer_write: src NULL", CK_ERR_INVALID_ARGUMENT, buffer_write(CTX, e->small, 0, 0, 4, where)) \
    X(write_foreign, "ck_buffer_write: a buffer of another context", CK_ERR_INVALID_ARGUMENT, buffer_write(CTX, e->foreign, 0, 1, 4, where)) \
    X(write_past_end, "ck_buffer_write: 16 bytes at offset 4 of a 16-byte buffer", CK_ERR_OUT_OF_BOUNDS, buffer_write(CTX, e->small, 4, 1, 16, where)) \
    X(write_offset_beyond, "ck_buffer_write: offset 17 of a 16-byte buffer", CK_ERR_OUT_OF_BOUNDS, buffer_write(CTX, e->small, 17, 1, 0, where)) \
    X(write_offset_wraps, "ck_buffer_write: offset SIZE_MAX, 2 bytes (wraps around)", CK_ERR_OUT_OF_BOUNDS, buffer_write(CTX, e->small, SIZE_MAX, 1, 2, where)) \
    X(read_valid, "ck_buffer_read: 16 bytes", CK_OK, buffer_read(CTX, e->small, 0, 1, 16, where)) \
    X(read_dst_null, "ck_buffer_read: dst NULL", CK_ERR_INVALID_ARGUMENT, buffer_read(CTX, e->small, 0, 0, 4, where)) \
    X(read_foreign, "ck_buffer_read: a buffer of another context", CK_ERR_INVALID_ARGUMENT, buffer_read(CTX, e->foreign, 0, 1, 4, where)) \
    X(read_past_end, "ck_buffer_read: 8 bytes at offset 12 of a 16-byte buffer", CK_ERR_OUT_OF_BOUNDS, buffer_read(CTX, e->small, 12, 1, 8, where)) \
    X(read_size_wraps, "ck_buffer_read: offset 8, SIZE_MAX bytes (wraps around)", CK_ERR_OUT_OF_BOUNDS, buffer_read(CTX, e->small, 8, 1, SIZE_MAX, where)) \
    X(same_valid, "ck_same_padding", CK_OK, same_padding(CTX, 7, 4, 2, 1, 1, where)) \
    X(same_in_zero, "ck_same_padding: in 0", CK_ERR_INVALID_ARGUMENT, same_padding(CTX, 0, 3, 1, 1, 1, where)) \
    X(same_kernel_zero, "ck_same_padding: kernel 0", CK_ERR_INVALID_ARGUMENT, same_padding(CTX, 5, 0, 1, 1, 1, where)) \
    X(same_stride_zero, "ck_same_padding: stride 0", CK_ERR_INVALID_ARGUMENT, same_padding(CTX, 5, 3, 0, 1, 1, where)) \
    X(same_dilation_negative, "ck_same_padding: dilation -1", CK_ERR_INVALID_ARGUMENT, same_padding(CTX, 5, 3, 1, -1, 1, where)) \
    X(same_out_null, "ck_same_padding: pad_begin and pad_end NULL", CK_ERR_INVALID_ARGUMENT, same_padding(CTX, 5, 3, 1, 1, 0, where)) \
    X(same_ctx_null, "ck_same_padding: ctx NULL, in -4", CK_ERR_INVALID_ARGUMENT, same_padding(NULL, -4, 3, 1, 1, 1, where)) \
    X(same_beyond_int32, "ck_same_padding: kernel and dilation 2^31 need 2^62 padding (found by fuzzing)", CK_ERR_OVERFLOW, \
      same_padding(CTX, 1, (int64_t)1 << 31, 1, (int64_t)1 << 31, 1, where)) \
    X(same_pad_beyond_int32, "ck_same_padding: kernel 2^33 (padding beyond int32)", CK_ERR_OVERFLOW, same_padding(CTX, 1, (int64_t)1 << 33, 1, 1, 1, where)) \
    X(same_extent_beyond_int64, "ck_same_padding: dilation * kernel beyond int64", CK_ERR_OVERFLOW, same_padding(CTX, 1, (int64_t)1 << 40, 1, (int64_t)1 << 40, 1, where)) \
    X(convdims_valid, "ck_conv2d_output_dims", CK_OK, conv_dims(CTX, conv_params(1, 1, 1), 5, 5, 3, 1, where)) \
    X(convdims_params_null, "ck_conv2d_output_dims: params NULL", CK_ERR_INVALID_ARGUMENT, conv_dims(CTX, conv_params(1, 1, 1), 5, 5, 3, 0, where)) \
    X(convdims_x_null, "ck_conv2d_output_dims: x_dims NULL", CK_ERR_INVALID_ARGUMENT, conv_dims_null_array(CTX, where)) \
    X(convdims_ctx_null, "ck_conv2d_output_dims: ctx NULL, stride 0", CK_ERR_INVALID_ARGUMENT, conv_dims(NULL, conv_params(0, 1, 1), 5, 5, 3, 1, where)) \
    X(convdims_height_zero, "ck_conv2d_output_dims: height 0", CK_ERR_INVALID_ARGUMENT, conv_dims(CTX, conv_params(1, 1, 1), 0, 5, 3, 1, where)) \
    X(convdims_kernel_negative, "ck_conv2d_output_dims: kernel -3", CK_ERR_INVALID_ARGUMENT, conv_dims(CTX, conv_params(1, 1, 1), 5, 5, -3, 1, where)) \
    X(convdims_pad_negative, "ck_conv2d_output_dims: pad -1", CK_ERR_INVALID_ARGUMENT, conv_dims(CTX, conv_params(1, -1, 1), 5, 5, 3, 1, where)) \
    X(convdims_groups, "ck_conv2d_output_dims: 4 channels, groups 3", CK_ERR_SHAPE_MISMATCH, conv_dims(CTX, conv_params(1, 1, 3), 5, 5, 3, 1, where)) \
    X(convdims_empty, "ck_conv2d_output_dims: 5x5 kernel on 2x2 without padding", CK_ERR_SHAPE_MISMATCH, conv_dims(CTX, conv_params(1, 0, 1), 2, 2, 5, 1, where)) \
    X(convdims_overflow, "ck_conv2d_output_dims: height INT64_MAX, kernel 1, pad 1: INT64_MAX + 2 rows overflow int64", CK_ERR_OVERFLOW, conv_dims(CTX, conv_params(1, 1, 1), INT64_MAX, 5, 1, 1, where)) \
    X(tdims_valid, "ck_conv_transpose2d_output_dims", CK_OK, transpose_dims(CTX, 3, 2, 1, 4, where)) \
    X(tdims_outpad, "ck_conv_transpose2d_output_dims: output_padding 2 with stride 2", CK_ERR_INVALID_ARGUMENT, transpose_dims(CTX, 3, 2, 2, 4, where)) \
    X(tdims_in_channels, "ck_conv_transpose2d_output_dims: weight dim 0 is 5 for 4 channels", CK_ERR_SHAPE_MISMATCH, transpose_dims(CTX, 3, 2, 1, 5, where)) \
    X(convdims_groups_product, "ck_conv2d_output_dims: weight dim 1 2^62 x groups 2 overflows (found by fuzzing)", CK_ERR_OVERFLOW, \
      grouped_dims(CTX, 0, (int64_t)1 << 62, where)) \
    X(tdims_out_channels, "ck_conv_transpose2d_output_dims: output channels 2^62 x groups 2 overflow (found by fuzzing)", \
      CK_ERR_OVERFLOW, grouped_dims(CTX, 1, (int64_t)1 << 62, where)) \
    X(tdims_overflow, "ck_conv_transpose2d_output_dims: (2^62 - 1) * stride 4 overflows int64", CK_ERR_OVERFLOW, transpose_dims(CTX, (int64_t)1 << 62, 4, 0, 4, where)) \
    X(pdims_valid, "ck_pool2d_output_dims", CK_OK, pool_dims(CTX, 6, 3, 1, 1, where)) \
    X(pdims_params_null, "ck_pool2d_output_dims: params NULL", CK_ERR_INVALID_ARGUMENT, pool_dims(CTX, 6, 3, 1, 0, where)) \
    X(pdims_kernel_zero, "ck_pool2d_output_dims: kernel 0", CK_ERR_INVALID_ARGUMENT, pool_dims(CTX, 6, 0, 0, 1, where)) \
    X(pdims_height_negative, "ck_pool2d_output_dims: height -6", CK_ERR_INVALID_ARGUMENT, pool_dims(CTX, -6, 3, 1, 1, where)) \
    X(pdims_pad_extent, "ck_pool2d_output_dims: pad 3 with a 3x3 window", CK_ERR_INVALID_ARGUMENT, pool_dims(CTX, 6, 3, 3, 1, where)) \
    X(pdims_empty, "ck_pool2d_output_dims: 7x7 window on height 4 without padding", CK_ERR_SHAPE_MISMATCH, pool_dims(CTX, 4, 7, 0, 1, where)) \
    X(pdims_overflow, "ck_pool2d_output_dims: height INT64_MAX, window 3, pad 2: INT64_MAX + 2 rows overflow int64", CK_ERR_OVERFLOW, pool_dims(CTX, INT64_MAX, 3, 2, 1, where))
/* clang-format on */

#define API_FN(id, text, status, call) \
    static ck_status id(const inv_env *e, ck_context **where) { (void)e; return call; }
API_CASES(API_FN)

#define API_ENTRY(id, text, status, call) {text, status, id},
static const inv_case cases[] = {API_CASES(API_ENTRY)};

inv_table inv_api_cases(void) { return (inv_table){cases, sizeof cases / sizeof cases[0]}; }
