/*
 * cl_conv_transpose.c — transposed conv2d on OpenCL: the adjoint of conv2d,
 * run on the conv2d kernels (Kernels/conv2d.cl) with input and output
 * swapped. x: (N, C, H, W); w: (C, O/G, KH, KW) (IOHW); y, dy: (N, O, OH, OW);
 * bias, dbias: (O). As a conv2d, y is the input, x the output and w the
 * (C, O/G, KH, KW) OIHW weight with the same stride, padding, dilation and
 * groups (tap (kh, kw) of x at (ih, iw) lands on y at
 * (ih*SH - PT + kh*DH, iw*SW - PL + kw*DW) in both readings), so:
 *   forward          = conv2d backward-data (dy := x, dx := y), then + bias;
 *   backward-data    = conv2d forward (x := dy, y := dx);
 *   backward-weights = conv2d backward-weights (x := dy, dy := x).
 */
#include "opencl/cl_ops.h"

/* The conv2d geometry with conv input `in` (the transposed conv's y side) and output `out` (its x side). */
static cl_int16 geometry(const ck_conv_transpose2d_params *p, const ck_tensor *in, const ck_tensor *out,
                         const ck_tensor *w) {
    const int32_t stride[2] = {p->stride_h, p->stride_w}, pad[2] = {p->pad_top, p->pad_left};
    const int32_t dilation[2] = {p->dilation_h, p->dilation_w};
    return ck_cl_conv_geometry(in->dims, out->dims, w->dims, stride, pad, dilation, p->groups);
}

ck_status ck_cl_conv_transpose2d_forward(ck_backend *backend, const ck_conv_transpose2d_forward_args *args) {
    const char *op = "conv_transpose2d_forward";
    CK_CL_REQUIRE_INT_SIZED(backend, op, args->x, args->w, args->bias, args->y);
    cl_int16 g = geometry(args->params, args->y, args->x, args->w);
    ck_cl_view w = ck_cl_view_of(args->w), x = ck_cl_view_of(args->x), y = ck_cl_view_of(args->y);
    float beta = 0.0f;
    const ck_cl_arg list[] = {CK_CL_ARG(g),        CK_CL_ARG(w.mem), CK_CL_ARG(w.offset), CK_CL_ARG(x.mem),
                              CK_CL_ARG(x.offset), CK_CL_ARG(beta),  CK_CL_ARG(y.mem),    CK_CL_ARG(y.offset)};
    ck_status status = ck_cl_conv2d_backward_data_vec(backend, op, &g, w, x, beta, y);
    if (status == CK_ERR_UNSUPPORTED) status = ck_cl_conv2d_launch(backend, op, CK_CL_CONV_BACKWARD_DATA, &g, list, 8);
    if (status != CK_OK || !args->bias) return status;
    const ck_bias_add_args bias = {args->y, args->bias, args->y};
    return ck_cl_bias_add(backend, &bias);
}

ck_status ck_cl_conv_transpose2d_backward_data(ck_backend *backend, const ck_conv_transpose2d_backward_data_args *args) {
    const char *op = "conv_transpose2d_backward_data";
    CK_CL_REQUIRE_INT_SIZED(backend, op, args->w, args->dy, args->dx);
    cl_int16 g = geometry(args->params, args->dy, args->dx, args->w);
    ck_cl_view dy = ck_cl_view_of(args->dy), w = ck_cl_view_of(args->w), dx = ck_cl_view_of(args->dx);
    int32_t has_bias = 0;
    float beta = args->beta;
    if (ck_cl_conv2d_uses_vec(backend, &g)) {
        ck_status status = ck_cl_conv2d_forward_vec(backend, op, &g, dy, w, NULL, has_bias, w, beta, dx);
        if (status != CK_ERR_UNSUPPORTED) return status;
    }
    const ck_cl_arg list[] = {CK_CL_ARG(g),         CK_CL_ARG(dy.mem),   CK_CL_ARG(dy.offset), CK_CL_ARG(w.mem),
                              CK_CL_ARG(w.offset),  CK_CL_ARG(has_bias), CK_CL_ARG(w.mem),     CK_CL_ARG(w.offset),
                              CK_CL_ARG(beta),      CK_CL_ARG(dx.mem),   CK_CL_ARG(dx.offset)};
    return ck_cl_conv2d_launch(backend, op, CK_CL_CONV_FORWARD, &g, list, 11);
}

ck_status ck_cl_conv_transpose2d_backward_weights(ck_backend *backend,
                                                  const ck_conv_transpose2d_backward_weights_args *args) {
    const char *op = "conv_transpose2d_backward_weights";
    CK_CL_REQUIRE_INT_SIZED(backend, op, args->x, args->dy, args->dw, args->dbias);
    cl_int16 g = geometry(args->params, args->dy, args->x, args->dw);
    ck_cl_view dy = ck_cl_view_of(args->dy), x = ck_cl_view_of(args->x), dw = ck_cl_view_of(args->dw);
    float beta = args->beta;
    const ck_cl_arg list[] = {CK_CL_ARG(g),        CK_CL_ARG(dy.mem), CK_CL_ARG(dy.offset), CK_CL_ARG(x.mem),
                              CK_CL_ARG(x.offset), CK_CL_ARG(beta),   CK_CL_ARG(dw.mem),    CK_CL_ARG(dw.offset)};
    ck_status status = ck_cl_conv2d_uses_vec(backend, &g)
                           ? ck_cl_conv2d_backward_weights_vec(backend, op, &g, dy, x, beta, dw)
                           : CK_ERR_UNSUPPORTED;
    if (status == CK_ERR_UNSUPPORTED) status = ck_cl_conv2d_launch(backend, op, CK_CL_CONV_BACKWARD_WEIGHTS, &g, list, 8);
    if (status != CK_OK || !args->dbias) return status;
    const ck_tensor *d = args->dy;
    return ck_cl_channel_sum(backend, op, d, d->dims[0], d->dims[1], d->dims[2] * d->dims[3], beta, args->dbias);
}
