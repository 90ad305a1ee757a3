/*
 * cpu_batchnorm_kernels.h — per-run kernels of batch normalization: one call
 * covers a contiguous run of one channel (an H*W plane of one sample).
 * Sums are in double; `avx2` selects the AVX2/FMA variant.
 */
#ifndef CK_CPU_BATCHNORM_KERNELS_H
#define CK_CPU_BATCHNORM_KERNELS_H

#include <stddef.h>

/** Running sums of a channel's values, shifted by a constant to keep the variance exact. */
typedef struct ck_bn_sums {
    double sum;    /* sum of (x - shift), or of dy */
    double square; /* sum of (x - shift)^2, or of dy * (x - mean) */
} ck_bn_sums;

/** sums += (sum of x[i] - shift, sum of (x[i] - shift)^2), i < n. */
void ck_bn_accumulate_moments(int avx2, size_t n, const float *x, double shift, ck_bn_sums *sums);

/** sums += (sum of dy[i], sum of dy[i] * (x[i] - mean)), i < n. */
void ck_bn_accumulate_gradient(int avx2, size_t n, const float *x, const float *dy, double mean, ck_bn_sums *sums);

/*
 * The two kernels below subtract `mean` as the float pair (hi, lo = mean - hi),
 * so x - mean keeps nearly double accuracy when |mean| is large against the
 * spread of x.
 */

/** y[i] = (x[i] - mean) * scale + shift; y may be x. */
void ck_bn_normalize(int avx2, size_t n, const float *x, double mean, float scale, float shift, float *y);

/**
 * dx[i] = a * dy[i] + (c * (x[i] - mean) + b) + beta * dx[i]; with beta == 0
 * the old dx is not read.
 */
void ck_bn_input_gradient(int avx2, size_t n, const float *x, const float *dy, double mean, float a, float b, float c,
                          float beta, float *dx);

#endif
