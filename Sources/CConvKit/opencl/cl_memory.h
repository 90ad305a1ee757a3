/*
 * cl_memory.h — the OpenCL backend's pooling allocator. Every cl_mem the
 * backend allocates (buffers and ops' scratch) has a size class: the request
 * rounded up to a quarter of its power of two (at least 256 bytes), so a
 * class wastes under 25%. A freed cl_mem goes to the pool and serves the
 * next request of its class; the in-order queue makes that safe while
 * earlier kernels still use it (they run before anything enqueued later).
 * When the device refuses an allocation the pool is emptied and the
 * allocation tried once more. The pool keeps at most a quarter of the
 * device's global memory; what is freed past that goes back to the device.
 */
#ifndef CK_OPENCL_MEMORY_H
#define CK_OPENCL_MEMORY_H

#ifndef CL_TARGET_OPENCL_VERSION
#define CL_TARGET_OPENCL_VERSION 120
#endif
#include <CL/cl.h>
#include <pthread.h>

#include "core/backend.h"

typedef struct ck_cl_pooled {
    cl_mem mem;
    size_t bytes; /* its size class */
} ck_cl_pooled;

typedef struct ck_cl_pool {
    pthread_mutex_t lock;
    ck_cl_pooled *free; /* freed cl_mem, oldest first */
    size_t count, capacity;
    size_t limit;       /* most bytes kept */
    ck_memory_stats stats;
} ck_cl_pool;

/** The size class of a `bytes` request. */
size_t ck_cl_size_class(size_t bytes);

void ck_cl_pool_init(ck_cl_pool *pool, size_t limit);
/** Releases every pooled cl_mem. */
void ck_cl_pool_destroy(ck_cl_pool *pool);

/**
 * A cl_mem of at least `bytes` (its size class), from the pool or the device.
 * On failure: CK_ERR_OUT_OF_MEMORY (or CK_ERR_DEVICE), the message naming
 * `op`, the size and the device.
 */
ck_status ck_cl_alloc(ck_backend *backend, const char *op, size_t bytes, cl_mem *out);
/** Gives back a cl_mem ck_cl_alloc returned for `bytes`. */
void ck_cl_free(ck_backend *backend, cl_mem mem, size_t bytes);

#endif
