/*
 * conv_gemm_backward_weights.c — conv backward-weights as im2col + sgemm,
 * split over the pool in column blocks (conv_tiling.h).
 *
 * Per group g and block of output columns:
 *     d_weight[g] (O/groups, K) += d_output[g] (O/groups, columns) x col (K, columns)^T.
 * Each worker sums its blocks into its own zeroed copy of d_weight; the
 * copies are then added in worker order, so for a fixed thread count the
 * result is bitwise reproducible. A block of several small images first
 * gathers their d_output rows side by side into scratch.
 */
#include "cpu/conv_algorithms.h"
#include "cpu/conv_epilogue.h"
#include "cpu/conv_tiling.h"
#include "cpu/cpu_gemm.h"
#include "cpu/cpu_ops.h"
#include "cpu/im2col.h"

#include <stdlib.h>
#include <string.h>

/* Fewest d_weight elements one worker sums in the final reduction. */
#define MIN_REDUCE_CHUNK 4096

typedef struct backward_weights_job {
    const ck_conv_geometry *g;
    ck_column_tiling tiling;
    int64_t in_per_group, out_per_group, col_rows, pixels, in_pixels;
    size_t weight_count; /* O * K */
    int pointwise, avx2;
    int32_t workers;
    const float *input, *d_output;
    float beta;
    float *d_weight;
    float *partials; /* per worker: a d_weight copy (weight_count), then col, then gathered d_output */
    size_t partial_stride;
    unsigned char *worked; /* per worker: nonzero when its copy holds a sum */
} backward_weights_job;

/* Adds group `group`'s product over output columns [first, last) of the column space into `d_weight`. */
static void accumulate_block(const backward_weights_job *j, int64_t group, int64_t first, int64_t last,
                             float *d_weight, float *col) {
    const ck_conv_geometry *g = j->g;
    const int64_t columns = last - first;
    const int64_t n_first = first / j->pixels;
    const float *a, *b;
    int64_t lda, ldb;
    if (j->tiling.pieces_per_image > 0) {
        const int64_t p_begin = first - n_first * j->pixels;
        const float *image = j->input + (n_first * g->in_channels + group * j->in_per_group) * j->in_pixels;
        a = j->d_output + (n_first * g->out_channels + group * j->out_per_group) * j->pixels + p_begin;
        lda = j->pixels;
        if (j->pointwise) {
            b = image + p_begin;
            ldb = j->in_pixels;
        } else {
            ck_im2col(g, image, j->in_per_group, p_begin, p_begin + columns, col, columns);
            b = col;
            ldb = columns;
        }
    } else {
        float *gathered = col + j->col_rows * j->tiling.max_columns;
        for (int64_t n = n_first; n < last / j->pixels; n++) {
            const int64_t offset = (n - n_first) * j->pixels;
            const float *image = j->input + (n * g->in_channels + group * j->in_per_group) * j->in_pixels;
            const float *d_out = j->d_output + (n * g->out_channels + group * j->out_per_group) * j->pixels;
            ck_im2col(g, image, j->in_per_group, 0, j->pixels, col + offset, columns);
            for (int64_t o = 0; o < j->out_per_group; o++)
                memcpy(gathered + o * columns + offset, d_out + o * j->pixels, (size_t)j->pixels * sizeof(float));
        }
        a = gathered;
        lda = columns;
        b = col;
        ldb = columns;
    }
    ck_sgemm(0, 1, j->out_per_group, j->col_rows, columns, 1.0f, a, lda, b, ldb, 1.0f,
             d_weight + group * j->out_per_group * j->col_rows, j->col_rows);
}

static void accumulate_blocks(void *context, size_t begin, size_t end, int32_t thread_index) {
    const backward_weights_job *j = context;
    float *partial = j->partials + (size_t)thread_index * j->partial_stride;
    memset(partial, 0, j->weight_count * sizeof(float));
    j->worked[thread_index] = 1;
    for (size_t t = begin; t < end; t++) {
        int64_t first, last;
        ck_column_tiling_block(&j->tiling, (int64_t)t % j->tiling.blocks, &first, &last);
        accumulate_block(j, (int64_t)t / j->tiling.blocks, first, last, partial, partial + j->weight_count);
    }
}

/* d_weight[begin, end) = sum of the workers' copies, in worker order, + beta * d_weight. */
static void reduce_partials(void *context, size_t begin, size_t end, int32_t thread_index) {
    (void)thread_index;
    const backward_weights_job *j = context;
    const size_t n = end - begin;
    float *out = j->d_weight + begin;
    int first = 1;
    for (int32_t w = 0; w < j->workers; w++) {
        if (!j->worked[w]) continue;
        const float *partial = j->partials + (size_t)w * j->partial_stride + begin;
        if (first)
            ck_conv_store_row(j->avx2, n, partial, 0.0f, j->beta, out);
        else
            ck_vec_axpy(j->avx2, n, 1.0f, partial, out);
        first = 0;
    }
}

ck_status ck_conv_gemm_backward_weights(ck_backend *backend, const char *op, const ck_conv_geometry *g,
                                        const float *input, const float *d_output, float beta, float *d_weight) {
    ck_status status = ck_conv_check_blas_sizes(backend, op, g);
    if (status != CK_OK) return status;
    ck_thread_pool *pool = ck_cpu(backend)->pool;
    const int32_t threads = ck_thread_pool_size(pool);
    backward_weights_job j = {
        .g = g, .in_per_group = ck_geom_in_per_group(g), .out_per_group = ck_geom_out_per_group(g),
        .col_rows = ck_geom_col_rows(g), .pixels = ck_geom_out_pixels(g), .in_pixels = ck_geom_in_pixels(g),
        .pointwise = ck_geom_is_pointwise(g), .avx2 = ck_cpu(backend)->has_avx2_fma, .workers = threads,
        .input = input, .d_output = d_output, .beta = beta, .d_weight = d_weight,
    };
    j.weight_count = (size_t)(g->out_channels * j.col_rows);
    const int64_t bytes_per_column = (j.col_rows + j.out_per_group) * (int64_t)sizeof(float);
    j.tiling = ck_column_tiling_plan(g->batch, j.pixels, g->groups, bytes_per_column,
                                     j.pointwise ? CK_CONV_BLOCK_BYTES : CK_CONV_PANEL_BYTES, threads);
    size_t scratch_floats = 0;
    if (j.tiling.pieces_per_image == 0)
        scratch_floats = (size_t)((j.col_rows + j.out_per_group) * j.tiling.max_columns);
    else if (!j.pointwise)
        scratch_floats = (size_t)(j.col_rows * j.tiling.max_columns);
    j.partials = ck_conv_scratch(threads, j.weight_count + scratch_floats, &j.partial_stride);
    j.worked = calloc((size_t)threads, 1);
    if (!j.partials || !j.worked) {
        free(j.partials);
        free(j.worked);
        return ck_set_error(backend->ctx, CK_ERR_OUT_OF_MEMORY,
                            "%s: cannot allocate %zu bytes of per-thread weight gradients and column scratch", op,
                            (j.weight_count + scratch_floats) * sizeof(float) * (size_t)threads);
    }
    ck_parallel_for(pool, (size_t)(g->groups * j.tiling.blocks), 1, accumulate_blocks, &j);
    ck_parallel_for(pool, j.weight_count, MIN_REDUCE_CHUNK, reduce_partials, &j);
    free(j.partials);
    free(j.worked);
    return CK_OK;
}
