/*
 * suite_optim.c — SGD (momentum, dampening, Nesterov, weight decay) and
 * Adam / AdamW, ten steps each on the backend under test and on the
 * reference from the same start and gradients, comparing parameters and
 * state after every step. The velocity starts poisoned: step 1 must not read it.
 *
 * Tolerance: a first-order error bound carried through the steps, per
 * element, from the reference's values (u = 2^-24). Each float32 operation
 * adds u * |its result|; the bound of a value computed from others is the
 * sum of their bounds times the partial derivatives, plus its own roundings
 * (one more u per stored value for the reference's own rounding). The
 * formulas are in sgd_errors() and adam_errors(); the bias corrections
 * 1 - beta^t lose relative accuracy u * beta^t / (1 - beta^t) per rounding.
 */
#include "crosscheck.h"
#include "suites.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define U CKT_F32_UNIT
#define STEPS 10

/** Host values (reference) and carried error bounds of one update's tensors. */
typedef struct optim_state {
    size_t n;
    double *p, *g, *s1, *s2;   /* param, grad, velocity or m, v: values before the step */
    double *ep, *es1, *es2;    /* error bounds after the step */
} optim_state;

static void sgd_errors(optim_state *s, const ck_sgd_params *o, const double *s1_new) {
    double wd = o->weight_decay, mu = o->momentum, damp = o->dampening, lr = o->lr;
    for (size_t i = 0; i < s->n; i++) {
        double gd = s->g[i] + wd * s->p[i], e_gd = wd * s->ep[i] + 3.0 * U * (fabs(s->g[i]) + fabs(wd * s->p[i]));
        double dir = gd, e_dir = e_gd;
        if (mu != 0.0) {
            if (o->step == 1) {
                s->es1[i] = e_gd + U * fabs(gd);
            } else {
                s->es1[i] = mu * s->es1[i] + (1.0 - damp) * e_gd + 5.0 * U * (fabs(mu * s->s1[i]) + fabs((1.0 - damp) * gd));
            }
            dir = o->nesterov ? gd + mu * s1_new[i] : s1_new[i];
            e_dir = o->nesterov ? e_gd + mu * s->es1[i] + 3.0 * U * (fabs(gd) + fabs(mu * s1_new[i])) : s->es1[i];
        }
        s->ep[i] += lr * e_dir + 4.0 * U * (fabs(s->p[i]) + fabs(lr * dir));
    }
}

static void adam_errors(optim_state *s, const ck_adam_params *o, const double *m_new, const double *v_new) {
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
        s->es1[i] = b1 * s->es1[i] + (1.0 - b1) * e_gd + 5.0 * U * (b1 * fabs(s->s1[i]) + (1.0 - b1) * fabs(gd));
        s->es2[i] = b2 * s->es2[i] + (1.0 - b2) * 2.0 * fabs(gd) * e_gd + 6.0 * U * (b2 * fabs(s->s2[i]) + (1.0 - b2) * gd * gd);
        double m_hat = m_new[i] / bc1, v_hat = v_new[i] / bc2;
        double e_m_hat = s->es1[i] / bc1 + fabs(m_hat) * (eps1 + U);
        double e_v_hat = s->es2[i] / bc2 + v_hat * (eps2 + U);
        double root = sqrt(v_hat), den = root + (double)o->epsilon;
        double e_root = (root > 0.0 ? fmin(e_v_hat / (2.0 * root), sqrt(e_v_hat)) : sqrt(e_v_hat)) + 2.0 * U * root;
        double r = m_hat / den, e_r = (e_m_hat + fabs(r) * (e_root + U * den)) / den + 2.0 * U * fabs(r);
        s->ep[i] = e_p + lr * e_r + 4.0 * U * (fabs(p) + lr * fabs(r));
    }
}

typedef struct optim_pairs {
    ckt_pair p, g, s1, s2; /* s1: velocity or m; s2: v (Adam) */
} optim_pairs;

/** Compares param and state after a step, with the carried bounds. */
static void compare(ckt_run *run, const optim_pairs *t, const optim_state *s, int step, int has_s1, int has_s2) {
    char what[48];
    snprintf(what, sizeof what, "param after step %d", step);
    ckt_pair_expect_within_tol(run, what, &t->p, s->ep);
    if (has_s1) {
        snprintf(what, sizeof what, "%s after step %d", has_s2 ? "m" : "velocity", step);
        ckt_pair_expect_within_tol(run, what, &t->s1, s->es1);
    }
    if (has_s2) {
        snprintf(what, sizeof what, "v after step %d", step);
        ckt_pair_expect_within_tol(run, what, &t->s2, s->es2);
    }
}

/** Runs STEPS updates of SGD (adam == NULL) or Adam on both backends. */
static void run_optimizer(ckt_run *run, const ck_sgd_params *sgd, const ck_adam_params *adam, int64_t n, uint64_t seed) {
    int has_s1 = adam || sgd->momentum != 0.0f, has_s2 = adam != NULL;
    optim_pairs t = {0};
    optim_state s = {(size_t)n, NULL, NULL, NULL, NULL, NULL, NULL, NULL};
    double *s1_new = NULL, *s2_new = NULL;
    s.ep = calloc((size_t)n, sizeof(double));
    s.es1 = calloc((size_t)n, sizeof(double));
    s.es2 = calloc((size_t)n, sizeof(double));
    int ok = s.ep && s.es1 && s.es2 && ckt_pair_uniform(run, &t.p, 1, &n, seed, -1.0, 1.0) &&
             ckt_pair_new(run, &t.g, CK_F32, 1, &n) && (!has_s1 || ckt_pair_new(run, &t.s1, CK_F32, 1, &n)) &&
             (!has_s2 || ckt_pair_new(run, &t.s2, CK_F32, 1, &n));
    if (ok && adam) { /* Adam's moments start at zero (PyTorch); SGD's velocity stays poisoned until step 1 writes it */
        const double *zeros = s.es1; /* the error bounds start at zero too */
        ckt_pair_write(&t.s1, zeros);
        ckt_pair_write(&t.s2, zeros);
    }
    for (int step = 1; ok && step <= STEPS; step++) {
        ckt_fill_uniform(t.g.test, seed + (uint64_t)step, -1.0, 1.0);
        ckt_fill_uniform(t.g.ref, seed + (uint64_t)step, -1.0, 1.0);
        free(s.p), free(s.g), free(s.s1), free(s.s2);
        s.p = ckt_read_new(run, t.p.ref);
        s.g = ckt_read_new(run, t.g.ref);
        s.s1 = has_s1 ? ckt_read_new(run, t.s1.ref) : NULL;
        s.s2 = has_s2 ? ckt_read_new(run, t.s2.ref) : NULL;
        ck_status st, sr;
        if (adam) {
            ck_adam_params a = *adam;
            a.step = step;
            st = ck_adam_update(run->ctx, &a, &t.p.test->t, &t.g.test->t, &t.s1.test->t, &t.s2.test->t);
            sr = ck_adam_update(run->ref, &a, &t.p.ref->t, &t.g.ref->t, &t.s1.ref->t, &t.s2.ref->t);
            s1_new = ckt_read_new(run, t.s1.ref);
            s2_new = ckt_read_new(run, t.s2.ref);
            if (s1_new && s2_new) adam_errors(&s, &a, s1_new, s2_new);
        } else {
            ck_sgd_params o = *sgd;
            o.step = step;
            st = ck_sgd_update(run->ctx, &o, &t.p.test->t, &t.g.test->t, ckt_test_view(has_s1 ? &t.s1 : NULL));
            sr = ck_sgd_update(run->ref, &o, &t.p.ref->t, &t.g.ref->t, ckt_ref_view(has_s1 ? &t.s1 : NULL));
            s1_new = has_s1 ? ckt_read_new(run, t.s1.ref) : NULL;
            if (!has_s1 || s1_new) sgd_errors(&s, &o, s1_new);
        }
        char what[32];
        snprintf(what, sizeof what, "step %d", step);
        ok = s.p && s.g && (!has_s1 || (s.s1 && s1_new)) && (!has_s2 || (s.s2 && s2_new)) &&
             ckt_pair_expect_ok(run, st, sr, what);
        if (ok) compare(run, &t, &s, step, has_s1, has_s2);
        free(s1_new), free(s2_new);
        s1_new = s2_new = NULL;
    }
    free(s.p), free(s.g), free(s.s1), free(s.s2), free(s.ep), free(s.es1), free(s.es2);
    ckt_pair_free(&t.p);
    ckt_pair_free(&t.g);
    ckt_pair_free(&t.s1);
    ckt_pair_free(&t.s2);
}

void ckt_suite_optim(ckt_run *run) {
    /* lr, momentum, dampening, weight_decay, nesterov, step */
    static const ck_sgd_params sgds[] = {
        {0.1f, 0.0f, 0.0f, 0.0f, 0, 1},
        {0.1f, 0.9f, 0.0f, 0.0f, 0, 1},
        {0.05f, 0.9f, 0.1f, 1e-2f, 0, 1},
        {0.1f, 0.9f, 0.0f, 5e-4f, 1, 1},
    };
    /* lr, beta1, beta2, epsilon, weight_decay, decoupled, step */
    static const ck_adam_params adams[] = {
        {1e-3f, 0.9f, 0.999f, 1e-8f, 0.0f, 0, 1},
        {1e-2f, 0.9f, 0.999f, 1e-8f, 1e-2f, 0, 1},
        {1e-2f, 0.9f, 0.999f, 1e-8f, 1e-2f, 1, 1},
        {0.1f, 0.5f, 0.9f, 1e-6f, 0.0f, 0, 1},
    };
    static const int64_t sizes[] = {1, 1003, 1728};
    uint64_t seed = 120000;
    for (size_t z = 0; z < sizeof sizes / sizeof sizes[0]; z++) {
        for (size_t i = 0; i < sizeof sgds / sizeof sgds[0]; i++, seed += 100) {
            const ck_sgd_params *o = &sgds[i];
            ckt_case(run, "sgd %lld elements lr %g momentum %g dampening %g weight_decay %g%s, %d steps",
                     (long long)sizes[z], (double)o->lr, (double)o->momentum, (double)o->dampening,
                     (double)o->weight_decay, o->nesterov ? " nesterov" : "", STEPS);
            run_optimizer(run, o, NULL, sizes[z], seed);
        }
        for (size_t i = 0; i < sizeof adams / sizeof adams[0]; i++, seed += 100) {
            const ck_adam_params *o = &adams[i];
            ckt_case(run, "%s %lld elements lr %g betas %g,%g eps %g weight_decay %g, %d steps",
                     o->decoupled_weight_decay ? "adamw" : "adam", (long long)sizes[z], (double)o->lr,
                     (double)o->beta1, (double)o->beta2, (double)o->epsilon, (double)o->weight_decay, STEPS);
            run_optimizer(run, NULL, o, sizes[z], seed);
        }
    }
}
