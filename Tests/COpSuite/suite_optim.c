/*
 * suite_optim.c — SGD (momentum, dampening, Nesterov, weight decay), Adam /
 * AdamW (also with AMSGrad) and RMSprop (centered or not, with and without
 * momentum), ten steps each on the backend under test and on the reference
 * from the same start and gradients, comparing parameters and state after
 * every step. The SGD velocity starts poisoned: step 1 must not read it.
 *
 * Tolerance: a first-order error bound carried through the steps, per
 * element, from the reference's values (u = 2^-24). Each float32 operation
 * adds u * |its result|; the bound of a value computed from others is the
 * sum of their bounds times the partial derivatives, plus its own roundings
 * (one more u per stored value for the reference's own rounding). The
 * formulas are in sgd_errors(), adam_errors() and rmsprop_errors(); the bias
 * corrections 1 - beta^t lose relative accuracy u * beta^t / (1 - beta^t)
 * per rounding. A maximum (AMSGrad's v_max) is 1-Lipschitz in each operand,
 * so its bound is the larger of theirs; a square root of a value known
 * within e errs by at most min(e / (2 sqrt), sqrt(e)).
 */
#include "crosscheck.h"
#include "suites.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define U CKT_F32_UNIT
#define STEPS 10
#define SLOTS 3 /* state tensors of one update, at most */

typedef enum optim_kind { OPTIM_SGD, OPTIM_ADAM, OPTIM_RMSPROP } optim_kind;

/** One configuration: the kind, its params, and for Adam whether it runs AMSGrad. */
typedef struct optim_config {
    optim_kind kind;
    ck_sgd_params sgd;
    ck_adam_params adam;
    int amsgrad;
    ck_rmsprop_params rmsprop;
} optim_config;

/** Host values (reference) and carried error bounds of one update's tensors. */
typedef struct optim_state {
    size_t n;
    double *p, *g, *s[SLOTS]; /* param, grad and state values before the step */
    double *ep, *es[SLOTS];   /* error bounds after the step */
} optim_state;

/* Slots: SGD velocity; Adam m, v, v_max; RMSprop square_avg, grad_avg, momentum_buffer. */
static const char *const slot_names[3][SLOTS] = {
    {"velocity", NULL, NULL}, {"m", "v", "v_max"}, {"square_avg", "grad_avg", "momentum_buffer"}};

static int has_slot(const optim_config *c, int slot) {
    switch (c->kind) {
    case OPTIM_SGD: return slot == 0 && c->sgd.momentum != 0.0f;
    case OPTIM_ADAM: return slot < 2 || c->amsgrad;
    case OPTIM_RMSPROP: return slot == 0 || (slot == 1 && c->rmsprop.centered) || (slot == 2 && c->rmsprop.momentum > 0.0f);
    }
    return 0;
}

static double root_error(double root, double e) {
    return (root > 0.0 ? fmin(e / (2.0 * root), sqrt(e)) : sqrt(e)) + 2.0 * U * root;
}

static void sgd_errors(optim_state *s, const ck_sgd_params *o, double *const *new_state) {
    double wd = o->weight_decay, mu = o->momentum, damp = o->dampening, lr = o->lr;
    for (size_t i = 0; i < s->n; i++) {
        double gd = s->g[i] + wd * s->p[i], e_gd = wd * s->ep[i] + 3.0 * U * (fabs(s->g[i]) + fabs(wd * s->p[i]));
        double dir = gd, e_dir = e_gd;
        if (mu != 0.0) {
            double *e_buf = s->es[0];
            if (o->step == 1) {
                e_buf[i] = e_gd + U * fabs(gd);
            } else {
                e_buf[i] = mu * e_buf[i] + (1.0 - damp) * e_gd + 5.0 * U * (fabs(mu * s->s[0][i]) + fabs((1.0 - damp) * gd));
            }
            dir = o->nesterov ? gd + mu * new_state[0][i] : new_state[0][i];
            e_dir = o->nesterov ? e_gd + mu * e_buf[i] + 3.0 * U * (fabs(gd) + fabs(mu * new_state[0][i])) : e_buf[i];
        }
        s->ep[i] += lr * e_dir + 4.0 * U * (fabs(s->p[i]) + lr * fabs(dir));
    }
}

static void adam_errors(optim_state *s, const ck_adam_params *o, int amsgrad, double *const *new_state) {
    double b1 = o->beta1, b2 = o->beta2, lr = o->lr, wd = o->weight_decay, t = (double)o->step;
    double bc1 = 1.0 - pow(b1, t), bc2 = 1.0 - pow(b2, t);
    double eps1 = (t + 3.0) * U * pow(b1, t) / bc1 + 2.0 * U, eps2 = (t + 3.0) * U * pow(b2, t) / bc2 + 2.0 * U;
    for (size_t i = 0; i < s->n; i++) {
        double p = s->p[i], e_p = s->ep[i], gd = s->g[i], e_gd = 0.0;
        if (o->decoupled_weight_decay) {
            e_p = e_p * fabs(1.0 - lr * wd) + 3.0 * U * fabs(p);
            p *= 1.0 - lr * wd;
        } else {
            gd += wd * p;
            e_gd = wd * e_p + 3.0 * U * (fabs(s->g[i]) + fabs(wd * p));
        }
        double *e_m = s->es[0], *e_v = s->es[1];
        e_m[i] = b1 * e_m[i] + (1.0 - b1) * e_gd + 5.0 * U * (b1 * fabs(s->s[0][i]) + (1.0 - b1) * fabs(gd));
        e_v[i] = b2 * e_v[i] + (1.0 - b2) * 2.0 * fabs(gd) * e_gd + 6.0 * U * (b2 * fabs(s->s[1][i]) + (1.0 - b2) * gd * gd);
        double second = new_state[1][i], e_second = e_v[i];
        if (amsgrad) {
            s->es[2][i] = fmax(s->es[2][i], e_v[i]);
            second = new_state[2][i];
            e_second = s->es[2][i];
        }
        double m_hat = new_state[0][i] / bc1, v_hat = second / bc2;
        double e_m_hat = e_m[i] / bc1 + fabs(m_hat) * (eps1 + U);
        double e_v_hat = e_second / bc2 + v_hat * (eps2 + U);
        double root = sqrt(v_hat), den = root + (double)o->epsilon;
        double e_root = root_error(root, e_v_hat);
        double r = m_hat / den, e_r = (e_m_hat + fabs(r) * (e_root + U * den)) / den + 2.0 * U * fabs(r);
        s->ep[i] = e_p + lr * e_r + 4.0 * U * (fabs(p) + lr * fabs(r));
    }
}

static void rmsprop_errors(optim_state *s, const ck_rmsprop_params *o, double *const *new_state) {
    double alpha = o->alpha, lr = o->lr, wd = o->weight_decay, mu = o->momentum, eps = o->epsilon;
    for (size_t i = 0; i < s->n; i++) {
        double gd = s->g[i] + wd * s->p[i], e_gd = wd * s->ep[i] + 3.0 * U * (fabs(s->g[i]) + fabs(wd * s->p[i]));
        double *e_sq = s->es[0];
        e_sq[i] = alpha * e_sq[i] + (1.0 - alpha) * 2.0 * fabs(gd) * e_gd +
                  6.0 * U * (alpha * fabs(s->s[0][i]) + (1.0 - alpha) * gd * gd);
        double variance = new_state[0][i], e_variance = e_sq[i];
        if (o->centered) {
            double *e_avg = s->es[1], avg = new_state[1][i];
            e_avg[i] = alpha * e_avg[i] + (1.0 - alpha) * e_gd + 5.0 * U * (alpha * fabs(s->s[1][i]) + (1.0 - alpha) * fabs(gd));
            variance -= avg * avg;
            e_variance += 2.0 * fabs(avg) * e_avg[i] + e_avg[i] * e_avg[i] + 4.0 * U * (new_state[0][i] + avg * avg);
        }
        double root = sqrt(variance > 0.0 ? variance : 0.0), den = root + eps;
        double e_den = root_error(root, e_variance) + 2.0 * U * den;
        double r = gd / den, e_r = (e_gd + fabs(r) * e_den) / den + 2.0 * U * fabs(r);
        double dir = r, e_dir = e_r;
        if (mu > 0.0) {
            double *e_buf = s->es[2];
            e_buf[i] = mu * e_buf[i] + e_r + 4.0 * U * (mu * fabs(s->s[2][i]) + fabs(r));
            dir = new_state[2][i];
            e_dir = e_buf[i];
        }
        s->ep[i] += lr * e_dir + 4.0 * U * (fabs(s->p[i]) + lr * fabs(dir));
    }
}

typedef struct optim_pairs {
    ckt_pair p, g, s[SLOTS];
} optim_pairs;

/** Compares param and state after a step, with the carried bounds. */
static void compare(ckt_run *run, const optim_config *c, const optim_pairs *t, const optim_state *s, int step) {
    char what[64];
    snprintf(what, sizeof what, "param after step %d", step);
    ckt_pair_expect_within_tol(run, what, &t->p, s->ep);
    for (int k = 0; k < SLOTS; k++) {
        if (!has_slot(c, k)) continue;
        snprintf(what, sizeof what, "%s after step %d", slot_names[c->kind][k], step);
        ckt_pair_expect_within_tol(run, what, &t->s[k], s->es[k]);
    }
}

/** One update of configuration c at `step` on one context; `state` views, NULL where absent. */
static ck_status update(ck_context *ctx, const optim_config *c, int step, const ck_tensor *p, const ck_tensor *g,
                        const ck_tensor *const *state) {
    switch (c->kind) {
    case OPTIM_SGD: {
        ck_sgd_params o = c->sgd;
        o.step = step;
        return ck_sgd_update(ctx, &o, p, g, state[0]);
    }
    case OPTIM_ADAM: {
        ck_adam_params a = c->adam;
        a.step = step;
        return c->amsgrad ? ck_adam_amsgrad_update(ctx, &a, p, g, state[0], state[1], state[2])
                          : ck_adam_update(ctx, &a, p, g, state[0], state[1]);
    }
    case OPTIM_RMSPROP: return ck_rmsprop_update(ctx, &c->rmsprop, p, g, state[0], state[1], state[2]);
    }
    return CK_ERR_INTERNAL;
}

/** Runs STEPS updates of configuration c on both backends. */
static void run_optimizer(ckt_run *run, const optim_config *c, int64_t n, uint64_t seed) {
    optim_pairs t = {0};
    optim_state s = {(size_t)n, NULL, NULL, {NULL}, NULL, {NULL}};
    double *new_state[SLOTS] = {NULL};
    s.ep = calloc((size_t)n, sizeof(double));
    int ok = s.ep && ckt_pair_uniform(run, &t.p, 1, &n, seed, -1.0, 1.0) && ckt_pair_new(run, &t.g, CK_F32, 1, &n);
    for (int k = 0; ok && k < SLOTS; k++) {
        if (!has_slot(c, k)) continue;
        s.es[k] = calloc((size_t)n, sizeof(double));
        ok = s.es[k] && ckt_pair_new(run, &t.s[k], CK_F32, 1, &n);
        /* Adam's and RMSprop's state starts at zero (PyTorch); SGD's velocity stays poisoned until step 1 writes it */
        if (ok && c->kind != OPTIM_SGD) ckt_pair_write(&t.s[k], s.es[k]);
    }
    for (int step = 1; ok && step <= STEPS; step++) {
        ckt_fill_uniform(t.g.test, seed + (uint64_t)step, -1.0, 1.0);
        ckt_fill_uniform(t.g.ref, seed + (uint64_t)step, -1.0, 1.0);
        free(s.p), free(s.g);
        s.p = ckt_read_new(run, t.p.ref);
        s.g = ckt_read_new(run, t.g.ref);
        const ck_tensor *test_state[SLOTS], *ref_state[SLOTS];
        for (int k = 0; k < SLOTS; k++) {
            free(s.s[k]);
            s.s[k] = has_slot(c, k) ? ckt_read_new(run, t.s[k].ref) : NULL;
            test_state[k] = has_slot(c, k) ? ckt_test_view(&t.s[k]) : NULL;
            ref_state[k] = has_slot(c, k) ? ckt_ref_view(&t.s[k]) : NULL;
        }
        ck_status st = update(run->ctx, c, step, &t.p.test->t, &t.g.test->t, test_state);
        ck_status sr = update(run->ref, c, step, &t.p.ref->t, &t.g.ref->t, ref_state);
        int read = s.p && s.g;
        for (int k = 0; k < SLOTS; k++) {
            if (!has_slot(c, k)) continue;
            new_state[k] = ckt_read_new(run, t.s[k].ref);
            read = read && s.s[k] && new_state[k];
        }
        char what[32];
        snprintf(what, sizeof what, "step %d", step);
        ok = read && ckt_pair_expect_ok(run, st, sr, what);
        if (ok) {
            if (c->kind == OPTIM_SGD) {
                ck_sgd_params o = c->sgd;
                o.step = step;
                sgd_errors(&s, &o, new_state);
            } else if (c->kind == OPTIM_ADAM) {
                ck_adam_params a = c->adam;
                a.step = step;
                adam_errors(&s, &a, c->amsgrad, new_state);
            } else {
                rmsprop_errors(&s, &c->rmsprop, new_state);
            }
            compare(run, c, &t, &s, step);
        }
        for (int k = 0; k < SLOTS; k++) free(new_state[k]), new_state[k] = NULL;
    }
    free(s.p), free(s.g), free(s.ep);
    for (int k = 0; k < SLOTS; k++) {
        free(s.s[k]), free(s.es[k]);
        ckt_pair_free(&t.s[k]);
    }
    ckt_pair_free(&t.p);
    ckt_pair_free(&t.g);
}

void ckt_suite_optim(ckt_run *run) {
    /* lr, momentum, dampening, weight_decay, nesterov, step */
    static const ck_sgd_params sgds[] = {
        {0.1f, 0.0f, 0.0f, 0.0f, 0, 1},
        {0.1f, 0.9f, 0.0f, 0.0f, 0, 1},
        {0.05f, 0.9f, 0.1f, 1e-2f, 0, 1},
        {0.1f, 0.9f, 0.0f, 5e-4f, 1, 1},
    };
    /* lr, beta1, beta2, epsilon, weight_decay, decoupled, step; each also with AMSGrad */
    static const ck_adam_params adams[] = {
        {1e-3f, 0.9f, 0.999f, 1e-8f, 0.0f, 0, 1},
        {1e-2f, 0.9f, 0.999f, 1e-8f, 1e-2f, 0, 1},
        {1e-2f, 0.9f, 0.999f, 1e-8f, 1e-2f, 1, 1},
        {0.1f, 0.5f, 0.9f, 1e-6f, 0.0f, 0, 1},
    };
    /* lr, alpha, epsilon, weight_decay, momentum, centered */
    static const ck_rmsprop_params rmsprops[] = {
        {1e-2f, 0.99f, 1e-8f, 0.0f, 0.0f, 0},
        {1e-2f, 0.9f, 1e-6f, 1e-2f, 0.8f, 0},
        {5e-3f, 0.9f, 1e-8f, 0.0f, 0.0f, 1},
        {1e-2f, 0.95f, 1e-6f, 1e-3f, 0.9f, 1},
    };
    static const int64_t sizes[] = {1, 1003, 1728};
    uint64_t seed = 120000;
    for (size_t z = 0; z < sizeof sizes / sizeof sizes[0]; z++) {
        for (size_t i = 0; i < sizeof sgds / sizeof sgds[0]; i++, seed += 100) {
            const ck_sgd_params *o = &sgds[i];
            ckt_case(run, "sgd %lld elements lr %g momentum %g dampening %g weight_decay %g%s, %d steps",
                     (long long)sizes[z], (double)o->lr, (double)o->momentum, (double)o->dampening,
                     (double)o->weight_decay, o->nesterov ? " nesterov" : "", STEPS);
            optim_config c = {.kind = OPTIM_SGD, .sgd = *o};
            run_optimizer(run, &c, sizes[z], seed);
        }
        for (size_t i = 0; i < sizeof adams / sizeof adams[0]; i++) {
            for (int amsgrad = 0; amsgrad < 2; amsgrad++, seed += 100) {
                const ck_adam_params *o = &adams[i];
                ckt_case(run, "%s%s %lld elements lr %g betas %g,%g eps %g weight_decay %g, %d steps",
                         o->decoupled_weight_decay ? "adamw" : "adam", amsgrad ? " amsgrad" : "", (long long)sizes[z],
                         (double)o->lr, (double)o->beta1, (double)o->beta2, (double)o->epsilon,
                         (double)o->weight_decay, STEPS);
                optim_config c = {.kind = OPTIM_ADAM, .adam = *o, .amsgrad = amsgrad};
                run_optimizer(run, &c, sizes[z], seed);
            }
        }
        for (size_t i = 0; i < sizeof rmsprops / sizeof rmsprops[0]; i++, seed += 100) {
            const ck_rmsprop_params *o = &rmsprops[i];
            ckt_case(run, "rmsprop%s %lld elements lr %g alpha %g eps %g weight_decay %g momentum %g, %d steps",
                     o->centered ? " centered" : "", (long long)sizes[z], (double)o->lr, (double)o->alpha,
                     (double)o->epsilon, (double)o->weight_decay, (double)o->momentum, STEPS);
            optim_config c = {.kind = OPTIM_RMSPROP, .rmsprop = *o};
            run_optimizer(run, &c, sizes[z], seed);
        }
    }
}
