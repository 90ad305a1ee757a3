/*
 * cl_activation.c — activations forward and backward, bias add and bias
 * backward on OpenCL (Kernels/elementwise.cl). Float32 tensors.
 */
#include "opencl/cl_ops.h"

static ck_status launch(ck_backend *backend, const char *op, const char *kernel, size_t items, const ck_cl_arg *args,
                        cl_uint arg_count) {
    return ck_cl_launch(backend, op, CK_CL_PROGRAM_ELEMENTWISE, kernel, 1, &items, NULL, args, arg_count);
}

/** y = f(x); x, y: the same shape (y may be x). */
ck_status ck_cl_activation_forward(ck_backend *backend, const ck_activation_forward_args *args) {
    CK_CL_REQUIRE_INT_SIZED(backend, "activation_forward", args->x, args->y);
    int32_t n = (int32_t)ck_tensor_numel(args->y), act = (int32_t)args->act;
    float alpha = args->alpha;
    ck_cl_view x = ck_cl_view_of(args->x), y = ck_cl_view_of(args->y);
    const ck_cl_arg list[] = {CK_CL_ARG(n),        CK_CL_ARG(act),   CK_CL_ARG(alpha),   CK_CL_ARG(x.mem),
                              CK_CL_ARG(x.offset), CK_CL_ARG(y.mem), CK_CL_ARG(y.offset)};
    return launch(backend, "activation_forward", "activation_forward", (size_t)n, list, 7);
}

/** dx = f'(x) * dy + beta * dx; x, dy, dx: the same shape. */
ck_status ck_cl_activation_backward(ck_backend *backend, const ck_activation_backward_args *args) {
    CK_CL_REQUIRE_INT_SIZED(backend, "activation_backward", args->x, args->dy, args->dx);
    int32_t n = (int32_t)ck_tensor_numel(args->dx), act = (int32_t)args->act;
    float alpha = args->alpha, beta = args->beta;
    ck_cl_view x = ck_cl_view_of(args->x), dy = ck_cl_view_of(args->dy), dx = ck_cl_view_of(args->dx);
    const ck_cl_arg list[] = {CK_CL_ARG(n),      CK_CL_ARG(act),       CK_CL_ARG(alpha), CK_CL_ARG(x.mem),
                              CK_CL_ARG(x.offset), CK_CL_ARG(dy.mem),  CK_CL_ARG(dy.offset), CK_CL_ARG(beta),
                              CK_CL_ARG(dx.mem), CK_CL_ARG(dx.offset)};
    return launch(backend, "activation_backward", "activation_backward", (size_t)n, list, 10);
}

/* Elements of t after axis 1 (1 for a 2-D tensor). */
static int64_t inner_size(const ck_tensor *t) {
    int64_t inner = 1;
    for (int32_t i = 2; i < t->ndim; i++) inner *= t->dims[i];
    return inner;
}

/** y = x + bias[c]; x, y: (N, C, ...); bias: (C). */
ck_status ck_cl_bias_add(ck_backend *backend, const ck_bias_add_args *args) {
    CK_CL_REQUIRE_INT_SIZED(backend, "bias_add", args->x, args->bias, args->y);
    int32_t n = (int32_t)ck_tensor_numel(args->y), channels = ck_cl_int(args->x->dims[1]);
    int32_t inner = ck_cl_int(inner_size(args->x));
    ck_cl_view x = ck_cl_view_of(args->x), bias = ck_cl_view_of(args->bias), y = ck_cl_view_of(args->y);
    const ck_cl_arg list[] = {CK_CL_ARG(n),        CK_CL_ARG(channels),    CK_CL_ARG(inner),
                              CK_CL_ARG(x.mem),    CK_CL_ARG(x.offset),    CK_CL_ARG(bias.mem),
                              CK_CL_ARG(bias.offset), CK_CL_ARG(y.mem),    CK_CL_ARG(y.offset)};
    return launch(backend, "bias_add", "bias_add", (size_t)n, list, 9);
}

ck_status ck_cl_channel_sum(ck_backend *backend, const char *op, const ck_tensor *dy_t, int64_t outer,
                            int64_t channels, int64_t inner, float beta, const ck_tensor *dbias_t) {
    CK_CL_REQUIRE_INT_SIZED(backend, op, dy_t, dbias_t);
    int32_t o = ck_cl_int(outer), c = ck_cl_int(channels), i = ck_cl_int(inner);
    ck_cl_view dy = ck_cl_view_of(dy_t), dbias = ck_cl_view_of(dbias_t);
    const ck_cl_arg list[] = {CK_CL_ARG(o),         CK_CL_ARG(c),       CK_CL_ARG(i),
                              CK_CL_ARG(dy.mem),    CK_CL_ARG(dy.offset), CK_CL_ARG(beta),
                              CK_CL_ARG(dbias.mem), CK_CL_ARG(dbias.offset)};
    return launch(backend, op, "channel_sum", (size_t)channels, list, 8);
}

/** dbias (C) = sum of dy (N, C, ...) over every axis but 1, + beta * dbias. */
ck_status ck_cl_bias_backward(ck_backend *backend, const ck_bias_backward_args *args) {
    const ck_tensor *dy = args->dy;
    return ck_cl_channel_sum(backend, "bias_backward", dy, dy->dims[0], dy->dims[1], inner_size(dy), args->beta,
                             args->dbias);
}
