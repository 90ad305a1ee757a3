/*
 * fuzz_ops_dense.c — fuzz drivers of GEMM, bias add / backward, the
 * same-shape elementwise ops, fill, copy and reduce_sum.
 *
 * Elementwise shapes have 0..4 dims (0: a scalar) of extents 1..9, now and
 * then up to 24, so the vector kernels see full vectors and tails. In-place
 * use (y exactly on an input) and partial overlaps come from the layout's
 * placement perturbations.
 */
#include "fuzz_call.h"

#include <string.h>

/* a (M, K) or (K, M), b (K, N) or (N, K), c (M, N); transposes in i[0], i[1]; alpha f[0], beta f[1]. */
static void build_gemm(fz_input *in, fz_call *c) {
    int64_t m = fz_extent(in), k = fz_extent(in), n = fz_extent(in);
    c->i[0] = fz_param(in, 0, 1);
    c->i[1] = fz_param(in, 0, 1);
    c->f[0] = fz_scalar(in, 1.0f, 0.5f, -2.0f);
    c->f[1] = fz_scalar(in, 0.0f, 1.0f, 0.5f);
    const int64_t a[2] = {c->i[0] ? k : m, c->i[0] ? m : k};
    const int64_t b[2] = {c->i[1] ? n : k, c->i[1] ? k : n};
    const int64_t out[2] = {m, n};
    fz_add_slot(c, "a", FZ_INPUT, 2, a);
    fz_add_slot(c, "b", FZ_INPUT, 2, b);
    fz_add_slot(c, "c", FZ_OUTPUT, 2, out);
}

/* (N, C, ...) with 2..5 dims. */
static int32_t decode_channels_first(fz_input *in, int64_t *dims) {
    int32_t ndim = (int32_t)fz_pick(in, 2, 5);
    dims[0] = fz_pick(in, 1, 3);
    dims[1] = fz_pick(in, 1, 5);
    for (int32_t d = 2; d < ndim; d++) dims[d] = fz_extent(in);
    return ndim;
}

static void build_bias_add(fz_input *in, fz_call *c) {
    int64_t x[CK_MAX_DIMS];
    int32_t ndim = decode_channels_first(in, x);
    fz_add_slot(c, "x", FZ_INPUT, ndim, x);
    fz_add_slot(c, "bias", FZ_INPUT, 1, &x[1]);
    fz_add_slot(c, "y", FZ_OUTPUT, ndim, x);
}

static void build_bias_backward(fz_input *in, fz_call *c) {
    int64_t dy[CK_MAX_DIMS];
    int32_t ndim = decode_channels_first(in, dy);
    c->f[0] = fz_scalar(in, 0.0f, 1.0f, 0.5f);
    fz_add_slot(c, "dy", FZ_INPUT, ndim, dy);
    fz_add_slot(c, "dbias", FZ_OUTPUT, 1, &dy[1]);
}

/* `inputs` same-shape inputs and y; f[0], f[1] for the op's scalars. */
static void build_elementwise(fz_input *in, fz_call *c, int inputs) {
    static const char *const names[] = {"a", "b"};
    int64_t dims[CK_MAX_DIMS];
    int32_t ndim = fz_shape(in, 4, dims);
    c->f[0] = fz_scalar(in, 1.0f, -0.5f, 2.0f);
    c->f[1] = fz_scalar(in, 1.0f, 0.25f, -1.0f);
    for (int i = 0; i < inputs; i++) fz_add_slot(c, names[i], FZ_INPUT, ndim, dims);
    fz_add_slot(c, "y", FZ_OUTPUT, ndim, dims);
}

static void build_binary(fz_input *in, fz_call *c) { build_elementwise(in, c, 2); }
static void build_unary(fz_input *in, fz_call *c) { build_elementwise(in, c, 1); }
static void build_fill(fz_input *in, fz_call *c) { build_elementwise(in, c, 0); }

/* x, and y of the same element count: the same dims, flattened, or reversed. */
static void build_copy(fz_input *in, fz_call *c) {
    int64_t x[CK_MAX_DIMS], y[CK_MAX_DIMS];
    int32_t ndim = fz_shape(in, 4, x), y_ndim = ndim;
    uint8_t form = fz_u8(in) % 3;
    for (int32_t d = 0; d < ndim; d++) y[d] = form == 2 ? x[ndim - 1 - d] : x[d];
    if (form == 1) {
        y_ndim = 1;
        y[0] = 1;
        for (int32_t d = 0; d < ndim; d++) y[0] *= x[d];
    }
    fz_add_slot(c, "x", FZ_INPUT, ndim, x);
    fz_add_slot(c, "y", FZ_OUTPUT, y_ndim, y);
}

/* x of 0..5 dims; the axes in mask; y with the reduced axes kept as 1 or removed; beta f[0]. */
static void build_reduce_sum(fz_input *in, fz_call *c) {
    int64_t x[CK_MAX_DIMS], y[CK_MAX_DIMS];
    int32_t ndim = fz_shape(in, 5, x), y_ndim = 0;
    uint8_t choice = fz_u8(in);
    c->mask = choice >= 240 ? fz_u32(in) : choice & ((1u << ndim) - 1);
    int squeeze = fz_u8(in) & 1;
    c->f[0] = fz_scalar(in, 0.0f, 1.0f, 0.5f);
    for (int32_t d = 0; d < ndim; d++) {
        int reduced = (c->mask >> d) & 1;
        if (!reduced) y[y_ndim++] = x[d];
        else if (!squeeze) y[y_ndim++] = 1;
    }
    fz_add_slot(c, "x", FZ_INPUT, ndim, x);
    fz_add_slot(c, "y", FZ_OUTPUT, y_ndim, y);
}

/* x of 0..5 dims, perm a permutation of its axes (sometimes one entry broken: repeated or out of range). */
static void build_permute(fz_input *in, fz_call *c) {
    int64_t x[CK_MAX_DIMS], y[CK_MAX_DIMS];
    int32_t ndim = fz_shape(in, 5, x);
    for (int32_t d = 0; d < CK_MAX_DIMS; d++) c->perm[d] = d;
    for (int32_t d = ndim - 1; d > 0; d--) { /* Fisher-Yates from the input's bytes */
        int32_t j = (int32_t)fz_pick(in, 0, d), t = c->perm[d];
        c->perm[d] = c->perm[j], c->perm[j] = t;
    }
    for (int32_t d = 0; d < ndim; d++) y[d] = x[c->perm[d]];
    if (ndim > 0) {
        uint8_t broken = fz_u8(in);
        if (broken >= 240) c->perm[broken % ndim] = fz_tweak(in, c->perm[(broken + 1) % ndim]);
    }
    fz_add_slot(c, "x", FZ_INPUT, ndim, x);
    fz_add_slot(c, "y", FZ_OUTPUT, ndim, y);
}

static ck_status call_gemm(ck_context *ctx, const fz_call *c, const ck_tensor *const *t) {
    return ck_gemm(ctx, c->i[0], c->i[1], c->f[0], t[0], t[1], c->f[1], t[2]);
}
static ck_status call_bias_add(ck_context *ctx, const fz_call *c, const ck_tensor *const *t) {
    (void)c;
    return ck_bias_add(ctx, t[0], t[1], t[2]);
}
static ck_status call_bias_backward(ck_context *ctx, const fz_call *c, const ck_tensor *const *t) {
    return ck_bias_backward(ctx, t[0], c->f[0], t[1]);
}
static ck_status call_add(ck_context *ctx, const fz_call *c, const ck_tensor *const *t) {
    return ck_add(ctx, c->f[0], t[0], c->f[1], t[1], t[2]);
}
static ck_status call_mul(ck_context *ctx, const fz_call *c, const ck_tensor *const *t) {
    (void)c;
    return ck_mul(ctx, t[0], t[1], t[2]);
}
static ck_status call_scale(ck_context *ctx, const fz_call *c, const ck_tensor *const *t) {
    return ck_scale(ctx, c->f[0], t[0], t[1]);
}
static ck_status call_axpy(ck_context *ctx, const fz_call *c, const ck_tensor *const *t) {
    return ck_axpy(ctx, c->f[0], t[0], t[1]);
}
static ck_status call_fill(ck_context *ctx, const fz_call *c, const ck_tensor *const *t) {
    return ck_fill(ctx, c->f[0], t[0]);
}
static ck_status call_copy(ck_context *ctx, const fz_call *c, const ck_tensor *const *t) {
    (void)c;
    return ck_copy(ctx, t[0], t[1]);
}
static ck_status call_reduce_sum(ck_context *ctx, const fz_call *c, const ck_tensor *const *t) {
    return ck_reduce_sum(ctx, c->mask, t[0], c->f[0], t[1]);
}
static ck_status call_permute(ck_context *ctx, const fz_call *c, const ck_tensor *const *t) {
    return ck_permute(ctx, c->null_params ? NULL : c->perm, t[0], t[1]);
}

void fz_register_dense_ops(fz_op table[CK_OP_COUNT]) {
    table[CK_OP_GEMM] = (fz_op){build_gemm, call_gemm};
    table[CK_OP_BIAS_ADD] = (fz_op){build_bias_add, call_bias_add};
    table[CK_OP_BIAS_BACKWARD] = (fz_op){build_bias_backward, call_bias_backward};
    table[CK_OP_ADD] = (fz_op){build_binary, call_add};
    table[CK_OP_MUL] = (fz_op){build_binary, call_mul};
    table[CK_OP_SCALE] = (fz_op){build_unary, call_scale};
    table[CK_OP_AXPY] = (fz_op){build_unary, call_axpy};
    table[CK_OP_FILL] = (fz_op){build_fill, call_fill};
    table[CK_OP_COPY] = (fz_op){build_copy, call_copy};
    table[CK_OP_REDUCE_SUM] = (fz_op){build_reduce_sum, call_reduce_sum};
    table[CK_OP_PERMUTE] = (fz_op){build_permute, call_permute};
}
