/*
 * gradcheck_ops.c — gradient-check problems of GEMM (both operands, with
 * transposes), bias add (x and bias), mul and add (both operands),
 * activations, batch norm (training and inference: dx, dgamma, dbeta) and
 * softmax cross-entropy (dlogits). The backward of mul is mul(dy, other),
 * of add scale(alpha, dy), of bias add copy(dy) and bias_backward(dy).
 */
#include "gradcheck_problems.h"

/* ---- gemm --------------------------------------------------------------- */

typedef struct gemm_case {
    int64_t m, k, n;
    int32_t trans_a, trans_b;
    float alpha;
} gemm_case;

static const gemm_case gemm_plain = {3, 4, 5, 0, 0, 0.7f};
static const gemm_case gemm_transposed = {4, 3, 2, 1, 1, -1.3f};
static const gemm_case gemm_trans_b = {2, 5, 3, 0, 1, 1.0f};

static ck_status gemm_forward(gc_problem *p) {
    const gemm_case *c = p->params;
    return ck_gemm(p->ctx, c->trans_a, c->trans_b, c->alpha, gc_v(p->var[0]), gc_v(p->var[1]), 0.0f, gc_v(p->out));
}

/*
 * C = alpha op(A) op(B):  d op(A) = alpha dC op(B)^T,  d op(B) = alpha op(A)^T dC.
 * dA is d op(A), or its transpose when A is stored transposed; likewise dB.
 */
static ck_status gemm_backward(gc_problem *p) {
    const gemm_case *c = p->params;
    const ck_tensor *a = gc_v(p->var[0]), *b = gc_v(p->var[1]), *dc = gc_v(p->dy);
    ck_status s = c->trans_a ? ck_gemm(p->ctx, c->trans_b, 1, c->alpha, b, dc, 0.0f, gc_v(p->grad[0]))
                             : ck_gemm(p->ctx, 0, !c->trans_b, c->alpha, dc, b, 0.0f, gc_v(p->grad[0]));
    if (s != CK_OK) return s;
    return c->trans_b ? ck_gemm(p->ctx, 1, c->trans_a, c->alpha, dc, a, 0.0f, gc_v(p->grad[1]))
                      : ck_gemm(p->ctx, !c->trans_a, 0, c->alpha, a, dc, 0.0f, gc_v(p->grad[1]));
}

static int build_gemm(gc_problem *p, const void *arg, uint64_t seed) {
    const gemm_case *c = arg;
    const int64_t a[2] = {c->trans_a ? c->k : c->m, c->trans_a ? c->m : c->k};
    const int64_t b[2] = {c->trans_b ? c->n : c->k, c->trans_b ? c->k : c->n}, y[2] = {c->m, c->n};
    p->params = c;
    p->forward = gemm_forward;
    p->backward = gemm_backward;
    return gc_var(p, "a", gc_uniform(p, 2, a, seed, -1.0, 1.0)) && gc_var(p, "b", gc_uniform(p, 2, b, seed + 1, -1.0, 1.0)) &&
           gc_output(p, 2, y, seed + 2);
}

/* ---- bias add, mul, add ------------------------------------------------- */

static const int64_t nchw[4] = {2, 3, 2, 2};

static ck_status bias_forward(gc_problem *p) {
    return ck_bias_add(p->ctx, gc_v(p->var[0]), gc_v(p->var[1]), gc_v(p->out));
}

static ck_status bias_backward(gc_problem *p) {
    ck_status s = ck_copy(p->ctx, gc_v(p->dy), gc_v(p->grad[0]));
    return s != CK_OK ? s : ck_bias_backward(p->ctx, gc_v(p->dy), 0.0f, gc_v(p->grad[1]));
}

static int build_bias(gc_problem *p, const void *arg, uint64_t seed) {
    (void)arg;
    p->forward = bias_forward;
    p->backward = bias_backward;
    return gc_var(p, "x", gc_uniform(p, 4, nchw, seed, -1.0, 1.0)) &&
           gc_var(p, "bias", gc_uniform(p, 1, &nchw[1], seed + 1, -1.0, 1.0)) && gc_output(p, 4, nchw, seed + 2);
}

static ck_status mul_forward(gc_problem *p) { return ck_mul(p->ctx, gc_v(p->var[0]), gc_v(p->var[1]), gc_v(p->out)); }

static ck_status mul_backward(gc_problem *p) {
    ck_status s = ck_mul(p->ctx, gc_v(p->dy), gc_v(p->var[1]), gc_v(p->grad[0]));
    return s != CK_OK ? s : ck_mul(p->ctx, gc_v(p->dy), gc_v(p->var[0]), gc_v(p->grad[1]));
}

static int build_mul(gc_problem *p, const void *arg, uint64_t seed) {
    (void)arg;
    p->forward = mul_forward;
    p->backward = mul_backward;
    return gc_var(p, "a", gc_uniform(p, 4, nchw, seed, -2.0, 2.0)) && gc_var(p, "b", gc_uniform(p, 4, nchw, seed + 1, -2.0, 2.0)) &&
           gc_output(p, 4, nchw, seed + 2);
}

static const float add_scalars[2] = {0.6f, -1.3f};

static ck_status add_forward(gc_problem *p) {
    const float *ab = p->params;
    return ck_add(p->ctx, ab[0], gc_v(p->var[0]), ab[1], gc_v(p->var[1]), gc_v(p->out));
}

static ck_status add_backward(gc_problem *p) {
    const float *ab = p->params;
    ck_status s = ck_scale(p->ctx, ab[0], gc_v(p->dy), gc_v(p->grad[0]));
    return s != CK_OK ? s : ck_scale(p->ctx, ab[1], gc_v(p->dy), gc_v(p->grad[1]));
}

static int build_add(gc_problem *p, const void *arg, uint64_t seed) {
    p->params = arg;
    p->forward = add_forward;
    p->backward = add_backward;
    return gc_var(p, "a", gc_uniform(p, 4, nchw, seed, -1.0, 1.0)) && gc_var(p, "b", gc_uniform(p, 4, nchw, seed + 1, -1.0, 1.0)) &&
           gc_output(p, 4, nchw, seed + 2);
}

/* ---- activations -------------------------------------------------------- */

typedef struct act_case {
    ck_activation act;
    float alpha;
} act_case;

static const act_case relu = {CK_ACT_RELU, 0.0f}, leaky = {CK_ACT_LEAKY_RELU, 0.1f};
static const act_case sigmoid = {CK_ACT_SIGMOID, 0.0f}, tanh_case = {CK_ACT_TANH, 0.0f};

static ck_status act_forward(gc_problem *p) {
    const act_case *c = p->params;
    return ck_activation_forward(p->ctx, c->act, c->alpha, gc_v(p->var[0]), gc_v(p->out));
}

static ck_status act_backward(gc_problem *p) {
    const act_case *c = p->params;
    return ck_activation_backward(p->ctx, c->act, c->alpha, gc_v(p->var[0]), gc_v(p->dy), 0.0f, gc_v(p->grad[0]));
}

static int build_act(gc_problem *p, const void *arg, uint64_t seed) {
    const act_case *c = arg;
    p->params = c;
    p->forward = act_forward;
    p->backward = act_backward;
    /* Piecewise-linear activations: inputs at least 0.1 (> h) away from the kink at 0. */
    ckt_tensor *x = c->act == CK_ACT_RELU || c->act == CK_ACT_LEAKY_RELU ? gc_away_from_zero(p, 4, nchw, seed, 0.1)
                                                                         : gc_uniform(p, 4, nchw, seed, -3.0, 3.0);
    return gc_var(p, "x", x) && gc_output(p, 4, nchw, seed + 1);
}

/* ---- batch norm --------------------------------------------------------- */

typedef struct bn_case {
    int64_t x[4];
    ck_batchnorm_params params;
} bn_case;

static const bn_case bn_training = {{3, 2, 2, 3}, {1e-5f, 0.1f, 1}};
static const bn_case bn_inference = {{2, 3, 2, 2}, {1e-3f, 0.1f, 0}};

/* aux: saved_mean, saved_invstd, running_mean, running_var (inference only; training passes none). */
static ck_status bn_forward(gc_problem *p) {
    const bn_case *c = p->params;
    return ck_batchnorm2d_forward(p->ctx, &c->params, gc_v(p->var[0]), gc_v(p->var[1]), gc_v(p->var[2]),
                                  gc_v(p->aux[2]), gc_v(p->aux[3]), gc_v(p->aux[0]), gc_v(p->aux[1]), gc_v(p->out));
}

static ck_status bn_backward(gc_problem *p) {
    const bn_case *c = p->params;
    return ck_batchnorm2d_backward(p->ctx, &c->params, gc_v(p->var[0]), gc_v(p->dy), gc_v(p->var[1]), gc_v(p->aux[0]),
                                   gc_v(p->aux[1]), 0.0f, gc_v(p->grad[0]), gc_v(p->grad[1]), gc_v(p->grad[2]));
}

static int build_bn(gc_problem *p, const void *arg, uint64_t seed) {
    const bn_case *c = arg;
    const int64_t *ch = &c->x[1];
    p->params = c;
    p->forward = bn_forward;
    p->backward = bn_backward;
    p->aux[0] = gc_new(p, 1, ch);
    p->aux[1] = gc_new(p, 1, ch);
    if (!c->params.training) {
        p->aux[2] = gc_uniform(p, 1, ch, seed + 10, -0.5, 0.5);
        p->aux[3] = gc_uniform(p, 1, ch, seed + 11, 0.5, 1.5);
        if (!p->aux[2] || !p->aux[3]) return 0;
    }
    return p->aux[0] && p->aux[1] && gc_var(p, "x", gc_uniform(p, 4, c->x, seed, -1.0, 1.0)) &&
           gc_var(p, "gamma", gc_uniform(p, 1, ch, seed + 1, 0.5, 1.5)) &&
           gc_var(p, "beta", gc_uniform(p, 1, ch, seed + 2, -1.0, 1.0)) && gc_output(p, 4, c->x, seed + 3);
}

/* ---- softmax cross-entropy ---------------------------------------------- */

typedef struct sce_case {
    int64_t n, k;
    float smoothing, loss_grad;
} sce_case;

static const sce_case sce_plain = {4, 5, 0.0f, 1.0f}, sce_smoothed = {3, 7, 0.1f, -1.7f};

/* aux: labels (int32), probs. */
static ck_status sce_forward(gc_problem *p) {
    const sce_case *c = p->params;
    return ck_softmax_cross_entropy_forward(p->ctx, c->smoothing, gc_v(p->var[0]), gc_v(p->aux[0]), gc_v(p->aux[1]),
                                            gc_v(p->out));
}

static ck_status sce_backward(gc_problem *p) {
    const sce_case *c = p->params;
    return ck_softmax_cross_entropy_backward(p->ctx, c->smoothing, c->loss_grad, gc_v(p->aux[1]), gc_v(p->aux[0]), 0.0f,
                                             gc_v(p->grad[0]));
}

static int build_sce(gc_problem *p, const void *arg, uint64_t seed) {
    const sce_case *c = arg;
    const int64_t dims[2] = {c->n, c->k}, one[1] = {1};
    p->params = c;
    p->forward = sce_forward;
    p->backward = sce_backward;
    p->aux[0] = gc_new_typed(p, CK_I32, 1, &c->n);
    p->aux[1] = gc_new(p, 2, dims);
    ckt_fill_uniform(p->aux[0], seed + 1, 0.0, (double)c->k);
    int ok = p->aux[0] && p->aux[1] && gc_var(p, "logits", gc_uniform(p, 2, dims, seed, -2.0, 2.0)) &&
             gc_output(p, 1, one, seed + 2);
    if (ok) { /* L = loss_grad * loss: dy is the backward's loss_grad */
        const double g = c->loss_grad;
        ckt_write(p->dy, &g);
    }
    return ok;
}

const gc_entry gc_op_problems[] = {
    {"gemm", build_gemm, &gemm_plain},
    {"gemm trans_a trans_b", build_gemm, &gemm_transposed},
    {"gemm trans_b", build_gemm, &gemm_trans_b},
    {"bias_add", build_bias, NULL},
    {"mul", build_mul, NULL},
    {"add", build_add, add_scalars},
    {"relu", build_act, &relu},
    {"leaky_relu 0.1", build_act, &leaky},
    {"sigmoid", build_act, &sigmoid},
    {"tanh", build_act, &tanh_case},
    {"batchnorm training", build_bn, &bn_training},
    {"batchnorm inference", build_bn, &bn_inference},
    {"softmax cross-entropy", build_sce, &sce_plain},
    {"softmax cross-entropy, label smoothing 0.1", build_sce, &sce_smoothed},
};
const size_t gc_op_problem_count = sizeof gc_op_problems / sizeof gc_op_problems[0];
