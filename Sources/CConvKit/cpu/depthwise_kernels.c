/*
 * depthwise_kernels.c — the per-plane kernels of the direct depthwise conv
 * (see depthwise_kernels.h).
 *
 * The AVX2 gather computes tiles of up to 4 output rows x 2 vectors (eight
 * independent accumulators, enough to keep both FMA pipes busy), each tap a
 * broadcast weight times an unaligned load from the phase plane. The phase
 * planes are wide enough for whole vectors, so only the store of a row's last
 * vector is cut to the plane's width.
 */
#include "cpu/depthwise_kernels.h"
#include "cpu/simd.h"

#include <string.h>

void ck_dw_plane_size(ck_dw_plane *p) {
    const int64_t vector_cols = (p->out_w + CK_DW_VECTOR - 1) / CK_DW_VECTOR * CK_DW_VECTOR;
    p->rows = (p->out_h - 1) * p->stride_h + (p->kernel_h - 1) * p->dilation_h + 1;
    p->cols = vector_cols + (p->kernel_w - 1) * p->dilation_w / p->stride_w;
}

void ck_dw_build_phases(const ck_dw_plane *p, const float *in, int64_t in_h, int64_t in_w, int64_t row0,
                        int64_t col0, int64_t step_h, int64_t step_w, float *phases) {
    const int64_t sw = p->stride_w, phase_size = p->rows * p->cols;
    memset(phases, 0, (size_t)ck_dw_phases_floats(p) * sizeof(float));
    for (int64_t a = 0; a < in_h; a++) {
        const int64_t r = row0 + a * step_h;
        if (r < 0) continue;
        if (r >= p->rows) break;
        const float *src = in + a * in_w;
        float *row = phases + r * p->cols;
        if (sw == 1 && step_w == 1) {
            const int64_t first = col0 < 0 ? -col0 : 0;
            int64_t end = p->cols - col0 < in_w ? p->cols - col0 : in_w;
            if (end > first) memcpy(row + col0 + first, src + first, (size_t)(end - first) * sizeof(float));
            continue;
        }
        if (step_w == 1) {
            /* Phase f holds padded columns f + i * sw: input columns f - col0 + i * sw, a strided copy. */
            for (int64_t f = 0; f < sw; f++) {
                float *dst = row + f * phase_size;
                int64_t i = f >= col0 ? 0 : (col0 - f + sw - 1) / sw;
                for (int64_t b = f - col0 + i * sw; b < in_w && i < p->cols; b += sw, i++) dst[i] = src[b];
            }
            continue;
        }
        /* Padded column c = col0 + b * step_w lands in phase c % sw at c / sw; both stepped without a division. */
        int64_t b = col0 < 0 ? (-col0 + step_w - 1) / step_w : 0;
        int64_t phase = (col0 + b * step_w) % sw, index = (col0 + b * step_w) / sw;
        for (; b < in_w && index < p->cols; b++) {
            row[phase * phase_size + index] = src[b];
            index += step_w / sw;
            phase += step_w % sw;
            if (phase >= sw) {
                phase -= sw;
                index++;
            }
        }
    }
}

/* The first float of phase plane row `row` that output column 0 of tap column kw reads. */
static inline const float *tap_row(const ck_dw_plane *p, const float *phases, int64_t row, int64_t kw) {
    const int64_t offset = kw * p->dilation_w;
    return phases + (offset % p->stride_w) * p->rows * p->cols + row * p->cols + offset / p->stride_w;
}

static void gather_scalar(const ck_dw_plane *p, const float *phases, const float *kernel, float bias, float beta,
                          float *out) {
    for (int64_t oh = 0; oh < p->out_h; oh++) {
        float *dst = out + oh * p->out_w;
        for (int64_t ow = 0; ow < p->out_w; ow++) {
            float acc = 0.0f;
            for (int64_t kh = 0; kh < p->kernel_h; kh++)
                for (int64_t kw = 0; kw < p->kernel_w; kw++)
                    acc += kernel[kh * p->kernel_w + kw] *
                           tap_row(p, phases, oh * p->stride_h + kh * p->dilation_h, kw)[ow];
            dst[ow] = beta == 0.0f ? acc + bias : acc + bias + beta * dst[ow];
        }
    }
}

static void correlate_scalar(const ck_dw_plane *p, const float *phases, const float *d_out, double *d_kernel) {
    for (int64_t kh = 0; kh < p->kernel_h; kh++)
        for (int64_t kw = 0; kw < p->kernel_w; kw++) {
            float sum = 0.0f;
            for (int64_t oh = 0; oh < p->out_h; oh++) {
                const float *src = tap_row(p, phases, oh * p->stride_h + kh * p->dilation_h, kw);
                const float *dy = d_out + oh * p->out_w;
                for (int64_t ow = 0; ow < p->out_w; ow++) sum += dy[ow] * src[ow];
            }
            d_kernel[kh * p->kernel_w + kw] += sum;
        }
}

#if CK_SIMD_X86

#define MAX_TILE_ROWS 4

/* Lanes [0, valid) set, as a maskload / blend mask. */
CK_TARGET_AVX2 static inline __m256i lane_mask(int64_t valid) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)valid), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

/* Writes one vector of results: acc + bias + beta * old, of which the first `valid` lanes land in dst. */
CK_TARGET_AVX2 static inline void store_vector(float *dst, __m256 acc, float bias, float beta, int64_t valid) {
    acc = _mm256_add_ps(acc, _mm256_set1_ps(bias));
    if (valid == CK_DW_VECTOR) {
        if (beta != 0.0f) acc = _mm256_fmadd_ps(_mm256_set1_ps(beta), _mm256_loadu_ps(dst), acc);
        _mm256_storeu_ps(dst, acc);
        return;
    }
    float lanes[CK_DW_VECTOR];
    _mm256_storeu_ps(lanes, acc);
    for (int64_t i = 0; i < valid; i++) dst[i] = beta == 0.0f ? lanes[i] : lanes[i] + beta * dst[i];
}

/*
 * Output rows [oh, oh + tile_rows) x columns [ow, ow + 8 * vectors), the last
 * vector cut to `last_valid` lanes. Inlined with constant tile_rows and
 * vectors, the accumulators live in registers.
 */
CK_TARGET_AVX2 static inline __attribute__((always_inline)) void gather_tile_avx2(
    const ck_dw_plane *p, const float *phases, const float *kernel, float bias, float beta, float *out, int64_t oh,
    int64_t ow, const int tile_rows, const int vectors, int64_t last_valid) {
    __m256 acc[MAX_TILE_ROWS][2];
    for (int r = 0; r < tile_rows; r++)
        for (int v = 0; v < vectors; v++) acc[r][v] = _mm256_setzero_ps();
    const int64_t row_step = p->stride_h * p->cols;
    for (int64_t kh = 0; kh < p->kernel_h; kh++)
        for (int64_t kw = 0; kw < p->kernel_w; kw++) {
            const __m256 weight = _mm256_broadcast_ss(kernel + kh * p->kernel_w + kw);
            const float *src = tap_row(p, phases, oh * p->stride_h + kh * p->dilation_h, kw) + ow;
            for (int r = 0; r < tile_rows; r++)
                for (int v = 0; v < vectors; v++)
                    acc[r][v] = _mm256_fmadd_ps(weight, _mm256_loadu_ps(src + r * row_step + v * CK_DW_VECTOR),
                                                acc[r][v]);
        }
    for (int r = 0; r < tile_rows; r++)
        for (int v = 0; v < vectors; v++)
            store_vector(out + (oh + r) * p->out_w + ow + v * CK_DW_VECTOR, acc[r][v], bias, beta,
                         v == vectors - 1 ? last_valid : CK_DW_VECTOR);
}

CK_TARGET_AVX2 static void gather_avx2(const ck_dw_plane *p, const float *phases, const float *kernel, float bias,
                                       float beta, float *out) {
    for (int64_t oh = 0; oh < p->out_h; oh += MAX_TILE_ROWS) {
        const int64_t rows = p->out_h - oh < MAX_TILE_ROWS ? p->out_h - oh : MAX_TILE_ROWS;
        for (int64_t ow = 0; ow < p->out_w; ow += 2 * CK_DW_VECTOR) {
            const int64_t left = p->out_w - ow;
            const int two = left > CK_DW_VECTOR;
            const int64_t last_valid = two ? (left < 2 * CK_DW_VECTOR ? left - CK_DW_VECTOR : CK_DW_VECTOR)
                                           : left;
#define GATHER_TILE(R, V) gather_tile_avx2(p, phases, kernel, bias, beta, out, oh, ow, R, V, last_valid)
            switch (rows * 2 + two) {
            case 2: GATHER_TILE(1, 1); break;
            case 3: GATHER_TILE(1, 2); break;
            case 4: GATHER_TILE(2, 1); break;
            case 5: GATHER_TILE(2, 2); break;
            case 6: GATHER_TILE(3, 1); break;
            case 7: GATHER_TILE(3, 2); break;
            case 8: GATHER_TILE(4, 1); break;
            default: GATHER_TILE(4, 2); break;
            }
#undef GATHER_TILE
        }
    }
}

CK_TARGET_AVX2 static void correlate_avx2(const ck_dw_plane *p, const float *phases, const float *d_out,
                                          double *d_kernel) {
    const int64_t full = p->out_w / CK_DW_VECTOR * CK_DW_VECTOR;
    const __m256i tail = lane_mask(p->out_w - full);
    for (int64_t kh = 0; kh < p->kernel_h; kh++)
        for (int64_t kw = 0; kw < p->kernel_w; kw++) {
            __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
            int k = 0;
            for (int64_t oh = 0; oh < p->out_h; oh++) {
                const float *src = tap_row(p, phases, oh * p->stride_h + kh * p->dilation_h, kw);
                const float *dy = d_out + oh * p->out_w;
                for (int64_t ow = 0; ow < full; ow += CK_DW_VECTOR, k = (k + 1) & 3)
                    acc[k] = _mm256_fmadd_ps(_mm256_loadu_ps(dy + ow), _mm256_loadu_ps(src + ow), acc[k]);
                if (full < p->out_w) {
                    /* Masked on both sides: a lane past the row may hold inf in the plane. */
                    acc[k] = _mm256_fmadd_ps(_mm256_maskload_ps(dy + full, tail), _mm256_maskload_ps(src + full, tail),
                                             acc[k]);
                    k = (k + 1) & 3;
                }
            }
            __m256 sum = _mm256_add_ps(_mm256_add_ps(acc[0], acc[1]), _mm256_add_ps(acc[2], acc[3]));
            float lanes[CK_DW_VECTOR];
            _mm256_storeu_ps(lanes, sum);
            float total = 0.0f;
            for (int i = 0; i < CK_DW_VECTOR; i++) total += lanes[i];
            d_kernel[kh * p->kernel_w + kw] += total;
        }
}

#endif

void ck_dw_gather(int avx2, const ck_dw_plane *p, const float *phases, const float *kernel, float bias, float beta,
                  float *out) {
#if CK_SIMD_X86
    if (avx2) {
        gather_avx2(p, phases, kernel, bias, beta, out);
        return;
    }
#endif
    (void)avx2;
    gather_scalar(p, phases, kernel, bias, beta, out);
}

void ck_dw_correlate(int avx2, const ck_dw_plane *p, const float *phases, const float *d_out, double *d_kernel) {
#if CK_SIMD_X86
    if (avx2) {
        correlate_avx2(p, phases, d_out, d_kernel);
        return;
    }
#endif
    (void)avx2;
    correlate_scalar(p, phases, d_out, d_kernel);
}
