/*
 * conv_gemm_forward.c — conv forward as im2col + sgemm, split over the pool
 * in column blocks (conv_tiling.h).
 *
 * Per group g and block of output columns:
 *     output[g] (O/groups, columns) = weight[g] (O/groups, K) x col (K, columns),
 * K = (C/groups) * KH * KW. A block inside one image writes the output in
 * place (row stride OH * OW), its bias written first so the sgemm adds onto
 * it; a pointwise conv (1x1, stride 1, no padding) skips im2col since the
 * input already is the column matrix. A block of several small images goes
 * through a scratch product that is then copied image by image.
 */
#include "cpu/conv_algorithms.h"
#include "cpu/conv_epilogue.h"
#include "cpu/conv_tiling.h"
#include "cpu/cpu_gemm.h"
#include "cpu/cpu_ops.h"
#include "cpu/im2col.h"

#include <stdlib.h>

typedef struct forward_job {
    const ck_conv_geometry *g;
    ck_column_tiling tiling;
    int64_t in_per_group, out_per_group, col_rows, pixels, in_pixels;
    int pointwise, avx2;
    const float *input, *weight, *bias;
    const ck_conv2d_epilogue *epilogue;
    float beta;
    float *output;
    float *scratch; /* per worker: col (col_rows, max_columns), then product (out_per_group, max_columns) */
    size_t scratch_stride;
} forward_job;

/* Output columns [p_begin, p_end) of image n, group `group`, written in place. */
static void forward_in_place(const forward_job *j, int64_t group, int64_t n, int64_t p_begin, int64_t p_end,
                             float *col) {
    const ck_conv_geometry *g = j->g;
    const int64_t columns = p_end - p_begin;
    const float *image = j->input + (n * g->in_channels + group * j->in_per_group) * j->in_pixels;
    const float *b = image + p_begin;
    int64_t ldb = j->pixels;
    if (!j->pointwise) {
        ck_im2col(g, image, j->in_per_group, p_begin, p_end, col, columns);
        b = col;
        ldb = columns;
    }
    float *c = j->output + (n * g->out_channels + group * j->out_per_group) * j->pixels + p_begin;
    const float *bias = j->bias ? j->bias + group * j->out_per_group : NULL;
    float gemm_beta = ck_conv_prepare_block(j->avx2, c, j->pixels, j->out_per_group, columns, bias, j->beta);
    ck_sgemm(0, 0, j->out_per_group, columns, j->col_rows, 1.0f, j->weight + group * j->out_per_group * j->col_rows,
             j->col_rows, b, ldb, gemm_beta, c, j->pixels);
    ck_conv_activate_rows(j->avx2, j->epilogue, c, j->pixels, j->out_per_group, columns);
}

/* Whole images [n_begin, n_end) of group `group` in one sgemm through the scratch product. */
static void forward_images(const forward_job *j, int64_t group, int64_t n_begin, int64_t n_end, float *col) {
    const ck_conv_geometry *g = j->g;
    const int64_t columns = (n_end - n_begin) * j->pixels;
    float *product = col + j->col_rows * j->tiling.max_columns;
    for (int64_t n = n_begin; n < n_end; n++) {
        const float *image = j->input + (n * g->in_channels + group * j->in_per_group) * j->in_pixels;
        ck_im2col(g, image, j->in_per_group, 0, j->pixels, col + (n - n_begin) * j->pixels, columns);
    }
    ck_sgemm(0, 0, j->out_per_group, columns, j->col_rows, 1.0f, j->weight + group * j->out_per_group * j->col_rows,
             j->col_rows, col, columns, 0.0f, product, columns);
    for (int64_t n = n_begin; n < n_end; n++)
        for (int64_t o = 0; o < j->out_per_group; o++) {
            const int64_t channel = group * j->out_per_group + o;
            float *row = j->output + (n * g->out_channels + channel) * j->pixels;
            ck_conv_store_row(j->avx2, (size_t)j->pixels, product + o * columns + (n - n_begin) * j->pixels,
                              j->bias ? j->bias[channel] : 0.0f, j->beta, row);
            ck_conv_activate_rows(j->avx2, j->epilogue, row, j->pixels, 1, j->pixels);
        }
}

/* Blocks [begin, end) of all groups, block = group * blocks_per_group + block in group. */
static void forward_blocks(void *context, size_t begin, size_t end, int32_t thread_index) {
    const forward_job *j = context;
    float *col = j->scratch ? j->scratch + (size_t)thread_index * j->scratch_stride : NULL;
    for (size_t t = begin; t < end; t++) {
        const int64_t group = (int64_t)t / j->tiling.blocks;
        int64_t first, last;
        ck_column_tiling_block(&j->tiling, (int64_t)t % j->tiling.blocks, &first, &last);
        const int64_t n = first / j->pixels;
        if (j->tiling.pieces_per_image > 0)
            forward_in_place(j, group, n, first - n * j->pixels, last - n * j->pixels, col);
        else
            forward_images(j, group, n, last / j->pixels, col);
    }
}

ck_status ck_conv_gemm_forward(ck_backend *backend, const char *op, const ck_conv_geometry *g, const float *input,
                               const float *weight, const float *bias, const ck_conv2d_epilogue *epilogue, float beta,
                               float *output) {
    ck_status status = ck_conv_check_blas_sizes(backend, op, g);
    if (status != CK_OK) return status;
    ck_thread_pool *pool = ck_cpu(backend)->pool;
    const int32_t threads = ck_thread_pool_size(pool);
    forward_job j = {
        .g = g, .in_per_group = ck_geom_in_per_group(g), .out_per_group = ck_geom_out_per_group(g),
        .col_rows = ck_geom_col_rows(g), .pixels = ck_geom_out_pixels(g), .in_pixels = ck_geom_in_pixels(g),
        .pointwise = ck_geom_is_pointwise(g), .avx2 = ck_cpu(backend)->has_avx2_fma,
        .input = input, .weight = weight, .bias = bias, .epilogue = epilogue, .beta = beta, .output = output,
    };
    const int64_t bytes_per_column = (j.col_rows + j.out_per_group) * (int64_t)sizeof(float);
    j.tiling = ck_column_tiling_plan(g->batch, j.pixels, g->groups, bytes_per_column,
                                     j.pointwise ? CK_CONV_BLOCK_BYTES : CK_CONV_PANEL_BYTES, threads);
    size_t scratch_floats = 0;
    if (j.tiling.pieces_per_image == 0)
        scratch_floats = (size_t)((j.col_rows + j.out_per_group) * j.tiling.max_columns);
    else if (!j.pointwise)
        scratch_floats = (size_t)(j.col_rows * j.tiling.max_columns);
    if (scratch_floats > 0) {
        j.scratch = ck_conv_scratch(threads, scratch_floats, &j.scratch_stride);
        if (!j.scratch)
            return ck_set_error(backend->ctx, CK_ERR_OUT_OF_MEMORY, "%s: cannot allocate %zu bytes of column scratch",
                                op, scratch_floats * sizeof(float) * (size_t)threads);
    }
    ck_parallel_for(pool, (size_t)(g->groups * j.tiling.blocks), 1, forward_blocks, &j);
    free(j.scratch);
    return CK_OK;
}
