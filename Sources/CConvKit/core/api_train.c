/* api_train.c — public entry points of activations, batch norm, the loss, dropout and optimizers. */
#include "core/dispatch.h"
#include "core/internal.h"

ck_status ck_activation_forward(ck_context *ctx, ck_activation act, float alpha, const ck_tensor *x, const ck_tensor *y) {
    const ck_activation_forward_args args = {act, alpha, x, y};
    return ck_execute_activation_forward(ctx, &args);
}

ck_status ck_activation_backward(ck_context *ctx, ck_activation act, float alpha, const ck_tensor *x,
                                 const ck_tensor *dy, float beta, const ck_tensor *dx) {
    const ck_activation_backward_args args = {act, alpha, x, dy, beta, dx};
    return ck_execute_activation_backward(ctx, &args);
}

ck_status ck_batchnorm2d_forward(ck_context *ctx, const ck_batchnorm_params *params, const ck_tensor *x,
                                 const ck_tensor *gamma, const ck_tensor *beta, const ck_tensor *running_mean,
                                 const ck_tensor *running_var, const ck_tensor *saved_mean,
                                 const ck_tensor *saved_invstd, const ck_tensor *y) {
    const ck_batchnorm2d_forward_args args = {params, x, gamma, beta, running_mean, running_var, saved_mean,
                                              saved_invstd, y};
    return ck_execute_batchnorm2d_forward(ctx, &args);
}

ck_status ck_batchnorm2d_backward(ck_context *ctx, const ck_batchnorm_params *params, const ck_tensor *x,
                                  const ck_tensor *dy, const ck_tensor *gamma, const ck_tensor *saved_mean,
                                  const ck_tensor *saved_invstd, float beta_acc, const ck_tensor *dx,
                                  const ck_tensor *dgamma, const ck_tensor *dbeta) {
    const ck_batchnorm2d_backward_args args = {params, x, dy, gamma, saved_mean, saved_invstd, beta_acc, dx, dgamma, dbeta};
    return ck_execute_batchnorm2d_backward(ctx, &args);
}

ck_status ck_softmax_cross_entropy_forward(ck_context *ctx, float label_smoothing, const ck_tensor *logits,
                                           const ck_tensor *labels, const ck_tensor *probs, const ck_tensor *loss) {
    const ck_softmax_cross_entropy_forward_args args = {label_smoothing, logits, labels, probs, loss};
    return ck_execute_softmax_cross_entropy_forward(ctx, &args);
}

ck_status ck_softmax_cross_entropy_backward(ck_context *ctx, float label_smoothing, float loss_grad,
                                            const ck_tensor *probs, const ck_tensor *labels, float beta,
                                            const ck_tensor *dlogits) {
    const ck_softmax_cross_entropy_backward_args args = {label_smoothing, loss_grad, probs, labels, beta, dlogits, NULL};
    return ck_execute_softmax_cross_entropy_backward(ctx, &args);
}

ck_status ck_softmax_cross_entropy_backward_dloss(ck_context *ctx, float label_smoothing, const ck_tensor *dloss,
                                                  const ck_tensor *probs, const ck_tensor *labels, float beta,
                                                  const ck_tensor *dlogits) {
    if (!dloss)
        return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT, "softmax_cross_entropy_backward: dloss is NULL");
    const ck_softmax_cross_entropy_backward_args args = {label_smoothing, 0.0f, probs, labels, beta, dlogits, dloss};
    return ck_execute_softmax_cross_entropy_backward(ctx, &args);
}

ck_status ck_dropout_forward(ck_context *ctx, const ck_dropout_params *params, const ck_tensor *x, const ck_tensor *y,
                             const ck_tensor *mask) {
    const ck_dropout_forward_args args = {params, x, y, mask};
    return ck_execute_dropout_forward(ctx, &args);
}

ck_status ck_sgd_update(ck_context *ctx, const ck_sgd_params *params, const ck_tensor *param, const ck_tensor *grad,
                        const ck_tensor *velocity) {
    const ck_sgd_update_args args = {params, param, grad, velocity};
    return ck_execute_sgd_update(ctx, &args);
}

ck_status ck_adam_update(ck_context *ctx, const ck_adam_params *params, const ck_tensor *param, const ck_tensor *grad,
                         const ck_tensor *m, const ck_tensor *v) {
    const ck_adam_update_args args = {params, param, grad, m, v, NULL};
    return ck_execute_adam_update(ctx, &args);
}

ck_status ck_adam_amsgrad_update(ck_context *ctx, const ck_adam_params *params, const ck_tensor *param,
                                 const ck_tensor *grad, const ck_tensor *m, const ck_tensor *v, const ck_tensor *v_max) {
    if (!v_max) return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT, "adam_update: v_max is NULL (AMSGrad needs it)");
    const ck_adam_update_args args = {params, param, grad, m, v, v_max};
    return ck_execute_adam_update(ctx, &args);
}

ck_status ck_rmsprop_update(ck_context *ctx, const ck_rmsprop_params *params, const ck_tensor *param,
                            const ck_tensor *grad, const ck_tensor *square_avg, const ck_tensor *grad_avg,
                            const ck_tensor *momentum_buffer) {
    const ck_rmsprop_update_args args = {params, param, grad, square_avg, grad_avg, momentum_buffer};
    return ck_execute_rmsprop_update(ctx, &args);
}
