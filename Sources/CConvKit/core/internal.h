/*
 * internal.h — the context and buffer objects behind the opaque handles.
 */
#ifndef CK_CORE_INTERNAL_H
#define CK_CORE_INTERNAL_H

#include "core/backend.h"
#include "core/fault.h"

#include <pthread.h>

#define CK_ERROR_CAPACITY 1024

/**
 * The buffers the CPU backend works on while it runs one op in a device
 * backend's stead (core/fallback.c): each has a host copy. `lock` is held
 * from ck_fallback_begin to ck_fallback_end, so one op at a time falls back.
 */
typedef struct ck_fallback_session {
    pthread_mutex_t lock;
    ck_buffer **mapped;
    size_t count, capacity;
} ck_fallback_session;

struct ck_context {
    ck_backend backend;
    /** The CPU backend that runs ops `backend` lacks; created on first need (kind AUTO until then). */
    ck_backend fallback;
    ck_fallback_session session;
    /** The fault CONVKIT_FAULT arms (core/fault.h); a test hook. */
    ck_fault fault;
    int32_t num_threads;
    pthread_mutex_t error_lock;
    char error[CK_ERROR_CAPACITY];
    ck_op_stats stats[CK_OP_COUNT];
    ck_transfer_stats transfers;
};

/**
 * A buffer. Host-memory backends: `host` holds the bytes (64-byte aligned).
 * Device backends: `device` is the backend's handle; `host` is NULL except
 * while a CPU fallback holds a host copy of the bytes.
 */
struct ck_buffer {
    ck_context *ctx;
    size_t bytes;
    void *host;
    void *device;
};

/** Copies bytes of a device buffer to the host / from the host through the backend, counted in ctx->transfers. */
ck_status ck_device_read(ck_context *ctx, const ck_buffer *buffer, size_t offset, void *dst, size_t bytes);
ck_status ck_device_write(ck_context *ctx, ck_buffer *buffer, size_t offset, const void *src, size_t bytes);

/**
 * Prepares op `op` to run on the context's CPU fallback backend: creates
 * that backend on first use and copies the buffers of `tensors` to the host,
 * where ck_tensor_data() finds them (core/fallback.c). On failure (no memory
 * for a copy, a failed read) nothing is left mapped, no output was touched,
 * and the status names the op and the device.
 */
ck_status ck_fallback_begin(ck_context *ctx, const char *op, const ck_tensor *const *tensors, int count);
/** Ends the session: writes the host copies back when `status` is CK_OK, frees them, returns the op's status. */
ck_status ck_fallback_end(ck_context *ctx, ck_status status);
/** Destroys the fallback backend, if any. */
void ck_fallback_destroy(ck_context *ctx);

#endif
