/*
 * ref_dense.c — GEMM, the bias broadcast and its gradient, and sums over
 * axes, of the reference backend.
 */
#include "reference/ref_channel.h"
#include "reference/reference_ops.h"
#include "reference/ref_tensor.h"

/*
 * c = alpha * op(a) op(b) + beta * c; a: (M, K) or (K, M) when trans_a;
 * b: (K, N) or (N, K) when trans_b; c: (M, N). beta == 0: c is not read.
 */
ck_status ck_ref_gemm(ck_backend *backend, const ck_gemm_args *args) {
    int64_t m = args->c->dims[0], n = args->c->dims[1];
    int64_t k = args->trans_a ? args->a->dims[0] : args->a->dims[1];
    ck_ref_arena arena;
    ck_ref_arena_init(&arena, backend, "gemm");
    double *a = ck_ref_load(&arena, args->a);
    double *b = ck_ref_load(&arena, args->b);
    double *c = ck_ref_zeros(&arena, ck_tensor_numel(args->c));
    ck_status status = ck_ref_arena_status(&arena);
    if (status == CK_OK) {
        for (int64_t i = 0; i < m; i++)
            for (int64_t j = 0; j < n; j++) {
                double sum = 0.0;
                for (int64_t p = 0; p < k; p++) {
                    double a_ip = args->trans_a ? a[p * m + i] : a[i * k + p];
                    double b_pj = args->trans_b ? b[j * k + p] : b[p * n + j];
                    sum += a_ip * b_pj;
                }
                c[i * n + j] = (double)args->alpha * sum;
            }
        ck_ref_store_accumulate(args->c, c, args->beta);
    }
    ck_ref_arena_free(&arena);
    return status;
}

/* Elements of t after its first two axes (1 for a 2-d tensor). */
static int64_t inner_size(const ck_tensor *t) {
    int64_t inner = 1;
    for (int32_t i = 2; i < t->ndim; i++) inner *= t->dims[i];
    return inner;
}

/* y = x + bias[c]; x, y: (N, C, ...); bias: (C). y may be x. */
ck_status ck_ref_bias_add(ck_backend *backend, const ck_bias_add_args *args) {
    ck_ref_arena arena;
    ck_ref_arena_init(&arena, backend, "bias_add");
    double *x = ck_ref_load(&arena, args->x);
    double *bias = ck_ref_load(&arena, args->bias);
    ck_status status = ck_ref_arena_status(&arena);
    if (status == CK_OK) {
        ck_ref_add_per_channel(x, bias, args->x->dims[0], args->x->dims[1], inner_size(args->x));
        ck_ref_store(args->y, x);
    }
    ck_ref_arena_free(&arena);
    return status;
}

/* dbias (C) = sum of dy (N, C, ...) over every axis but 1, + beta * dbias. */
ck_status ck_ref_bias_backward(ck_backend *backend, const ck_bias_backward_args *args) {
    ck_ref_arena arena;
    ck_ref_arena_init(&arena, backend, "bias_backward");
    double *dy = ck_ref_load(&arena, args->dy);
    double *dbias = ck_ref_zeros(&arena, ck_tensor_numel(args->dbias));
    ck_status status = ck_ref_arena_status(&arena);
    if (status == CK_OK) {
        ck_ref_sum_per_channel(dy, args->dy->dims[0], args->dy->dims[1], inner_size(args->dy), dbias);
        ck_ref_store_accumulate(args->dbias, dbias, args->beta);
    }
    ck_ref_arena_free(&arena);
    return status;
}

/*
 * y = sum of x over the axes set in axes_mask, + beta * y. y's elements are
 * x's kept axes in row-major order, whether y keeps the reduced axes as size
 * 1 or drops them: both have the same memory order.
 */
ck_status ck_ref_reduce_sum(ck_backend *backend, const ck_reduce_sum_args *args) {
    const ck_tensor *xt = args->x;
    /* y_stride[i]: step in y for a step along x's axis i (0 for a reduced axis). */
    int64_t y_stride[CK_MAX_DIMS];
    int64_t stride = 1;
    for (int32_t i = xt->ndim - 1; i >= 0; i--) {
        int reduced = (args->axes_mask >> i) & 1u;
        y_stride[i] = reduced ? 0 : stride;
        if (!reduced) stride *= xt->dims[i];
    }
    ck_ref_arena arena;
    ck_ref_arena_init(&arena, backend, "reduce_sum");
    double *x = ck_ref_load(&arena, xt);
    double *y = ck_ref_zeros(&arena, ck_tensor_numel(args->y));
    ck_status status = ck_ref_arena_status(&arena);
    if (status == CK_OK) {
        int64_t index[CK_MAX_DIMS] = {0};
        size_t count = ck_tensor_numel(xt);
        for (size_t e = 0; e < count; e++) {
            int64_t yi = 0;
            for (int32_t i = 0; i < xt->ndim; i++) yi += index[i] * y_stride[i];
            y[yi] += x[e];
            /* Advance the row-major multi-index of x. */
            for (int32_t i = xt->ndim - 1; i >= 0; i--) {
                if (++index[i] < xt->dims[i]) break;
                index[i] = 0;
            }
        }
        ck_ref_store_accumulate(args->y, y, args->beta);
    }
    ck_ref_arena_free(&arena);
    return status;
}
