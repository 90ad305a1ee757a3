/*
 * cpu_elementwise.c — same-shape elementwise ops (add, mul, scale, axpy,
 * fill, copy) and the bias broadcast, split over the thread pool in
 * contiguous element ranges.
 */
#include "cpu/cpu_support.h"
#include "cpu/simd.h"

#include <string.h>

typedef enum elementwise_kind {
    ELEMENTWISE_AXPBY, /* y = alpha * a + beta * b */
    ELEMENTWISE_MUL,   /* y = a * b */
    ELEMENTWISE_SCALE, /* y = alpha * a */
    ELEMENTWISE_AXPY,  /* y += alpha * a */
    ELEMENTWISE_FILL,  /* y = alpha */
    ELEMENTWISE_COPY   /* y = a */
} elementwise_kind;

typedef struct elementwise_job {
    elementwise_kind kind;
    int avx2;
    float alpha, beta;
    const float *a, *b;
    float *y;
} elementwise_job;

static void elementwise_range(void *context, size_t begin, size_t end, int32_t thread_index) {
    (void)thread_index;
    const elementwise_job *job = context;
    size_t n = end - begin;
    float *y = job->y + begin;
    const float *a = job->a ? job->a + begin : NULL;
    switch (job->kind) {
    case ELEMENTWISE_AXPBY: ck_vec_axpby(job->avx2, n, job->alpha, a, job->beta, job->b + begin, y); break;
    case ELEMENTWISE_MUL: ck_vec_mul(job->avx2, n, a, job->b + begin, y); break;
    case ELEMENTWISE_SCALE: ck_vec_scale(job->avx2, n, job->alpha, a, y); break;
    case ELEMENTWISE_AXPY: ck_vec_axpy(job->avx2, n, job->alpha, a, y); break;
    case ELEMENTWISE_FILL: ck_vec_fill(job->avx2, n, job->alpha, y); break;
    case ELEMENTWISE_COPY: memcpy(y, a, n * sizeof *y); break;
    }
}

/** Runs `job` over the n elements of its arrays on the backend's pool. */
static ck_status run_elementwise(ck_backend *backend, elementwise_job *job, size_t n) {
    job->avx2 = ck_cpu(backend)->has_avx2_fma;
    ck_parallel_for(ck_cpu(backend)->pool, n, CK_CPU_MIN_ELEMENTS_PER_THREAD, elementwise_range, job);
    return CK_OK;
}

ck_status ck_cpu_add(ck_backend *backend, const ck_add_args *args) {
    CK_CPU_REQUIRE_F32(backend, "add", args->a, args->b, args->y);
    elementwise_job job = {.kind = ELEMENTWISE_AXPBY, .alpha = args->alpha, .beta = args->beta,
                           .a = ck_tensor_data(args->a), .b = ck_tensor_data(args->b), .y = ck_tensor_data(args->y)};
    return run_elementwise(backend, &job, ck_tensor_numel(args->y));
}

ck_status ck_cpu_mul(ck_backend *backend, const ck_mul_args *args) {
    CK_CPU_REQUIRE_F32(backend, "mul", args->a, args->b, args->y);
    elementwise_job job = {.kind = ELEMENTWISE_MUL, .a = ck_tensor_data(args->a), .b = ck_tensor_data(args->b),
                           .y = ck_tensor_data(args->y)};
    return run_elementwise(backend, &job, ck_tensor_numel(args->y));
}

ck_status ck_cpu_scale(ck_backend *backend, const ck_scale_args *args) {
    CK_CPU_REQUIRE_F32(backend, "scale", args->x, args->y);
    elementwise_job job = {.kind = ELEMENTWISE_SCALE, .alpha = args->alpha, .a = ck_tensor_data(args->x),
                           .y = ck_tensor_data(args->y)};
    return run_elementwise(backend, &job, ck_tensor_numel(args->y));
}

ck_status ck_cpu_axpy(ck_backend *backend, const ck_axpy_args *args) {
    CK_CPU_REQUIRE_F32(backend, "axpy", args->x, args->y);
    elementwise_job job = {.kind = ELEMENTWISE_AXPY, .alpha = args->alpha, .a = ck_tensor_data(args->x),
                           .y = ck_tensor_data(args->y)};
    return run_elementwise(backend, &job, ck_tensor_numel(args->y));
}

ck_status ck_cpu_fill(ck_backend *backend, const ck_fill_args *args) {
    CK_CPU_REQUIRE_F32(backend, "fill", args->y);
    elementwise_job job = {.kind = ELEMENTWISE_FILL, .alpha = args->value, .y = ck_tensor_data(args->y)};
    return run_elementwise(backend, &job, ck_tensor_numel(args->y));
}

ck_status ck_cpu_copy(ck_backend *backend, const ck_copy_args *args) {
    CK_CPU_REQUIRE_F32(backend, "copy", args->x, args->y);
    elementwise_job job = {.kind = ELEMENTWISE_COPY, .a = ck_tensor_data(args->x), .y = ck_tensor_data(args->y)};
    if (job.a == job.y) return CK_OK; /* exactly in place: nothing to move */
    return run_elementwise(backend, &job, ck_tensor_numel(args->y));
}

/* ------------------------------------------------------------------------ */
/* Bias broadcast along axis 1                                                */
/* ------------------------------------------------------------------------ */

typedef struct bias_add_job {
    int avx2;
    size_t channels, plane; /* x viewed as (outer, channels, plane) */
    const float *x, *bias;
    float *y;
} bias_add_job;

/* Items are planes (outer index * channels + channel) of `plane` elements. */
static void bias_add_planes(void *context, size_t begin, size_t end, int32_t thread_index) {
    (void)thread_index;
    const bias_add_job *job = context;
    for (size_t p = begin; p < end; p++)
        ck_vec_add_scalar(job->avx2, job->plane, job->x + p * job->plane, job->bias[p % job->channels],
                          job->y + p * job->plane);
}

/* Items are rows of (N, C) when there is no plane: y_row = x_row + bias. */
static void bias_add_rows(void *context, size_t begin, size_t end, int32_t thread_index) {
    (void)thread_index;
    const bias_add_job *job = context;
    for (size_t r = begin; r < end; r++)
        ck_vec_axpby(job->avx2, job->channels, 1.0f, job->x + r * job->channels, 1.0f, job->bias,
                     job->y + r * job->channels);
}

ck_status ck_cpu_bias_add(ck_backend *backend, const ck_bias_add_args *args) {
    CK_CPU_REQUIRE_F32(backend, "bias_add", args->x, args->bias, args->y);
    const ck_tensor *x = args->x;
    size_t plane = 1;
    for (int32_t d = 2; d < x->ndim; d++) plane *= (size_t)x->dims[d];
    bias_add_job job = {.avx2 = ck_cpu(backend)->has_avx2_fma, .channels = (size_t)x->dims[1], .plane = plane,
                        .x = ck_tensor_data(x), .bias = ck_tensor_data(args->bias), .y = ck_tensor_data(args->y)};
    size_t outer = (size_t)x->dims[0];
    if (plane == 1)
        ck_parallel_for(ck_cpu(backend)->pool, outer, ck_cpu_min_chunk(job.channels), bias_add_rows, &job);
    else
        ck_parallel_for(ck_cpu(backend)->pool, outer * job.channels, ck_cpu_min_chunk(plane), bias_add_planes, &job);
    return CK_OK;
}
