/* api_dense.c — public entry points of GEMM, bias, elementwise ops and reductions. */
#include "core/dispatch.h"

ck_status ck_gemm(ck_context *ctx, int32_t trans_a, int32_t trans_b, float alpha, const ck_tensor *a,
                  const ck_tensor *b, float beta, const ck_tensor *c) {
    const ck_gemm_args args = {trans_a, trans_b, alpha, a, b, beta, c};
    return ck_execute_gemm(ctx, &args);
}

ck_status ck_bias_add(ck_context *ctx, const ck_tensor *x, const ck_tensor *bias, const ck_tensor *y) {
    const ck_bias_add_args args = {x, bias, y};
    return ck_execute_bias_add(ctx, &args);
}

ck_status ck_bias_backward(ck_context *ctx, const ck_tensor *dy, float beta, const ck_tensor *dbias) {
    const ck_bias_backward_args args = {dy, beta, dbias};
    return ck_execute_bias_backward(ctx, &args);
}

ck_status ck_add(ck_context *ctx, float alpha, const ck_tensor *a, float beta, const ck_tensor *b, const ck_tensor *y) {
    const ck_add_args args = {alpha, a, beta, b, y};
    return ck_execute_add(ctx, &args);
}

ck_status ck_mul(ck_context *ctx, const ck_tensor *a, const ck_tensor *b, const ck_tensor *y) {
    const ck_mul_args args = {a, b, y};
    return ck_execute_mul(ctx, &args);
}

ck_status ck_scale(ck_context *ctx, float alpha, const ck_tensor *x, const ck_tensor *y) {
    const ck_scale_args args = {alpha, x, y};
    return ck_execute_scale(ctx, &args);
}

ck_status ck_axpy(ck_context *ctx, float alpha, const ck_tensor *x, const ck_tensor *y) {
    const ck_axpy_args args = {alpha, x, y};
    return ck_execute_axpy(ctx, &args);
}

ck_status ck_fill(ck_context *ctx, float value, const ck_tensor *y) {
    const ck_fill_args args = {value, y};
    return ck_execute_fill(ctx, &args);
}

ck_status ck_copy(ck_context *ctx, const ck_tensor *x, const ck_tensor *y) {
    const ck_copy_args args = {x, y};
    return ck_execute_copy(ctx, &args);
}

ck_status ck_reduce_sum(ck_context *ctx, uint32_t axes_mask, const ck_tensor *x, float beta, const ck_tensor *y) {
    const ck_reduce_sum_args args = {axes_mask, x, beta, y};
    return ck_execute_reduce_sum(ctx, &args);
}

ck_status ck_permute(ck_context *ctx, const int32_t *perm, const ck_tensor *x, const ck_tensor *y) {
    const ck_permute_args args = {perm, x, y};
    return ck_execute_permute(ctx, &args);
}
