/*
 * cl_dropout.c — dropout forward on OpenCL (Kernels/dropout.cl): Philox-4x32-10
 * masks bitwise identical to every other backend's (core/philox.h).
 * x, y, mask: the same shape, float32; y may be x.
 */
#include "core/philox.h"
#include "opencl/cl_ops.h"

ck_status ck_cl_dropout_forward(ck_backend *backend, const ck_dropout_forward_args *args) {
    CK_CL_REQUIRE_INT_SIZED(backend, "dropout_forward", args->x, args->y, args->mask);
    const ck_dropout_params *p = args->params;
    int32_t n = (int32_t)ck_tensor_numel(args->x);
    cl_ulong offset = p->offset, seed = p->seed;
    float rate = p->rate, scale = ck_dropout_scale(p->rate); /* the host's float32 division, as the CPU's */
    ck_cl_view x = ck_cl_view_of(args->x), y = ck_cl_view_of(args->y), mask = ck_cl_view_of(args->mask);
    const ck_cl_arg list[] = {CK_CL_ARG(n),        CK_CL_ARG(offset),   CK_CL_ARG(seed),       CK_CL_ARG(rate),
                              CK_CL_ARG(scale),    CK_CL_ARG(x.mem),    CK_CL_ARG(x.offset),   CK_CL_ARG(y.mem),
                              CK_CL_ARG(y.offset), CK_CL_ARG(mask.mem), CK_CL_ARG(mask.offset)};
    const size_t items = ((size_t)n + (size_t)(offset & 3) + 3) / 4;
    return ck_cl_launch(backend, "dropout_forward", CK_CL_PROGRAM_DROPOUT, "dropout_forward", 1, &items, NULL, list, 11);
}
