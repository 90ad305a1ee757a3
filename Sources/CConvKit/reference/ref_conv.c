/*
 * ref_conv.c — conv2d forward, backward-data and backward-weights (+ bias
 * gradient) of the reference backend.
 *
 * x: (N, C, H, W); w: (O, C/groups, KH, KW); y: (N, O, OH, OW). Output
 * channel o belongs to group g = o / (O/groups) and reads the input channels
 * g * (C/groups) ... (g+1) * (C/groups) - 1. Output (oh, ow) and tap (kh, kw)
 * read the input at
 *     ih = oh * stride_h - pad_top  + kh * dilation_h,
 *     iw = ow * stride_w - pad_left + kw * dilation_w,
 * and taps outside the input read zero padding. All three ops walk this one
 * relation (conv_walk_taps) and differ only in which product they accumulate.
 */
#include "reference/ref_channel.h"
#include "reference/reference_ops.h"
#include "reference/ref_tensor.h"

typedef struct conv_shape {
    int64_t n, c, h, w;          /* x */
    int64_t o, kh, kw;           /* w: (O, C/groups, KH, KW) */
    int64_t oh, ow;              /* y */
    int64_t c_per_group, o_per_group;
    int64_t stride_h, stride_w, pad_top, pad_left, dilation_h, dilation_w;
} conv_shape;

static conv_shape describe(const ck_conv2d_params *p, const ck_tensor *x, const ck_tensor *w, const ck_tensor *y) {
    conv_shape s = {
        .n = x->dims[0], .c = x->dims[1], .h = x->dims[2], .w = x->dims[3],
        .o = w->dims[0], .kh = w->dims[2], .kw = w->dims[3],
        .oh = y->dims[2], .ow = y->dims[3],
        .c_per_group = w->dims[1], .o_per_group = w->dims[0] / p->groups,
        .stride_h = p->stride_h, .stride_w = p->stride_w,
        .pad_top = p->pad_top, .pad_left = p->pad_left,
        .dilation_h = p->dilation_h, .dilation_w = p->dilation_w,
    };
    return s;
}

typedef enum conv_product {
    CONV_FORWARD,          /* y[n, o, oh, ow]    += x * w  */
    CONV_BACKWARD_DATA,    /* dx[n, c, ih, iw]   += dy * w */
    CONV_BACKWARD_WEIGHTS  /* dw[o, ci, kh, kw]  += x * dy */
} conv_product;

/*
 * For every (n, o, oh, ow, ci, kh, kw) whose tap lies inside the input,
 * accumulates the product named by `product`: x_side is x (or dx), w_side is
 * w (or dw), y_side is y (or dy).
 */
static void conv_walk_taps(const conv_shape *s, conv_product product, double *x_side, double *w_side,
                           double *y_side) {
    for (int64_t n = 0; n < s->n; n++)
        for (int64_t o = 0; o < s->o; o++) {
            int64_t first_c = (o / s->o_per_group) * s->c_per_group;
            for (int64_t oh = 0; oh < s->oh; oh++)
                for (int64_t ow = 0; ow < s->ow; ow++) {
                    int64_t yi = ((n * s->o + o) * s->oh + oh) * s->ow + ow;
                    for (int64_t ci = 0; ci < s->c_per_group; ci++)
                        for (int64_t kh = 0; kh < s->kh; kh++) {
                            int64_t ih = oh * s->stride_h - s->pad_top + kh * s->dilation_h;
                            if (ih < 0 || ih >= s->h) continue;
                            for (int64_t kw = 0; kw < s->kw; kw++) {
                                int64_t iw = ow * s->stride_w - s->pad_left + kw * s->dilation_w;
                                if (iw < 0 || iw >= s->w) continue;
                                int64_t xi = ((n * s->c + first_c + ci) * s->h + ih) * s->w + iw;
                                int64_t wi = ((o * s->c_per_group + ci) * s->kh + kh) * s->kw + kw;
                                switch (product) {
                                case CONV_FORWARD: y_side[yi] += x_side[xi] * w_side[wi]; break;
                                case CONV_BACKWARD_DATA: x_side[xi] += y_side[yi] * w_side[wi]; break;
                                case CONV_BACKWARD_WEIGHTS: w_side[wi] += x_side[xi] * y_side[yi]; break;
                                }
                            }
                        }
                }
        }
}

ck_status ck_ref_conv2d_forward(ck_backend *backend, const ck_conv2d_forward_args *args) {
    ck_ref_arena arena;
    ck_ref_arena_init(&arena, backend, "conv2d_forward");
    conv_shape s = describe(args->params, args->x, args->w, args->y);
    double *x = ck_ref_load(&arena, args->x);
    double *w = ck_ref_load(&arena, args->w);
    double *bias = ck_ref_load(&arena, args->bias);
    double *y = ck_ref_zeros(&arena, ck_tensor_numel(args->y));
    ck_status status = ck_ref_arena_status(&arena);
    if (status == CK_OK) {
        conv_walk_taps(&s, CONV_FORWARD, x, w, y);
        if (bias) ck_ref_add_per_channel(y, bias, s.n, s.o, s.oh * s.ow);
        /* The fused activation is, by definition, the activation of the stored conv output: rounded to
           y's type first, exactly as ck_conv2d_forward then ck_activation_forward. */
        const ck_conv2d_epilogue *e = &args->epilogue;
        const int rounds = args->y->dtype == CK_F32;
        if (e->has_activation)
            for (size_t i = 0, count = ck_tensor_numel(args->y); i < count; i++)
                y[i] = ck_ref_activate(e->activation, e->alpha, rounds ? (double)(float)y[i] : y[i]);
        ck_ref_store(args->y, y);
    }
    ck_ref_arena_free(&arena);
    return status;
}

ck_status ck_ref_conv2d_backward_data(ck_backend *backend, const ck_conv2d_backward_data_args *args) {
    ck_ref_arena arena;
    ck_ref_arena_init(&arena, backend, "conv2d_backward_data");
    conv_shape s = describe(args->params, args->dx, args->w, args->dy);
    double *w = ck_ref_load(&arena, args->w);
    double *dy = ck_ref_load(&arena, args->dy);
    double *dx = ck_ref_zeros(&arena, ck_tensor_numel(args->dx));
    ck_status status = ck_ref_arena_status(&arena);
    if (status == CK_OK) {
        conv_walk_taps(&s, CONV_BACKWARD_DATA, dx, w, dy);
        ck_ref_store_accumulate(args->dx, dx, args->beta);
    }
    ck_ref_arena_free(&arena);
    return status;
}

ck_status ck_ref_conv2d_backward_weights(ck_backend *backend, const ck_conv2d_backward_weights_args *args) {
    ck_ref_arena arena;
    ck_ref_arena_init(&arena, backend, "conv2d_backward_weights");
    conv_shape s = describe(args->params, args->x, args->dw, args->dy);
    double *x = ck_ref_load(&arena, args->x);
    double *dy = ck_ref_load(&arena, args->dy);
    double *dw = ck_ref_zeros(&arena, ck_tensor_numel(args->dw));
    double *dbias = args->dbias ? ck_ref_zeros(&arena, (size_t)s.o) : NULL;
    ck_status status = ck_ref_arena_status(&arena);
    if (status == CK_OK) {
        conv_walk_taps(&s, CONV_BACKWARD_WEIGHTS, x, dw, dy);
        ck_ref_store_accumulate(args->dw, dw, args->beta);
        if (dbias) {
            ck_ref_sum_per_channel(dy, s.n, s.o, s.oh * s.ow, dbias);
            ck_ref_store_accumulate(args->dbias, dbias, args->beta);
        }
    }
    ck_ref_arena_free(&arena);
    return status;
}
