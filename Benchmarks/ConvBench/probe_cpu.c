/*
 * probe_cpu.c — the CPU's measured peaks (probes.h): an FMA loop over
 * registers on every thread (AVX-512 and AVX2, the faster counts), a triad
 * over arrays far larger than the caches, and OpenBLAS sgemm at 2048³.
 */
#define _POSIX_C_SOURCE 200809L
#include "probes.h"

#include <cblas.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "timing.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

enum { RUNS = 5, FMA_ITERATIONS = 1 << 24, GEMM_SIZE = 2048 };
#define TRIAD_FLOATS ((size_t)24 << 20) /* 96 MiB per array */

/* Twelve independent FMA chains hide the FMA latency on current x86 cores. */
#define FMA_CHAINS(FMA, V) \
    V##0 = FMA(V##0), V##1 = FMA(V##1), V##2 = FMA(V##2), V##3 = FMA(V##3), V##4 = FMA(V##4), V##5 = FMA(V##5), \
    V##6 = FMA(V##6), V##7 = FMA(V##7), V##8 = FMA(V##8), V##9 = FMA(V##9), V##10 = FMA(V##10), V##11 = FMA(V##11)

#if defined(__x86_64__)
/* 12 chains x 16 lanes x 2 FLOPs per iteration; returns a sum so the loop is kept. */
__attribute__((target("avx512f"))) static float fma_avx512(long iterations) {
    const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
    __m512 v0 = _mm512_set1_ps(0.0f), v1 = _mm512_set1_ps(0.1f), v2 = _mm512_set1_ps(0.2f), v3 = _mm512_set1_ps(0.3f);
    __m512 v4 = _mm512_set1_ps(0.4f), v5 = _mm512_set1_ps(0.5f), v6 = _mm512_set1_ps(0.6f), v7 = _mm512_set1_ps(0.7f);
    __m512 v8 = _mm512_set1_ps(0.8f), v9 = _mm512_set1_ps(0.9f), v10 = _mm512_set1_ps(1.0f), v11 = _mm512_set1_ps(1.1f);
#define FMA512(x) _mm512_fmadd_ps(x, a, b)
    for (long i = 0; i < iterations; i++) {
        FMA_CHAINS(FMA512, v);
    }
#undef FMA512
    __m512 sum = _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(v0, v1), _mm512_add_ps(v2, v3)),
                               _mm512_add_ps(_mm512_add_ps(v4, v5), _mm512_add_ps(v6, v7)));
    sum = _mm512_add_ps(sum, _mm512_add_ps(_mm512_add_ps(v8, v9), _mm512_add_ps(v10, v11)));
    return _mm512_reduce_add_ps(sum);
}

/* 12 chains x 8 lanes x 2 FLOPs per iteration. */
__attribute__((target("avx2,fma"))) static float fma_avx2(long iterations) {
    const __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
    __m256 v0 = _mm256_set1_ps(0.0f), v1 = _mm256_set1_ps(0.1f), v2 = _mm256_set1_ps(0.2f), v3 = _mm256_set1_ps(0.3f);
    __m256 v4 = _mm256_set1_ps(0.4f), v5 = _mm256_set1_ps(0.5f), v6 = _mm256_set1_ps(0.6f), v7 = _mm256_set1_ps(0.7f);
    __m256 v8 = _mm256_set1_ps(0.8f), v9 = _mm256_set1_ps(0.9f), v10 = _mm256_set1_ps(1.0f), v11 = _mm256_set1_ps(1.1f);
#define FMA256(x) _mm256_fmadd_ps(x, a, b)
    for (long i = 0; i < iterations; i++) {
        FMA_CHAINS(FMA256, v);
    }
#undef FMA256
    __m256 sum = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(v0, v1), _mm256_add_ps(v2, v3)),
                               _mm256_add_ps(_mm256_add_ps(v4, v5), _mm256_add_ps(v6, v7)));
    sum = _mm256_add_ps(sum, _mm256_add_ps(_mm256_add_ps(v8, v9), _mm256_add_ps(v10, v11)));
    float lanes[8];
    _mm256_storeu_ps(lanes, sum);
    return lanes[0] + lanes[1] + lanes[2] + lanes[3] + lanes[4] + lanes[5] + lanes[6] + lanes[7];
}
#endif

/* One thread's share of a probe. */
typedef struct probe_job {
    int kind;            /* 0: FMA AVX-512, 1: FMA AVX2, 2: triad */
    float result;        /* keeps the FMA loop alive */
    float *a, *b, *c;    /* triad slice */
    size_t count;
} probe_job;

static void *run_job(void *argument) {
    probe_job *job = argument;
#if defined(__x86_64__)
    if (job->kind == 0) job->result = fma_avx512(FMA_ITERATIONS);
    if (job->kind == 1) job->result = fma_avx2(FMA_ITERATIONS);
#endif
    if (job->kind == 2)
        for (size_t i = 0; i < job->count; i++) job->a[i] = job->b[i] + 3.0f * job->c[i];
    return NULL;
}

/* Seconds for every thread to run its job once (threads - 1 spawned, one on the caller); -1 if a spawn fails. */
static double run_parallel(probe_job *jobs, int threads) {
    pthread_t *ids = calloc((size_t)threads, sizeof *ids);
    if (!ids) return -1.0;
    double start = bench_now_seconds();
    int spawned = 1;
    for (; spawned < threads; spawned++)
        if (pthread_create(&ids[spawned], NULL, run_job, &jobs[spawned]) != 0) break;
    run_job(&jobs[0]);
    for (int t = 1; t < spawned; t++) pthread_join(ids[t], NULL);
    double seconds = bench_now_seconds() - start;
    free(ids);
    return spawned == threads ? seconds : -1.0;
}

/* Median rate of RUNS runs after a warm-up: work / seconds * 1e-9; 0 if a run failed. */
static double median_rate(probe_job *jobs, int threads, double work) {
    double samples[RUNS];
    if (run_parallel(jobs, threads) < 0) return 0.0;
    for (int r = 0; r < RUNS; r++)
        if ((samples[r] = run_parallel(jobs, threads)) <= 0) return 0.0;
    return work / bench_summarize(samples, RUNS).median_s * 1e-9;
}

static void probe_fma(int threads, bench_peaks *peaks) {
    peaks->fma_kind = "none";
#if defined(__x86_64__)
    __builtin_cpu_init();
    static const struct { const char *name; int kind, lanes; } variants[] = {{"avx512f", 0, 16}, {"avx2+fma", 1, 8}};
    for (int v = 0; v < 2; v++) {
        int supported = v == 0 ? __builtin_cpu_supports("avx512f")
                               : __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
        if (!supported) continue;
        probe_job jobs[256];
        int count = threads < 256 ? threads : 256;
        for (int t = 0; t < count; t++) jobs[t] = (probe_job){.kind = variants[v].kind};
        double rate = median_rate(jobs, count, 2.0 * 12 * variants[v].lanes * (double)FMA_ITERATIONS * count);
        if (rate > peaks->fma_gflops) peaks->fma_gflops = rate, peaks->fma_kind = variants[v].name;
    }
#endif
    if (peaks->fma_gflops == 0)
        snprintf(peaks->note, sizeof peaks->note, "no FMA probe for this processor (x86-64 AVX2 or AVX-512 only)");
}

static void probe_triad(int threads, bench_peaks *peaks) {
    peaks->bandwidth_kind = "triad a = b + s*c, 3 x 96 MiB";
    float *arrays = malloc(3 * TRIAD_FLOATS * sizeof(float));
    probe_job jobs[256];
    int count = threads < 256 ? threads : 256;
    if (!arrays) {
        snprintf(peaks->note, sizeof peaks->note, "no memory for the bandwidth probe");
        return;
    }
    for (size_t i = 0; i < 3 * TRIAD_FLOATS; i++) arrays[i] = (float)(i & 1023) * 1e-3f;
    size_t slice = TRIAD_FLOATS / (size_t)count;
    for (int t = 0; t < count; t++) {
        size_t begin = slice * (size_t)t;
        jobs[t] = (probe_job){.kind = 2, .a = arrays + begin, .b = arrays + TRIAD_FLOATS + begin,
                              .c = arrays + 2 * TRIAD_FLOATS + begin,
                              .count = t + 1 == count ? TRIAD_FLOATS - begin : slice};
    }
    peaks->bandwidth_gbs = median_rate(jobs, count, 3.0 * sizeof(float) * (double)TRIAD_FLOATS);
    free(arrays);
}

static void probe_sgemm(int threads, bench_peaks *peaks) {
    const size_t n = GEMM_SIZE;
    float *a = malloc(3 * n * n * sizeof(float));
    if (!a) return;
    float *b = a + n * n, *c = b + n * n;
    for (size_t i = 0; i < 2 * n * n; i++) a[i] = (float)(i % 977) * 1e-3f;
    openblas_set_num_threads(threads);
    double samples[RUNS];
    for (int r = -1; r < RUNS; r++) {
        double start = bench_now_seconds();
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)n, (int)n, 1.0f, a, (int)n, b, (int)n,
                    0.0f, c, (int)n);
        if (r >= 0) samples[r] = bench_now_seconds() - start;
    }
    openblas_set_num_threads(1);
    peaks->sgemm_gflops = 2.0 * (double)n * (double)n * (double)n / bench_summarize(samples, RUNS).median_s * 1e-9;
    free(a);
}

void bench_probe_cpu(int threads, bench_peaks *peaks) {
    *peaks = (bench_peaks){.fma_kind = "none", .bandwidth_kind = "none"};
    if (threads < 1) threads = 1;
    probe_fma(threads, peaks);
    probe_triad(threads, peaks);
    probe_sgemm(threads, peaks);
}
