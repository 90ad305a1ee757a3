/*
 * ref_batchnorm.c — batch normalization over (N, H, W) per channel, forward
 * (training and inference) and backward, of the reference backend.
 *
 * x, y, dy, dx: (N, C, H, W); gamma, beta, running_*, saved_*, dgamma, dbeta: (C).
 * n = N * H * W values per channel.
 * Training forward: mean = sum(x) / n, var = sum((x - mean)^2) / n (biased),
 *   invstd = 1 / sqrt(var + eps), y = (x - mean) * invstd * gamma + beta;
 *   saved_mean = mean, saved_invstd = invstd; when given, running statistics
 *   become (1 - momentum) * running + momentum * batch, the batch variance
 *   unbiased: var * n / (n - 1) (PyTorch's; the core refuses training with
 *   n == 1, where that is undefined).
 * Inference forward: mean = running_mean, invstd = 1 / sqrt(running_var + eps),
 *   written to saved_mean / saved_invstd; y as above.
 * Backward, with xhat = (x - saved_mean) * saved_invstd:
 *   dgamma = sum(dy * xhat), dbeta = sum(dy);
 *   training:  dx = gamma * invstd / n * (n * dy - sum(dy) - xhat * sum(dy * xhat));
 *   inference: dx = dy * gamma * invstd (the statistics are constants).
 */
#include "reference/reference_ops.h"
#include "reference/ref_tensor.h"

#include <math.h>

typedef struct bn_shape {
    int64_t batch, channels, plane; /* N, C, H * W */
} bn_shape;

static bn_shape describe(const ck_tensor *x) {
    bn_shape s = {x->dims[0], x->dims[1], x->dims[2] * x->dims[3]};
    return s;
}

static int64_t element(const bn_shape *s, int64_t b, int64_t c, int64_t i) {
    return (b * s->channels + c) * s->plane + i;
}

/* Batch mean and biased variance of channel c (two passes). */
static void channel_moments(const bn_shape *s, const double *x, int64_t c, double *mean, double *var) {
    double count = (double)(s->batch * s->plane), sum = 0.0, squares = 0.0;
    for (int64_t b = 0; b < s->batch; b++)
        for (int64_t i = 0; i < s->plane; i++) sum += x[element(s, b, c, i)];
    *mean = sum / count;
    for (int64_t b = 0; b < s->batch; b++)
        for (int64_t i = 0; i < s->plane; i++) {
            double d = x[element(s, b, c, i)] - *mean;
            squares += d * d;
        }
    *var = squares / count;
}

ck_status ck_ref_batchnorm2d_forward(ck_backend *backend, const ck_batchnorm2d_forward_args *args) {
    const ck_batchnorm_params *p = args->params;
    bn_shape s = describe(args->x);
    ck_ref_arena arena;
    ck_ref_arena_init(&arena, backend, "batchnorm2d_forward");
    double *x = ck_ref_load(&arena, args->x);
    double *gamma = ck_ref_load(&arena, args->gamma);
    double *beta = ck_ref_load(&arena, args->beta);
    double *running_mean = ck_ref_load(&arena, args->running_mean);
    double *running_var = ck_ref_load(&arena, args->running_var);
    double *saved_mean = ck_ref_zeros(&arena, (size_t)s.channels);
    double *saved_invstd = ck_ref_zeros(&arena, (size_t)s.channels);
    ck_status status = ck_ref_arena_status(&arena);
    if (status == CK_OK) {
        double count = (double)(s.batch * s.plane), momentum = p->momentum, eps = p->epsilon;
        for (int64_t c = 0; c < s.channels; c++) {
            double mean, var;
            if (p->training) {
                channel_moments(&s, x, c, &mean, &var);
                if (running_mean) {
                    double unbiased = count > 1.0 ? var * count / (count - 1.0) : var;
                    running_mean[c] = (1.0 - momentum) * running_mean[c] + momentum * mean;
                    running_var[c] = (1.0 - momentum) * running_var[c] + momentum * unbiased;
                }
            } else {
                mean = running_mean[c];
                var = running_var[c];
            }
            double invstd = 1.0 / sqrt(var + eps);
            saved_mean[c] = mean;
            saved_invstd[c] = invstd;
            for (int64_t b = 0; b < s.batch; b++)
                for (int64_t i = 0; i < s.plane; i++) {
                    double *v = &x[element(&s, b, c, i)];
                    *v = (*v - mean) * invstd * gamma[c] + beta[c];
                }
        }
        ck_ref_store(args->y, x);
        ck_ref_store(args->saved_mean, saved_mean);
        ck_ref_store(args->saved_invstd, saved_invstd);
        if (p->training && running_mean) {
            ck_ref_store(args->running_mean, running_mean);
            ck_ref_store(args->running_var, running_var);
        }
    }
    ck_ref_arena_free(&arena);
    return status;
}

ck_status ck_ref_batchnorm2d_backward(ck_backend *backend, const ck_batchnorm2d_backward_args *args) {
    bn_shape s = describe(args->x);
    ck_ref_arena arena;
    ck_ref_arena_init(&arena, backend, "batchnorm2d_backward");
    double *x = ck_ref_load(&arena, args->x);
    double *dy = ck_ref_load(&arena, args->dy);
    double *gamma = ck_ref_load(&arena, args->gamma);
    double *saved_mean = ck_ref_load(&arena, args->saved_mean);
    double *saved_invstd = ck_ref_load(&arena, args->saved_invstd);
    double *dx = ck_ref_zeros(&arena, ck_tensor_numel(args->dx));
    double *dgamma = ck_ref_zeros(&arena, (size_t)s.channels);
    double *dbeta = ck_ref_zeros(&arena, (size_t)s.channels);
    ck_status status = ck_ref_arena_status(&arena);
    if (status == CK_OK) {
        double count = (double)(s.batch * s.plane);
        for (int64_t c = 0; c < s.channels; c++) {
            double mean = saved_mean[c], invstd = saved_invstd[c];
            double sum_dy = 0.0, sum_dy_xhat = 0.0;
            for (int64_t b = 0; b < s.batch; b++)
                for (int64_t i = 0; i < s.plane; i++) {
                    int64_t e = element(&s, b, c, i);
                    sum_dy += dy[e];
                    sum_dy_xhat += dy[e] * (x[e] - mean) * invstd;
                }
            dgamma[c] = sum_dy_xhat;
            dbeta[c] = sum_dy;
            for (int64_t b = 0; b < s.batch; b++)
                for (int64_t i = 0; i < s.plane; i++) {
                    int64_t e = element(&s, b, c, i);
                    if (args->params->training) {
                        double xhat = (x[e] - mean) * invstd;
                        dx[e] = gamma[c] * invstd / count * (count * dy[e] - sum_dy - xhat * sum_dy_xhat);
                    } else {
                        dx[e] = dy[e] * gamma[c] * invstd;
                    }
                }
        }
        ck_ref_store_accumulate(args->dx, dx, args->beta_acc);
        if (args->dgamma) ck_ref_store_accumulate(args->dgamma, dgamma, args->beta_acc);
        if (args->dbeta) ck_ref_store_accumulate(args->dbeta, dbeta, args->beta_acc);
    }
    ck_ref_arena_free(&arena);
    return status;
}
