/*
 * suite_conv2d.c — conv2d forward, backward-data and backward-weights on the
 * backend under test against the reference, over a sweep of shapes and
 * parameters: edge cases first, then a few realistic ResNet / MobileNet
 * layers that take the fast paths. Tolerances: see conv_check.h.
 */
#include "conv_check.h"
#include "suites.h"

typedef struct conv2d_shape {
    const char *label;
    int64_t n, c, h, w, o;
    int32_t kh, kw, sh, sw;
    int32_t pt, pb, pl, pr;
    int32_t dh, dw, groups;
    int has_bias;
} conv2d_shape;

/* label, N C H W O, KH KW SH SW, pad top bottom left right, DH DW groups, bias */
static const conv2d_shape shapes[] = {
    {"1x1 input, 1x1 kernel", 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1},
    {"1x1 input, 3x3 kernel, pad 1", 2, 3, 1, 1, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1},
    {"kernel larger than input, pad 2", 1, 2, 2, 3, 3, 5, 5, 1, 1, 2, 2, 2, 2, 1, 1, 1, 1},
    {"asymmetric padding", 2, 3, 5, 6, 4, 3, 3, 1, 1, 0, 2, 1, 0, 1, 1, 1, 1},
    {"asymmetric padding, stride 2 (SAME-like)", 1, 4, 7, 7, 5, 4, 4, 2, 2, 1, 2, 1, 2, 1, 1, 1, 1},
    {"stride > kernel", 2, 3, 9, 8, 4, 2, 2, 3, 3, 0, 0, 0, 0, 1, 1, 1, 1},
    {"1x1 kernel, stride 2", 2, 5, 7, 7, 3, 1, 1, 2, 2, 0, 0, 0, 0, 1, 1, 1, 1},
    {"dilation 2 with stride 2", 2, 3, 11, 10, 4, 3, 3, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1},
    {"rectangular dilation and stride", 1, 2, 9, 12, 3, 2, 3, 1, 2, 1, 0, 2, 1, 3, 2, 1, 1},
    {"rectangular stride", 2, 3, 8, 9, 4, 3, 3, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1},
    {"non-square kernel", 2, 7, 4, 9, 5, 1, 3, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1},
    {"groups 2", 2, 4, 6, 6, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2, 1},
    {"groups 3, stride 2", 1, 6, 7, 5, 9, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 3, 1},
    {"depthwise", 2, 5, 6, 6, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 5, 1},
    {"depthwise, multiplier 2", 2, 4, 7, 7, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 4, 1},
    {"depthwise 5x5, stride 2, multiplier 2", 1, 3, 9, 9, 6, 5, 5, 2, 2, 2, 2, 2, 2, 1, 1, 3, 1},
    {"depthwise, dilation 2, no bias", 2, 6, 8, 8, 6, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 6, 0},
    /* Found by fuzzing: the cpu backend sized its depthwise scratch by stride * stride (int64 overflow). */
    {"depthwise, stride and padding 2^30 (2x2 output)", 1, 2, 16, 16, 2, 3, 3, 1 << 30, 1 << 30, 1 << 30, 0, 1 << 30,
     0, 1, 1, 2, 1},
    {"batch larger than the thread count", 17, 3, 5, 5, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1},
    {"channels not multiples of 8", 2, 13, 6, 5, 11, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1},
    {"no bias", 2, 3, 5, 5, 2, 3, 3, 1, 1, 0, 0, 0, 0, 1, 1, 1, 0},
    {"ResNet 3x3 (2x64x14x14)", 2, 64, 14, 14, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0},
    {"ResNet 3x3 stride 2 (2x32x14x14)", 2, 32, 14, 14, 32, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 0},
    {"ResNet 1x1 downsample", 2, 32, 14, 14, 64, 1, 1, 2, 2, 0, 0, 0, 0, 1, 1, 1, 0},
    {"ResNet stem 7x7 stride 2", 1, 3, 32, 32, 16, 7, 7, 2, 2, 3, 3, 3, 3, 1, 1, 1, 0},
    {"3 channels 7x7 stride 2, wide and tall (direct)", 2, 3, 100, 103, 10, 7, 7, 2, 2, 3, 3, 3, 3, 1, 1, 1, 1},
    {"4 channels per group, dilation 2, groups 2 (direct)", 2, 8, 9, 30, 6, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 2, 0},
    {"depthwise, rows of 37 (whole and partial vectors)", 2, 3, 5, 37, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 3, 1},
    {"depthwise, stride 2, multiplier 2, rows of 40", 1, 4, 6, 40, 8, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 4, 0},
    {"MobileNet depthwise 3x3 (2x32x14x14)", 2, 32, 14, 14, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 32, 1},
    {"pointwise 1x1, 3 images, 19 -> 21 channels", 3, 19, 5, 6, 21, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1},
    {"pointwise 1x1 (2x64x7x7)", 2, 64, 7, 7, 32, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1},
};

static void run_shape(ckt_run *run, const conv2d_shape *s, uint64_t seed) {
    ckt_case(run, "conv2d %s: x %lldx%lldx%lldx%lld o %lld k %dx%d s %dx%d p %d,%d,%d,%d d %dx%d g %d%s", s->label,
             (long long)s->n, (long long)s->c, (long long)s->h, (long long)s->w, (long long)s->o, s->kh, s->kw, s->sh,
             s->sw, s->pt, s->pb, s->pl, s->pr, s->dh, s->dw, s->groups, s->has_bias ? " bias" : "");
    ck_conv2d_params p = ck_conv2d_params_default();
    p.stride_h = s->sh;
    p.stride_w = s->sw;
    p.pad_top = s->pt;
    p.pad_bottom = s->pb;
    p.pad_left = s->pl;
    p.pad_right = s->pr;
    p.dilation_h = s->dh;
    p.dilation_w = s->dw;
    p.groups = s->groups;

    ckt_conv_case c = {&ckt_conv2d_ops, &p, {s->n, s->c, s->h, s->w}, {s->o, s->c / s->groups, s->kh, s->kw}, {0},
                       s->has_bias, 0, 0, 0, 0, 0};
    if (!ckt_expect_ok(run, ck_conv2d_output_dims(run->ref, &p, c.x, c.w, c.y), run->ref, "output dims")) return;
    double taps = (double)s->kh * s->kw;
    c.k_forward = (double)(s->c / s->groups) * taps + (s->has_bias ? 1 : 0);
    c.k_data = (double)(s->o / s->groups) * taps;
    c.k_weights = (double)c.y[0] * (double)c.y[2] * (double)c.y[3];
    c.k_bias = c.k_weights;
    ckt_check_conv_case(run, &c, seed);
}

void ckt_suite_conv2d(ckt_run *run) {
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) run_shape(run, &shapes[i], 1000 + 100 * i);
}
