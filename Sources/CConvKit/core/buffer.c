/* buffer.c — device memory (host memory for the CPU and reference backends) and tensor views. */
#include "core/internal.h"

#include <stdlib.h>
#include <string.h>

#define CK_BUFFER_ALIGNMENT 64

ck_status ck_buffer_create(ck_context *ctx, size_t bytes, ck_buffer **out_buffer) {
    if (!ctx) return ck_set_error(NULL, CK_ERR_INVALID_ARGUMENT, "ck_buffer_create: ctx is NULL");
    if (!out_buffer) return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT, "ck_buffer_create: out_buffer is NULL");
    *out_buffer = NULL;
    if (bytes == 0) return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT, "ck_buffer_create: size is 0 bytes; buffers hold at least one byte");
    size_t rounded = bytes + (CK_BUFFER_ALIGNMENT - 1);
    if (rounded < bytes)
        return ck_set_error(ctx, CK_ERR_OVERFLOW, "ck_buffer_create: %zu bytes overflows when aligned", bytes);
    rounded -= rounded % CK_BUFFER_ALIGNMENT;
    ck_buffer *buffer = calloc(1, sizeof *buffer);
    void *host = buffer ? aligned_alloc(CK_BUFFER_ALIGNMENT, rounded) : NULL;
    if (!host) {
        free(buffer);
        return ck_set_error(ctx, CK_ERR_OUT_OF_MEMORY, "ck_buffer_create: cannot allocate %zu bytes on the %s backend",
                            bytes, ck_backend_name(ctx->backend.kind));
    }
    buffer->ctx = ctx;
    buffer->bytes = bytes;
    buffer->host = host;
    *out_buffer = buffer;
    return CK_OK;
}

void ck_buffer_destroy(ck_buffer *buffer) {
    if (!buffer) return;
    free(buffer->host);
    free(buffer);
}

size_t ck_buffer_size(const ck_buffer *buffer) { return buffer ? buffer->bytes : 0; }

static ck_status check_range(ck_context *ctx, const char *what, const ck_buffer *buffer, size_t offset,
                             const void *host, size_t bytes) {
    if (!ctx) return ck_set_error(NULL, CK_ERR_INVALID_ARGUMENT, "%s: ctx is NULL", what);
    if (!buffer) return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT, "%s: buffer is NULL", what);
    if (buffer->ctx != ctx) return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT, "%s: the buffer belongs to another context", what);
    if (!host && bytes) return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT, "%s: host pointer is NULL", what);
    if (offset > buffer->bytes || bytes > buffer->bytes - offset)
        return ck_set_error(ctx, CK_ERR_OUT_OF_BOUNDS, "%s: bytes [%zu, %zu + %zu) exceed the buffer's %zu bytes",
                            what, offset, offset, bytes, buffer->bytes);
    return CK_OK;
}

ck_status ck_buffer_write(ck_context *ctx, ck_buffer *buffer, size_t offset, const void *src, size_t bytes) {
    ck_status status = check_range(ctx, "ck_buffer_write", buffer, offset, src, bytes);
    if (status == CK_OK && bytes) memcpy((char *)buffer->host + offset, src, bytes);
    return status;
}

ck_status ck_buffer_read(ck_context *ctx, const ck_buffer *buffer, size_t offset, void *dst, size_t bytes) {
    ck_status status = check_range(ctx, "ck_buffer_read", buffer, offset, dst, bytes);
    if (status == CK_OK && bytes) memcpy(dst, (const char *)buffer->host + offset, bytes);
    return status;
}

size_t ck_dtype_size(ck_dtype dtype) {
    switch (dtype) {
    case CK_F32: return 4;
    case CK_F64: return 8;
    case CK_I32: return 4;
    }
    return 0;
}

ck_tensor ck_tensor_nd(ck_buffer *buffer, ck_dtype dtype, int32_t ndim, const int64_t *dims) {
    ck_tensor t;
    memset(&t, 0, sizeof t);
    t.buffer = buffer;
    t.dtype = dtype;
    t.ndim = ndim;
    for (int32_t i = 0; dims && i < ndim && i < CK_MAX_DIMS; i++) t.dims[i] = dims[i];
    return t;
}

ck_tensor ck_tensor_4d(ck_buffer *buffer, int64_t n, int64_t c, int64_t h, int64_t w) {
    const int64_t dims[4] = {n, c, h, w};
    return ck_tensor_nd(buffer, CK_F32, 4, dims);
}

void *ck_tensor_data(const ck_tensor *t) { return (char *)t->buffer->host + t->offset; }

size_t ck_tensor_numel(const ck_tensor *t) {
    size_t n = 1;
    for (int32_t i = 0; i < t->ndim; i++) n *= (size_t)t->dims[i];
    return n;
}
