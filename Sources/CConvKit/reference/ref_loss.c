/*
 * ref_loss.c — mean softmax cross-entropy with label smoothing, forward and
 * backward, of the reference backend.
 *
 * logits, probs, dlogits: (N, K); labels: (N) int32 in [0, K); loss: one
 * element. target = (1 - s) * onehot(label) + s / K. Per row, with the stable
 * log-sum-exp lse = max + log(sum(exp(x - max))):
 *   probs = exp(x - lse),  loss_row = -sum(target * (x - lse)),
 * loss = the mean of loss_row over the N rows. Backward:
 *   dlogits = loss_grad * (probs - target) / N + beta * dlogits.
 * Labels outside [0, K) are rejected (CK_ERR_INVALID_ARGUMENT) before
 * anything is written.
 */
#include "reference/reference_ops.h"
#include "reference/ref_tensor.h"

#include <math.h>

/* CK_OK when every label is a class index in [0, K); else the error, naming the first bad row. */
static ck_status check_labels(ck_backend *backend, const char *op, const int32_t *labels, int64_t rows,
                              int64_t classes) {
    for (int64_t r = 0; r < rows; r++)
        if (labels[r] < 0 || labels[r] >= classes)
            return ck_set_error(backend->ctx, CK_ERR_INVALID_ARGUMENT,
                                "%s: labels[%lld] is %d; a label must be a class index in [0, %lld)", op,
                                (long long)r, (int)labels[r], (long long)classes);
    return CK_OK;
}

/* Target probability of class k in a row whose label is `label`. */
static double target(double smoothing, int64_t classes, int32_t label, int64_t k) {
    return (k == label ? 1.0 - smoothing : 0.0) + smoothing / (double)classes;
}

ck_status ck_ref_softmax_cross_entropy_forward(ck_backend *backend, const ck_softmax_cross_entropy_forward_args *args) {
    const char *op = "softmax_cross_entropy_forward";
    int64_t rows = args->logits->dims[0], classes = args->logits->dims[1];
    const int32_t *labels = ck_ref_labels(args->labels);
    ck_status status = check_labels(backend, op, labels, rows, classes);
    if (status != CK_OK) return status;
    ck_ref_arena arena;
    ck_ref_arena_init(&arena, backend, op);
    double *logits = ck_ref_load(&arena, args->logits);
    double *probs = ck_ref_zeros(&arena, ck_tensor_numel(args->probs));
    double *loss = ck_ref_zeros(&arena, 1);
    status = ck_ref_arena_status(&arena);
    if (status == CK_OK) {
        double smoothing = args->label_smoothing, total = 0.0;
        for (int64_t r = 0; r < rows; r++) {
            const double *x = logits + r * classes;
            double max = x[0];
            for (int64_t k = 1; k < classes; k++)
                if (x[k] > max) max = x[k];
            double exp_sum = 0.0;
            for (int64_t k = 0; k < classes; k++) exp_sum += exp(x[k] - max);
            double lse = max + log(exp_sum);
            for (int64_t k = 0; k < classes; k++) {
                probs[r * classes + k] = exp(x[k] - lse);
                double t = target(smoothing, classes, labels[r], k);
                if (t != 0.0) total -= t * (x[k] - lse); /* skipped: 0 * -inf for a -inf logit */
            }
        }
        loss[0] = total / (double)rows;
        ck_ref_store(args->probs, probs);
        ck_ref_store(args->loss, loss);
    }
    ck_ref_arena_free(&arena);
    return status;
}

ck_status ck_ref_softmax_cross_entropy_backward(ck_backend *backend,
                                                const ck_softmax_cross_entropy_backward_args *args) {
    const char *op = "softmax_cross_entropy_backward";
    int64_t rows = args->probs->dims[0], classes = args->probs->dims[1];
    const int32_t *labels = ck_ref_labels(args->labels);
    ck_status status = check_labels(backend, op, labels, rows, classes);
    if (status != CK_OK) return status;
    ck_ref_arena arena;
    ck_ref_arena_init(&arena, backend, op);
    double *probs = ck_ref_load(&arena, args->probs);
    double *dloss = ck_ref_load(&arena, args->dloss);
    status = ck_ref_arena_status(&arena);
    if (status == CK_OK) {
        double loss_grad = dloss ? dloss[0] : (double)args->loss_grad;
        double smoothing = args->label_smoothing, scale = loss_grad / (double)rows;
        for (int64_t r = 0; r < rows; r++)
            for (int64_t k = 0; k < classes; k++) {
                double *p = &probs[r * classes + k];
                *p = scale * (*p - target(smoothing, classes, labels[r], k));
            }
        ck_ref_store_accumulate(args->dlogits, probs, args->beta);
    }
    ck_ref_arena_free(&arena);
    return status;
}
