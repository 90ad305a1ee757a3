/*
 * batchnorm_bounds.c — first-order float32 error bounds of batch norm
 * (u = 2^-24; m = N*H*W values per channel; sums of k terms err by at most
 * k * u * sum|terms| in any order, see conv_check.h).
 *
 * Forward, training:
 *   mean:    d_mean = (m + 2) u E|x|              (m-term sum, division, the reference's rounding)
 *   var:     d_var  = (m + 4) u (E[x^2] + mean^2) + 2 |mean| d_mean
 *            (covers two-pass, Welford and E[x^2] - mean^2 alike)
 *   invstd:  d_inv  = invstd (d_var / (2 (var + eps)) + 3u)   (add eps, sqrt, divide)
 *   y:       |gamma| (invstd d_mean + |x - mean| d_inv) + 6u ((|x| + |mean|) invstd |gamma| + |beta|)
 *            (the affine map, in either order: (x - mean) * invstd * gamma + beta,
 *             or x * (invstd * gamma) + (beta - mean * invstd * gamma))
 *   running: momentum * d_stat (* m/(m-1) for the variance) + 5u * sum|terms|
 * Forward, inference: mean and var are the running statistics (d_mean =
 *   d_var = 0); saved_mean must be running_mean exactly, and the running
 *   statistics must not change.
 * Backward (saved statistics given, xhat = (x - mean) * invstd):
 *   dbeta  = sum dy:          (m + 2) u (sum|dy| + |prev|)
 *   dgamma = sum dy * xhat:   (m + 5) u (B + |prev|), B = sum |dy| (|x| + |mean|) invstd
 *   dx (training) = gamma invstd (dy - sum dy / m - xhat sum(dy xhat) / m):
 *            |gamma| invstd (m + 6) u (|dy| + sum|dy| / m + (|x| + |mean|) invstd B / m) + 2u |prev|
 *   dx (inference) = gamma invstd dy: 4u (|gamma dy| invstd + |prev|)
 */
#include "batchnorm_bounds.h"

#include <math.h>
#include <stdlib.h>

#define U CKT_F32_UNIT

/** Host copies of a pair's reference half (NULL pair: NULL, not an error). */
static double *read_ref(ckt_run *run, const ckt_pair *p, int *ok) {
    if (!p) return NULL;
    double *v = ckt_read_new(run, p->ref);
    if (!v) *ok = 0;
    return v;
}

static double *alloc_tol(ckt_run *run, size_t n, int *ok) {
    double *v = calloc(n ? n : 1, sizeof *v);
    if (!v) {
        ckt_fail(run, "out of host memory for %zu tolerances", n);
        *ok = 0;
    }
    return v;
}

/** Layout of x (N, C, H, W): element j of channel c in batch n is x[(n*C + c)*HW + j]. */
typedef struct bn_layout {
    int64_t n, c, hw;
} bn_layout;

static bn_layout layout_of(const ckt_pair *x) {
    const int64_t *d = x->ref->t.dims;
    bn_layout l = {d[0], d[1], d[2] * d[3]};
    return l;
}

static size_t at(bn_layout l, int64_t n, int64_t c, int64_t j) { return (size_t)((n * l.c + c) * l.hw + j); }

/** Batch mean, biased variance, E|x| and E[x^2] of channel c. */
static void channel_stats(const double *x, bn_layout l, int64_t c, double *mean, double *var, double *abs_mean,
                          double *sq_mean) {
    double m = (double)(l.n * l.hw), sum = 0.0, abs_sum = 0.0, sq = 0.0, dev = 0.0;
    for (int64_t n = 0; n < l.n; n++)
        for (int64_t j = 0; j < l.hw; j++) {
            double v = x[at(l, n, c, j)];
            sum += v;
            abs_sum += fabs(v);
            sq += v * v;
        }
    *mean = sum / m;
    for (int64_t n = 0; n < l.n; n++)
        for (int64_t j = 0; j < l.hw; j++) dev += (x[at(l, n, c, j)] - *mean) * (x[at(l, n, c, j)] - *mean);
    *var = dev / m;
    *abs_mean = abs_sum / m;
    *sq_mean = sq / m;
}

int ckt_bn_forward_bounds(ckt_run *run, ckt_bn_bounds *b, const ckt_pair *x, const ckt_pair *gamma,
                          const ckt_pair *beta, const double *rm, const double *rv, const ck_batchnorm_params *p) {
    int ok = 1;
    bn_layout l = layout_of(x);
    double m = (double)(l.n * l.hw), mom = p->momentum;
    double *vx = read_ref(run, x, &ok), *vg = read_ref(run, gamma, &ok), *vb = read_ref(run, beta, &ok);
    b->y = alloc_tol(run, x->ref->count, &ok);
    b->saved_mean = alloc_tol(run, (size_t)l.c, &ok);
    b->saved_invstd = alloc_tol(run, (size_t)l.c, &ok);
    b->running_mean = alloc_tol(run, (size_t)l.c, &ok);
    b->running_var = alloc_tol(run, (size_t)l.c, &ok);
    for (int64_t c = 0; ok && c < l.c; c++) {
        double mean = rm[c], var = rv[c], d_mean = 0.0, d_var = 0.0, abs_mean, sq_mean;
        if (p->training) {
            channel_stats(vx, l, c, &mean, &var, &abs_mean, &sq_mean);
            d_mean = (m + 2.0) * U * abs_mean;
            d_var = (m + 4.0) * U * (sq_mean + mean * mean) + 2.0 * fabs(mean) * d_mean;
        }
        double var_eps = var + (double)p->epsilon, invstd = 1.0 / sqrt(var_eps);
        double d_inv = invstd * (d_var / (2.0 * var_eps) + 3.0 * U);
        b->saved_mean[c] = p->training ? d_mean + U * fabs(mean) : 0.0;
        b->saved_invstd[c] = d_inv + U * invstd;
        if (p->training) {
            double unbiased = var * m / (m - 1.0);
            b->running_mean[c] = mom * d_mean + 5.0 * U * ((1.0 - mom) * fabs(rm[c]) + mom * fabs(mean));
            b->running_var[c] = mom * d_var * m / (m - 1.0) + 5.0 * U * ((1.0 - mom) * fabs(rv[c]) + mom * unbiased);
        }
        for (int64_t n = 0; n < l.n; n++)
            for (int64_t j = 0; j < l.hw; j++) {
                size_t i = at(l, n, c, j);
                double g = fabs(vg[c]);
                b->y[i] = g * (invstd * d_mean + fabs(vx[i] - mean) * d_inv) +
                          6.0 * U * ((fabs(vx[i]) + fabs(mean)) * invstd * g + fabs(vb[c]));
            }
    }
    free(vx);
    free(vg);
    free(vb);
    return ok;
}

int ckt_bn_saved_statistics(ckt_run *run, const ckt_pair *x, const double *rm, const double *rv,
                            const ck_batchnorm_params *p, ckt_pair *saved_mean, ckt_pair *saved_invstd) {
    int ok = 1;
    bn_layout l = layout_of(x);
    double *vx = read_ref(run, x, &ok), *mean = alloc_tol(run, (size_t)l.c, &ok), *inv = alloc_tol(run, (size_t)l.c, &ok);
    for (int64_t c = 0; ok && c < l.c; c++) {
        double var = rv[c], abs_mean, sq_mean;
        mean[c] = rm[c];
        if (p->training) channel_stats(vx, l, c, &mean[c], &var, &abs_mean, &sq_mean);
        inv[c] = 1.0 / sqrt(var + (double)p->epsilon);
    }
    if (ok) {
        ckt_pair_write(saved_mean, mean);
        ckt_pair_write(saved_invstd, inv);
    }
    free(vx);
    free(mean);
    free(inv);
    return ok;
}

int ckt_bn_backward_bounds(ckt_run *run, ckt_bn_bounds *b, const ckt_pair *x, const ckt_pair *dy,
                           const ckt_pair *gamma, const ckt_pair *saved_mean, const ckt_pair *saved_invstd,
                           const ckt_pair *dx, const ckt_pair *dgamma, const ckt_pair *dbeta,
                           const ck_batchnorm_params *p, float beta_acc) {
    int ok = 1;
    bn_layout l = layout_of(x);
    double m = (double)(l.n * l.hw), acc = fabs((double)beta_acc);
    double *vx = read_ref(run, x, &ok), *vdy = read_ref(run, dy, &ok), *vg = read_ref(run, gamma, &ok);
    double *mean = read_ref(run, saved_mean, &ok), *inv = read_ref(run, saved_invstd, &ok);
    double *old_dx = read_ref(run, dx, &ok), *old_dg = read_ref(run, dgamma, &ok), *old_db = read_ref(run, dbeta, &ok);
    b->dx = alloc_tol(run, x->ref->count, &ok);
    b->dgamma = alloc_tol(run, (size_t)l.c, &ok);
    b->dbeta = alloc_tol(run, (size_t)l.c, &ok);
    for (int64_t c = 0; ok && c < l.c; c++) {
        double abs_dy = 0.0, abs_dy_xhat = 0.0;
        for (int64_t n = 0; n < l.n; n++)
            for (int64_t j = 0; j < l.hw; j++) {
                size_t i = at(l, n, c, j);
                abs_dy += fabs(vdy[i]);
                abs_dy_xhat += fabs(vdy[i]) * (fabs(vx[i]) + fabs(mean[c])) * inv[c];
            }
        double prev_g = acc != 0.0 && old_dg ? acc * fabs(old_dg[c]) : 0.0;
        double prev_b = acc != 0.0 && old_db ? acc * fabs(old_db[c]) : 0.0;
        b->dbeta[c] = (m + 2.0) * U * (abs_dy + prev_b);
        b->dgamma[c] = (m + 5.0) * U * (abs_dy_xhat + prev_g);
        double scale = fabs(vg[c]) * inv[c];
        for (int64_t n = 0; n < l.n; n++)
            for (int64_t j = 0; j < l.hw; j++) {
                size_t i = at(l, n, c, j);
                double prev = acc != 0.0 ? acc * fabs(old_dx[i]) : 0.0;
                if (p->training)
                    b->dx[i] = scale * (m + 6.0) * U *
                                   (fabs(vdy[i]) + abs_dy / m + (fabs(vx[i]) + fabs(mean[c])) * inv[c] * abs_dy_xhat / m) +
                               2.0 * U * prev;
                else
                    b->dx[i] = 4.0 * U * (scale * fabs(vdy[i]) + prev);
            }
    }
    free(vx);
    free(vdy);
    free(vg);
    free(mean);
    free(inv);
    free(old_dx);
    free(old_dg);
    free(old_db);
    return ok;
}

void ckt_bn_bounds_free(ckt_bn_bounds *b) {
    free(b->y);
    free(b->saved_mean);
    free(b->saved_invstd);
    free(b->running_mean);
    free(b->running_var);
    free(b->dx);
    free(b->dgamma);
    free(b->dbeta);
}
