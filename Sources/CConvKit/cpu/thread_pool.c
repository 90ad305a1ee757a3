/* thread_pool.c — a fixed pool of workers running static-chunked parallel loops. */
#include "cpu/thread_pool.h"

#include <pthread.h>
#include <stdlib.h>

struct ck_thread_pool {
    int32_t size; /* workers + the calling thread */
    pthread_t *workers;
    pthread_mutex_t lock;
    pthread_cond_t work_ready;
    pthread_cond_t work_done;
    pthread_mutex_t submit_lock; /* one loop at a time per pool */
    /* The loop being run; valid while pending > 0. */
    uint64_t generation;
    int32_t chunks;
    int32_t pending;
    size_t count;
    ck_parallel_body body;
    void *context;
    int stopping;
};

static _Thread_local int inside_parallel_body;

static void chunk_range(size_t count, int32_t chunks, int32_t t, size_t *begin, size_t *end) {
    *begin = (size_t)((unsigned __int128)count * (unsigned)t / (unsigned)chunks);
    *end = (size_t)((unsigned __int128)count * (unsigned)(t + 1) / (unsigned)chunks);
}

typedef struct worker_start {
    ck_thread_pool *pool;
    int32_t index;
} worker_start;

static void *worker_main(void *arg) {
    worker_start start = *(worker_start *)arg;
    free(arg);
    ck_thread_pool *pool = start.pool;
    uint64_t seen = 0;
    inside_parallel_body = 1;
    pthread_mutex_lock(&pool->lock);
    for (;;) {
        while (!pool->stopping && pool->generation == seen) pthread_cond_wait(&pool->work_ready, &pool->lock);
        if (pool->stopping) break;
        seen = pool->generation;
        if (start.index >= pool->chunks) continue;
        size_t begin, end;
        chunk_range(pool->count, pool->chunks, start.index, &begin, &end);
        ck_parallel_body body = pool->body;
        void *context = pool->context;
        pthread_mutex_unlock(&pool->lock);
        body(context, begin, end, start.index);
        pthread_mutex_lock(&pool->lock);
        if (--pool->pending == 0) pthread_cond_signal(&pool->work_done);
    }
    pthread_mutex_unlock(&pool->lock);
    return NULL;
}

ck_thread_pool *ck_thread_pool_create(int32_t num_threads) {
    if (num_threads < 1) return NULL;
    ck_thread_pool *pool = calloc(1, sizeof *pool);
    if (!pool) return NULL;
    pool->size = num_threads;
    pthread_mutex_init(&pool->lock, NULL);
    pthread_mutex_init(&pool->submit_lock, NULL);
    pthread_cond_init(&pool->work_ready, NULL);
    pthread_cond_init(&pool->work_done, NULL);
    pool->workers = calloc((size_t)num_threads, sizeof *pool->workers);
    if (!pool->workers) {
        ck_thread_pool_destroy(pool);
        return NULL;
    }
    for (int32_t i = 1; i < num_threads; i++) {
        worker_start *start = malloc(sizeof *start);
        if (start) *start = (worker_start){pool, i};
        if (!start || pthread_create(&pool->workers[i], NULL, worker_main, start) != 0) {
            free(start);
            pool->size = i; /* only workers 1..i-1 exist */
            ck_thread_pool_destroy(pool);
            return NULL;
        }
    }
    return pool;
}

void ck_thread_pool_destroy(ck_thread_pool *pool) {
    if (!pool) return;
    pthread_mutex_lock(&pool->lock);
    pool->stopping = 1;
    pthread_cond_broadcast(&pool->work_ready);
    pthread_mutex_unlock(&pool->lock);
    for (int32_t i = 1; pool->workers && i < pool->size; i++) pthread_join(pool->workers[i], NULL);
    free(pool->workers);
    pthread_cond_destroy(&pool->work_ready);
    pthread_cond_destroy(&pool->work_done);
    pthread_mutex_destroy(&pool->lock);
    pthread_mutex_destroy(&pool->submit_lock);
    free(pool);
}

int32_t ck_thread_pool_size(const ck_thread_pool *pool) { return pool ? pool->size : 1; }

void ck_parallel_for(ck_thread_pool *pool, size_t count, size_t min_chunk, ck_parallel_body body, void *context) {
    if (count == 0) return;
    if (min_chunk < 1) min_chunk = 1;
    size_t max_chunks = (count + min_chunk - 1) / min_chunk;
    int32_t chunks = pool ? pool->size : 1;
    if ((size_t)chunks > max_chunks) chunks = (int32_t)max_chunks;
    if (chunks <= 1 || inside_parallel_body) {
        body(context, 0, count, 0);
        return;
    }
    pthread_mutex_lock(&pool->submit_lock);
    pthread_mutex_lock(&pool->lock);
    pool->chunks = chunks;
    pool->pending = chunks - 1;
    pool->count = count;
    pool->body = body;
    pool->context = context;
    pool->generation++;
    pthread_cond_broadcast(&pool->work_ready);
    pthread_mutex_unlock(&pool->lock);

    size_t begin, end;
    chunk_range(count, chunks, 0, &begin, &end);
    inside_parallel_body = 1;
    body(context, begin, end, 0);
    inside_parallel_body = 0;

    pthread_mutex_lock(&pool->lock);
    while (pool->pending > 0) pthread_cond_wait(&pool->work_done, &pool->lock);
    pthread_mutex_unlock(&pool->lock);
    pthread_mutex_unlock(&pool->submit_lock);
}
