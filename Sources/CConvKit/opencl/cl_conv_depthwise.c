/*
 * cl_conv_depthwise.c — conv2d with one input channel per group (C == G) on
 * the vector kernels of Kernels/conv2d_depthwise.cl, for devices whose tuning
 * sets CONV_VEC. They take the argument lists of conv2d.cl's direct kernels
 * (ck_cl_conv2d_launch hands them over); backward-weights adds per-image sums
 * into pooled scratch, then conv2d_sum_partials (common/sum_partials.cl) adds
 * the images up. x: (N, C, H, W); w: (O, 1, KH, KW); y, dy: (N, O, OH, OW).
 */
#include "opencl/cl_ops.h"

int ck_cl_conv2d_uses_depthwise(ck_backend *backend, const cl_int16 *g) {
    return ck_cl(backend)->tuning.conv_vec > 0 && g->s[1] == g->s[15];
}

ck_status ck_cl_conv2d_depthwise_launch(ck_backend *backend, const char *op, ck_cl_conv_pass pass, const cl_int16 *g,
                                        const ck_cl_arg *args, cl_uint arg_count) {
    const size_t n = (size_t)g->s[0], c = (size_t)g->s[1], h = (size_t)g->s[2], o = (size_t)g->s[4];
    const size_t oh = (size_t)g->s[5], taps = (size_t)g->s[7] * (size_t)g->s[8];
    const ck_cl_program_id program = CK_CL_PROGRAM_CONV2D_DEPTHWISE;
    if (pass == CK_CL_CONV_FORWARD) {
        const size_t global[2] = {oh, n * o}, local[2] = {oh < 8 ? oh : 8, 1};
        return ck_cl_launch(backend, op, program, "conv2d_depthwise_forward", 2, global, local, args, arg_count);
    }
    if (pass == CK_CL_CONV_BACKWARD_DATA) {
        const size_t global[2] = {h, n * c}, local[2] = {h < 8 ? h : 8, 1};
        return ck_cl_launch(backend, op, program, "conv2d_depthwise_backward_data", 2, global, local, args, arg_count);
    }
    /* args: g, x, x_off, dy, dy_off, beta, dw, dw_off (conv2d_backward_weights). */
    const int32_t count = (int32_t)(o * taps), images = (int32_t)n;
    const size_t bytes = n * o * taps * sizeof(float);
    cl_mem partial = NULL;
    ck_status status = ck_cl_alloc(backend, op, bytes, &partial);
    if (status == CK_OK) {
        const ck_cl_arg list[] = {args[0], args[1], args[2], args[3], args[4], CK_CL_ARG(partial)};
        const size_t global[2] = {taps, n * o}, local[2] = {taps <= 64 ? taps : 1, 1};
        status = ck_cl_launch(backend, op, program, "conv2d_depthwise_backward_weights", 2, global, local, list, 6);
    }
    if (status == CK_OK) {
        const ck_cl_arg list[] = {CK_CL_ARG(count), CK_CL_ARG(images), CK_CL_ARG(partial), args[5], args[6], args[7]};
        const size_t items = (size_t)count;
        status = ck_cl_launch(backend, op, CK_CL_PROGRAM_CONV2D_DIRECT, "conv2d_sum_partials", 1, &items, NULL, list, 6);
    }
    if (partial) ck_cl_free(backend, partial, bytes);
    return status;
}
