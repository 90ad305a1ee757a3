/*
 * cpu_gemm.h — the CPU backend's sgemm calls: a single-threaded call on
 * int64 sizes (the conv code runs one per worker) and a call split over the
 * pool (ck_cpu_gemm and any caller with one big product).
 */
#ifndef CK_CPU_GEMM_H
#define CK_CPU_GEMM_H

#include "cpu/thread_pool.h"

#include <cblas.h>
#include <limits.h>
#include <stdint.h>

/** Nonzero when `v` fits OpenBLAS's int sizes and strides. */
static inline int ck_fits_blas_int(int64_t v) { return v >= 0 && v <= INT_MAX; }

/**
 * Row-major c (m, n) = alpha * op(a) * op(b) + beta * c on the calling
 * thread; op(a) is (m, k), op(b) is (k, n). Sizes and strides must pass
 * ck_fits_blas_int. With beta == 0, c is not read.
 */
static inline void ck_sgemm(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float *a,
                            int64_t lda, const float *b, int64_t ldb, float beta, float *c, int64_t ldc) {
    cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans, (int)m,
                (int)n, (int)k, alpha, a, (int)lda, b, (int)ldb, beta, c, (int)ldc);
}

/** ck_sgemm split over the pool in blocks of rows or columns of c (one sgemm per worker). */
void ck_sgemm_parallel(ck_thread_pool *pool, int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                       const float *a, int64_t lda, const float *b, int64_t ldb, float beta, float *c, int64_t ldc);

#endif
