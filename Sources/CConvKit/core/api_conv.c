/* api_conv.c — public entry points of conv2d, transposed conv2d and pooling. */
#include "core/dispatch.h"

ck_status ck_conv2d_forward(ck_context *ctx, const ck_conv2d_params *params, const ck_tensor *x, const ck_tensor *w,
                            const ck_tensor *bias, const ck_tensor *y) {
    const ck_conv2d_forward_args args = {params, x, w, bias, y, {0, CK_ACT_RELU, 0.0f}};
    return ck_execute_conv2d_forward(ctx, &args);
}

ck_status ck_conv2d_forward_fused(ck_context *ctx, const ck_conv2d_params *params, const ck_tensor *x,
                                  const ck_tensor *w, const ck_tensor *bias, const ck_conv2d_epilogue *epilogue,
                                  const ck_tensor *y) {
    ck_conv2d_forward_args args = {params, x, w, bias, y, {0, CK_ACT_RELU, 0.0f}};
    if (epilogue) args.epilogue = *epilogue;
    return ck_execute_conv2d_forward(ctx, &args);
}

ck_status ck_conv2d_backward_data(ck_context *ctx, const ck_conv2d_params *params, const ck_tensor *w,
                                  const ck_tensor *dy, float beta, const ck_tensor *dx) {
    const ck_conv2d_backward_data_args args = {params, w, dy, beta, dx};
    return ck_execute_conv2d_backward_data(ctx, &args);
}

ck_status ck_conv2d_backward_weights(ck_context *ctx, const ck_conv2d_params *params, const ck_tensor *x,
                                     const ck_tensor *dy, float beta, const ck_tensor *dw, const ck_tensor *dbias) {
    const ck_conv2d_backward_weights_args args = {params, x, dy, beta, dw, dbias};
    return ck_execute_conv2d_backward_weights(ctx, &args);
}

ck_status ck_conv_transpose2d_forward(ck_context *ctx, const ck_conv_transpose2d_params *params, const ck_tensor *x,
                                      const ck_tensor *w, const ck_tensor *bias, const ck_tensor *y) {
    const ck_conv_transpose2d_forward_args args = {params, x, w, bias, y};
    return ck_execute_conv_transpose2d_forward(ctx, &args);
}

ck_status ck_conv_transpose2d_backward_data(ck_context *ctx, const ck_conv_transpose2d_params *params,
                                            const ck_tensor *w, const ck_tensor *dy, float beta, const ck_tensor *dx) {
    const ck_conv_transpose2d_backward_data_args args = {params, w, dy, beta, dx};
    return ck_execute_conv_transpose2d_backward_data(ctx, &args);
}

ck_status ck_conv_transpose2d_backward_weights(ck_context *ctx, const ck_conv_transpose2d_params *params,
                                               const ck_tensor *x, const ck_tensor *dy, float beta, const ck_tensor *dw,
                                               const ck_tensor *dbias) {
    const ck_conv_transpose2d_backward_weights_args args = {params, x, dy, beta, dw, dbias};
    return ck_execute_conv_transpose2d_backward_weights(ctx, &args);
}

ck_status ck_pool2d_forward(ck_context *ctx, const ck_pool2d_params *params, const ck_tensor *x, const ck_tensor *y) {
    const ck_pool2d_forward_args args = {params, x, y};
    return ck_execute_pool2d_forward(ctx, &args);
}

ck_status ck_pool2d_backward(ck_context *ctx, const ck_pool2d_params *params, const ck_tensor *x, const ck_tensor *dy,
                             float beta, const ck_tensor *dx) {
    const ck_pool2d_backward_args args = {params, x, dy, beta, dx};
    return ck_execute_pool2d_backward(ctx, &args);
}

ck_status ck_global_pool2d_forward(ck_context *ctx, ck_pool_mode mode, const ck_tensor *x, const ck_tensor *y) {
    const ck_global_pool2d_forward_args args = {mode, x, y};
    return ck_execute_global_pool2d_forward(ctx, &args);
}

ck_status ck_global_pool2d_backward(ck_context *ctx, ck_pool_mode mode, const ck_tensor *x, const ck_tensor *dy,
                                    float beta, const ck_tensor *dx) {
    const ck_global_pool2d_backward_args args = {mode, x, dy, beta, dx};
    return ck_execute_global_pool2d_backward(ctx, &args);
}
