/*
 * conv_algorithms.h — the CPU backend's convolution algorithms, each on a
 * ck_conv_geometry (see conv_geometry.h), so that conv2d and transposed
 * conv2d share them.
 *
 * For every algorithm: input (N, C, H, W), weight (O, C/groups, KH, KW),
 * output (N, O, OH, OW), bias (O) or NULL, all float32 and contiguous.
 * Results are written as  out = computed + beta * out  (and beta == 0 never
 * reads the old contents); the forward passes also take the fused
 * activation of ck_conv2d_forward_fused (`epilogue`, NULL for none). They return CK_OK, or CK_ERR_OUT_OF_MEMORY /
 * CK_ERR_UNSUPPORTED with the message recorded under the name `op`.
 */
#ifndef CK_CPU_CONV_ALGORITHMS_H
#define CK_CPU_CONV_ALGORITHMS_H

#include "core/backend.h"
#include "cpu/conv_geometry.h"

/* ---- whichever algorithm fits (cpu_conv.c) ---- */

/**
 * output = f(conv(input, weight) + bias) + beta * output, f the activation of
 * `epilogue` (NULL or has_activation 0: none; given only with beta == 0),
 * applied to each block of output as it is finished.
 */
ck_status ck_conv_run_forward(ck_backend *backend, const char *op, const ck_conv_geometry *g, const float *input,
                              const float *weight, const float *bias, const ck_conv2d_epilogue *epilogue, float beta,
                              float *output);

/** d_input = conv'(weight, d_output) + bias (per input channel, C) + beta * d_input. */
ck_status ck_conv_run_backward_data(ck_backend *backend, const char *op, const ck_conv_geometry *g,
                                    const float *weight, const float *d_output, const float *bias, float beta,
                                    float *d_input);

/** d_weight = dL/dweight + beta * d_weight. */
ck_status ck_conv_run_backward_weights(ck_backend *backend, const char *op, const ck_conv_geometry *g,
                                       const float *input, const float *d_output, float beta, float *d_weight);

/* ---- im2col + sgemm, any geometry whose matrix sizes fit an int ---- */

ck_status ck_conv_gemm_forward(ck_backend *backend, const char *op, const ck_conv_geometry *g, const float *input,
                               const float *weight, const float *bias, const ck_conv2d_epilogue *epilogue, float beta,
                               float *output);
ck_status ck_conv_gemm_backward_data(ck_backend *backend, const char *op, const ck_conv_geometry *g,
                                     const float *weight, const float *d_output, const float *bias, float beta,
                                     float *d_input);
ck_status ck_conv_gemm_backward_weights(ck_backend *backend, const char *op, const ck_conv_geometry *g,
                                        const float *input, const float *d_output, float beta, float *d_weight);

/* ---- direct kernels for 2 to 4 input channels per group, x86-64 with AVX2 only (conv_direct.c) ---- */

/** Nonzero when the direct kernels take geometry g; `avx2` is ck_cpu_state.has_avx2_fma. */
int ck_conv_direct_fits(const ck_conv_geometry *g, int avx2);

ck_status ck_conv_direct_forward(ck_backend *backend, const char *op, const ck_conv_geometry *g, const float *input,
                                 const float *weight, const float *bias, const ck_conv2d_epilogue *epilogue,
                                 float beta, float *output);
ck_status ck_conv_direct_backward_weights(ck_backend *backend, const char *op, const ck_conv_geometry *g,
                                          const float *input, const float *d_output, float beta, float *d_weight);

/* ---- direct kernels when every output channel reads one input channel (ck_geom_is_depthwise) ---- */

ck_status ck_conv_depthwise_forward(ck_backend *backend, const char *op, const ck_conv_geometry *g,
                                    const float *input, const float *weight, const float *bias,
                                    const ck_conv2d_epilogue *epilogue, float beta, float *output);
ck_status ck_conv_depthwise_backward_data(ck_backend *backend, const char *op, const ck_conv_geometry *g,
                                          const float *weight, const float *d_output, const float *bias, float beta,
                                          float *d_input);
ck_status ck_conv_depthwise_backward_weights(ck_backend *backend, const char *op, const ck_conv_geometry *g,
                                             const float *input, const float *d_output, float beta,
                                             float *d_weight);

/**
 * Scratch for `threads` workers, `floats_per_thread` each, every slice
 * 64-byte aligned; *stride gets the floats between slices. NULL when out of
 * memory (or the size overflows). Free with free().
 */
float *ck_conv_scratch(int32_t threads, size_t floats_per_thread, size_t *stride);

#endif
