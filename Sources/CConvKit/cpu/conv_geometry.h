/*
 * conv_geometry.h — one description of a 2-D convolution that the CPU
 * backend's conv2d and transposed conv2d both run on.
 *
 * The geometry names the convolution's own input and output:
 *     input  (N, C, H, W), weight (O, C/groups, KH, KW), output (N, O, OH, OW),
 * where output (oh, ow) and tap (kh, kw) read the input at
 *     ih = oh * stride_h - pad_top  + kh * dilation_h,
 *     iw = ow * stride_w - pad_left + kw * dilation_w,
 * and taps outside the input read zero. The output size is taken as given
 * (not recomputed from the padding), so the bottom / right padding and a
 * transposed conv's output_padding need no field of their own.
 *
 * conv2d maps onto it directly. A transposed conv2d with x (N, C, H, W),
 * IOHW weight (C, O/groups, KH, KW) and y (N, O, OH, OW) is the adjoint of the
 * geometry whose input is y, whose output is x and whose OIHW weight is the
 * IOHW tensor read as is: its forward is that geometry's backward-data, its
 * backward-data that geometry's forward, its backward-weights that geometry's
 * backward-weights with x and dy swapped.
 */
#ifndef CK_CPU_CONV_GEOMETRY_H
#define CK_CPU_CONV_GEOMETRY_H

#include <stdint.h>

typedef struct ck_conv_geometry {
    int64_t batch;                      /* N */
    int64_t in_channels, in_h, in_w;    /* C, H, W */
    int64_t out_channels, out_h, out_w; /* O, OH, OW */
    int64_t groups;
    int64_t kernel_h, kernel_w;
    int64_t stride_h, stride_w;
    int64_t pad_top, pad_left;
    int64_t dilation_h, dilation_w;
} ck_conv_geometry;

/** C / groups: input channels one output channel reads. */
static inline int64_t ck_geom_in_per_group(const ck_conv_geometry *g) { return g->in_channels / g->groups; }

/** O / groups. */
static inline int64_t ck_geom_out_per_group(const ck_conv_geometry *g) { return g->out_channels / g->groups; }

/** KH * KW. */
static inline int64_t ck_geom_taps(const ck_conv_geometry *g) { return g->kernel_h * g->kernel_w; }

/** Rows of one group's column matrix: (C/groups) * KH * KW. */
static inline int64_t ck_geom_col_rows(const ck_conv_geometry *g) { return ck_geom_in_per_group(g) * ck_geom_taps(g); }

/** H * W. */
static inline int64_t ck_geom_in_pixels(const ck_conv_geometry *g) { return g->in_h * g->in_w; }

/** OH * OW. */
static inline int64_t ck_geom_out_pixels(const ck_conv_geometry *g) { return g->out_h * g->out_w; }

/**
 * Nonzero when the column matrix of an image is the input itself: a 1x1
 * kernel, stride 1, no padding and an output the size of the input.
 */
static inline int ck_geom_is_pointwise(const ck_conv_geometry *g) {
    return g->kernel_h == 1 && g->kernel_w == 1 && g->stride_h == 1 && g->stride_w == 1 && g->pad_top == 0 &&
           g->pad_left == 0 && g->out_h == g->in_h && g->out_w == g->in_w;
}

/**
 * Nonzero when every output channel reads one input channel: depthwise
 * (groups == C, any depth multiplier O/C), or a single-channel input.
 */
static inline int ck_geom_is_depthwise(const ck_conv_geometry *g) { return ck_geom_in_per_group(g) == 1; }

#endif
