/*
 * cl_conv.c — conv2d forward, backward-data and backward-weights (+ bias) on
 * OpenCL. x: (N, C, H, W); w: (O, C/G, KH, KW); y, dy: (N, O, OH, OW); bias,
 * dbias: (O). Devices whose tuning sets CONV_VEC (CPUs) run the direct vector
 * kernels (cl_conv_direct.c, Kernels/conv2d_direct.cl), or Winograd F(2x2, 3x3)
 * for the forward and backward-data of 3x3 stride-1 convs where the context
 * chooses it (cl_conv_winograd.c); the others the
 * implicit-GEMM kernels of Kernels/conv2d.cl. Depthwise-like convolutions (one
 * channel per group in or out) take conv2d.cl's plain direct kernels, or on
 * CPU devices, with one input channel per group, Kernels/conv2d_depthwise.cl
 * (cl_conv_depthwise.c); 1x1 backward-weights there runs as GEMMs
 * (cl_conv_pointwise.c). The implicit-GEMM backward-weights splits K into
 * slices when its tiles alone would leave compute units idle
 * (cl_conv_split_k.c). cl_conv_transpose.c runs the same kernels.
 */
#include "opencl/cl_ops.h"

#include <stdio.h>

cl_int16 ck_cl_conv_geometry(const int64_t in[4], const int64_t out[4], const int64_t w[4], const int32_t stride[2],
                             const int32_t pad[2], const int32_t dilation[2], int32_t groups) {
    const int64_t values[16] = {in[0],  in[1],  in[2],       in[3],       out[1],      out[2],      out[3],
                                w[2],   w[3],   stride[0],   stride[1],   pad[0],      pad[1],      dilation[0],
                                dilation[1], groups};
    cl_int16 g;
    for (int i = 0; i < 16; i++) g.s[i] = (cl_int)values[i];
    return g;
}

/* Whether the implicit-GEMM kernels take this geometry: their tiles need more than one channel per group. */
static int use_igemm(const cl_int16 *g) {
    cl_int c = g->s[1], o = g->s[4], groups = g->s[15];
    return groups == 1 || (c / groups > 1 && o / groups > 1);
}

int ck_cl_conv2d_uses_vec(ck_backend *backend, const cl_int16 *g) {
    return ck_cl(backend)->tuning.conv_vec > 0 && use_igemm(g);
}

ck_status ck_cl_conv2d_backward_data_vec(ck_backend *backend, const char *op, const cl_int16 *g, ck_cl_view w,
                                         ck_cl_view dy, float beta, ck_cl_view dx) {
    if (!ck_cl_conv2d_uses_vec(backend, g)) return CK_ERR_UNSUPPORTED;
    /* With u = dy upsampled by the stride S (u[S * i] = dy[i], zeros between), dx[ih] = sum over kh of
       u[ih + PT - kh * DH] w[kh] = sum over kh' of u[ih - PT' + kh' * DH] w[KH-1-kh'], PT' = (KH - 1) * DH - PT:
       a stride-1 conv of u (padding PT', PL') into dx. */
    const int64_t in[4] = {g->s[0], g->s[4], g->s[5], g->s[6]}, out[4] = {g->s[0], g->s[1], g->s[2], g->s[3]};
    const int64_t taps[4] = {g->s[1], g->s[4] / g->s[15], g->s[7], g->s[8]};
    const int32_t stride[2] = {1, 1}, dilation[2] = {g->s[13], g->s[14]};
    const int32_t pad[2] = {(g->s[7] - 1) * g->s[13] - g->s[11], (g->s[8] - 1) * g->s[14] - g->s[12]};
    const int32_t up[2] = {g->s[9], g->s[10]};
    cl_int16 flipped = ck_cl_conv_geometry(in, out, taps, stride, pad, dilation, g->s[15]);
    const ck_cl_epilogue none = ck_cl_epilogue_none(w);
    if (up[0] == 1 && up[1] == 1 && ck_cl_conv2d_uses_winograd(backend, &flipped))
        return ck_cl_conv2d_forward_winograd(backend, op, &flipped, dy, w, 1, &none, beta, dx);
    return ck_cl_conv2d_forward_vec(backend, op, &flipped, dy, w, up, &none, beta, dx);
}

ck_status ck_cl_conv2d_launch(ck_backend *backend, const char *op, ck_cl_conv_pass pass, const cl_int16 *g,
                              int32_t slices, const ck_cl_arg *args, cl_uint arg_count) {
    static const char *const kernels[] = {"conv2d_forward", "conv2d_backward_data", "conv2d_backward_weights"};
    int64_t n = g->s[0], c = g->s[1], h = g->s[2], w = g->s[3], o = g->s[4], oh = g->s[5], ow = g->s[6];
    int64_t taps = (int64_t)g->s[7] * g->s[8], groups = g->s[15];
    /* The GEMM of each pass (per group): rows m, columns cols; or the direct kernel's outputs. */
    int64_t m = pass == CK_CL_CONV_BACKWARD_DATA ? c / groups : o / groups;
    int64_t cols = pass == CK_CL_CONV_FORWARD ? n * oh * ow
                   : pass == CK_CL_CONV_BACKWARD_DATA ? n * h * w
                                                      : c / groups * taps;
    size_t items = (size_t)(pass == CK_CL_CONV_FORWARD ? n * o * oh * ow
                            : pass == CK_CL_CONV_BACKWARD_DATA ? n * c * h * w
                                                               : o * (c / groups) * taps);
    if (!use_igemm(g) && ck_cl_conv2d_uses_depthwise(backend, g))
        return ck_cl_conv2d_depthwise_launch(backend, op, pass, g, args, arg_count);
    if (!use_igemm(g)) return ck_cl_launch(backend, op, CK_CL_PROGRAM_CONV2D, kernels[pass], 1, &items, NULL, args, arg_count);
    char kernel[64];
    snprintf(kernel, sizeof kernel, "%s_igemm", kernels[pass]);
    return ck_cl_launch_tiled(backend, op, CK_CL_PROGRAM_CONV2D, kernel, m, cols, groups * slices, args, arg_count);
}

/* conv2d's geometry from x-like (N, C, H, W), y-like (N, O, OH, OW) and w-like (O, C/G, KH, KW) dims. */
static cl_int16 geometry(const ck_conv2d_params *p, const ck_tensor *x, const ck_tensor *y, const ck_tensor *w) {
    const int32_t stride[2] = {p->stride_h, p->stride_w}, pad[2] = {p->pad_top, p->pad_left};
    const int32_t dilation[2] = {p->dilation_h, p->dilation_w};
    return ck_cl_conv_geometry(x->dims, y->dims, w->dims, stride, pad, dilation, p->groups);
}

ck_cl_epilogue ck_cl_epilogue_none(ck_cl_view any) {
    return (ck_cl_epilogue){.has_bias = 0, .bias = any, .activation = -1, .alpha = 0.0f};
}

ck_status ck_cl_conv2d_forward_pass(ck_backend *backend, const char *op, const cl_int16 *g, ck_cl_view x,
                                    ck_cl_view w, const ck_cl_epilogue *epilogue, float beta, ck_cl_view y) {
    const ck_cl_epilogue e = epilogue ? *epilogue : ck_cl_epilogue_none(w);
    if (ck_cl_conv2d_uses_winograd(backend, g)) return ck_cl_conv2d_forward_winograd(backend, op, g, x, w, 0, &e, beta, y);
    if (ck_cl_conv2d_uses_vec(backend, g)) {
        ck_status status = ck_cl_conv2d_forward_vec(backend, op, g, x, w, NULL, &e, beta, y);
        if (status != CK_ERR_UNSUPPORTED) return status;
    }
    const ck_cl_arg list[] = {CK_CL_ARG(*g),     CK_CL_ARG(x.mem),    CK_CL_ARG(x.offset),
                              CK_CL_ARG(w.mem),  CK_CL_ARG(w.offset), CK_CL_EPILOGUE_ARGS(&e, beta, y)};
    return ck_cl_conv2d_launch(backend, op, CK_CL_CONV_FORWARD, g, 1, list, 5 + CK_CL_EPILOGUE_ARG_COUNT);
}

ck_status ck_cl_conv2d_backward_data_pass(ck_backend *backend, const char *op, const cl_int16 *g, ck_cl_view w,
                                          ck_cl_view dy, float beta, ck_cl_view dx) {
    ck_status status = ck_cl_conv2d_backward_data_vec(backend, op, g, w, dy, beta, dx);
    if (status != CK_ERR_UNSUPPORTED) return status;
    const ck_cl_arg list[] = {CK_CL_ARG(*g),        CK_CL_ARG(w.mem), CK_CL_ARG(w.offset), CK_CL_ARG(dy.mem),
                              CK_CL_ARG(dy.offset), CK_CL_ARG(beta),  CK_CL_ARG(dx.mem),   CK_CL_ARG(dx.offset)};
    return ck_cl_conv2d_launch(backend, op, CK_CL_CONV_BACKWARD_DATA, g, 1, list, 8);
}

ck_status ck_cl_conv2d_backward_weights_pass(ck_backend *backend, const char *op, const cl_int16 *g, ck_cl_view x,
                                             ck_cl_view dy, float beta, ck_cl_view dw) {
    ck_status pointwise = ck_cl_conv2d_backward_weights_pointwise(backend, op, g, x, dy, beta, dw);
    if (pointwise != CK_ERR_UNSUPPORTED) return pointwise;
    if (ck_cl_conv2d_uses_vec(backend, g)) {
        ck_status status = ck_cl_conv2d_backward_weights_vec(backend, op, g, x, dy, beta, dw);
        if (status != CK_ERR_UNSUPPORTED) return status;
    }
    const int32_t slices = use_igemm(g) ? ck_cl_conv2d_backward_weights_slices(backend, g) : 1;
    if (slices > 1) return ck_cl_conv2d_backward_weights_split(backend, op, g, slices, x, dy, beta, dw);
    const ck_cl_arg list[] = {CK_CL_ARG(*g),        CK_CL_ARG(x.mem), CK_CL_ARG(x.offset), CK_CL_ARG(dy.mem),
                              CK_CL_ARG(dy.offset), CK_CL_ARG(beta),  CK_CL_ARG(dw.mem),   CK_CL_ARG(dw.offset)};
    return ck_cl_conv2d_launch(backend, op, CK_CL_CONV_BACKWARD_WEIGHTS, g, 1, list, 8);
}

ck_status ck_cl_conv2d_forward(ck_backend *backend, const ck_conv2d_forward_args *args) {
    CK_CL_REQUIRE_INT_SIZED(backend, "conv2d_forward", args->x, args->w, args->bias, args->y);
    cl_int16 g = geometry(args->params, args->x, args->y, args->w);
    const ck_cl_view w = ck_cl_view_of(args->w);
    ck_cl_epilogue epilogue = ck_cl_epilogue_none(w);
    if (args->bias) epilogue.has_bias = 1, epilogue.bias = ck_cl_view_of(args->bias);
    if (args->epilogue.has_activation)
        epilogue.activation = (int32_t)args->epilogue.activation, epilogue.alpha = args->epilogue.alpha;
    return ck_cl_conv2d_forward_pass(backend, "conv2d_forward", &g, ck_cl_view_of(args->x), w, &epilogue, 0.0f,
                                     ck_cl_view_of(args->y));
}

ck_status ck_cl_conv2d_backward_data(ck_backend *backend, const ck_conv2d_backward_data_args *args) {
    CK_CL_REQUIRE_INT_SIZED(backend, "conv2d_backward_data", args->w, args->dy, args->dx);
    cl_int16 g = geometry(args->params, args->dx, args->dy, args->w);
    return ck_cl_conv2d_backward_data_pass(backend, "conv2d_backward_data", &g, ck_cl_view_of(args->w),
                                           ck_cl_view_of(args->dy), args->beta, ck_cl_view_of(args->dx));
}

ck_status ck_cl_conv2d_backward_weights(ck_backend *backend, const ck_conv2d_backward_weights_args *args) {
    const char *op = "conv2d_backward_weights";
    CK_CL_REQUIRE_INT_SIZED(backend, op, args->x, args->dy, args->dw, args->dbias);
    cl_int16 g = geometry(args->params, args->x, args->dy, args->dw);
    ck_status status = ck_cl_conv2d_backward_weights_pass(backend, op, &g, ck_cl_view_of(args->x),
                                                          ck_cl_view_of(args->dy), args->beta, ck_cl_view_of(args->dw));
    if (status != CK_OK || !args->dbias) return status;
    const ck_tensor *d = args->dy;
    return ck_cl_channel_sum(backend, op, d, d->dims[0], d->dims[1], d->dims[2] * d->dims[3], args->beta, args->dbias);
}
