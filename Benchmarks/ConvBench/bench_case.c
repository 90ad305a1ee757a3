/* bench_case.c — tensors for one benchmark shape, and calls of its passes. */
#include "bench_case.h"

#include <stdlib.h>
#include <string.h>

enum { SLOT_X, SLOT_DX, SLOT_W, SLOT_DW, SLOT_Y, SLOT_DY, SLOT_VECTORS };
enum { GAMMA, BETA, RUNNING_MEAN, RUNNING_VAR, SAVED_MEAN, SAVED_INVSTD, DGAMMA, DBETA };

/** Seeded uniform values in [-1, 1) (a 64-bit LCG; the top 24 bits make the float). */
static ck_status fill_uniform(ck_context *ctx, ck_buffer *buffer, size_t count, uint64_t seed) {
    float *values = malloc(count * sizeof *values);
    if (!values) return CK_ERR_OUT_OF_MEMORY;
    uint64_t state = seed * 0x9E3779B97F4A7C15ull + 1;
    for (size_t i = 0; i < count; i++) {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        values[i] = (float)((double)(state >> 40) / (double)(1u << 24) * 2.0 - 1.0);
    }
    ck_status status = ck_buffer_write(ctx, buffer, 0, values, count * sizeof *values);
    free(values);
    return status;
}

static size_t element_count(const int64_t dims[4]) { return (size_t)(dims[0] * dims[1] * dims[2] * dims[3]); }

/** Creates the buffer of `slot` with `dims`, filled when `seed` is nonzero. */
static ck_status make_tensor(bench_case *bench, int slot, const int64_t dims[4], uint64_t seed, ck_tensor *out) {
    size_t count = element_count(dims);
    ck_status status = ck_buffer_create(bench->ctx, count * sizeof(float), &bench->buffers[slot]);
    if (status != CK_OK) return status;
    *out = ck_tensor_4d(bench->buffers[slot], dims[0], dims[1], dims[2], dims[3]);
    return seed ? fill_uniform(bench->ctx, bench->buffers[slot], count, seed) : CK_OK;
}

static const ck_batchnorm_params batchnorm_params = {1e-5f, 0.1f, 1};

/* The (C) vectors of batch norm, views into one buffer; gamma and beta seeded, the running statistics 0 and 1. */
static ck_status make_vectors(bench_case *bench) {
    int64_t c = bench->shape->c;
    ck_status status = make_tensor(bench, SLOT_VECTORS, (int64_t[4]){8, c, 1, 1}, 4, &bench->vectors[0]);
    if (status != CK_OK) return status;
    for (int i = 0; i < 8; i++) {
        bench->vectors[i] = ck_tensor_nd(bench->buffers[SLOT_VECTORS], CK_F32, 1, &c);
        bench->vectors[i].offset = (size_t)i * (size_t)c * sizeof(float);
    }
    status = ck_fill(bench->ctx, 0.0f, &bench->vectors[RUNNING_MEAN]);
    if (status == CK_OK) status = ck_fill(bench->ctx, 1.0f, &bench->vectors[RUNNING_VAR]);
    return status;
}

static ck_status batchnorm_forward(bench_case *b) {
    const ck_tensor *v = b->vectors;
    return ck_batchnorm2d_forward(b->ctx, &batchnorm_params, &b->x, &v[GAMMA], &v[BETA], &v[RUNNING_MEAN],
                                  &v[RUNNING_VAR], &v[SAVED_MEAN], &v[SAVED_INVSTD], &b->y);
}

/* GEMM's views: x (N, C), w (O, C), y (N, O), over the 4-d buffers. */
static void flatten_gemm_views(bench_case *bench) {
    ck_tensor *views[] = {&bench->x, &bench->dx, &bench->w, &bench->dw, &bench->y, &bench->dy};
    for (size_t i = 0; i < sizeof views / sizeof views[0]; i++) {
        int64_t dims[2] = {views[i]->dims[0], views[i]->dims[1]};
        *views[i] = ck_tensor_nd(views[i]->buffer, CK_F32, 2, dims);
    }
}

ck_status bench_case_setup(bench_case *bench, ck_context *ctx, const bench_shape *shape, int64_t n) {
    memset(bench, 0, sizeof *bench);
    bench->ctx = ctx;
    bench->shape = shape;
    bench->n = n;

    int64_t x_dims[4] = {n, shape->c, shape->h, shape->w}, w_dims[4], y_dims[4];
    bench_weight_dims(shape, w_dims);
    bench_output_dims(shape, n, y_dims);

    ck_status status = make_tensor(bench, SLOT_X, x_dims, 1, &bench->x);
    if (status == CK_OK) status = make_tensor(bench, SLOT_DX, x_dims, 0, &bench->dx);
    if (status == CK_OK) status = make_tensor(bench, SLOT_Y, y_dims, 0, &bench->y);
    if (status == CK_OK) status = make_tensor(bench, SLOT_DY, y_dims, 2, &bench->dy);
    if (status == CK_OK && shape->kind != BENCH_POOL && shape->kind != BENCH_BATCHNORM) {
        status = make_tensor(bench, SLOT_W, w_dims, 3, &bench->w);
        if (status == CK_OK) status = make_tensor(bench, SLOT_DW, w_dims, 0, &bench->dw);
    }
    if (status == CK_OK && shape->kind == BENCH_GEMM) flatten_gemm_views(bench);
    if (status == CK_OK && shape->kind == BENCH_BATCHNORM) {
        status = make_vectors(bench);
        if (status == CK_OK) status = batchnorm_forward(bench);
        if (status == CK_OK) status = ck_context_finish(ctx);
    }
    if (status != CK_OK) bench_case_teardown(bench);
    return status;
}

static ck_status run_conv(bench_case *b, bench_pass pass) {
    ck_conv2d_params params = bench_conv_params(b->shape);
    switch (pass) {
    case BENCH_FORWARD: return ck_conv2d_forward(b->ctx, &params, &b->x, &b->w, NULL, &b->y);
    case BENCH_BACKWARD_DATA: return ck_conv2d_backward_data(b->ctx, &params, &b->w, &b->dy, 0.0f, &b->dx);
    case BENCH_BACKWARD_WEIGHTS:
        return ck_conv2d_backward_weights(b->ctx, &params, &b->x, &b->dy, 0.0f, &b->dw, NULL);
    }
    return CK_ERR_INVALID_ARGUMENT;
}

static ck_status run_conv_transpose(bench_case *b, bench_pass pass) {
    ck_conv_transpose2d_params params = bench_conv_transpose_params(b->shape);
    switch (pass) {
    case BENCH_FORWARD: return ck_conv_transpose2d_forward(b->ctx, &params, &b->x, &b->w, NULL, &b->y);
    case BENCH_BACKWARD_DATA:
        return ck_conv_transpose2d_backward_data(b->ctx, &params, &b->w, &b->dy, 0.0f, &b->dx);
    case BENCH_BACKWARD_WEIGHTS:
        return ck_conv_transpose2d_backward_weights(b->ctx, &params, &b->x, &b->dy, 0.0f, &b->dw, NULL);
    }
    return CK_ERR_INVALID_ARGUMENT;
}

static ck_status run_pool(bench_case *b, bench_pass pass) {
    ck_pool2d_params params = bench_pool_params(b->shape);
    if (pass == BENCH_FORWARD) return ck_pool2d_forward(b->ctx, &params, &b->x, &b->y);
    return ck_pool2d_backward(b->ctx, &params, &b->x, &b->dy, 0.0f, &b->dx);
}

static ck_status run_batchnorm(bench_case *b, bench_pass pass) {
    if (pass == BENCH_FORWARD) return batchnorm_forward(b);
    const ck_tensor *v = b->vectors;
    return ck_batchnorm2d_backward(b->ctx, &batchnorm_params, &b->x, &b->dy, &v[GAMMA], &v[SAVED_MEAN],
                                   &v[SAVED_INVSTD], 0.0f, &b->dx, &v[DGAMMA], &v[DBETA]);
}

/* A dense layer: y = x w^T; dx = dy w; dw = dy^T x. */
static ck_status run_gemm(bench_case *b, bench_pass pass) {
    switch (pass) {
    case BENCH_FORWARD: return ck_gemm(b->ctx, 0, 1, 1.0f, &b->x, &b->w, 0.0f, &b->y);
    case BENCH_BACKWARD_DATA: return ck_gemm(b->ctx, 0, 0, 1.0f, &b->dy, &b->w, 0.0f, &b->dx);
    case BENCH_BACKWARD_WEIGHTS: return ck_gemm(b->ctx, 1, 0, 1.0f, &b->dy, &b->x, 0.0f, &b->dw);
    }
    return CK_ERR_INVALID_ARGUMENT;
}

ck_status bench_case_run(bench_case *bench, bench_pass pass, int *used_cpu_fallback) {
    ck_op op = bench_pass_op(bench->shape, pass);
    ck_op_stats before = {0, 0}, after = {0, 0};
    ck_context_op_stats(bench->ctx, op, &before);

    ck_status status;
    switch (bench->shape->kind) {
    case BENCH_CONV: status = run_conv(bench, pass); break;
    case BENCH_CONV_TRANSPOSE: status = run_conv_transpose(bench, pass); break;
    case BENCH_POOL: status = run_pool(bench, pass); break;
    case BENCH_BATCHNORM: status = run_batchnorm(bench, pass); break;
    case BENCH_GEMM: status = run_gemm(bench, pass); break;
    default: status = CK_ERR_INVALID_ARGUMENT; break;
    }
    if (status == CK_OK) status = ck_context_finish(bench->ctx);

    ck_context_op_stats(bench->ctx, op, &after);
    *used_cpu_fallback = after.cpu_fallbacks > before.cpu_fallbacks;
    return status;
}

/* Timed runs after a warm-up that took `warmup_s`: the plan's repeats, or fewer (not under 3) past its budget. */
static int planned_runs(const bench_plan *plan, double warmup_s) {
    if (plan->budget_s <= 0 || plan->repeats <= 3 || warmup_s * plan->repeats <= plan->budget_s) return plan->repeats;
    int fit = (int)(plan->budget_s / warmup_s);
    return fit < 3 ? 3 : fit;
}

ck_status bench_case_measure(bench_case *bench, bench_pass pass, const bench_plan *plan, bench_timing *timing,
                             int *used_cpu_fallback) {
    int fallback = 0;
    double start = bench_now_seconds();
    ck_status status = bench_case_run(bench, pass, &fallback);
    double warmup_s = bench_now_seconds() - start;
    *used_cpu_fallback = fallback;
    if (status != CK_OK) return status;
    if (plan->cutoff_s > 0 && warmup_s > plan->cutoff_s) {
        *timing = bench_summarize(&warmup_s, 1);
        timing->cut_short = 1;
        return CK_OK;
    }

    const int runs = planned_runs(plan, warmup_s);
    double *samples = malloc((size_t)runs * sizeof *samples);
    if (!samples) return CK_ERR_OUT_OF_MEMORY;
    for (int i = 0; i < runs && status == CK_OK; i++) {
        start = bench_now_seconds();
        status = bench_case_run(bench, pass, &fallback);
        samples[i] = bench_now_seconds() - start;
        *used_cpu_fallback |= fallback;
    }
    if (status == CK_OK) *timing = bench_summarize(samples, runs);
    free(samples);
    return status;
}

void bench_case_teardown(bench_case *bench) {
    for (size_t i = 0; i < sizeof bench->buffers / sizeof bench->buffers[0]; i++) {
        ck_buffer_destroy(bench->buffers[i]);
        bench->buffers[i] = NULL;
    }
}
