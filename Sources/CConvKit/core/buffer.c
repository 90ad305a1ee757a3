/*
 * buffer.c — buffers (device memory through the backend's buffer hooks, host
 * memory for the CPU and reference backends) and tensor views.
 */
#include "core/internal.h"

#include <stdlib.h>
#include <string.h>

#define CK_BUFFER_ALIGNMENT 64

/* Host memory for backends without buffer hooks (CPU, reference). */
static ck_status allocate_host(ck_context *ctx, ck_buffer *buffer) {
    size_t bytes = buffer->bytes;
    size_t rounded = bytes + (CK_BUFFER_ALIGNMENT - 1);
    if (rounded < bytes)
        return ck_set_error(ctx, CK_ERR_OVERFLOW, "ck_buffer_create: %zu bytes overflows when aligned", bytes);
    rounded -= rounded % CK_BUFFER_ALIGNMENT;
    buffer->host = aligned_alloc(CK_BUFFER_ALIGNMENT, rounded);
    if (!buffer->host)
        return ck_set_error(ctx, CK_ERR_OUT_OF_MEMORY, "ck_buffer_create: cannot allocate %zu bytes on the %s backend",
                            bytes, ck_backend_name(ctx->backend.kind));
    return CK_OK;
}

ck_status ck_buffer_create(ck_context *ctx, size_t bytes, ck_buffer **out_buffer) {
    if (!ctx) return ck_set_error(NULL, CK_ERR_INVALID_ARGUMENT, "ck_buffer_create: ctx is NULL");
    if (!out_buffer) return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT, "ck_buffer_create: out_buffer is NULL");
    *out_buffer = NULL;
    if (bytes == 0) return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT, "ck_buffer_create: size is 0 bytes; buffers hold at least one byte");
    ck_buffer *buffer = calloc(1, sizeof *buffer);
    if (!buffer) return ck_set_error(ctx, CK_ERR_OUT_OF_MEMORY, "ck_buffer_create: cannot allocate a buffer object");
    buffer->ctx = ctx;
    buffer->bytes = bytes;
    const ck_buffer_ops *io = ctx->backend.buffer_ops;
    ck_status status = io ? io->create(&ctx->backend, buffer) : allocate_host(ctx, buffer);
    if (status != CK_OK) {
        free(buffer);
        return status;
    }
    *out_buffer = buffer;
    return CK_OK;
}

void ck_buffer_destroy(ck_buffer *buffer) {
    if (!buffer) return;
    ck_context *ctx = buffer->ctx;
    if (buffer->device) ctx->backend.buffer_ops->destroy(&ctx->backend, buffer);
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

ck_status ck_device_read(ck_context *ctx, const ck_buffer *buffer, size_t offset, void *dst, size_t bytes) {
    ctx->transfers.reads++;
    ctx->transfers.read_bytes += bytes;
    return ctx->backend.buffer_ops->read(&ctx->backend, buffer, offset, dst, bytes);
}

ck_status ck_device_write(ck_context *ctx, ck_buffer *buffer, size_t offset, const void *src, size_t bytes) {
    ctx->transfers.writes++;
    ctx->transfers.write_bytes += bytes;
    return ctx->backend.buffer_ops->write(&ctx->backend, buffer, offset, src, bytes);
}

ck_status ck_buffer_write(ck_context *ctx, ck_buffer *buffer, size_t offset, const void *src, size_t bytes) {
    ck_status status = check_range(ctx, "ck_buffer_write", buffer, offset, src, bytes);
    if (status != CK_OK || bytes == 0) return status;
    if (buffer->device) return ck_device_write(ctx, buffer, offset, src, bytes);
    memcpy((char *)buffer->host + offset, src, bytes);
    return CK_OK;
}

ck_status ck_buffer_read(ck_context *ctx, const ck_buffer *buffer, size_t offset, void *dst, size_t bytes) {
    ck_status status = check_range(ctx, "ck_buffer_read", buffer, offset, dst, bytes);
    if (status != CK_OK || bytes == 0) return status;
    if (buffer->device) return ck_device_read(ctx, buffer, offset, dst, bytes);
    memcpy(dst, (const char *)buffer->host + offset, bytes);
    return CK_OK;
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

/* ck_tensor_data is in core/fallback.c: device buffers get host copies there. */

size_t ck_tensor_numel(const ck_tensor *t) {
    size_t n = 1;
    for (int32_t i = 0; i < t->ndim; i++) n *= (size_t)t->dims[i];
    return n;
}
