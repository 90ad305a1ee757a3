/*
 * fuzz_ops_train.c — fuzz drivers of activations, batch norm, softmax
 * cross-entropy, dropout and the SGD / Adam updates.
 *
 * Float parameters (epsilon, momentum, betas, rates, label smoothing) are
 * ordinary values for most bytes and NaN / inf / negative / huge for the
 * rest. Labels are valid class indices unless the data bytes put one out of
 * range (fuzz_data.c). Optimizer state and running statistics are outputs:
 * the ops update them in place. The ordinary optimizer parameters are
 * dyadic (0.875, not 0.9): weight decay and the moment updates are then exact
 * in float and in double alike, so Adam's g / (sqrt(v) + eps), which turns
 * rounding noise near g = 0 into a change of about lr, gives the same result
 * on the CPU and the reference backends.
 */
#include "fuzz_call.h"

/* x, (dy,) y or dx of any shape; activation in i[0]; alpha f[0]; beta f[1]. */
static void build_activation(fz_input *in, fz_call *c, int backward) {
    int64_t dims[CK_MAX_DIMS];
    int32_t ndim = fz_shape(in, 4, dims);
    c->i[0] = fz_param(in, CK_ACT_RELU, CK_ACT_TANH);
    c->f[0] = fz_scalar(in, 0.01f, 0.2f, 0.0f);
    c->f[1] = fz_scalar(in, 0.0f, 1.0f, 0.5f);
    fz_add_slot(c, "x", FZ_INPUT, ndim, dims);
    if (backward) fz_add_slot(c, "dy", FZ_INPUT, ndim, dims);
    fz_add_slot(c, backward ? "dx" : "y", FZ_OUTPUT, ndim, dims);
}

static void build_activation_forward(fz_input *in, fz_call *c) { build_activation(in, c, 0); }
static void build_activation_backward(fz_input *in, fz_call *c) { build_activation(in, c, 1); }

/* x (N, C, H, W) and the batch-norm params. */
static void decode_batchnorm(fz_input *in, fz_call *c, int64_t x[4]) {
    x[0] = fz_pick(in, 1, 3);
    x[1] = fz_pick(in, 1, 5);
    x[2] = fz_extent(in);
    x[3] = fz_extent(in);
    c->p.bn.training = fz_param(in, 0, 1);
    c->p.bn.epsilon = fz_scalar(in, 1e-5f, 1e-3f, 0.1f);
    c->p.bn.momentum = fz_scalar(in, 0.1f, 0.0f, 1.0f);
}

static void build_batchnorm_forward(fz_input *in, fz_call *c) {
    int64_t x[4];
    decode_batchnorm(in, c, x);
    fz_add_slot(c, "x", FZ_INPUT, 4, x);
    fz_add_slot(c, "gamma", FZ_INPUT, 1, &x[1]);
    fz_add_slot(c, "beta", FZ_INPUT, 1, &x[1]);
    fz_add_slot(c, "running_mean", FZ_OUTPUT, 1, &x[1]);
    fz_add_slot(c, "running_var", FZ_OUTPUT, 1, &x[1]);
    fz_add_slot(c, "saved_mean", FZ_OUTPUT, 1, &x[1]);
    fz_add_slot(c, "saved_invstd", FZ_OUTPUT, 1, &x[1]);
    fz_add_slot(c, "y", FZ_OUTPUT, 4, x);
}

static void build_batchnorm_backward(fz_input *in, fz_call *c) {
    int64_t x[4];
    decode_batchnorm(in, c, x);
    c->f[0] = fz_scalar(in, 0.0f, 1.0f, 0.5f);
    fz_add_slot(c, "x", FZ_INPUT, 4, x);
    fz_add_slot(c, "dy", FZ_INPUT, 4, x);
    fz_add_slot(c, "gamma", FZ_INPUT, 1, &x[1]);
    fz_add_slot(c, "saved_mean", FZ_INPUT, 1, &x[1]);
    fz_add_slot(c, "saved_invstd", FZ_INPUT, 1, &x[1]);
    fz_add_slot(c, "dx", FZ_OUTPUT, 4, x);
    fz_add_slot(c, "dgamma", FZ_OUTPUT, 1, &x[1]);
    fz_add_slot(c, "dbeta", FZ_OUTPUT, 1, &x[1]);
}

/* logits or probs (N, K) and labels (N); smoothing f[0], loss_grad f[1], beta f[2]. */
static void decode_loss(fz_input *in, fz_call *c, int64_t rows[2]) {
    rows[0] = fz_pick(in, 1, 6);
    rows[1] = fz_extent(in);
    c->classes = rows[1];
    c->f[0] = fz_scalar(in, 0.0f, 0.1f, 1.0f);
    c->f[1] = fz_scalar(in, 1.0f, 0.5f, 2.0f);
    c->f[2] = fz_scalar(in, 0.0f, 1.0f, 0.5f);
}

static void build_loss_forward(fz_input *in, fz_call *c) {
    int64_t rows[2];
    decode_loss(in, c, rows);
    const int64_t one = 1;
    c->classes_of = fz_add_slot(c, "logits", FZ_INPUT, 2, rows);
    fz_add_slot(c, "labels", FZ_LABELS, 1, rows);
    fz_add_slot(c, "probs", FZ_OUTPUT, 2, rows);
    fz_add_slot(c, "loss", FZ_OUTPUT, 1, &one);
}

static void build_loss_backward(fz_input *in, fz_call *c) {
    int64_t rows[2];
    decode_loss(in, c, rows);
    c->classes_of = fz_add_slot(c, "probs", FZ_INPUT, 2, rows);
    fz_add_slot(c, "labels", FZ_LABELS, 1, rows);
    fz_add_slot(c, "dlogits", FZ_OUTPUT, 2, rows);
}

/* x, y, mask of one shape; the counter offset is small, or any uint64 (wrapping). */
static void build_dropout(fz_input *in, fz_call *c) {
    int64_t dims[CK_MAX_DIMS];
    int32_t ndim = fz_shape(in, 4, dims);
    c->p.dropout.rate = fz_scalar(in, 0.0f, 0.5f, 0.25f);
    c->p.dropout.seed = fz_u32(in);
    uint8_t offset = fz_u8(in);
    c->p.dropout.offset = offset >= 200 ? fz_u64(in) : offset;
    fz_add_slot(c, "x", FZ_INPUT, ndim, dims);
    fz_add_slot(c, "y", FZ_OUTPUT, ndim, dims);
    fz_add_slot(c, "mask", FZ_OUTPUT, ndim, dims);
}

static void build_sgd(fz_input *in, fz_call *c) {
    int64_t dims[CK_MAX_DIMS];
    int32_t ndim = fz_shape(in, 3, dims);
    ck_sgd_params *p = &c->p.sgd;
    p->lr = fz_scalar(in, 0.125f, 0.015625f, 0.0f);
    p->momentum = fz_scalar(in, 0.0f, 0.875f, 0.5f);
    p->dampening = fz_scalar(in, 0.0f, 0.125f, 1.0f);
    p->weight_decay = fz_scalar(in, 0.0f, 0.0625f, 0.125f);
    p->nesterov = fz_param(in, 0, 1);
    p->step = fz_param(in, 1, 5);
    fz_add_slot(c, "param", FZ_OUTPUT, ndim, dims);
    fz_add_slot(c, "grad", FZ_INPUT, ndim, dims);
    fz_add_slot(c, "velocity", FZ_OUTPUT, ndim, dims);
}

static void build_adam(fz_input *in, fz_call *c) {
    int64_t dims[CK_MAX_DIMS];
    int32_t ndim = fz_shape(in, 3, dims);
    ck_adam_params *p = &c->p.adam;
    p->lr = fz_scalar(in, 0.0009765625f, 0.125f, 0.0f);
    p->beta1 = fz_scalar(in, 0.875f, 0.0f, 0.5f);
    p->beta2 = fz_scalar(in, 0.984375f, 0.0f, 0.5f);
    p->epsilon = fz_scalar(in, 0x1p-24f, 0.0f, 0x1p-10f);
    p->weight_decay = fz_scalar(in, 0.0f, 0.0625f, 0.125f);
    p->decoupled_weight_decay = fz_param(in, 0, 1);
    p->step = fz_param(in, 1, 5);
    c->i[0] = fz_u8(in) & 1; /* AMSGrad */
    fz_add_slot(c, "param", FZ_OUTPUT, ndim, dims);
    fz_add_slot(c, "grad", FZ_INPUT, ndim, dims);
    fz_add_slot(c, "m", FZ_OUTPUT, ndim, dims);
    c->slots[fz_add_slot(c, "v", FZ_OUTPUT, ndim, dims)].nonnegative = 1;
    if (c->i[0]) c->slots[fz_add_slot(c, "v_max", FZ_OUTPUT, ndim, dims)].nonnegative = 1;
}

/* Centered or not, with or without momentum; the state tensors a variant does not use are NULL. */
static void build_rmsprop(fz_input *in, fz_call *c) {
    int64_t dims[CK_MAX_DIMS];
    int32_t ndim = fz_shape(in, 3, dims);
    ck_rmsprop_params *p = &c->p.rmsprop;
    p->lr = fz_scalar(in, 0.0078125f, 0.125f, 0.0f);
    p->alpha = fz_scalar(in, 0.984375f, 0.0f, 0.5f);
    p->epsilon = fz_scalar(in, 0x1p-24f, 0.0f, 0x1p-10f);
    p->weight_decay = fz_scalar(in, 0.0f, 0.0625f, 0.125f);
    p->momentum = fz_scalar(in, 0.0f, 0.875f, 0.5f);
    p->centered = fz_param(in, 0, 1);
    fz_add_slot(c, "param", FZ_OUTPUT, ndim, dims);
    fz_add_slot(c, "grad", FZ_INPUT, ndim, dims);
    c->slots[fz_add_slot(c, "square_avg", FZ_OUTPUT, ndim, dims)].nonnegative = 1;
    c->slots[fz_add_slot(c, "grad_avg", FZ_OUTPUT, ndim, dims)].present = p->centered != 0;
    c->slots[fz_add_slot(c, "momentum_buffer", FZ_OUTPUT, ndim, dims)].present = p->momentum > 0.0f;
}

static ck_status call_activation_forward(ck_context *ctx, const fz_call *c, const ck_tensor *const *t) {
    return ck_activation_forward(ctx, (ck_activation)c->i[0], c->f[0], t[0], t[1]);
}
static ck_status call_activation_backward(ck_context *ctx, const fz_call *c, const ck_tensor *const *t) {
    return ck_activation_backward(ctx, (ck_activation)c->i[0], c->f[0], t[0], t[1], c->f[1], t[2]);
}
static ck_status call_batchnorm_forward(ck_context *ctx, const fz_call *c, const ck_tensor *const *t) {
    return ck_batchnorm2d_forward(ctx, fz_params_arg(c), t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7]);
}
static ck_status call_batchnorm_backward(ck_context *ctx, const fz_call *c, const ck_tensor *const *t) {
    return ck_batchnorm2d_backward(ctx, fz_params_arg(c), t[0], t[1], t[2], t[3], t[4], c->f[0], t[5], t[6], t[7]);
}
static ck_status call_loss_forward(ck_context *ctx, const fz_call *c, const ck_tensor *const *t) {
    return ck_softmax_cross_entropy_forward(ctx, c->f[0], t[0], t[1], t[2], t[3]);
}
static ck_status call_loss_backward(ck_context *ctx, const fz_call *c, const ck_tensor *const *t) {
    return ck_softmax_cross_entropy_backward(ctx, c->f[0], c->f[1], t[0], t[1], c->f[2], t[2]);
}
static ck_status call_dropout(ck_context *ctx, const fz_call *c, const ck_tensor *const *t) {
    return ck_dropout_forward(ctx, fz_params_arg(c), t[0], t[1], t[2]);
}
static ck_status call_sgd(ck_context *ctx, const fz_call *c, const ck_tensor *const *t) {
    return ck_sgd_update(ctx, fz_params_arg(c), t[0], t[1], t[2]);
}
static ck_status call_adam(ck_context *ctx, const fz_call *c, const ck_tensor *const *t) {
    if (c->i[0]) return ck_adam_amsgrad_update(ctx, fz_params_arg(c), t[0], t[1], t[2], t[3], t[4]);
    return ck_adam_update(ctx, fz_params_arg(c), t[0], t[1], t[2], t[3]);
}
static ck_status call_rmsprop(ck_context *ctx, const fz_call *c, const ck_tensor *const *t) {
    return ck_rmsprop_update(ctx, fz_params_arg(c), t[0], t[1], t[2], t[3], t[4]);
}

void fz_register_train_ops(fz_op table[CK_OP_COUNT]) {
    table[CK_OP_ACTIVATION_FORWARD] = (fz_op){build_activation_forward, call_activation_forward};
    table[CK_OP_ACTIVATION_BACKWARD] = (fz_op){build_activation_backward, call_activation_backward};
    table[CK_OP_BATCHNORM2D_FORWARD] = (fz_op){build_batchnorm_forward, call_batchnorm_forward};
    table[CK_OP_BATCHNORM2D_BACKWARD] = (fz_op){build_batchnorm_backward, call_batchnorm_backward};
    table[CK_OP_SOFTMAX_CROSS_ENTROPY_FORWARD] = (fz_op){build_loss_forward, call_loss_forward};
    table[CK_OP_SOFTMAX_CROSS_ENTROPY_BACKWARD] = (fz_op){build_loss_backward, call_loss_backward};
    table[CK_OP_DROPOUT_FORWARD] = (fz_op){build_dropout, call_dropout};
    table[CK_OP_SGD_UPDATE] = (fz_op){build_sgd, call_sgd};
    table[CK_OP_ADAM_UPDATE] = (fz_op){build_adam, call_adam};
    table[CK_OP_RMSPROP_UPDATE] = (fz_op){build_rmsprop, call_rmsprop};
}
