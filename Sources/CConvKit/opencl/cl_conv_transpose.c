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
    ck_status status = ck_cl_conv2d_backward_data_pass(backend, op, &g, ck_cl_view_of(args->w), ck_cl_view_of(args->x),
                                                       0.0f, ck_cl_view_of(args->y));
    if (status != CK_OK || !args->bias) return status;
    const ck_bias_add_args bias = {args->y, args->bias, args->y};
    return ck_cl_bias_add(backend, &bias);
}

ck_status ck_cl_conv_transpose2d_backward_data(ck_backend *backend, const ck_conv_transpose2d_backward_data_args *args) {
    const char *op = "conv_transpose2d_backward_data";
    CK_CL_REQUIRE_INT_SIZED(backend, op, args->w, args->dy, args->dx);
    cl_int16 g = geometry(args->params, args->dy, args->dx, args->w);
    return ck_cl_conv2d_forward_pass(backend, op, &g, ck_cl_view_of(args->dy), ck_cl_view_of(args->w), NULL, args->beta,
                                     ck_cl_view_of(args->dx));
}

ck_status ck_cl_conv_transpose2d_backward_weights(ck_backend *backend,
                                                  const ck_conv_transpose2d_backward_weights_args *args) {
    const char *op = "conv_transpose2d_backward_weights";
    CK_CL_REQUIRE_INT_SIZED(backend, op, args->x, args->dy, args->dw, args->dbias);
    cl_int16 g = geometry(args->params, args->dy, args->x, args->dw);
    ck_status status = ck_cl_conv2d_backward_weights_pass(backend, op, &g, ck_cl_view_of(args->dy),
                                                          ck_cl_view_of(args->x), args->beta, ck_cl_view_of(args->dw));
    if (status != CK_OK || !args->dbias) return status;
    const ck_tensor *d = args->dy;
    return ck_cl_channel_sum(backend, op, d, d->dims[0], d->dims[1], d->dims[2] * d->dims[3], args->beta, args->dbias);
}
