/*
 * ref_elementwise.c — same-shape elementwise ops (add, mul, scale, axpy),
 * fill, copy and permute of the reference backend. Every input is loaded before the
 * output is written, so an output that is exactly an input works.
 */
#include "reference/reference_ops.h"
#include "reference/ref_tensor.h"

#include <string.h>

/* y = alpha * a + beta * b */
ck_status ck_ref_add(ck_backend *backend, const ck_add_args *args) {
    ck_ref_arena arena;
    ck_ref_arena_init(&arena, backend, "add");
    double *a = ck_ref_load(&arena, args->a);
    double *b = ck_ref_load(&arena, args->b);
    ck_status status = ck_ref_arena_status(&arena);
    if (status == CK_OK) {
        size_t n = ck_tensor_numel(args->y);
        for (size_t i = 0; i < n; i++) a[i] = (double)args->alpha * a[i] + (double)args->beta * b[i];
        ck_ref_store(args->y, a);
    }
    ck_ref_arena_free(&arena);
    return status;
}

/* y = a * b */
ck_status ck_ref_mul(ck_backend *backend, const ck_mul_args *args) {
    ck_ref_arena arena;
    ck_ref_arena_init(&arena, backend, "mul");
    double *a = ck_ref_load(&arena, args->a);
    double *b = ck_ref_load(&arena, args->b);
    ck_status status = ck_ref_arena_status(&arena);
    if (status == CK_OK) {
        size_t n = ck_tensor_numel(args->y);
        for (size_t i = 0; i < n; i++) a[i] *= b[i];
        ck_ref_store(args->y, a);
    }
    ck_ref_arena_free(&arena);
    return status;
}

/* y = alpha * x */
ck_status ck_ref_scale(ck_backend *backend, const ck_scale_args *args) {
    ck_ref_arena arena;
    ck_ref_arena_init(&arena, backend, "scale");
    double *x = ck_ref_load(&arena, args->x);
    ck_status status = ck_ref_arena_status(&arena);
    if (status == CK_OK) {
        size_t n = ck_tensor_numel(args->y);
        for (size_t i = 0; i < n; i++) x[i] *= (double)args->alpha;
        ck_ref_store(args->y, x);
    }
    ck_ref_arena_free(&arena);
    return status;
}

/* y = alpha * x + y */
ck_status ck_ref_axpy(ck_backend *backend, const ck_axpy_args *args) {
    ck_ref_arena arena;
    ck_ref_arena_init(&arena, backend, "axpy");
    double *x = ck_ref_load(&arena, args->x);
    double *y = ck_ref_load(&arena, args->y);
    ck_status status = ck_ref_arena_status(&arena);
    if (status == CK_OK) {
        size_t n = ck_tensor_numel(args->y);
        for (size_t i = 0; i < n; i++) y[i] += (double)args->alpha * x[i];
        ck_ref_store(args->y, y);
    }
    ck_ref_arena_free(&arena);
    return status;
}

/* y = value everywhere */
ck_status ck_ref_fill(ck_backend *backend, const ck_fill_args *args) {
    ck_ref_arena arena;
    ck_ref_arena_init(&arena, backend, "fill");
    size_t n = ck_tensor_numel(args->y);
    double *y = ck_ref_zeros(&arena, n);
    ck_status status = ck_ref_arena_status(&arena);
    if (status == CK_OK) {
        for (size_t i = 0; i < n; i++) y[i] = args->value;
        ck_ref_store(args->y, y);
    }
    ck_ref_arena_free(&arena);
    return status;
}

/* y = x, element for element (same dtype and count; the bytes are copied unchanged). */
ck_status ck_ref_copy(ck_backend *backend, const ck_copy_args *args) {
    (void)backend;
    memmove(ck_tensor_data(args->y), ck_tensor_data(args->x), ck_tensor_numel(args->x) * ck_dtype_size(args->x->dtype));
    return CK_OK;
}

/* y[i] = x[j], j the index i permuted back: y's axis k is x's axis perm[k]. */
ck_status ck_ref_permute(ck_backend *backend, const ck_permute_args *args) {
    ck_ref_arena arena;
    ck_ref_arena_init(&arena, backend, "permute");
    double *x = ck_ref_load(&arena, args->x);
    double *y = ck_ref_zeros(&arena, ck_tensor_numel(args->y));
    ck_status status = ck_ref_arena_status(&arena);
    if (status == CK_OK) {
        int32_t ndim = args->x->ndim;
        size_t x_stride[CK_MAX_DIMS], n = ck_tensor_numel(args->y);
        size_t stride = 1;
        for (int32_t d = ndim - 1; d >= 0; d--) {
            x_stride[d] = stride;
            stride *= (size_t)args->x->dims[d];
        }
        for (size_t i = 0; i < n; i++) {
            size_t rest = i, source = 0;
            for (int32_t k = ndim - 1; k >= 0; k--) {
                size_t index = rest % (size_t)args->y->dims[k];
                rest /= (size_t)args->y->dims[k];
                source += index * x_stride[args->perm[k]];
            }
            y[i] = x[source];
        }
        ck_ref_store(args->y, y);
    }
    ck_ref_arena_free(&arena);
    return status;
}
