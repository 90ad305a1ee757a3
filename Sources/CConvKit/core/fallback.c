/*
 * fallback.c — running an op the context's backend lacks on the CPU backend.
 *
 * A device backend (OpenCL) may leave an op's entry NULL. Dispatch then calls
 * ck_fallback_begin, runs the CPU backend's op and calls ck_fallback_end; the
 * context counts the call in ck_op_stats.cpu_fallbacks, so a fallback is never
 * silent. While the CPU op runs, ck_tensor_data() on a device buffer reads
 * the whole buffer into a host copy (once per buffer and op: views that share
 * a buffer share the copy); when the op succeeds every copy is written back
 * whole (inputs too: unchanged bytes, which keeps this independent of which
 * arguments an op writes). The device backend's read and write hooks do the
 * copies, so the queue orders them after earlier ops and before later ones.
 */
#include "core/internal.h"

#include <stdlib.h>
#include <string.h>

#define CK_FALLBACK_ALIGNMENT 64

ck_status ck_fallback_begin(ck_context *ctx) {
    if (ctx->fallback.ops == NULL) {
        ck_status status = ck_cpu_backend_create(ctx, ctx->num_threads, &ctx->fallback);
        if (status != CK_OK) {
            memset(&ctx->fallback, 0, sizeof ctx->fallback);
            return status;
        }
    }
    ctx->session.count = 0;
    ctx->session.status = CK_OK;
    return CK_OK;
}

ck_status ck_fallback_end(ck_context *ctx, ck_status status) {
    ck_fallback_session *session = &ctx->session;
    if (status == CK_OK) status = session->status;
    const ck_buffer_ops *io = ctx->backend.buffer_ops;
    for (size_t i = 0; i < session->count; i++) {
        ck_buffer *buffer = session->mapped[i];
        if (status == CK_OK) status = io->write(&ctx->backend, buffer, 0, buffer->host, buffer->bytes);
        free(buffer->host);
        buffer->host = NULL;
    }
    session->count = 0;
    return status;
}

void ck_fallback_destroy(ck_context *ctx) {
    if (ctx->fallback.destroy) ctx->fallback.destroy(&ctx->fallback);
    memset(&ctx->fallback, 0, sizeof ctx->fallback);
    free(ctx->session.mapped);
    ctx->session.mapped = NULL;
    ctx->session.capacity = 0;
}

/* Gives `buffer` a host copy of its device bytes, recorded in the session. Caller holds the session lock. */
static void map_to_host(ck_context *ctx, ck_buffer *buffer) {
    ck_fallback_session *session = &ctx->session;
    if (session->count == session->capacity) {
        size_t capacity = session->capacity ? 2 * session->capacity : 8;
        ck_buffer **grown = realloc(session->mapped, capacity * sizeof *grown);
        if (!grown) {
            session->status = ck_set_error(ctx, CK_ERR_OUT_OF_MEMORY, "cpu fallback: cannot track another buffer");
            return;
        }
        session->mapped = grown;
        session->capacity = capacity;
    }
    size_t rounded = (buffer->bytes + CK_FALLBACK_ALIGNMENT - 1) / CK_FALLBACK_ALIGNMENT * CK_FALLBACK_ALIGNMENT;
    buffer->host = aligned_alloc(CK_FALLBACK_ALIGNMENT, rounded);
    if (!buffer->host) {
        session->status = ck_set_error(ctx, CK_ERR_OUT_OF_MEMORY,
                                       "cpu fallback: cannot allocate a %zu-byte host copy of a device buffer",
                                       buffer->bytes);
        return;
    }
    session->mapped[session->count++] = buffer;
    ck_status status = ctx->backend.buffer_ops->read(&ctx->backend, buffer, 0, buffer->host, buffer->bytes);
    if (status != CK_OK && session->status == CK_OK) session->status = status;
}

void *ck_tensor_data(const ck_tensor *t) {
    ck_buffer *buffer = t->buffer;
    if (!buffer->device) return (char *)buffer->host + t->offset;
    /* A device buffer: only the CPU fallback gets here, possibly from several worker threads. */
    ck_context *ctx = buffer->ctx;
    pthread_mutex_lock(&ctx->session.lock);
    if (!buffer->host) map_to_host(ctx, buffer);
    char *host = buffer->host;
    pthread_mutex_unlock(&ctx->session.lock);
    /* NULL only when even the host copy could not be allocated (the session status says so). */
    return host ? host + t->offset : NULL;
}
