/*
 * suite_conv_transpose2d.c — transposed conv (IOHW weights) forward,
 * backward-data and backward-weights on the backend under test against the
 * reference, over edge cases (output_padding, stride > kernel, dilation,
 * groups, depthwise) and a few realistic decoder layers. Tolerances: see
 * conv_check.h.
 */
#include "conv_check.h"
#include "suites.h"

typedef struct conv_transpose2d_shape {
    const char *label;
    int64_t n, c, h, w, o;
    int32_t kh, kw, sh, sw;
    int32_t pt, pb, pl, pr;
    int32_t dh, dw, oph, opw, groups;
    int has_bias;
} conv_transpose2d_shape;

/* label, N C H W O, KH KW SH SW, pad top bottom left right, DH DW, output padding h w, groups, bias */
static const conv_transpose2d_shape shapes[] = {
    {"1x1 input, 1x1 kernel", 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1},
    {"1x1 input, 3x3 kernel", 2, 3, 1, 1, 2, 3, 3, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1},
    {"1x1 input, 3x3 kernel, pad 1", 1, 2, 1, 1, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1},
    {"stride 2, pad 1, output_padding 1", 2, 3, 4, 4, 4, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1},
    {"stride 2, kernel 4, pad 1", 1, 4, 5, 3, 3, 4, 4, 2, 2, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1},
    {"stride > kernel", 2, 3, 3, 4, 2, 2, 2, 3, 3, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1},
    {"stride > kernel, output_padding 2", 1, 2, 3, 3, 3, 2, 2, 3, 3, 0, 0, 0, 0, 1, 1, 2, 2, 1, 1},
    {"asymmetric padding, stride 2", 2, 3, 4, 5, 4, 3, 3, 2, 2, 0, 2, 1, 0, 1, 1, 0, 0, 1, 1},
    {"dilation 2, stride 2, output_padding 1", 1, 3, 4, 4, 2, 3, 3, 2, 2, 1, 1, 1, 1, 2, 2, 1, 1, 1, 1},
    {"dilation 3, output_padding 2 (< dilation)", 1, 2, 3, 4, 3, 2, 2, 1, 1, 0, 0, 0, 0, 3, 3, 2, 2, 1, 1},
    {"rectangular kernel, stride, output_padding", 2, 3, 3, 5, 4, 2, 3, 2, 1, 0, 1, 1, 1, 1, 1, 1, 0, 1, 1},
    {"groups 2", 2, 4, 4, 4, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 2, 1},
    {"groups 3, stride 2", 1, 6, 3, 3, 9, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 3, 1},
    {"depthwise", 2, 5, 4, 4, 5, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 5, 1},
    {"depthwise, multiplier 2", 1, 4, 5, 5, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 4, 1},
    {"batch larger than the thread count", 17, 3, 3, 3, 2, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1},
    {"channels not multiples of 8", 2, 13, 4, 3, 11, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1},
    {"no bias", 2, 3, 4, 4, 2, 3, 3, 2, 2, 0, 0, 0, 0, 1, 1, 0, 0, 1, 0},
    {"decoder 4x4 stride 2 (2x32x7x7)", 2, 32, 7, 7, 16, 4, 4, 2, 2, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1},
    {"decoder 3x3 stride 2 output_padding 1 (2x64x7x7)", 2, 64, 7, 7, 32, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0},
    {"decoder 2x2 stride 2 (1x16x14x14)", 1, 16, 14, 14, 8, 2, 2, 2, 2, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1},
};

static void run_shape(ckt_run *run, const conv_transpose2d_shape *s, uint64_t seed) {
    ckt_case(run, "conv_transpose2d %s: x %lldx%lldx%lldx%lld o %lld k %dx%d s %dx%d p %d,%d,%d,%d d %dx%d op %dx%d g %d%s",
             s->label, (long long)s->n, (long long)s->c, (long long)s->h, (long long)s->w, (long long)s->o, s->kh,
             s->kw, s->sh, s->sw, s->pt, s->pb, s->pl, s->pr, s->dh, s->dw, s->oph, s->opw, s->groups,
             s->has_bias ? " bias" : "");
    ck_conv_transpose2d_params p = ck_conv_transpose2d_params_default();
    p.stride_h = s->sh;
    p.stride_w = s->sw;
    p.pad_top = s->pt;
    p.pad_bottom = s->pb;
    p.pad_left = s->pl;
    p.pad_right = s->pr;
    p.dilation_h = s->dh;
    p.dilation_w = s->dw;
    p.output_padding_h = s->oph;
    p.output_padding_w = s->opw;
    p.groups = s->groups;

    ckt_conv_case c = {&ckt_conv_transpose2d_ops, &p, {s->n, s->c, s->h, s->w}, {s->c, s->o / s->groups, s->kh, s->kw},
                       {0}, s->has_bias, 0, 0, 0, 0, 0};
    if (!ckt_expect_ok(run, ck_conv_transpose2d_output_dims(run->ref, &p, c.x, c.w, c.y), run->ref, "output dims"))
        return;
    double taps = (double)s->kh * s->kw;
    /* y sums over the group's input channels and the taps; dx (a conv2d of dy) over output channels and taps. */
    c.k_forward = (double)(s->c / s->groups) * taps + (s->has_bias ? 1 : 0);
    c.k_data = (double)(s->o / s->groups) * taps;
    c.k_weights = (double)s->n * (double)s->h * (double)s->w;
    c.k_bias = (double)c.y[0] * (double)c.y[2] * (double)c.y[3];
    ckt_check_conv_case(run, &c, seed);
}

void ckt_suite_conv_transpose2d(ckt_run *run) {
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) run_shape(run, &shapes[i], 5000 + 100 * i);
}
