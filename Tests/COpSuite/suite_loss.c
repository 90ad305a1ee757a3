/*
 * suite_loss.c — softmax cross-entropy with label smoothing, forward (probs,
 * loss) and backward (dlogits, beta 0 and 1, the loss gradient as a float
 * or as a device tensor), on the backend under test against the
 * reference; and labels out of [0, K) rejected with CK_ERR_INVALID_ARGUMENT
 * (on OpenCL at the next wait), outputs untouched.
 *
 * Tolerances (u = 2^-24; per row, d_k = |z_k - max z|, D = sum_k p_k d_k):
 *  - probs: p_k = exp(z_k - max) / sum_j exp(z_j - max). The subtraction
 *    errs by u d_k, which exp turns into a relative error u d_k; exp itself,
 *    the K-term sum, the division and the reference's rounding add (K + 8) u:
 *    |got - want| <= p_k u (d_k + D + K + 8).
 *  - loss = -(1/N) sum t log p: each log p errs by the relative error of p
 *    above (plus u |log p|); the N*K-term sum adds (N K + 3) u sum|t log p| / N.
 *  - dlogits = g (p - t) / N + beta * prev: about six roundings (t, p - t, * g,
 *    / N, + prev, the reference): 6 u (|g| (p + t) / N + |beta prev|).
 */
#include "crosscheck.h"
#include "device_support.h"
#include "suites.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define U CKT_F32_UNIT

typedef struct loss_case {
    int64_t n, k;
    float smoothing;
    double lo, hi; /* logit range */
} loss_case;

static const loss_case cases[] = {
    {1, 1, 0.0f, -5.0, 5.0},     {1, 2, 0.0f, -5.0, 5.0},      {4, 10, 0.0f, -5.0, 5.0},
    {4, 10, 0.1f, -5.0, 5.0},    {9, 3, 1.0f, -5.0, 5.0},      {7, 13, 0.1f, -5.0, 5.0},
    {17, 7, 0.0f, -3.0, 3.0},    {32, 1000, 0.1f, -5.0, 5.0},  {5, 10, 0.0f, 80.0, 100.0},
    {3, 4, 0.2f, -100.0, -80.0},
};

/** Target of class k in a row labelled `label`. */
static double target(int64_t k, int64_t label, int64_t classes, double s) {
    return (1.0 - s) * (k == label ? 1.0 : 0.0) + s / (double)classes;
}

/** Tolerances of probs (N*K) and of the loss from the logits, labels and the reference's probs. */
static void forward_tolerances(const loss_case *c, const double *z, const double *labels, const double *p,
                               double *tol_p, double *tol_loss) {
    double loss_err = 0.0, abs_sum = 0.0;
    for (int64_t r = 0; r < c->n; r++) {
        const double *zr = z + r * c->k, *pr = p + r * c->k;
        double max = zr[0], spread = 0.0;
        for (int64_t k = 1; k < c->k; k++) max = fmax(max, zr[k]);
        for (int64_t k = 0; k < c->k; k++) spread += pr[k] * (max - zr[k]);
        for (int64_t k = 0; k < c->k; k++) {
            double rel = U * ((max - zr[k]) + spread + (double)c->k + 8.0);
            double t = target(k, (int64_t)labels[r], c->k, c->smoothing);
            double log_p = log(pr[k]);
            tol_p[r * c->k + k] = pr[k] * rel;
            if (t != 0.0) {
                loss_err += t * (rel + U * fabs(log_p));
                abs_sum += t * fabs(log_p);
            }
        }
    }
    *tol_loss = (loss_err + ((double)(c->n * c->k) + 3.0) * U * abs_sum) / (double)c->n;
}

static int make_labels(ckt_run *run, ckt_pair *labels, int64_t n, int64_t classes, uint64_t seed) {
    if (!ckt_pair_new(run, labels, CK_I32, 1, &n)) return 0;
    ckt_fill_uniform(labels->test, seed, 0.0, (double)classes);
    ckt_fill_uniform(labels->ref, seed, 0.0, (double)classes);
    return 1;
}

static void check_forward(ckt_run *run, const loss_case *c, uint64_t seed) {
    ckt_case(run, "softmax_cross_entropy forward N %lld K %lld smoothing %g logits in [%g, %g)", (long long)c->n,
             (long long)c->k, (double)c->smoothing, c->lo, c->hi);
    const int64_t dims[2] = {c->n, c->k}, one[1] = {1};
    ckt_pair logits = {0}, labels = {0}, probs = {0}, loss = {0};
    double *z = NULL, *lab = NULL, *p = NULL, *tol_p = NULL, tol_loss = 0.0;
    int scalar_loss = c->n % 2; /* loss as a 0-dim scalar in odd cases, as (1) otherwise */
    if (ckt_pair_uniform(run, &logits, 2, dims, seed, c->lo, c->hi) && make_labels(run, &labels, c->n, c->k, seed + 1) &&
        ckt_pair_new(run, &probs, CK_F32, 2, dims) && ckt_pair_new(run, &loss, CK_F32, scalar_loss ? 0 : 1, one)) {
        ck_status st = ck_softmax_cross_entropy_forward(run->ctx, c->smoothing, &logits.test->t, &labels.test->t,
                                                        &probs.test->t, &loss.test->t);
        ck_status sr = ck_softmax_cross_entropy_forward(run->ref, c->smoothing, &logits.ref->t, &labels.ref->t,
                                                        &probs.ref->t, &loss.ref->t);
        z = ckt_read_new(run, logits.ref);
        lab = ckt_read_new(run, labels.ref);
        p = ckt_read_new(run, probs.ref);
        tol_p = malloc((size_t)(c->n * c->k) * sizeof *tol_p);
        if (z && lab && p && tol_p && ckt_pair_expect_ok(run, st, sr, "forward")) {
            forward_tolerances(c, z, lab, p, tol_p, &tol_loss);
            ckt_pair_expect_within_tol(run, "probs", &probs, tol_p);
            ckt_pair_expect_within_tol(run, "loss", &loss, &tol_loss);
        }
    }
    free(z);
    free(lab);
    free(p);
    free(tol_p);
    ckt_pair_free(&logits);
    ckt_pair_free(&labels);
    ckt_pair_free(&probs);
    ckt_pair_free(&loss);
}

/**
 * Backward from probabilities (a softmax of seeded logits, the same on both) with loss_grad g,
 * given as a float or (`on_device`) as the one-element tensor of ck_softmax_cross_entropy_backward_dloss.
 */
static void check_backward(ckt_run *run, const loss_case *c, float g, float beta, int on_device, uint64_t seed) {
    ckt_case(run, "softmax_cross_entropy backward N %lld K %lld smoothing %g loss_grad %g%s beta %g", (long long)c->n,
             (long long)c->k, (double)c->smoothing, (double)g, on_device ? " (a device tensor)" : "", (double)beta);
    const int64_t dims[2] = {c->n, c->k};
    size_t count = (size_t)(c->n * c->k);
    ckt_pair probs = {0}, labels = {0}, dz = {0}, dloss = {0};
    const double g_value = g;
    if (on_device && !ckt_pair_values(run, &dloss, 0, NULL, &g_value)) return;
    double *p = malloc(count * sizeof *p), *lab = NULL, *prev = NULL, *tol = malloc(count * sizeof *tol);
    if (p && tol && ckt_pair_new(run, &probs, CK_F32, 2, dims) && make_labels(run, &labels, c->n, c->k, seed + 1) &&
        ckt_pair_new(run, &dz, CK_F32, 2, dims) && (lab = ckt_read_new(run, labels.ref)) != NULL) {
        ckt_fill_uniform(probs.ref, seed, c->lo, c->hi);
        ckt_read(probs.ref, p);
        for (int64_t r = 0; r < c->n; r++) {
            double max = p[r * c->k], sum = 0.0;
            for (int64_t k = 0; k < c->k; k++) max = fmax(max, p[r * c->k + k]);
            for (int64_t k = 0; k < c->k; k++) sum += (p[r * c->k + k] = exp(p[r * c->k + k] - max));
            for (int64_t k = 0; k < c->k; k++) p[r * c->k + k] /= sum;
        }
        ckt_pair_write(&probs, p);
        ckt_read(probs.ref, p); /* the float32 values both backends see */
        if (beta != 0.0f) {
            ckt_fill_uniform(dz.test, seed + 2, -1.0, 1.0);
            ckt_fill_uniform(dz.ref, seed + 2, -1.0, 1.0);
        }
        prev = ckt_read_new(run, dz.ref);
        for (int64_t r = 0; prev && r < c->n; r++)
            for (int64_t k = 0; k < c->k; k++) {
                size_t i = (size_t)(r * c->k + k);
                double t = target(k, (int64_t)lab[r], c->k, c->smoothing);
                tol[i] = 6.0 * U * (fabs((double)g) * (p[i] + t) / (double)c->n + (beta != 0.0f ? fabs(beta * prev[i]) : 0.0));
            }
        ck_status st = on_device ? ck_softmax_cross_entropy_backward_dloss(run->ctx, c->smoothing, &dloss.test->t,
                                                                           &probs.test->t, &labels.test->t, beta,
                                                                           &dz.test->t)
                                 : ck_softmax_cross_entropy_backward(run->ctx, c->smoothing, g, &probs.test->t,
                                                                     &labels.test->t, beta, &dz.test->t);
        ck_status sr = ck_softmax_cross_entropy_backward(run->ref, c->smoothing, g, &probs.ref->t, &labels.ref->t,
                                                         beta, &dz.ref->t);
        if (prev && ckt_pair_expect_ok(run, st, sr, "backward")) ckt_pair_expect_within_tol(run, "dlogits", &dz, tol);
    }
    free(p);
    free(lab);
    free(prev);
    free(tol);
    ckt_pair_free(&probs);
    ckt_pair_free(&labels);
    ckt_pair_free(&dz);
    ckt_pair_free(&dloss);
}

/** `status` of a loss call, or when it is CK_OK the status of the wait that follows (a device reports a bad label there). */
static ck_status with_wait(ck_context *ctx, ck_status status) {
    return status == CK_OK ? ck_context_finish(ctx) : status;
}

/**
 * A label of -1 or K in one row: forward and backward must fail with CK_ERR_INVALID_ARGUMENT naming
 * the op and the row, at the call (CPU, reference) or at the next wait (OpenCL, which checks labels
 * on the device without waiting), write nothing, and leave the context able to compute the loss.
 */
static void check_invalid_label(ckt_run *run, double bad_label, int64_t row) {
    ckt_case(run, "softmax_cross_entropy label %g out of [0, 5) in row %lld", bad_label, (long long)row);
    const int64_t dims[2] = {4, 5}, n = 4;
    ckt_tensor *logits = ckt_new(run, run->ctx, CK_F32, 2, dims), *probs = ckt_new(run, run->ctx, CK_F32, 2, dims);
    ckt_tensor *labels = ckt_new(run, run->ctx, CK_I32, 1, &n), *loss = ckt_new(run, run->ctx, CK_F32, 0, NULL);
    ckt_tensor *dz = ckt_new(run, run->ctx, CK_F32, 2, dims);
    if (logits && probs && labels && loss && dz) {
        double lab[4] = {0, 1, 2, 3};
        lab[row] = bad_label;
        ckt_write(labels, lab);
        ckt_fill_uniform(logits, 7, -1.0, 1.0);
        ckt_fill_uniform(probs, 8, 0.0, 0.4);
        char row_text[48];
        snprintf(row_text, sizeof row_text, "labels[%lld]", (long long)row);
        double *probs_before = ckt_read_new(run, probs);
        if (ckt_expect_status(run,
                              with_wait(run->ctx, ck_softmax_cross_entropy_forward(run->ctx, 0.1f, &logits->t, &labels->t,
                                                                                   &probs->t, &loss->t)),
                              CK_ERR_INVALID_ARGUMENT, run->ctx, "forward with an invalid label")) {
            const char *const texts[] = {"softmax_cross_entropy_forward", row_text};
            ckt_expect_message(run, run->ctx, texts, 2);
        }
        double *probs_after = ckt_read_new(run, probs);
        if (probs_before && probs_after)
            ckt_expect(run, memcmp(probs_before, probs_after, probs->count * sizeof(double)) == 0,
                       "the forward pass wrote probs despite the invalid label");
        free(probs_before);
        free(probs_after);
        if (ckt_expect_status(run,
                              with_wait(run->ctx, ck_softmax_cross_entropy_backward(run->ctx, 0.1f, 1.0f, &probs->t,
                                                                                    &labels->t, 0.0f, &dz->t)),
                              CK_ERR_INVALID_ARGUMENT, run->ctx, "backward with an invalid label")) {
            const char *const texts[] = {"softmax_cross_entropy_backward", row_text};
            ckt_expect_message(run, run->ctx, texts, 2);
        }
        lab[row] = 0.0;
        ckt_write(labels, lab);
        ckt_expect_ok(run,
                      with_wait(run->ctx, ck_softmax_cross_entropy_forward(run->ctx, 0.1f, &logits->t, &labels->t,
                                                                           &probs->t, &loss->t)),
                      run->ctx, "the same forward with valid labels afterwards");
    }
    ckt_free(logits);
    ckt_free(probs);
    ckt_free(labels);
    ckt_free(loss);
    ckt_free(dz);
}

void ckt_suite_loss(ckt_run *run) {
    uint64_t seed = 110000;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++, seed += 100) {
        check_forward(run, &cases[i], seed);
        check_backward(run, &cases[i], 1.0f, 0.0f, 0, seed + 10);
        check_backward(run, &cases[i], -0.7f, 1.0f, 0, seed + 20);
        check_backward(run, &cases[i], -0.7f, 1.0f, 1, seed + 30);
        check_backward(run, &cases[i], 2.5f, 0.0f, 1, seed + 40);
    }
    check_invalid_label(run, 5.0, 0);
    check_invalid_label(run, -1.0, 3);
    check_invalid_label(run, 1e6, 2);
}
