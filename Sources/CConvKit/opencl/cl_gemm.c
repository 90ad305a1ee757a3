/*
 * cl_gemm.c — c = alpha * op(a) * op(b) + beta * c on OpenCL (Kernels/gemm.cl,
 * the register-tiled kernel). a: (M, K) or (K, M); b: (K, N) or (N, K); c: (M, N).
 */
#include "opencl/cl_ops.h"

ck_status ck_cl_gemm(ck_backend *backend, const ck_gemm_args *args) {
    CK_CL_REQUIRE_INT_SIZED(backend, "gemm", args->a, args->b, args->c);
    int32_t m = ck_cl_int(args->c->dims[0]), n = ck_cl_int(args->c->dims[1]);
    int32_t k = ck_cl_int(args->trans_a ? args->a->dims[0] : args->a->dims[1]);
    int32_t trans_a = args->trans_a != 0, trans_b = args->trans_b != 0;
    float alpha = args->alpha, beta = args->beta;
    ck_cl_view a = ck_cl_view_of(args->a), b = ck_cl_view_of(args->b), c = ck_cl_view_of(args->c);
    const ck_cl_arg list[] = {CK_CL_ARG(m),     CK_CL_ARG(n),        CK_CL_ARG(k),      CK_CL_ARG(trans_a),
                              CK_CL_ARG(trans_b), CK_CL_ARG(alpha),  CK_CL_ARG(a.mem),  CK_CL_ARG(a.offset),
                              CK_CL_ARG(b.mem), CK_CL_ARG(b.offset), CK_CL_ARG(beta),   CK_CL_ARG(c.mem),
                              CK_CL_ARG(c.offset)};
    return ck_cl_launch_tiled(backend, "gemm", CK_CL_PROGRAM_GEMM, "gemm", m, n, 1, list, 13);
}
