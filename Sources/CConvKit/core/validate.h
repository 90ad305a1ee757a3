/*
 * validate.h — checks every op runs before dispatch, so that backends see only
 * consistent, in-bounds tensors. Each failing check records a message naming
 * the op, the tensor and what was expected, and returns the status.
 */
#ifndef CK_CORE_VALIDATE_H
#define CK_CORE_VALIDATE_H

#include "core/internal.h"

/** Returns from the calling function when a check fails. */
#define CK_TRY(expr)                                         \
    do {                                                     \
        ck_status ck_try_status_ = (expr);                   \
        if (ck_try_status_ != CK_OK) return ck_try_status_;  \
    } while (0)

/** Largest spatial extent, kernel, stride, padding or dilation accepted (keeps index math in int64). */
#define CK_MAX_EXTENT ((int64_t)1 << 31)

typedef enum ck_tensor_role {
    CK_ROLE_FLOAT, /* CK_F32, or CK_F64 on the reference backend */
    CK_ROLE_LABELS /* CK_I32 */
} ck_tensor_role;

/**
 * Checks one tensor: not NULL, buffer on this context, ndim (or any when
 * ndim < 0), every dim >= 1, byte size without overflow, aligned offset, view
 * inside its buffer, dtype fitting the role and the backend.
 */
ck_status ck_check_tensor(ck_context *ctx, const char *op, const char *name, const ck_tensor *t,
                          int32_t ndim, ck_tensor_role role);

/** Same as ck_check_tensor when t is not NULL; CK_OK for NULL. */
ck_status ck_check_optional_tensor(ck_context *ctx, const char *op, const char *name, const ck_tensor *t,
                                   int32_t ndim, ck_tensor_role role);

/** t must have exactly these dims; `layout` names them in the message, e.g. "(N, O, OH, OW)". */
ck_status ck_check_dims(ck_context *ctx, const char *op, const char *name, const ck_tensor *t,
                        int32_t ndim, const int64_t *expected, const char *layout);

/** b must have a's dims. */
ck_status ck_check_same_dims(ck_context *ctx, const char *op, const char *name_a, const ck_tensor *a,
                             const char *name_b, const ck_tensor *b);

/** All non-NULL float tensors must share one dtype. */
ck_status ck_check_same_dtype(ck_context *ctx, const char *op, const ck_tensor *const *tensors,
                              const char *const *names, int count);

/**
 * out must not overlap `in` in memory; when allow_exact, out may be exactly
 * `in` (same buffer, offset and size), for in-place elementwise ops.
 */
ck_status ck_check_no_overlap(ck_context *ctx, const char *op, const char *out_name, const ck_tensor *out,
                              const char *in_name, const ck_tensor *in, int allow_exact);

/** value must be finite (not NaN or infinite). */
ck_status ck_check_finite(ck_context *ctx, const char *op, const char *name, double value);
/** act must be a ck_activation and alpha finite (validate_train.c). */
ck_status ck_check_activation(ck_context *ctx, const char *op, ck_activation act, float alpha);
/** A size or parameter in [min, CK_MAX_EXTENT]: below is CK_ERR_INVALID_ARGUMENT, above CK_ERR_OVERFLOW. */
ck_status ck_check_extent(ck_context *ctx, const char *op, const char *what, int64_t value, int64_t min);

/** Writes "(2, 3, 5, 5)" into buf. */
const char *ck_format_dims(const ck_tensor *t, char *buf, size_t len);

/* One validator per op, generated from CK_OP_LIST; defined in validate_*.c. */
#define CK_VALIDATE_DECL(ID, name) ck_status ck_validate_##name(ck_context *ctx, const ck_##name##_args *args);
CK_OP_LIST(CK_VALIDATE_DECL)
#undef CK_VALIDATE_DECL

#endif
