/*
 * cl_pool.c — max / average pooling forward and backward, and global pooling,
 * on OpenCL (Kernels/pool2d.cl). x, dx: (N, C, H, W); y, dy: (N, C, OH, OW),
 * (N, C, 1, 1) for global pooling.
 */
#include "opencl/cl_ops.h"

/* The int16 geometry and the (count_include_pad, divisor_override) pair of pool2d.cl. */
static cl_int16 geometry(const ck_pool2d_params *p, const ck_tensor *x, const ck_tensor *y, cl_int2 *avg) {
    cl_int16 g;
    const int64_t values[16] = {x->dims[0] * x->dims[1], x->dims[2],    x->dims[3],   y->dims[2],
                                y->dims[3],              p->kernel_h,   p->kernel_w,  p->stride_h,
                                p->stride_w,             p->pad_top,    p->pad_bottom, p->pad_left,
                                p->pad_right,            p->dilation_h, p->dilation_w, p->mode == CK_POOL_MAX ? 0 : 1};
    for (int i = 0; i < 16; i++) g.s[i] = (cl_int)values[i];
    avg->s[0] = p->count_include_pad != 0;
    avg->s[1] = p->divisor_override;
    return g;
}

static ck_status launch(ck_backend *backend, const char *op, size_t items, const ck_cl_arg *args, cl_uint arg_count) {
    return ck_cl_launch(backend, op, CK_CL_PROGRAM_POOL2D, op, 1, &items, NULL, args, arg_count);
}

/* A windowed kernel on global (columns, rows, planes): groups of up to 32 adjacent items of a row. */
static ck_status launch_planes(ck_backend *backend, const char *op, const char *kernel, int32_t columns, int32_t rows,
                               int32_t planes, const ck_cl_arg *args, cl_uint arg_count) {
    const size_t global[3] = {(size_t)columns, (size_t)rows, (size_t)planes};
    const size_t local[3] = {columns < 32 ? (size_t)columns : 32, 1, 1};
    return ck_cl_launch(backend, op, CK_CL_PROGRAM_POOL2D, kernel, 3, global, local, args, arg_count);
}

ck_status ck_cl_pool2d_forward(ck_backend *backend, const ck_pool2d_forward_args *args) {
    CK_CL_REQUIRE_INT_SIZED(backend, "pool2d_forward", args->x, args->y);
    cl_int2 avg;
    cl_int16 g = geometry(args->params, args->x, args->y, &avg);
    ck_cl_view x = ck_cl_view_of(args->x), y = ck_cl_view_of(args->y);
    const ck_cl_arg list[] = {CK_CL_ARG(g), CK_CL_ARG(avg), CK_CL_ARG(x.mem), CK_CL_ARG(x.offset), CK_CL_ARG(y.mem),
                              CK_CL_ARG(y.offset)};
    const int32_t vec = ck_cl(backend)->tuning.conv_vec;
    if (vec) { /* a row of y per item, in vectors; narrow rows (under two vectors) every window in masked lanes */
        const size_t global[2] = {(size_t)g.s[3], (size_t)g.s[0]}, local[2] = {g.s[3] < 8 ? (size_t)g.s[3] : 8, 1};
        const char *kernel = g.s[4] < 2 * vec ? "pool2d_forward_rows" : "pool2d_forward_vec";
        return ck_cl_launch(backend, "pool2d_forward", CK_CL_PROGRAM_POOL2D, kernel, 2, global, local, list, 6);
    }
    return launch_planes(backend, "pool2d_forward", "pool2d_forward", g.s[4], g.s[3], g.s[0], list, 6);
}

ck_status ck_cl_pool2d_backward(ck_backend *backend, const ck_pool2d_backward_args *args) {
    CK_CL_REQUIRE_INT_SIZED(backend, "pool2d_backward", args->x, args->dy, args->dx);
    cl_int2 avg;
    cl_int16 g = geometry(args->params, args->x, args->dy, &avg);
    ck_cl_view x = ck_cl_view_of(args->x), dy = ck_cl_view_of(args->dy), dx = ck_cl_view_of(args->dx);
    const char *op = "pool2d_backward";
    float beta = args->beta;
    if (ck_cl(backend)->tuning.conv_vec) { /* a plane of dx per item, the max windows' winners found again */
        const ck_cl_arg list[] = {CK_CL_ARG(g),      CK_CL_ARG(avg),       CK_CL_ARG(x.mem),  CK_CL_ARG(x.offset),
                                  CK_CL_ARG(dy.mem), CK_CL_ARG(dy.offset), CK_CL_ARG(beta),   CK_CL_ARG(dx.mem),
                                  CK_CL_ARG(dx.offset)};
        const size_t planes = (size_t)g.s[0], one = 1;
        return ck_cl_launch(backend, op, CK_CL_PROGRAM_POOL2D, "pool2d_backward_vec", 1, &planes, &one, list, 9);
    }
    /* Max: each window's winner into pooled scratch first (average: unused, dy's buffer stands in). */
    const size_t winner_bytes = ck_tensor_numel(args->dy) * sizeof(cl_int);
    cl_mem winner = NULL;
    ck_status status = CK_OK;
    if (g.s[15] == 0 && winner_bytes > 0) {
        status = ck_cl_alloc(backend, op, winner_bytes, &winner);
        const ck_cl_arg list[] = {CK_CL_ARG(g), CK_CL_ARG(x.mem), CK_CL_ARG(x.offset), CK_CL_ARG(winner)};
        if (status == CK_OK) status = launch_planes(backend, op, "pool2d_argmax", g.s[4], g.s[3], g.s[0], list, 4);
    }
    cl_mem winners = winner ? winner : dy.mem;
    const ck_cl_arg list[] = {CK_CL_ARG(g),    CK_CL_ARG(avg),    CK_CL_ARG(winners), CK_CL_ARG(dy.mem),
                              CK_CL_ARG(dy.offset), CK_CL_ARG(beta), CK_CL_ARG(dx.mem), CK_CL_ARG(dx.offset)};
    if (status == CK_OK) status = launch_planes(backend, op, op, g.s[2], g.s[1], g.s[0], list, 8);
    if (winner) ck_cl_free(backend, winner, winner_bytes);
    return status;
}

ck_status ck_cl_global_pool2d_forward(ck_backend *backend, const ck_global_pool2d_forward_args *args) {
    CK_CL_REQUIRE_INT_SIZED(backend, "global_pool2d_forward", args->x, args->y);
    int32_t planes = ck_cl_int(args->x->dims[0] * args->x->dims[1]);
    int32_t size = ck_cl_int(args->x->dims[2] * args->x->dims[3]), mode = args->mode == CK_POOL_MAX ? 0 : 1;
    ck_cl_view x = ck_cl_view_of(args->x), y = ck_cl_view_of(args->y);
    const ck_cl_arg list[] = {CK_CL_ARG(planes),   CK_CL_ARG(size),  CK_CL_ARG(mode),    CK_CL_ARG(x.mem),
                              CK_CL_ARG(x.offset), CK_CL_ARG(y.mem), CK_CL_ARG(y.offset)};
    return launch(backend, "global_pool2d_forward", (size_t)planes, list, 7);
}

ck_status ck_cl_global_pool2d_backward(ck_backend *backend, const ck_global_pool2d_backward_args *args) {
    CK_CL_REQUIRE_INT_SIZED(backend, "global_pool2d_backward", args->x, args->dy, args->dx);
    int32_t planes = ck_cl_int(args->x->dims[0] * args->x->dims[1]);
    int32_t size = ck_cl_int(args->x->dims[2] * args->x->dims[3]), mode = args->mode == CK_POOL_MAX ? 0 : 1;
    float beta = args->beta;
    ck_cl_view x = ck_cl_view_of(args->x), dy = ck_cl_view_of(args->dy), dx = ck_cl_view_of(args->dx);
    const ck_cl_arg list[] = {CK_CL_ARG(planes),   CK_CL_ARG(size),   CK_CL_ARG(mode),      CK_CL_ARG(x.mem),
                              CK_CL_ARG(x.offset), CK_CL_ARG(dy.mem), CK_CL_ARG(dy.offset), CK_CL_ARG(beta),
                              CK_CL_ARG(dx.mem),   CK_CL_ARG(dx.offset)};
    return launch(backend, "global_pool2d_backward", (size_t)planes, list, 10);
}
