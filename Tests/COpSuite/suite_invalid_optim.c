/*
 * suite_invalid_optim.c — bad calls of the softmax cross-entropy loss and of
 * the SGD, Adam (also AMSGrad) and RMSprop updates (see suite_invalid.h for
 * how a case is written).
 *
 * Valid calls: loss on logits (4,5), labels (4) int32 holding 1, probs (4,5),
 * loss (1); SGD (lr 0.1, momentum 0.9, step 1), Adam (PyTorch's defaults,
 * step 1, with v_max for AMSGrad) and centered RMSprop with momentum 0.9
 * (PyTorch's other defaults) on (3,4) tensors.
 * convkit.h: labels are int32 class indices in [0, K) (a label outside is an
 * invalid argument even though only the data shows it); label_smoothing lies
 * in [0, 1]; SGD with momentum needs a velocity; steps count from 1.
 * Hyper-parameters follow torch.optim's checks, which raise for a negative
 * learning rate, a negative momentum or weight decay, Nesterov without
 * momentum or with dampening, Adam betas outside [0, 1), a negative epsilon,
 * and a negative RMSprop alpha (ConvKit also refuses alpha > 1, which would
 * make the averages diverge). RMSprop's grad_avg must be given exactly when
 * centered, its momentum_buffer exactly when momentum > 0.
 */
#include "suite_invalid.h"

#include <math.h>
#include <stdint.h>

typedef struct optim_call {
    ck_context *ctx;
    float smoothing, loss_grad, beta;
    ck_sgd_params sgd;
    ck_adam_params adam;
    ck_rmsprop_params rmsprop;
    ck_tensor logits, labels, probs, loss, dlogits, dloss;
    int dloss_api; /* backward through ck_softmax_cross_entropy_backward_dloss with pdloss */
    ck_tensor param, grad, state1, state2, state3;
    const ck_sgd_params *psgd;
    const ck_adam_params *padam;
    const ck_rmsprop_params *prmsprop;
    const ck_tensor *plogits, *plabels, *pprobs, *ploss, *pdlogits, *pdloss;
    const ck_tensor *pparam, *pgrad, *pstate1, *pstate2, *pstate3;
} optim_call;

static void optim_init(const inv_env *e, optim_call *c) {
    c->ctx = e->ctx;
    c->smoothing = 0.1f;
    c->loss_grad = 1.0f;
    c->beta = 0.0f;
    c->sgd = (ck_sgd_params){.lr = 0.1f, .momentum = 0.9f, .dampening = 0.0f, .weight_decay = 0.0f, .nesterov = 0,
                             .step = 1};
    c->adam = (ck_adam_params){.lr = 1e-3f, .beta1 = 0.9f, .beta2 = 0.999f, .epsilon = 1e-8f, .weight_decay = 0.0f,
                               .decoupled_weight_decay = 0, .step = 1};
    c->rmsprop = (ck_rmsprop_params){.lr = 1e-2f, .alpha = 0.99f, .epsilon = 1e-8f, .weight_decay = 0.0f,
                                     .momentum = 0.9f, .centered = 1};
    c->logits = e->loss.logits, c->labels = e->loss.labels, c->probs = e->loss.probs, c->loss = e->loss.loss;
    c->dlogits = e->loss.dlogits;
    c->dloss = e->loss.loss; /* one float that overlaps nothing the backward pass writes */
    c->dloss_api = 0;
    c->param = e->optim.param, c->grad = e->optim.grad, c->state1 = e->optim.state1, c->state2 = e->optim.state2;
    c->state3 = e->optim.state3;
    c->psgd = &c->sgd;
    c->padam = &c->adam;
    c->prmsprop = &c->rmsprop;
    c->plogits = &c->logits, c->plabels = &c->labels, c->pprobs = &c->probs, c->ploss = &c->loss;
    c->pdlogits = &c->dlogits;
    c->pdloss = &c->dloss;
    c->pparam = &c->param, c->pgrad = &c->grad, c->pstate1 = &c->state1, c->pstate2 = &c->state2;
    c->pstate3 = &c->state3;
}

/** The 4 labels at `offset` bytes of the bad-labels buffer: 0 holds {0, 1, 5, 2}, 16 holds {-1, 0, 0, 0}. */
static ck_tensor bad_labels(const inv_env *e, ck_tensor labels, size_t offset) {
    labels.buffer = e->bad_labels;
    labels.offset = offset;
    return labels;
}

static ck_status loss_forward(const optim_call *c) {
    return ck_softmax_cross_entropy_forward(c->ctx, c->smoothing, c->plogits, c->plabels, c->pprobs, c->ploss);
}

static ck_status loss_backward(const optim_call *c) {
    if (c->dloss_api)
        return ck_softmax_cross_entropy_backward_dloss(c->ctx, c->smoothing, c->pdloss, c->pprobs, c->plabels, c->beta,
                                                       c->pdlogits);
    return ck_softmax_cross_entropy_backward(c->ctx, c->smoothing, c->loss_grad, c->pprobs, c->plabels, c->beta,
                                             c->pdlogits);
}

static ck_status sgd(const optim_call *c) { return ck_sgd_update(c->ctx, c->psgd, c->pparam, c->pgrad, c->pstate1); }

static ck_status adam(const optim_call *c) {
    return ck_adam_update(c->ctx, c->padam, c->pparam, c->pgrad, c->pstate1, c->pstate2);
}

static ck_status amsgrad(const optim_call *c) {
    return ck_adam_amsgrad_update(c->ctx, c->padam, c->pparam, c->pgrad, c->pstate1, c->pstate2, c->pstate3);
}

static ck_status rmsprop(const optim_call *c) {
    return ck_rmsprop_update(c->ctx, c->prmsprop, c->pparam, c->pgrad, c->pstate1, c->pstate2, c->pstate3);
}

/* clang-format off */
#define LOSS_FORWARD_CASES(X) \
    X(lf_valid, "valid call", CK_OK, (void)0) \
    X(lf_valid_smoothing_one, "label_smoothing 1", CK_OK, c.smoothing = 1.0f) \
    X(lf_valid_scalar_loss, "loss a 0-d tensor", CK_OK, c.loss.ndim = 0) \
    X(lf_ctx_null, "ctx NULL", CK_ERR_INVALID_ARGUMENT, c.ctx = NULL) \
    X(lf_logits_null, "logits NULL", CK_ERR_INVALID_ARGUMENT, c.plogits = NULL) \
    X(lf_labels_null, "labels NULL", CK_ERR_INVALID_ARGUMENT, c.plabels = NULL) \
    X(lf_probs_null, "probs NULL", CK_ERR_INVALID_ARGUMENT, c.pprobs = NULL) \
    X(lf_loss_null, "loss NULL", CK_ERR_INVALID_ARGUMENT, c.ploss = NULL) \
    X(lf_labels_foreign, "labels on a buffer of another context", CK_ERR_INVALID_ARGUMENT, c.labels = inv_foreign(e, c.labels)) \
    X(lf_labels_f32, "labels float32", CK_ERR_INVALID_ARGUMENT, c.labels = inv_dtype(c.labels, CK_F32)) \
    X(lf_labels_f64, "labels float64", CK_ERR_INVALID_ARGUMENT, c.labels = inv_dtype(c.labels, CK_F64)) \
    X(lf_logits_i32, "logits int32", CK_ERR_INVALID_ARGUMENT, c.logits = inv_dtype(c.logits, CK_I32)) \
    X(lf_probs_f64, "probs float64, logits float32", INV_F64_AMONG_F32, c.probs = inv_dtype(c.probs, CK_F64)) \
    X(lf_labels_length, "labels length 3 for 4 rows", CK_ERR_SHAPE_MISMATCH, c.labels.dims[0] = 3) \
    X(lf_labels_2d, "labels 2-D (4,1)", CK_ERR_SHAPE_MISMATCH, c.labels = inv_dims2(c.labels, 4, 1)) \
    X(lf_logits_1d, "logits 1-D (20)", CK_ERR_SHAPE_MISMATCH, c.logits = inv_dims1(c.logits, 20)) \
    X(lf_logits_zero_classes, "logits (4,0)", CK_ERR_INVALID_ARGUMENT, c.logits.dims[1] = 0) \
    X(lf_probs_dims, "probs (4,4)", CK_ERR_SHAPE_MISMATCH, c.probs = inv_dims2(c.probs, 4, 4)) \
    X(lf_loss_two, "loss (2)", CK_ERR_SHAPE_MISMATCH, c.loss.dims[0] = 2) \
    X(lf_smoothing_negative, "label_smoothing -0.1", CK_ERR_INVALID_ARGUMENT, c.smoothing = -0.1f) \
    X(lf_smoothing_above_one, "label_smoothing 1.5", CK_ERR_INVALID_ARGUMENT, c.smoothing = 1.5f) \
    X(lf_smoothing_nan, "label_smoothing NaN", CK_ERR_INVALID_ARGUMENT, c.smoothing = NAN) \
    X(lf_label_equals_k, "a label equal to K = 5", CK_ERR_INVALID_ARGUMENT, c.labels = bad_labels(e, c.labels, 0)) \
    X(lf_label_negative, "a label -1", CK_ERR_INVALID_ARGUMENT, c.labels = bad_labels(e, c.labels, 16)) \
    X(lf_loss_overlaps_probs, "loss inside probs", CK_ERR_INVALID_ARGUMENT, c.loss = inv_overlapping(c.loss, &c.probs, 8)) \
    X(lf_probs_overlaps_logits, "probs partly overlaps logits", CK_ERR_INVALID_ARGUMENT, c.probs = inv_overlapping(c.probs, &c.logits, 20)) \
    X(lf_probs_overlaps_labels, "probs overlaps labels", CK_ERR_INVALID_ARGUMENT, c.probs = inv_overlapping(c.probs, &c.labels, 0))

#define LOSS_BACKWARD_CASES(X) \
    X(lb_valid, "valid call", CK_OK, (void)0) \
    X(lb_valid_beta, "valid call, beta 1, loss_grad 0.5", CK_OK, c.beta = 1.0f; c.loss_grad = 0.5f) \
    X(lb_ctx_null, "ctx NULL", CK_ERR_INVALID_ARGUMENT, c.ctx = NULL) \
    X(lb_probs_null, "probs NULL", CK_ERR_INVALID_ARGUMENT, c.pprobs = NULL) \
    X(lb_labels_null, "labels NULL", CK_ERR_INVALID_ARGUMENT, c.plabels = NULL) \
    X(lb_dlogits_null, "dlogits NULL", CK_ERR_INVALID_ARGUMENT, c.pdlogits = NULL) \
    X(lb_labels_f32, "labels float32", CK_ERR_INVALID_ARGUMENT, c.labels = inv_dtype(c.labels, CK_F32)) \
    X(lb_labels_length, "labels length 5 for 4 rows", CK_ERR_SHAPE_MISMATCH, c.labels.dims[0] = 5) \
    X(lb_dlogits_dims, "dlogits (5,4)", CK_ERR_SHAPE_MISMATCH, c.dlogits = inv_dims2(c.dlogits, 5, 4)) \
    X(lb_smoothing_two, "label_smoothing 2", CK_ERR_INVALID_ARGUMENT, c.smoothing = 2.0f) \
    X(lb_loss_grad_nan, "loss_grad NaN", CK_ERR_INVALID_ARGUMENT, c.loss_grad = NAN) \
    X(lb_beta_inf, "beta infinite", CK_ERR_INVALID_ARGUMENT, c.beta = INFINITY) \
    X(lb_label_equals_k, "a label equal to K = 5", CK_ERR_INVALID_ARGUMENT, c.labels = bad_labels(e, c.labels, 0)) \
    X(lb_label_negative, "a label -1", CK_ERR_INVALID_ARGUMENT, c.labels = bad_labels(e, c.labels, 16)) \
    X(lb_dlogits_overlaps_labels, "dlogits overlaps labels", CK_ERR_INVALID_ARGUMENT, c.dlogits = inv_overlapping(c.dlogits, &c.labels, 0)) \
    X(lb_dlogits_overlaps_probs, "dlogits partly overlaps probs", CK_ERR_INVALID_ARGUMENT, c.dlogits = inv_overlapping(c.dlogits, &c.probs, 4)) \
    X(lb_dloss_valid, "dloss: valid call, beta 1", CK_OK, c.dloss_api = 1; c.beta = 1.0f) \
    X(lb_dloss_null, "dloss NULL", CK_ERR_INVALID_ARGUMENT, c.dloss_api = 1; c.pdloss = NULL) \
    X(lb_dloss_20_elements, "dloss of 20 elements (probs)", CK_ERR_SHAPE_MISMATCH, c.dloss_api = 1; c.pdloss = &c.probs) \
    X(lb_dloss_i32, "dloss int32", CK_ERR_INVALID_ARGUMENT, c.dloss_api = 1; c.dloss = inv_dtype(c.dloss, CK_I32)) \
    X(lb_dloss_f64, "dloss float64, the rest float32", INV_F64_AMONG_F32, c.dloss_api = 1; c.dloss = inv_dtype(c.dloss, CK_F64)) \
    X(lb_dloss_foreign, "dloss on a buffer of another context", CK_ERR_INVALID_ARGUMENT, c.dloss_api = 1; c.dloss = inv_foreign(e, c.dloss)) \
    X(lb_dloss_inside_dlogits, "dloss inside dlogits", CK_ERR_INVALID_ARGUMENT, c.dloss_api = 1; c.dloss = inv_overlapping(c.dloss, &c.dlogits, 8)) \
    X(lb_dloss_bad_label, "dloss, a label equal to K = 5", CK_ERR_INVALID_ARGUMENT, c.dloss_api = 1; c.labels = bad_labels(e, c.labels, 0))

#define SGD_CASES(X) \
    X(sgd_valid, "valid call", CK_OK, (void)0) \
    X(sgd_valid_no_momentum, "momentum 0 without velocity", CK_OK, c.sgd.momentum = 0.0f; c.pstate1 = NULL) \
    X(sgd_valid_nesterov, "Nesterov, weight decay, step 7", CK_OK, c.sgd.nesterov = 1; c.sgd.weight_decay = 0.01f; c.sgd.step = 7) \
    X(sgd_ctx_null, "ctx NULL", CK_ERR_INVALID_ARGUMENT, c.ctx = NULL) \
    X(sgd_params_null, "params NULL", CK_ERR_INVALID_ARGUMENT, c.psgd = NULL) \
    X(sgd_param_null, "param NULL", CK_ERR_INVALID_ARGUMENT, c.pparam = NULL) \
    X(sgd_grad_null, "grad NULL", CK_ERR_INVALID_ARGUMENT, c.pgrad = NULL) \
    X(sgd_momentum_no_velocity, "momentum 0.9 with velocity NULL", CK_ERR_INVALID_ARGUMENT, c.pstate1 = NULL) \
    X(sgd_step_zero, "step 0", CK_ERR_INVALID_ARGUMENT, c.sgd.step = 0) \
    X(sgd_step_negative, "step -3", CK_ERR_INVALID_ARGUMENT, c.sgd.step = -3) \
    X(sgd_lr_nan, "lr NaN", CK_ERR_INVALID_ARGUMENT, c.sgd.lr = NAN) \
    X(sgd_lr_negative, "lr -0.1 (torch.optim: invalid learning rate)", CK_ERR_INVALID_ARGUMENT, c.sgd.lr = -0.1f) \
    X(sgd_momentum_negative, "momentum -0.5", CK_ERR_INVALID_ARGUMENT, c.sgd.momentum = -0.5f) \
    X(sgd_momentum_nan, "momentum NaN", CK_ERR_INVALID_ARGUMENT, c.sgd.momentum = NAN) \
    X(sgd_dampening_nan, "dampening NaN", CK_ERR_INVALID_ARGUMENT, c.sgd.dampening = NAN) \
    X(sgd_weight_decay_inf, "weight_decay infinite", CK_ERR_INVALID_ARGUMENT, c.sgd.weight_decay = INFINITY) \
    X(sgd_weight_decay_negative, "weight_decay -0.01 (torch.optim: invalid weight_decay)", CK_ERR_INVALID_ARGUMENT, c.sgd.weight_decay = -0.01f) \
    X(sgd_nesterov_no_momentum, "Nesterov with momentum 0", CK_ERR_INVALID_ARGUMENT, c.sgd.nesterov = 1; c.sgd.momentum = 0.0f) \
    X(sgd_nesterov_dampening, "Nesterov with dampening 0.5", CK_ERR_INVALID_ARGUMENT, c.sgd.nesterov = 1; c.sgd.dampening = 0.5f) \
    X(sgd_grad_dims, "grad (4,3)", CK_ERR_SHAPE_MISMATCH, c.grad = inv_dims2(c.grad, 4, 3)) \
    X(sgd_velocity_dims, "velocity (12)", CK_ERR_SHAPE_MISMATCH, c.state1 = inv_dims1(c.state1, 12)) \
    X(sgd_param_i32, "param int32", CK_ERR_INVALID_ARGUMENT, c.param = inv_dtype(c.param, CK_I32)) \
    X(sgd_velocity_f64, "velocity float64, the rest float32", INV_F64_AMONG_F32, c.state1 = inv_dtype(c.state1, CK_F64)) \
    X(sgd_param_foreign, "param on a buffer of another context", CK_ERR_INVALID_ARGUMENT, c.param = inv_foreign(e, c.param)) \
    X(sgd_velocity_overlaps_param, "velocity partly overlaps param", CK_ERR_INVALID_ARGUMENT, c.state1 = inv_overlapping(c.state1, &c.param, 4)) \
    X(sgd_velocity_overlaps_grad, "velocity partly overlaps grad", CK_ERR_INVALID_ARGUMENT, c.state1 = inv_overlapping(c.state1, &c.grad, 24))

#define ADAM_CASES(X) \
    X(adam_valid, "valid call", CK_OK, (void)0) \
    X(adam_valid_adamw, "AdamW, weight decay 0.01, step 1000000", CK_OK, c.adam.decoupled_weight_decay = 1; c.adam.weight_decay = 0.01f; c.adam.step = 1000000) \
    X(adam_ctx_null, "ctx NULL", CK_ERR_INVALID_ARGUMENT, c.ctx = NULL) \
    X(adam_params_null, "params NULL", CK_ERR_INVALID_ARGUMENT, c.padam = NULL) \
    X(adam_param_null, "param NULL", CK_ERR_INVALID_ARGUMENT, c.pparam = NULL) \
    X(adam_grad_null, "grad NULL", CK_ERR_INVALID_ARGUMENT, c.pgrad = NULL) \
    X(adam_m_null, "m NULL", CK_ERR_INVALID_ARGUMENT, c.pstate1 = NULL) \
    X(adam_v_null, "v NULL", CK_ERR_INVALID_ARGUMENT, c.pstate2 = NULL) \
    X(adam_step_zero, "step 0", CK_ERR_INVALID_ARGUMENT, c.adam.step = 0) \
    X(adam_step_negative, "step -1", CK_ERR_INVALID_ARGUMENT, c.adam.step = -1) \
    X(adam_beta1_one, "beta1 1", CK_ERR_INVALID_ARGUMENT, c.adam.beta1 = 1.0f) \
    X(adam_beta1_negative, "beta1 -0.1", CK_ERR_INVALID_ARGUMENT, c.adam.beta1 = -0.1f) \
    X(adam_beta2_one, "beta2 1", CK_ERR_INVALID_ARGUMENT, c.adam.beta2 = 1.0f) \
    X(adam_beta2_nan, "beta2 NaN", CK_ERR_INVALID_ARGUMENT, c.adam.beta2 = NAN) \
    X(adam_epsilon_negative, "epsilon -1e-8", CK_ERR_INVALID_ARGUMENT, c.adam.epsilon = -1e-8f) \
    X(adam_epsilon_nan, "epsilon NaN", CK_ERR_INVALID_ARGUMENT, c.adam.epsilon = NAN) \
    X(adam_lr_nan, "lr NaN", CK_ERR_INVALID_ARGUMENT, c.adam.lr = NAN) \
    X(adam_lr_negative, "lr -0.001 (torch.optim: invalid learning rate)", CK_ERR_INVALID_ARGUMENT, c.adam.lr = -1e-3f) \
    X(adam_weight_decay_inf, "weight_decay infinite", CK_ERR_INVALID_ARGUMENT, c.adam.weight_decay = INFINITY) \
    X(adam_weight_decay_negative, "weight_decay -0.01 (torch.optim: invalid weight_decay)", CK_ERR_INVALID_ARGUMENT, c.adam.weight_decay = -0.01f) \
    X(adam_m_dims, "m (3,5)", CK_ERR_SHAPE_MISMATCH, c.state1 = inv_dims2(c.state1, 3, 5)) \
    X(adam_v_dims, "v (3,4,1)", CK_ERR_SHAPE_MISMATCH, c.state2 = inv_dims3(c.state2, 3, 4, 1)) \
    X(adam_grad_zero, "grad (3,0)", CK_ERR_INVALID_ARGUMENT, c.grad.dims[1] = 0) \
    X(adam_m_i32, "m int32", CK_ERR_INVALID_ARGUMENT, c.state1 = inv_dtype(c.state1, CK_I32)) \
    X(adam_v_f64, "v float64, the rest float32", INV_F64_AMONG_F32, c.state2 = inv_dtype(c.state2, CK_F64)) \
    X(adam_v_overlaps_m, "v partly overlaps m", CK_ERR_INVALID_ARGUMENT, c.state2 = inv_overlapping(c.state2, &c.state1, 16)) \
    X(adam_m_is_v, "m and v the same tensor", CK_ERR_INVALID_ARGUMENT, c.pstate2 = &c.state1)

#define AMSGRAD_CASES(X) \
    X(ams_valid, "valid call", CK_OK, (void)0) \
    X(ams_valid_adamw, "AdamW, weight decay 0.01, step 9", CK_OK, c.adam.decoupled_weight_decay = 1; c.adam.weight_decay = 0.01f; c.adam.step = 9) \
    X(ams_ctx_null, "ctx NULL", CK_ERR_INVALID_ARGUMENT, c.ctx = NULL) \
    X(ams_v_max_null, "v_max NULL", CK_ERR_INVALID_ARGUMENT, c.pstate3 = NULL) \
    X(ams_v_null, "v NULL", CK_ERR_INVALID_ARGUMENT, c.pstate2 = NULL) \
    X(ams_params_null, "params NULL", CK_ERR_INVALID_ARGUMENT, c.padam = NULL) \
    X(ams_step_zero, "step 0", CK_ERR_INVALID_ARGUMENT, c.adam.step = 0) \
    X(ams_v_max_dims, "v_max (4,3)", CK_ERR_SHAPE_MISMATCH, c.state3 = inv_dims2(c.state3, 4, 3)) \
    X(ams_v_max_f64, "v_max float64, the rest float32", INV_F64_AMONG_F32, c.state3 = inv_dtype(c.state3, CK_F64)) \
    X(ams_v_max_is_v, "v_max and v the same tensor", CK_ERR_INVALID_ARGUMENT, c.pstate3 = &c.state2) \
    X(ams_v_max_overlaps_param, "v_max partly overlaps param", CK_ERR_INVALID_ARGUMENT, c.state3 = inv_overlapping(c.state3, &c.param, 4)) \
    X(ams_v_max_foreign, "v_max on a buffer of another context", CK_ERR_INVALID_ARGUMENT, c.state3 = inv_foreign(e, c.state3))

#define RMSPROP_CASES(X) \
    X(rms_valid, "valid call", CK_OK, (void)0) \
    X(rms_valid_plain, "not centered, no momentum, weight decay 0.1", CK_OK, c.rmsprop.centered = 0; c.rmsprop.momentum = 0.0f; c.rmsprop.weight_decay = 0.1f; c.pstate2 = NULL; c.pstate3 = NULL) \
    X(rms_valid_alpha_bounds, "alpha 0 and epsilon 0", CK_OK, c.rmsprop.alpha = 0.0f; c.rmsprop.epsilon = 0.0f) \
    X(rms_ctx_null, "ctx NULL", CK_ERR_INVALID_ARGUMENT, c.ctx = NULL) \
    X(rms_params_null, "params NULL", CK_ERR_INVALID_ARGUMENT, c.prmsprop = NULL) \
    X(rms_param_null, "param NULL", CK_ERR_INVALID_ARGUMENT, c.pparam = NULL) \
    X(rms_grad_null, "grad NULL", CK_ERR_INVALID_ARGUMENT, c.pgrad = NULL) \
    X(rms_square_avg_null, "square_avg NULL", CK_ERR_INVALID_ARGUMENT, c.pstate1 = NULL) \
    X(rms_centered_no_grad_avg, "centered with grad_avg NULL", CK_ERR_INVALID_ARGUMENT, c.pstate2 = NULL) \
    X(rms_grad_avg_not_centered, "grad_avg given, not centered", CK_ERR_INVALID_ARGUMENT, c.rmsprop.centered = 0) \
    X(rms_momentum_no_buffer, "momentum 0.9 with momentum_buffer NULL", CK_ERR_INVALID_ARGUMENT, c.pstate3 = NULL) \
    X(rms_buffer_no_momentum, "momentum_buffer given, momentum 0", CK_ERR_INVALID_ARGUMENT, c.rmsprop.momentum = 0.0f) \
    X(rms_lr_negative, "lr -0.01 (torch.optim: invalid learning rate)", CK_ERR_INVALID_ARGUMENT, c.rmsprop.lr = -0.01f) \
    X(rms_lr_nan, "lr NaN", CK_ERR_INVALID_ARGUMENT, c.rmsprop.lr = NAN) \
    X(rms_alpha_negative, "alpha -0.1 (torch.optim: invalid alpha value)", CK_ERR_INVALID_ARGUMENT, c.rmsprop.alpha = -0.1f) \
    X(rms_alpha_above_one, "alpha 1.5", CK_ERR_INVALID_ARGUMENT, c.rmsprop.alpha = 1.5f) \
    X(rms_alpha_nan, "alpha NaN", CK_ERR_INVALID_ARGUMENT, c.rmsprop.alpha = NAN) \
    X(rms_epsilon_negative, "epsilon -1e-8 (torch.optim: invalid epsilon value)", CK_ERR_INVALID_ARGUMENT, c.rmsprop.epsilon = -1e-8f) \
    X(rms_momentum_negative, "momentum -0.5 (torch.optim: invalid momentum value)", CK_ERR_INVALID_ARGUMENT, c.rmsprop.momentum = -0.5f) \
    X(rms_weight_decay_inf, "weight_decay infinite", CK_ERR_INVALID_ARGUMENT, c.rmsprop.weight_decay = INFINITY) \
    X(rms_weight_decay_negative, "weight_decay -0.01 (torch.optim: invalid weight_decay value)", CK_ERR_INVALID_ARGUMENT, c.rmsprop.weight_decay = -0.01f) \
    X(rms_grad_dims, "grad (4,3)", CK_ERR_SHAPE_MISMATCH, c.grad = inv_dims2(c.grad, 4, 3)) \
    X(rms_buffer_dims, "momentum_buffer (12)", CK_ERR_SHAPE_MISMATCH, c.state3 = inv_dims1(c.state3, 12)) \
    X(rms_param_i32, "param int32", CK_ERR_INVALID_ARGUMENT, c.param = inv_dtype(c.param, CK_I32)) \
    X(rms_grad_avg_f64, "grad_avg float64, the rest float32", INV_F64_AMONG_F32, c.state2 = inv_dtype(c.state2, CK_F64)) \
    X(rms_square_avg_is_grad_avg, "square_avg and grad_avg the same tensor", CK_ERR_INVALID_ARGUMENT, c.pstate2 = &c.state1) \
    X(rms_buffer_overlaps_grad, "momentum_buffer partly overlaps grad", CK_ERR_INVALID_ARGUMENT, c.state3 = inv_overlapping(c.state3, &c.grad, 8))
/* clang-format on */

/* Each case: the valid call, the case's edit, then the op. */
#define DEFINE_CASE(run_fn, edit) \
    {                             \
        optim_call c;             \
        optim_init(e, &c);        \
        edit;                     \
        *message_ctx = c.ctx;     \
        return run_fn(&c);        \
    }
#define LOSS_FORWARD_FN(id, text, status, edit) \
    static ck_status id(const inv_env *e, ck_context **message_ctx) DEFINE_CASE(loss_forward, edit)
#define LOSS_BACKWARD_FN(id, text, status, edit) \
    static ck_status id(const inv_env *e, ck_context **message_ctx) DEFINE_CASE(loss_backward, edit)
#define SGD_FN(id, text, status, edit) static ck_status id(const inv_env *e, ck_context **message_ctx) DEFINE_CASE(sgd, edit)
#define ADAM_FN(id, text, status, edit) static ck_status id(const inv_env *e, ck_context **message_ctx) DEFINE_CASE(adam, edit)
#define AMSGRAD_FN(id, text, status, edit) \
    static ck_status id(const inv_env *e, ck_context **message_ctx) DEFINE_CASE(amsgrad, edit)
#define RMSPROP_FN(id, text, status, edit) \
    static ck_status id(const inv_env *e, ck_context **message_ctx) DEFINE_CASE(rmsprop, edit)

LOSS_FORWARD_CASES(LOSS_FORWARD_FN)
LOSS_BACKWARD_CASES(LOSS_BACKWARD_FN)
SGD_CASES(SGD_FN)
ADAM_CASES(ADAM_FN)
AMSGRAD_CASES(AMSGRAD_FN)
RMSPROP_CASES(RMSPROP_FN)

#define LOSS_FORWARD_ENTRY(id, text, status, edit) {"softmax_cross_entropy_forward: " text, status, id},
#define LOSS_BACKWARD_ENTRY(id, text, status, edit) {"softmax_cross_entropy_backward: " text, status, id},
#define SGD_ENTRY(id, text, status, edit) {"sgd_update: " text, status, id},
#define ADAM_ENTRY(id, text, status, edit) {"adam_update: " text, status, id},
#define AMSGRAD_ENTRY(id, text, status, edit) {"adam_update (AMSGrad): " text, status, id},
#define RMSPROP_ENTRY(id, text, status, edit) {"rmsprop_update: " text, status, id},

static const inv_case cases[] = {
    LOSS_FORWARD_CASES(LOSS_FORWARD_ENTRY) LOSS_BACKWARD_CASES(LOSS_BACKWARD_ENTRY) SGD_CASES(SGD_ENTRY)
    ADAM_CASES(ADAM_ENTRY) AMSGRAD_CASES(AMSGRAD_ENTRY) RMSPROP_CASES(RMSPROP_ENTRY)
};

inv_table inv_optim_cases(void) { return (inv_table){cases, sizeof cases / sizeof cases[0]}; }
