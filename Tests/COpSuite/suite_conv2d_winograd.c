/*
 * suite_conv2d_winograd.c — conv2d through Winograd F(2x2, 3x3) against the
 * reference: on OpenCL, a context made with CONVKIT_CL_WINOGRAD=on runs the
 * forward and backward-data of every 3x3 stride-1 conv below that way (its
 * description must say "winograd on", else the suite fails: the path did
 * not run); backward-weights runs the direct kernel and keeps its bound.
 * Shapes: odd output sizes (a last tile half outside), asymmetric and
 * missing padding, padding 2 (backward-data with no padding), N > 1,
 * channels that are not multiples of the vector width or the channel block,
 * and a 1x1 input; and two 3x3 stride-1 transposed convs, whose forward
 * (conv2d's backward-data) and backward-data (conv2d's forward) take the same
 * path. Other backends run the same cases as plain convs with the direct
 * bound. Tolerances: conv_check.h (the Winograd bound).
 */
#include "conv_check.h"
#include "device_support.h"
#include "suites.h"

#include <string.h>

typedef struct winograd_shape {
    const char *label;
    int64_t n, c, h, w, o;
    int32_t pt, pb, pl, pr;
    int has_bias;
} winograd_shape;

/* label, N C H W O, pad top bottom left right, bias */
static const winograd_shape shapes[] = {
    {"odd sizes, pad 1", 2, 3, 7, 9, 5, 1, 1, 1, 1, 1},
    {"asymmetric padding", 3, 5, 6, 7, 4, 0, 2, 1, 0, 1},
    {"no padding, odd output", 1, 4, 9, 8, 3, 0, 0, 0, 0, 0},
    {"padding 2", 2, 2, 5, 5, 3, 2, 2, 2, 2, 1},
    {"1x1 input, pad 1", 2, 3, 1, 1, 4, 1, 1, 1, 1, 1},
    {"channels not multiples of 8 or 16", 2, 13, 10, 11, 19, 1, 1, 1, 1, 1},
    {"ResNet 3x3 (2x64x14x14)", 2, 64, 14, 14, 64, 1, 1, 1, 1, 0},
    {"wide, 5 images", 5, 7, 4, 37, 9, 1, 0, 0, 1, 1},
};

/* Transposed convs, 3x3 stride 1: label, N C H W O, pad top bottom left right, bias (C in, O out). */
static const winograd_shape transposed[] = {
    {"transposed, pad 1", 2, 6, 7, 5, 9, 1, 1, 1, 1, 1},
    {"transposed, no padding, asymmetric", 3, 5, 4, 6, 3, 0, 1, 1, 0, 0},
};

static void run_transposed(ckt_run *run, const winograd_shape *s, int winograd, uint64_t seed) {
    ckt_case(run, "conv_transpose2d winograd %s: x %lldx%lldx%lldx%lld o %lld p %d,%d,%d,%d%s", s->label,
             (long long)s->n, (long long)s->c, (long long)s->h, (long long)s->w, (long long)s->o, s->pt, s->pb, s->pl,
             s->pr, s->has_bias ? " bias" : "");
    ck_conv_transpose2d_params p = ck_conv_transpose2d_params_default();
    p.pad_top = s->pt;
    p.pad_bottom = s->pb;
    p.pad_left = s->pl;
    p.pad_right = s->pr;
    ckt_conv_case c = {&ckt_conv_transpose2d_ops, &p, {s->n, s->c, s->h, s->w}, {s->c, s->o, 3, 3}, {0}, s->has_bias, 0, 0, 0,
                       0, winograd};
    if (!ckt_expect_ok(run, ck_conv_transpose2d_output_dims(run->ref, &p, c.x, c.w, c.y), run->ref, "output dims"))
        return;
    /* y sums over the input channels C, dx over the output channels O (conv_check.h). */
    c.k_forward = winograd ? (double)s->c + 10 + (s->has_bias ? 1 : 0) : (double)s->c * 9 + (s->has_bias ? 1 : 0);
    c.k_data = winograd ? (double)s->o + 10 : (double)s->o * 9;
    c.k_weights = (double)s->n * (double)s->h * (double)s->w;
    c.k_bias = (double)c.y[0] * (double)c.y[2] * (double)c.y[3];
    ckt_check_conv_case(run, &c, seed);
}

static void run_shape(ckt_run *run, const winograd_shape *s, int winograd, uint64_t seed) {
    ckt_case(run, "conv2d winograd %s: x %lldx%lldx%lldx%lld o %lld p %d,%d,%d,%d%s", s->label, (long long)s->n,
             (long long)s->c, (long long)s->h, (long long)s->w, (long long)s->o, s->pt, s->pb, s->pl, s->pr,
             s->has_bias ? " bias" : "");
    ck_conv2d_params p = ck_conv2d_params_default();
    p.pad_top = s->pt;
    p.pad_bottom = s->pb;
    p.pad_left = s->pl;
    p.pad_right = s->pr;
    ckt_conv_case c = {&ckt_conv2d_ops, &p, {s->n, s->c, s->h, s->w}, {s->o, s->c, 3, 3}, {0}, s->has_bias, 0, 0, 0, 0,
                       winograd};
    if (!ckt_expect_ok(run, ck_conv2d_output_dims(run->ref, &p, c.x, c.w, c.y), run->ref, "output dims")) return;
    /* Rounding counts: conv_check.h (Winograd: channels + 10, + 1 for the bias; direct: 9 per channel). */
    c.k_forward = winograd ? (double)s->c + 10 + (s->has_bias ? 1 : 0) : (double)s->c * 9 + (s->has_bias ? 1 : 0);
    c.k_data = winograd ? (double)s->o + 10 : (double)s->o * 9;
    c.k_weights = (double)c.y[0] * (double)c.y[2] * (double)c.y[3];
    c.k_bias = c.k_weights;
    ckt_check_conv_case(run, &c, seed);
}

void ckt_suite_conv2d_winograd(ckt_run *run) {
    ck_context *tested = run->ctx, *winograd = NULL;
    if (run->backend == CK_BACKEND_OPENCL) {
        const ckt_env env[] = {{"CONVKIT_CL_WINOGRAD", "on"}};
        winograd = ckt_context_with_env(run, CK_BACKEND_OPENCL, env, 1);
        if (!winograd) return;
        const char *description = ck_context_describe(winograd);
        /* Implicit-GEMM tunings (no direct conv) have no Winograd path: the cases then check that conv. */
        if (strstr(description, "direct conv ")) {
            if (!ckt_expect(run, strstr(description, "winograd on") != NULL,
                            "CONVKIT_CL_WINOGRAD=on: the context says '%s'", description)) {
                ck_context_destroy(winograd);
                return;
            }
            run->ctx = winograd;
        }
    }
    const int ran_winograd = run->ctx != tested;
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++)
        run_shape(run, &shapes[i], ran_winograd, 7000 + 100 * i);
    for (size_t i = 0; i < sizeof transposed / sizeof transposed[0]; i++)
        run_transposed(run, &transposed[i], ran_winograd, 8000 + 100 * i);
    run->ctx = tested;
    if (winograd) ck_context_destroy(winograd);
}
