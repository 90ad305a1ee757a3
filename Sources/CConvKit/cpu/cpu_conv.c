/*
 * cpu_conv.c — conv2d on the CPU backend: the op entry points, and the
 * choice of algorithm for a ck_conv_geometry that transposed conv2d shares.
 *
 * A conv whose output channels each read a single input channel (depthwise,
 * any depth multiplier) runs direct kernels (cpu_depthwise.c); forward and
 * backward-weights with 2 to 4 input channels per group run the direct
 * kernels of conv_direct.c on x86-64 with AVX2; every other conv runs
 * im2col + sgemm (conv_gemm_*.c). float32 only. CONVKIT_CPU_CONV (the
 * context's conv_choice) forces one of them instead; a forced direct or
 * depthwise algorithm that does not take the conv is CK_ERR_UNSUPPORTED.
 */
#include "cpu/conv_algorithms.h"
#include "cpu/cpu_ops.h"
#include "cpu/cpu_support.h"
#include "cpu/simd.h"

typedef enum conv_algorithm { ALGORITHM_GEMM, ALGORITHM_DIRECT, ALGORITHM_DEPTHWISE } conv_algorithm;

/*
 * The algorithm for one pass of g; `has_direct` says whether the direct
 * kernels have this pass. CK_ERR_UNSUPPORTED (message set) when the forced
 * algorithm does not take it.
 */
static ck_status choose(ck_backend *backend, const char *op, const ck_conv_geometry *g, int has_direct,
                        conv_algorithm *out) {
    const ck_cpu_conv_choice choice = ck_cpu(backend)->conv_choice;
    const int depthwise = ck_geom_is_depthwise(g);
    int direct = 0;
#if CK_SIMD_X86
    direct = has_direct && ck_conv_direct_fits(g, ck_cpu(backend)->has_avx2_fma);
#else
    (void)has_direct;
#endif
    switch (choice) {
    case CK_CPU_CONV_GEMM: *out = ALGORITHM_GEMM; return CK_OK;
    case CK_CPU_CONV_DIRECT: *out = ALGORITHM_DIRECT; break;
    case CK_CPU_CONV_DEPTHWISE: *out = ALGORITHM_DEPTHWISE; break;
    default: /* CK_CPU_CONV_AUTO */
        *out = depthwise ? ALGORITHM_DEPTHWISE : direct ? ALGORITHM_DIRECT : ALGORITHM_GEMM;
        return CK_OK;
    }
    if (*out == ALGORITHM_DIRECT ? direct : depthwise) return CK_OK;
    return ck_set_error(backend->ctx, CK_ERR_UNSUPPORTED,
                        "%s: CONVKIT_CPU_CONV=%s, but those kernels do not run this pass of this conv "
                        "(%lld input channels per group, %lldx%lld kernel)",
                        op, *out == ALGORITHM_DIRECT ? "direct" : "depthwise", (long long)ck_geom_in_per_group(g),
                        (long long)g->kernel_h, (long long)g->kernel_w);
}

ck_status ck_conv_run_forward(ck_backend *backend, const char *op, const ck_conv_geometry *g, const float *input,
                              const float *weight, const float *bias, const ck_conv2d_epilogue *epilogue, float beta,
                              float *output) {
    conv_algorithm algorithm;
    ck_status status = choose(backend, op, g, 1, &algorithm);
    if (status != CK_OK) return status;
    if (algorithm == ALGORITHM_DEPTHWISE)
        return ck_conv_depthwise_forward(backend, op, g, input, weight, bias, epilogue, beta, output);
#if CK_SIMD_X86
    if (algorithm == ALGORITHM_DIRECT)
        return ck_conv_direct_forward(backend, op, g, input, weight, bias, epilogue, beta, output);
#endif
    return ck_conv_gemm_forward(backend, op, g, input, weight, bias, epilogue, beta, output);
}

ck_status ck_conv_run_backward_data(ck_backend *backend, const char *op, const ck_conv_geometry *g,
                                    const float *weight, const float *d_output, const float *bias, float beta,
                                    float *d_input) {
    conv_algorithm algorithm;
    ck_status status = choose(backend, op, g, 0, &algorithm);
    if (status != CK_OK) return status;
    if (algorithm == ALGORITHM_DEPTHWISE)
        return ck_conv_depthwise_backward_data(backend, op, g, weight, d_output, bias, beta, d_input);
    return ck_conv_gemm_backward_data(backend, op, g, weight, d_output, bias, beta, d_input);
}

ck_status ck_conv_run_backward_weights(ck_backend *backend, const char *op, const ck_conv_geometry *g,
                                       const float *input, const float *d_output, float beta, float *d_weight) {
    conv_algorithm algorithm;
    ck_status status = choose(backend, op, g, 1, &algorithm);
    if (status != CK_OK) return status;
    if (algorithm == ALGORITHM_DEPTHWISE)
        return ck_conv_depthwise_backward_weights(backend, op, g, input, d_output, beta, d_weight);
#if CK_SIMD_X86
    if (algorithm == ALGORITHM_DIRECT)
        return ck_conv_direct_backward_weights(backend, op, g, input, d_output, beta, d_weight);
#endif
    return ck_conv_gemm_backward_weights(backend, op, g, input, d_output, beta, d_weight);
}

/* The geometry of conv2d with x (N, C, H, W), w (O, C/groups, KH, KW) and y (N, O, OH, OW). */
static ck_conv_geometry conv2d_geometry(const ck_conv2d_params *p, const ck_tensor *x, const ck_tensor *w,
                                        const ck_tensor *y) {
    ck_conv_geometry g = {
        .batch = x->dims[0], .in_channels = x->dims[1], .in_h = x->dims[2], .in_w = x->dims[3],
        .out_channels = y->dims[1], .out_h = y->dims[2], .out_w = y->dims[3],
        .groups = p->groups, .kernel_h = w->dims[2], .kernel_w = w->dims[3],
        .stride_h = p->stride_h, .stride_w = p->stride_w, .pad_top = p->pad_top, .pad_left = p->pad_left,
        .dilation_h = p->dilation_h, .dilation_w = p->dilation_w,
    };
    return g;
}

static const float *optional_data(const ck_tensor *t) { return t ? ck_tensor_data(t) : NULL; }

ck_status ck_cpu_conv2d_forward(ck_backend *backend, const ck_conv2d_forward_args *args) {
    const char *op = "conv2d_forward";
    CK_CPU_REQUIRE_F32(backend, op, args->x, args->w, args->bias, args->y);
    ck_conv_geometry g = conv2d_geometry(args->params, args->x, args->w, args->y);
    return ck_conv_run_forward(backend, op, &g, ck_tensor_data(args->x), ck_tensor_data(args->w),
                               optional_data(args->bias), &args->epilogue, 0.0f, ck_tensor_data(args->y));
}

ck_status ck_cpu_conv2d_backward_data(ck_backend *backend, const ck_conv2d_backward_data_args *args) {
    const char *op = "conv2d_backward_data";
    CK_CPU_REQUIRE_F32(backend, op, args->w, args->dy, args->dx);
    ck_conv_geometry g = conv2d_geometry(args->params, args->dx, args->w, args->dy);
    return ck_conv_run_backward_data(backend, op, &g, ck_tensor_data(args->w), ck_tensor_data(args->dy), NULL,
                                     args->beta, ck_tensor_data(args->dx));
}

ck_status ck_cpu_conv2d_backward_weights(ck_backend *backend, const ck_conv2d_backward_weights_args *args) {
    const char *op = "conv2d_backward_weights";
    CK_CPU_REQUIRE_F32(backend, op, args->x, args->dy, args->dw, args->dbias);
    ck_conv_geometry g = conv2d_geometry(args->params, args->x, args->dw, args->dy);
    ck_status status = ck_conv_run_backward_weights(backend, op, &g, ck_tensor_data(args->x),
                                                    ck_tensor_data(args->dy), args->beta, ck_tensor_data(args->dw));
    if (status != CK_OK || !args->dbias) return status;
    const ck_bias_backward_args bias_args = {.dy = args->dy, .beta = args->beta, .dbias = args->dbias};
    return ck_cpu_bias_backward(backend, &bias_args);
}
