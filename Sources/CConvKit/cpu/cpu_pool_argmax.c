/* cpu_pool_argmax.c — the two passes that find max pooling's winning taps, AVX2/FMA and portable. */
#include "cpu/cpu_pool_rows.h"
#include "cpu/simd.h"

static int vertical_argmax_scalar(const float *const *rows, int count, size_t begin, size_t n, float *out,
                                  int32_t *arg) {
    int nan = 0;
    for (size_t j = begin; j < n; j++) {
        float best = rows[0][j];
        int32_t best_row = 0;
        nan |= best != best;
        for (int32_t r = 1; r < count; r++) {
            float v = rows[r][j];
            nan |= v != v;
            int take = v > best;
            best = take ? v : best;
            best_row = take ? r : best_row;
        }
        out[j] = best;
        arg[j] = best_row;
    }
    return nan;
}

static void horizontal_argmax_scalar(const float *t, const int32_t *arg, size_t begin, size_t n_out, int kernel,
                                     int stride, int dilation, int32_t *win_row, int32_t *win_tap) {
    for (size_t o = begin; o < n_out; o++) {
        const float *taps = t + o * (size_t)stride;
        const int32_t *rows = arg + o * (size_t)stride;
        float best = taps[0];
        int32_t best_row = rows[0], best_tap = 0;
        for (int32_t k = 1; k < kernel; k++) {
            float v = taps[(size_t)k * (size_t)dilation];
            int32_t row = rows[(size_t)k * (size_t)dilation];
            int take = v > best || (v == best && row < best_row);
            best = take ? v : best;
            best_row = take ? row : best_row;
            best_tap = take ? k : best_tap;
        }
        win_row[o] = best_row;
        win_tap[o] = best_tap;
    }
}

#if CK_SIMD_X86
CK_TARGET_AVX2 static int vertical_argmax_avx2(const float *const *rows, int count, size_t n, float *out,
                                               int32_t *arg) {
    __m256 nan = _mm256_setzero_ps();
    size_t j = 0;
    for (; j + 8 <= n; j += 8) {
        __m256 best = _mm256_loadu_ps(rows[0] + j);
        __m256 best_row = _mm256_setzero_ps(); /* int32 lanes */
        nan = _mm256_or_ps(nan, _mm256_cmp_ps(best, best, _CMP_UNORD_Q));
        for (int32_t r = 1; r < count; r++) {
            __m256 v = _mm256_loadu_ps(rows[r] + j);
            nan = _mm256_or_ps(nan, _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
            __m256 take = _mm256_cmp_ps(v, best, _CMP_GT_OQ);
            best = _mm256_blendv_ps(best, v, take);
            best_row = _mm256_blendv_ps(best_row, _mm256_castsi256_ps(_mm256_set1_epi32(r)), take);
        }
        _mm256_storeu_ps(out + j, best);
        _mm256_storeu_si256((__m256i *)(arg + j), _mm256_castps_si256(best_row));
    }
    int tail_nan = vertical_argmax_scalar(rows, count, j, n, out, arg);
    return _mm256_movemask_ps(nan) != 0 || tail_nan;
}

/* p[0], p[2], ..., p[14] as raw 32-bit lanes (reads p[0 .. 16)). */
CK_TARGET_AVX2 static inline __m256 load_even_bits(const void *p) {
    const float *f = p;
    __m256 packed = _mm256_shuffle_ps(_mm256_loadu_ps(f), _mm256_loadu_ps(f + 8), _MM_SHUFFLE(2, 0, 2, 0));
    return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(packed), _MM_SHUFFLE(3, 1, 2, 0)));
}

CK_TARGET_AVX2 static inline __m256 load_taps(const void *p, int stride) {
    return stride == 1 ? _mm256_loadu_ps(p) : load_even_bits(p);
}

/* Blocks of 8 outputs for stride 1 or 2; returns how many outputs it did. */
CK_TARGET_AVX2 static size_t horizontal_argmax_avx2(const float *t, const int32_t *arg, size_t n_out, int kernel,
                                                    int stride, int dilation, int32_t *win_row, int32_t *win_tap) {
    if (stride != 1 && stride != 2) return 0;
    size_t o = 0;
    for (; o + 8 <= n_out; o += 8) {
        const float *taps = t + o * (size_t)stride;
        const int32_t *rows = arg + o * (size_t)stride;
        __m256 best = load_taps(taps, stride);
        __m256i best_row = _mm256_castps_si256(load_taps(rows, stride)), best_tap = _mm256_setzero_si256();
        for (int32_t k = 1; k < kernel; k++) {
            size_t offset = (size_t)k * (size_t)dilation;
            __m256 v = load_taps(taps + offset, stride);
            __m256i row = _mm256_castps_si256(load_taps(rows + offset, stride));
            __m256 equal_earlier_row = _mm256_and_ps(_mm256_cmp_ps(v, best, _CMP_EQ_OQ),
                                                     _mm256_castsi256_ps(_mm256_cmpgt_epi32(best_row, row)));
            __m256 take = _mm256_or_ps(_mm256_cmp_ps(v, best, _CMP_GT_OQ), equal_earlier_row);
            best = _mm256_blendv_ps(best, v, take);
            best_row = _mm256_castps_si256(
                _mm256_blendv_ps(_mm256_castsi256_ps(best_row), _mm256_castsi256_ps(row), take));
            best_tap = _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(best_tap),
                                                            _mm256_castsi256_ps(_mm256_set1_epi32(k)), take));
        }
        _mm256_storeu_si256((__m256i *)(win_row + o), best_row);
        _mm256_storeu_si256((__m256i *)(win_tap + o), best_tap);
    }
    return o;
}
#endif

int ck_pool_rows_vertical_argmax(int avx2, const float *const *rows, int count, size_t n, float *out, int32_t *arg) {
#if CK_SIMD_X86
    if (avx2) return vertical_argmax_avx2(rows, count, n, out, arg);
#endif
    (void)avx2;
    return vertical_argmax_scalar(rows, count, 0, n, out, arg);
}

void ck_pool_row_horizontal_argmax(int avx2, const float *t, const int32_t *arg, size_t n_out, int kernel, int stride,
                                   int dilation, int32_t *win_row, int32_t *win_tap) {
    size_t done = 0;
#if CK_SIMD_X86
    if (avx2) done = horizontal_argmax_avx2(t, arg, n_out, kernel, stride, dilation, win_row, win_tap);
#endif
    (void)avx2;
    horizontal_argmax_scalar(t, arg, done, n_out, kernel, stride, dilation, win_row, win_tap);
}
