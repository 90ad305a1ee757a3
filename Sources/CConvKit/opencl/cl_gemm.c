/*
 * cl_gemm.c — c = alpha * op(a) * op(b) + beta * c on OpenCL (Kernels/gemm.cl).
 * a: (M, K) or (K, M); b: (K, N) or (N, K); c: (M, N).
 *
 * Devices whose tuning sets CONV_VEC (CPU devices such as PoCL) run gemm_vec,
 * on vectors of CONV_VEC columns; op(b) is first copied to pooled scratch
 * (gemm_pack_b) unless b is (K, N) with N a multiple of CONV_VEC. Others run
 * the register-tiled gemm.
 */
#include "opencl/cl_ops.h"

#include <stdint.h>

ck_status ck_cl_gemm_vec(ck_backend *backend, const char *op, int32_t m, int32_t n, int32_t k, int32_t trans_a,
                         int32_t trans_b, float alpha, ck_cl_view a, ck_cl_view b, float beta, ck_cl_view c) {
    const ck_cl_tuning *t = &ck_cl(backend)->tuning;
    if (!t->conv_vec) return CK_ERR_UNSUPPORTED;
    const int64_t np64 = ((int64_t)n + t->conv_vec - 1) / t->conv_vec * t->conv_vec;
    if (np64 * k > INT32_MAX) return CK_ERR_UNSUPPORTED;
    int32_t np = (int32_t)np64;
    const int pack = (trans_b || np != n) && k > 0; /* k == 0: c = beta * c, b is not read */
    const size_t packed_bytes = (size_t)np * (size_t)k * sizeof(float);
    cl_mem packed = NULL;
    ck_status status = CK_OK;
    if (pack) {
        status = ck_cl_alloc(backend, op, packed_bytes, &packed);
        const ck_cl_arg list[] = {CK_CL_ARG(n),     CK_CL_ARG(k),        CK_CL_ARG(np),    CK_CL_ARG(trans_b),
                                  CK_CL_ARG(b.mem), CK_CL_ARG(b.offset), CK_CL_ARG(packed)};
        const size_t global[2] = {(size_t)np, (size_t)k};
        if (status == CK_OK)
            status = ck_cl_launch(backend, op, CK_CL_PROGRAM_GEMM, "gemm_pack_b", 2, global, NULL, list, 7);
    }
    if (status == CK_OK) {
        cl_mem bp = pack ? packed : b.mem;
        int32_t bp_off = pack ? 0 : b.offset;
        const ck_cl_arg list[] = {CK_CL_ARG(m),  CK_CL_ARG(n),      CK_CL_ARG(k),    CK_CL_ARG(np),
                                  CK_CL_ARG(trans_a), CK_CL_ARG(alpha), CK_CL_ARG(a.mem), CK_CL_ARG(a.offset),
                                  CK_CL_ARG(bp), CK_CL_ARG(bp_off), CK_CL_ARG(beta), CK_CL_ARG(c.mem),
                                  CK_CL_ARG(c.offset)};
        const size_t global[2] = {(size_t)(np / t->conv_vec), (size_t)((m + t->conv_block - 1) / t->conv_block)};
        /* A work group: up to 8 column vectors of the same rows, which read the same elements of a. */
        const size_t local[2] = {global[0] < 8 ? global[0] : 8, 1};
        status = ck_cl_launch(backend, op, CK_CL_PROGRAM_GEMM, "gemm_vec", 2, global, local, list, 13);
    }
    if (packed) ck_cl_free(backend, packed, packed_bytes);
    return status;
}

ck_status ck_cl_gemm(ck_backend *backend, const ck_gemm_args *args) {
    CK_CL_REQUIRE_INT_SIZED(backend, "gemm", args->a, args->b, args->c);
    int32_t m = ck_cl_int(args->c->dims[0]), n = ck_cl_int(args->c->dims[1]);
    int32_t k = ck_cl_int(args->trans_a ? args->a->dims[0] : args->a->dims[1]);
    int32_t trans_a = args->trans_a != 0, trans_b = args->trans_b != 0;
    float alpha = args->alpha, beta = args->beta;
    ck_cl_view a = ck_cl_view_of(args->a), b = ck_cl_view_of(args->b), c = ck_cl_view_of(args->c);
    ck_status status = ck_cl_gemm_vec(backend, "gemm", m, n, k, trans_a, trans_b, alpha, a, b, beta, c);
    if (status != CK_ERR_UNSUPPORTED) return status;
    const ck_cl_arg list[] = {CK_CL_ARG(m),     CK_CL_ARG(n),        CK_CL_ARG(k),      CK_CL_ARG(trans_a),
                              CK_CL_ARG(trans_b), CK_CL_ARG(alpha),  CK_CL_ARG(a.mem),  CK_CL_ARG(a.offset),
                              CK_CL_ARG(b.mem), CK_CL_ARG(b.offset), CK_CL_ARG(beta),   CK_CL_ARG(c.mem),
                              CK_CL_ARG(c.offset)};
    return ck_cl_launch_tiled(backend, "gemm", CK_CL_PROGRAM_GEMM, "gemm", m, n, 1, list, 13);
}
