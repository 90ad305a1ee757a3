/*
 * ref_tensor.h — how the reference backend reads and writes tensors: every
 * float tensor (float32 or float64) is loaded into a malloc'ed array of
 * doubles, the op computes in double, and the result is stored back in the
 * tensor's dtype, rounded once.
 *
 * An op collects its arrays in a ck_ref_arena, checks the arena's status once
 * after loading (allocation failure, unsupported dtype), and frees them all at
 * the end:
 *
 *   ck_ref_arena arena;
 *   ck_ref_arena_init(&arena, backend, "conv2d_forward");
 *   double *x = ck_ref_load(&arena, args->x);
 *   double *y = ck_ref_zeros(&arena, ck_tensor_numel(args->y));
 *   ck_status status = ck_ref_arena_status(&arena);
 *   if (status == CK_OK) { ...compute...; ck_ref_store(args->y, y); }
 *   ck_ref_arena_free(&arena);
 *   return status;
 */
#ifndef CK_REF_TENSOR_H
#define CK_REF_TENSOR_H

#include "core/backend.h"

/** Most arrays one op holds at a time. */
#define CK_REF_ARENA_CAPACITY 12

typedef struct ck_ref_arena {
    ck_backend *backend;
    const char *op; /* for error messages */
    ck_status status; /* first failure, or CK_OK */
    int count;
    double *arrays[CK_REF_ARENA_CAPACITY];
} ck_ref_arena;

void ck_ref_arena_init(ck_ref_arena *arena, ck_backend *backend, const char *op);

/**
 * A copy of float tensor `t` as doubles (numel elements), owned by the arena.
 * NULL for a NULL tensor, or on failure (recorded: out of memory, or a dtype
 * that is not CK_F32 / CK_F64).
 */
double *ck_ref_load(ck_ref_arena *arena, const ck_tensor *t);

/** `count` zeroed doubles owned by the arena; NULL on failure (recorded). */
double *ck_ref_zeros(ck_ref_arena *arena, size_t count);

/** CK_OK, or the first failure of a load / allocation (its message already set on the context). */
ck_status ck_ref_arena_status(const ck_ref_arena *arena);

/** Frees every array of the arena. */
void ck_ref_arena_free(ck_ref_arena *arena);

/** Writes values[0 .. numel) into float tensor t, converted to its dtype. */
void ck_ref_store(const ck_tensor *t, const double *values);

/**
 * Gradient output: t = computed + beta * t, elementwise, rounded once to t's
 * dtype. With beta == 0 the old contents of t are not read.
 */
void ck_ref_store_accumulate(const ck_tensor *t, const double *computed, double beta);

/** Class labels of an int32 tensor (read in place). */
const int32_t *ck_ref_labels(const ck_tensor *t);

#endif
