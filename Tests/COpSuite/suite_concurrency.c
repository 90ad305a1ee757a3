/*
 * suite_concurrency.c — two contexts on two threads at once.
 *
 * Each thread creates its own context on the backend under test and runs a
 * small training-step sequence again and again: conv2d forward, ReLU, 2×2 max
 * pooling, the pooling and ReLU backward passes, conv2d backward-data and
 * backward-weights (+ bias), batch norm forward in training mode. Every
 * result must equal, bit for bit, the same sequence run alone beforehand on
 * a context with the same thread count: contexts share no state, and each
 * backend is deterministic for a fixed thread count.
 *
 * The threads use the C ABI directly (the harness's counters are not
 * thread-safe) and the main thread checks their results after joining.
 */
#include "suites.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { N = 2, C = 8, H = 16, W = 16, O = 16, K = 3, PH = H / 2, PW = W / 2 };
enum { ROUNDS = 12, THREADS = 2, CONTEXT_THREADS = 2 };

#define X_COUNT (N * C * H * W)
#define W_COUNT (O * C * K * K)
#define Y_COUNT (N * O * H * W)
#define P_COUNT (N * O * PH * PW)
/* What one step leaves on the host: y, pooled, dx, dw, dbias, bn_y, saved_mean, saved_invstd. */
#define RESULT_COUNT (Y_COUNT + P_COUNT + X_COUNT + W_COUNT + O + Y_COUNT + O + O)

typedef struct step_buffers {
    ck_buffer *x, *w, *bias, *y, *act, *pooled, *dpooled, *dact, *dy, *dx, *dw, *dbias;
    ck_buffer *gamma, *beta, *bn_y, *mean, *invstd;
} step_buffers;

typedef struct worker {
    ck_backend_kind kind;
    uint32_t seed;      /* input values */
    float *results;     /* ROUNDS * RESULT_COUNT */
    char error[256];    /* empty when every call succeeded */
} worker;

/* Deterministic inputs in [-1, 1) from a 32-bit LCG. */
static void fill(float *values, size_t count, uint32_t seed) {
    for (size_t i = 0; i < count; i++) {
        seed = seed * 1664525u + 1013904223u;
        values[i] = (float)(seed >> 8) / 8388608.0f - 1.0f;
    }
}

#define STEP_TRY(call)                                                                                  \
    do {                                                                                                \
        ck_status step_status = (call);                                                                 \
        if (step_status != CK_OK) {                                                                     \
            snprintf(w->error, sizeof w->error, "%s: %s", #call, ck_last_error(ctx));                   \
            goto done;                                                                                  \
        }                                                                                               \
    } while (0)

/* Creates the context and buffers, runs ROUNDS steps, keeps every result. */
static void *run_worker(void *argument) {
    worker *w = argument;
    ck_context *ctx = NULL;
    step_buffers b;
    memset(&b, 0, sizeof b);
    ck_buffer **all = (ck_buffer **)&b;
    const size_t sizes[] = {X_COUNT, W_COUNT, O, Y_COUNT, Y_COUNT, P_COUNT, P_COUNT, Y_COUNT, Y_COUNT,
                            X_COUNT, W_COUNT, O, O, O, Y_COUNT, O, O};
    const size_t buffer_count = sizeof b / sizeof(ck_buffer *);
    float *host = malloc(X_COUNT * sizeof(float) + W_COUNT * sizeof(float) + P_COUNT * sizeof(float));
    ck_context_options options;
    ck_context_options_init(&options);
    options.backend = w->kind;
    options.num_threads = CONTEXT_THREADS;
    if (!host) {
        snprintf(w->error, sizeof w->error, "out of host memory");
        return NULL;
    }
    if (ck_context_create(&options, &ctx) != CK_OK) {
        snprintf(w->error, sizeof w->error, "ck_context_create: %s", ck_last_error(NULL));
        free(host);
        return NULL;
    }
    for (size_t i = 0; i < buffer_count; i++) STEP_TRY(ck_buffer_create(ctx, sizes[i] * sizeof(float), &all[i]));

    float *x_host = host, *w_host = host + X_COUNT, *dpooled_host = w_host + W_COUNT;
    fill(x_host, X_COUNT, w->seed);
    fill(w_host, W_COUNT, w->seed + 1);
    fill(dpooled_host, P_COUNT, w->seed + 2);
    STEP_TRY(ck_buffer_write(ctx, b.x, 0, x_host, X_COUNT * sizeof(float)));
    STEP_TRY(ck_buffer_write(ctx, b.w, 0, w_host, W_COUNT * sizeof(float)));
    STEP_TRY(ck_buffer_write(ctx, b.dpooled, 0, dpooled_host, P_COUNT * sizeof(float)));
    STEP_TRY(ck_fill(ctx, 0.25f, &(ck_tensor){b.bias, 0, CK_F32, 1, {O}}));
    STEP_TRY(ck_fill(ctx, 1.5f, &(ck_tensor){b.gamma, 0, CK_F32, 1, {O}}));
    STEP_TRY(ck_fill(ctx, -0.5f, &(ck_tensor){b.beta, 0, CK_F32, 1, {O}}));

    ck_tensor x = ck_tensor_4d(b.x, N, C, H, W), weight = ck_tensor_4d(b.w, O, C, K, K);
    ck_tensor bias = {b.bias, 0, CK_F32, 1, {O}}, dbias = {b.dbias, 0, CK_F32, 1, {O}};
    ck_tensor y = ck_tensor_4d(b.y, N, O, H, W), act = ck_tensor_4d(b.act, N, O, H, W);
    ck_tensor pooled = ck_tensor_4d(b.pooled, N, O, PH, PW), dpooled = ck_tensor_4d(b.dpooled, N, O, PH, PW);
    ck_tensor dact = ck_tensor_4d(b.dact, N, O, H, W), dy = ck_tensor_4d(b.dy, N, O, H, W);
    ck_tensor dx = ck_tensor_4d(b.dx, N, C, H, W), dw = ck_tensor_4d(b.dw, O, C, K, K);
    ck_tensor gamma = {b.gamma, 0, CK_F32, 1, {O}}, beta = {b.beta, 0, CK_F32, 1, {O}};
    ck_tensor bn_y = ck_tensor_4d(b.bn_y, N, O, H, W);
    ck_tensor mean = {b.mean, 0, CK_F32, 1, {O}}, invstd = {b.invstd, 0, CK_F32, 1, {O}};
    ck_conv2d_params conv = ck_conv2d_params_default();
    conv.pad_top = conv.pad_bottom = conv.pad_left = conv.pad_right = 1;
    ck_pool2d_params pool = ck_pool2d_params_default(CK_POOL_MAX, 2, 2);
    ck_batchnorm_params bn = {1e-5f, 0.1f, 1};

    for (int round = 0; round < ROUNDS; round++) {
        STEP_TRY(ck_conv2d_forward(ctx, &conv, &x, &weight, &bias, &y));
        STEP_TRY(ck_activation_forward(ctx, CK_ACT_RELU, 0.0f, &y, &act));
        STEP_TRY(ck_pool2d_forward(ctx, &pool, &act, &pooled));
        STEP_TRY(ck_pool2d_backward(ctx, &pool, &act, &dpooled, 0.0f, &dact));
        STEP_TRY(ck_activation_backward(ctx, CK_ACT_RELU, 0.0f, &y, &dact, 0.0f, &dy));
        STEP_TRY(ck_conv2d_backward_data(ctx, &conv, &weight, &dy, 0.0f, &dx));
        STEP_TRY(ck_conv2d_backward_weights(ctx, &conv, &x, &dy, 0.0f, &dw, &dbias));
        STEP_TRY(ck_batchnorm2d_forward(ctx, &bn, &y, &gamma, &beta, NULL, NULL, &mean, &invstd, &bn_y));
        float *out = w->results + (size_t)round * RESULT_COUNT;
        const struct { ck_buffer *buffer; size_t count; } reads[] = {
            {b.y, Y_COUNT}, {b.pooled, P_COUNT}, {b.dx, X_COUNT}, {b.dw, W_COUNT},
            {b.dbias, O}, {b.bn_y, Y_COUNT}, {b.mean, O}, {b.invstd, O},
        };
        for (size_t r = 0; r < sizeof reads / sizeof reads[0]; r++) {
            STEP_TRY(ck_buffer_read(ctx, reads[r].buffer, 0, out, reads[r].count * sizeof(float)));
            out += reads[r].count;
        }
    }
done:
    for (size_t i = 0; i < buffer_count; i++) ck_buffer_destroy(all[i]);
    ck_context_destroy(ctx);
    free(host);
    return NULL;
}

/* Fails unless the worker ran cleanly; returns 0 then. */
static int worker_failed(ckt_run *run, const worker *w, const char *what) {
    if (w->error[0] == '\0') return 0;
    ckt_fail(run, "%s: %s", what, w->error);
    return 1;
}

void ckt_suite_concurrency(ckt_run *run) {
    ckt_case(run, "two contexts on two threads equal the serial runs");
    worker serial[THREADS], parallel[THREADS];
    memset(serial, 0, sizeof serial);
    memset(parallel, 0, sizeof parallel);
    const size_t result_bytes = (size_t)ROUNDS * RESULT_COUNT * sizeof(float);
    int ok = 1;
    for (int t = 0; t < THREADS; t++) {
        serial[t].kind = parallel[t].kind = run->backend;
        serial[t].seed = parallel[t].seed = 1000u + 17u * (uint32_t)t;
        serial[t].results = malloc(result_bytes);
        parallel[t].results = malloc(result_bytes);
        if (!serial[t].results || !parallel[t].results) ok = 0;
    }
    if (!ok) {
        ckt_fail(run, "out of host memory");
        goto done;
    }
    for (int t = 0; t < THREADS; t++) {
        run_worker(&serial[t]);
        if (worker_failed(run, &serial[t], "serial run")) goto done;
    }
    pthread_t threads[THREADS];
    int started = 0;
    for (; started < THREADS; started++)
        if (pthread_create(&threads[started], NULL, run_worker, &parallel[started]) != 0) break;
    for (int t = 0; t < started; t++) pthread_join(threads[t], NULL);
    if (started < THREADS) {
        ckt_fail(run, "cannot start thread %d", started);
        goto done;
    }
    for (int t = 0; t < THREADS; t++) {
        run->checks++;
        if (worker_failed(run, &parallel[t], "parallel run")) continue;
        for (int round = 0; round < ROUNDS; round++) {
            const float *got = parallel[t].results + (size_t)round * RESULT_COUNT;
            const float *want = serial[t].results + (size_t)round * RESULT_COUNT;
            if (memcmp(got, want, RESULT_COUNT * sizeof(float)) != 0) {
                ckt_fail(run, "thread %d, round %d: results differ from the serial run", t, round);
                break;
            }
        }
    }
done:
    for (int t = 0; t < THREADS; t++) {
        free(serial[t].results);
        free(parallel[t].results);
    }
}
