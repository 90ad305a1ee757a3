/*
 * conv_direct_kernels.h — AVX2/FMA kernels of the direct conv for few input
 * channels (conv_direct.c).
 *
 * They read the input through the padded column phases of
 * depthwise_kernels.h, one phase-plane set (ck_dw_plane) per input channel of
 * a group, the channels' sets back to back. Tap t = (c, kh, kw) of output
 * (oh, ow) then reads the float
 *     phases[offset[t] + oh * row_step + ow],
 * so output columns ow, ow + 1, ... of one tap are consecutive floats whatever
 * the stride, and a vector of 8 output columns is one unaligned load. The
 * planes are wide enough for whole vectors past the last output column.
 *
 * Output channels go in tiles: CK_DIRECT_FORWARD_TILE for forward, whose
 * weights are packed per tile as (K, CK_DIRECT_FORWARD_TILE), K = (C/groups)
 * * KH * KW, the rows past the last channel zero; CK_DIRECT_CORRELATE_TILE
 * for backward-weights.
 */
#ifndef CK_CPU_CONV_DIRECT_KERNELS_H
#define CK_CPU_CONV_DIRECT_KERNELS_H

#include <stdint.h>

/** Output channels per tile of the forward kernel. */
#define CK_DIRECT_FORWARD_TILE 2

/** Output channels per tile of the backward-weights kernel. */
#define CK_DIRECT_CORRELATE_TILE 4

typedef struct ck_direct_taps {
    int64_t count;         /* K */
    const int64_t *offset; /* (K): float of tap t for output (0, 0), from the first channel's phases */
    int64_t row_step;      /* floats between what output rows oh and oh + 1 read: stride_h * phase cols */
    int64_t out_w;         /* OW */
} ck_direct_taps;

/**
 * One output row oh of `channels` output channels whose weights are packed
 * in tiles one after another (ceil(channels / CK_DIRECT_FORWARD_TILE) tiles
 * of (K, CK_DIRECT_FORWARD_TILE)); for o < channels and ow < OW:
 *     out[o * out_stride + ow] = sum over t of weight (o, t) * tap t
 *                                + bias[o] + beta * out[o * out_stride + ow],
 * bias may be NULL, and beta == 0 never reads out.
 */
void ck_direct_forward_row(const ck_direct_taps *taps, const float *phases, const float *weights, int64_t channels,
                           int64_t oh, const float *bias, float beta, float *out, int64_t out_stride);

/**
 * sums[i * K + t] += sum over output rows [oh_begin, oh_end) and columns ow < OW
 * of d_out[i][oh * OW + ow] * tap t, for the CK_DIRECT_CORRELATE_TILE output-channel
 * planes d_out[i] (OH, OW), in double across calls.
 */
void ck_direct_correlate_rows(const ck_direct_taps *taps, const float *phases, const float *const *d_out,
                              int64_t oh_begin, int64_t oh_end, double *sums);

#endif
