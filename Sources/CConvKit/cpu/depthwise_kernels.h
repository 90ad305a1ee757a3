/*
 * depthwise_kernels.h — per-plane kernels of the direct depthwise conv.
 *
 * A kernel works on one input plane that has been copied, zero-padded, into
 * `stride_w` column phases: phase f holds the padded columns f, f + stride_w,
 * f + 2 * stride_w, ..., so that output columns ow, ow+1, ... of one tap read
 * consecutive floats of one phase whatever the stride. Output (oh, ow) and
 * tap (kh, kw) read padded row oh * stride_h + kh * dilation_h, padded column
 * ow * stride_w + kw * dilation_w. Each kernel has an AVX2/FMA variant
 * (avx2 != 0) and a portable one; they differ only in summation order.
 */
#ifndef CK_CPU_DEPTHWISE_KERNELS_H
#define CK_CPU_DEPTHWISE_KERNELS_H

#include <stdint.h>

/** Vector width the phase planes are padded for. */
#define CK_DW_VECTOR 8

typedef struct ck_dw_plane {
    int64_t out_h, out_w; /* the output plane the kernels compute */
    int64_t kernel_h, kernel_w;
    int64_t stride_h, stride_w, dilation_h, dilation_w;
    int64_t rows, cols;   /* of each phase plane */
} ck_dw_plane;

/**
 * Fills in rows and cols for an output (out_h, out_w) whose vectors read whole
 * CK_DW_VECTOR-wide steps past the last output column.
 */
void ck_dw_plane_size(ck_dw_plane *p);

/** Floats of the stride_w phase planes together (check ck_dw_phases_fit first: the product may overflow). */
static inline int64_t ck_dw_phases_floats(const ck_dw_plane *p) { return p->stride_w * p->rows * p->cols; }

/**
 * Nonzero when the phase planes hold at most `limit` floats, computed without
 * overflow. They grow with the stride and dilation, not with the input: a
 * stride or dilation far beyond the input makes them huge.
 */
static inline int ck_dw_phases_fit(const ck_dw_plane *p, int64_t limit) {
    int64_t floats;
    return !__builtin_mul_overflow(p->stride_w, p->rows, &floats) && !__builtin_mul_overflow(floats, p->cols, &floats) &&
           floats <= limit;
}

/**
 * Writes the phase planes of the padded plane that holds input pixel (a, b)
 * of `in` (in_h, in_w) at padded (row0 + a * step_h, col0 + b * step_w) and
 * zeros elsewhere (row0 / col0 may be negative: such pixels are dropped).
 */
void ck_dw_build_phases(const ck_dw_plane *p, const float *in, int64_t in_h, int64_t in_w, int64_t row0,
                        int64_t col0, int64_t step_h, int64_t step_w, float *phases);

/**
 * out (out_h, out_w) = sum over taps of kernel (kernel_h, kernel_w) x padded
 * plane, + bias + beta * out (out not read when beta == 0).
 */
void ck_dw_gather(int avx2, const ck_dw_plane *p, const float *phases, const float *kernel, float bias, float beta,
                  float *out);

/**
 * d_kernel[kh * kernel_w + kw] += sum over outputs of d_out (out_h, out_w)
 * times the padded pixel tap (kh, kw) reads.
 */
void ck_dw_correlate(int avx2, const ck_dw_plane *p, const float *phases, const float *d_out, double *d_kernel);

#endif
