/*
 * suite_batchnorm.c — batch norm forward (training and inference, running
 * statistics) and backward (dx, dgamma, dbeta with beta 0 and 1) on the
 * backend under test against the reference.
 *
 * Tolerances are first-order error bounds of float32 sums (u = 2^-24), per
 * channel with m = N*H*W values, written out in batchnorm_bounds.c: the mean
 * is a sum of m terms, the variance a sum of m squares (either two-pass or
 * E[x^2] - mean^2, so the bound uses E[x^2] + mean^2), invstd adds a sqrt and
 * a division, y an affine map; the backward sums dy and dy * xhat over m
 * terms. Inputs shifted to [2, 4) exercise the cancellation in the variance.
 * The forward in place (y = x) is checked against the same bounds.
 */
#include "batchnorm_bounds.h"
#include "crosscheck.h"
#include "suites.h"

#include <stdio.h>
#include <stdlib.h>

typedef struct bn_case {
    const char *label;
    int64_t dims[4];
    double x_lo, x_hi;
    float epsilon, momentum;
    double image_step; /* image b's x is shifted by b * image_step: planes with different means */
} bn_case;

/* Planes of 55, 23 and 9 elements leave a remainder after whole vectors of 4, 8 or 16. */
static const bn_case cases[] = {
    {"small", {2, 3, 4, 4}, -1.0, 1.0, 1e-5f, 0.1f, 0.0},
    {"two values per channel", {1, 5, 1, 2}, -1.0, 1.0, 1e-5f, 0.1f, 0.0},
    {"batch larger than the thread count", {17, 7, 3, 3}, -1.0, 1.0, 1e-5f, 0.1f, 0.0},
    {"channels not multiples of 8, width 1", {3, 13, 5, 1}, -1.0, 1.0, 1e-3f, 0.5f, 0.0},
    {"shifted inputs (mean 3)", {2, 16, 7, 7}, 2.0, 4.0, 1e-5f, 0.1f, 0.0},
    {"momentum 1", {2, 3, 3, 3}, -1.0, 1.0, 1e-5f, 1.0f, 0.0},
    {"ResNet-like 4x64x8x8", {4, 64, 8, 8}, -1.0, 1.0, 1e-5f, 0.1f, 0.0},
    {"planes of 55 (whole vectors and a remainder)", {3, 5, 5, 11}, -1.0, 1.0, 1e-5f, 0.1f, 0.0},
    {"shifted inputs, planes of 23 over 9 images", {9, 4, 1, 23}, 2.0, 4.0, 1e-5f, 0.1f, 0.0},
    {"image means 0, 1, ..., 6 (planes of 23)", {7, 3, 23, 1}, -1.0, 1.0, 1e-5f, 0.1f, 1.0},
};

/** The per-channel inputs of one case on both backends. */
typedef struct bn_inputs {
    ckt_pair x, gamma, beta, running_mean, running_var;
} bn_inputs;

/** Adds b * step to image b of x's reference values and writes them to both halves. */
static int shift_images(ckt_run *run, ckt_pair *x, double step) {
    double *v = ckt_read_new(run, x->ref);
    if (!v) return 0;
    const int64_t *d = x->ref->t.dims, image = d[1] * d[2] * d[3];
    for (size_t i = 0; i < x->ref->count; i++) v[i] += step * (double)((int64_t)i / image);
    ckt_pair_write(x, v);
    free(v);
    return 1;
}

static int make_inputs(ckt_run *run, const bn_case *c, uint64_t seed, bn_inputs *in) {
    const int64_t *ch = &c->dims[1];
    return ckt_pair_uniform(run, &in->x, 4, c->dims, seed, c->x_lo, c->x_hi) &&
           (c->image_step == 0.0 || shift_images(run, &in->x, c->image_step)) &&
           ckt_pair_uniform(run, &in->gamma, 1, ch, seed + 1, -1.5, 1.5) &&
           ckt_pair_uniform(run, &in->beta, 1, ch, seed + 2, -1.0, 1.0) &&
           ckt_pair_uniform(run, &in->running_mean, 1, ch, seed + 3, c->x_lo, c->x_hi) &&
           ckt_pair_uniform(run, &in->running_var, 1, ch, seed + 4, 0.5, 1.5);
}

static void free_inputs(bn_inputs *in) {
    ckt_pair_free(&in->x);
    ckt_pair_free(&in->gamma);
    ckt_pair_free(&in->beta);
    ckt_pair_free(&in->running_mean);
    ckt_pair_free(&in->running_var);
}

/** Inference must leave the running statistics of the backend under test as they were. */
static void expect_unchanged(ckt_run *run, const ckt_pair *rm, const double *rm0, const ckt_pair *rv, const double *rv0) {
    double *got_m = ckt_read_new(run, rm->test), *got_v = ckt_read_new(run, rv->test);
    if (got_m && got_v) {
        ckt_expect_close(run, "inference leaves running_mean unchanged", got_m, rm0, rm->test->count, 0.0, 0.0);
        ckt_expect_close(run, "inference leaves running_var unchanged", got_v, rv0, rv->test->count, 0.0, 0.0);
    }
    free(got_m);
    free(got_v);
}

/** Forward in training (with or without running statistics) or inference mode; in place: y is x. */
static void check_forward(ckt_run *run, const bn_case *c, int training, int with_running, int in_place, uint64_t seed) {
    ckt_case(run, "batchnorm forward %s: x %lldx%lldx%lldx%lld %s%s%s", c->label, (long long)c->dims[0],
             (long long)c->dims[1], (long long)c->dims[2], (long long)c->dims[3], training ? "training" : "inference",
             training && !with_running ? " without running statistics" : "", in_place ? " in place (y = x)" : "");
    const ck_batchnorm_params p = {c->epsilon, c->momentum, training};
    bn_inputs in = {0};
    ckt_pair y = {0}, saved_mean = {0}, saved_invstd = {0};
    double *rm0 = NULL, *rv0 = NULL;
    ckt_bn_bounds b = {0};
    if (make_inputs(run, c, seed, &in) && ckt_pair_new(run, &y, CK_F32, 4, c->dims) &&
        ckt_pair_new(run, &saved_mean, CK_F32, 1, &c->dims[1]) && ckt_pair_new(run, &saved_invstd, CK_F32, 1, &c->dims[1]) &&
        (rm0 = ckt_read_new(run, in.running_mean.ref)) != NULL && (rv0 = ckt_read_new(run, in.running_var.ref)) != NULL &&
        ckt_bn_forward_bounds(run, &b, &in.x, &in.gamma, &in.beta, rm0, rv0, &p)) {
        const ckt_pair *rm = with_running ? &in.running_mean : NULL, *rv = with_running ? &in.running_var : NULL;
        ckt_pair *out = in_place ? &in.x : &y;
        ck_status st = ck_batchnorm2d_forward(run->ctx, &p, &in.x.test->t, &in.gamma.test->t, &in.beta.test->t,
                                              ckt_test_view(rm), ckt_test_view(rv), &saved_mean.test->t,
                                              &saved_invstd.test->t, &out->test->t);
        ck_status sr = ck_batchnorm2d_forward(run->ref, &p, &in.x.ref->t, &in.gamma.ref->t, &in.beta.ref->t,
                                              ckt_ref_view(rm), ckt_ref_view(rv), &saved_mean.ref->t,
                                              &saved_invstd.ref->t, &out->ref->t);
        if (ckt_pair_expect_ok(run, st, sr, "forward")) {
            ckt_pair_expect_within_tol(run, "y", out, b.y);
            ckt_pair_expect_within_tol(run, "saved_mean", &saved_mean, b.saved_mean);
            ckt_pair_expect_within_tol(run, "saved_invstd", &saved_invstd, b.saved_invstd);
            if (with_running) {
                ckt_pair_expect_within_tol(run, "running_mean", &in.running_mean, b.running_mean);
                ckt_pair_expect_within_tol(run, "running_var", &in.running_var, b.running_var);
            }
            if (!training) expect_unchanged(run, &in.running_mean, rm0, &in.running_var, rv0);
        }
    }
    ckt_bn_bounds_free(&b);
    free(rm0);
    free(rv0);
    free_inputs(&in);
    ckt_pair_free(&y);
    ckt_pair_free(&saved_mean);
    ckt_pair_free(&saved_invstd);
}

/** Previous gradient contents: poisoned for beta 0, else the same seeded values on both. */
static int make_gradient(ckt_run *run, ckt_pair *g, int32_t ndim, const int64_t *dims, float beta, uint64_t seed) {
    if (!ckt_pair_new(run, g, CK_F32, ndim, dims)) return 0;
    if (beta != 0.0f) {
        ckt_fill_uniform(g->test, seed, -1.0, 1.0);
        ckt_fill_uniform(g->ref, seed, -1.0, 1.0);
    }
    return 1;
}

/** Backward with the saved statistics of x (training) or of the running statistics (inference). */
static void check_backward(ckt_run *run, const bn_case *c, int training, float beta_acc, int with_params, uint64_t seed) {
    ckt_case(run, "batchnorm backward %s: x %lldx%lldx%lldx%lld %s beta %g%s", c->label, (long long)c->dims[0],
             (long long)c->dims[1], (long long)c->dims[2], (long long)c->dims[3], training ? "training" : "inference",
             (double)beta_acc, with_params ? "" : " (dx only)");
    const ck_batchnorm_params p = {c->epsilon, c->momentum, training};
    const int64_t *ch = &c->dims[1];
    bn_inputs in = {0};
    ckt_pair dy = {0}, saved_mean = {0}, saved_invstd = {0}, dx = {0}, dgamma = {0}, dbeta = {0};
    double *rm = NULL, *rv = NULL;
    ckt_bn_bounds b = {0};
    int ok = make_inputs(run, c, seed, &in) && ckt_pair_uniform(run, &dy, 4, c->dims, seed + 5, -1.0, 1.0) &&
             ckt_pair_new(run, &saved_mean, CK_F32, 1, ch) && ckt_pair_new(run, &saved_invstd, CK_F32, 1, ch) &&
             make_gradient(run, &dx, 4, c->dims, beta_acc, seed + 6) &&
             (!with_params || (make_gradient(run, &dgamma, 1, ch, beta_acc, seed + 7) &&
                               make_gradient(run, &dbeta, 1, ch, beta_acc, seed + 8))) &&
             (rm = ckt_read_new(run, in.running_mean.ref)) != NULL && (rv = ckt_read_new(run, in.running_var.ref)) != NULL;
    /* The saved statistics (float32, as a forward pass would leave them), the same on both backends. */
    ok = ok && ckt_bn_saved_statistics(run, &in.x, rm, rv, &p, &saved_mean, &saved_invstd) &&
         ckt_bn_backward_bounds(run, &b, &in.x, &dy, &in.gamma, &saved_mean, &saved_invstd, &dx,
                                with_params ? &dgamma : NULL, with_params ? &dbeta : NULL, &p, beta_acc);
    if (ok) {
        ck_status st = ck_batchnorm2d_backward(run->ctx, &p, &in.x.test->t, &dy.test->t, &in.gamma.test->t,
                                               &saved_mean.test->t, &saved_invstd.test->t, beta_acc, &dx.test->t,
                                               ckt_test_view(with_params ? &dgamma : NULL),
                                               ckt_test_view(with_params ? &dbeta : NULL));
        ck_status sr = ck_batchnorm2d_backward(run->ref, &p, &in.x.ref->t, &dy.ref->t, &in.gamma.ref->t,
                                               &saved_mean.ref->t, &saved_invstd.ref->t, beta_acc, &dx.ref->t,
                                               ckt_ref_view(with_params ? &dgamma : NULL),
                                               ckt_ref_view(with_params ? &dbeta : NULL));
        if (ckt_pair_expect_ok(run, st, sr, "backward")) {
            ckt_pair_expect_within_tol(run, "dx", &dx, b.dx);
            if (with_params) {
                ckt_pair_expect_within_tol(run, "dgamma", &dgamma, b.dgamma);
                ckt_pair_expect_within_tol(run, "dbeta", &dbeta, b.dbeta);
            }
        }
    }
    ckt_bn_bounds_free(&b);
    free(rm);
    free(rv);
    free_inputs(&in);
    ckt_pair_free(&dy);
    ckt_pair_free(&saved_mean);
    ckt_pair_free(&saved_invstd);
    ckt_pair_free(&dx);
    ckt_pair_free(&dgamma);
    ckt_pair_free(&dbeta);
}

void ckt_suite_batchnorm(ckt_run *run) {
    uint64_t seed = 90000;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++, seed += 100) {
        const bn_case *c = &cases[i];
        check_forward(run, c, 1, 1, 0, seed);
        check_forward(run, c, 1, 0, 0, seed + 10);
        check_forward(run, c, 0, 1, 0, seed + 20);
        check_forward(run, c, 1, 1, 1, seed + 60);
        for (int training = 1; training >= 0; training--) {
            check_backward(run, c, training, 0.0f, 1, seed + 30 + (uint64_t)training);
            check_backward(run, c, training, 1.0f, 1, seed + 40 + (uint64_t)training);
        }
        check_backward(run, c, 1, 0.0f, 0, seed + 50);
    }
}
