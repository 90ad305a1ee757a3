/*
 * suite_conv2d_fused.c — ck_conv2d_forward_fused: conv2d with its activation
 * applied in the epilogue (ReLU, LeakyReLU with a positive and a negative
 * slope, sigmoid, tanh), on every conv algorithm of the backend. Besides the
 * context under test, the suite makes contexts that force the other
 * algorithms: on OpenCL one with the implicit-GEMM tuning (the kernels GPUs
 * run) and one with Winograd F(2x2, 3x3) on; on the CPU one with im2col +
 * sgemm for every conv. The shapes reach each algorithm: stride 1 and 2, 3
 * input channels (the CPU's direct kernels), depthwise with a multiplier,
 * pointwise, groups, and small images that the CPU's GEMM batches through
 * its scratch.
 *
 * Checks per case:
 *  - against the reference backend's fused forward: |got - want| <=
 *    L * (k + 2) * u * bound + 16 * u * |want|: the conv's bound of
 *    conv_check.h (Winograd's where that ran) carried through the
 *    activation's Lipschitz constant L (1 for ReLU and tanh, max(1, |alpha|)
 *    for LeakyReLU, 1/4 for sigmoid), plus the activation's own evaluation
 *    on both sides (a few ulps for exp and tanh: 16 ulps in all);
 *  - against ck_conv2d_forward followed by ck_activation_forward on the same
 *    context: bit for bit for the rectifiers (the same conv, then a selection
 *    or one multiplication), within 16 * u * |y| for sigmoid and tanh (a
 *    device's vector and scalar exp / tanh may differ by a few ulps);
 *  - an epilogue without an activation is ck_conv2d_forward, bit for bit.
 */
#include "conv_check.h"
#include "crosscheck.h"
#include "device_support.h"
#include "suites.h"

#include <math.h>
#include <stdlib.h>

typedef struct fused_shape {
    const char *label;
    int64_t n, c, h, w, o, k;
    int32_t stride, pad, groups;
    int has_bias;
} fused_shape;

/* label, N C H W O, kernel, stride, pad, groups, bias */
static const fused_shape shapes[] = {
    {"3x3 pad 1", 2, 8, 9, 11, 12, 3, 1, 1, 1, 1},
    {"3x3 stride 2", 2, 6, 9, 10, 5, 3, 2, 1, 1, 1},
    {"3 input channels", 2, 3, 12, 13, 10, 3, 1, 1, 1, 0},
    {"depthwise, multiplier 2", 2, 4, 8, 9, 8, 3, 1, 1, 4, 1},
    {"pointwise", 2, 16, 5, 7, 9, 1, 1, 0, 1, 1},
    {"groups 2", 2, 8, 6, 6, 6, 3, 1, 1, 2, 1},
    {"16 small images", 16, 8, 4, 4, 8, 3, 1, 1, 1, 1},
};

typedef struct fused_activation {
    const char *label;
    ck_activation act;
    float alpha;
    double lipschitz;
    int exact; /* the unfused composition gives the same bits */
} fused_activation;

static const fused_activation activations[] = {
    {"relu", CK_ACT_RELU, 0.0f, 1.0, 1},
    {"leaky_relu 0.2", CK_ACT_LEAKY_RELU, 0.2f, 1.0, 1},
    {"leaky_relu -1.5", CK_ACT_LEAKY_RELU, -1.5f, 1.5, 1},
    {"sigmoid", CK_ACT_SIGMOID, 0.0f, 0.25, 0},
    {"tanh", CK_ACT_TANH, 0.0f, 1.0, 0},
};

/** ULPs allowed for the activation's evaluation (see the top of this file). */
#define ACTIVATION_ULPS 16.0

typedef struct fused_inputs {
    ck_conv2d_params p;
    int64_t x[4], w[4], y[4];
    ckt_pair px, pw, pb;
    ckt_tensor *bound; /* the conv on |x|, |w| (Winograd's weights where that runs), |bias| */
    double k;          /* rounding count of one output (conv_check.h) */
} fused_inputs;

static void free_inputs(fused_inputs *in) {
    ckt_pair_free(&in->px);
    ckt_pair_free(&in->pw);
    ckt_pair_free(&in->pb);
    ckt_free(in->bound);
}

/* Whether `winograd` (a context with Winograd on) runs shape s that way: 3x3, stride 1, one group. */
static int takes_winograd(int winograd, const fused_shape *s) {
    return winograd && s->k == 3 && s->stride == 1 && s->groups == 1;
}

static int make_inputs(ckt_run *run, const fused_shape *s, int winograd, uint64_t seed, fused_inputs *in) {
    in->p = ck_conv2d_params_default();
    in->p.stride_h = in->p.stride_w = s->stride;
    in->p.pad_top = in->p.pad_bottom = in->p.pad_left = in->p.pad_right = s->pad;
    in->p.groups = s->groups;
    const int64_t x[4] = {s->n, s->c, s->h, s->w}, w[4] = {s->o, s->c / s->groups, s->k, s->k}, b[1] = {s->o};
    for (int i = 0; i < 4; i++) in->x[i] = x[i], in->w[i] = w[i];
    if (!ckt_expect_ok(run, ck_conv2d_output_dims(run->ref, &in->p, in->x, in->w, in->y), run->ref, "output dims"))
        return 0;
    if (!ckt_pair_uniform(run, &in->px, 4, in->x, seed, -1.0, 1.0) ||
        !ckt_pair_uniform(run, &in->pw, 4, in->w, seed + 1, -1.0, 1.0) ||
        (s->has_bias && !ckt_pair_uniform(run, &in->pb, 1, b, seed + 2, -1.0, 1.0)))
        return 0;
    const int wino = takes_winograd(winograd, s);
    in->k = wino ? (double)s->c + 10 : (double)(s->c / s->groups) * (double)(s->k * s->k);
    in->k += s->has_bias ? 1.0 : 0.0;
    ckt_tensor *abs_x = ckt_abs_clone_to(run, in->px.ref, run->ref, CK_F32);
    ckt_tensor *abs_w = ckt_abs_clone_to(run, in->pw.ref, run->ref, CK_F32);
    ckt_tensor *abs_b = s->has_bias ? ckt_abs_clone_to(run, in->pb.ref, run->ref, CK_F32) : NULL;
    ckt_tensor *bound_w = wino && abs_w ? ckt_winograd_bound_weights(run, abs_w) : abs_w;
    in->bound = ckt_new(run, run->ref, CK_F32, 4, in->y);
    int ok = abs_x && bound_w && (!s->has_bias || abs_b) && in->bound &&
             ckt_expect_ok(run, ck_conv2d_forward(run->ref, &in->p, &abs_x->t, &bound_w->t, abs_b ? &abs_b->t : NULL,
                                                  &in->bound->t),
                           run->ref, "forward bound");
    if (bound_w != abs_w) ckt_free(bound_w);
    ckt_free(abs_x);
    ckt_free(abs_w);
    ckt_free(abs_b);
    return ok;
}

/* Fused against the reference's fused forward, within the bound at the top of this file. */
static void check_against_reference(ckt_run *run, const fused_inputs *in, const fused_activation *a,
                                    const ckt_pair *y) {
    double *bound = ckt_read_new(run, in->bound), *want = ckt_read_new(run, y->ref);
    if (bound && want) {
        for (size_t i = 0; i < y->ref->count; i++)
            bound[i] = a->lipschitz * (in->k + 2.0) * CKT_F32_UNIT * bound[i] +
                       ACTIVATION_ULPS * CKT_F32_UNIT * fabs(want[i]);
        ckt_pair_expect_within_tol(run, "fused y against the reference", y, bound);
    }
    free(bound);
    free(want);
}

/* Fused against conv2d then the activation on the same context: the same bits for the rectifiers. */
static void check_against_composition(ckt_run *run, const fused_inputs *in, const fused_activation *a,
                                      const ckt_tensor *fused) {
    ckt_tensor *plain = ckt_new(run, run->ctx, CK_F32, 4, in->y);
    if (!plain) return;
    if (ckt_expect_ok(run, ck_conv2d_forward(run->ctx, &in->p, ckt_test_view(&in->px), ckt_test_view(&in->pw),
                                             ckt_test_view(&in->pb), &plain->t),
                      run->ctx, "unfused conv2d") &&
        ckt_expect_ok(run, ck_activation_forward(run->ctx, a->act, a->alpha, &plain->t, &plain->t), run->ctx,
                      "unfused activation")) {
        double *got = ckt_read_new(run, fused), *want = ckt_read_new(run, plain);
        if (got && want) {
            size_t i = 0;
            for (; i < fused->count; i++) {
                const double allowed = a->exact ? 0.0 : ACTIVATION_ULPS * CKT_F32_UNIT * fabs(want[i]);
                if (!(fabs(got[i] - want[i]) <= allowed)) break;
            }
            ckt_expect(run, i == fused->count,
                       "fused y[%zu] = %.9g, conv2d then the activation gives %.9g (allowed difference %s)", i,
                       i < fused->count ? got[i] : 0.0, i < fused->count ? want[i] : 0.0,
                       a->exact ? "none" : "16 ulps");
        }
        free(got);
        free(want);
    }
    ckt_free(plain);
}

static void run_activation(ckt_run *run, const char *variant, const fused_shape *s, const fused_inputs *in,
                           const fused_activation *a) {
    ckt_case(run, "conv2d fused %s [%s] %s: x %lldx%lldx%lldx%lld o %lld k %lld s %d p %d g %d%s", a->label, variant,
             s->label, (long long)s->n, (long long)s->c, (long long)s->h, (long long)s->w, (long long)s->o,
             (long long)s->k, s->stride, s->pad, s->groups, s->has_bias ? " bias" : "");
    const ck_conv2d_epilogue epilogue = {1, a->act, a->alpha};
    ckt_pair y = {0};
    if (!ckt_pair_new(run, &y, CK_F32, 4, in->y)) return;
    ck_status st = ck_conv2d_forward_fused(run->ctx, &in->p, ckt_test_view(&in->px), ckt_test_view(&in->pw),
                                           ckt_test_view(&in->pb), &epilogue, &y.test->t);
    ck_status sr = ck_conv2d_forward_fused(run->ref, &in->p, ckt_ref_view(&in->px), ckt_ref_view(&in->pw),
                                           ckt_ref_view(&in->pb), &epilogue, &y.ref->t);
    if (ckt_pair_expect_ok(run, st, sr, "fused forward")) {
        check_against_reference(run, in, a, &y);
        check_against_composition(run, in, a, y.test);
    }
    ckt_pair_free(&y);
}

/* An epilogue with has_activation 0 (and a NULL one) is ck_conv2d_forward, bit for bit. */
static void run_no_activation(ckt_run *run, const char *variant, const fused_shape *s, const fused_inputs *in) {
    ckt_case(run, "conv2d fused, no activation [%s] %s", variant, s->label);
    const ck_conv2d_epilogue none = {0, CK_ACT_TANH, 0.0f};
    ckt_tensor *a = ckt_new(run, run->ctx, CK_F32, 4, in->y), *b = ckt_new(run, run->ctx, CK_F32, 4, in->y);
    ckt_tensor *c = ckt_new(run, run->ctx, CK_F32, 4, in->y);
    const ck_tensor *x = ckt_test_view(&in->px), *w = ckt_test_view(&in->pw), *bias = ckt_test_view(&in->pb);
    if (a && b && c && ckt_expect_ok(run, ck_conv2d_forward_fused(run->ctx, &in->p, x, w, bias, &none, &a->t), run->ctx,
                                     "epilogue without activation") &&
        ckt_expect_ok(run, ck_conv2d_forward_fused(run->ctx, &in->p, x, w, bias, NULL, &b->t), run->ctx,
                      "NULL epilogue") &&
        ckt_expect_ok(run, ck_conv2d_forward(run->ctx, &in->p, x, w, bias, &c->t), run->ctx, "conv2d forward")) {
        double *va = ckt_read_new(run, a), *vb = ckt_read_new(run, b), *vc = ckt_read_new(run, c);
        if (va && vb && vc) {
            size_t i = 0;
            while (i < a->count && va[i] == vc[i] && vb[i] == vc[i]) i++;
            ckt_expect(run, i == a->count, "y[%zu]: %.9g and %.9g without activation, %.9g from conv2d_forward", i,
                       i < a->count ? va[i] : 0.0, i < a->count ? vb[i] : 0.0, i < a->count ? vc[i] : 0.0);
        }
        free(va);
        free(vb);
        free(vc);
    }
    ckt_free(a);
    ckt_free(b);
    ckt_free(c);
}

/* Every shape and activation on run->ctx (`variant` names it; `winograd`: Winograd is on there). */
static void run_variant(ckt_run *run, const char *variant, int winograd, uint64_t seed) {
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        fused_inputs in = {0};
        ckt_case(run, "conv2d fused inputs [%s] %s", variant, shapes[i].label);
        if (make_inputs(run, &shapes[i], winograd, seed + 100 * i, &in)) {
            run_no_activation(run, variant, &shapes[i], &in);
            for (size_t j = 0; j < sizeof activations / sizeof activations[0]; j++)
                run_activation(run, variant, &shapes[i], &in, &activations[j]);
        }
        free_inputs(&in);
    }
}

/* The variant on a context made under `env`, in place of run->ctx for its cases. */
static void run_with_env(ckt_run *run, const char *variant, const ckt_env *env, int winograd, uint64_t seed) {
    ck_context *tested = run->ctx, *ctx = ckt_context_with_env(run, run->backend, env, 1);
    if (!ctx) return;
    run->ctx = ctx;
    run_variant(run, variant, winograd, seed);
    run->ctx = tested;
    ck_context_destroy(ctx);
}

void ckt_suite_conv2d_fused(ckt_run *run) {
    run_variant(run, "default", 0, 9000);
    if (run->backend == CK_BACKEND_CPU) {
        const ckt_env gemm[] = {{"CONVKIT_CPU_CONV", "gemm"}};
        run_with_env(run, "im2col + sgemm", gemm, 0, 9500);
    } else if (run->backend == CK_BACKEND_OPENCL) {
        const ckt_env igemm[] = {{"CONVKIT_CL_TUNING", "32,32,16,4,4,0,0"}};
        const ckt_env winograd[] = {{"CONVKIT_CL_WINOGRAD", "on"}};
        run_with_env(run, "implicit GEMM", igemm, 0, 9500);
        run_with_env(run, "winograd", winograd, 1, 9800);
    }
}
