/*
 * fixture_ops_batchnorm.c — fixture cases of batchnorm2d.
 *
 * Tolerances: batchnorm_bounds.c bounds one float32 implementation against
 * the exact result (for any summation order and variance algorithm), so
 * ConvKit and the fixture's implementation differ by at most twice that.
 * Backward in training mode runs on the fixture's own saved statistics (what
 * PyTorch's backward used), so the backward bounds apply as they are. In
 * inference mode the saved statistics are ConvKit's (saved_invstd =
 * 1/sqrt(running_var + eps), computed by each side): the two invstd values
 * differ by up to twice its forward bound, which adds
 * |gamma dy| * that to dx and sum |dy (x - mean)| * that to dgamma.
 *
 * Running variance. ConvKit, like PyTorch, updates running_var with the
 * unbiased batch variance var * m/(m-1) (m = N*H*W); ONNX BatchNormalization
 * uses the biased one (the case says so with running_var_biased 1). A user
 * moving an ONNX model expects ConvKit's own documented semantics, not
 * ONNX's, so for such a case the ONNX value is converted, not skipped:
 *   onnx_out   = (1 - momentum) rv + momentum var
 *   convkit    = (1 - momentum) rv + momentum var m/(m-1)
 *              = (1 - momentum) rv + (onnx_out - (1 - momentum) rv) m/(m-1)
 * (in double, exact enough). The ONNX value's own error, at most the
 * running_var bound, is scaled by m/(m-1) on the way, so the tolerance is
 * bound * (1 + m/(m-1)). A failure message names the conversion.
 */
#include "batchnorm_bounds.h"
#include "fixture_ops.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/** A pair on both backends from fixture values (as batchnorm_bounds.h takes them); halves owned by the case. */
static ckt_pair upload_pair(ckt_fixture *f, const ckf_tensor *t, int *ok) {
    ckt_pair p = {ckt_fx_upload(f, f->run->ctx, t, 0, ok), ckt_fx_upload(f, f->run->ref, t, 0, ok)};
    return p;
}

static double *scaled(ckt_run *run, const double *tol, size_t n, double factor) {
    double *out = malloc((n ? n : 1) * sizeof *out);
    if (!out) {
        ckt_fail(run, "out of host memory");
        return NULL;
    }
    for (size_t i = 0; i < n; i++) out[i] = factor * tol[i];
    return out;
}

/** Compares `got` with fixture tensor `want` (if the case has it) within factor * tol. */
static void expect_scaled(ckt_fixture *f, const ckt_tensor *got, const ckf_tensor *want, const double *tol,
                          double factor) {
    if (!want || !tol) return;
    double *t = scaled(f->run, tol, want->count, factor);
    if (t) ckt_fx_expect_tol(f, got, want, t);
    free(t);
}

/** running_var_out of a case whose source updated with the biased variance, converted to the unbiased update. */
static void expect_converted_running_var(ckt_fixture *f, const ckt_tensor *got, const ckf_tensor *want,
                                         const ckf_tensor *rv, double momentum, double m, const double *tol) {
    size_t c = want->count;
    ckf_tensor converted = *want;
    double *values = malloc(c * sizeof *values), *t = scaled(f->run, tol, c, 1.0 + m / (m - 1.0));
    if (values && t) {
        for (size_t i = 0; i < c; i++) {
            double kept = (1.0 - momentum) * rv->values[i];
            values[i] = kept + (want->values[i] - kept) * m / (m - 1.0);
        }
        converted.values = values;
        snprintf(converted.name, sizeof converted.name, "running_var_out (biased update made unbiased)");
        ckt_fx_expect_tol(f, got, &converted, t);
    }
    free(values);
    free(t);
}

/** Inference leaves the running statistics alone. */
static void expect_unchanged(ckt_fixture *f, const ckt_tensor *got, const ckf_tensor *before) {
    double *g = ckt_read_new(f->run, got), *want = g ? ckt_fx_float32(f->run, before) : NULL;
    char what[96];
    snprintf(what, sizeof what, "inference leaves %s unchanged", before->name);
    if (want) ckt_expect_close(f->run, what, g, want, before->count, 0.0, 0.0);
    free(g);
    free(want);
}

/** The forward tensors of a case. */
typedef struct bn_tensors {
    const ckf_tensor *x, *gamma, *beta, *rm, *rv, *y;
    ckt_pair px, pgamma, pbeta;
    ckt_tensor *rm_t, *rv_t, *mean_t, *invstd_t;
} bn_tensors;

static void check_backward(ckt_fixture *f, const ck_batchnorm_params *p, bn_tensors *b, const ckt_bn_bounds *fwd);

static void run_batchnorm2d(ckt_fixture *f) {
    ckt_run *run = f->run;
    int ok = 1;
    const ck_batchnorm_params p = {(float)ckt_fx_attr(f, "epsilon", 0, &ok), (float)ckt_fx_attr(f, "momentum", 0, &ok),
                                   (int32_t)ckt_fx_attr(f, "training", 0, &ok)};
    const int biased = ckt_fx_attr(f, "running_var_biased", 0, &ok) != 0.0;
    bn_tensors b;
    b.x = ckt_fx_tensor(f, "x", &ok), b.gamma = ckt_fx_tensor(f, "gamma", &ok), b.beta = ckt_fx_tensor(f, "beta", &ok);
    b.rm = ckt_fx_tensor(f, "running_mean", &ok), b.rv = ckt_fx_tensor(f, "running_var", &ok);
    b.y = ckt_fx_tensor(f, "y", &ok);
    if (!ok || !ckt_expect(run, b.x->ndim == 4 && b.gamma->ndim == 1, "x must be 4-D, gamma 1-D")) return;
    const int64_t *channels = &b.x->dims[1];
    const double m = (double)(b.x->dims[0] * b.x->dims[2] * b.x->dims[3]);
    b.px = upload_pair(f, b.x, &ok), b.pgamma = upload_pair(f, b.gamma, &ok), b.pbeta = upload_pair(f, b.beta, &ok);
    b.rm_t = ckt_fx_upload(f, run->ctx, b.rm, 0, &ok), b.rv_t = ckt_fx_upload(f, run->ctx, b.rv, 0, &ok);
    b.mean_t = ckt_fx_output(f, run->ctx, 1, channels, &ok), b.invstd_t = ckt_fx_output(f, run->ctx, 1, channels, &ok);
    ckt_tensor *y = ckt_fx_output(f, run->ctx, 4, b.x->dims, &ok);
    ckt_bn_bounds bounds = {0};
    if (!ok || !ckt_bn_forward_bounds(run, &bounds, &b.px, &b.pgamma, &b.pbeta, b.rm->values, b.rv->values, &p)) {
        ckt_bn_bounds_free(&bounds);
        return;
    }
    if (ckt_expect_ok(run,
                      ck_batchnorm2d_forward(run->ctx, &p, &b.px.test->t, &b.pgamma.test->t, &b.pbeta.test->t,
                                             &b.rm_t->t, &b.rv_t->t, &b.mean_t->t, &b.invstd_t->t, &y->t),
                      run->ctx, "forward")) {
        expect_scaled(f, y, b.y, bounds.y, 2.0);
        expect_scaled(f, b.mean_t, ckt_fx_optional(f, "saved_mean"), bounds.saved_mean, 2.0);
        expect_scaled(f, b.invstd_t, ckt_fx_optional(f, "saved_invstd"), bounds.saved_invstd, 2.0);
        if (p.training) {
            expect_scaled(f, b.rm_t, ckt_fx_optional(f, "running_mean_out"), bounds.running_mean, 2.0);
            const ckf_tensor *rv_out = ckt_fx_optional(f, "running_var_out");
            if (rv_out && biased)
                expect_converted_running_var(f, b.rv_t, rv_out, b.rv, p.momentum, m, bounds.running_var);
            else
                expect_scaled(f, b.rv_t, rv_out, bounds.running_var, 2.0);
        } else {
            expect_unchanged(f, b.rm_t, b.rm);
            expect_unchanged(f, b.rv_t, b.rv);
        }
        if (ckt_fx_optional(f, "dy")) check_backward(f, &p, &b, &bounds);
    }
    ckt_bn_bounds_free(&bounds);
}

/** Extra tolerance of inference backward: the two sides' invstd differ by up to twice its forward bound. */
static void add_invstd_spread(const bn_tensors *b, const ckf_tensor *dy, const double *inv_tol, double *dx_tol,
                              double *dgamma_tol) {
    const int64_t n = b->x->dims[0], c = b->x->dims[1], hw = b->x->dims[2] * b->x->dims[3];
    for (int64_t ch = 0; ch < c; ch++) {
        double spread = 2.0 * inv_tol[ch], dgamma_extra = 0.0;
        for (int64_t i = 0; i < n; i++)
            for (int64_t j = 0; j < hw; j++) {
                size_t k = (size_t)((i * c + ch) * hw + j);
                dx_tol[k] += fabs(b->gamma->values[ch] * dy->values[k]) * spread;
                dgamma_extra += fabs(dy->values[k] * (b->x->values[k] - b->rm->values[ch])) * spread;
            }
        dgamma_tol[ch] += dgamma_extra;
    }
}

static void check_backward(ckt_fixture *f, const ck_batchnorm_params *p, bn_tensors *b, const ckt_bn_bounds *fwd) {
    ckt_run *run = f->run;
    int ok = 1;
    const ckf_tensor *dy = ckt_fx_tensor(f, "dy", &ok), *dx = ckt_fx_tensor(f, "dx", &ok);
    const ckf_tensor *dgamma = ckt_fx_tensor(f, "dgamma", &ok), *dbeta = ckt_fx_tensor(f, "dbeta", &ok);
    ckt_pair mean = {b->mean_t, NULL}, invstd = {b->invstd_t, NULL};
    if (p->training) { /* the fixture's saved statistics: the ones its backward used */
        mean = upload_pair(f, ckt_fx_tensor(f, "saved_mean", &ok), &ok);
        invstd = upload_pair(f, ckt_fx_tensor(f, "saved_invstd", &ok), &ok);
    } else { /* ConvKit's, also on the reference side for the bounds */
        mean.ref = ckt_fx_output(f, run->ref, 1, &b->x->dims[1], &ok);
        invstd.ref = ckt_fx_output(f, run->ref, 1, &b->x->dims[1], &ok);
        double *mv = ok ? ckt_read_new(run, b->mean_t) : NULL, *iv = mv ? ckt_read_new(run, b->invstd_t) : NULL;
        if (iv) {
            ckt_write(mean.ref, mv);
            ckt_write(invstd.ref, iv);
        }
        ok = ok && iv;
        free(mv);
        free(iv);
    }
    ckt_pair pdy = upload_pair(f, dy, &ok);
    ckt_tensor *tdx = ckt_fx_output(f, run->ctx, 4, b->x->dims, &ok);
    ckt_tensor *tdg = ckt_fx_output(f, run->ctx, 1, &b->x->dims[1], &ok);
    ckt_tensor *tdb = ckt_fx_output(f, run->ctx, 1, &b->x->dims[1], &ok);
    ckt_bn_bounds bounds = {0};
    if (ok && ckt_bn_backward_bounds(run, &bounds, &b->px, &pdy, &b->pgamma, &mean, &invstd, NULL, NULL, NULL, p, 0.0f) &&
        ckt_expect_ok(run,
                      ck_batchnorm2d_backward(run->ctx, p, &b->px.test->t, &pdy.test->t, &b->pgamma.test->t,
                                              &mean.test->t, &invstd.test->t, 0.0f, &tdx->t, &tdg->t, &tdb->t),
                      run->ctx, "backward")) {
        double *dx_tol = scaled(run, bounds.dx, dx->count, 2.0), *dg_tol = scaled(run, bounds.dgamma, dgamma->count, 2.0);
        if (dx_tol && dg_tol) {
            if (!p->training) add_invstd_spread(b, dy, fwd->saved_invstd, dx_tol, dg_tol);
            ckt_fx_expect_tol(f, tdx, dx, dx_tol);
            ckt_fx_expect_tol(f, tdg, dgamma, dg_tol);
            expect_scaled(f, tdb, dbeta, bounds.dbeta, 2.0);
        }
        free(dx_tol);
        free(dg_tol);
    }
    ckt_bn_bounds_free(&bounds);
}

static const char *const bn_attrs[] = {"epsilon", "momentum", "training", "running_var_biased", NULL};
static const char *const bn_tensor_names[] = {"x",  "gamma",        "beta",     "running_mean",     "running_var",
                                              "y",  "saved_mean",   "saved_invstd", "running_mean_out",
                                              "running_var_out", "dy", "dx", "dgamma", "dbeta", NULL};

const ckt_fixture_op ckt_fixture_batchnorm_ops[] = {
    {"batchnorm2d", bn_attrs, bn_tensor_names, run_batchnorm2d},
    {NULL, NULL, NULL, NULL},
};
