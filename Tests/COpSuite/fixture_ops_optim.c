/*
 * fixture_ops_optim.c — fixture cases of sgd, adam (also AMSGrad) and
 * rmsprop (also centered, with momentum): `steps` updates of one parameter
 * from the stored gradients, the parameter compared after every step.
 *
 * Tolerance per element after step t: 2 E_t + |A_t - B_t|.
 *  - E_t is a first-order rounding bound of one float32 implementation,
 *    carried through the steps on the host (like suite_optim.c): every
 *    operation errs by u times the magnitudes it combines, and each value's
 *    bound flows into the next through the update's partial derivatives.
 *    The bias corrections 1 - beta^t lose relative accuracy
 *    (t + 2) u beta^t / (1 - beta^t) when beta^t is formed in float32.
 *    Twice E: ConvKit and the fixture's implementation each err that much.
 *    A maximum (AMSGrad's v_max) errs by at most the larger of its operands'
 *    bounds; a square root of a value within e by e / (2 sqrt) (or sqrt(e)
 *    at zero) plus its own rounding.
 *  - A and B are the exact recurrence (in double) with the hyper-parameters
 *    as the fixture states them and as float32, which is what the C ABI
 *    receives. |A - B| is the effect of that rounding, which no float32
 *    implementation can undo: for Adam with beta2 = 0.999, float32 turns
 *    1 - beta2 into 0.00099998713, 1.3e-5 away, while PyTorch forms
 *    1 - beta2 in double. It is not an error of either implementation.
 */
#include "fixture_ops.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define U CKT_F32_UNIT

/** Hyper-parameters of either optimizer, in double (as stated, or rounded to float32). */
typedef enum optimizer_kind { KIND_SGD, KIND_ADAM, KIND_RMSPROP } optimizer_kind;

/** Hyper-parameters of any of the optimizers, in double (as stated, or rounded to float32). */
typedef struct hyper {
    optimizer_kind kind;
    double lr, momentum, dampening, weight_decay, beta1, beta2, eps, alpha;
    int nesterov, decoupled, amsgrad, centered;
} hyper;

static hyper as_float32(hyper h) {
    hyper r = h;
    r.lr = (float)h.lr, r.momentum = (float)h.momentum, r.dampening = (float)h.dampening;
    r.weight_decay = (float)h.weight_decay, r.beta1 = (float)h.beta1, r.beta2 = (float)h.beta2, r.eps = (float)h.eps;
    r.alpha = (float)h.alpha;
    return r;
}

/** One element's state along the steps: values in double and, when tracked, their rounding bounds. */
typedef struct element {
    double p, s1, s2, s3;     /* param; velocity; or m, v, v_max; or square_avg, grad_avg, momentum_buffer */
    double ep, es1, es2, es3; /* bounds */
} element;

/** Relative error of 1 - beta^t formed in float32 (beta^t by t roundings, the subtraction one more). */
static double correction_error(double beta, int64_t t) {
    double power = pow(beta, (double)t);
    return (double)(t + 2) * U * power / (1.0 - power) + 2.0 * U;
}

/** One SGD step of torch.optim.SGD (README), with bounds. */
static void sgd_step(element *e, double g, const hyper *h, int64_t t) {
    double wd_p = h->weight_decay * e->p, gd = g + wd_p;
    double e_gd = fabs(h->weight_decay) * e->ep + 3.0 * U * (fabs(g) + fabs(wd_p));
    double d = gd, e_d = e_gd;
    if (h->momentum != 0.0) {
        if (t == 1) {
            e->s1 = gd, e->es1 = e_gd;
        } else {
            double kept = h->momentum * e->s1, added = (1.0 - h->dampening) * gd;
            e->es1 = fabs(h->momentum) * e->es1 + fabs(1.0 - h->dampening) * e_gd + 4.0 * U * (fabs(kept) + fabs(added));
            e->s1 = kept + added;
        }
        if (h->nesterov) {
            d = gd + h->momentum * e->s1;
            e_d = e_gd + fabs(h->momentum) * e->es1 + 3.0 * U * (fabs(gd) + fabs(h->momentum * e->s1));
        } else {
            d = e->s1, e_d = e->es1;
        }
    }
    double step = h->lr * d;
    e->ep += fabs(h->lr) * e_d + 3.0 * U * (fabs(e->p) + fabs(step));
    e->p -= step;
}

/** One Adam / AdamW step of torch.optim (README), with bounds. */
static void adam_step(element *e, double g, const hyper *h, int64_t t) {
    double e_g = 0.0;
    if (h->decoupled) {
        double factor = 1.0 - h->lr * h->weight_decay;
        e->ep = fabs(factor) * e->ep + 3.0 * U * fabs(e->p);
        e->p *= factor;
    } else if (h->weight_decay != 0.0) {
        double wd_p = h->weight_decay * e->p;
        e_g = fabs(h->weight_decay) * e->ep + 3.0 * U * (fabs(g) + fabs(wd_p));
        g += wd_p;
    }
    double m_kept = h->beta1 * e->s1, m_added = (1.0 - h->beta1) * g;
    e->es1 = h->beta1 * e->es1 + (1.0 - h->beta1) * e_g + 4.0 * U * (fabs(m_kept) + fabs(m_added));
    e->s1 = m_kept + m_added;
    double v_kept = h->beta2 * e->s2, v_added = (1.0 - h->beta2) * g * g;
    e->es2 = h->beta2 * e->es2 + (1.0 - h->beta2) * 2.0 * fabs(g) * e_g + 5.0 * U * (fabs(v_kept) + fabs(v_added));
    e->s2 = v_kept + v_added;
    double v = e->s2, e_v = e->es2;
    if (h->amsgrad) { /* v_max = max(v_max, v), both starting at zero */
        e->s3 = fmax(e->s3, e->s2);
        e->es3 = fmax(e->es3, e->es2);
        v = e->s3, e_v = e->es3;
    }

    double bc1 = 1.0 - pow(h->beta1, (double)t), bc2 = 1.0 - pow(h->beta2, (double)t);
    double rb1 = correction_error(h->beta1, t), rb2 = correction_error(h->beta2, t);
    double s = sqrt(v), e_s = s > 0.0 ? e_v / (2.0 * s) + U * s : sqrt(e_v);
    double root = sqrt(bc2), scaled = s / root, e_scaled = e_s / root + scaled * (rb2 / 2.0 + 2.0 * U);
    double den = scaled + h->eps, e_den = e_scaled + U * (scaled + 2.0 * h->eps);
    double q = e->s1 / den, e_q = e->es1 / den + fabs(e->s1) * e_den / (den * den) + U * fabs(q);
    double step_size = h->lr / bc1, update = step_size * q;
    double e_update = step_size * e_q + fabs(update) * (rb1 + 3.0 * U);
    e->ep += e_update + U * (fabs(e->p) + fabs(update));
    e->p -= update;
}

/** One RMSprop step of torch.optim.RMSprop (README), with bounds. */
static void rmsprop_step(element *e, double g, const hyper *h) {
    double wd_p = h->weight_decay * e->p, gd = g + wd_p;
    double e_gd = fabs(h->weight_decay) * e->ep + 3.0 * U * (fabs(g) + fabs(wd_p));
    double s_kept = h->alpha * e->s1, s_added = (1.0 - h->alpha) * gd * gd;
    e->es1 = h->alpha * e->es1 + (1.0 - h->alpha) * 2.0 * fabs(gd) * e_gd + 5.0 * U * (fabs(s_kept) + fabs(s_added));
    e->s1 = s_kept + s_added;
    double variance = e->s1, e_variance = e->es1;
    if (h->centered) {
        double a_kept = h->alpha * e->s2, a_added = (1.0 - h->alpha) * gd;
        e->es2 = h->alpha * e->es2 + (1.0 - h->alpha) * e_gd + 4.0 * U * (fabs(a_kept) + fabs(a_added));
        e->s2 = a_kept + a_added;
        variance -= e->s2 * e->s2;
        e_variance += 2.0 * fabs(e->s2) * e->es2 + e->es2 * e->es2 + 3.0 * U * (e->s1 + e->s2 * e->s2);
    }
    double root = sqrt(variance > 0.0 ? variance : 0.0);
    double e_root = root > 0.0 ? fmin(e_variance / (2.0 * root), sqrt(e_variance)) + U * root : sqrt(e_variance);
    double den = root + h->eps, e_den = e_root + U * (root + 2.0 * h->eps);
    double q = gd / den, e_q = e_gd / den + fabs(gd) * e_den / (den * den) + U * fabs(q);
    double d = q, e_d = e_q;
    if (h->momentum > 0.0) {
        double kept = h->momentum * e->s3;
        e->es3 = h->momentum * e->es3 + e_q + 3.0 * U * (fabs(kept) + fabs(q));
        e->s3 = kept + q;
        d = e->s3, e_d = e->es3;
    }
    double step = h->lr * d;
    e->ep += fabs(h->lr) * e_d + 3.0 * U * (fabs(e->p) + fabs(step));
    e->p -= step;
}

static void host_step(element *e, double g, const hyper *h, int64_t t) {
    switch (h->kind) {
    case KIND_SGD: sgd_step(e, g, h, t); break;
    case KIND_ADAM: adam_step(e, g, h, t); break;
    case KIND_RMSPROP: rmsprop_step(e, g, h); break;
    }
}

/** Calls ConvKit's update for step t (1-based); s[] are the three state tensors. */
static ck_status convkit_step(ck_context *ctx, const hyper *h, int64_t t, const ckt_tensor *param,
                              const ckt_tensor *grad, ckt_tensor *const *s) {
    if (h->kind == KIND_ADAM) {
        const ck_adam_params p = {(float)h->lr, (float)h->beta1, (float)h->beta2, (float)h->eps,
                                  (float)h->weight_decay, h->decoupled, t};
        if (h->amsgrad) return ck_adam_amsgrad_update(ctx, &p, &param->t, &grad->t, &s[0]->t, &s[1]->t, &s[2]->t);
        return ck_adam_update(ctx, &p, &param->t, &grad->t, &s[0]->t, &s[1]->t);
    }
    if (h->kind == KIND_RMSPROP) {
        const ck_rmsprop_params p = {(float)h->lr, (float)h->alpha, (float)h->eps, (float)h->weight_decay,
                                     (float)h->momentum, h->centered};
        return ck_rmsprop_update(ctx, &p, &param->t, &grad->t, &s[0]->t, h->centered ? &s[1]->t : NULL,
                                 h->momentum > 0.0 ? &s[2]->t : NULL);
    }
    const ck_sgd_params p = {(float)h->lr, (float)h->momentum, (float)h->dampening, (float)h->weight_decay,
                             h->nesterov, t};
    return ck_sgd_update(ctx, &p, &param->t, &grad->t, h->momentum != 0.0 ? &s[0]->t : NULL);
}

/** Host state of every element for both hyper-parameter roundings, and the tolerances of one step. */
typedef struct trajectory {
    size_t n;
    element *stated, *rounded;
    double *tol;
} trajectory;

static int trajectory_new(ckt_run *run, trajectory *tr, const ckf_tensor *param) {
    tr->n = param->count;
    tr->stated = calloc(tr->n, sizeof *tr->stated);
    tr->rounded = calloc(tr->n, sizeof *tr->rounded);
    tr->tol = malloc(tr->n * sizeof *tr->tol);
    if (!tr->stated || !tr->rounded || !tr->tol) return ckt_expect(run, 0, "out of host memory");
    for (size_t i = 0; i < tr->n; i++) tr->stated[i].p = tr->rounded[i].p = param->values[i];
    return 1;
}

static void trajectory_free(trajectory *tr) {
    free(tr->stated);
    free(tr->rounded);
    free(tr->tol);
}

/** Runs the case's steps on ConvKit and on the host, comparing after each step. */
static void run_steps(ckt_fixture *f, const hyper *h, int64_t steps) {
    ckt_run *run = f->run;
    int ok = 1;
    const ckf_tensor *param = ckt_fx_tensor(f, "param", &ok), *grads = ckt_fx_tensor(f, "grads", &ok);
    const ckf_tensor *after = ckt_fx_tensor(f, "params_after", &ok);
    if (!ok) return;
    int shapes = steps >= 1 && grads->ndim == param->ndim + 1 && after->ndim == grads->ndim &&
                 grads->dims[0] == steps && after->dims[0] == steps;
    for (int32_t i = 0; shapes && i < param->ndim; i++)
        shapes = grads->dims[i + 1] == param->dims[i] && after->dims[i + 1] == param->dims[i];
    if (!ckt_expect(run, shapes, "grads and params_after must be (steps, dims of param) with steps = %lld",
                    (long long)steps))
        return;
    ckt_tensor *tp = ckt_fx_upload(f, run->ctx, param, 0, &ok);
    ckt_tensor *tg = ckt_fx_output(f, run->ctx, param->ndim, param->dims, &ok);
    ckt_tensor *s[3]; /* SGD's velocity stays poisoned: step 1 must not read it */
    for (int k = 0; k < 3; k++) s[k] = ckt_fx_output(f, run->ctx, param->ndim, param->dims, &ok);
    trajectory tr = {0, NULL, NULL, NULL};
    for (int k = 0; ok && h->kind != KIND_SGD && k < 3; k++) /* Adam's and RMSprop's state starts at zero */
        ok = ckt_expect_ok(run, ck_fill(run->ctx, 0.0f, &s[k]->t), run->ctx, "zero state");
    const hyper rounded = as_float32(*h);
    if (ok && trajectory_new(run, &tr, param)) {
        for (int64_t step = 1; step <= steps; step++) {
            const double *g = grads->values + (size_t)(step - 1) * tr.n;
            ckt_write(tg, g);
            if (!ckt_expect_ok(run, convkit_step(run->ctx, h, step, tp, tg, s), run->ctx, "update")) break;
            for (size_t i = 0; i < tr.n; i++) {
                host_step(&tr.stated[i], g[i], h, step);
                host_step(&tr.rounded[i], g[i], &rounded, step);
                tr.tol[i] = 2.0 * tr.stated[i].ep + fabs(tr.stated[i].p - tr.rounded[i].p);
            }
            ckf_tensor want = *param;
            want.values = after->values + (size_t)(step - 1) * tr.n;
            snprintf(want.name, sizeof want.name, "param after step %lld", (long long)step);
            ckt_fx_expect_tol(f, tp, &want, tr.tol);
        }
    }
    trajectory_free(&tr);
}

static void run_sgd(ckt_fixture *f) {
    int ok = 1;
    hyper h = {0};
    h.lr = ckt_fx_attr(f, "lr", 0, &ok);
    h.momentum = ckt_fx_attr(f, "momentum", 0, &ok);
    h.dampening = ckt_fx_attr(f, "dampening", 0, &ok);
    h.weight_decay = ckt_fx_attr(f, "weight_decay", 0, &ok);
    h.nesterov = ckt_fx_attr(f, "nesterov", 0, &ok) != 0.0;
    const int64_t steps = (int64_t)ckt_fx_attr(f, "steps", 0, &ok);
    if (ok) run_steps(f, &h, steps);
}

static void run_adam(ckt_fixture *f) {
    int ok = 1;
    hyper h = {0};
    h.kind = KIND_ADAM;
    h.lr = ckt_fx_attr(f, "lr", 0, &ok);
    h.beta1 = ckt_fx_attr(f, "beta1", 0, &ok);
    h.beta2 = ckt_fx_attr(f, "beta2", 0, &ok);
    h.eps = ckt_fx_attr(f, "eps", 0, &ok);
    h.weight_decay = ckt_fx_attr(f, "weight_decay", 0, &ok);
    h.decoupled = ckt_fx_attr(f, "decoupled", 0, &ok) != 0.0;
    h.amsgrad = ckt_fx_attr(f, "amsgrad", 0, &ok) != 0.0;
    const int64_t steps = (int64_t)ckt_fx_attr(f, "steps", 0, &ok);
    if (ok) run_steps(f, &h, steps);
}

static void run_rmsprop(ckt_fixture *f) {
    int ok = 1;
    hyper h = {0};
    h.kind = KIND_RMSPROP;
    h.lr = ckt_fx_attr(f, "lr", 0, &ok);
    h.alpha = ckt_fx_attr(f, "alpha", 0, &ok);
    h.eps = ckt_fx_attr(f, "eps", 0, &ok);
    h.weight_decay = ckt_fx_attr(f, "weight_decay", 0, &ok);
    h.momentum = ckt_fx_attr(f, "momentum", 0, &ok);
    h.centered = ckt_fx_attr(f, "centered", 0, &ok) != 0.0;
    const int64_t steps = (int64_t)ckt_fx_attr(f, "steps", 0, &ok);
    if (ok) run_steps(f, &h, steps);
}

static const char *const sgd_attrs[] = {"lr", "momentum", "dampening", "weight_decay", "nesterov", "steps", NULL};
static const char *const adam_attrs[] = {"lr", "beta1", "beta2", "eps", "weight_decay", "decoupled", "amsgrad", "steps",
                                         NULL};
static const char *const rmsprop_attrs[] = {"lr", "alpha", "eps", "weight_decay", "momentum", "centered", "steps", NULL};
static const char *const optim_tensors[] = {"param", "grads", "params_after", NULL};

const ckt_fixture_op ckt_fixture_optim_ops[] = {
    {"sgd", sgd_attrs, optim_tensors, run_sgd},
    {"adam", adam_attrs, optim_tensors, run_adam},
    {"rmsprop", rmsprop_attrs, optim_tensors, run_rmsprop},
    {NULL, NULL, NULL, NULL},
};
