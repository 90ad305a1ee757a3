/*
 * thread_pool.h — the CPU backend's one pool of worker threads.
 *
 * The pool owns the cores: OpenBLAS is set to one thread when a CPU context is
 * created, and every parallel loop (including sgemm calls on slices) runs on
 * these workers, so ConvKit and OpenBLAS never oversubscribe the machine.
 * Work is split into contiguous static chunks, so for a fixed thread count
 * results are bitwise reproducible.
 */
#ifndef CK_CPU_THREAD_POOL_H
#define CK_CPU_THREAD_POOL_H

#include <stddef.h>
#include <stdint.h>

typedef struct ck_thread_pool ck_thread_pool;

/** Creates a pool of `num_threads` (>= 1) threads, the caller counted as one. NULL on failure. */
ck_thread_pool *ck_thread_pool_create(int32_t num_threads);
void ck_thread_pool_destroy(ck_thread_pool *pool);
int32_t ck_thread_pool_size(const ck_thread_pool *pool);

/**
 * Body of a parallel loop: processes items [begin, end) as worker `thread_index`
 * (0 ... size-1; scratch memory can be indexed by it).
 */
typedef void (*ck_parallel_body)(void *context, size_t begin, size_t end, int32_t thread_index);

/**
 * Runs body over [0, count) split into at most `size` contiguous chunks of
 * at least `min_chunk` items, and returns when all are done. Chunk t always
 * covers the same items for the same (count, size, min_chunk). Must not be
 * called from inside a body (no nesting): such a call runs serially.
 */
void ck_parallel_for(ck_thread_pool *pool, size_t count, size_t min_chunk,
                     ck_parallel_body body, void *context);

#endif
