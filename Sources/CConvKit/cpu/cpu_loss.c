/*
 * cpu_loss.c — mean softmax cross-entropy with label smoothing, forward and
 * backward, one row per work item.
 *
 * logits, probs, dlogits: (N, K); labels: (N) int32; loss: one element.
 * target = (1 - s) * onehot(label) + s / K. Per row, with the stable
 * lse = max + log(sum(exp(x - max))):
 *   probs = exp(x - lse), loss_row = sum(target * (lse - x))
 *         = lse - (1 - s) * x[label] - (s / K) * sum(x);
 * loss = mean of loss_row (in double, rows added in order). Backward:
 * dlogits = loss_grad * (probs - target) / N + beta * dlogits.
 * Labels outside [0, K) are rejected (CK_ERR_INVALID_ARGUMENT) before
 * anything is written.
 */
#include "cpu/cpu_support.h"
#include "cpu/simd.h"

#include <math.h>
#include <stdlib.h>

typedef struct loss_job {
    int avx2;
    size_t rows, classes;
    float smoothing;
    const int32_t *labels;
    const float *logits;
    float *probs;
    double *row_loss; /* forward: (N) */
    float gradient_scale, beta; /* backward: loss_grad / N */
    float *dlogits;
} loss_job;

/* CK_OK when every label is in [0, K); else an error naming the first bad row. */
static ck_status check_labels(ck_backend *backend, const char *op, const int32_t *labels, size_t rows, size_t classes) {
    for (size_t i = 0; i < rows; i++)
        if (labels[i] < 0 || (size_t)labels[i] >= classes)
            return ck_set_error(backend->ctx, CK_ERR_INVALID_ARGUMENT,
                                "%s: labels[%zu] is %d; a label must be a class index in [0, %zu)", op, i,
                                (int)labels[i], classes);
    return CK_OK;
}

static void forward_rows(void *context, size_t begin, size_t end, int32_t thread_index) {
    (void)thread_index;
    const loss_job *job = context;
    size_t k_count = job->classes;
    for (size_t r = begin; r < end; r++) {
        const float *x = job->logits + r * k_count;
        float *p = job->probs + r * k_count; /* may be x: read x fully first */
        float max = ck_vec_max(job->avx2, k_count, x);
        double label_logit = x[job->labels[r]];
        double logit_sum = ck_vec_sum(job->avx2, k_count, x);
        double exp_sum = 0.0;
        for (size_t k = 0; k < k_count; k++) {
            float e = expf(x[k] - max);
            exp_sum += e;
            p[k] = e;
        }
        double log_sum = log(exp_sum);
        float inv_sum = (float)(1.0 / exp_sum);
        ck_vec_scale(job->avx2, k_count, inv_sum, p, p);
        double lse = (double)max + log_sum;
        double s = job->smoothing;
        job->row_loss[r] = lse - (1.0 - s) * label_logit - (s / (double)k_count) * logit_sum;
    }
}

static void backward_rows(void *context, size_t begin, size_t end, int32_t thread_index) {
    (void)thread_index;
    const loss_job *job = context;
    size_t k_count = job->classes;
    float off_target = job->smoothing / (float)k_count;
    float on_target = (1.0f - job->smoothing) + off_target;
    for (size_t r = begin; r < end; r++) {
        const float *p = job->probs + r * k_count;
        float *d = job->dlogits + r * k_count; /* may be p */
        size_t label = (size_t)job->labels[r];
        for (size_t k = 0; k < k_count; k++) {
            float g = job->gradient_scale * (p[k] - (k == label ? on_target : off_target));
            d[k] = job->beta == 0.0f ? g : g + job->beta * d[k];
        }
    }
}

ck_status ck_cpu_softmax_cross_entropy_forward(ck_backend *backend, const ck_softmax_cross_entropy_forward_args *args) {
    const char *op = "softmax_cross_entropy_forward";
    CK_CPU_REQUIRE_F32(backend, op, args->logits, args->probs, args->loss);
    loss_job job = {.avx2 = ck_cpu(backend)->has_avx2_fma,
                    .rows = (size_t)args->logits->dims[0],
                    .classes = (size_t)args->logits->dims[1],
                    .smoothing = args->label_smoothing,
                    .labels = ck_tensor_data(args->labels),
                    .logits = ck_tensor_data(args->logits),
                    .probs = ck_tensor_data(args->probs)};
    ck_status status = check_labels(backend, op, job.labels, job.rows, job.classes);
    if (status != CK_OK) return status;
    job.row_loss = malloc(job.rows * sizeof *job.row_loss);
    if (!job.row_loss)
        return ck_set_error(backend->ctx, CK_ERR_OUT_OF_MEMORY, "%s: cannot allocate %zu bytes of scratch", op,
                            job.rows * sizeof *job.row_loss);
    ck_parallel_for(ck_cpu(backend)->pool, job.rows, ck_cpu_min_chunk(16 * job.classes), forward_rows, &job);
    double total = 0.0;
    for (size_t r = 0; r < job.rows; r++) total += job.row_loss[r];
    free(job.row_loss);
    *(float *)ck_tensor_data(args->loss) = (float)(total / (double)job.rows);
    return CK_OK;
}

ck_status ck_cpu_softmax_cross_entropy_backward(ck_backend *backend,
                                                const ck_softmax_cross_entropy_backward_args *args) {
    const char *op = "softmax_cross_entropy_backward";
    CK_CPU_REQUIRE_F32(backend, op, args->probs, args->dlogits, args->dloss);
    loss_job job = {.avx2 = ck_cpu(backend)->has_avx2_fma,
                    .rows = (size_t)args->probs->dims[0],
                    .classes = (size_t)args->probs->dims[1],
                    .smoothing = args->label_smoothing,
                    .labels = ck_tensor_data(args->labels),
                    .probs = ck_tensor_data(args->probs),
                    .beta = args->beta,
                    .dlogits = ck_tensor_data(args->dlogits)};
    ck_status status = check_labels(backend, op, job.labels, job.rows, job.classes);
    if (status != CK_OK) return status;
    const float loss_grad = args->dloss ? *(const float *)ck_tensor_data(args->dloss) : args->loss_grad;
    job.gradient_scale = (float)((double)loss_grad / (double)job.rows);
    ck_parallel_for(ck_cpu(backend)->pool, job.rows, ck_cpu_min_chunk(job.classes), backward_rows, &job);
    return CK_OK;
}
