/*
 * cpu_conv_transpose.c — transposed conv2d on the CPU backend, run as the
 * adjoint of a conv2d geometry (see conv_geometry.h): with x (N, C, H, W),
 * IOHW weight w (C, O/groups, KH, KW) and y (N, O, OH, OW), the conv whose
 * input is y, whose output is x and whose OIHW weight is w gives
 *     forward          = that conv's backward-data (bias added per y channel),
 *     backward-data    = that conv's forward,
 *     backward-weights = that conv's backward-weights with x and dy swapped,
 * and the bias gradient is the sum of dy. float32 only.
 */
#include "cpu/conv_algorithms.h"
#include "cpu/cpu_ops.h"
#include "cpu/cpu_support.h"

/* The adjoint conv geometry of a transposed conv with x (N, C, H, W), w (C, O/g, KH, KW), y (N, O, OH, OW). */
static ck_conv_geometry adjoint_geometry(const ck_conv_transpose2d_params *p, const ck_tensor *x, const ck_tensor *w,
                                         const ck_tensor *y) {
    ck_conv_geometry g = {
        .batch = x->dims[0], .in_channels = y->dims[1], .in_h = y->dims[2], .in_w = y->dims[3],
        .out_channels = x->dims[1], .out_h = x->dims[2], .out_w = x->dims[3],
        .groups = p->groups, .kernel_h = w->dims[2], .kernel_w = w->dims[3],
        .stride_h = p->stride_h, .stride_w = p->stride_w, .pad_top = p->pad_top, .pad_left = p->pad_left,
        .dilation_h = p->dilation_h, .dilation_w = p->dilation_w,
    };
    return g;
}

ck_status ck_cpu_conv_transpose2d_forward(ck_backend *backend, const ck_conv_transpose2d_forward_args *args) {
    const char *op = "conv_transpose2d_forward";
    CK_CPU_REQUIRE_F32(backend, op, args->x, args->w, args->bias, args->y);
    ck_conv_geometry g = adjoint_geometry(args->params, args->x, args->w, args->y);
    return ck_conv_run_backward_data(backend, op, &g, ck_tensor_data(args->w), ck_tensor_data(args->x),
                                     args->bias ? ck_tensor_data(args->bias) : NULL, 0.0f, ck_tensor_data(args->y));
}

ck_status ck_cpu_conv_transpose2d_backward_data(ck_backend *backend,
                                                const ck_conv_transpose2d_backward_data_args *args) {
    const char *op = "conv_transpose2d_backward_data";
    CK_CPU_REQUIRE_F32(backend, op, args->w, args->dy, args->dx);
    ck_conv_geometry g = adjoint_geometry(args->params, args->dx, args->w, args->dy);
    return ck_conv_run_forward(backend, op, &g, ck_tensor_data(args->dy), ck_tensor_data(args->w), NULL, NULL, args->beta,
                               ck_tensor_data(args->dx));
}

ck_status ck_cpu_conv_transpose2d_backward_weights(ck_backend *backend,
                                                   const ck_conv_transpose2d_backward_weights_args *args) {
    const char *op = "conv_transpose2d_backward_weights";
    CK_CPU_REQUIRE_F32(backend, op, args->x, args->dy, args->dw, args->dbias);
    ck_conv_geometry g = adjoint_geometry(args->params, args->x, args->dw, args->dy);
    ck_status status = ck_conv_run_backward_weights(backend, op, &g, ck_tensor_data(args->dy),
                                                    ck_tensor_data(args->x), args->beta, ck_tensor_data(args->dw));
    if (status != CK_OK || !args->dbias) return status;
    const ck_bias_backward_args bias_args = {.dy = args->dy, .beta = args->beta, .dbias = args->dbias};
    return ck_cpu_bias_backward(backend, &bias_args);
}
