/* validate_train.c — checks of activations, batch norm, the loss, dropout and optimizer updates. */
#include "core/validate.h"

ck_status ck_check_activation(ck_context *ctx, const char *op, ck_activation act, float alpha) {
    if (act != CK_ACT_RELU && act != CK_ACT_LEAKY_RELU && act != CK_ACT_SIGMOID && act != CK_ACT_TANH)
        return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT, "%s: unknown activation %d", op, (int)act);
    return ck_check_finite(ctx, op, "alpha", alpha);
}

ck_status ck_validate_activation_forward(ck_context *ctx, const ck_activation_forward_args *a) {
    const char *op = "activation_forward";
    CK_TRY(ck_check_activation(ctx, op, a->act, a->alpha));
    CK_TRY(ck_check_tensor(ctx, op, "x", a->x, -1, CK_ROLE_FLOAT));
    CK_TRY(ck_check_tensor(ctx, op, "y", a->y, -1, CK_ROLE_FLOAT));
    const ck_tensor *all[] = {a->x, a->y};
    const char *names[] = {"x", "y"};
    CK_TRY(ck_check_same_dtype(ctx, op, all, names, 2));
    CK_TRY(ck_check_same_dims(ctx, op, "x", a->x, "y", a->y));
    return ck_check_no_overlap(ctx, op, "y", a->y, "x", a->x, 1);
}

ck_status ck_validate_activation_backward(ck_context *ctx, const ck_activation_backward_args *a) {
    const char *op = "activation_backward";
    CK_TRY(ck_check_activation(ctx, op, a->act, a->alpha));
    CK_TRY(ck_check_tensor(ctx, op, "x", a->x, -1, CK_ROLE_FLOAT));
    CK_TRY(ck_check_tensor(ctx, op, "dy", a->dy, -1, CK_ROLE_FLOAT));
    CK_TRY(ck_check_tensor(ctx, op, "dx", a->dx, -1, CK_ROLE_FLOAT));
    const ck_tensor *all[] = {a->x, a->dy, a->dx};
    const char *names[] = {"x", "dy", "dx"};
    CK_TRY(ck_check_same_dtype(ctx, op, all, names, 3));
    CK_TRY(ck_check_finite(ctx, op, "beta", a->beta));
    CK_TRY(ck_check_same_dims(ctx, op, "x", a->x, "dy", a->dy));
    CK_TRY(ck_check_same_dims(ctx, op, "x", a->x, "dx", a->dx));
    CK_TRY(ck_check_no_overlap(ctx, op, "dx", a->dx, "x", a->x, 1));
    return ck_check_no_overlap(ctx, op, "dx", a->dx, "dy", a->dy, 1);
}

static ck_status check_bn_params(ck_context *ctx, const char *op, const ck_batchnorm_params *p) {
    if (!p) return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT, "%s: params is NULL", op);
    if (!(p->epsilon > 0.0f) || !(p->epsilon < 1e30f))
        return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT, "%s: epsilon is %g; it must be positive and finite", op,
                            (double)p->epsilon);
    if (!(p->momentum >= 0.0f && p->momentum <= 1.0f))
        return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT, "%s: momentum is %g; it must be in [0, 1]", op, (double)p->momentum);
    return CK_OK;
}

/* Checks each non-NULL per-channel vector has dims (C). */
static ck_status check_channel_vectors(ck_context *ctx, const char *op, const ck_tensor *x,
                                       const ck_tensor *const *vectors, const char *const *names, int count) {
    for (int i = 0; i < count; i++) {
        if (!vectors[i]) continue;
        CK_TRY(ck_check_tensor(ctx, op, names[i], vectors[i], 1, CK_ROLE_FLOAT));
        CK_TRY(ck_check_dims(ctx, op, names[i], vectors[i], 1, &x->dims[1], "(C), C = channels of x"));
    }
    return CK_OK;
}

ck_status ck_validate_batchnorm2d_forward(ck_context *ctx, const ck_batchnorm2d_forward_args *a) {
    const char *op = "batchnorm2d_forward";
    CK_TRY(check_bn_params(ctx, op, a->params));
    CK_TRY(ck_check_tensor(ctx, op, "x", a->x, 4, CK_ROLE_FLOAT));
    CK_TRY(ck_check_tensor(ctx, op, "y", a->y, 4, CK_ROLE_FLOAT));
    CK_TRY(ck_check_same_dims(ctx, op, "x", a->x, "y", a->y));
    const char *required[] = {"gamma", "beta", "saved_mean", "saved_invstd"};
    const ck_tensor *required_t[] = {a->gamma, a->beta, a->saved_mean, a->saved_invstd};
    for (int i = 0; i < 4; i++)
        if (!required_t[i]) return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT, "%s: %s is NULL", op, required[i]);
    if ((a->running_mean == NULL) != (a->running_var == NULL))
        return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT, "%s: pass both running_mean and running_var, or neither", op);
    if (!a->params->training && !a->running_mean)
        return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT, "%s: inference mode needs running_mean and running_var", op);
    const ck_tensor *vectors[] = {a->gamma, a->beta, a->running_mean, a->running_var, a->saved_mean, a->saved_invstd};
    const char *names[] = {"gamma", "beta", "running_mean", "running_var", "saved_mean", "saved_invstd"};
    CK_TRY(check_channel_vectors(ctx, op, a->x, vectors, names, 6));
    const ck_tensor *all[] = {a->x, a->y, a->gamma, a->beta, a->running_mean, a->running_var, a->saved_mean, a->saved_invstd};
    const char *all_names[] = {"x", "y", "gamma", "beta", "running_mean", "running_var", "saved_mean", "saved_invstd"};
    CK_TRY(ck_check_same_dtype(ctx, op, all, all_names, 8));
    if (a->params->training && a->x->dims[0] * a->x->dims[2] * a->x->dims[3] < 2)
        return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT,
                            "%s: training needs more than one value per channel (N*H*W = 1)", op);
    /* Outputs: y, the saved statistics and (updated in place) the running statistics. */
    const ck_tensor *outputs[] = {a->y, a->saved_mean, a->saved_invstd, a->running_mean, a->running_var};
    const char *out_names[] = {"y", "saved_mean", "saved_invstd", "running_mean", "running_var"};
    for (int o = 0; o < 5; o++)
        for (int i = 0; i < 8; i++)
            if (all[i] && all[i] != outputs[o]) CK_TRY(ck_check_no_overlap(ctx, op, out_names[o], outputs[o], all_names[i], all[i], 0));
    /* Outputs may not share memory with one another, even the same tensor passed twice. */
    for (int o = 0; o < 5; o++)
        for (int q = o + 1; q < 5; q++)
            CK_TRY(ck_check_no_overlap(ctx, op, out_names[o], outputs[o], out_names[q], outputs[q], 0));
    return CK_OK;
}

ck_status ck_validate_batchnorm2d_backward(ck_context *ctx, const ck_batchnorm2d_backward_args *a) {
    const char *op = "batchnorm2d_backward";
    CK_TRY(check_bn_params(ctx, op, a->params));
    CK_TRY(ck_check_tensor(ctx, op, "x", a->x, 4, CK_ROLE_FLOAT));
    CK_TRY(ck_check_tensor(ctx, op, "dy", a->dy, 4, CK_ROLE_FLOAT));
    CK_TRY(ck_check_tensor(ctx, op, "dx", a->dx, 4, CK_ROLE_FLOAT));
    CK_TRY(ck_check_same_dims(ctx, op, "x", a->x, "dy", a->dy));
    CK_TRY(ck_check_same_dims(ctx, op, "x", a->x, "dx", a->dx));
    CK_TRY(ck_check_finite(ctx, op, "beta_acc", a->beta_acc));
    const char *required[] = {"gamma", "saved_mean", "saved_invstd"};
    const ck_tensor *required_t[] = {a->gamma, a->saved_mean, a->saved_invstd};
    for (int i = 0; i < 3; i++)
        if (!required_t[i]) return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT, "%s: %s is NULL", op, required[i]);
    const ck_tensor *vectors[] = {a->gamma, a->saved_mean, a->saved_invstd, a->dgamma, a->dbeta};
    const char *names[] = {"gamma", "saved_mean", "saved_invstd", "dgamma", "dbeta"};
    CK_TRY(check_channel_vectors(ctx, op, a->x, vectors, names, 5));
    const ck_tensor *all[] = {a->x, a->dy, a->gamma, a->saved_mean, a->saved_invstd, a->dx, a->dgamma, a->dbeta};
    const char *all_names[] = {"x", "dy", "gamma", "saved_mean", "saved_invstd", "dx", "dgamma", "dbeta"};
    CK_TRY(ck_check_same_dtype(ctx, op, all, all_names, 8));
    for (int o = 5; o < 8; o++)
        for (int i = 0; i < 8; i++)
            if (i != o) CK_TRY(ck_check_no_overlap(ctx, op, all_names[o], all[o], all_names[i], all[i], 0));
    return CK_OK;
}

/* A finite value >= 0 (learning rates and decay factors, as torch.optim requires). */
static ck_status check_non_negative(ck_context *ctx, const char *op, const char *what, float v) {
    CK_TRY(ck_check_finite(ctx, op, what, v));
    if (v < 0.0f) return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT, "%s: %s is %g; it must be >= 0", op, what, (double)v);
    return CK_OK;
}

static ck_status check_smoothing(ck_context *ctx, const char *op, float s) {
    if (!(s >= 0.0f && s <= 1.0f))
        return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT, "%s: label_smoothing is %g; it must be in [0, 1]", op, (double)s);
    return CK_OK;
}

/* logits-like (N, K) float and labels (N) int32. */
static ck_status check_logits_labels(ck_context *ctx, const char *op, const char *name, const ck_tensor *logits,
                                     const ck_tensor *labels) {
    CK_TRY(ck_check_tensor(ctx, op, name, logits, 2, CK_ROLE_FLOAT));
    CK_TRY(ck_check_tensor(ctx, op, "labels", labels, 1, CK_ROLE_LABELS));
    return ck_check_dims(ctx, op, "labels", labels, 1, &logits->dims[0], "(N), N = rows of the logits");
}

ck_status ck_validate_softmax_cross_entropy_forward(ck_context *ctx, const ck_softmax_cross_entropy_forward_args *a) {
    const char *op = "softmax_cross_entropy_forward";
    CK_TRY(check_smoothing(ctx, op, a->label_smoothing));
    CK_TRY(check_logits_labels(ctx, op, "logits", a->logits, a->labels));
    CK_TRY(ck_check_tensor(ctx, op, "probs", a->probs, 2, CK_ROLE_FLOAT));
    CK_TRY(ck_check_same_dims(ctx, op, "logits", a->logits, "probs", a->probs));
    CK_TRY(ck_check_tensor(ctx, op, "loss", a->loss, -1, CK_ROLE_FLOAT));
    if (ck_tensor_numel(a->loss) != 1)
        return ck_set_error(ctx, CK_ERR_SHAPE_MISMATCH, "%s: loss must hold exactly one element, not %zu", op,
                            ck_tensor_numel(a->loss));
    const ck_tensor *all[] = {a->logits, a->probs, a->loss};
    const char *names[] = {"logits", "probs", "loss"};
    CK_TRY(ck_check_same_dtype(ctx, op, all, names, 3));
    CK_TRY(ck_check_no_overlap(ctx, op, "probs", a->probs, "logits", a->logits, 1));
    CK_TRY(ck_check_no_overlap(ctx, op, "probs", a->probs, "labels", a->labels, 0));
    CK_TRY(ck_check_no_overlap(ctx, op, "loss", a->loss, "logits", a->logits, 0));
    CK_TRY(ck_check_no_overlap(ctx, op, "loss", a->loss, "labels", a->labels, 0));
    return ck_check_no_overlap(ctx, op, "loss", a->loss, "probs", a->probs, 0);
}

ck_status ck_validate_softmax_cross_entropy_backward(ck_context *ctx, const ck_softmax_cross_entropy_backward_args *a) {
    const char *op = "softmax_cross_entropy_backward";
    CK_TRY(check_smoothing(ctx, op, a->label_smoothing));
    CK_TRY(ck_check_finite(ctx, op, "loss_grad", a->loss_grad));
    CK_TRY(ck_check_finite(ctx, op, "beta", a->beta));
    CK_TRY(check_logits_labels(ctx, op, "probs", a->probs, a->labels));
    CK_TRY(ck_check_tensor(ctx, op, "dlogits", a->dlogits, 2, CK_ROLE_FLOAT));
    CK_TRY(ck_check_same_dims(ctx, op, "probs", a->probs, "dlogits", a->dlogits));
    const ck_tensor *all[] = {a->probs, a->dlogits};
    const char *names[] = {"probs", "dlogits"};
    CK_TRY(ck_check_same_dtype(ctx, op, all, names, 2));
    CK_TRY(ck_check_no_overlap(ctx, op, "dlogits", a->dlogits, "probs", a->probs, 1));
    CK_TRY(ck_check_no_overlap(ctx, op, "dlogits", a->dlogits, "labels", a->labels, 0));
    if (!a->dloss) return CK_OK;
    CK_TRY(ck_check_tensor(ctx, op, "dloss", a->dloss, -1, CK_ROLE_FLOAT));
    if (ck_tensor_numel(a->dloss) != 1)
        return ck_set_error(ctx, CK_ERR_SHAPE_MISMATCH, "%s: dloss has %zu elements; it must have one", op,
                            ck_tensor_numel(a->dloss));
    const ck_tensor *with_dloss[] = {a->probs, a->dloss};
    const char *dloss_names[] = {"probs", "dloss"};
    CK_TRY(ck_check_same_dtype(ctx, op, with_dloss, dloss_names, 2));
    return ck_check_no_overlap(ctx, op, "dlogits", a->dlogits, "dloss", a->dloss, 0);
}

ck_status ck_validate_dropout_forward(ck_context *ctx, const ck_dropout_forward_args *a) {
    const char *op = "dropout_forward";
    if (!a->params) return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT, "%s: params is NULL", op);
    if (!(a->params->rate >= 0.0f && a->params->rate < 1.0f))
        return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT, "%s: rate is %g; it must be in [0, 1)", op, (double)a->params->rate);
    CK_TRY(ck_check_tensor(ctx, op, "x", a->x, -1, CK_ROLE_FLOAT));
    CK_TRY(ck_check_tensor(ctx, op, "y", a->y, -1, CK_ROLE_FLOAT));
    CK_TRY(ck_check_tensor(ctx, op, "mask", a->mask, -1, CK_ROLE_FLOAT));
    CK_TRY(ck_check_same_dims(ctx, op, "x", a->x, "y", a->y));
    CK_TRY(ck_check_same_dims(ctx, op, "x", a->x, "mask", a->mask));
    const ck_tensor *all[] = {a->x, a->y, a->mask};
    const char *names[] = {"x", "y", "mask"};
    CK_TRY(ck_check_same_dtype(ctx, op, all, names, 3));
    CK_TRY(ck_check_no_overlap(ctx, op, "y", a->y, "x", a->x, 1));
    CK_TRY(ck_check_no_overlap(ctx, op, "mask", a->mask, "x", a->x, 0));
    return ck_check_no_overlap(ctx, op, "mask", a->mask, "y", a->y, 0);
}

/* param, grad and each state tensor: same dims, one dtype, no two overlapping. */
static ck_status check_update_tensors(ck_context *ctx, const char *op, const ck_tensor *const *t,
                                      const char *const *names, int count) {
    for (int i = 0; i < count; i++) {
        if (!t[i]) continue;
        CK_TRY(ck_check_tensor(ctx, op, names[i], t[i], -1, CK_ROLE_FLOAT));
        CK_TRY(ck_check_same_dims(ctx, op, names[0], t[0], names[i], t[i]));
        for (int j = 0; j < i; j++) CK_TRY(ck_check_no_overlap(ctx, op, names[i], t[i], names[j], t[j], 0));
    }
    return ck_check_same_dtype(ctx, op, t, names, count);
}

ck_status ck_validate_sgd_update(ck_context *ctx, const ck_sgd_update_args *a) {
    const char *op = "sgd_update";
    const ck_sgd_params *p = a->params;
    if (!p) return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT, "%s: params is NULL", op);
    CK_TRY(check_non_negative(ctx, op, "lr", p->lr));
    CK_TRY(check_non_negative(ctx, op, "weight_decay", p->weight_decay));
    if (!(p->momentum >= 0.0f && p->momentum < 1e30f) || !(p->dampening >= 0.0f && p->dampening <= 1.0f))
        return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT, "%s: momentum %g must be >= 0 and dampening %g in [0, 1]", op,
                            (double)p->momentum, (double)p->dampening);
    if (p->nesterov && (p->momentum <= 0.0f || p->dampening != 0.0f))
        return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT, "%s: Nesterov momentum needs momentum > 0 and dampening 0", op);
    if (p->step < 1) return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT, "%s: step is %lld; steps count from 1", op, (long long)p->step);
    if (p->momentum != 0.0f && !a->velocity)
        return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT, "%s: momentum %g needs a velocity tensor", op, (double)p->momentum);
    if (!a->param || !a->grad)
        return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT, "%s: %s is NULL", op, a->param ? "grad" : "param");
    const ck_tensor *t[] = {a->param, a->grad, a->velocity};
    const char *names[] = {"param", "grad", "velocity"};
    return check_update_tensors(ctx, op, t, names, 3);
}

ck_status ck_validate_adam_update(ck_context *ctx, const ck_adam_update_args *a) {
    const char *op = "adam_update";
    const ck_adam_params *p = a->params;
    if (!p) return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT, "%s: params is NULL", op);
    CK_TRY(check_non_negative(ctx, op, "lr", p->lr));
    CK_TRY(check_non_negative(ctx, op, "weight_decay", p->weight_decay));
    if (!(p->beta1 >= 0.0f && p->beta1 < 1.0f) || !(p->beta2 >= 0.0f && p->beta2 < 1.0f))
        return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT, "%s: beta1 %g and beta2 %g must be in [0, 1)", op,
                            (double)p->beta1, (double)p->beta2);
    if (!(p->epsilon >= 0.0f && p->epsilon < 1e30f))
        return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT, "%s: epsilon is %g; it must be >= 0 and finite", op, (double)p->epsilon);
    if (p->step < 1) return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT, "%s: step is %lld; steps count from 1", op, (long long)p->step);
    const ck_tensor *t[] = {a->param, a->grad, a->m, a->v, a->v_max};
    const char *names[] = {"param", "grad", "m", "v", "v_max"};
    for (int i = 0; i < 4; i++)
        if (!t[i]) return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT, "%s: %s is NULL", op, names[i]);
    return check_update_tensors(ctx, op, t, names, 5);
}

ck_status ck_validate_rmsprop_update(ck_context *ctx, const ck_rmsprop_update_args *a) {
    const char *op = "rmsprop_update";
    const ck_rmsprop_params *p = a->params;
    if (!p) return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT, "%s: params is NULL", op);
    CK_TRY(check_non_negative(ctx, op, "lr", p->lr));
    CK_TRY(check_non_negative(ctx, op, "weight_decay", p->weight_decay));
    CK_TRY(check_non_negative(ctx, op, "momentum", p->momentum));
    CK_TRY(check_non_negative(ctx, op, "epsilon", p->epsilon));
    if (!(p->alpha >= 0.0f && p->alpha <= 1.0f))
        return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT, "%s: alpha is %g; it must be in [0, 1]", op, (double)p->alpha);
    const ck_tensor *t[] = {a->param, a->grad, a->square_avg, a->grad_avg, a->momentum_buffer};
    const char *names[] = {"param", "grad", "square_avg", "grad_avg", "momentum_buffer"};
    for (int i = 0; i < 3; i++)
        if (!t[i]) return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT, "%s: %s is NULL", op, names[i]);
    if ((p->centered != 0) != (a->grad_avg != NULL))
        return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT, "%s: grad_avg must be given exactly when centered (centered %d, grad_avg %s)",
                            op, (int)p->centered, a->grad_avg ? "given" : "NULL");
    if ((p->momentum > 0.0f) != (a->momentum_buffer != NULL))
        return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT,
                            "%s: momentum_buffer must be given exactly when momentum > 0 (momentum %g, momentum_buffer %s)", op,
                            (double)p->momentum, a->momentum_buffer ? "given" : "NULL");
    return check_update_tensors(ctx, op, t, names, 5);
}
