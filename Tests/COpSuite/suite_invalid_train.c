/*
 * suite_invalid_train.c — bad calls of the activations, dropout and batch
 * norm (see suite_invalid.h for how a case is written).
 *
 * Valid calls: activations and dropout on (2,3,4) tensors (leaky ReLU,
 * alpha 0.5; dropout rate 0.5); batch norm in training mode on x (2,3,4,4)
 * with every per-channel vector (3), running statistics included.
 * convkit.h: activation outputs may be exactly their input; dropout's rate
 * lies in [0, 1) and its mask is required; inference batch norm needs the
 * running statistics; epsilon must be positive and momentum in [0, 1].
 * Training batch norm needs more than one value per channel (PyTorch raises
 * "Expected more than 1 value per channel when training"): the unbiased
 * running variance would divide by N*H*W - 1 = 0.
 */
#include "suite_invalid.h"

#include <math.h>
#include <stdint.h>

typedef struct train_call {
    ck_context *ctx;
    ck_activation act;
    float alpha, beta;
    ck_dropout_params drop;
    ck_batchnorm_params bn;
    ck_tensor x, y, dy, dx, mask;
    inv_bn_views v; /* batch norm */
    const ck_dropout_params *pdrop;
    const ck_batchnorm_params *pbn;
    const ck_tensor *px, *py, *pdy, *pdx, *pmask;
    const ck_tensor *bx, *by, *bdy, *bdx, *gamma, *bbeta, *rmean, *rvar, *smean, *sinvstd, *dgamma, *dbeta;
} train_call;

static void train_init(const inv_env *e, train_call *c) {
    c->ctx = e->ctx;
    c->act = CK_ACT_LEAKY_RELU;
    c->alpha = 0.5f;
    c->beta = 0.0f;
    c->drop.rate = 0.5f;
    c->drop.seed = 1234;
    c->drop.offset = 0;
    c->bn.epsilon = 1e-5f;
    c->bn.momentum = 0.1f;
    c->bn.training = 1;
    c->x = e->ew.a, c->y = e->ew.y, c->dy = e->ew.dy, c->dx = e->ew.dx, c->mask = e->ew.mask;
    c->v = e->bn;
    c->pdrop = &c->drop;
    c->pbn = &c->bn;
    c->px = &c->x, c->py = &c->y, c->pdy = &c->dy, c->pdx = &c->dx, c->pmask = &c->mask;
    c->bx = &c->v.x, c->by = &c->v.y, c->bdy = &c->v.dy, c->bdx = &c->v.dx;
    c->gamma = &c->v.gamma, c->bbeta = &c->v.beta, c->rmean = &c->v.running_mean, c->rvar = &c->v.running_var;
    c->smean = &c->v.saved_mean, c->sinvstd = &c->v.saved_invstd, c->dgamma = &c->v.dgamma, c->dbeta = &c->v.dbeta;
}

static ck_status act_forward(const train_call *c) { return ck_activation_forward(c->ctx, c->act, c->alpha, c->px, c->py); }

static ck_status act_backward(const train_call *c) {
    return ck_activation_backward(c->ctx, c->act, c->alpha, c->px, c->pdy, c->beta, c->pdx);
}

static ck_status dropout(const train_call *c) { return ck_dropout_forward(c->ctx, c->pdrop, c->px, c->py, c->pmask); }

static ck_status bn_forward(const train_call *c) {
    return ck_batchnorm2d_forward(c->ctx, c->pbn, c->bx, c->gamma, c->bbeta, c->rmean, c->rvar, c->smean, c->sinvstd,
                                  c->by);
}

static ck_status bn_backward(const train_call *c) {
    return ck_batchnorm2d_backward(c->ctx, c->pbn, c->bx, c->bdy, c->gamma, c->smean, c->sinvstd, c->beta, c->bdx,
                                   c->dgamma, c->dbeta);
}

/* clang-format off */
#define ACT_FORWARD_CASES(X) \
    X(afwd_valid, "valid leaky ReLU", CK_OK, (void)0) \
    X(afwd_valid_in_place, "exactly in place", CK_OK, c.py = &c.x) \
    X(afwd_valid_tanh, "valid tanh", CK_OK, c.act = CK_ACT_TANH) \
    X(afwd_ctx_null, "ctx NULL", CK_ERR_INVALID_ARGUMENT, c.ctx = NULL) \
    X(afwd_x_null, "x NULL", CK_ERR_INVALID_ARGUMENT, c.px = NULL) \
    X(afwd_y_null, "y NULL", CK_ERR_INVALID_ARGUMENT, c.py = NULL) \
    X(afwd_act_unknown, "activation 4 (not a ck_activation)", CK_ERR_INVALID_ARGUMENT, c.act = (ck_activation)4) \
    X(afwd_act_negative, "activation -1", CK_ERR_INVALID_ARGUMENT, c.act = (ck_activation)-1) \
    X(afwd_alpha_nan, "leaky ReLU slope NaN", CK_ERR_INVALID_ARGUMENT, c.alpha = NAN) \
    X(afwd_y_dims, "y (2,4,3)", CK_ERR_SHAPE_MISMATCH, c.y = inv_dims3(c.y, 2, 4, 3)) \
    X(afwd_x_i32, "x int32", CK_ERR_INVALID_ARGUMENT, c.x = inv_dtype(c.x, CK_I32)) \
    X(afwd_y_f64, "y float64, x float32", INV_F64_AMONG_F32, c.y = inv_dtype(c.y, CK_F64)) \
    X(afwd_y_foreign, "y on a buffer of another context", CK_ERR_INVALID_ARGUMENT, c.y = inv_foreign(e, c.y)) \
    X(afwd_y_overlaps_x, "y partly overlaps x", CK_ERR_INVALID_ARGUMENT, c.y = inv_overlapping(c.y, &c.x, 8))

#define ACT_BACKWARD_CASES(X) \
    X(abwd_valid, "valid leaky ReLU, beta 1", CK_OK, c.beta = 1.0f) \
    X(abwd_valid_sigmoid, "valid sigmoid", CK_OK, c.act = CK_ACT_SIGMOID) \
    X(abwd_ctx_null, "ctx NULL", CK_ERR_INVALID_ARGUMENT, c.ctx = NULL) \
    X(abwd_x_null, "x NULL", CK_ERR_INVALID_ARGUMENT, c.px = NULL) \
    X(abwd_dy_null, "dy NULL", CK_ERR_INVALID_ARGUMENT, c.pdy = NULL) \
    X(abwd_dx_null, "dx NULL", CK_ERR_INVALID_ARGUMENT, c.pdx = NULL) \
    X(abwd_act_unknown, "activation 7", CK_ERR_INVALID_ARGUMENT, c.act = (ck_activation)7) \
    X(abwd_alpha_inf, "leaky ReLU slope infinite", CK_ERR_INVALID_ARGUMENT, c.alpha = INFINITY) \
    X(abwd_beta_nan, "beta NaN", CK_ERR_INVALID_ARGUMENT, c.beta = NAN) \
    X(abwd_dy_dims, "dy (2,3,5)", CK_ERR_SHAPE_MISMATCH, c.dy = inv_dims3(c.dy, 2, 3, 5)) \
    X(abwd_dx_dims, "dx (24)", CK_ERR_SHAPE_MISMATCH, c.dx = inv_dims1(c.dx, 24)) \
    X(abwd_dy_i32, "dy int32", CK_ERR_INVALID_ARGUMENT, c.dy = inv_dtype(c.dy, CK_I32)) \
    X(abwd_dx_overlaps_x, "dx partly overlaps x", CK_ERR_INVALID_ARGUMENT, c.dx = inv_overlapping(c.dx, &c.x, 4)) \
    X(abwd_dx_overlaps_dy, "dx partly overlaps dy", CK_ERR_INVALID_ARGUMENT, c.dx = inv_overlapping(c.dx, &c.dy, 48))

#define DROPOUT_CASES(X) \
    X(drop_valid, "valid call", CK_OK, (void)0) \
    X(drop_valid_rate_zero, "rate 0", CK_OK, c.drop.rate = 0.0f) \
    X(drop_valid_in_place, "y is x", CK_OK, c.py = &c.x) \
    X(drop_valid_extreme_seed_offset, "seed and offset UINT64_MAX", CK_OK, c.drop.seed = UINT64_MAX; c.drop.offset = UINT64_MAX) \
    X(drop_ctx_null, "ctx NULL", CK_ERR_INVALID_ARGUMENT, c.ctx = NULL) \
    X(drop_params_null, "params NULL", CK_ERR_INVALID_ARGUMENT, c.pdrop = NULL) \
    X(drop_x_null, "x NULL", CK_ERR_INVALID_ARGUMENT, c.px = NULL) \
    X(drop_y_null, "y NULL", CK_ERR_INVALID_ARGUMENT, c.py = NULL) \
    X(drop_mask_null, "mask NULL", CK_ERR_INVALID_ARGUMENT, c.pmask = NULL) \
    X(drop_rate_one, "rate 1", CK_ERR_INVALID_ARGUMENT, c.drop.rate = 1.0f) \
    X(drop_rate_negative, "rate -0.1", CK_ERR_INVALID_ARGUMENT, c.drop.rate = -0.1f) \
    X(drop_rate_above_one, "rate 1.5", CK_ERR_INVALID_ARGUMENT, c.drop.rate = 1.5f) \
    X(drop_rate_nan, "rate NaN", CK_ERR_INVALID_ARGUMENT, c.drop.rate = NAN) \
    X(drop_mask_dims, "mask (2,3,2)", CK_ERR_SHAPE_MISMATCH, c.mask.dims[2] = 2) \
    X(drop_y_dims, "y (4,3,2)", CK_ERR_SHAPE_MISMATCH, c.y = inv_dims3(c.y, 4, 3, 2)) \
    X(drop_mask_i32, "mask int32", CK_ERR_INVALID_ARGUMENT, c.mask = inv_dtype(c.mask, CK_I32)) \
    X(drop_mask_f64, "mask float64, x and y float32", INV_F64_AMONG_F32, c.mask = inv_dtype(c.mask, CK_F64)) \
    X(drop_mask_overlaps_x, "mask partly overlaps x", CK_ERR_INVALID_ARGUMENT, c.mask = inv_overlapping(c.mask, &c.x, 4)) \
    X(drop_mask_is_y, "mask is y", CK_ERR_INVALID_ARGUMENT, c.pmask = &c.y) \
    X(drop_y_overlaps_x, "y partly overlaps x", CK_ERR_INVALID_ARGUMENT, c.y = inv_overlapping(c.y, &c.x, 40))

#define BN_FORWARD_CASES(X) \
    X(bnf_valid, "valid training call", CK_OK, (void)0) \
    X(bnf_valid_no_running, "valid training call without running statistics", CK_OK, c.rmean = NULL; c.rvar = NULL) \
    X(bnf_valid_inference, "valid inference call", CK_OK, c.bn.training = 0) \
    X(bnf_valid_inference_single_value, "inference with one value per channel (1,3,1,1)", CK_OK, c.bn.training = 0; c.v.x = inv_dims4(c.v.x, 1, 3, 1, 1); c.v.y = inv_dims4(c.v.y, 1, 3, 1, 1)) \
    X(bnf_valid_momentum_bounds, "momentum 1", CK_OK, c.bn.momentum = 1.0f) \
    X(bnf_ctx_null, "ctx NULL", CK_ERR_INVALID_ARGUMENT, c.ctx = NULL) \
    X(bnf_params_null, "params NULL", CK_ERR_INVALID_ARGUMENT, c.pbn = NULL) \
    X(bnf_x_null, "x NULL", CK_ERR_INVALID_ARGUMENT, c.bx = NULL) \
    X(bnf_y_null, "y NULL", CK_ERR_INVALID_ARGUMENT, c.by = NULL) \
    X(bnf_gamma_null, "gamma NULL", CK_ERR_INVALID_ARGUMENT, c.gamma = NULL) \
    X(bnf_beta_null, "beta NULL", CK_ERR_INVALID_ARGUMENT, c.bbeta = NULL) \
    X(bnf_saved_mean_null, "saved_mean NULL", CK_ERR_INVALID_ARGUMENT, c.smean = NULL) \
    X(bnf_saved_invstd_null, "saved_invstd NULL", CK_ERR_INVALID_ARGUMENT, c.sinvstd = NULL) \
    X(bnf_inference_no_running, "inference without running statistics", CK_ERR_INVALID_ARGUMENT, c.bn.training = 0; c.rmean = NULL; c.rvar = NULL) \
    X(bnf_only_running_mean, "running_mean without running_var", CK_ERR_INVALID_ARGUMENT, c.rvar = NULL) \
    X(bnf_only_running_var, "running_var without running_mean", CK_ERR_INVALID_ARGUMENT, c.rmean = NULL) \
    X(bnf_epsilon_zero, "epsilon 0", CK_ERR_INVALID_ARGUMENT, c.bn.epsilon = 0.0f) \
    X(bnf_epsilon_negative, "epsilon -1e-5", CK_ERR_INVALID_ARGUMENT, c.bn.epsilon = -1e-5f) \
    X(bnf_epsilon_nan, "epsilon NaN", CK_ERR_INVALID_ARGUMENT, c.bn.epsilon = NAN) \
    X(bnf_epsilon_inf, "epsilon infinite", CK_ERR_INVALID_ARGUMENT, c.bn.epsilon = INFINITY) \
    X(bnf_momentum_negative, "momentum -0.1", CK_ERR_INVALID_ARGUMENT, c.bn.momentum = -0.1f) \
    X(bnf_momentum_above_one, "momentum 1.5", CK_ERR_INVALID_ARGUMENT, c.bn.momentum = 1.5f) \
    X(bnf_momentum_nan, "momentum NaN", CK_ERR_INVALID_ARGUMENT, c.bn.momentum = NAN) \
    X(bnf_training_single_value, "training with one value per channel (1,3,1,1)", CK_ERR_INVALID_ARGUMENT, c.v.x = inv_dims4(c.v.x, 1, 3, 1, 1); c.v.y = inv_dims4(c.v.y, 1, 3, 1, 1)) \
    X(bnf_x_3d, "x 3-D (2,3,16)", CK_ERR_SHAPE_MISMATCH, c.v.x = inv_dims3(c.v.x, 2, 3, 16)) \
    X(bnf_y_dims, "y (2,3,4,5)", CK_ERR_SHAPE_MISMATCH, c.v.y.dims[3] = 5) \
    X(bnf_gamma_length, "gamma length 2, not C = 3", CK_ERR_SHAPE_MISMATCH, c.v.gamma.dims[0] = 2) \
    X(bnf_beta_length, "beta length 4", CK_ERR_SHAPE_MISMATCH, c.v.beta.dims[0] = 4) \
    X(bnf_running_mean_length, "running_mean length 1", CK_ERR_SHAPE_MISMATCH, c.v.running_mean.dims[0] = 1) \
    X(bnf_running_var_2d, "running_var 2-D (1,3)", CK_ERR_SHAPE_MISMATCH, c.v.running_var = inv_dims2(c.v.running_var, 1, 3)) \
    X(bnf_saved_mean_length, "saved_mean length 6", CK_ERR_SHAPE_MISMATCH, c.v.saved_mean.dims[0] = 6) \
    X(bnf_saved_invstd_length, "saved_invstd length 2", CK_ERR_SHAPE_MISMATCH, c.v.saved_invstd.dims[0] = 2) \
    X(bnf_gamma_zero, "gamma length 0", CK_ERR_INVALID_ARGUMENT, c.v.gamma.dims[0] = 0) \
    X(bnf_gamma_i32, "gamma int32", CK_ERR_INVALID_ARGUMENT, c.v.gamma = inv_dtype(c.v.gamma, CK_I32)) \
    X(bnf_running_var_f64, "running_var float64, the rest float32", INV_F64_AMONG_F32, c.v.running_var = inv_dtype(c.v.running_var, CK_F64)) \
    X(bnf_beta_foreign, "beta on a buffer of another context", CK_ERR_INVALID_ARGUMENT, c.v.beta = inv_foreign(e, c.v.beta)) \
    X(bnf_y_overlaps_x, "y partly overlaps x", CK_ERR_INVALID_ARGUMENT, c.v.y = inv_overlapping(c.v.y, &c.v.x, 64)) \
    X(bnf_saved_mean_overlaps_gamma, "saved_mean overlaps gamma", CK_ERR_INVALID_ARGUMENT, c.v.saved_mean = inv_overlapping(c.v.saved_mean, &c.v.gamma, 4)) \
    X(bnf_running_mean_is_running_var, "running_mean and running_var the same tensor", CK_ERR_INVALID_ARGUMENT, c.rvar = &c.v.running_mean)

#define BN_BACKWARD_CASES(X) \
    X(bnb_valid, "valid training call", CK_OK, (void)0) \
    X(bnb_valid_inference, "valid inference call, beta_acc 1", CK_OK, c.bn.training = 0; c.beta = 1.0f) \
    X(bnb_valid_no_dgamma_dbeta, "valid call without dgamma and dbeta", CK_OK, c.dgamma = NULL; c.dbeta = NULL) \
    X(bnb_ctx_null, "ctx NULL", CK_ERR_INVALID_ARGUMENT, c.ctx = NULL) \
    X(bnb_params_null, "params NULL", CK_ERR_INVALID_ARGUMENT, c.pbn = NULL) \
    X(bnb_x_null, "x NULL", CK_ERR_INVALID_ARGUMENT, c.bx = NULL) \
    X(bnb_dy_null, "dy NULL", CK_ERR_INVALID_ARGUMENT, c.bdy = NULL) \
    X(bnb_dx_null, "dx NULL", CK_ERR_INVALID_ARGUMENT, c.bdx = NULL) \
    X(bnb_gamma_null, "gamma NULL", CK_ERR_INVALID_ARGUMENT, c.gamma = NULL) \
    X(bnb_saved_mean_null, "saved_mean NULL", CK_ERR_INVALID_ARGUMENT, c.smean = NULL) \
    X(bnb_saved_invstd_null, "saved_invstd NULL", CK_ERR_INVALID_ARGUMENT, c.sinvstd = NULL) \
    X(bnb_epsilon_zero, "epsilon 0", CK_ERR_INVALID_ARGUMENT, c.bn.epsilon = 0.0f) \
    X(bnb_beta_acc_nan, "beta_acc NaN", CK_ERR_INVALID_ARGUMENT, c.beta = NAN) \
    X(bnb_dy_dims, "dy (2,3,4,3)", CK_ERR_SHAPE_MISMATCH, c.v.dy.dims[3] = 3) \
    X(bnb_dx_dims, "dx (2,2,4,4)", CK_ERR_SHAPE_MISMATCH, c.v.dx.dims[1] = 2) \
    X(bnb_dgamma_length, "dgamma length 2", CK_ERR_SHAPE_MISMATCH, c.v.dgamma.dims[0] = 2) \
    X(bnb_saved_invstd_length, "saved_invstd length 4", CK_ERR_SHAPE_MISMATCH, c.v.saved_invstd.dims[0] = 4) \
    X(bnb_dbeta_i32, "dbeta int32", CK_ERR_INVALID_ARGUMENT, c.v.dbeta = inv_dtype(c.v.dbeta, CK_I32)) \
    X(bnb_dx_overlaps_dy, "dx partly overlaps dy", CK_ERR_INVALID_ARGUMENT, c.v.dx = inv_overlapping(c.v.dx, &c.v.dy, 4)) \
    X(bnb_dx_overlaps_x, "dx overlaps x", CK_ERR_INVALID_ARGUMENT, c.v.dx = inv_overlapping(c.v.dx, &c.v.x, 0)) \
    X(bnb_dgamma_is_dbeta, "dgamma and dbeta the same tensor", CK_ERR_INVALID_ARGUMENT, c.dbeta = &c.v.dgamma)
/* clang-format on */

/* Each case: the valid call, the case's edit, then the op. */
#define DEFINE_CASE(run_fn, edit) \
    {                             \
        train_call c;             \
        train_init(e, &c);        \
        edit;                     \
        *message_ctx = c.ctx;     \
        return run_fn(&c);        \
    }
#define ACT_FORWARD_FN(id, text, status, edit) \
    static ck_status id(const inv_env *e, ck_context **message_ctx) DEFINE_CASE(act_forward, edit)
#define ACT_BACKWARD_FN(id, text, status, edit) \
    static ck_status id(const inv_env *e, ck_context **message_ctx) DEFINE_CASE(act_backward, edit)
#define DROPOUT_FN(id, text, status, edit) \
    static ck_status id(const inv_env *e, ck_context **message_ctx) DEFINE_CASE(dropout, edit)
#define BN_FORWARD_FN(id, text, status, edit) \
    static ck_status id(const inv_env *e, ck_context **message_ctx) DEFINE_CASE(bn_forward, edit)
#define BN_BACKWARD_FN(id, text, status, edit) \
    static ck_status id(const inv_env *e, ck_context **message_ctx) DEFINE_CASE(bn_backward, edit)

ACT_FORWARD_CASES(ACT_FORWARD_FN)
ACT_BACKWARD_CASES(ACT_BACKWARD_FN)
DROPOUT_CASES(DROPOUT_FN)
BN_FORWARD_CASES(BN_FORWARD_FN)
BN_BACKWARD_CASES(BN_BACKWARD_FN)

#define ACT_FORWARD_ENTRY(id, text, status, edit) {"activation_forward: " text, status, id},
#define ACT_BACKWARD_ENTRY(id, text, status, edit) {"activation_backward: " text, status, id},
#define DROPOUT_ENTRY(id, text, status, edit) {"dropout_forward: " text, status, id},
#define BN_FORWARD_ENTRY(id, text, status, edit) {"batchnorm2d_forward: " text, status, id},
#define BN_BACKWARD_ENTRY(id, text, status, edit) {"batchnorm2d_backward: " text, status, id},

static const inv_case cases[] = {
    ACT_FORWARD_CASES(ACT_FORWARD_ENTRY) ACT_BACKWARD_CASES(ACT_BACKWARD_ENTRY) DROPOUT_CASES(DROPOUT_ENTRY)
    BN_FORWARD_CASES(BN_FORWARD_ENTRY) BN_BACKWARD_CASES(BN_BACKWARD_ENTRY)
};

inv_table inv_train_cases(void) { return (inv_table){cases, sizeof cases / sizeof cases[0]}; }
