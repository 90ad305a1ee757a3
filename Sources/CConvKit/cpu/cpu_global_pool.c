/*
 * cpu_global_pool.c — global max / average pooling: x (N, C, H, W) -> y
 * (N, C, 1, 1), and its gradient, one plane per item on the thread pool.
 * Max is NaN-propagating and routes the gradient like pool2d (first maximum,
 * or the last NaN); the average sums in double.
 */
#include "cpu/cpu_support.h"
#include "cpu/simd.h"

#include <string.h>

typedef struct global_pool_job {
    ck_pool_mode mode;
    int avx2;
    size_t plane; /* H * W */
    const float *x, *dy;
    float *y, *dx;
    float beta;
} global_pool_job;

static void forward_planes(void *context, size_t begin, size_t end, int32_t thread_index) {
    (void)thread_index;
    const global_pool_job *job = context;
    for (size_t p = begin; p < end; p++) {
        const float *x = job->x + p * job->plane;
        job->y[p] = job->mode == CK_POOL_MAX ? ck_vec_max(job->avx2, job->plane, x)
                                             : (float)(ck_vec_sum(job->avx2, job->plane, x) / (double)job->plane);
    }
}

static void backward_planes(void *context, size_t begin, size_t end, int32_t thread_index) {
    (void)thread_index;
    const global_pool_job *job = context;
    for (size_t p = begin; p < end; p++) {
        float *dx = job->dx + p * job->plane;
        if (job->mode == CK_POOL_MAX) {
            if (job->beta == 0.0f) memset(dx, 0, job->plane * sizeof *dx);
            else ck_vec_scale(job->avx2, job->plane, job->beta, dx, dx);
            dx[ck_vec_argmax(job->plane, job->x + p * job->plane)] += job->dy[p];
        } else {
            float g = (float)((double)job->dy[p] / (double)job->plane);
            if (job->beta == 0.0f) {
                ck_vec_fill(job->avx2, job->plane, g, dx);
            } else {
                ck_vec_scale(job->avx2, job->plane, job->beta, dx, dx);
                ck_vec_add_scalar(job->avx2, job->plane, dx, g, dx);
            }
        }
    }
}

ck_status ck_cpu_global_pool2d_forward(ck_backend *backend, const ck_global_pool2d_forward_args *args) {
    CK_CPU_REQUIRE_F32(backend, "global_pool2d_forward", args->x, args->y);
    const ck_tensor *x = args->x;
    global_pool_job job = {.mode = args->mode, .avx2 = ck_cpu(backend)->has_avx2_fma,
                           .plane = (size_t)(x->dims[2] * x->dims[3]), .x = ck_tensor_data(x),
                           .y = ck_tensor_data(args->y)};
    size_t planes = (size_t)(x->dims[0] * x->dims[1]);
    ck_parallel_for(ck_cpu(backend)->pool, planes, ck_cpu_min_chunk(job.plane), forward_planes, &job);
    return CK_OK;
}

ck_status ck_cpu_global_pool2d_backward(ck_backend *backend, const ck_global_pool2d_backward_args *args) {
    CK_CPU_REQUIRE_F32(backend, "global_pool2d_backward", args->x, args->dy, args->dx);
    const ck_tensor *x = args->x;
    global_pool_job job = {.mode = args->mode, .avx2 = ck_cpu(backend)->has_avx2_fma,
                           .plane = (size_t)(x->dims[2] * x->dims[3]), .x = ck_tensor_data(x),
                           .dy = ck_tensor_data(args->dy), .dx = ck_tensor_data(args->dx), .beta = args->beta};
    size_t planes = (size_t)(x->dims[0] * x->dims[1]);
    ck_parallel_for(ck_cpu(backend)->pool, planes, ck_cpu_min_chunk(job.plane), backward_planes, &job);
    return CK_OK;
}
