/* cpu_pool_rows.c — vertical and horizontal row passes of pooling, AVX2/FMA and portable. */
#include "cpu/cpu_pool_rows.h"
#include "cpu/simd.h"

#include <math.h>

/* NaN-propagating max with the same tie rule as the AVX2 variant (a > b ? a : b). */
static inline float nan_max(float a, float b) { return isnan(a) ? a : (a > b ? a : b); }

static void vertical_scalar(ck_pool_mode mode, const float *const *rows, int count, size_t begin, size_t n,
                            float *out) {
    for (size_t j = begin; j < n; j++) {
        float acc = rows[0][j];
        for (int r = 1; r < count; r++) acc = mode == CK_POOL_MAX ? nan_max(acc, rows[r][j]) : acc + rows[r][j];
        out[j] = acc;
    }
}

static void horizontal_scalar(ck_pool_mode mode, const float *t, size_t begin, size_t n_out, int kernel, int stride,
                              int dilation, float row_divisor, const float *col_divisor, float *y) {
    for (size_t o = begin; o < n_out; o++) {
        const float *taps = t + o * (size_t)stride;
        float acc = taps[0];
        if (mode == CK_POOL_MAX) {
            for (int k = 1; k < kernel; k++) acc = nan_max(acc, taps[(size_t)k * (size_t)dilation]);
            y[o] = acc;
        } else {
            for (int k = 1; k < kernel; k++) acc += taps[(size_t)k * (size_t)dilation];
            y[o] = acc / (row_divisor * col_divisor[o]);
        }
    }
}

#if CK_SIMD_X86
CK_TARGET_AVX2 static inline __m256 nan_max_avx2(__m256 a, __m256 b) {
    return _mm256_blendv_ps(_mm256_max_ps(a, b), a, _mm256_cmp_ps(a, a, _CMP_UNORD_Q));
}

/* p[0], p[2], ..., p[14] (reads p[0 .. 16)). */
CK_TARGET_AVX2 static inline __m256 load_even_avx2(const float *p) {
    __m256 packed = _mm256_shuffle_ps(_mm256_loadu_ps(p), _mm256_loadu_ps(p + 8), _MM_SHUFFLE(2, 0, 2, 0));
    return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(packed), _MM_SHUFFLE(3, 1, 2, 0)));
}

/* The vertical pass for one mode; `count` 2 and 3 (the common kernels) get unrolled loops. */
#define CK_DEFINE_VERTICAL(name, combine)                                                                   \
    CK_TARGET_AVX2 static size_t name(const float *const *rows, int count, size_t n, float *out) {            \
        size_t j = 0;                                                                                         \
        if (count == 2) {                                                                                     \
            const float *r0 = rows[0], *r1 = rows[1];                                                         \
            for (; j + 8 <= n; j += 8)                                                                        \
                _mm256_storeu_ps(out + j, combine(_mm256_loadu_ps(r0 + j), _mm256_loadu_ps(r1 + j)));        \
        } else if (count == 3) {                                                                              \
            const float *r0 = rows[0], *r1 = rows[1], *r2 = rows[2];                                          \
            for (; j + 8 <= n; j += 8) {                                                                      \
                __m256 a = combine(_mm256_loadu_ps(r0 + j), _mm256_loadu_ps(r1 + j));                         \
                _mm256_storeu_ps(out + j, combine(a, _mm256_loadu_ps(r2 + j)));                               \
            }                                                                                                 \
        } else {                                                                                              \
            for (; j + 8 <= n; j += 8) {                                                                      \
                __m256 a = _mm256_loadu_ps(rows[0] + j);                                                      \
                for (int r = 1; r < count; r++) a = combine(a, _mm256_loadu_ps(rows[r] + j));                \
                _mm256_storeu_ps(out + j, a);                                                                 \
            }                                                                                                 \
        }                                                                                                     \
        return j;                                                                                             \
    }
CK_DEFINE_VERTICAL(vertical_max_avx2, nan_max_avx2)
CK_DEFINE_VERTICAL(vertical_sum_avx2, _mm256_add_ps)
#undef CK_DEFINE_VERTICAL

CK_TARGET_AVX2 static void vertical_avx2(ck_pool_mode mode, const float *const *rows, int count, size_t n, float *out) {
    size_t done = mode == CK_POOL_MAX ? vertical_max_avx2(rows, count, n, out) : vertical_sum_avx2(rows, count, n, out);
    vertical_scalar(mode, rows, count, done, n, out);
}

/* Restores element order after _mm256_shuffle_ps picked even / odd elements of two loads. */
CK_TARGET_AVX2 static inline __m256 unshuffle_avx2(__m256 v) {
    return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(v), _MM_SHUFFLE(3, 1, 2, 0)));
}

/*
 * The horizontal pass for one mode over blocks of 8 outputs (returns how many
 * outputs it wrote; the scalar pass does the rest). Stride 2 with kernel 2 or
 * 3 and dilation 1 (the common 2x2/2 and 3x3/2 pools) reuses two loads for
 * the even and odd taps and restores the order once per block.
 */
#define CK_DEFINE_HORIZONTAL(name, combine, finish)                                                           \
    CK_TARGET_AVX2 static size_t name(const float *t, size_t n_out, int kernel, int stride, int dilation,         \
                                      __m256 row_div, const float *col_divisor, float *y) {                     \
        (void)row_div;                                                                                            \
        (void)col_divisor;                                                                                        \
        size_t o = 0;                                                                                             \
        if (stride == 2 && dilation == 1 && (kernel == 2 || kernel == 3)) {                                       \
            for (; o + 8 <= n_out; o += 8) {                                                                      \
                const float *p = t + 2 * o;                                                                       \
                __m256 a = _mm256_loadu_ps(p), b = _mm256_loadu_ps(p + 8);                                        \
                __m256 acc = combine(_mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0)),                            \
                                     _mm256_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1)));                           \
                if (kernel == 3)                                                                                  \
                    acc = combine(acc, _mm256_shuffle_ps(_mm256_loadu_ps(p + 2), _mm256_loadu_ps(p + 10),         \
                                                         _MM_SHUFFLE(2, 0, 2, 0)));                               \
                acc = unshuffle_avx2(acc);                                                                        \
                _mm256_storeu_ps(y + o, finish(acc, row_div, col_divisor + o));                                   \
            }                                                                                                     \
        } else if (stride == 1 || stride == 2) {                                                                  \
            for (; o + 8 <= n_out; o += 8) {                                                                      \
                const float *taps = t + o * (size_t)stride;                                                       \
                __m256 acc = stride == 1 ? _mm256_loadu_ps(taps) : load_even_avx2(taps);                          \
                for (int k = 1; k < kernel; k++) {                                                                \
                    const float *p = taps + (size_t)k * (size_t)dilation;                                         \
                    acc = combine(acc, stride == 1 ? _mm256_loadu_ps(p) : load_even_avx2(p));                     \
                }                                                                                                 \
                _mm256_storeu_ps(y + o, finish(acc, row_div, col_divisor + o));                                   \
            }                                                                                                     \
        }                                                                                                         \
        return o;                                                                                                 \
    }

CK_TARGET_AVX2 static inline __m256 keep_max(__m256 acc, __m256 row_div, const float *col_divisor) {
    (void)row_div;
    (void)col_divisor;
    return acc;
}

CK_TARGET_AVX2 static inline __m256 divide_sum(__m256 acc, __m256 row_div, const float *col_divisor) {
    return _mm256_div_ps(acc, _mm256_mul_ps(row_div, _mm256_loadu_ps(col_divisor)));
}

CK_DEFINE_HORIZONTAL(horizontal_max_avx2, nan_max_avx2, keep_max)
CK_DEFINE_HORIZONTAL(horizontal_avg_avx2, _mm256_add_ps, divide_sum)
#undef CK_DEFINE_HORIZONTAL

CK_TARGET_AVX2 static void horizontal_avx2(ck_pool_mode mode, const float *t, size_t n_out, int kernel, int stride,
                                           int dilation, float row_divisor, const float *col_divisor, float *y) {
    __m256 row_div = _mm256_set1_ps(row_divisor);
    size_t done = mode == CK_POOL_MAX
                      ? horizontal_max_avx2(t, n_out, kernel, stride, dilation, row_div, col_divisor, y)
                      : horizontal_avg_avx2(t, n_out, kernel, stride, dilation, row_div, col_divisor, y);
    horizontal_scalar(mode, t, done, n_out, kernel, stride, dilation, row_divisor, col_divisor, y);
}
#endif

void ck_pool_rows_vertical(int avx2, ck_pool_mode mode, const float *const *rows, int count, size_t n, float *out) {
#if CK_SIMD_X86
    if (avx2) {
        vertical_avx2(mode, rows, count, n, out);
        return;
    }
#endif
    (void)avx2;
    vertical_scalar(mode, rows, count, 0, n, out);
}

void ck_pool_row_horizontal(int avx2, ck_pool_mode mode, const float *t, size_t n_out, int kernel, int stride,
                            int dilation, float row_divisor, const float *col_divisor, float *y) {
#if CK_SIMD_X86
    if (avx2) {
        horizontal_avx2(mode, t, n_out, kernel, stride, dilation, row_divisor, col_divisor, y);
        return;
    }
#endif
    (void)avx2;
    horizontal_scalar(mode, t, 0, n_out, kernel, stride, dilation, row_divisor, col_divisor, y);
}
