/* conv_check.c — the three passes of a conv-like op on both backends (see conv_check.h). */
#include "conv_check.h"
#include "crosscheck.h"

#include <stdio.h>
#include <stdlib.h>

static ck_status conv_forward(ck_context *ctx, const void *params, const ck_tensor *x, const ck_tensor *w,
                              const ck_tensor *bias, const ck_tensor *y) {
    return ck_conv2d_forward(ctx, params, x, w, bias, y);
}
static ck_status conv_backward_data(ck_context *ctx, const void *params, const ck_tensor *w, const ck_tensor *dy,
                                    float beta, const ck_tensor *dx) {
    return ck_conv2d_backward_data(ctx, params, w, dy, beta, dx);
}
static ck_status conv_backward_weights(ck_context *ctx, const void *params, const ck_tensor *x, const ck_tensor *dy,
                                       float beta, const ck_tensor *dw, const ck_tensor *dbias) {
    return ck_conv2d_backward_weights(ctx, params, x, dy, beta, dw, dbias);
}
const ckt_conv_ops ckt_conv2d_ops = {conv_forward, conv_backward_data, conv_backward_weights};

static ck_status transpose_forward(ck_context *ctx, const void *params, const ck_tensor *x, const ck_tensor *w,
                                   const ck_tensor *bias, const ck_tensor *y) {
    return ck_conv_transpose2d_forward(ctx, params, x, w, bias, y);
}
static ck_status transpose_backward_data(ck_context *ctx, const void *params, const ck_tensor *w, const ck_tensor *dy,
                                         float beta, const ck_tensor *dx) {
    return ck_conv_transpose2d_backward_data(ctx, params, w, dy, beta, dx);
}
static ck_status transpose_backward_weights(ck_context *ctx, const void *params, const ck_tensor *x,
                                            const ck_tensor *dy, float beta, const ck_tensor *dw,
                                            const ck_tensor *dbias) {
    return ck_conv_transpose2d_backward_weights(ctx, params, x, dy, beta, dw, dbias);
}
const ckt_conv_ops ckt_conv_transpose2d_ops = {transpose_forward, transpose_backward_data, transpose_backward_weights};

/* Rounding of the beta accumulation (or bias) plus the reference's rounding to float32. */
#define EXTRA_ROUNDINGS 2.0

/** The inputs of one case on both backends, and their absolute values on the reference. */
typedef struct conv_inputs {
    ckt_pair x, w, bias, dy;
    ckt_tensor *abs_x, *abs_w, *abs_bias, *abs_dy;
    ckt_tensor *bound_w; /* the weights of the forward and backward-data bounds: abs_w, or Winograd's (conv_check.h) */
} conv_inputs;

static void free_inputs(conv_inputs *in) {
    ckt_pair_free(&in->x);
    ckt_pair_free(&in->w);
    ckt_pair_free(&in->bias);
    ckt_pair_free(&in->dy);
    ckt_free(in->abs_x);
    ckt_free(in->abs_w);
    ckt_free(in->abs_bias);
    ckt_free(in->abs_dy);
    if (in->bound_w != in->abs_w) ckt_free(in->bound_w);
}

ckt_tensor *ckt_winograd_bound_weights(ckt_run *run, const ckt_tensor *abs_w) {
    double *values = ckt_read_new(run, abs_w);
    ckt_tensor *bound = values ? ckt_new(run, run->ref, CK_F32, 4, abs_w->t.dims) : NULL;
    if (bound) {
        for (size_t pair = 0; pair < abs_w->count / 9; pair++) {
            double sum = 0.0;
            for (int tap = 0; tap < 9; tap++) sum += values[pair * 9 + tap];
            for (int tap = 0; tap < 9; tap++) values[pair * 9 + tap] = 4.0 * sum;
        }
        ckt_write(bound, values);
    }
    free(values);
    return bound;
}

static int make_inputs(ckt_run *run, const ckt_conv_case *c, uint64_t seed, conv_inputs *in) {
    const int64_t bias_dims[1] = {c->y[1]};
    int ok = ckt_pair_uniform(run, &in->x, 4, c->x, seed, -1.0, 1.0) &&
             ckt_pair_uniform(run, &in->w, 4, c->w, seed + 1, -1.0, 1.0) &&
             ckt_pair_uniform(run, &in->dy, 4, c->y, seed + 2, -1.0, 1.0) &&
             (!c->has_bias || ckt_pair_uniform(run, &in->bias, 1, bias_dims, seed + 3, -1.0, 1.0));
    if (!ok) return 0;
    in->abs_x = ckt_abs_clone_to(run, in->x.ref, run->ref, CK_F32);
    in->abs_w = ckt_abs_clone_to(run, in->w.ref, run->ref, CK_F32);
    in->abs_dy = ckt_abs_clone_to(run, in->dy.ref, run->ref, CK_F32);
    in->abs_bias = c->has_bias ? ckt_abs_clone_to(run, in->bias.ref, run->ref, CK_F32) : NULL;
    if (!in->abs_x || !in->abs_w || !in->abs_dy || (c->has_bias && !in->abs_bias)) return 0;
    in->bound_w = c->winograd ? ckt_winograd_bound_weights(run, in->abs_w) : in->abs_w;
    return in->bound_w != NULL;
}

static const ck_tensor *view(const ckt_tensor *t) { return t ? &t->t : NULL; }

static void check_forward(ckt_run *run, const ckt_conv_case *c, const conv_inputs *in) {
    ckt_pair y = {0};
    ckt_tensor *bound = ckt_new(run, run->ref, CK_F32, 4, c->y);
    if (bound && ckt_pair_new(run, &y, CK_F32, 4, c->y)) {
        ck_status st = c->ops->forward(run->ctx, c->params, &in->x.test->t, &in->w.test->t, ckt_test_view(&in->bias),
                                       &y.test->t);
        ck_status sr = c->ops->forward(run->ref, c->params, &in->x.ref->t, &in->w.ref->t, ckt_ref_view(&in->bias),
                                       &y.ref->t);
        ck_status sb = c->ops->forward(run->ref, c->params, &in->abs_x->t, &in->bound_w->t, view(in->abs_bias), &bound->t);
        if (ckt_pair_expect_ok(run, st, sr, "forward") && ckt_expect_ok(run, sb, run->ref, "forward bound"))
            ckt_pair_expect_within_bound(run, "forward y", &y, bound, c->k_forward + EXTRA_ROUNDINGS);
    }
    ckt_pair_free(&y);
    ckt_free(bound);
}

/**
 * An output gradient pair of `dims`: poisoned for beta == 0, else pre-filled
 * with the same values on both; *bound gets |previous values| on the reference.
 */
static int make_gradient(ckt_run *run, ckt_pair *g, ckt_tensor **bound, int32_t ndim, const int64_t *dims,
                         float beta, uint64_t seed) {
    if (!ckt_pair_new(run, g, CK_F32, ndim, dims)) return 0;
    if (beta != 0.0f) {
        ckt_fill_uniform(g->test, seed, -1.0, 1.0);
        ckt_fill_uniform(g->ref, seed, -1.0, 1.0);
    }
    *bound = ckt_abs_clone_to(run, g->ref, run->ref, CK_F32);
    return *bound != NULL;
}

static void check_backward_data(ckt_run *run, const ckt_conv_case *c, const conv_inputs *in, float beta,
                                uint64_t seed) {
    ckt_pair dx = {0};
    ckt_tensor *bound = NULL;
    char what[64];
    snprintf(what, sizeof what, "backward-data dx (beta %g)", (double)beta);
    if (make_gradient(run, &dx, &bound, 4, c->x, beta, seed)) {
        ck_status st = c->ops->backward_data(run->ctx, c->params, &in->w.test->t, &in->dy.test->t, beta, &dx.test->t);
        ck_status sr = c->ops->backward_data(run->ref, c->params, &in->w.ref->t, &in->dy.ref->t, beta, &dx.ref->t);
        ck_status sb = c->ops->backward_data(run->ref, c->params, &in->bound_w->t, &in->abs_dy->t, beta, &bound->t);
        if (ckt_pair_expect_ok(run, st, sr, what) && ckt_expect_ok(run, sb, run->ref, "backward-data bound"))
            ckt_pair_expect_within_bound(run, what, &dx, bound, c->k_data + EXTRA_ROUNDINGS);
    }
    ckt_pair_free(&dx);
    ckt_free(bound);
}

static void check_backward_weights(ckt_run *run, const ckt_conv_case *c, const conv_inputs *in, float beta,
                                   uint64_t seed) {
    const int64_t bias_dims[1] = {c->y[1]};
    ckt_pair dw = {0}, db = {0};
    ckt_tensor *w_bound = NULL, *b_bound = NULL;
    char what_w[64], what_b[64];
    snprintf(what_w, sizeof what_w, "backward-weights dw (beta %g)", (double)beta);
    snprintf(what_b, sizeof what_b, "backward-weights dbias (beta %g)", (double)beta);
    int ok = make_gradient(run, &dw, &w_bound, 4, c->w, beta, seed) &&
             (!c->has_bias || make_gradient(run, &db, &b_bound, 1, bias_dims, beta, seed + 1));
    if (ok) {
        ck_status st = c->ops->backward_weights(run->ctx, c->params, &in->x.test->t, &in->dy.test->t, beta,
                                                &dw.test->t, ckt_test_view(&db));
        ck_status sr = c->ops->backward_weights(run->ref, c->params, &in->x.ref->t, &in->dy.ref->t, beta, &dw.ref->t,
                                                ckt_ref_view(&db));
        ck_status sb = c->ops->backward_weights(run->ref, c->params, &in->abs_x->t, &in->abs_dy->t, beta,
                                                &w_bound->t, view(b_bound));
        if (ckt_pair_expect_ok(run, st, sr, what_w) && ckt_expect_ok(run, sb, run->ref, "backward-weights bound")) {
            ckt_pair_expect_within_bound(run, what_w, &dw, w_bound, c->k_weights + EXTRA_ROUNDINGS);
            if (c->has_bias) ckt_pair_expect_within_bound(run, what_b, &db, b_bound, c->k_bias + EXTRA_ROUNDINGS);
        }
    }
    ckt_pair_free(&dw);
    ckt_pair_free(&db);
    ckt_free(w_bound);
    ckt_free(b_bound);
}

void ckt_check_conv_case(ckt_run *run, const ckt_conv_case *c, uint64_t seed) {
    conv_inputs in = {0};
    if (make_inputs(run, c, seed, &in)) {
        check_forward(run, c, &in);
        const float betas[2] = {0.0f, 1.0f};
        for (int i = 0; i < 2; i++) {
            check_backward_data(run, c, &in, betas[i], seed + 10 + (uint64_t)i);
            check_backward_weights(run, c, &in, betas[i], seed + 20 + 2 * (uint64_t)i);
        }
    }
    free_inputs(&in);
}

void ckt_check_conv_backward_weights(ckt_run *run, const ckt_conv_case *c, float beta, uint64_t seed) {
    conv_inputs in = {0};
    if (make_inputs(run, c, seed, &in)) check_backward_weights(run, c, &in, beta, seed + 20);
    free_inputs(&in);
}
