/*
 * fixture_ops_train.c — fixture cases of the activations (relu, leaky_relu,
 * sigmoid, tanh) and of softmax_cross_entropy.
 *
 * Tolerances (u = 2^-24; each twice one implementation's error, see
 * fixture_ops.h):
 *  - relu, leaky_relu: exact, forward and backward. Each output is a
 *    selection or one product (x * alpha, dy * alpha) that any IEEE
 *    implementation rounds alike; PyTorch's derivative at 0 is 0 for ReLU and
 *    alpha for LeakyReLU, and the inputs hold exact zeros to check that.
 *  - sigmoid, tanh forward: one implementation is within 4u + 4u |y| (see
 *    suite_activation.c; PyTorch's exp-based and SLEEF code are within that):
 *    8u + 8u |y|.
 *  - backward: PyTorch computes from the output, dy * y (1 - y) and
 *    dy (1 - y^2); its y error (above) times the slope |d/dy| <= 1 (sigmoid)
 *    or 2 (tanh), plus three roundings, gives 9u |dy| and 19u |dy|; ConvKit is
 *    within 10u |dy| (suite_activation.c): 20u |dy| and 30u |dy|.
 *  - softmax cross-entropy: per row, d_k = |z_k - max z|, D = sum_k p_k d_k;
 *    one implementation's p_k errs by p_k u (d_k + D + K + 8) (suite_loss.c),
 *    and log p_k by u (d_k + D + K + 8) + u |log p_k|; the loss, a mean of
 *    N*K products t log p, adds (N K + 3) u sum|t log p| / N. dlogits =
 *    g (p - t) / N from each side's own probs: the probs spread |g| / N times
 *    twice the p bound, plus six roundings on each side, 12 u |g| (p + t) / N.
 *    Values below float32's normal range carry absolute error: probs and
 *    dlogits get 4 subnormal steps (2^-147) more.
 */
#include "fixture_ops.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>

#define U CKT_F32_UNIT
#define SUBNORMAL_STEPS (4.0 * 0x1p-149)

/* ------------------------------------------------------------------------ */
/* Activations                                                                */
/* ------------------------------------------------------------------------ */

static double *tolerances(ckt_run *run, const ckf_tensor *t, double abs_factor, double rel_factor, double rel_floor) {
    double *tol = malloc((t->count ? t->count : 1) * sizeof *tol);
    if (!tol) {
        ckt_fail(run, "out of host memory");
        return NULL;
    }
    for (size_t i = 0; i < t->count; i++) tol[i] = abs_factor * U + rel_factor * U * fabs(t->values[i]) + rel_floor;
    return tol;
}

static void run_activation(ckt_fixture *f, ck_activation act) {
    ckt_run *run = f->run;
    int ok = 1;
    const float alpha = act == CK_ACT_LEAKY_RELU ? (float)ckt_fx_attr(f, "alpha", 0, &ok) : 0.0f;
    const ckf_tensor *x = ckt_fx_tensor(f, "x", &ok), *y = ckt_fx_tensor(f, "y", &ok), *dy = ckt_fx_optional(f, "dy");
    ckt_tensor *tx = ckt_fx_upload(f, run->ctx, x, 0, &ok);
    ckt_tensor *ty = ok ? ckt_fx_output(f, run->ctx, x->ndim, x->dims, &ok) : NULL;
    if (!ok) return;
    const int smooth = act == CK_ACT_SIGMOID || act == CK_ACT_TANH;
    if (ckt_expect_ok(run, ck_activation_forward(run->ctx, act, alpha, &tx->t, &ty->t), run->ctx, "forward")) {
        double *tol = smooth ? tolerances(run, y, 8.0, 8.0, 0.0) : NULL;
        if (!smooth)
            ckt_fx_expect_exact(f, ty, y);
        else if (tol)
            ckt_fx_expect_tol(f, ty, y, tol);
        free(tol);
    }
    if (!dy) return;
    const ckf_tensor *dx = ckt_fx_tensor(f, "dx", &ok);
    ckt_tensor *tdy = ckt_fx_upload(f, run->ctx, dy, 0, &ok);
    ckt_tensor *tdx = ok ? ckt_fx_output(f, run->ctx, x->ndim, x->dims, &ok) : NULL;
    if (!ok || !ckt_expect_ok(run, ck_activation_backward(run->ctx, act, alpha, &tx->t, &tdy->t, 0.0f, &tdx->t),
                              run->ctx, "backward"))
        return;
    if (!smooth) {
        ckt_fx_expect_exact(f, tdx, dx);
        return;
    }
    double *tol = tolerances(run, dy, 0.0, act == CK_ACT_SIGMOID ? 20.0 : 30.0, 0.0);
    if (tol) ckt_fx_expect_tol(f, tdx, dx, tol);
    free(tol);
}

static void run_relu(ckt_fixture *f) { run_activation(f, CK_ACT_RELU); }
static void run_leaky_relu(ckt_fixture *f) { run_activation(f, CK_ACT_LEAKY_RELU); }
static void run_sigmoid(ckt_fixture *f) { run_activation(f, CK_ACT_SIGMOID); }
static void run_tanh(ckt_fixture *f) { run_activation(f, CK_ACT_TANH); }

/* ------------------------------------------------------------------------ */
/* Softmax cross-entropy                                                      */
/* ------------------------------------------------------------------------ */

/** Tolerances of probs, loss and dlogits from the logits, labels, smoothing s and loss_grad g (see the top). */
typedef struct loss_tols {
    double *probs, *dlogits, loss;
} loss_tols;

static int loss_tolerances(ckt_run *run, const ckf_tensor *logits, const ckf_tensor *labels, double s, double g,
                           loss_tols *t) {
    const size_t n = (size_t)logits->dims[0], k = (size_t)logits->dims[1];
    t->probs = malloc(n * k * sizeof *t->probs);
    t->dlogits = malloc(n * k * sizeof *t->dlogits);
    double *p = malloc(k * sizeof *p);
    if (!t->probs || !t->dlogits || !p) {
        free(p);
        ckt_fail(run, "out of host memory");
        return 0;
    }
    double log_error = 0.0, log_terms = 0.0;
    for (size_t r = 0; r < n; r++) {
        const double *z = logits->values + r * k;
        double max = z[0], sum = 0.0, spread = 0.0;
        for (size_t j = 1; j < k; j++) max = z[j] > max ? z[j] : max;
        for (size_t j = 0; j < k; j++) sum += (p[j] = exp(z[j] - max));
        for (size_t j = 0; j < k; j++) spread += (p[j] /= sum) * (max - z[j]);
        for (size_t j = 0; j < k; j++) {
            double target = (1.0 - s) * ((double)j == labels->values[r]) + s / (double)k;
            double rel = U * ((max - z[j]) + spread + (double)k + 8.0), log_p = log(p[j] > 0.0 ? p[j] : DBL_MIN);
            t->probs[r * k + j] = 2.0 * p[j] * rel + SUBNORMAL_STEPS;
            t->dlogits[r * k + j] = fabs(g) / (double)n * (t->probs[r * k + j] + 12.0 * U * (p[j] + target)) +
                                    SUBNORMAL_STEPS;
            log_error += target * (rel + U * fabs(log_p));
            log_terms += fabs(target * log_p);
        }
    }
    free(p);
    t->loss = 2.0 * (log_error + ((double)(n * k) + 3.0) * U * log_terms) / (double)n;
    return 1;
}

static void run_softmax_cross_entropy(ckt_fixture *f) {
    ckt_run *run = f->run;
    int ok = 1;
    const float s = (float)ckt_fx_attr(f, "label_smoothing", 0, &ok), g = (float)ckt_fx_attr(f, "loss_grad", 0, &ok);
    const ckf_tensor *logits = ckt_fx_tensor(f, "logits", &ok), *labels = ckt_fx_tensor(f, "labels", &ok);
    const ckf_tensor *probs = ckt_fx_tensor(f, "probs", &ok), *loss = ckt_fx_tensor(f, "loss", &ok);
    const ckf_tensor *dlogits = ckt_fx_optional(f, "dlogits");
    if (!ok || !ckt_expect(run, logits->ndim == 2 && labels->ndim == 1 && labels->dtype == CK_I32,
                           "logits must be (N, K) and labels (N) int32"))
        return;
    ckt_tensor *tz = ckt_fx_upload(f, run->ctx, logits, 0, &ok), *tl = ckt_fx_upload(f, run->ctx, labels, 0, &ok);
    ckt_tensor *tp = ckt_fx_output(f, run->ctx, 2, logits->dims, &ok);
    ckt_tensor *tloss = ckt_fx_output(f, run->ctx, loss->ndim, loss->dims, &ok);
    ckt_tensor *tdz = ckt_fx_output(f, run->ctx, 2, logits->dims, &ok);
    loss_tols tol = {NULL, NULL, 0.0};
    if (ok && loss_tolerances(run, logits, labels, s, g, &tol) &&
        ckt_expect_ok(run, ck_softmax_cross_entropy_forward(run->ctx, s, &tz->t, &tl->t, &tp->t, &tloss->t), run->ctx,
                      "forward")) {
        ckt_fx_expect_tol(f, tp, probs, tol.probs);
        ckt_fx_expect_tol(f, tloss, loss, &tol.loss);
        if (dlogits &&
            ckt_expect_ok(run, ck_softmax_cross_entropy_backward(run->ctx, s, g, &tp->t, &tl->t, 0.0f, &tdz->t),
                          run->ctx, "backward"))
            ckt_fx_expect_tol(f, tdz, dlogits, tol.dlogits);
    }
    free(tol.probs);
    free(tol.dlogits);
}

static const char *const no_attrs[] = {NULL};
static const char *const leaky_attrs[] = {"alpha", NULL};
static const char *const activation_tensors[] = {"x", "y", "dy", "dx", NULL};
static const char *const loss_attrs[] = {"label_smoothing", "loss_grad", NULL};
static const char *const loss_tensors[] = {"logits", "labels", "probs", "loss", "dlogits", NULL};

const ckt_fixture_op ckt_fixture_train_ops[] = {
    {"relu", no_attrs, activation_tensors, run_relu},
    {"leaky_relu", leaky_attrs, activation_tensors, run_leaky_relu},
    {"sigmoid", no_attrs, activation_tensors, run_sigmoid},
    {"tanh", no_attrs, activation_tensors, run_tanh},
    {"softmax_cross_entropy", loss_attrs, loss_tensors, run_softmax_cross_entropy},
    {NULL, NULL, NULL, NULL},
};
