/*
 * suite_pool2d.c — max / average pooling and global pooling, forward and
 * backward (beta 0 and 1), on the backend under test against the reference.
 *
 * Tolerances:
 *  - max forward: exact. The maximum is one of the inputs, chosen without
 *    arithmetic; NaN must match NaN.
 *  - max backward: each dx element sums the dy of the windows whose first
 *    maximum it is, at most KH*KW of them (one per tap), plus beta * dx: a
 *    float32 sum of at most KH*KW + 1 terms, so (KH*KW + 2) * u * sum|terms|,
 *    the extra u for the reference's own rounding. sum|terms| is the
 *    reference run with |dy| (and |previous dx|), routing by the same x.
 *  - average forward / backward: the same sums, plus a division (or a
 *    multiplication by a rounded reciprocal): (KH*KW + 3) * u * sum|terms|.
 *  - global pools: the same with H*W in place of KH*KW.
 */
#include "crosscheck.h"
#include "suites.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

typedef enum input_kind {
    INPUT_UNIFORM,  /* uniform in [-1, 1) */
    INPUT_TIES,     /* integers 0, 1, 2: many equal maxima (first in scan order wins) */
    INPUT_NEGATIVE, /* in [-2, -1): max padding must act as -inf, not 0 */
    INPUT_NAN,      /* uniform with a NaN every 7 elements: NaN wins (the gradient goes to the last NaN) */
    INPUT_NEG_INF   /* uniform with -inf on 4x4 blocks in a checkerboard: windows all -inf route to their first tap */
} input_kind;

typedef struct pool_shape {
    const char *label;
    ck_pool_mode mode;
    int64_t n, c, h, w;
    int32_t kh, kw, sh, sw;
    int32_t pt, pb, pl, pr;
    int32_t dh, dw, ceil_mode, count_include_pad, divisor_override;
    input_kind input;
} pool_shape;

#define MAX CK_POOL_MAX
#define AVG CK_POOL_AVG

/* label, mode, N C H W, KH KW SH SW, pad top bottom left right, DH DW, ceil, count_include_pad, divisor, input */
static const pool_shape shapes[] = {
    {"max 2x2", MAX, 2, 3, 6, 6, 2, 2, 2, 2, 0, 0, 0, 0, 1, 1, 0, 1, 0, INPUT_UNIFORM},
    {"avg 2x2", AVG, 2, 3, 6, 6, 2, 2, 2, 2, 0, 0, 0, 0, 1, 1, 0, 1, 0, INPUT_UNIFORM},
    {"max 3x3 s2 p1", MAX, 2, 5, 15, 15, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 0, 1, 0, INPUT_UNIFORM},
    {"max 3x3 s2 p1, rows of 40 (whole and partial vectors)", MAX, 2, 3, 9, 40, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 0, 1, 0, INPUT_UNIFORM},
    {"avg 2x2 s2, rows of 70 (whole and partial vectors)", AVG, 1, 3, 6, 70, 2, 2, 2, 2, 0, 0, 0, 0, 1, 1, 0, 1, 0, INPUT_UNIFORM},
    {"max 3x3 s2 p1 ceil", MAX, 2, 5, 14, 14, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 0, INPUT_UNIFORM},
    /*
     * Rows of 35 to 100: on devices with vector kernels (CONV_VEC 4, 8, 16) the windows with taps past the
     * row's edges go one by one, the others in whole vectors, the last one overlapping the vector before it
     * (forward) or a remainder one by one (backward); rows of 76 put a vector's last tap on the row's last
     * element (loads from one element earlier at stride 2), and so do rows of 66 in the backward, where
     * 32 windows fill whole vectors (adds from one element earlier); stride 3 goes lane by lane.
     */
    {"max 3x3 s2 p1, rows of 66", MAX, 2, 3, 9, 66, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 0, 1, 0, INPUT_UNIFORM},
    {"avg 3x3 s2 p1, rows of 66, include pad", AVG, 2, 3, 9, 66, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 0, 1, 0, INPUT_UNIFORM},
    {"max 3x3 s2 p1, rows of 76", MAX, 2, 3, 11, 76, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 0, 1, 0, INPUT_UNIFORM},
    {"max 3x3 s2 p1 ceil, rows of 76", MAX, 2, 3, 10, 76, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 0, INPUT_UNIFORM},
    {"max 3x3 s2 p1 ceil, rows of 75, negative inputs", MAX, 1, 3, 9, 75, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 0,
     INPUT_NEGATIVE},
    {"max 3x3 s1 p1, rows of 35, ties", MAX, 2, 2, 6, 35, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0, INPUT_TIES},
    {"max 3x3 s1 p2 dilation 2, rows of 41", MAX, 2, 3, 9, 41, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 0, 1, 0, INPUT_UNIFORM},
    {"max 3x3 s2 p2 dilation 2x3 ceil, rows of 83", MAX, 1, 3, 9, 83, 3, 3, 2, 2, 2, 2, 2, 2, 2, 3, 1, 1, 0,
     INPUT_UNIFORM},
    {"max 2x3 s3 p1, rows of 100", MAX, 2, 2, 7, 100, 2, 3, 3, 3, 1, 1, 1, 1, 1, 1, 0, 1, 0, INPUT_UNIFORM},
    {"max 3x3 s2 p1, rows of 76, NaN inputs", MAX, 1, 2, 7, 76, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 0, 1, 0, INPUT_NAN},
    {"max 3x3 s2 p1, rows of 76, -inf blocks", MAX, 1, 2, 12, 76, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 0, 1, 0, INPUT_NEG_INF},
    {"max 3x3 s1 p1, -inf blocks", MAX, 1, 2, 9, 9, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0, INPUT_NEG_INF},
    {"avg 3x3 s2 p1, rows of 76, include pad", AVG, 2, 3, 11, 76, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 0, 1, 0, INPUT_UNIFORM},
    {"avg 3x3 s2 p1, rows of 76, exclude pad", AVG, 2, 3, 11, 76, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 0, 0, 0, INPUT_UNIFORM},
    {"avg 3x3 s2 p1 ceil, rows of 75, include pad", AVG, 2, 3, 10, 75, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 0,
     INPUT_UNIFORM},
    {"avg 3x3 s2 p1 ceil, rows of 75, exclude pad", AVG, 2, 3, 10, 75, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 0, 0,
     INPUT_UNIFORM},
    {"avg 3x3 s1 p1, rows of 37, exclude pad", AVG, 2, 3, 7, 37, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, INPUT_UNIFORM},
    {"avg 3x3 s1 p1 ceil, rows of 37, include pad", AVG, 2, 3, 7, 37, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0,
     INPUT_UNIFORM},
    {"avg 3x2 s2 asymmetric padding ceil, rows of 53, exclude pad", AVG, 2, 2, 9, 53, 3, 2, 2, 2, 0, 2, 1, 0, 1, 1, 1,
     0, 0, INPUT_UNIFORM},
    {"avg 2x2 s3, rows of 100, divisor_override 3", AVG, 1, 3, 8, 100, 2, 2, 3, 3, 0, 0, 0, 0, 1, 1, 0, 1, 3,
     INPUT_UNIFORM},
    {"avg 3x3 s1 p2 dilation 2, rows of 40, include pad", AVG, 1, 3, 8, 40, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 0, 1, 0,
     INPUT_UNIFORM},
    {"avg 3x3 s2 p1 count_include_pad", AVG, 2, 5, 15, 15, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 0, 1, 0, INPUT_UNIFORM},
    {"avg 3x3 s2 p1 exclude pad", AVG, 2, 5, 15, 15, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 0, 0, 0, INPUT_UNIFORM},
    {"avg ceil, window past the padded input, include pad", AVG, 1, 2, 6, 6, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 0, INPUT_UNIFORM},
    {"avg ceil, window past the padded input, exclude pad", AVG, 1, 2, 6, 6, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 0, 0, INPUT_UNIFORM},
    {"max ceil, last window dropped", MAX, 1, 3, 5, 5, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 0, INPUT_UNIFORM},
    {"avg ceil, last window dropped, include pad", AVG, 1, 3, 5, 5, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 0, INPUT_UNIFORM},
    {"avg ceil, last window dropped, exclude pad", AVG, 1, 3, 5, 5, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 0, 0, INPUT_UNIFORM},
    {"avg divisor_override 3", AVG, 2, 2, 7, 7, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 0, 1, 3, INPUT_UNIFORM},
    {"avg divisor_override 5, ceil, exclude pad", AVG, 1, 2, 6, 7, 2, 3, 2, 2, 1, 0, 1, 1, 1, 1, 1, 0, 5, INPUT_UNIFORM},
    {"max dilation 2", MAX, 1, 3, 9, 9, 3, 3, 1, 1, 0, 0, 0, 0, 2, 2, 0, 1, 0, INPUT_UNIFORM},
    {"max dilation 2x3, stride 2, pad 1", MAX, 2, 2, 10, 11, 3, 2, 2, 2, 1, 1, 1, 1, 2, 3, 0, 1, 0, INPUT_UNIFORM},
    {"avg dilation 2, pad 1, exclude pad", AVG, 1, 3, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1, 2, 2, 0, 0, 0, INPUT_UNIFORM},
    {"max asymmetric padding", MAX, 2, 3, 5, 6, 2, 2, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 0, INPUT_NEGATIVE},
    {"avg asymmetric padding, include pad", AVG, 2, 3, 5, 6, 2, 2, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 0, INPUT_UNIFORM},
    {"avg asymmetric padding, exclude pad", AVG, 2, 3, 5, 6, 2, 2, 1, 1, 0, 1, 1, 0, 1, 1, 0, 0, 0, INPUT_UNIFORM},
    {"max stride > kernel", MAX, 2, 3, 8, 9, 2, 2, 3, 3, 0, 0, 0, 0, 1, 1, 0, 1, 0, INPUT_UNIFORM},
    {"avg stride > kernel, ceil", AVG, 2, 3, 8, 9, 2, 2, 3, 3, 0, 0, 0, 0, 1, 1, 1, 1, 0, INPUT_UNIFORM},
    {"max kernel = whole input", MAX, 2, 3, 7, 5, 7, 5, 1, 1, 0, 0, 0, 0, 1, 1, 0, 1, 0, INPUT_UNIFORM},
    {"avg kernel = whole input", AVG, 2, 3, 7, 5, 7, 5, 1, 1, 0, 0, 0, 0, 1, 1, 0, 1, 0, INPUT_UNIFORM},
    {"max 1x1 input, kernel 1", MAX, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 0, 1, 0, INPUT_UNIFORM},
    {"max 1x1 input, kernel 2, pad 1", MAX, 1, 2, 1, 1, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0, INPUT_NEGATIVE},
    {"avg 1x1 input, kernel 2, pad 1, exclude pad", AVG, 1, 2, 1, 1, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, INPUT_UNIFORM},
    {"max non-square kernel and stride", MAX, 2, 3, 7, 9, 2, 3, 1, 2, 0, 0, 1, 1, 1, 1, 0, 1, 0, INPUT_UNIFORM},
    {"avg non-square kernel and stride", AVG, 2, 3, 7, 9, 2, 3, 1, 2, 0, 0, 1, 1, 1, 1, 0, 1, 0, INPUT_UNIFORM},
    {"max batch larger than the thread count", MAX, 17, 5, 6, 6, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 0, 1, 0, INPUT_UNIFORM},
    {"avg batch larger than the thread count", AVG, 17, 5, 6, 6, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 0, 0, 0, INPUT_UNIFORM},
    {"max ties, overlapping windows", MAX, 2, 3, 7, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0, INPUT_TIES},
    {"max negative inputs, padding", MAX, 2, 3, 7, 7, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 0, INPUT_NEGATIVE},
    {"max NaN inputs", MAX, 2, 3, 7, 7, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 0, 1, 0, INPUT_NAN},
    {"ResNet max 3x3 s2 p1 (2x64x28x28)", MAX, 2, 64, 28, 28, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 0, 1, 0, INPUT_UNIFORM},
    {"transition avg 2x2 (2x64x14x14)", AVG, 2, 64, 14, 14, 2, 2, 2, 2, 0, 0, 0, 0, 1, 1, 0, 1, 0, INPUT_UNIFORM},
};

/** Fills x (same values on both halves) according to `kind`. */
static void fill_input(ckt_pair *x, input_kind kind, uint64_t seed) {
    size_t n = x->test->count;
    double *v = malloc(n * sizeof *v);
    if (!v) return;
    ckt_fill_uniform(x->ref, seed, kind == INPUT_NEGATIVE ? -2.0 : (kind == INPUT_TIES ? 0.0 : -1.0),
                     kind == INPUT_NEGATIVE ? -1.0 : (kind == INPUT_TIES ? 3.0 : 1.0));
    ckt_read(x->ref, v);
    for (size_t i = 0; i < n; i++) {
        if (kind == INPUT_TIES) v[i] = floor(v[i]);
        if (kind == INPUT_NAN && i % 7 == 3) v[i] = NAN;
        if (kind == INPUT_NEG_INF) {
            const int64_t *dims = x->test->t.dims, h = (int64_t)i / dims[3] % dims[2], w = (int64_t)i % dims[3];
            if ((h / 4 + w / 4) % 2 == 0) v[i] = -INFINITY;
        }
    }
    ckt_pair_write(x, v);
    free(v);
}

/** Runs forward on both backends and checks y. */
static void check_forward(ckt_run *run, const ck_pool2d_params *p, const ckt_pair *x, const int64_t *y_dims,
                          double k) {
    ckt_pair y = {0};
    ckt_tensor *abs_x = ckt_abs_clone_to(run, x->ref, run->ref, CK_F32);
    ckt_tensor *bound = ckt_new(run, run->ref, CK_F32, 4, y_dims);
    if (abs_x && bound && ckt_pair_new(run, &y, CK_F32, 4, y_dims)) {
        ck_status st = ck_pool2d_forward(run->ctx, p, &x->test->t, &y.test->t);
        ck_status sr = ck_pool2d_forward(run->ref, p, &x->ref->t, &y.ref->t);
        if (ckt_pair_expect_ok(run, st, sr, "forward")) {
            if (p->mode == CK_POOL_MAX) {
                ckt_pair_expect_close(run, "max forward y (exact)", &y, 0.0, 0.0);
            } else if (ckt_expect_ok(run, ck_pool2d_forward(run->ref, p, &abs_x->t, &bound->t), run->ref, "bound")) {
                ckt_pair_expect_within_bound(run, "avg forward y", &y, bound, k + 3.0);
            }
        }
    }
    ckt_pair_free(&y);
    ckt_free(abs_x);
    ckt_free(bound);
}

/** Runs backward with `beta` on both backends (previous dx poisoned or pre-filled) and checks dx. */
static void check_backward(ckt_run *run, const ck_pool2d_params *p, const ckt_pair *x, const int64_t *y_dims,
                           float beta, double k, uint64_t seed) {
    ckt_pair dy = {0}, dx = {0};
    ckt_tensor *abs_dy = NULL, *bound = NULL;
    char what[64];
    snprintf(what, sizeof what, "backward dx (beta %g)", (double)beta);
    if (ckt_pair_uniform(run, &dy, 4, y_dims, seed, -1.0, 1.0) &&
        ckt_pair_new(run, &dx, CK_F32, 4, x->test->t.dims)) {
        if (beta != 0.0f) {
            ckt_fill_uniform(dx.test, seed + 1, -1.0, 1.0);
            ckt_fill_uniform(dx.ref, seed + 1, -1.0, 1.0);
        }
        abs_dy = ckt_abs_clone_to(run, dy.ref, run->ref, CK_F32);
        bound = ckt_abs_clone_to(run, dx.ref, run->ref, CK_F32);
        ck_status st = ck_pool2d_backward(run->ctx, p, &x->test->t, &dy.test->t, beta, &dx.test->t);
        ck_status sr = ck_pool2d_backward(run->ref, p, &x->ref->t, &dy.ref->t, beta, &dx.ref->t);
        if (abs_dy && bound && ckt_pair_expect_ok(run, st, sr, what) &&
            ckt_expect_ok(run, ck_pool2d_backward(run->ref, p, &x->ref->t, &abs_dy->t, beta, &bound->t), run->ref,
                          "backward bound"))
            ckt_pair_expect_within_bound(run, what, &dx, bound, k + (p->mode == CK_POOL_MAX ? 2.0 : 3.0));
    }
    ckt_pair_free(&dy);
    ckt_pair_free(&dx);
    ckt_free(abs_dy);
    ckt_free(bound);
}

static ck_pool2d_params params_of(const pool_shape *s) {
    ck_pool2d_params p = ck_pool2d_params_default(s->mode, s->kh, s->kw);
    p.stride_h = s->sh;
    p.stride_w = s->sw;
    p.pad_top = s->pt;
    p.pad_bottom = s->pb;
    p.pad_left = s->pl;
    p.pad_right = s->pr;
    p.dilation_h = s->dh;
    p.dilation_w = s->dw;
    p.ceil_mode = s->ceil_mode;
    p.count_include_pad = s->count_include_pad;
    p.divisor_override = s->divisor_override;
    return p;
}

static void run_shape(ckt_run *run, const pool_shape *s, uint64_t seed) {
    ckt_case(run, "pool2d %s: %s x %lldx%lldx%lldx%lld k %dx%d s %dx%d p %d,%d,%d,%d d %dx%d ceil %d cip %d div %d",
             s->label, s->mode == MAX ? "max" : "avg", (long long)s->n, (long long)s->c, (long long)s->h,
             (long long)s->w, s->kh, s->kw, s->sh, s->sw, s->pt, s->pb, s->pl, s->pr, s->dh, s->dw, s->ceil_mode,
             s->count_include_pad, s->divisor_override);
    const ck_pool2d_params p = params_of(s);
    const int64_t x_dims[4] = {s->n, s->c, s->h, s->w};
    int64_t y_dims[4];
    if (!ckt_expect_ok(run, ck_pool2d_output_dims(run->ref, &p, x_dims, y_dims), run->ref, "output dims")) return;
    ckt_pair x = {0};
    if (ckt_pair_new(run, &x, CK_F32, 4, x_dims)) {
        fill_input(&x, s->input, seed);
        double taps = (double)s->kh * s->kw; /* at most this many windows share an input element */
        check_forward(run, &p, &x, y_dims, taps);
        check_backward(run, &p, &x, y_dims, 0.0f, taps, seed + 10);
        check_backward(run, &p, &x, y_dims, 1.0f, taps, seed + 20);
    }
    ckt_pair_free(&x);
}

/*
 * Windows far apart and far wider than the input (found by fuzzing): stride
 * and dilation 2^30 along W, padding 2^30 on both sides, so each of the two
 * output columns has one tap on a 6-wide row. Valid, and the reference pools
 * it. A backend must pool it like the reference or decline it with
 * CK_ERR_UNSUPPORTED; the cpu backend used to ask for a scratch row as wide
 * as the windows' span (8 GiB) and fail with CK_ERR_OUT_OF_MEMORY.
 */
static const pool_shape far_apart_windows[] = {
    {"max, windows 2^30 apart", MAX, 1, 2, 3, 6, 2, 2, 1, 1 << 30, 0, 0, 1 << 30, 1 << 30, 1, 1 << 30, 0, 1, 0,
     INPUT_UNIFORM},
    {"avg, windows 2^30 apart", AVG, 1, 2, 3, 6, 2, 2, 1, 1 << 30, 0, 0, 1 << 30, 1 << 30, 1, 1 << 30, 0, 0, 0,
     INPUT_UNIFORM},
};

static void run_far_apart(ckt_run *run, const pool_shape *s, uint64_t seed) {
    const ck_pool2d_params p = params_of(s);
    const int64_t x_dims[4] = {s->n, s->c, s->h, s->w};
    int64_t y_dims[4];
    if (!ckt_expect_ok(run, ck_pool2d_output_dims(run->ref, &p, x_dims, y_dims), run->ref, "output dims")) return;
    ckt_pair x = {0}, y = {0};
    if (ckt_pair_uniform(run, &x, 4, x_dims, seed, -1.0, 1.0) && ckt_pair_new(run, &y, CK_F32, 4, y_dims)) {
        ck_status status = ck_pool2d_forward(run->ctx, &p, &x.test->t, &y.test->t);
        ckt_case(run, "pool2d %s: the backend answers %s", s->label, ck_status_string(status));
        if (status != CK_ERR_UNSUPPORTED) run_shape(run, s, seed);
        else ckt_expect(run, ck_last_error(run->ctx)[0] != 0, "declined without a message");
    }
    ckt_pair_free(&x);
    ckt_pair_free(&y);
}

/* Global pooling: x (N, C, H, W) -> (N, C, 1, 1). */
static void run_global(ckt_run *run, ck_pool_mode mode, const int64_t x_dims[4], uint64_t seed) {
    ckt_case(run, "global %s pool: x %lldx%lldx%lldx%lld", mode == MAX ? "max" : "avg", (long long)x_dims[0],
             (long long)x_dims[1], (long long)x_dims[2], (long long)x_dims[3]);
    const int64_t y_dims[4] = {x_dims[0], x_dims[1], 1, 1};
    const double hw = (double)x_dims[2] * (double)x_dims[3];
    ckt_pair x = {0}, y = {0};
    ckt_tensor *abs_x = NULL, *bound = ckt_new(run, run->ref, CK_F32, 4, y_dims);
    if (bound && ckt_pair_uniform(run, &x, 4, x_dims, seed, -1.0, 1.0) && ckt_pair_new(run, &y, CK_F32, 4, y_dims) &&
        (abs_x = ckt_abs_clone_to(run, x.ref, run->ref, CK_F32)) != NULL) {
        ck_status st = ck_global_pool2d_forward(run->ctx, mode, &x.test->t, &y.test->t);
        ck_status sr = ck_global_pool2d_forward(run->ref, mode, &x.ref->t, &y.ref->t);
        if (ckt_pair_expect_ok(run, st, sr, "forward")) {
            if (mode == MAX)
                ckt_pair_expect_close(run, "global max forward (exact)", &y, 0.0, 0.0);
            else if (ckt_expect_ok(run, ck_global_pool2d_forward(run->ref, mode, &abs_x->t, &bound->t), run->ref, "bound"))
                ckt_pair_expect_within_bound(run, "global avg forward", &y, bound, hw + 3.0);
        }
        for (int b = 0; b < 2; b++) {
            float beta = (float)b;
            ckt_pair dy = {0}, dx = {0};
            ckt_tensor *abs_dy = NULL, *dx_bound = NULL;
            char what[64];
            snprintf(what, sizeof what, "global backward dx (beta %g)", (double)beta);
            if (ckt_pair_uniform(run, &dy, 4, y_dims, seed + 10 + (uint64_t)b, -1.0, 1.0) &&
                ckt_pair_new(run, &dx, CK_F32, 4, x_dims)) {
                if (b) {
                    ckt_fill_uniform(dx.test, seed + 20, -1.0, 1.0);
                    ckt_fill_uniform(dx.ref, seed + 20, -1.0, 1.0);
                }
                abs_dy = ckt_abs_clone_to(run, dy.ref, run->ref, CK_F32);
                dx_bound = ckt_abs_clone_to(run, dx.ref, run->ref, CK_F32);
                st = ck_global_pool2d_backward(run->ctx, mode, &x.test->t, &dy.test->t, beta, &dx.test->t);
                sr = ck_global_pool2d_backward(run->ref, mode, &x.ref->t, &dy.ref->t, beta, &dx.ref->t);
                /* dx = dy (max, routed) or dy / (H*W) (avg), + beta * dx: at most three roundings. */
                if (abs_dy && dx_bound && ckt_pair_expect_ok(run, st, sr, what) &&
                    ckt_expect_ok(run, ck_global_pool2d_backward(run->ref, mode, &x.ref->t, &abs_dy->t, beta, &dx_bound->t),
                                  run->ref, "backward bound"))
                    ckt_pair_expect_within_bound(run, what, &dx, dx_bound, mode == MAX ? 2.0 : 4.0);
            }
            ckt_pair_free(&dy);
            ckt_pair_free(&dx);
            ckt_free(abs_dy);
            ckt_free(dx_bound);
        }
    }
    ckt_pair_free(&x);
    ckt_pair_free(&y);
    ckt_free(abs_x);
    ckt_free(bound);
}

void ckt_suite_pool2d(ckt_run *run) {
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) run_shape(run, &shapes[i], 9000 + 100 * i);
    for (size_t i = 0; i < sizeof far_apart_windows / sizeof far_apart_windows[0]; i++)
        run_far_apart(run, &far_apart_windows[i], 15000 + 100 * i);
    static const int64_t global_shapes[][4] = {{1, 1, 1, 1}, {2, 3, 7, 7}, {1, 3, 1, 9}, {17, 5, 3, 4}, {2, 64, 7, 7}};
    for (size_t i = 0; i < sizeof global_shapes / sizeof global_shapes[0]; i++) {
        run_global(run, MAX, global_shapes[i], 20000 + 100 * i);
        run_global(run, AVG, global_shapes[i], 30000 + 100 * i);
    }
}
