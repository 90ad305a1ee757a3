/*
 * simd.h — vector kernels shared by the CPU backend's non-conv ops, and the
 * switches for writing AVX2/FMA code next to a portable fallback.
 *
 * Each kernel takes `avx2` (ck_cpu_state.has_avx2_fma): nonzero runs the
 * AVX2/FMA variant, zero the portable scalar one with the same semantics.
 * Variants may differ in the last bits where the summation order differs;
 * each is deterministic. Arrays need no particular alignment. Where a kernel
 * documents "y may be x", the output may be exactly an input (in place), but
 * must not partly overlap one.
 *
 * Op files define their own op-specific AVX2 kernels under `#if CK_SIMD_X86`
 * with CK_TARGET_AVX2 on every function that uses the intrinsics.
 */
#ifndef CK_CPU_SIMD_H
#define CK_CPU_SIMD_H

#include <stddef.h>

#if defined(__x86_64__) || defined(__i386__)
#define CK_SIMD_X86 1
#include <immintrin.h>
#define CK_TARGET_AVX2 __attribute__((target("avx2,fma")))
#else
#define CK_SIMD_X86 0
#endif

/** Asks the cache for the line holding *p (a hint; no effect on results). */
#if defined(__GNUC__)
#define CK_PREFETCH(p) __builtin_prefetch(p)
#else
#define CK_PREFETCH(p) ((void)(p))
#endif

/** y[i] = alpha * a[i] + beta * b[i], n elements; y may be a or b. */
void ck_vec_axpby(int avx2, size_t n, float alpha, const float *a, float beta, const float *b, float *y);

/** y[i] = a[i] * b[i]; y may be a or b. */
void ck_vec_mul(int avx2, size_t n, const float *a, const float *b, float *y);

/** y[i] = alpha * x[i]; y may be x. */
void ck_vec_scale(int avx2, size_t n, float alpha, const float *x, float *y);

/** y[i] += alpha * x[i]; y may be x. */
void ck_vec_axpy(int avx2, size_t n, float alpha, const float *x, float *y);

/** y[i] = x[i] + c; y may be x. */
void ck_vec_add_scalar(int avx2, size_t n, const float *x, float c, float *y);

/** y[i] = value. */
void ck_vec_fill(int avx2, size_t n, float value, float *y);

/** Sum of x[0 .. n), accumulated in double precision. */
double ck_vec_sum(int avx2, size_t n, const float *x);

/** acc[i] += x[i] in double precision. */
void ck_vec_accumulate_f64(int avx2, size_t n, const float *x, double *acc);

/** Largest of x[0 .. n) (n >= 1); NaN when any element is NaN. */
float ck_vec_max(int avx2, size_t n, const float *x);

/**
 * Index of the element max pooling routes the gradient to (PyTorch's rule):
 * the first maximum in order, except that a NaN always takes over, so with
 * NaNs it is the last NaN. n >= 1.
 */
size_t ck_vec_argmax(size_t n, const float *x);

#endif
