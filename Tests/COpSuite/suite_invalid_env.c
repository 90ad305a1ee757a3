/*
 * suite_invalid_env.c — the valid arguments the invalid-argument cases start
 * from (see suite_invalid.h), and the edits the cases make to a view.
 */
#include "suite_invalid.h"

#include <stdlib.h>
#include <string.h>

/** Views start on 64-byte boundaries; the pool keeps this much slack after the last view. */
#define VIEW_ALIGN ((size_t)64)
#define POOL_SLACK ((size_t)8192)
#define POOL_BYTES ((size_t)64 * 1024)

/** The next view of the pool: `dims` of `dtype` at the first free aligned offset. */
static ck_tensor take(inv_env *env, ck_dtype dtype, int32_t ndim, const int64_t *dims) {
    ck_tensor t = ck_tensor_nd(env->pool, dtype, ndim, dims);
    t.offset = env->pool_used;
    size_t bytes = ck_dtype_size(dtype);
    for (int32_t i = 0; i < ndim; i++) bytes *= (size_t)dims[i];
    env->pool_used += (bytes + VIEW_ALIGN - 1) / VIEW_ALIGN * VIEW_ALIGN;
    return t;
}

static ck_tensor f32_4d(inv_env *env, int64_t n, int64_t c, int64_t h, int64_t w) {
    const int64_t dims[4] = {n, c, h, w};
    return take(env, CK_F32, 4, dims);
}

static ck_tensor f32_nd(inv_env *env, int32_t ndim, int64_t d0, int64_t d1, int64_t d2) {
    const int64_t dims[3] = {d0, d1, d2};
    return take(env, CK_F32, ndim, dims);
}

static void lay_out_conv(inv_env *env) {
    env->conv.x = f32_4d(env, 2, 4, 5, 5);
    env->conv.w = f32_4d(env, 6, 2, 3, 3);
    env->conv.bias = f32_nd(env, 1, 6, 0, 0);
    env->conv.y = f32_4d(env, 2, 6, 5, 5);
    env->conv.dx = f32_4d(env, 2, 4, 5, 5);
    env->conv.dy = f32_4d(env, 2, 6, 5, 5);
    env->conv.dw = f32_4d(env, 6, 2, 3, 3);
    env->conv.dbias = f32_nd(env, 1, 6, 0, 0);

    env->transpose.x = f32_4d(env, 2, 4, 3, 3);
    env->transpose.w = f32_4d(env, 4, 3, 3, 3);
    env->transpose.bias = f32_nd(env, 1, 6, 0, 0);
    env->transpose.y = f32_4d(env, 2, 6, 6, 6);
    env->transpose.dx = f32_4d(env, 2, 4, 3, 3);
    env->transpose.dy = f32_4d(env, 2, 6, 6, 6);
    env->transpose.dw = f32_4d(env, 4, 3, 3, 3);
    env->transpose.dbias = f32_nd(env, 1, 6, 0, 0);

    env->pooling.x = f32_4d(env, 2, 3, 6, 6);
    env->pooling.y = f32_4d(env, 2, 3, 3, 3);
    env->pooling.dx = f32_4d(env, 2, 3, 6, 6);
    env->pooling.dy = f32_4d(env, 2, 3, 3, 3);
    env->pooling.gy = f32_4d(env, 2, 3, 1, 1);
    env->pooling.gdy = f32_4d(env, 2, 3, 1, 1);
}

static void lay_out_dense(inv_env *env) {
    env->gemm.a = f32_nd(env, 2, 3, 4, 0);
    env->gemm.b = f32_nd(env, 2, 4, 5, 0);
    env->gemm.c = f32_nd(env, 2, 3, 5, 0);
    env->gemm.at = f32_nd(env, 2, 4, 3, 0);

    env->bias.x = f32_4d(env, 2, 3, 2, 2);
    env->bias.bias = f32_nd(env, 1, 3, 0, 0);
    env->bias.y = f32_4d(env, 2, 3, 2, 2);
    env->bias.dy = f32_4d(env, 2, 3, 2, 2);
    env->bias.dbias = f32_nd(env, 1, 3, 0, 0);

    env->ew.a = f32_nd(env, 3, 2, 3, 4);
    env->ew.b = f32_nd(env, 3, 2, 3, 4);
    env->ew.y = f32_nd(env, 3, 2, 3, 4);
    env->ew.dy = f32_nd(env, 3, 2, 3, 4);
    env->ew.dx = f32_nd(env, 3, 2, 3, 4);
    env->ew.mask = f32_nd(env, 3, 2, 3, 4);
    env->ew.r = f32_nd(env, 1, 3, 0, 0);
}

static void lay_out_train(inv_env *env) {
    env->bn.x = f32_4d(env, 2, 3, 4, 4);
    env->bn.y = f32_4d(env, 2, 3, 4, 4);
    env->bn.dy = f32_4d(env, 2, 3, 4, 4);
    env->bn.dx = f32_4d(env, 2, 3, 4, 4);
    ck_tensor *vectors[] = {&env->bn.gamma, &env->bn.beta, &env->bn.running_mean, &env->bn.running_var,
                            &env->bn.saved_mean, &env->bn.saved_invstd, &env->bn.dgamma, &env->bn.dbeta};
    for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) *vectors[i] = f32_nd(env, 1, 3, 0, 0);

    env->loss.logits = f32_nd(env, 2, 4, 5, 0);
    const int64_t labels[1] = {4};
    env->loss.labels = take(env, CK_I32, 1, labels);
    env->loss.probs = f32_nd(env, 2, 4, 5, 0);
    env->loss.loss = f32_nd(env, 1, 1, 0, 0);
    env->loss.dlogits = f32_nd(env, 2, 4, 5, 0);

    env->optim.param = f32_nd(env, 2, 3, 4, 0);
    env->optim.grad = f32_nd(env, 2, 3, 4, 0);
    env->optim.state1 = f32_nd(env, 2, 3, 4, 0);
    env->optim.state2 = f32_nd(env, 2, 3, 4, 0);
    env->optim.state3 = f32_nd(env, 2, 3, 4, 0);
}

/** Pool contents: 0.25 everywhere (a valid value for every float view), 1 in the labels. */
static ck_status fill_pool(inv_env *env) {
    float *host = malloc(env->pool_bytes);
    if (!host) return CK_ERR_OUT_OF_MEMORY;
    for (size_t i = 0; i < env->pool_bytes / sizeof(float); i++) host[i] = 0.25f;
    int32_t *labels = (int32_t *)((char *)host + env->loss.labels.offset);
    for (int i = 0; i < 4; i++) labels[i] = 1;
    ck_status status = ck_buffer_write(env->ctx, env->pool, 0, host, env->pool_bytes);
    free(host);
    return status;
}

static int create_buffer(ckt_run *run, ck_context *ctx, size_t bytes, ck_buffer **out) {
    return ckt_expect_ok(run, ck_buffer_create(ctx, bytes, out), ctx, "create a buffer for the invalid cases");
}

int inv_env_create(ckt_run *run, inv_env *env) {
    memset(env, 0, sizeof *env);
    env->run = run;
    env->ctx = run->ctx;
    env->other = run->ref;
    env->pool_bytes = POOL_BYTES;
    static const int32_t bad_labels[8] = {0, 1, 5, 2, -1, 0, 0, 0};
    if (!create_buffer(run, env->ctx, env->pool_bytes, &env->pool) ||
        !create_buffer(run, env->other, env->pool_bytes, &env->foreign) ||
        !create_buffer(run, env->ctx, 16, &env->small) ||
        !create_buffer(run, env->ctx, sizeof bad_labels, &env->bad_labels))
        return 0;
    lay_out_conv(env);
    lay_out_dense(env);
    lay_out_train(env);
    if (!ckt_expect(run, env->pool_used + POOL_SLACK <= env->pool_bytes, "the views need %zu bytes; the pool has %zu",
                    env->pool_used + POOL_SLACK, env->pool_bytes))
        return 0;
    return ckt_expect_ok(run, fill_pool(env), env->ctx, "fill the pool") &&
           ckt_expect_ok(run, ck_buffer_write(env->ctx, env->bad_labels, 0, bad_labels, sizeof bad_labels), env->ctx,
                         "write the bad labels");
}

void inv_env_destroy(inv_env *env) {
    ck_buffer_destroy(env->pool);
    ck_buffer_destroy(env->foreign);
    ck_buffer_destroy(env->small);
    ck_buffer_destroy(env->bad_labels);
    memset(env, 0, sizeof *env);
}

/* ------------------------------------------------------------------------ */
/* Edits                                                                      */
/* ------------------------------------------------------------------------ */

static ck_tensor with_dims(ck_tensor t, int32_t ndim, const int64_t *dims) {
    t.ndim = ndim;
    memset(t.dims, 0, sizeof t.dims);
    for (int32_t i = 0; i < ndim; i++) t.dims[i] = dims[i];
    return t;
}

ck_tensor inv_dims1(ck_tensor t, int64_t d0) { return with_dims(t, 1, &d0); }

ck_tensor inv_dims2(ck_tensor t, int64_t d0, int64_t d1) {
    const int64_t dims[2] = {d0, d1};
    return with_dims(t, 2, dims);
}

ck_tensor inv_dims3(ck_tensor t, int64_t d0, int64_t d1, int64_t d2) {
    const int64_t dims[3] = {d0, d1, d2};
    return with_dims(t, 3, dims);
}

ck_tensor inv_dims4(ck_tensor t, int64_t d0, int64_t d1, int64_t d2, int64_t d3) {
    const int64_t dims[4] = {d0, d1, d2, d3};
    return with_dims(t, 4, dims);
}

ck_tensor inv_dtype(ck_tensor t, ck_dtype dtype) {
    t.dtype = dtype;
    return t;
}

ck_tensor inv_overlapping(ck_tensor t, const ck_tensor *in, size_t shift) {
    t.buffer = in->buffer;
    t.offset = in->offset + shift;
    return t;
}

ck_tensor inv_foreign(const inv_env *env, ck_tensor t) {
    t.buffer = env->foreign;
    return t;
}

ck_tensor inv_no_buffer(ck_tensor t) {
    t.buffer = NULL;
    return t;
}

ck_tensor inv_on_small(const inv_env *env, ck_tensor t) {
    t.buffer = env->small;
    t.offset = 0;
    return t;
}
