/* simd.c — shared vector kernels of the CPU backend: AVX2/FMA variants and portable fallbacks. */
#include "cpu/simd.h"

#include <math.h>

/* ------------------------------------------------------------------------ */
/* Portable variants                                                          */
/* ------------------------------------------------------------------------ */

static void axpby_scalar(size_t n, float alpha, const float *a, float beta, const float *b, float *y) {
    for (size_t i = 0; i < n; i++) y[i] = alpha * a[i] + beta * b[i];
}

static void mul_scalar(size_t n, const float *a, const float *b, float *y) {
    for (size_t i = 0; i < n; i++) y[i] = a[i] * b[i];
}

static void scale_scalar(size_t n, float alpha, const float *x, float *y) {
    for (size_t i = 0; i < n; i++) y[i] = alpha * x[i];
}

static void axpy_scalar(size_t n, float alpha, const float *x, float *y) {
    for (size_t i = 0; i < n; i++) y[i] += alpha * x[i];
}

static void add_scalar_scalar(size_t n, const float *x, float c, float *y) {
    for (size_t i = 0; i < n; i++) y[i] = x[i] + c;
}

static double sum_scalar(size_t n, const float *x) {
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) sum += x[i];
    return sum;
}

static float max_scalar(size_t n, const float *x) {
    float best = x[0];
    for (size_t i = 1; i < n; i++) {
        if (isnan(x[i])) return x[i];
        if (x[i] > best) best = x[i];
    }
    return best;
}

/* ------------------------------------------------------------------------ */
/* AVX2/FMA variants                                                          */
/* ------------------------------------------------------------------------ */
#if CK_SIMD_X86

CK_TARGET_AVX2 static void axpby_avx2(size_t n, float alpha, const float *a, float beta, const float *b, float *y) {
    const __m256 va = _mm256_set1_ps(alpha), vb = _mm256_set1_ps(beta);
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(y + i, _mm256_fmadd_ps(va, _mm256_loadu_ps(a + i), _mm256_mul_ps(vb, _mm256_loadu_ps(b + i))));
    for (; i < n; i++) y[i] = fmaf(alpha, a[i], beta * b[i]);
}

CK_TARGET_AVX2 static void mul_avx2(size_t n, const float *a, const float *b, float *y) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, _mm256_mul_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i)));
    for (; i < n; i++) y[i] = a[i] * b[i];
}

CK_TARGET_AVX2 static void scale_avx2(size_t n, float alpha, const float *x, float *y) {
    const __m256 va = _mm256_set1_ps(alpha);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, _mm256_mul_ps(va, _mm256_loadu_ps(x + i)));
    for (; i < n; i++) y[i] = alpha * x[i];
}

CK_TARGET_AVX2 static void axpy_avx2(size_t n, float alpha, const float *x, float *y) {
    const __m256 va = _mm256_set1_ps(alpha);
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(y + i, _mm256_fmadd_ps(va, _mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i)));
    for (; i < n; i++) y[i] = fmaf(alpha, x[i], y[i]);
}

CK_TARGET_AVX2 static void add_scalar_avx2(size_t n, const float *x, float c, float *y) {
    const __m256 vc = _mm256_set1_ps(c);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, _mm256_add_ps(_mm256_loadu_ps(x + i), vc));
    for (; i < n; i++) y[i] = x[i] + c;
}

CK_TARGET_AVX2 static void fill_avx2(size_t n, float value, float *y) {
    const __m256 v = _mm256_set1_ps(value);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, v);
    for (; i < n; i++) y[i] = value;
}

CK_TARGET_AVX2 static double sum_avx2(size_t n, const float *x) {
    __m256d s0 = _mm256_setzero_pd(), s1 = _mm256_setzero_pd(), s2 = _mm256_setzero_pd(), s3 = _mm256_setzero_pd();
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m256 a = _mm256_loadu_ps(x + i), b = _mm256_loadu_ps(x + i + 8);
        s0 = _mm256_add_pd(s0, _mm256_cvtps_pd(_mm256_castps256_ps128(a)));
        s1 = _mm256_add_pd(s1, _mm256_cvtps_pd(_mm256_extractf128_ps(a, 1)));
        s2 = _mm256_add_pd(s2, _mm256_cvtps_pd(_mm256_castps256_ps128(b)));
        s3 = _mm256_add_pd(s3, _mm256_cvtps_pd(_mm256_extractf128_ps(b, 1)));
    }
    double lanes[4];
    _mm256_storeu_pd(lanes, _mm256_add_pd(_mm256_add_pd(s0, s1), _mm256_add_pd(s2, s3)));
    double sum = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
    for (; i < n; i++) sum += x[i];
    return sum;
}

CK_TARGET_AVX2 static void accumulate_f64_avx2(size_t n, const float *x, double *acc) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 v = _mm256_loadu_ps(x + i);
        _mm256_storeu_pd(acc + i, _mm256_add_pd(_mm256_loadu_pd(acc + i), _mm256_cvtps_pd(_mm256_castps256_ps128(v))));
        _mm256_storeu_pd(acc + i + 4,
                         _mm256_add_pd(_mm256_loadu_pd(acc + i + 4), _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1))));
    }
    for (; i < n; i++) acc[i] += x[i];
}

CK_TARGET_AVX2 static float max_avx2(size_t n, const float *x) {
    if (n < 8) return max_scalar(n, x);
    __m256 best = _mm256_loadu_ps(x);
    __m256 nan_seen = _mm256_cmp_ps(best, best, _CMP_UNORD_Q);
    size_t i = 8;
    for (; i + 8 <= n; i += 8) {
        __m256 v = _mm256_loadu_ps(x + i);
        nan_seen = _mm256_or_ps(nan_seen, _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
        best = _mm256_max_ps(best, v);
    }
    if (_mm256_movemask_ps(nan_seen)) return NAN;
    float lanes[8];
    _mm256_storeu_ps(lanes, best);
    float result = max_scalar(8, lanes);
    if (i == n) return result;
    float tail = max_scalar(n - i, x + i);
    return (isnan(tail) || tail > result) ? tail : result;
}

#endif /* CK_SIMD_X86 */

/* ------------------------------------------------------------------------ */
/* Entry points                                                               */
/* ------------------------------------------------------------------------ */
#if CK_SIMD_X86
#define CK_PICK(avx2, call_avx2, call_scalar) \
    do {                                      \
        if (avx2) call_avx2;                  \
        else call_scalar;                     \
    } while (0)
#else
#define CK_PICK(avx2, call_avx2, call_scalar) \
    do {                                      \
        (void)(avx2);                         \
        call_scalar;                          \
    } while (0)
#endif

void ck_vec_axpby(int avx2, size_t n, float alpha, const float *a, float beta, const float *b, float *y) {
    CK_PICK(avx2, axpby_avx2(n, alpha, a, beta, b, y), axpby_scalar(n, alpha, a, beta, b, y));
}

void ck_vec_mul(int avx2, size_t n, const float *a, const float *b, float *y) {
    CK_PICK(avx2, mul_avx2(n, a, b, y), mul_scalar(n, a, b, y));
}

void ck_vec_scale(int avx2, size_t n, float alpha, const float *x, float *y) {
    CK_PICK(avx2, scale_avx2(n, alpha, x, y), scale_scalar(n, alpha, x, y));
}

void ck_vec_axpy(int avx2, size_t n, float alpha, const float *x, float *y) {
    CK_PICK(avx2, axpy_avx2(n, alpha, x, y), axpy_scalar(n, alpha, x, y));
}

void ck_vec_add_scalar(int avx2, size_t n, const float *x, float c, float *y) {
    CK_PICK(avx2, add_scalar_avx2(n, x, c, y), add_scalar_scalar(n, x, c, y));
}

void ck_vec_fill(int avx2, size_t n, float value, float *y) {
#if CK_SIMD_X86
    if (avx2) {
        fill_avx2(n, value, y);
        return;
    }
#endif
    (void)avx2;
    for (size_t i = 0; i < n; i++) y[i] = value;
}

double ck_vec_sum(int avx2, size_t n, const float *x) {
#if CK_SIMD_X86
    if (avx2) return sum_avx2(n, x);
#endif
    (void)avx2;
    return sum_scalar(n, x);
}

void ck_vec_accumulate_f64(int avx2, size_t n, const float *x, double *acc) {
#if CK_SIMD_X86
    if (avx2) {
        accumulate_f64_avx2(n, x, acc);
        return;
    }
#endif
    (void)avx2;
    for (size_t i = 0; i < n; i++) acc[i] += x[i];
}

float ck_vec_max(int avx2, size_t n, const float *x) {
#if CK_SIMD_X86
    if (avx2) return max_avx2(n, x);
#endif
    (void)avx2;
    return max_scalar(n, x);
}

size_t ck_vec_argmax(size_t n, const float *x) {
    size_t best = 0;
    float best_value = x[0];
    for (size_t i = 1; i < n; i++) {
        if (x[i] > best_value || isnan(x[i])) {
            best = i;
            best_value = x[i];
        }
    }
    return best;
}
