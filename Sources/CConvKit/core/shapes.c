/* shapes.c — PyTorch-exact output sizes, SAME padding and default parameters. */
#include "core/internal.h"
#include "core/validate.h"

static int64_t floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

int64_t ck_conv_output_size(int64_t in, int64_t kernel, int64_t stride, int64_t pad_begin, int64_t pad_end,
                            int64_t dilation) {
    if (in < 1 || kernel < 1 || stride < 1 || dilation < 1 || pad_begin < 0 || pad_end < 0) return 0;
    if (in > CK_MAX_EXTENT || kernel > CK_MAX_EXTENT || pad_begin > CK_MAX_EXTENT || pad_end > CK_MAX_EXTENT ||
        dilation > CK_MAX_EXTENT || stride > CK_MAX_EXTENT) return 0;
    int64_t span = in + pad_begin + pad_end - dilation * (kernel - 1) - 1;
    if (span < 0) return 0;
    return span / stride + 1;
}

int64_t ck_conv_transpose_output_size(int64_t in, int64_t kernel, int64_t stride, int64_t pad_begin,
                                      int64_t pad_end, int64_t dilation, int64_t output_padding) {
    if (in < 1 || kernel < 1 || stride < 1 || dilation < 1 || pad_begin < 0 || pad_end < 0 || output_padding < 0)
        return 0;
    if (in > CK_MAX_EXTENT || kernel > CK_MAX_EXTENT || pad_begin > CK_MAX_EXTENT || pad_end > CK_MAX_EXTENT ||
        dilation > CK_MAX_EXTENT || stride > CK_MAX_EXTENT || output_padding > CK_MAX_EXTENT) return 0;
    int64_t out = (in - 1) * stride - pad_begin - pad_end + dilation * (kernel - 1) + output_padding + 1;
    return out >= 1 ? out : 0;
}

int64_t ck_pool_output_size(int64_t in, int64_t kernel, int64_t stride, int64_t pad_begin, int64_t pad_end,
                            int64_t dilation, int32_t ceil_mode) {
    if (in < 1 || kernel < 1 || stride < 1 || dilation < 1 || pad_begin < 0 || pad_end < 0) return 0;
    if (in > CK_MAX_EXTENT || kernel > CK_MAX_EXTENT || pad_begin > CK_MAX_EXTENT || pad_end > CK_MAX_EXTENT ||
        dilation > CK_MAX_EXTENT || stride > CK_MAX_EXTENT) return 0;
    int64_t span = in + pad_begin + pad_end - dilation * (kernel - 1) - 1 + (ceil_mode ? stride - 1 : 0);
    if (span < 0) return 0;
    int64_t out = floor_div(span, stride) + 1;
    /* PyTorch: in ceil mode the last window must start inside the input or the leading padding. */
    if (ceil_mode && (out - 1) * stride >= in + pad_begin) out--;
    return out >= 1 ? out : 0;
}

ck_status ck_same_padding(ck_context *ctx, int64_t in, int64_t kernel, int64_t stride, int64_t dilation,
                          int32_t extra_at_begin, int32_t *pad_begin, int32_t *pad_end) {
    if (!pad_begin || !pad_end) return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT, "ck_same_padding: output pointers are NULL");
    if (in < 1 || kernel < 1 || stride < 1 || dilation < 1)
        return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT,
                            "ck_same_padding: in=%lld kernel=%lld stride=%lld dilation=%lld; each must be >= 1",
                            (long long)in, (long long)kernel, (long long)stride, (long long)dilation);
    if (in > CK_MAX_EXTENT || kernel > CK_MAX_EXTENT || stride > CK_MAX_EXTENT || dilation > CK_MAX_EXTENT)
        return ck_set_error(ctx, CK_ERR_OVERFLOW, "ck_same_padding: a size exceeds %lld", (long long)CK_MAX_EXTENT);
    int64_t out = (in + stride - 1) / stride;
    int64_t total = (out - 1) * stride + dilation * (kernel - 1) + 1 - in;
    if (total < 0) total = 0;
    int64_t small = total / 2, large = total - small;
    if (large > INT32_MAX)
        return ck_set_error(ctx, CK_ERR_OVERFLOW,
                            "ck_same_padding: in=%lld kernel=%lld stride=%lld dilation=%lld: the padding totals %lld, "
                            "more than two int32 pads hold",
                            (long long)in, (long long)kernel, (long long)stride, (long long)dilation, (long long)total);
    *pad_begin = (int32_t)(extra_at_begin ? large : small);
    *pad_end = (int32_t)(extra_at_begin ? small : large);
    return CK_OK;
}

ck_conv2d_params ck_conv2d_params_default(void) {
    ck_conv2d_params p = {0};
    p.stride_h = p.stride_w = 1;
    p.dilation_h = p.dilation_w = 1;
    p.groups = 1;
    return p;
}

ck_conv_transpose2d_params ck_conv_transpose2d_params_default(void) {
    ck_conv_transpose2d_params p = {0};
    p.stride_h = p.stride_w = 1;
    p.dilation_h = p.dilation_w = 1;
    p.groups = 1;
    return p;
}

ck_pool2d_params ck_pool2d_params_default(ck_pool_mode mode, int32_t kernel_h, int32_t kernel_w) {
    ck_pool2d_params p = {0};
    p.mode = mode;
    p.kernel_h = kernel_h;
    p.kernel_w = kernel_w;
    p.stride_h = kernel_h;
    p.stride_w = kernel_w;
    p.dilation_h = p.dilation_w = 1;
    p.count_include_pad = 1;
    return p;
}
