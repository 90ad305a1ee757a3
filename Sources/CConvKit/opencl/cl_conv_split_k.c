/*
 * cl_conv_split_k.c — split-K for the implicit-GEMM conv2d backward-weights
 * (Kernels/conv2d.cl: conv2d_backward_weights_igemm over S slices of K, then
 * conv2d_sum_partials of common/sum_partials.cl). x: (N, C, H, W);
 * dy: (N, O, OH, OW); dw: (O, C/G, KH, KW); the scratch of partial sums:
 * (S, O, C/G, KH, KW), from the pool. The rule for S: cl_split_k.h.
 */
#include "opencl/cl_ops.h"

#include <limits.h>

/* ceil(a / b) for a >= 0, b > 0. */
static int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

int32_t ck_cl_split_k_slices(int32_t compute_units, int64_t m, int64_t n, int64_t k, int64_t groups, int32_t tile_m,
                             int32_t tile_n, int32_t tile_k) {
    const int64_t work_groups = groups * ceil_div(m, tile_m) * ceil_div(n, tile_n);
    const int64_t wanted = (int64_t)(compute_units > 0 ? compute_units : 1) * CK_CL_SPLIT_K_GROUPS_PER_UNIT;
    if (work_groups <= 0 || work_groups >= wanted) return 1;
    int64_t slices = ceil_div(wanted, work_groups);
    const int64_t longest = ceil_div(k, tile_k) / CK_CL_SPLIT_K_MIN_STEPS;
    if (slices > longest) slices = longest;
    if (slices > CK_CL_MAX_SPLIT_K) slices = CK_CL_MAX_SPLIT_K;
    return slices < 1 ? 1 : (int32_t)slices;
}

int32_t ck_cl_conv2d_backward_weights_slices(ck_backend *backend, const cl_int16 *g) {
    const ck_cl_state *state = ck_cl(backend);
    const ck_cl_tuning *t = &state->tuning;
    const int64_t groups = g->s[15], m = g->s[4] / groups, n = (int64_t)g->s[1] / groups * g->s[7] * g->s[8];
    const int64_t k = (int64_t)g->s[0] * g->s[5] * g->s[6];
    int64_t slices = t->split_k > 0 ? t->split_k
                                    : ck_cl_split_k_slices(state->info->info.compute_units, m, n, k, groups, t->tile_m,
                                                           t->tile_n, t->tile_k);
    /* The kernels index the scratch (slices x dw's elements) with 32-bit integers; dw itself fits. */
    const int64_t most = INT32_MAX / (groups * m * n);
    return (int32_t)(slices < most ? slices : most);
}

ck_status ck_cl_conv2d_backward_weights_split(ck_backend *backend, const char *op, const cl_int16 *g, int32_t slices,
                                              ck_cl_view x, ck_cl_view dy, float beta, ck_cl_view dw) {
    const int32_t count = g->s[4] * (g->s[1] / g->s[15]) * g->s[7] * g->s[8];
    const size_t bytes = (size_t)slices * (size_t)count * sizeof(float);
    cl_mem partial = NULL;
    ck_status status = ck_cl_alloc(backend, op, bytes, &partial);
    if (status == CK_OK) { /* every slice writes all of its (O, C/G, KH, KW) block, so the scratch needs no clearing */
        const int32_t zero = 0;
        const float no_beta = 0.0f;
        const ck_cl_arg list[] = {CK_CL_ARG(*g),        CK_CL_ARG(x.mem),   CK_CL_ARG(x.offset), CK_CL_ARG(dy.mem),
                                  CK_CL_ARG(dy.offset), CK_CL_ARG(no_beta), CK_CL_ARG(partial),  CK_CL_ARG(zero)};
        status = ck_cl_conv2d_launch(backend, op, CK_CL_CONV_BACKWARD_WEIGHTS, g, slices, list, 8);
    }
    if (status == CK_OK) {
        const ck_cl_arg list[] = {CK_CL_ARG(count), CK_CL_ARG(slices), CK_CL_ARG(partial), CK_CL_ARG(beta),
                                  CK_CL_ARG(dw.mem), CK_CL_ARG(dw.offset)};
        const size_t items = (size_t)count;
        status = ck_cl_launch(backend, op, CK_CL_PROGRAM_CONV2D, "conv2d_sum_partials", 1, &items, NULL, list, 6);
    }
    if (partial) ck_cl_free(backend, partial, bytes);
    return status;
}
