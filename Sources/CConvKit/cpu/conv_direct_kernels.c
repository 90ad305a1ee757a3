/*
 * conv_direct_kernels.c — the AVX2/FMA kernels of the direct conv (see
 * conv_direct_kernels.h).
 *
 * Both keep up to twelve vector accumulators in registers (enough to keep
 * both FMA pipes busy), with room left for the operands so none spills:
 *   forward:   2 output channels x up to 6 vectors of output columns; per tap,
 *              two broadcast weights and one load from the phases per vector.
 *              A row's vectors are split into near-equal tiles, each computed
 *              for all channels before the next, so its phases stay in L1;
 *   correlate: 4 output channels x 3 taps; per vector of output columns, four
 *              loads of d_out and three from the phases, summed over the rows.
 * Only x86-64 builds have them (conv_direct.c is chosen only there, with AVX2).
 */
#include "cpu/conv_direct_kernels.h"
#include "cpu/simd.h"

#if CK_SIMD_X86

#define VECTOR 8
#define FORWARD_VECTORS 6
#define CORRELATE_TAPS 3

/* Lanes [0, valid) set, as a maskload / maskstore mask. */
CK_TARGET_AVX2 static inline __m256i lane_mask(int64_t valid) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)valid), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

/* dst[0, valid) = acc + bias + beta * dst (dst not read when beta == 0). */
CK_TARGET_AVX2 static inline void store_vector(float *dst, __m256 acc, float bias, float beta, int64_t valid) {
    acc = _mm256_add_ps(acc, _mm256_set1_ps(bias));
    if (valid == VECTOR) {
        if (beta != 0.0f) acc = _mm256_fmadd_ps(_mm256_set1_ps(beta), _mm256_loadu_ps(dst), acc);
        _mm256_storeu_ps(dst, acc);
        return;
    }
    const __m256i mask = lane_mask(valid);
    if (beta != 0.0f) acc = _mm256_fmadd_ps(_mm256_set1_ps(beta), _mm256_maskload_ps(dst, mask), acc);
    _mm256_maskstore_ps(dst, mask, acc);
}

/*
 * Output columns [ow, ow + 8 * vectors) of one row, the last vector cut to
 * `last_valid` lanes; src is the row's phases shifted to output column ow.
 * Inlined with a constant `vectors`, the accumulators live in registers.
 */
CK_TARGET_AVX2 static inline __attribute__((always_inline)) void forward_tile(
    const ck_direct_taps *taps, const float *src, const float *weights, int rows, const float *bias, float beta,
    float *out, int64_t out_stride, const int vectors, int64_t last_valid) {
    __m256 acc[CK_DIRECT_FORWARD_TILE][FORWARD_VECTORS];
    for (int i = 0; i < CK_DIRECT_FORWARD_TILE; i++)
        for (int v = 0; v < vectors; v++) acc[i][v] = _mm256_setzero_ps();
    for (int64_t t = 0; t < taps->count; t++) {
        const float *s = src + taps->offset[t];
        __m256 w[CK_DIRECT_FORWARD_TILE];
        for (int i = 0; i < CK_DIRECT_FORWARD_TILE; i++)
            w[i] = _mm256_broadcast_ss(weights + t * CK_DIRECT_FORWARD_TILE + i);
        for (int v = 0; v < vectors; v++) {
            const __m256 x = _mm256_loadu_ps(s + v * VECTOR);
            for (int i = 0; i < CK_DIRECT_FORWARD_TILE; i++) acc[i][v] = _mm256_fmadd_ps(w[i], x, acc[i][v]);
        }
    }
    for (int i = 0; i < rows; i++)
        for (int v = 0; v < vectors; v++)
            store_vector(out + i * out_stride + v * VECTOR, acc[i][v], bias ? bias[i] : 0.0f, beta,
                         v == vectors - 1 ? last_valid : VECTOR);
}

CK_TARGET_AVX2 void ck_direct_forward_row(const ck_direct_taps *taps, const float *phases, const float *weights,
                                          int64_t channels, int64_t oh, const float *bias, float beta, float *out,
                                          int64_t out_stride) {
    /* The row's vectors in as few tiles as fit, of near-equal sizes: a narrow tile has too few accumulators. */
    const float *src = phases + oh * taps->row_step;
    const int64_t row_vectors = (taps->out_w + VECTOR - 1) / VECTOR;
    const int64_t tiles = (row_vectors + FORWARD_VECTORS - 1) / FORWARD_VECTORS;
    for (int64_t tile = 0; tile < tiles; tile++) {
        const int64_t ow = row_vectors * tile / tiles * VECTOR;
        const int64_t vectors = row_vectors * (tile + 1) / tiles - row_vectors * tile / tiles;
        const int64_t left = taps->out_w - ow;
        const int64_t last_valid = left - (vectors - 1) * VECTOR < VECTOR ? left - (vectors - 1) * VECTOR : VECTOR;
        /* Every channel tile on this column tile before the next: the phases it reads stay in L1. */
        for (int64_t o = 0; o < channels; o += CK_DIRECT_FORWARD_TILE) {
            const int rows = channels - o < CK_DIRECT_FORWARD_TILE ? (int)(channels - o) : CK_DIRECT_FORWARD_TILE;
#define FORWARD_TILE(V)                                                                                        \
    forward_tile(taps, src + ow, weights + o * taps->count, rows, bias ? bias + o : NULL, beta,               \
                 out + o * out_stride + ow, out_stride, V, last_valid)
            switch (vectors) {
            case 1: FORWARD_TILE(1); break;
            case 2: FORWARD_TILE(2); break;
            case 3: FORWARD_TILE(3); break;
            case 4: FORWARD_TILE(4); break;
            case 5: FORWARD_TILE(5); break;
            default: FORWARD_TILE(6); break;
            }
#undef FORWARD_TILE
        }
    }
}

/* Sum of the lanes of v. */
CK_TARGET_AVX2 static inline float lane_sum(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

/* ck_direct_correlate_rows for the `count` taps from `first`; inlined with a constant count. */
CK_TARGET_AVX2 static inline __attribute__((always_inline)) void correlate_tile(
    const ck_direct_taps *taps, const float *phases, const float *const *d_out, int64_t oh_begin, int64_t oh_end,
    int64_t first, const int count, double *sums) {
    const int64_t out_w = taps->out_w, full = out_w / VECTOR * VECTOR;
    const __m256i tail = lane_mask(out_w - full);
    __m256 acc[CK_DIRECT_CORRELATE_TILE][CORRELATE_TAPS];
    for (int i = 0; i < CK_DIRECT_CORRELATE_TILE; i++)
        for (int k = 0; k < count; k++) acc[i][k] = _mm256_setzero_ps();
    for (int64_t oh = oh_begin; oh < oh_end; oh++) {
        const float *src[CORRELATE_TAPS], *dy[CK_DIRECT_CORRELATE_TILE];
        for (int k = 0; k < count; k++) src[k] = phases + taps->offset[first + k] + oh * taps->row_step;
        for (int i = 0; i < CK_DIRECT_CORRELATE_TILE; i++) dy[i] = d_out[i] + oh * out_w;
        for (int64_t ow = 0; ow < full; ow += VECTOR) {
            __m256 x[CORRELATE_TAPS];
            for (int k = 0; k < count; k++) x[k] = _mm256_loadu_ps(src[k] + ow);
            for (int i = 0; i < CK_DIRECT_CORRELATE_TILE; i++) {
                const __m256 d = _mm256_loadu_ps(dy[i] + ow);
                for (int k = 0; k < count; k++) acc[i][k] = _mm256_fmadd_ps(d, x[k], acc[i][k]);
            }
        }
        if (full < out_w) {
            /* Masked on both sides: a lane past the row may hold inf in the phases. */
            __m256 x[CORRELATE_TAPS];
            for (int k = 0; k < count; k++) x[k] = _mm256_maskload_ps(src[k] + full, tail);
            for (int i = 0; i < CK_DIRECT_CORRELATE_TILE; i++) {
                const __m256 d = _mm256_maskload_ps(dy[i] + full, tail);
                for (int k = 0; k < count; k++) acc[i][k] = _mm256_fmadd_ps(d, x[k], acc[i][k]);
            }
        }
    }
    for (int i = 0; i < CK_DIRECT_CORRELATE_TILE; i++)
        for (int k = 0; k < count; k++) sums[i * taps->count + first + k] += lane_sum(acc[i][k]);
}

CK_TARGET_AVX2 void ck_direct_correlate_rows(const ck_direct_taps *taps, const float *phases,
                                             const float *const *d_out, int64_t oh_begin, int64_t oh_end,
                                             double *sums) {
    for (int64_t t = 0; t < taps->count; t += CORRELATE_TAPS) {
#define CORRELATE_TILE(K) correlate_tile(taps, phases, d_out, oh_begin, oh_end, t, K, sums)
        switch (taps->count - t) {
        case 1: CORRELATE_TILE(1); break;
        case 2: CORRELATE_TILE(2); break;
        default: CORRELATE_TILE(3); break;
        }
#undef CORRELATE_TILE
    }
}

#endif
