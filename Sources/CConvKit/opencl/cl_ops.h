/*
 * cl_ops.h — the ops of the OpenCL backend (cl_backend.c puts them in its
 * table): every op of CK_OP_LIST runs as OpenCL kernels.
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

/* cl_reduce.c */
ck_status ck_cl_reduce_sum(ck_backend *backend, const ck_reduce_sum_args *args);
ck_status ck_cl_permute(ck_backend *backend, const ck_permute_args *args);

/* cl_loss.c */
ck_status ck_cl_softmax_cross_entropy_forward(ck_backend *backend, const ck_softmax_cross_entropy_forward_args *args);
ck_status ck_cl_softmax_cross_entropy_backward(ck_backend *backend, const ck_softmax_cross_entropy_backward_args *args);

/*
 * The deferred label check (cl_loss.c): a wait calls ck_cl_label_check_enqueue
 * before it waits (a read of the label status, when a loss op ran since the
 * last wait, queued ahead of the wait) and ck_cl_label_check_result after it:
 * CK_ERR_INVALID_ARGUMENT naming the op, row and label when one was bad (the
 * status is then cleared), else CK_OK. `what` names the wait.
 */
void ck_cl_label_check_enqueue(ck_backend *backend);
ck_status ck_cl_label_check_result(ck_backend *backend, const char *what);
void ck_cl_label_check_release(ck_backend *backend);

/* cl_dropout.c */
ck_status ck_cl_dropout_forward(ck_backend *backend, const ck_dropout_forward_args *args);

/* cl_activation.c */
ck_status ck_cl_activation_forward(ck_backend *backend, const ck_activation_forward_args *args);
ck_status ck_cl_activation_backward(ck_backend *backend, const ck_activation_backward_args *args);
ck_status ck_cl_bias_add(ck_backend *backend, const ck_bias_add_args *args);
ck_status ck_cl_bias_backward(ck_backend *backend, const ck_bias_backward_args *args);

/* cl_gemm.c */
ck_status ck_cl_gemm(ck_backend *backend, const ck_gemm_args *args);
/**
 * c (M, N) = alpha * op(a) * op(b) + beta * c on gemm.cl's gemm_vec, on views (a: (M, K) or (K, M); b: (K, N)
 * or (N, K)); CK_ERR_UNSUPPORTED, having done nothing, on devices whose tuning has no CONV_VEC or past 32-bit
 * indices.
 */
ck_status ck_cl_gemm_vec(ck_backend *backend, const char *op, int32_t m, int32_t n, int32_t k, int32_t trans_a,
                         int32_t trans_b, float alpha, ck_cl_view a, ck_cl_view b, float beta, ck_cl_view c);

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
 * geometries. `slices`: the K slices of the implicit-GEMM backward-weights
 * (work-group dimension 2 = slices x groups; its dw argument is then the
 * (slices, O, C/G, KH, KW) scratch); 1 for everything else. `op` names the
 * ConvKit op in error messages.
 */
ck_status ck_cl_conv2d_launch(ck_backend *backend, const char *op, ck_cl_conv_pass pass, const cl_int16 *g,
                              int32_t slices, const ck_cl_arg *args, cl_uint arg_count);

/**
 * The K slices of the implicit-GEMM backward-weights of geometry g on this
 * context (cl_conv_split_k.c): the tuning's split_k when forced
 * (CONVKIT_CL_SPLIT_K), else ck_cl_split_k_slices's choice for the device's
 * compute units and tiles; at most what keeps the scratch's indices in 32 bits.
 */
int32_t ck_cl_conv2d_backward_weights_slices(ck_backend *backend, const cl_int16 *g);

/**
 * dw = conv2d_backward_weights(x, dy) + beta * dw by the implicit GEMM split
 * into `slices` (> 1) slices of K: partial sums into pooled scratch, then
 * conv2d_sum_partials adds them up with beta.
 */
ck_status ck_cl_conv2d_backward_weights_split(ck_backend *backend, const char *op, const cl_int16 *g, int32_t slices,
                                              ck_cl_view x, ck_cl_view dy, float beta, ck_cl_view dw);

/**
 * conv2d backward-weights of a 1x1 conv (stride 1, no padding, one group) as a GEMM per image
 * (cl_conv_pointwise.c): dw = sum over n of dy[n] x[n]^T + beta * dw; CK_ERR_UNSUPPORTED, having done
 * nothing, for other geometries or devices without CONV_VEC.
 */
ck_status ck_cl_conv2d_backward_weights_pointwise(ck_backend *backend, const char *op, const cl_int16 *g, ck_cl_view x,
                                                  ck_cl_view dy, float beta, ck_cl_view dw);
/** Whether geometry g (one input channel per group) takes the depthwise vector kernels on this device. */
int ck_cl_conv2d_uses_depthwise(ck_backend *backend, const cl_int16 *g);
/**
 * `pass` of a conv with one input channel per group on the vector kernels of
 * Kernels/conv2d_depthwise.cl (cl_conv_depthwise.c), with the argument list
 * of conv2d.cl's direct kernel of that pass.
 */
ck_status ck_cl_conv2d_depthwise_launch(ck_backend *backend, const char *op, ck_cl_conv_pass pass, const cl_int16 *g,
                                        const ck_cl_arg *args, cl_uint arg_count);

/**
 * What a conv forward kernel does to conv(x, w) as it writes an output: adds
 * bias[o] (O) when has_bias, then applies `activation` (a ck_activation, -1:
 * none; Kernels/common/common.cl's ck_activate with `alpha`). An activation
 * comes only with beta == 0 (the fused ck_conv2d_forward_activation).
 */
typedef struct ck_cl_epilogue {
    int32_t has_bias;
    ck_cl_view bias; /* a valid buffer (unread) when !has_bias */
    int32_t activation;
    float alpha;
} ck_cl_epilogue;

/**
 * The arguments every conv forward kernel ends with, in their order: has_bias, bias, bias_off,
 * beta, y, y_off, act, alpha (e: a const ck_cl_epilogue *; beta and y: lvalues).
 */
#define CK_CL_EPILOGUE_ARGS(e, beta, y)                                                                        \
    CK_CL_ARG((e)->has_bias), CK_CL_ARG((e)->bias.mem), CK_CL_ARG((e)->bias.offset), CK_CL_ARG(beta),      \
        CK_CL_ARG((y).mem), CK_CL_ARG((y).offset), CK_CL_ARG((e)->activation), CK_CL_ARG((e)->alpha)
#define CK_CL_EPILOGUE_ARG_COUNT 8

/** The epilogue of a pass without bias or activation; `any` is a valid buffer the kernel does not read. */
ck_cl_epilogue ck_cl_epilogue_none(ck_cl_view any);

/**
 * conv2d forward on the direct kernels (cl_conv_direct.c), for devices whose
 * tuning sets conv_vec: y = act(conv2d(x, w) (+ bias)) + beta * y on geometry g.
 * With a `backward_stride` (h, w), this is the backward-data of a conv of
 * that stride (ck_cl_conv2d_backward_data_vec): g is a stride-1 conv of x
 * upsampled by it, and w the (C, O/G, KH, KW) weight of the original conv,
 * read flipped and with its channels swapped. NULL: a plain forward.
 * CK_ERR_UNSUPPORTED (no message) when its padded input would pass 2^31 - 1
 * elements (huge strides or padding): the caller then takes the implicit GEMM.
 */
ck_status ck_cl_conv2d_forward_vec(ck_backend *backend, const char *op, const cl_int16 *g, ck_cl_view x,
                                   ck_cl_view w, const int32_t *backward_stride, const ck_cl_epilogue *epilogue,
                                   float beta, ck_cl_view y);

/**
 * The three conv2d passes on views, each on the direct vector kernels where the
 * device takes them, else on conv2d.cl (ck_cl_conv2d_launch); conv2d and the
 * transposed conv (roles swapped) both run through these:
 *   forward:          y  = act(conv2d(x, w) (+ bias)) + beta * y (epilogue NULL: neither);
 *   backward-data:    dx = conv2d_backward_data(w, dy) + beta * dx;
 *   backward-weights: dw = conv2d_backward_weights(x, dy) + beta * dw (no bias).
 */
ck_status ck_cl_conv2d_forward_pass(ck_backend *backend, const char *op, const cl_int16 *g, ck_cl_view x,
                                    ck_cl_view w, const ck_cl_epilogue *epilogue, float beta, ck_cl_view y);
ck_status ck_cl_conv2d_backward_data_pass(ck_backend *backend, const char *op, const cl_int16 *g, ck_cl_view w,
                                          ck_cl_view dy, float beta, ck_cl_view dx);
ck_status ck_cl_conv2d_backward_weights_pass(ck_backend *backend, const char *op, const cl_int16 *g, ck_cl_view x,
                                             ck_cl_view dy, float beta, ck_cl_view dw);

/**
 * Whether geometry g (a forward conv, or the stride-1 forward conv that runs a
 * backward-data) takes Winograd F(2x2, 3x3) on this context (cl_conv_winograd.c):
 * 3x3, stride 1, dilation 1, one group, a device with CONV_VEC, and the
 * tuning's Winograd setting on for its channel counts (cl_tuning.h: the
 * table, or CONVKIT_CL_WINOGRAD).
 */
int ck_cl_conv2d_uses_winograd(ck_backend *backend, const cl_int16 *g);

/**
 * y = act(conv2d(x, w) (+ bias)) + beta * y on geometry g by Winograd F(2x2, 3x3)
 * (Kernels/conv2d_winograd.cl); with `flip`, w is the (C, O, 3, 3) weight of
 * the stride-1 conv whose backward-data this is, read flipped and with its
 * channels swapped. Callers check ck_cl_conv2d_uses_winograd first.
 */
ck_status ck_cl_conv2d_forward_winograd(ck_backend *backend, const char *op, const cl_int16 *g, ck_cl_view x,
                                        ck_cl_view w, int32_t flip, const ck_cl_epilogue *epilogue, float beta,
                                        ck_cl_view y);

/** Whether conv2d forward on geometry g takes ck_cl_conv2d_forward_vec on this device. */
int ck_cl_conv2d_uses_vec(ck_backend *backend, const cl_int16 *g);

/**
 * conv2d backward-data of geometry g as a stride-1 forward conv of dy
 * upsampled by the stride (zeros between its rows and columns), with the
 * flipped, transposed weights: dx = conv2d(up(dy), w') + beta * dx, padding
 * (K - 1) * dilation - pad in front. CK_ERR_UNSUPPORTED (no message) when
 * this device has no direct conv: the caller then takes the implicit GEMM.
 */
ck_status ck_cl_conv2d_backward_data_vec(ck_backend *backend, const char *op, const cl_int16 *g, ck_cl_view w,
                                         ck_cl_view dy, float beta, ck_cl_view dx);

/**
 * conv2d backward-weights of geometry g on the direct kernel (cl_conv_direct.c):
 * dw = dy * patches(x)^T + beta * dw. CK_ERR_UNSUPPORTED (no message) when
 * its scratch would pass 2^31 - 1 elements: the caller then takes the implicit GEMM.
 */
ck_status ck_cl_conv2d_backward_weights_vec(ck_backend *backend, const char *op, const cl_int16 *g, ck_cl_view x,
                                            ck_cl_view dy, float beta, ck_cl_view dw);

/* cl_train.c */
ck_status ck_cl_batchnorm2d_forward(ck_backend *backend, const ck_batchnorm2d_forward_args *args);
ck_status ck_cl_batchnorm2d_backward(ck_backend *backend, const ck_batchnorm2d_backward_args *args);
ck_status ck_cl_sgd_update(ck_backend *backend, const ck_sgd_update_args *args);
ck_status ck_cl_adam_update(ck_backend *backend, const ck_adam_update_args *args);
ck_status ck_cl_rmsprop_update(ck_backend *backend, const ck_rmsprop_update_args *args);

/**
 * A batch-norm call as the OpenCL kernels take it (cl_train.c builds them for both the
 * work-group and the plane kernels): sizes of x (N, C, H, W), flags and views. Forward: rm, rv
 * are the saved statistics' buffers (unread) without running ones; backward: dgamma, dbeta are
 * dx's (unread) when not asked for.
 */
typedef struct ck_cl_batchnorm_forward {
    int32_t batch, channels, plane, training, has_running;
    float epsilon, momentum;
    ck_cl_view x, gamma, beta, rm, rv, sm, si, y;
} ck_cl_batchnorm_forward;
typedef struct ck_cl_batchnorm_backward {
    int32_t batch, channels, plane, training, has_dgamma, has_dbeta;
    float beta_acc;
    ck_cl_view x, dy, gamma, sm, si, dx, dgamma, dbeta;
} ck_cl_batchnorm_backward;
ck_cl_batchnorm_forward ck_cl_batchnorm_forward_of(const ck_batchnorm2d_forward_args *args);
ck_cl_batchnorm_backward ck_cl_batchnorm_backward_of(const ck_batchnorm2d_backward_args *args);

/*
 * cl_batchnorm_planes.c: batch norm on devices whose tuning sets conv_vec (CPU devices), on batchnorm.cl's
 * plane kernels; the tensors already checked with CK_CL_REQUIRE_INT_SIZED.
 */
ck_status ck_cl_batchnorm2d_forward_planes(ck_backend *backend, const char *op,
                                           const ck_batchnorm2d_forward_args *args);
ck_status ck_cl_batchnorm2d_backward_planes(ck_backend *backend, const char *op,
                                            const ck_batchnorm2d_backward_args *args);

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
