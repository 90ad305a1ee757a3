/*
 * cpu_batchnorm.c — 2-D batch normalization over (N, H, W) per channel,
 * forward (training / inference) and backward, one channel per work item.
 *
 * x, y, dy, dx: (N, C, H, W); per-channel vectors: (C). With n = N*H*W:
 *   training:  mean, var = batch mean and biased variance (sums in double,
 *              shifted by the channel's first value); running_mean / var
 *              (if given) <- (1 - momentum) * running + momentum * batch,
 *              the variance unbiased (var * n / (n - 1));
 *   inference: mean, var = running_mean, running_var;
 *   both:      invstd = 1 / sqrt(var + eps), saved_mean = mean,
 *              saved_invstd = invstd, y = (x - mean) * gamma * invstd + beta.
 * Backward, with xhat = (x - mean) * invstd and sums over the channel:
 *   training:  dx = gamma * invstd / n * (n * dy - sum(dy) - xhat * sum(dy * xhat));
 *   inference: dx = gamma * invstd * dy;
 *   dgamma = sum(dy * xhat), dbeta = sum(dy); each output + beta_acc * old.
 * Every per-channel input is read before any per-channel output is written,
 * so in-place calls (y = x, saved statistics = running ones) are safe.
 */
#include "cpu/cpu_batchnorm_kernels.h"
#include "cpu/cpu_support.h"

#include <math.h>

typedef struct batchnorm_job {
    const ck_batchnorm_params *params;
    int avx2;
    size_t batch, channels, plane; /* N, C, H*W */
    const float *x, *dy, *gamma, *beta_shift;
    float *running_mean, *running_var; /* forward; NULL when absent */
    float *saved_mean, *saved_invstd;  /* forward outputs */
    const float *mean_in, *invstd_in;  /* backward inputs (saved statistics) */
    float *y, *dx, *dgamma, *dbeta;
    float beta_acc;
} batchnorm_job;

static float accumulate(double computed, float beta, const float *old) {
    return beta == 0.0f ? (float)computed : (float)(computed + (double)beta * (double)*old);
}

static void forward_channels(void *context, size_t begin, size_t end, int32_t thread_index) {
    (void)thread_index;
    const batchnorm_job *job = context;
    const ck_batchnorm_params *p = job->params;
    size_t sample_stride = job->channels * job->plane;
    double count = (double)(job->batch * job->plane);
    for (size_t c = begin; c < end; c++) {
        const float *x = job->x + c * job->plane;
        double gamma = job->gamma[c], shift = job->beta_shift[c];
        double mean, var;
        if (p->training) {
            double origin = x[0];
            ck_bn_sums sums = {0.0, 0.0};
            for (size_t n = 0; n < job->batch; n++)
                ck_bn_accumulate_moments(job->avx2, job->plane, x + n * sample_stride, origin, &sums);
            double offset = sums.sum / count;
            mean = origin + offset;
            var = sums.square / count - offset * offset;
            if (!(var > 0.0)) var = isnan(var) ? var : 0.0;
            if (job->running_mean) {
                double m = p->momentum;
                double running_mean = job->running_mean[c], running_var = job->running_var[c];
                job->running_mean[c] = (float)((1.0 - m) * running_mean + m * mean);
                job->running_var[c] = (float)((1.0 - m) * running_var + m * var * count / (count - 1.0));
            }
        } else {
            mean = job->running_mean[c];
            var = job->running_var[c];
        }
        double invstd = 1.0 / sqrt(var + (double)p->epsilon);
        job->saved_mean[c] = (float)mean;
        job->saved_invstd[c] = (float)invstd;
        float scale = (float)(gamma * invstd);
        for (size_t n = 0; n < job->batch; n++)
            ck_bn_normalize(job->avx2, job->plane, x + n * sample_stride, mean, scale, (float)shift,
                            job->y + c * job->plane + n * sample_stride);
    }
}

static void backward_channels(void *context, size_t begin, size_t end, int32_t thread_index) {
    (void)thread_index;
    const batchnorm_job *job = context;
    int training = job->params->training;
    size_t sample_stride = job->channels * job->plane;
    double count = (double)(job->batch * job->plane);
    for (size_t c = begin; c < end; c++) {
        const float *x = job->x + c * job->plane, *dy = job->dy + c * job->plane;
        double mean = job->mean_in[c], invstd = job->invstd_in[c], gamma = job->gamma[c];
        ck_bn_sums sums = {0.0, 0.0};
        if (training || job->dgamma || job->dbeta)
            for (size_t n = 0; n < job->batch; n++)
                ck_bn_accumulate_gradient(job->avx2, job->plane, x + n * sample_stride, dy + n * sample_stride, mean,
                                          &sums);
        double sum_dy = sums.sum, sum_dy_xhat = sums.square * invstd;
        double a = gamma * invstd;
        double b = training ? -a * sum_dy / count : 0.0;
        double k = training ? -a * invstd * sum_dy_xhat / count : 0.0;
        for (size_t n = 0; n < job->batch; n++)
            ck_bn_input_gradient(job->avx2, job->plane, x + n * sample_stride, dy + n * sample_stride, mean, (float)a,
                                 (float)b, (float)k, job->beta_acc, job->dx + c * job->plane + n * sample_stride);
        if (job->dgamma) job->dgamma[c] = accumulate(sum_dy_xhat, job->beta_acc, &job->dgamma[c]);
        if (job->dbeta) job->dbeta[c] = accumulate(sum_dy, job->beta_acc, &job->dbeta[c]);
    }
}

static float *optional_data(const ck_tensor *t) { return t ? ck_tensor_data(t) : NULL; }

/* A job over x (N, C, H, W): its shape, data and the backend's kernel choice; the pass fills the rest. */
static batchnorm_job job_over(ck_backend *backend, const ck_batchnorm_params *params, const ck_tensor *x) {
    batchnorm_job job = {
        .params = params,
        .avx2 = ck_cpu(backend)->has_avx2_fma,
        .batch = (size_t)x->dims[0],
        .channels = (size_t)x->dims[1],
        .plane = (size_t)(x->dims[2] * x->dims[3]),
        .x = ck_tensor_data(x),
    };
    return job;
}

/* Channels per work item: at least CK_CPU_MIN_ELEMENTS_PER_THREAD elements each. */
static size_t channel_grain(const batchnorm_job *job) { return ck_cpu_min_chunk(job->batch * job->plane); }

ck_status ck_cpu_batchnorm2d_forward(ck_backend *backend, const ck_batchnorm2d_forward_args *args) {
    CK_CPU_REQUIRE_F32(backend, "batchnorm2d_forward", args->x, args->gamma, args->beta, args->running_mean,
                       args->running_var, args->saved_mean, args->saved_invstd, args->y);
    batchnorm_job job = job_over(backend, args->params, args->x);
    job.gamma = ck_tensor_data(args->gamma);
    job.beta_shift = ck_tensor_data(args->beta);
    job.running_mean = optional_data(args->running_mean);
    job.running_var = optional_data(args->running_var);
    job.saved_mean = ck_tensor_data(args->saved_mean);
    job.saved_invstd = ck_tensor_data(args->saved_invstd);
    job.y = ck_tensor_data(args->y);
    ck_parallel_for(ck_cpu(backend)->pool, job.channels, channel_grain(&job), forward_channels, &job);
    return CK_OK;
}

ck_status ck_cpu_batchnorm2d_backward(ck_backend *backend, const ck_batchnorm2d_backward_args *args) {
    CK_CPU_REQUIRE_F32(backend, "batchnorm2d_backward", args->x, args->dy, args->gamma, args->saved_mean,
                       args->saved_invstd, args->dx, args->dgamma, args->dbeta);
    batchnorm_job job = job_over(backend, args->params, args->x);
    job.dy = ck_tensor_data(args->dy);
    job.gamma = ck_tensor_data(args->gamma);
    job.mean_in = ck_tensor_data(args->saved_mean);
    job.invstd_in = ck_tensor_data(args->saved_invstd);
    job.dx = ck_tensor_data(args->dx);
    job.dgamma = optional_data(args->dgamma);
    job.dbeta = optional_data(args->dbeta);
    job.beta_acc = args->beta_acc;
    ck_parallel_for(ck_cpu(backend)->pool, job.channels, channel_grain(&job), backward_channels, &job);
    return CK_OK;
}
