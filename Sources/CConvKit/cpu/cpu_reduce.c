/*
 * cpu_reduce.c — sums over chosen axes (reduce_sum) and the bias gradient
 * (a sum over every axis but 1), in double precision.
 *
 * The input's axes are simplified first: size-1 axes dropped, neighbours that
 * are both reduced or both kept merged. What is left is a list of outer
 * groups, kept or reduced, and an inner run of L contiguous elements:
 *  - inner run reduced: every output is a sum of contiguous runs of L;
 *  - inner run kept: every block of L outputs sums whole rows of L elements
 *    (column sums, done in tiles of double accumulators).
 * Outputs (or blocks and tiles) are split over the thread pool; each is
 * summed by one thread in a fixed order, so results do not depend on the
 * thread count.
 */
#include "cpu/cpu_support.h"
#include "cpu/simd.h"

/* Columns one inner-kept work item accumulates (double accumulators on the stack). */
#define CK_REDUCE_TILE 256

typedef struct axis_group {
    size_t size, stride; /* stride in elements */
} axis_group;

typedef struct reduce_plan {
    axis_group kept[CK_MAX_DIMS], reduced[CK_MAX_DIMS];
    int n_kept, n_reduced;  /* outer groups */
    size_t inner;           /* L: contiguous elements of the innermost group */
    int inner_reduced;
    size_t outer_outputs;   /* product of the kept outer sizes */
    size_t combos;          /* product of the reduced outer sizes */
} reduce_plan;

/* Builds the plan for summing x (dims[0 .. ndim)) over the axes set in `mask`. */
static void plan_reduction(const int64_t *dims, int32_t ndim, uint32_t mask, reduce_plan *plan) {
    size_t size[CK_MAX_DIMS];
    int reduced[CK_MAX_DIMS];
    int groups = 0;
    for (int32_t d = 0; d < ndim; d++) {
        if (dims[d] == 1) continue;
        int is_reduced = (int)((mask >> d) & 1u);
        if (groups > 0 && reduced[groups - 1] == is_reduced) {
            size[groups - 1] *= (size_t)dims[d];
        } else {
            size[groups] = (size_t)dims[d];
            reduced[groups] = is_reduced;
            groups++;
        }
    }
    *plan = (reduce_plan){.inner = 1, .outer_outputs = 1, .combos = 1};
    if (groups == 0) return; /* one element: a copy */
    plan->inner = size[groups - 1];
    plan->inner_reduced = reduced[groups - 1];
    size_t stride = plan->inner;
    for (int g = groups - 2; g >= 0; g--) {
        axis_group group = {size[g], stride};
        stride *= size[g];
        if (reduced[g]) plan->reduced[plan->n_reduced++] = group;
        else plan->kept[plan->n_kept++] = group;
    }
    /* Collected innermost first: put them back in row-major order (outermost first). */
    for (int i = 0, j = plan->n_kept - 1; i < j; i++, j--) {
        axis_group t = plan->kept[i];
        plan->kept[i] = plan->kept[j];
        plan->kept[j] = t;
    }
    for (int i = 0, j = plan->n_reduced - 1; i < j; i++, j--) {
        axis_group t = plan->reduced[i];
        plan->reduced[i] = plan->reduced[j];
        plan->reduced[j] = t;
    }
    for (int i = 0; i < plan->n_kept; i++) plan->outer_outputs *= plan->kept[i].size;
    for (int i = 0; i < plan->n_reduced; i++) plan->combos *= plan->reduced[i].size;
}

/* Element offset of outer output block `j` (row-major over the kept groups). */
static size_t kept_offset(const reduce_plan *plan, size_t j) {
    size_t offset = 0;
    for (int g = plan->n_kept - 1; g >= 0; g--) {
        offset += (j % plan->kept[g].size) * plan->kept[g].stride;
        j /= plan->kept[g].size;
    }
    return offset;
}

/* Walks the reduced outer groups' index combinations in row-major order. */
typedef struct combo_walk {
    size_t index[CK_MAX_DIMS];
    size_t offset;
} combo_walk;

static void combo_next(const reduce_plan *plan, combo_walk *walk) {
    for (int g = plan->n_reduced - 1; g >= 0; g--) {
        walk->offset += plan->reduced[g].stride;
        if (++walk->index[g] < plan->reduced[g].size) return;
        walk->offset -= plan->reduced[g].size * plan->reduced[g].stride;
        walk->index[g] = 0;
    }
}

typedef struct reduce_job {
    const reduce_plan *plan;
    int avx2;
    const float *x;
    float beta;
    float *y;
    size_t tiles; /* inner-kept: tiles per block */
} reduce_job;

static float finish(double sum, float beta, const float *old) {
    return beta == 0.0f ? (float)sum : (float)(sum + (double)beta * (double)*old);
}

/* Inner run reduced: items are outputs. */
static void reduce_inner_runs(void *context, size_t begin, size_t end, int32_t thread_index) {
    (void)thread_index;
    const reduce_job *job = context;
    const reduce_plan *plan = job->plan;
    for (size_t j = begin; j < end; j++) {
        const float *base = job->x + kept_offset(plan, j);
        combo_walk walk = {{0}, 0};
        double sum = 0.0;
        for (size_t r = 0; r < plan->combos; r++, combo_next(plan, &walk))
            sum += ck_vec_sum(job->avx2, plan->inner, base + walk.offset);
        job->y[j] = finish(sum, job->beta, &job->y[j]);
    }
}

/* Inner run kept: items are (output block, column tile) pairs. */
static void reduce_columns(void *context, size_t begin, size_t end, int32_t thread_index) {
    (void)thread_index;
    const reduce_job *job = context;
    const reduce_plan *plan = job->plan;
    double acc[CK_REDUCE_TILE];
    for (size_t item = begin; item < end; item++) {
        size_t block = item / job->tiles, column = (item % job->tiles) * CK_REDUCE_TILE;
        size_t width = plan->inner - column < CK_REDUCE_TILE ? plan->inner - column : CK_REDUCE_TILE;
        const float *base = job->x + kept_offset(plan, block) + column;
        for (size_t i = 0; i < width; i++) acc[i] = 0.0;
        combo_walk walk = {{0}, 0};
        for (size_t r = 0; r < plan->combos; r++, combo_next(plan, &walk))
            ck_vec_accumulate_f64(job->avx2, width, base + walk.offset, acc);
        float *y = job->y + block * plan->inner + column;
        for (size_t i = 0; i < width; i++) y[i] = finish(acc[i], job->beta, &y[i]);
    }
}

/* y = sum of x over the axes in `mask` + beta * y; y holds the kept axes in order. */
static void reduce_sum(ck_backend *backend, const ck_tensor *x_tensor, uint32_t mask, float beta, float *y) {
    reduce_plan plan;
    plan_reduction(x_tensor->dims, x_tensor->ndim, mask, &plan);
    reduce_job job = {.plan = &plan, .avx2 = ck_cpu(backend)->has_avx2_fma, .x = ck_tensor_data(x_tensor),
                      .beta = beta, .y = y};
    size_t work_per_output = plan.combos * (plan.inner_reduced ? plan.inner : 1);
    if (plan.inner_reduced) {
        ck_parallel_for(ck_cpu(backend)->pool, plan.outer_outputs, ck_cpu_min_chunk(work_per_output),
                        reduce_inner_runs, &job);
    } else {
        job.tiles = (plan.inner + CK_REDUCE_TILE - 1) / CK_REDUCE_TILE;
        size_t tile_width = plan.inner < CK_REDUCE_TILE ? plan.inner : CK_REDUCE_TILE;
        ck_parallel_for(ck_cpu(backend)->pool, plan.outer_outputs * job.tiles,
                        ck_cpu_min_chunk(work_per_output * tile_width), reduce_columns, &job);
    }
}

ck_status ck_cpu_reduce_sum(ck_backend *backend, const ck_reduce_sum_args *args) {
    CK_CPU_REQUIRE_F32(backend, "reduce_sum", args->x, args->y);
    reduce_sum(backend, args->x, args->axes_mask, args->beta, ck_tensor_data(args->y));
    return CK_OK;
}

ck_status ck_cpu_bias_backward(ck_backend *backend, const ck_bias_backward_args *args) {
    CK_CPU_REQUIRE_F32(backend, "bias_backward", args->dy, args->dbias);
    uint32_t all_but_channels = ((1u << args->dy->ndim) - 1u) & ~2u;
    reduce_sum(backend, args->dy, all_but_channels, args->beta, ck_tensor_data(args->dbias));
    return CK_OK;
}
