/* cpu_batchnorm_kernels.c — batch norm run kernels, AVX2/FMA and portable. */
#include "cpu/cpu_batchnorm_kernels.h"
#include "cpu/simd.h"

#include <math.h>

static void moments_scalar(size_t begin, size_t n, const float *x, double shift, ck_bn_sums *sums) {
    double s = 0.0, q = 0.0;
    for (size_t i = begin; i < n; i++) {
        double d = (double)x[i] - shift;
        s += d;
        q += d * d;
    }
    sums->sum += s;
    sums->square += q;
}

static void gradient_scalar(size_t begin, size_t n, const float *x, const float *dy, double mean, ck_bn_sums *sums) {
    double s = 0.0, q = 0.0;
    for (size_t i = begin; i < n; i++) {
        s += dy[i];
        q += (double)dy[i] * ((double)x[i] - mean);
    }
    sums->sum += s;
    sums->square += q;
}

/* mean as hi + lo in floats. */
typedef struct split_mean {
    float hi, lo;
} split_mean;

static split_mean split(double mean) {
    float hi = (float)mean;
    return (split_mean){hi, (float)(mean - (double)hi)};
}

static void normalize_scalar(size_t begin, size_t n, const float *x, split_mean mean, float scale, float shift,
                             float *y) {
    for (size_t i = begin; i < n; i++) y[i] = ((x[i] - mean.hi) - mean.lo) * scale + shift;
}

static void input_gradient_scalar(size_t begin, size_t n, const float *x, const float *dy, split_mean mean, float a,
                                  float b, float c, float beta, float *dx) {
    for (size_t i = begin; i < n; i++) {
        float g = a * dy[i] + (c * ((x[i] - mean.hi) - mean.lo) + b);
        dx[i] = beta == 0.0f ? g : g + beta * dx[i];
    }
}

#if CK_SIMD_X86
CK_TARGET_AVX2 static double sum_lanes(__m256d v) {
    double lanes[4];
    _mm256_storeu_pd(lanes, v);
    return (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
}

CK_TARGET_AVX2 static void moments_avx2(size_t n, const float *x, double shift, ck_bn_sums *sums) {
    const __m256d vshift = _mm256_set1_pd(shift);
    __m256d s0 = _mm256_setzero_pd(), s1 = _mm256_setzero_pd(), q0 = _mm256_setzero_pd(), q1 = _mm256_setzero_pd();
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 v = _mm256_loadu_ps(x + i);
        __m256d lo = _mm256_sub_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(v)), vshift);
        __m256d hi = _mm256_sub_pd(_mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)), vshift);
        s0 = _mm256_add_pd(s0, lo);
        s1 = _mm256_add_pd(s1, hi);
        q0 = _mm256_fmadd_pd(lo, lo, q0);
        q1 = _mm256_fmadd_pd(hi, hi, q1);
    }
    sums->sum += sum_lanes(_mm256_add_pd(s0, s1));
    sums->square += sum_lanes(_mm256_add_pd(q0, q1));
    moments_scalar(i, n, x, shift, sums);
}

CK_TARGET_AVX2 static void gradient_avx2(size_t n, const float *x, const float *dy, double mean, ck_bn_sums *sums) {
    const __m256d vmean = _mm256_set1_pd(mean);
    __m256d s0 = _mm256_setzero_pd(), s1 = _mm256_setzero_pd(), q0 = _mm256_setzero_pd(), q1 = _mm256_setzero_pd();
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 vx = _mm256_loadu_ps(x + i), vdy = _mm256_loadu_ps(dy + i);
        __m256d dy_lo = _mm256_cvtps_pd(_mm256_castps256_ps128(vdy));
        __m256d dy_hi = _mm256_cvtps_pd(_mm256_extractf128_ps(vdy, 1));
        __m256d xc_lo = _mm256_sub_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(vx)), vmean);
        __m256d xc_hi = _mm256_sub_pd(_mm256_cvtps_pd(_mm256_extractf128_ps(vx, 1)), vmean);
        s0 = _mm256_add_pd(s0, dy_lo);
        s1 = _mm256_add_pd(s1, dy_hi);
        q0 = _mm256_fmadd_pd(dy_lo, xc_lo, q0);
        q1 = _mm256_fmadd_pd(dy_hi, xc_hi, q1);
    }
    sums->sum += sum_lanes(_mm256_add_pd(s0, s1));
    sums->square += sum_lanes(_mm256_add_pd(q0, q1));
    gradient_scalar(i, n, x, dy, mean, sums);
}

CK_TARGET_AVX2 static void normalize_avx2(size_t n, const float *x, split_mean mean, float scale, float shift,
                                          float *y) {
    const __m256 hi = _mm256_set1_ps(mean.hi), lo = _mm256_set1_ps(mean.lo);
    const __m256 vscale = _mm256_set1_ps(scale), vshift = _mm256_set1_ps(shift);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 xc = _mm256_sub_ps(_mm256_sub_ps(_mm256_loadu_ps(x + i), hi), lo);
        _mm256_storeu_ps(y + i, _mm256_fmadd_ps(xc, vscale, vshift));
    }
    for (; i < n; i++) y[i] = fmaf((x[i] - mean.hi) - mean.lo, scale, shift);
}

CK_TARGET_AVX2 static void input_gradient_avx2(size_t n, const float *x, const float *dy, split_mean mean, float a,
                                               float b, float c, float beta, float *dx) {
    const __m256 hi = _mm256_set1_ps(mean.hi), lo = _mm256_set1_ps(mean.lo);
    const __m256 va = _mm256_set1_ps(a), vb = _mm256_set1_ps(b), vc = _mm256_set1_ps(c), vbeta = _mm256_set1_ps(beta);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 xc = _mm256_sub_ps(_mm256_sub_ps(_mm256_loadu_ps(x + i), hi), lo);
        __m256 g = _mm256_fmadd_ps(va, _mm256_loadu_ps(dy + i), _mm256_fmadd_ps(vc, xc, vb));
        if (beta != 0.0f) g = _mm256_fmadd_ps(vbeta, _mm256_loadu_ps(dx + i), g);
        _mm256_storeu_ps(dx + i, g);
    }
    for (; i < n; i++) {
        float g = fmaf(a, dy[i], fmaf(c, (x[i] - mean.hi) - mean.lo, b));
        dx[i] = beta == 0.0f ? g : fmaf(beta, dx[i], g);
    }
}
#endif

void ck_bn_accumulate_moments(int avx2, size_t n, const float *x, double shift, ck_bn_sums *sums) {
#if CK_SIMD_X86
    if (avx2) {
        moments_avx2(n, x, shift, sums);
        return;
    }
#endif
    (void)avx2;
    moments_scalar(0, n, x, shift, sums);
}

void ck_bn_accumulate_gradient(int avx2, size_t n, const float *x, const float *dy, double mean, ck_bn_sums *sums) {
#if CK_SIMD_X86
    if (avx2) {
        gradient_avx2(n, x, dy, mean, sums);
        return;
    }
#endif
    (void)avx2;
    gradient_scalar(0, n, x, dy, mean, sums);
}

void ck_bn_normalize(int avx2, size_t n, const float *x, double mean, float scale, float shift, float *y) {
#if CK_SIMD_X86
    if (avx2) {
        normalize_avx2(n, x, split(mean), scale, shift, y);
        return;
    }
#endif
    (void)avx2;
    normalize_scalar(0, n, x, split(mean), scale, shift, y);
}

void ck_bn_input_gradient(int avx2, size_t n, const float *x, const float *dy, double mean, float a, float b, float c,
                          float beta, float *dx) {
#if CK_SIMD_X86
    if (avx2) {
        input_gradient_avx2(n, x, dy, split(mean), a, b, c, beta, dx);
        return;
    }
#endif
    (void)avx2;
    input_gradient_scalar(0, n, x, dy, split(mean), a, b, c, beta, dx);
}
