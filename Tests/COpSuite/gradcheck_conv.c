/*
 * gradcheck_conv.c — gradient-check problems of conv2d and conv_transpose2d
 * (data, weights, bias), pooling (max with distinct inputs, average with
 * its padding and divisor rules) and global pooling.
 */
#include "gradcheck_problems.h"

/* Max-pool inputs are spaced by this, far above 2h for either step size (1e-6, 1e-2). */
#define MAX_POOL_SPACING 0.05

/* ---- conv2d ------------------------------------------------------------- */

typedef struct conv_case {
    int64_t x[4], w[4];
    ck_conv2d_params params;
} conv_case;

/* stride h w, pad top bottom left right, dilation h w, groups */
static const conv_case conv_basic = {{2, 3, 5, 5}, {4, 3, 3, 3}, {1, 1, 1, 1, 1, 1, 1, 1, 1}};
static const conv_case conv_strided = {{1, 2, 7, 6}, {3, 2, 2, 3}, {2, 1, 1, 0, 0, 2, 2, 1, 1}};
static const conv_case conv_depthwise = {{2, 4, 5, 5}, {8, 1, 3, 3}, {2, 2, 1, 1, 1, 1, 1, 1, 4}};

static ck_status conv_forward(gc_problem *p) {
    return ck_conv2d_forward(p->ctx, p->params, gc_v(p->var[0]), gc_v(p->var[1]), gc_v(p->var[2]), gc_v(p->out));
}

static ck_status conv_backward(gc_problem *p) {
    ck_status s = ck_conv2d_backward_data(p->ctx, p->params, gc_v(p->var[1]), gc_v(p->dy), 0.0f, gc_v(p->grad[0]));
    if (s != CK_OK) return s;
    return ck_conv2d_backward_weights(p->ctx, p->params, gc_v(p->var[0]), gc_v(p->dy), 0.0f, gc_v(p->grad[1]),
                                      gc_v(p->grad[2]));
}

static int build_conv(gc_problem *p, const void *arg, uint64_t seed) {
    const conv_case *c = arg;
    int64_t y[4];
    p->params = &c->params;
    p->forward = conv_forward;
    p->backward = conv_backward;
    return ckt_expect_ok(p->run, ck_conv2d_output_dims(p->ctx, &c->params, c->x, c->w, y), p->ctx, "output dims") &&
           gc_var(p, "x", gc_uniform(p, 4, c->x, seed, -1.0, 1.0)) &&
           gc_var(p, "w", gc_uniform(p, 4, c->w, seed + 1, -1.0, 1.0)) &&
           gc_var(p, "bias", gc_uniform(p, 1, &c->w[0], seed + 2, -1.0, 1.0)) && gc_output(p, 4, y, seed + 3);
}

/* ---- conv_transpose2d --------------------------------------------------- */

typedef struct conv_transpose_case {
    int64_t x[4], w[4];
    ck_conv_transpose2d_params params;
} conv_transpose_case;

/* stride h w, pad top bottom left right, dilation h w, output padding h w, groups */
static const conv_transpose_case convt_basic = {{2, 3, 3, 3}, {3, 2, 3, 3}, {2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1}};
static const conv_transpose_case convt_grouped = {{1, 4, 3, 4}, {4, 1, 2, 2}, {2, 2, 0, 1, 1, 0, 2, 2, 1, 0, 2}};

static ck_status convt_forward(gc_problem *p) {
    return ck_conv_transpose2d_forward(p->ctx, p->params, gc_v(p->var[0]), gc_v(p->var[1]), gc_v(p->var[2]),
                                       gc_v(p->out));
}

static ck_status convt_backward(gc_problem *p) {
    ck_status s = ck_conv_transpose2d_backward_data(p->ctx, p->params, gc_v(p->var[1]), gc_v(p->dy), 0.0f,
                                                    gc_v(p->grad[0]));
    if (s != CK_OK) return s;
    return ck_conv_transpose2d_backward_weights(p->ctx, p->params, gc_v(p->var[0]), gc_v(p->dy), 0.0f,
                                                gc_v(p->grad[1]), gc_v(p->grad[2]));
}

static int build_convt(gc_problem *p, const void *arg, uint64_t seed) {
    const conv_transpose_case *c = arg;
    int64_t y[4];
    p->params = &c->params;
    p->forward = convt_forward;
    p->backward = convt_backward;
    int ok = ckt_expect_ok(p->run, ck_conv_transpose2d_output_dims(p->ctx, &c->params, c->x, c->w, y), p->ctx,
                           "output dims");
    int64_t out_channels = y[1];
    return ok && gc_var(p, "x", gc_uniform(p, 4, c->x, seed, -1.0, 1.0)) &&
           gc_var(p, "w", gc_uniform(p, 4, c->w, seed + 1, -1.0, 1.0)) &&
           gc_var(p, "bias", gc_uniform(p, 1, &out_channels, seed + 2, -1.0, 1.0)) && gc_output(p, 4, y, seed + 3);
}

/* ---- pooling ------------------------------------------------------------ */

typedef struct pool_case {
    int64_t x[4];
    ck_pool2d_params params;
} pool_case;

/* mode, kernel h w, stride h w, pad top bottom left right, dilation h w, ceil, count_include_pad, divisor */
static const pool_case max_overlap = {{2, 2, 6, 6}, {CK_POOL_MAX, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 0, 1, 0}};
static const pool_case max_ceil_dilated = {{1, 3, 7, 8}, {CK_POOL_MAX, 2, 3, 2, 1, 1, 0, 1, 1, 2, 1, 1, 1, 0}};
static const pool_case avg_exclude_ceil = {{2, 2, 6, 7}, {CK_POOL_AVG, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 0, 0}};
static const pool_case avg_divisor = {{1, 3, 5, 5}, {CK_POOL_AVG, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 0, 1, 3}};

static ck_status pool_forward(gc_problem *p) {
    return ck_pool2d_forward(p->ctx, p->params, gc_v(p->var[0]), gc_v(p->out));
}

static ck_status pool_backward(gc_problem *p) {
    return ck_pool2d_backward(p->ctx, p->params, gc_v(p->var[0]), gc_v(p->dy), 0.0f, gc_v(p->grad[0]));
}

static int build_pool(gc_problem *p, const void *arg, uint64_t seed) {
    const pool_case *c = arg;
    int64_t y[4];
    p->params = &c->params;
    p->forward = pool_forward;
    p->backward = pool_backward;
    ckt_tensor *x = c->params.mode == CK_POOL_MAX ? gc_distinct(p, 4, c->x, seed, MAX_POOL_SPACING)
                                                  : gc_uniform(p, 4, c->x, seed, -1.0, 1.0);
    return ckt_expect_ok(p->run, ck_pool2d_output_dims(p->ctx, &c->params, c->x, y), p->ctx, "output dims") &&
           gc_var(p, "x", x) && gc_output(p, 4, y, seed + 1);
}

typedef struct global_case {
    int64_t x[4];
    ck_pool_mode mode;
} global_case;

static const global_case global_max = {{2, 3, 4, 5}, CK_POOL_MAX};
static const global_case global_avg = {{2, 3, 4, 5}, CK_POOL_AVG};

static ck_status global_forward(gc_problem *p) {
    return ck_global_pool2d_forward(p->ctx, *(const ck_pool_mode *)p->params, gc_v(p->var[0]), gc_v(p->out));
}

static ck_status global_backward(gc_problem *p) {
    return ck_global_pool2d_backward(p->ctx, *(const ck_pool_mode *)p->params, gc_v(p->var[0]), gc_v(p->dy), 0.0f,
                                     gc_v(p->grad[0]));
}

static int build_global(gc_problem *p, const void *arg, uint64_t seed) {
    const global_case *c = arg;
    const int64_t y[4] = {c->x[0], c->x[1], 1, 1};
    p->params = &c->mode;
    p->forward = global_forward;
    p->backward = global_backward;
    ckt_tensor *x = c->mode == CK_POOL_MAX ? gc_distinct(p, 4, c->x, seed, MAX_POOL_SPACING)
                                           : gc_uniform(p, 4, c->x, seed, -1.0, 1.0);
    return gc_var(p, "x", x) && gc_output(p, 4, y, seed + 1);
}

const gc_entry gc_conv_problems[] = {
    {"conv2d 2x3x5x5, 3x3, pad 1", build_conv, &conv_basic},
    {"conv2d stride 2x1, dilation 2x1, asymmetric pad", build_conv, &conv_strided},
    {"conv2d depthwise multiplier 2, stride 2", build_conv, &conv_depthwise},
    {"conv_transpose2d stride 2, pad 1, output_padding 1", build_convt, &convt_basic},
    {"conv_transpose2d groups 2, dilation 2, asymmetric pad", build_convt, &convt_grouped},
    {"max pool 3x3 stride 2 pad 1 (overlapping)", build_pool, &max_overlap},
    {"max pool 2x3 stride 2x1 dilation 2x1 ceil", build_pool, &max_ceil_dilated},
    {"avg pool 3x3 stride 2 pad 1 ceil, exclude pad", build_pool, &avg_exclude_ceil},
    {"avg pool 2x2 pad 1 divisor_override 3", build_pool, &avg_divisor},
    {"global max pool", build_global, &global_max},
    {"global avg pool", build_global, &global_avg},
};
const size_t gc_conv_problem_count = sizeof gc_conv_problems / sizeof gc_conv_problems[0];
