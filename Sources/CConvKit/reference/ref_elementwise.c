/*
 * ref_elementwise.c — same-shape elementwise ops (add, mul, scale, axpy),
 * fill and copy of the reference backend. Every input is loaded before the
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
