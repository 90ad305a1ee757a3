/*
 * suite_activation.c — ReLU, LeakyReLU, sigmoid and tanh, forward (out of
 * place and in place) and backward (beta 0 and 1), on the backend under test
 * against the reference. Inputs mix uniform values in [-6, 6) with exact
 * zeros of both signs, tiny values and saturating ones (+-20, +-100).
 *
 * Tolerances (u = 2^-24):
 *  - ReLU / LeakyReLU forward: exact (a selection, or one IEEE product that
 *    the reference rounds identically).
 *  - sigmoid / tanh forward: |got - want| <= 4u + 4u * |want|. The outputs lie
 *    in [-1, 1]; an exp-based float32 formula is accurate to a few ulp of the
 *    output scale (absolute near 0, where tanh(x) = (e^2x - 1)/(e^2x + 1)
 *    cancels), and the reference is the double result rounded once.
 *  - ReLU / LeakyReLU backward: dx = f'(x) * dy + beta * dx, a product and a
 *    sum: 3 * u * (|f'(x) dy| + |beta dx|), the third u for the reference.
 *    ReLU'(0) = 0 is also checked exactly at +0 and -0.
 *  - sigmoid / tanh backward: f'(x) (|f'| <= 1) computed from exp to ~6u
 *    absolute, times dy, plus the accumulation and the reference's rounding:
 *    10 * u * (|dy| + |beta dx|).
 */
#include "crosscheck.h"
#include "suites.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static const double specials[] = {0.0, -0.0, 20.0, -20.0, 100.0, -100.0, 1e-3, -1e-3, 1e-30, -1e-30};
#define SPECIAL_COUNT (sizeof specials / sizeof specials[0])

typedef struct act_kind {
    ck_activation act;
    float alpha;
    const char *name;
} act_kind;

static const act_kind kinds[] = {
    {CK_ACT_RELU, 0.0f, "relu"},       {CK_ACT_LEAKY_RELU, 0.01f, "leaky_relu 0.01"},
    {CK_ACT_LEAKY_RELU, 0.2f, "leaky_relu 0.2"}, {CK_ACT_SIGMOID, 0.0f, "sigmoid"},
    {CK_ACT_TANH, 0.0f, "tanh"},
};

static int is_piecewise_linear(ck_activation act) { return act == CK_ACT_RELU || act == CK_ACT_LEAKY_RELU; }

/** Uniform values in [-6, 6) with the special values spread over the first elements. */
static int make_input(ckt_run *run, ckt_pair *x, int32_t ndim, const int64_t *dims, uint64_t seed) {
    if (!ckt_pair_uniform(run, x, ndim, dims, seed, -6.0, 6.0)) return 0;
    double *v = ckt_read_new(run, x->ref);
    if (!v) return 0;
    for (size_t i = 0; i < SPECIAL_COUNT && i < x->ref->count; i++) v[i * 3 % x->ref->count] = specials[i];
    ckt_pair_write(x, v);
    free(v);
    return 1;
}

static void check_forward(ckt_run *run, const act_kind *k, const ckt_pair *x_in, int in_place) {
    ckt_pair x = {0}, y = {0};
    /* In place, the op overwrites x: work on a copy so the backward check keeps the input. */
    double *v = ckt_read_new(run, x_in->ref);
    if (v && ckt_pair_values(run, &x, x_in->ref->t.ndim, x_in->ref->t.dims, v) &&
        (in_place || ckt_pair_new(run, &y, CK_F32, x.ref->t.ndim, x.ref->t.dims))) {
        const ckt_pair *out = in_place ? &x : &y;
        ck_status st = ck_activation_forward(run->ctx, k->act, k->alpha, &x.test->t, &out->test->t);
        ck_status sr = ck_activation_forward(run->ref, k->act, k->alpha, &x.ref->t, &out->ref->t);
        const char *what = in_place ? "forward y (in place)" : "forward y";
        if (ckt_pair_expect_ok(run, st, sr, what)) {
            if (is_piecewise_linear(k->act)) ckt_pair_expect_close(run, what, out, 0.0, 0.0);
            else ckt_pair_expect_close(run, what, out, 4.0 * CKT_F32_UNIT, 4.0 * CKT_F32_UNIT);
        }
    }
    free(v);
    ckt_pair_free(&x);
    ckt_pair_free(&y);
}

/** dx must be exactly beta * previous dx where x is +0 or -0 (ReLU'(0) = 0), for ReLU. */
static void check_relu_zero(ckt_run *run, const double *x, const double *got, const double *old, size_t n, float beta) {
    size_t bad = n;
    for (size_t i = 0; i < n && bad == n; i++)
        if (x[i] == 0.0 && got[i] != (beta != 0.0f ? beta * old[i] : 0.0)) bad = i;
    ckt_expect(run, bad == n, "relu backward: dx[%zu] = %.9g at x = 0; ReLU'(0) must be 0", bad, bad < n ? got[bad] : 0.0);
}

static void check_backward(ckt_run *run, const act_kind *k, const ckt_pair *x, float beta, uint64_t seed) {
    size_t n = x->ref->count;
    ckt_pair dy = {0}, dx = {0};
    double *vx = ckt_read_new(run, x->ref), *vdy = NULL, *old = NULL, *tol = malloc(n * sizeof *tol), *got = NULL;
    char what[64];
    snprintf(what, sizeof what, "backward dx (beta %g)", (double)beta);
    if (vx && tol && ckt_pair_uniform(run, &dy, x->ref->t.ndim, x->ref->t.dims, seed, -1.0, 1.0) &&
        ckt_pair_new(run, &dx, CK_F32, x->ref->t.ndim, x->ref->t.dims) && (vdy = ckt_read_new(run, dy.ref)) != NULL) {
        if (beta != 0.0f) {
            ckt_fill_uniform(dx.test, seed + 1, -1.0, 1.0);
            ckt_fill_uniform(dx.ref, seed + 1, -1.0, 1.0);
        }
        old = ckt_read_new(run, dx.ref);
        ck_status st = ck_activation_backward(run->ctx, k->act, k->alpha, &x->test->t, &dy.test->t, beta, &dx.test->t);
        ck_status sr = ck_activation_backward(run->ref, k->act, k->alpha, &x->ref->t, &dy.ref->t, beta, &dx.ref->t);
        if (old && ckt_pair_expect_ok(run, st, sr, what)) {
            for (size_t i = 0; i < n; i++) {
                double prev = beta != 0.0f ? fabs(beta * old[i]) : 0.0;
                if (is_piecewise_linear(k->act)) {
                    double slope = vx[i] > 0.0 ? 1.0 : (k->act == CK_ACT_RELU ? 0.0 : fabs((double)k->alpha));
                    tol[i] = 3.0 * CKT_F32_UNIT * (slope * fabs(vdy[i]) + prev);
                } else {
                    tol[i] = 10.0 * CKT_F32_UNIT * (fabs(vdy[i]) + prev);
                }
            }
            ckt_pair_expect_within_tol(run, what, &dx, tol);
            if (k->act == CK_ACT_RELU && (got = ckt_read_new(run, dx.test)) != NULL)
                check_relu_zero(run, vx, got, old, n, beta);
        }
    }
    free(vx);
    free(vdy);
    free(old);
    free(tol);
    free(got);
    ckt_pair_free(&dy);
    ckt_pair_free(&dx);
}

void ckt_suite_activation(ckt_run *run) {
    static const int64_t one[1] = {1}, seven[1] = {7}, odd[1] = {1037}, small[4] = {2, 3, 7, 9}, large[4] = {4, 64, 14, 14};
    const struct { int32_t ndim; const int64_t *dims; const char *label; } shapes[] = {
        {1, one, "1"}, {1, seven, "7"}, {1, odd, "1037"}, {4, small, "2x3x7x9"}, {4, large, "4x64x14x14"},
    };
    uint64_t seed = 80000;
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++, seed += 10) {
            ckt_case(run, "activation %s on %s", kinds[k].name, shapes[s].label);
            ckt_pair x = {0};
            if (make_input(run, &x, shapes[s].ndim, shapes[s].dims, seed)) {
                check_forward(run, &kinds[k], &x, 0);
                check_forward(run, &kinds[k], &x, 1);
                check_backward(run, &kinds[k], &x, 0.0f, seed + 1);
                check_backward(run, &kinds[k], &x, 1.0f, seed + 3);
            }
            ckt_pair_free(&x);
        }
    }
}
