/* ref_tensor.c — loading float tensors into double arrays and storing them back (see ref_tensor.h). */
#include "reference/ref_tensor.h"

#include <stdlib.h>

void ck_ref_arena_init(ck_ref_arena *arena, ck_backend *backend, const char *op) {
    arena->backend = backend;
    arena->op = op;
    arena->status = CK_OK;
    arena->count = 0;
}

/* Takes ownership of `count` zeroed doubles; NULL (and the failure recorded) when they cannot be had. */
static double *arena_allocate(ck_ref_arena *arena, size_t count) {
    if (arena->status != CK_OK) return NULL;
    if (arena->count == CK_REF_ARENA_CAPACITY) {
        arena->status = ck_set_error(arena->backend->ctx, CK_ERR_INTERNAL,
                                     "%s: the reference backend holds at most %d scratch arrays per op", arena->op,
                                     CK_REF_ARENA_CAPACITY);
        return NULL;
    }
    double *values = calloc(count > 0 ? count : 1, sizeof *values);
    if (!values) {
        arena->status = ck_set_error(arena->backend->ctx, CK_ERR_OUT_OF_MEMORY,
                                     "%s: the reference backend cannot allocate %zu doubles of scratch", arena->op,
                                     count);
        return NULL;
    }
    arena->arrays[arena->count++] = values;
    return values;
}

double *ck_ref_zeros(ck_ref_arena *arena, size_t count) { return arena_allocate(arena, count); }

double *ck_ref_load(ck_ref_arena *arena, const ck_tensor *t) {
    if (!t || arena->status != CK_OK) return NULL;
    if (t->dtype != CK_F32 && t->dtype != CK_F64) {
        arena->status = ck_set_error(arena->backend->ctx, CK_ERR_UNSUPPORTED,
                                     "%s: the reference backend computes float32 and float64 tensors, not dtype %d",
                                     arena->op, (int)t->dtype);
        return NULL;
    }
    size_t n = ck_tensor_numel(t);
    double *values = arena_allocate(arena, n);
    if (!values) return NULL;
    if (t->dtype == CK_F32) {
        const float *src = ck_tensor_data(t);
        for (size_t i = 0; i < n; i++) values[i] = src[i];
    } else {
        const double *src = ck_tensor_data(t);
        for (size_t i = 0; i < n; i++) values[i] = src[i];
    }
    return values;
}

ck_status ck_ref_arena_status(const ck_ref_arena *arena) { return arena->status; }

void ck_ref_arena_free(ck_ref_arena *arena) {
    for (int i = 0; i < arena->count; i++) free(arena->arrays[i]);
    arena->count = 0;
}

void ck_ref_store(const ck_tensor *t, const double *values) {
    size_t n = ck_tensor_numel(t);
    if (t->dtype == CK_F32) {
        float *dst = ck_tensor_data(t);
        for (size_t i = 0; i < n; i++) dst[i] = (float)values[i];
    } else {
        double *dst = ck_tensor_data(t);
        for (size_t i = 0; i < n; i++) dst[i] = values[i];
    }
}

void ck_ref_store_accumulate(const ck_tensor *t, const double *computed, double beta) {
    size_t n = ck_tensor_numel(t);
    if (t->dtype == CK_F32) {
        float *dst = ck_tensor_data(t);
        for (size_t i = 0; i < n; i++) dst[i] = (float)(beta == 0.0 ? computed[i] : computed[i] + beta * dst[i]);
    } else {
        double *dst = ck_tensor_data(t);
        for (size_t i = 0; i < n; i++) dst[i] = beta == 0.0 ? computed[i] : computed[i] + beta * dst[i];
    }
}

const int32_t *ck_ref_labels(const ck_tensor *t) { return ck_tensor_data(t); }
