/*
 * internal.h — the context and buffer objects behind the opaque handles.
 */
#ifndef CK_CORE_INTERNAL_H
#define CK_CORE_INTERNAL_H

#include "core/backend.h"

#include <pthread.h>

#define CK_ERROR_CAPACITY 1024

struct ck_context {
    ck_backend backend;
    int32_t num_threads;
    pthread_mutex_t error_lock;
    char error[CK_ERROR_CAPACITY];
    ck_op_stats stats[CK_OP_COUNT];
};

/** CPU and reference buffers live in host memory, 64-byte aligned. */
struct ck_buffer {
    ck_context *ctx;
    size_t bytes;
    void *host;
};

#endif
