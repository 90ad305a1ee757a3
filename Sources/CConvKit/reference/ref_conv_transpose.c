/*
 * ref_conv_transpose.c — transposed conv2d forward, backward-data and
 * backward-weights (+ bias gradient) of the reference backend, written in
 * scatter form, independently of ref_conv.c (so that the adjoint identity
 * <conv2d(x), y> == <x, conv_transpose2d(y)> checks two separate codes).
 *
 * x: (N, C, H, W); w: (C, O/groups, KH, KW) (IOHW); y: (N, O, OH, OW) with
 * OH = (H-1)*stride_h - pad_top - pad_bottom + dilation_h*(KH-1) + output_padding_h + 1.
 * Input channel c belongs to group g = c / (C/groups) and writes the output
 * channels g * (O/groups) ... (g+1) * (O/groups) - 1. Input (ih, iw) and tap
 * (kh, kw) land on the output at
 *     oh = ih * stride_h - pad_top  + kh * dilation_h,
 *     ow = iw * stride_w - pad_left + kw * dilation_w,
 * and contributions landing outside the output are dropped.
 */
#include "reference/ref_channel.h"
#include "reference/reference_ops.h"
#include "reference/ref_tensor.h"

typedef struct transpose_shape {
    int64_t n, c, h, w;          /* x */
    int64_t o_per_group, kh, kw; /* w: (C, O/groups, KH, KW) */
    int64_t o, oh, ow;           /* y */
    int64_t c_per_group;
    int64_t stride_h, stride_w, pad_top, pad_left, dilation_h, dilation_w;
} transpose_shape;

static transpose_shape describe(const ck_conv_transpose2d_params *p, const ck_tensor *x, const ck_tensor *w,
                                const ck_tensor *y) {
    transpose_shape s = {
        .n = x->dims[0], .c = x->dims[1], .h = x->dims[2], .w = x->dims[3],
        .o_per_group = w->dims[1], .kh = w->dims[2], .kw = w->dims[3],
        .o = y->dims[1], .oh = y->dims[2], .ow = y->dims[3],
        .c_per_group = x->dims[1] / p->groups,
        .stride_h = p->stride_h, .stride_w = p->stride_w,
        .pad_top = p->pad_top, .pad_left = p->pad_left,
        .dilation_h = p->dilation_h, .dilation_w = p->dilation_w,
    };
    return s;
}

typedef enum transpose_product {
    TRANSPOSE_FORWARD,          /* y[n, o, oh, ow]    += x * w  */
    TRANSPOSE_BACKWARD_DATA,    /* dx[n, c, ih, iw]   += dy * w */
    TRANSPOSE_BACKWARD_WEIGHTS  /* dw[c, ol, kh, kw]  += x * dy */
} transpose_product;

/*
 * For every (n, c, ih, iw, ol, kh, kw) whose contribution lands inside the
 * output, accumulates the product named by `product`: x_side is x (or dx),
 * w_side is w (or dw), y_side is y (or dy).
 */
static void transpose_walk_taps(const transpose_shape *s, transpose_product product, double *x_side,
                                double *w_side, double *y_side) {
    for (int64_t n = 0; n < s->n; n++)
        for (int64_t c = 0; c < s->c; c++) {
            int64_t first_o = (c / s->c_per_group) * s->o_per_group;
            for (int64_t ih = 0; ih < s->h; ih++)
                for (int64_t iw = 0; iw < s->w; iw++) {
                    int64_t xi = ((n * s->c + c) * s->h + ih) * s->w + iw;
                    for (int64_t ol = 0; ol < s->o_per_group; ol++)
                        for (int64_t kh = 0; kh < s->kh; kh++) {
                            int64_t oh = ih * s->stride_h - s->pad_top + kh * s->dilation_h;
                            if (oh < 0 || oh >= s->oh) continue;
                            for (int64_t kw = 0; kw < s->kw; kw++) {
                                int64_t ow = iw * s->stride_w - s->pad_left + kw * s->dilation_w;
                                if (ow < 0 || ow >= s->ow) continue;
                                int64_t yi = ((n * s->o + first_o + ol) * s->oh + oh) * s->ow + ow;
                                int64_t wi = ((c * s->o_per_group + ol) * s->kh + kh) * s->kw + kw;
                                switch (product) {
                                case TRANSPOSE_FORWARD: y_side[yi] += x_side[xi] * w_side[wi]; break;
                                case TRANSPOSE_BACKWARD_DATA: x_side[xi] += y_side[yi] * w_side[wi]; break;
                                case TRANSPOSE_BACKWARD_WEIGHTS: w_side[wi] += x_side[xi] * y_side[yi]; break;
                                }
                            }
                        }
                }
        }
}

ck_status ck_ref_conv_transpose2d_forward(ck_backend *backend, const ck_conv_transpose2d_forward_args *args) {
    ck_ref_arena arena;
    ck_ref_arena_init(&arena, backend, "conv_transpose2d_forward");
    transpose_shape s = describe(args->params, args->x, args->w, args->y);
    double *x = ck_ref_load(&arena, args->x);
    double *w = ck_ref_load(&arena, args->w);
    double *bias = ck_ref_load(&arena, args->bias);
    double *y = ck_ref_zeros(&arena, ck_tensor_numel(args->y));
    ck_status status = ck_ref_arena_status(&arena);
    if (status == CK_OK) {
        transpose_walk_taps(&s, TRANSPOSE_FORWARD, x, w, y);
        if (bias) ck_ref_add_per_channel(y, bias, s.n, s.o, s.oh * s.ow);
        ck_ref_store(args->y, y);
    }
    ck_ref_arena_free(&arena);
    return status;
}

ck_status ck_ref_conv_transpose2d_backward_data(ck_backend *backend,
                                                const ck_conv_transpose2d_backward_data_args *args) {
    ck_ref_arena arena;
    ck_ref_arena_init(&arena, backend, "conv_transpose2d_backward_data");
    transpose_shape s = describe(args->params, args->dx, args->w, args->dy);
    double *w = ck_ref_load(&arena, args->w);
    double *dy = ck_ref_load(&arena, args->dy);
    double *dx = ck_ref_zeros(&arena, ck_tensor_numel(args->dx));
    ck_status status = ck_ref_arena_status(&arena);
    if (status == CK_OK) {
        transpose_walk_taps(&s, TRANSPOSE_BACKWARD_DATA, dx, w, dy);
        ck_ref_store_accumulate(args->dx, dx, args->beta);
    }
    ck_ref_arena_free(&arena);
    return status;
}

ck_status ck_ref_conv_transpose2d_backward_weights(ck_backend *backend,
                                                   const ck_conv_transpose2d_backward_weights_args *args) {
    ck_ref_arena arena;
    ck_ref_arena_init(&arena, backend, "conv_transpose2d_backward_weights");
    transpose_shape s = describe(args->params, args->x, args->dw, args->dy);
    double *x = ck_ref_load(&arena, args->x);
    double *dy = ck_ref_load(&arena, args->dy);
    double *dw = ck_ref_zeros(&arena, ck_tensor_numel(args->dw));
    double *dbias = args->dbias ? ck_ref_zeros(&arena, (size_t)s.o) : NULL;
    ck_status status = ck_ref_arena_status(&arena);
    if (status == CK_OK) {
        transpose_walk_taps(&s, TRANSPOSE_BACKWARD_WEIGHTS, x, dw, dy);
        ck_ref_store_accumulate(args->dw, dw, args->beta);
        if (dbias) {
            ck_ref_sum_per_channel(dy, s.n, s.o, s.oh * s.ow, dbias);
            ck_ref_store_accumulate(args->dbias, dbias, args->beta);
        }
    }
    ck_ref_arena_free(&arena);
    return status;
}
