/*
 * ref_channel.h — per-channel broadcasts and sums over (N, C, inner) arrays of
 * doubles, shared by the reference backend's conv, transposed-conv and bias
 * ops. `inner` is the product of the dims after the channel axis (H*W for NCHW).
 */
#ifndef CK_REF_CHANNEL_H
#define CK_REF_CHANNEL_H

#include <stdint.h>

/** y[n, c, i] += bias[c] for y: (N, C, inner), bias: (C). */
static inline void ck_ref_add_per_channel(double *y, const double *bias, int64_t n, int64_t c, int64_t inner) {
    for (int64_t b = 0; b < n; b++)
        for (int64_t ch = 0; ch < c; ch++)
            for (int64_t i = 0; i < inner; i++) y[(b * c + ch) * inner + i] += bias[ch];
}

/** sums[c] += sum over n and i of x[n, c, i], for x: (N, C, inner), sums: (C). */
static inline void ck_ref_sum_per_channel(const double *x, int64_t n, int64_t c, int64_t inner, double *sums) {
    for (int64_t b = 0; b < n; b++)
        for (int64_t ch = 0; ch < c; ch++)
            for (int64_t i = 0; i < inner; i++) sums[ch] += x[(b * c + ch) * inner + i];
}

#endif
