/*
 * cpu_permute.c — permute (a transpose of any axes) on the CPU: y's elements
 * in order, row by row of the innermost merged group (core/permute_plan.h),
 * rows split over the thread pool. Values are moved, never computed.
 */
#include "core/permute_plan.h"
#include "cpu/cpu_support.h"

#include <string.h>

typedef struct permute_job {
    ck_permute_plan plan; /* at least one group */
    const float *x;
    float *y;
} permute_job;

static void permute_rows(void *context, size_t begin, size_t end, int32_t thread_index) {
    (void)thread_index;
    const permute_job *job = context;
    const ck_permute_plan *plan = &job->plan;
    int32_t inner = plan->groups - 1;
    size_t row_length = (size_t)plan->size[inner], step = (size_t)plan->stride[inner];
    for (size_t row = begin; row < end; row++) {
        size_t rest = row, source = 0;
        for (int32_t g = inner - 1; g >= 0; g--) {
            source += (rest % (size_t)plan->size[g]) * (size_t)plan->stride[g];
            rest /= (size_t)plan->size[g];
        }
        float *out = job->y + row * row_length;
        const float *in = job->x + source;
        if (step == 1) {
            memcpy(out, in, row_length * sizeof(float));
        } else {
            for (size_t i = 0; i < row_length; i++) out[i] = in[i * step];
        }
    }
}

ck_status ck_cpu_permute(ck_backend *backend, const ck_permute_args *args) {
    CK_CPU_REQUIRE_F32(backend, "permute", args->x, args->y);
    permute_job job = {ck_permute_plan_make(args->perm, args->x), ck_tensor_data(args->x), ck_tensor_data(args->y)};
    if (job.plan.groups == 0) { /* one element */
        job.y[0] = job.x[0];
        return CK_OK;
    }
    size_t row_length = (size_t)job.plan.size[job.plan.groups - 1];
    size_t rows = ck_tensor_numel(args->y) / row_length;
    ck_parallel_for(ck_cpu(backend)->pool, rows, ck_cpu_min_chunk(row_length), permute_rows, &job);
    return CK_OK;
}
