/*
 * fallback.c — running an op the context's backend lacks on the CPU backend.
 *
 * A device backend (OpenCL) may leave an op's entry NULL. Dispatch then calls
 * ck_fallback_begin, runs the CPU backend's op and calls ck_fallback_end; the
 * context counts the call in ck_op_stats.cpu_fallbacks, so a fallback is never
 * silent. Before the CPU op runs, every buffer of its tensors is read whole
 * into a host copy (once per buffer: views that share a buffer share the
 * copy), so the CPU op never meets a buffer it cannot reach; when the op
 * succeeds every copy is written back whole (inputs too: unchanged bytes,
 * which keeps this independent of which arguments an op writes). The device
 * backend's read and write hooks do the copies, so the queue orders them
 * after earlier ops and before later ones.
 */
#include "core/internal.h"

#include <stdlib.h>
#include <string.h>

#define CK_FALLBACK_ALIGNMENT 64

/* Frees every host copy of the session (written back first when `status` is CK_OK); returns the status. */
static ck_status unmap_all(ck_context *ctx, ck_status status) {
    ck_fallback_session *session = &ctx->session;
    for (size_t i = 0; i < session->count; i++) {
        ck_buffer *buffer = session->mapped[i];
        if (status == CK_OK) status = ck_device_write(ctx, buffer, 0, buffer->host, buffer->bytes);
        free(buffer->host);
        buffer->host = NULL;
    }
    session->count = 0;
    return status;
}

/* Gives `buffer` a host copy of its device bytes, recorded in the session. */
static ck_status map_to_host(ck_context *ctx, const char *op, ck_buffer *buffer) {
    ck_fallback_session *session = &ctx->session;
    if (session->count == session->capacity) {
        size_t capacity = session->capacity ? 2 * session->capacity : 8;
        ck_buffer **grown = realloc(session->mapped, capacity * sizeof *grown);
        if (!grown)
            return ck_set_error(ctx, CK_ERR_OUT_OF_MEMORY, "%s: cannot track the buffers of a CPU fallback on %s", op,
                                ctx->backend.device);
        session->mapped = grown;
        session->capacity = capacity;
    }
    size_t rounded = (buffer->bytes + CK_FALLBACK_ALIGNMENT - 1) / CK_FALLBACK_ALIGNMENT * CK_FALLBACK_ALIGNMENT;
    int injected = ck_fault_take(&ctx->fault, CK_FAULT_ALLOC, op, 0);
    buffer->host = injected ? NULL : aligned_alloc(CK_FALLBACK_ALIGNMENT, rounded);
    if (!buffer->host)
        return ck_set_error(ctx, CK_ERR_OUT_OF_MEMORY,
                            "%s: cannot allocate a %zu-byte host copy of a device buffer to run the op on the CPU "
                            "backend in the stead of %s%s; nothing was written",
                            op, buffer->bytes, ctx->backend.device, injected ? " (a failure injected by CONVKIT_FAULT)" : "");
    session->mapped[session->count++] = buffer;
    return ck_device_read(ctx, buffer, 0, buffer->host, buffer->bytes);
}

ck_status ck_fallback_begin(ck_context *ctx, const char *op, const ck_tensor *const *tensors, int count) {
    pthread_mutex_lock(&ctx->session.lock);
    ck_status status = CK_OK;
    if (ctx->fallback.ops == NULL) {
        status = ck_cpu_backend_create(ctx, ctx->num_threads, &ctx->fallback);
        if (status != CK_OK) memset(&ctx->fallback, 0, sizeof ctx->fallback);
    }
    for (int i = 0; i < count && status == CK_OK; i++) {
        ck_buffer *buffer = tensors[i]->buffer;
        if (buffer->device && !buffer->host) status = map_to_host(ctx, op, buffer);
    }
    if (status != CK_OK) {
        unmap_all(ctx, status);
        pthread_mutex_unlock(&ctx->session.lock);
    }
    return status;
}

ck_status ck_fallback_end(ck_context *ctx, ck_status status) {
    status = unmap_all(ctx, status);
    pthread_mutex_unlock(&ctx->session.lock);
    return status;
}

void ck_fallback_destroy(ck_context *ctx) {
    if (ctx->fallback.destroy) ctx->fallback.destroy(&ctx->fallback);
    memset(&ctx->fallback, 0, sizeof ctx->fallback);
    free(ctx->session.mapped);
    ctx->session.mapped = NULL;
    ctx->session.capacity = 0;
}

void *ck_tensor_data(const ck_tensor *t) {
    /* A device buffer only gets here while a CPU fallback runs, which mapped it first. */
    return (char *)t->buffer->host + t->offset;
}
