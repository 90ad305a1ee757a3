/*
 * cl_ops.h — the ops the OpenCL backend implements (cl_backend.c puts them in
 * its table; every other op runs on the CPU backend, counted as a fallback).
 */
#ifndef CK_OPENCL_OPS_H
#define CK_OPENCL_OPS_H

#include "opencl/cl_backend.h"

/* cl_elementwise.c */
ck_status ck_cl_fill(ck_backend *backend, const ck_fill_args *args);
ck_status ck_cl_copy(ck_backend *backend, const ck_copy_args *args);
ck_status ck_cl_add(ck_backend *backend, const ck_add_args *args);
ck_status ck_cl_mul(ck_backend *backend, const ck_mul_args *args);
ck_status ck_cl_scale(ck_backend *backend, const ck_scale_args *args);
ck_status ck_cl_axpy(ck_backend *backend, const ck_axpy_args *args);

/* cl_activation.c */
ck_status ck_cl_activation_forward(ck_backend *backend, const ck_activation_forward_args *args);
ck_status ck_cl_activation_backward(ck_backend *backend, const ck_activation_backward_args *args);
ck_status ck_cl_bias_add(ck_backend *backend, const ck_bias_add_args *args);
ck_status ck_cl_bias_backward(ck_backend *backend, const ck_bias_backward_args *args);

/* cl_gemm.c */
ck_status ck_cl_gemm(ck_backend *backend, const ck_gemm_args *args);

/* cl_conv.c */
ck_status ck_cl_conv2d_forward(ck_backend *backend, const ck_conv2d_forward_args *args);
ck_status ck_cl_conv2d_backward_data(ck_backend *backend, const ck_conv2d_backward_data_args *args);
ck_status ck_cl_conv2d_backward_weights(ck_backend *backend, const ck_conv2d_backward_weights_args *args);

/* cl_conv_transpose.c: the conv2d kernels with the roles of input and output swapped */
ck_status ck_cl_conv_transpose2d_forward(ck_backend *backend, const ck_conv_transpose2d_forward_args *args);
ck_status ck_cl_conv_transpose2d_backward_data(ck_backend *backend, const ck_conv_transpose2d_backward_data_args *args);
ck_status ck_cl_conv_transpose2d_backward_weights(ck_backend *backend,
                                                  const ck_conv_transpose2d_backward_weights_args *args);

/** The three passes of Kernels/conv2d.cl. */
typedef enum ck_cl_conv_pass { CK_CL_CONV_FORWARD, CK_CL_CONV_BACKWARD_DATA, CK_CL_CONV_BACKWARD_WEIGHTS } ck_cl_conv_pass;

/**
 * conv2d.cl's int16 geometry of a conv2d with input dims `in` (N, C, H, W),
 * output dims `out` (N, O, OH, OW) and weight dims `w` (O, C/G, KH, KW);
 * stride, pad (top, left) and dilation as (h, w).
 */
cl_int16 ck_cl_conv_geometry(const int64_t in[4], const int64_t out[4], const int64_t w[4], const int32_t stride[2],
                             const int32_t pad[2], const int32_t dilation[2], int32_t groups);

/**
 * Launches `pass` of conv2d.cl on geometry g with the pass's kernel
 * arguments: the implicit-GEMM kernel, or the direct one for depthwise-like
 * geometries. `op` names the ConvKit op in error messages.
 */
ck_status ck_cl_conv2d_launch(ck_backend *backend, const char *op, ck_cl_conv_pass pass, const cl_int16 *g,
                              const ck_cl_arg *args, cl_uint arg_count);

/* cl_train.c */
ck_status ck_cl_batchnorm2d_forward(ck_backend *backend, const ck_batchnorm2d_forward_args *args);
ck_status ck_cl_batchnorm2d_backward(ck_backend *backend, const ck_batchnorm2d_backward_args *args);
ck_status ck_cl_sgd_update(ck_backend *backend, const ck_sgd_update_args *args);
ck_status ck_cl_adam_update(ck_backend *backend, const ck_adam_update_args *args);

/* cl_pool.c */
ck_status ck_cl_pool2d_forward(ck_backend *backend, const ck_pool2d_forward_args *args);
ck_status ck_cl_pool2d_backward(ck_backend *backend, const ck_pool2d_backward_args *args);
ck_status ck_cl_global_pool2d_forward(ck_backend *backend, const ck_global_pool2d_forward_args *args);
ck_status ck_cl_global_pool2d_backward(ck_backend *backend, const ck_global_pool2d_backward_args *args);

/**
 * dbias (C) = sum of dy over every axis but 1 + beta * dbias, for dy viewed
 * as (outer, C, inner) (cl_activation.c; conv2d backward-weights uses it too).
 */
ck_status ck_cl_channel_sum(ck_backend *backend, const char *op, const ck_tensor *dy, int64_t outer, int64_t channels,
                            int64_t inner, float beta, const ck_tensor *dbias);

#endif
