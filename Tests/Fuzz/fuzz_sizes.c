/*
 * fuzz_sizes.c — the size helpers on any int64 / int32 input.
 *
 * The scalar helpers (ck_conv_output_size, ck_conv_transpose_output_size,
 * ck_pool_output_size) are checked against their convkit.h formulas computed
 * in 128-bit arithmetic: the result must be the exact size, or 0 when that
 * is below 1, does not fit int64 or a parameter is invalid. The library
 * refuses extents, kernels, strides, paddings and dilations above 2^31 (its
 * index arithmetic stays in int64); such a call may return 0 instead of the
 * exact size, never another value. ck_same_padding must return pads that sum
 * to the SAME total and put the odd pixel on the asked side, or fail with a
 * message. The *_output_dims helpers must either fail with a message and
 * leave y_dims alone, or give dims that the scalar helpers confirm.
 */
#include "fuzz_exec.h"

#include <string.h>

typedef __int128 wide;

/* Extents above this may be refused (see above). */
#define LIBRARY_LIMIT ((int64_t)1 << 31)
/* What y_dims holds before an *_output_dims call, to see that a failing call leaves it alone. */
#define UNTOUCHED (-77)

static wide conv_exact(int64_t in, int64_t k, int64_t s, int64_t pb, int64_t pe, int64_t d) {
    if (in < 1 || k < 1 || s < 1 || d < 1 || pb < 0 || pe < 0) return 0;
    wide span = (wide)in + pb + pe - (wide)d * (k - 1) - 1;
    return span < 0 ? 0 : span / s + 1;
}

static wide transpose_exact(int64_t in, int64_t k, int64_t s, int64_t pb, int64_t pe, int64_t d, int64_t op) {
    if (in < 1 || k < 1 || s < 1 || d < 1 || pb < 0 || pe < 0 || op < 0) return 0;
    wide out = (wide)(in - 1) * s - pb - pe + (wide)d * (k - 1) + op + 1;
    return out < 1 ? 0 : out;
}

static wide pool_exact(int64_t in, int64_t k, int64_t s, int64_t pb, int64_t pe, int64_t d, int32_t ceil_mode) {
    if (in < 1 || k < 1 || s < 1 || d < 1 || pb < 0 || pe < 0) return 0;
    wide span = (wide)in + pb + pe - (wide)d * (k - 1) - 1 + (ceil_mode ? s - 1 : 0);
    if (span < 0) return 0;
    wide out = span / s + 1;
    if (ceil_mode && (out - 1) * s >= (wide)in + pb) out--;
    return out < 1 ? 0 : out;
}

/* got must be the exact size (0 when it is < 1 or beyond int64), or 0 when a value exceeds the library's limit. */
static void check_size(const char *helper, int64_t got, wide exact, const int64_t *values, int count) {
    int beyond_limit = 0;
    for (int i = 0; i < count; i++) beyond_limit |= values[i] > LIBRARY_LIMIT;
    wide want = exact > INT64_MAX ? 0 : exact;
    if (got == want || (got == 0 && beyond_limit)) return;
    fz_fail(NULL, "%s(%lld, %lld, %lld, %lld, %lld, %lld, %lld) = %lld, want %lld", helper, (long long)values[0],
            (long long)values[1], (long long)values[2], (long long)values[3], (long long)values[4],
            (long long)values[5], (long long)(count > 6 ? values[6] : 0), (long long)got, (long long)want);
}

static void fuzz_scalar_helpers(fz_input *in, int which) {
    int64_t v[7];
    for (int i = 0; i < 7; i++) v[i] = fz_i64(in);
    if (which == 0) check_size("ck_conv_output_size", ck_conv_output_size(v[0], v[1], v[2], v[3], v[4], v[5]),
                               conv_exact(v[0], v[1], v[2], v[3], v[4], v[5]), v, 6);
    if (which == 1)
        check_size("ck_conv_transpose_output_size",
                   ck_conv_transpose_output_size(v[0], v[1], v[2], v[3], v[4], v[5], v[6]),
                   transpose_exact(v[0], v[1], v[2], v[3], v[4], v[5], v[6]), v, 7);
    if (which == 2) {
        int32_t ceil_mode = (int32_t)v[6];
        check_size("ck_pool_output_size", ck_pool_output_size(v[0], v[1], v[2], v[3], v[4], v[5], ceil_mode),
                   pool_exact(v[0], v[1], v[2], v[3], v[4], v[5], ceil_mode), v, 6);
    }
}

/* A failing helper left a new, non-empty message (on ctx, or on the thread for NULL). */
static void check_message(const char *helper, ck_context *ctx, const char *sentinel, ck_status status) {
    const char *message = ck_last_error(ctx);
    if (!message[0] || strcmp(message, sentinel) == 0)
        fz_fail(NULL, "%s failed with %s but set no message of its own (\"%s\")", helper, ck_status_string(status),
                message);
}

static void fuzz_same_padding(fz_input *in, ck_context *ctx) {
    int64_t size = fz_i64(in), kernel = fz_i64(in), stride = fz_i64(in), dilation = fz_i64(in);
    int32_t extra_at_begin = fz_u8(in) & 1, begin = UNTOUCHED, end = UNTOUCHED;
    int null_out = fz_u8(in) >= 240;
    char sentinel[MESSAGE_COPY];
    fz_set_sentinel(ctx, sentinel);
    ck_status status = ck_same_padding(ctx, size, kernel, stride, dilation, extra_at_begin, null_out ? NULL : &begin,
                                       null_out ? NULL : &end);
    if (status != CK_OK) {
        check_message("ck_same_padding", ctx, sentinel, status);
        return;
    }
    if (null_out) fz_fail(NULL, "ck_same_padding returned CK_OK with NULL outputs");
    if (size < 1 || kernel < 1 || stride < 1 || dilation < 1)
        fz_fail(NULL, "ck_same_padding(%lld, %lld, %lld, %lld) accepted a size below 1", (long long)size,
                (long long)kernel, (long long)stride, (long long)dilation);
    wide out = ((wide)size + stride - 1) / stride;
    wide total = (out - 1) * stride + (wide)dilation * (kernel - 1) + 1 - size;
    if (total < 0) total = 0;
    int32_t larger = extra_at_begin ? begin : end, smaller = extra_at_begin ? end : begin;
    if (begin < 0 || end < 0 || (wide)begin + end != total || larger - smaller > 1 || larger < smaller)
        fz_fail(NULL, "ck_same_padding(%lld, %lld, %lld, %lld, extra_at_begin %d) = (%d, %d), want a total of %lld",
                (long long)size, (long long)kernel, (long long)stride, (long long)dilation, (int)extra_at_begin,
                (int)begin, (int)end, (long long)(total > INT64_MAX ? INT64_MAX : total));
}

/* A dim for *_output_dims: small mostly, any int64 now and then. */
static int64_t dims_value(fz_input *in) {
    uint8_t b = fz_u8(in);
    return b < 200 ? 1 + b % 9 : fz_i64(in);
}

static void check_dims_result(const char *helper, ck_context *ctx, const char *sentinel, ck_status status,
                              const int64_t y[4], const wide want[4]) {
    if (status != CK_OK) {
        check_message(helper, ctx, sentinel, status);
        for (int i = 0; i < 4; i++)
            if (y[i] != UNTOUCHED) fz_fail(NULL, "%s failed with %s but wrote y_dims[%d]", helper, ck_status_string(status), i);
        return;
    }
    for (int i = 0; i < 4; i++)
        if (y[i] < 1 || (wide)y[i] != want[i])
            fz_fail(NULL, "%s: y_dims[%d] = %lld, want %lld", helper, i, (long long)y[i],
                    (long long)(want[i] > INT64_MAX ? INT64_MAX : want[i]));
}

/* Conv-like parameters for *_output_dims: ordinary values mostly, edge values now and then. */
typedef struct axis_params {
    int32_t stride[2], pad[4], dilation[2], output_padding[2], groups, kernel[2], ceil_mode;
} axis_params;

static axis_params decode_axis_params(fz_input *in) {
    axis_params a;
    for (int i = 0; i < 2; i++) a.stride[i] = fz_param(in, 1, 3);
    for (int i = 0; i < 4; i++) a.pad[i] = fz_param(in, 0, 3);
    for (int i = 0; i < 2; i++) a.dilation[i] = fz_param(in, 1, 3);
    for (int i = 0; i < 2; i++) a.output_padding[i] = fz_param(in, 0, 2);
    for (int i = 0; i < 2; i++) a.kernel[i] = fz_param(in, 1, 4);
    a.groups = fz_param(in, 1, 3);
    a.ceil_mode = fz_param(in, 0, 1);
    return a;
}

static void fuzz_conv_dims(ck_context *ctx, const axis_params *a, const int64_t x[4], const int64_t w[4]) {
    ck_conv2d_params c = {a->stride[0], a->stride[1], a->pad[0], a->pad[1], a->pad[2], a->pad[3],
                          a->dilation[0], a->dilation[1], a->groups};
    int64_t y[4] = {UNTOUCHED, UNTOUCHED, UNTOUCHED, UNTOUCHED};
    char sentinel[MESSAGE_COPY];
    fz_set_sentinel(ctx, sentinel);
    ck_status status = ck_conv2d_output_dims(ctx, &c, x, w, y);
    wide want[4] = {x[0], w[0], conv_exact(x[2], w[2], c.stride_h, c.pad_top, c.pad_bottom, c.dilation_h),
                    conv_exact(x[3], w[3], c.stride_w, c.pad_left, c.pad_right, c.dilation_w)};
    if (status == CK_OK && (wide)w[1] * c.groups != x[1])
        fz_fail(NULL, "ck_conv2d_output_dims accepted x channels %lld, weight dim 1 %lld, groups %d", (long long)x[1],
                (long long)w[1], (int)c.groups);
    check_dims_result("ck_conv2d_output_dims", ctx, sentinel, status, y, want);
}

static void fuzz_transpose_dims(ck_context *ctx, const axis_params *a, const int64_t x[4], const int64_t w[4]) {
    ck_conv_transpose2d_params t = {a->stride[0],   a->stride[1],         a->pad[0],
                                    a->pad[1],      a->pad[2],            a->pad[3],
                                    a->dilation[0], a->dilation[1],       a->output_padding[0],
                                    a->output_padding[1], a->groups};
    int64_t y[4] = {UNTOUCHED, UNTOUCHED, UNTOUCHED, UNTOUCHED};
    char sentinel[MESSAGE_COPY];
    fz_set_sentinel(ctx, sentinel);
    ck_status status = ck_conv_transpose2d_output_dims(ctx, &t, x, w, y);
    wide want[4] = {x[0], (wide)w[1] * t.groups,
                    transpose_exact(x[2], w[2], t.stride_h, t.pad_top, t.pad_bottom, t.dilation_h, t.output_padding_h),
                    transpose_exact(x[3], w[3], t.stride_w, t.pad_left, t.pad_right, t.dilation_w, t.output_padding_w)};
    if (status == CK_OK && w[0] != x[1])
        fz_fail(NULL, "ck_conv_transpose2d_output_dims accepted x channels %lld, weight dim 0 %lld", (long long)x[1],
                (long long)w[0]);
    check_dims_result("ck_conv_transpose2d_output_dims", ctx, sentinel, status, y, want);
}

static void fuzz_pool_dims(ck_context *ctx, const axis_params *a, const int64_t x[4], ck_pool_mode mode) {
    ck_pool2d_params q = ck_pool2d_params_default(mode, a->kernel[0], a->kernel[1]);
    q.stride_h = a->stride[0];
    q.stride_w = a->stride[1];
    q.pad_top = a->pad[0];
    q.pad_bottom = a->pad[1];
    q.pad_left = a->pad[2];
    q.pad_right = a->pad[3];
    q.dilation_h = a->dilation[0];
    q.dilation_w = a->dilation[1];
    q.ceil_mode = a->ceil_mode;
    int64_t y[4] = {UNTOUCHED, UNTOUCHED, UNTOUCHED, UNTOUCHED};
    char sentinel[MESSAGE_COPY];
    fz_set_sentinel(ctx, sentinel);
    ck_status status = ck_pool2d_output_dims(ctx, &q, x, y);
    wide want[4] = {x[0], x[1], pool_exact(x[2], q.kernel_h, q.stride_h, q.pad_top, q.pad_bottom, q.dilation_h, q.ceil_mode),
                    pool_exact(x[3], q.kernel_w, q.stride_w, q.pad_left, q.pad_right, q.dilation_w, q.ceil_mode)};
    check_dims_result("ck_pool2d_output_dims", ctx, sentinel, status, y, want);
}

static void fuzz_output_dims(fz_input *in, ck_context *ctx, int which) {
    int64_t x[4], w[4];
    for (int i = 0; i < 4; i++) x[i] = dims_value(in);
    for (int i = 0; i < 4; i++) w[i] = dims_value(in);
    axis_params a = decode_axis_params(in);
    if (which == 0) fuzz_conv_dims(ctx, &a, x, w);
    else if (which == 1) fuzz_transpose_dims(ctx, &a, x, w);
    else fuzz_pool_dims(ctx, &a, x, (ck_pool_mode)fz_param(in, 0, 1));
}

void fz_fuzz_sizes(fz_input *in, ck_context *ctx) {
    int which = fz_u8(in) % 7;
    if (fz_u8(in) & 1) ctx = NULL; /* the helpers take NULL: their message goes to the thread */
    if (which < 3) fuzz_scalar_helpers(in, which);
    else if (which == 3) fuzz_same_padding(in, ctx);
    else fuzz_output_dims(in, ctx, which - 4);
}
