/* validate_tensor.c — the per-tensor checks every op validator builds on. */
#include "core/validate.h"

#include <math.h>
#include <stdio.h>

const char *ck_format_dims(const ck_tensor *t, char *buf, size_t len) {
    size_t used = 0;
    used += (size_t)snprintf(buf, len, "(");
    for (int32_t i = 0; i < t->ndim && i < CK_MAX_DIMS && used < len; i++)
        used += (size_t)snprintf(buf + used, len - used, i ? ", %lld" : "%lld", (long long)t->dims[i]);
    if (used < len) snprintf(buf + used, len - used, ")");
    return buf;
}

static const char *dtype_name(ck_dtype dtype) {
    switch (dtype) {
    case CK_F32: return "float32";
    case CK_F64: return "float64";
    case CK_I32: return "int32";
    }
    return "unknown";
}

ck_status ck_check_tensor(ck_context *ctx, const char *op, const char *name, const ck_tensor *t, int32_t ndim,
                          ck_tensor_role role) {
    if (!t) return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT, "%s: %s is NULL", op, name);
    if (!t->buffer) return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT, "%s: %s has no buffer (NULL)", op, name);
    if (t->buffer->ctx != ctx)
        return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT, "%s: %s's buffer belongs to another context", op, name);
    if (t->ndim < 0 || t->ndim > CK_MAX_DIMS)
        return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT, "%s: %s has ndim %d; it must be 0...%d", op, name,
                            (int)t->ndim, CK_MAX_DIMS);
    if (ndim >= 0 && t->ndim != ndim)
        return ck_set_error(ctx, CK_ERR_SHAPE_MISMATCH, "%s: %s has %d dims; expected %d", op, name, (int)t->ndim,
                            (int)ndim);
    size_t elem = ck_dtype_size(t->dtype);
    if (elem == 0) return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT, "%s: %s has unknown dtype %d", op, name, (int)t->dtype);
    size_t bytes = elem;
    for (int32_t i = 0; i < t->ndim; i++) {
        if (t->dims[i] < 1)
            return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT, "%s: %s has dims[%d] = %lld; every size must be >= 1",
                                op, name, (int)i, (long long)t->dims[i]);
        if ((uint64_t)t->dims[i] > SIZE_MAX || __builtin_mul_overflow(bytes, (size_t)t->dims[i], &bytes)) {
            char dims[160];
            return ck_set_error(ctx, CK_ERR_OVERFLOW, "%s: %s of dims %s has a byte size that overflows size_t", op,
                                name, ck_format_dims(t, dims, sizeof dims));
        }
    }
    if (role == CK_ROLE_LABELS && t->dtype != CK_I32)
        return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT, "%s: %s must be int32 class labels, not %s", op, name,
                            dtype_name(t->dtype));
    if (role == CK_ROLE_FLOAT) {
        if (t->dtype == CK_I32)
            return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT, "%s: %s must be a float tensor, not int32", op, name);
        if (t->dtype == CK_F64 && ctx->backend.kind != CK_BACKEND_REFERENCE)
            return ck_set_error(ctx, CK_ERR_UNSUPPORTED,
                                "%s: %s is float64, which only the reference backend computes; the %s backend uses float32",
                                op, name, ck_backend_name(ctx->backend.kind));
    }
    if (t->offset % elem != 0)
        return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT, "%s: %s's byte offset %zu is not a multiple of its element size %zu",
                            op, name, t->offset, elem);
    if (t->offset > t->buffer->bytes || bytes > t->buffer->bytes - t->offset) {
        char dims[160];
        return ck_set_error(ctx, CK_ERR_OUT_OF_BOUNDS,
                            "%s: %s %s needs %zu bytes at offset %zu but its buffer holds %zu", op, name,
                            ck_format_dims(t, dims, sizeof dims), bytes, t->offset, t->buffer->bytes);
    }
    return CK_OK;
}

ck_status ck_check_optional_tensor(ck_context *ctx, const char *op, const char *name, const ck_tensor *t,
                                   int32_t ndim, ck_tensor_role role) {
    return t ? ck_check_tensor(ctx, op, name, t, ndim, role) : CK_OK;
}

ck_status ck_check_dims(ck_context *ctx, const char *op, const char *name, const ck_tensor *t, int32_t ndim,
                        const int64_t *expected, const char *layout) {
    int same = t->ndim == ndim;
    for (int32_t i = 0; same && i < ndim; i++) same = t->dims[i] == expected[i];
    if (same) return CK_OK;
    ck_tensor want = {0};
    want.ndim = ndim;
    for (int32_t i = 0; i < ndim; i++) want.dims[i] = expected[i];
    char got_s[160], want_s[160];
    return ck_set_error(ctx, CK_ERR_SHAPE_MISMATCH, "%s: %s has dims %s; expected %s %s", op, name,
                        ck_format_dims(t, got_s, sizeof got_s), ck_format_dims(&want, want_s, sizeof want_s), layout);
}

ck_status ck_check_same_dims(ck_context *ctx, const char *op, const char *name_a, const ck_tensor *a,
                             const char *name_b, const ck_tensor *b) {
    char layout[200];
    snprintf(layout, sizeof layout, "(the dims of %s)", name_a);
    return ck_check_dims(ctx, op, name_b, b, a->ndim, a->dims, layout);
}

ck_status ck_check_same_dtype(ck_context *ctx, const char *op, const ck_tensor *const *tensors,
                              const char *const *names, int count) {
    int first = -1;
    for (int i = 0; i < count; i++) {
        if (!tensors[i]) continue;
        if (first < 0) { first = i; continue; }
        if (tensors[i]->dtype != tensors[first]->dtype)
            return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT, "%s: %s is %s but %s is %s; use one dtype", op, names[i],
                                dtype_name(tensors[i]->dtype), names[first], dtype_name(tensors[first]->dtype));
    }
    return CK_OK;
}

static size_t byte_size(const ck_tensor *t) { return ck_tensor_numel(t) * ck_dtype_size(t->dtype); }

ck_status ck_check_no_overlap(ck_context *ctx, const char *op, const char *out_name, const ck_tensor *out,
                              const char *in_name, const ck_tensor *in, int allow_exact) {
    if (!out || !in || out->buffer != in->buffer) return CK_OK;
    size_t out_begin = out->offset, out_end = out->offset + byte_size(out);
    size_t in_begin = in->offset, in_end = in->offset + byte_size(in);
    if (out_end <= in_begin || in_end <= out_begin) return CK_OK;
    if (allow_exact && out_begin == in_begin && out_end == in_end) return CK_OK;
    return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT, "%s: %s overlaps %s in memory%s", op, out_name, in_name,
                        allow_exact ? " (only exact in-place use is allowed)" : "; use separate memory");
}

ck_status ck_check_finite(ck_context *ctx, const char *op, const char *name, double value) {
    if (!isfinite(value)) return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT, "%s: %s is %g; it must be finite", op, name, value);
    return CK_OK;
}

ck_status ck_check_extent(ck_context *ctx, const char *op, const char *what, int64_t value, int64_t min) {
    if (value < min)
        return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT, "%s: %s is %lld; it must be at least %lld", op, what,
                            (long long)value, (long long)min);
    if (value > CK_MAX_EXTENT)
        return ck_set_error(ctx, CK_ERR_OVERFLOW, "%s: %s is %lld; sizes above %lld overflow the index arithmetic", op,
                            what, (long long)value, (long long)CK_MAX_EXTENT);
    return CK_OK;
}
