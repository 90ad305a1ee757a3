/*
 * suite_conv2d_split_k.c — split-K of the implicit-GEMM conv2d backward-weights
 * (Sources/CConvKit/opencl/cl_conv_split_k.c, Kernels/conv2d.cl):
 *  - the rule for the slices (ck_cl_split_k_slices, opencl/cl_split_k.h) on
 *    example shapes and devices, the expected choices worked out by hand in
 *    the table; on every backend (it is plain C);
 *  - on OpenCL, contexts with the implicit GEMM forced
 *    (CONVKIT_CL_TUNING=32,32,16,4,4,0,0: TILE_K 16) and CONVKIT_CL_SPLIT_K =
 *    1, 2, 3, 64 (more slices than any shape below has TILE_K steps, so
 *    some slices are empty) and auto (the rule: on a 2-unit CPU device it
 *    splits the 2 x 3 tiles' K in 2) run the backward-weights of conv2d (groups,
 *    stride, dilation, asymmetric padding, several tiles in M and N) and of
 *    conv_transpose2d (which runs the same pass) against the reference, with
 *    beta 0 (poisoned dw) and 0.5, and dbias. Each context's description must
 *    name its split ("split-K 3"), else the case fails: the path did not run.
 *    Other backends run the same cases on their own backward-weights.
 *
 * Tolerance: conv_check.h's bound, (k + 2) u sum|terms| with k = N*OH*OW
 * (conv2d; N*H*W for the transposed conv), holds for the split sum too. It
 * counts the roundings a term goes through. Unsplit: a product is rounded at
 * most k times in the chain of k fused multiply-adds and once more where
 * beta * dw is added (beta * dw itself twice): k + 1, + 1 for the
 * reference's own rounding to float32. Split into slices: a product is
 * rounded at most k_s times in its slice's chain (k_s terms), then at most
 * S' - 1 times where conv2d_sum_partials adds the S' nonempty slices' sums,
 * and once where beta * dw is added: k_s + S' <= k + 1, because the S' - 1
 * other nonempty slices hold at least one of the k terms each. Empty slices,
 * the zeros the tiles load past K and the taps in the padding add exact
 * zeros (no rounding).
 */
#include "conv_check.h"
#include "device_support.h"
#include "suites.h"

#include "opencl/cl_split_k.h"

#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* The rule                                                                   */
/* ------------------------------------------------------------------------ */

typedef struct rule_example {
    const char *label;
    int32_t compute_units;
    int64_t m, n, k, groups;
    int32_t expected;
} rule_example;

/* Tiles 32 x 32 x 16 (the GPU defaults); wanted work groups = 4 per compute unit. */
static const rule_example examples[] = {
    /* 2 x 5 = 10 work groups; wanted 528: ceil(528 / 10) = 53; 25088 steps allow 3136 */
    {"ResNet-50 stem 64x3x7x7, N 32, 132 units", 132, 64, 147, 32 * 112 * 112, 1, 53},
    /* 10 work groups >= 4 x 2 */
    {"ResNet-50 stem, N 32, 2 units (PoCL here)", 2, 64, 147, 32 * 112 * 112, 1, 1},
    /* 2 x 18 = 36 work groups: ceil(528 / 36) = 15 */
    {"3x3 64x64 at 56x56, N 32, 132 units", 132, 64, 576, 32 * 56 * 56, 1, 15},
    /* 36 work groups; wanted 320: ceil(320 / 36) = 9 */
    {"3x3 64x64 at 56x56, N 32, 80 units", 80, 64, 576, 32 * 56 * 56, 1, 9},
    /* 4 x 36 = 144 work groups: ceil(528 / 144) = 4 */
    {"3x3 128x128 at 28x28, N 32, 132 units", 132, 128, 1152, 32 * 28 * 28, 1, 4},
    /* 16 x 144 = 2304 work groups >= 528 */
    {"3x3 512x512 at 7x7, N 32, 132 units", 132, 512, 4608, 32 * 7 * 7, 1, 1},
    /* 10 work groups would take 53, but 392 / 16 -> 25 steps allow only 25 / 8 = 3 slices */
    {"short K: 392, 132 units", 132, 64, 147, 392, 1, 3},
    /* 100 / 16 -> 7 steps: under 8, no split */
    {"K of 7 steps, 132 units", 132, 64, 147, 100, 1, 1},
    /* 32 groups of 1 x 2 tiles = 64 work groups: ceil(528 / 64) = 9 */
    {"32 groups of 4 x 36, N 32 at 56x56, 132 units", 132, 4, 36, 32 * 56 * 56, 32, 9},
    /* 1 work group, wanted 400000: capped at CK_CL_MAX_SPLIT_K */
    {"one tile, very long K, 100000 units", 100000, 1, 1, 1000000000, 1, CK_CL_MAX_SPLIT_K},
    /* an unknown (0) unit count counts as 1: wanted 4 <= 10 work groups */
    {"0 compute units", 0, 64, 147, 32 * 112 * 112, 1, 1},
};

static void check_rule(ckt_run *run) {
    ckt_case(run, "split-K rule (ck_cl_split_k_slices) on example shapes, tiles 32x32x16");
    for (size_t i = 0; i < sizeof examples / sizeof examples[0]; i++) {
        const rule_example *e = &examples[i];
        int32_t got = ck_cl_split_k_slices(e->compute_units, e->m, e->n, e->k, e->groups, 32, 32, 16);
        ckt_expect(run, got == e->expected, "%s: %d slices, expected %d", e->label, (int)got, (int)e->expected);
    }
}

/* ------------------------------------------------------------------------ */
/* Backward-weights against the reference                                    */
/* ------------------------------------------------------------------------ */

typedef struct split_shape {
    const char *label;
    int transposed; /* conv_transpose2d (w: C, O/G, KH, KW) instead of conv2d */
    int64_t n, c, h, w, o;
    int32_t kh, kw, sh, sw;
    int32_t pt, pb, pl, pr;
    int32_t dh, dw, groups, output_padding;
} split_shape;

/* K (the sum's length per dw element) and its TILE_K = 16 steps in each label. */
static const split_shape shapes[] = {
    {"3x3 pad 1, K 198 (13 steps)", 0, 2, 5, 9, 11, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0},
    {"groups 2, stride 2x1, dilation 1x2, asymmetric padding, K 198", 0, 3, 6, 13, 10, 4, 3, 2, 2, 1, 1, 0, 2, 1, 1, 2,
     2, 0},
    {"2 x 3 tiles (M 40, N 72), K 288 (18 steps)", 0, 2, 8, 12, 12, 40, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0},
    {"groups 3, stride 2, dilation 2, pad 2, K 60 (4 steps)", 0, 2, 9, 11, 10, 6, 3, 3, 2, 2, 2, 2, 2, 2, 2, 2, 3, 0},
    {"transposed, stride 2, groups 2, output padding 1, K 112 (7 steps)", 1, 2, 4, 7, 8, 6, 3, 3, 2, 2, 1, 1, 1, 1, 1,
     1, 2, 1},
};

/* Backward-weights of shape s on run->ctx, beta 0 and 0.5, against the reference. */
static void run_shape(ckt_run *run, const char *split, const split_shape *s, uint64_t seed) {
    ckt_case(run, "conv2d backward-weights, split-K %s: %s", split, s->label);
    ck_conv2d_params conv = ck_conv2d_params_default();
    ck_conv_transpose2d_params transposed = ck_conv_transpose2d_params_default();
    conv.stride_h = transposed.stride_h = s->sh;
    conv.stride_w = transposed.stride_w = s->sw;
    conv.pad_top = transposed.pad_top = s->pt;
    conv.pad_bottom = transposed.pad_bottom = s->pb;
    conv.pad_left = transposed.pad_left = s->pl;
    conv.pad_right = transposed.pad_right = s->pr;
    conv.dilation_h = transposed.dilation_h = s->dh;
    conv.dilation_w = transposed.dilation_w = s->dw;
    conv.groups = transposed.groups = s->groups;
    transposed.output_padding_h = transposed.output_padding_w = s->output_padding;
    ckt_conv_case c = {s->transposed ? &ckt_conv_transpose2d_ops : &ckt_conv2d_ops,
                       s->transposed ? (const void *)&transposed : (const void *)&conv,
                       {s->n, s->c, s->h, s->w},
                       {s->transposed ? s->c : s->o, (s->transposed ? s->o : s->c) / s->groups, s->kh, s->kw},
                       {0},
                       1,
                       0,
                       0,
                       0,
                       0,
                       0};
    ck_status dims = s->transposed ? ck_conv_transpose2d_output_dims(run->ref, &transposed, c.x, c.w, c.y)
                                   : ck_conv2d_output_dims(run->ref, &conv, c.x, c.w, c.y);
    if (!ckt_expect_ok(run, dims, run->ref, "output dims")) return;
    /* dw sums over the positions of the conv's output: y for conv2d, x for the transposed conv (its conv output). */
    c.k_weights = s->transposed ? (double)s->n * (double)s->h * (double)s->w
                                : (double)c.y[0] * (double)c.y[2] * (double)c.y[3];
    c.k_bias = (double)c.y[0] * (double)c.y[2] * (double)c.y[3];
    ckt_check_conv_backward_weights(run, &c, 0.0f, seed);
    ckt_check_conv_backward_weights(run, &c, 0.5f, seed + 50);
}

static void run_shapes(ckt_run *run, const char *split, uint64_t seed) {
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) run_shape(run, split, &shapes[i], seed + 100 * i);
}

/* The shapes on an OpenCL context with the implicit GEMM and CONVKIT_CL_SPLIT_K = split. */
static void run_split(ckt_run *run, const char *split, uint64_t seed) {
    const ckt_env env[] = {{"CONVKIT_CL_TUNING", "32,32,16,4,4,0,0"}, {"CONVKIT_CL_SPLIT_K", split}};
    ck_context *tested = run->ctx, *ctx = ckt_context_with_env(run, CK_BACKEND_OPENCL, env, 2);
    if (!ctx) return;
    char expected[64];
    snprintf(expected, sizeof expected, "implicit-GEMM conv, split-K %s", split);
    ckt_case(run, "CONVKIT_CL_SPLIT_K=%s", split);
    if (ckt_expect(run, strstr(ck_context_describe(ctx), expected) != NULL, "the context does not say '%s': %s",
                   expected, ck_context_describe(ctx))) {
        run->ctx = ctx;
        run_shapes(run, split, seed);
        run->ctx = tested;
    }
    ck_context_destroy(ctx);
}

void ckt_suite_conv2d_split_k(ckt_run *run) {
    check_rule(run);
    if (run->backend != CK_BACKEND_OPENCL) {
        run_shapes(run, "(not OpenCL)", 9000);
        return;
    }
    static const char *const splits[] = {"1", "2", "3", "64", "auto"};
    for (size_t i = 0; i < sizeof splits / sizeof splits[0]; i++) run_split(run, splits[i], 9000 + 1000 * i);
}
