/* cl_memory.c — the pooling allocator of the OpenCL backend (see cl_memory.h). */
#include "opencl/cl_backend.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIN_CLASS 256

size_t ck_cl_size_class(size_t bytes) {
    if (bytes <= MIN_CLASS) return MIN_CLASS;
    size_t power = 1;
    while (power <= bytes / 2) power *= 2; /* the largest power of two <= bytes */
    size_t step = power / 4;
    size_t rounded = (bytes + step - 1) / step * step;
    return rounded < bytes ? bytes : rounded; /* cannot overflow below SIZE_MAX - step */
}

void ck_cl_pool_init(ck_cl_pool *pool, size_t limit) {
    memset(pool, 0, sizeof *pool);
    pthread_mutex_init(&pool->lock, NULL);
    pool->limit = limit;
}

/* Releases every pooled cl_mem; the caller holds the lock. */
static void release_all(ck_cl_pool *pool) {
    for (size_t i = 0; i < pool->count; i++) clReleaseMemObject(pool->free[i].mem);
    pool->count = 0;
    pool->stats.pooled_bytes = 0;
}

void ck_cl_pool_destroy(ck_cl_pool *pool) {
    release_all(pool);
    free(pool->free);
    pthread_mutex_destroy(&pool->lock);
}

/* A pooled cl_mem of exactly `bytes`, taken out of the pool, or NULL. The caller holds the lock. */
static cl_mem take(ck_cl_pool *pool, size_t bytes) {
    for (size_t i = pool->count; i-- > 0;) { /* newest first: likeliest still in cache */
        if (pool->free[i].bytes != bytes) continue;
        cl_mem mem = pool->free[i].mem;
        memmove(&pool->free[i], &pool->free[i + 1], (pool->count - i - 1) * sizeof pool->free[0]);
        pool->count--;
        pool->stats.pooled_bytes -= bytes;
        return mem;
    }
    return NULL;
}

ck_status ck_cl_alloc(ck_backend *backend, const char *op, size_t bytes, cl_mem *out) {
    ck_cl_state *state = ck_cl(backend);
    ck_cl_pool *pool = &state->pool;
    size_t size = ck_cl_size_class(bytes);
    *out = NULL;
    pthread_mutex_lock(&pool->lock);
    cl_mem mem = take(pool, size);
    if (mem) {
        pool->stats.pool_reuses++;
    } else {
        cl_int code = CL_MEM_OBJECT_ALLOCATION_FAILURE;
        int injected = ck_fault_take(&backend->ctx->fault, CK_FAULT_ALLOC, op, 0);
        if (!injected) mem = clCreateBuffer(state->context, CL_MEM_READ_WRITE, size, NULL, &code);
        if (!injected && code != CL_SUCCESS && pool->count > 0) {
            release_all(pool); /* the pool may hold what the device lacks: give it back and try once more */
            mem = clCreateBuffer(state->context, CL_MEM_READ_WRITE, size, NULL, &code);
        }
        if (code != CL_SUCCESS) {
            pthread_mutex_unlock(&pool->lock);
            char what[160];
            snprintf(what, sizeof what, "%s: allocating %zu bytes of device memory", op, size);
            return ck_cl_report(backend, what, "clCreateBuffer", code, CK_CL_ALLOCATING | (injected ? CK_CL_INJECTED : 0));
        }
        pool->stats.device_allocations++;
    }
    pool->stats.live_bytes += size;
    pthread_mutex_unlock(&pool->lock);
    *out = mem;
    return CK_OK;
}

void ck_cl_free(ck_backend *backend, cl_mem mem, size_t bytes) {
    ck_cl_pool *pool = &ck_cl(backend)->pool;
    size_t size = ck_cl_size_class(bytes);
    pthread_mutex_lock(&pool->lock);
    pool->stats.live_bytes -= size;
    int keep = pool->stats.pooled_bytes + size <= pool->limit;
    if (keep && pool->count == pool->capacity) {
        size_t capacity = pool->capacity ? 2 * pool->capacity : 64;
        ck_cl_pooled *grown = realloc(pool->free, capacity * sizeof *grown);
        if (grown) pool->free = grown, pool->capacity = capacity;
        else keep = 0;
    }
    if (keep) {
        pool->free[pool->count++] = (ck_cl_pooled){mem, size};
        pool->stats.pooled_bytes += size;
    }
    pthread_mutex_unlock(&pool->lock);
    if (!keep) clReleaseMemObject(mem);
}
