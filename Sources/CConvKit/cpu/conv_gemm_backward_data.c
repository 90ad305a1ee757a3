/*
 * conv_gemm_backward_data.c — conv backward-data as sgemm + col2im, split
 * over the pool by image, group and block of input channels.
 *
 * Per image, group g and block of input channels (rows of weight[g] along K):
 *     col (rows, columns) = weight[g][:, rows]^T x d_output[g] (O/groups, columns),
 *     d_input += col2im(col),
 * column block after column block, so that the scratch stays bounded. A
 * block of input channels only touches its own planes of d_input, so the
 * workers never write the same memory. The planes are first set to
 * bias + beta * old (or zero). A pointwise conv (1x1, stride 1, no padding)
 * has col == d_input and runs one sgemm straight into it.
 */
#include "cpu/conv_algorithms.h"
#include "cpu/conv_epilogue.h"
#include "cpu/conv_tiling.h"
#include "cpu/cpu_gemm.h"
#include "cpu/cpu_ops.h"
#include "cpu/im2col.h"

#include <stdlib.h>

/* Narrowest column block the scratch budget may force. */
#define MIN_COLUMNS 64

typedef struct backward_data_job {
    const ck_conv_geometry *g;
    int64_t in_per_group, out_per_group, col_rows, taps, pixels, in_pixels;
    int64_t channel_blocks; /* blocks of input channels per group */
    int64_t block_columns;  /* output columns per sgemm */
    int pointwise, avx2;
    const float *weight, *d_output, *bias;
    float beta;
    float *d_input;
    float *scratch; /* per worker: col (rows of the widest channel block, block_columns) */
    size_t scratch_stride;
} backward_data_job;

/* Input channels [c_begin, c_end) of group `group` in image n. */
static void backward_data_block(const backward_data_job *j, int64_t n, int64_t group, int64_t c_begin,
                                int64_t c_end, float *col) {
    const ck_conv_geometry *g = j->g;
    const int64_t channel0 = group * j->in_per_group + c_begin;
    const int64_t rows = (c_end - c_begin) * j->taps;
    const float *a = j->weight + group * j->out_per_group * j->col_rows + c_begin * j->taps; /* (O/g, rows), ld K */
    const float *d_out = j->d_output + (n * g->out_channels + group * j->out_per_group) * j->pixels;
    float *d_in = j->d_input + (n * g->in_channels + channel0) * j->in_pixels;
    const float *bias = j->bias ? j->bias + channel0 : NULL;
    if (j->pointwise) {
        float gemm_beta = ck_conv_prepare_block(j->avx2, d_in, j->in_pixels, rows, j->in_pixels, bias, j->beta);
        ck_sgemm(1, 0, rows, j->pixels, j->out_per_group, 1.0f, a, j->col_rows, d_out, j->pixels, gemm_beta, d_in,
                 j->in_pixels);
        return;
    }
    for (int64_t c = 0; c < c_end - c_begin; c++)
        ck_conv_store_row(j->avx2, (size_t)j->in_pixels, NULL, bias ? bias[c] : 0.0f, j->beta,
                          d_in + c * j->in_pixels);
    for (int64_t p = 0; p < j->pixels; p += j->block_columns) {
        const int64_t columns = j->pixels - p < j->block_columns ? j->pixels - p : j->block_columns;
        ck_sgemm(1, 0, rows, columns, j->out_per_group, 1.0f, a, j->col_rows, d_out + p, j->pixels, 0.0f, col,
                 columns);
        ck_col2im_add(g, col, columns, c_end - c_begin, p, p + columns, d_in);
    }
}

/* Work items [begin, end): item = (n * groups + group) * channel_blocks + channel block. */
static void backward_data_items(void *context, size_t begin, size_t end, int32_t thread_index) {
    const backward_data_job *j = context;
    float *col = j->scratch ? j->scratch + (size_t)thread_index * j->scratch_stride : NULL;
    for (size_t t = begin; t < end; t++) {
        const int64_t block = (int64_t)t % j->channel_blocks;
        const int64_t image_group = (int64_t)t / j->channel_blocks;
        const int64_t c_begin = j->in_per_group * block / j->channel_blocks;
        const int64_t c_end = j->in_per_group * (block + 1) / j->channel_blocks;
        backward_data_block(j, image_group / j->g->groups, image_group % j->g->groups, c_begin, c_end, col);
    }
}

ck_status ck_conv_gemm_backward_data(ck_backend *backend, const char *op, const ck_conv_geometry *g,
                                     const float *weight, const float *d_output, const float *bias, float beta,
                                     float *d_input) {
    ck_status status = ck_conv_check_blas_sizes(backend, op, g);
    if (status != CK_OK) return status;
    ck_thread_pool *pool = ck_cpu(backend)->pool;
    const int32_t threads = ck_thread_pool_size(pool);
    backward_data_job j = {
        .g = g, .in_per_group = ck_geom_in_per_group(g), .out_per_group = ck_geom_out_per_group(g),
        .col_rows = ck_geom_col_rows(g), .taps = ck_geom_taps(g), .pixels = ck_geom_out_pixels(g),
        .in_pixels = ck_geom_in_pixels(g), .pointwise = ck_geom_is_pointwise(g),
        .avx2 = ck_cpu(backend)->has_avx2_fma, .weight = weight, .d_output = d_output, .bias = bias, .beta = beta,
        .d_input = d_input,
    };
    const int64_t images_groups = g->batch * g->groups;
    j.channel_blocks = ck_balanced_count(1, images_groups, j.in_per_group, threads);
    if (!j.pointwise) {
        const int64_t rows = (j.in_per_group + j.channel_blocks - 1) / j.channel_blocks * j.taps;
        int64_t columns = CK_CONV_BLOCK_BYTES / (rows * (int64_t)sizeof(float));
        if (columns < MIN_COLUMNS) columns = MIN_COLUMNS;
        j.block_columns = columns < j.pixels ? columns : j.pixels;
        size_t floats = (size_t)(rows * j.block_columns);
        j.scratch = ck_conv_scratch(threads, floats, &j.scratch_stride);
        if (!j.scratch)
            return ck_set_error(backend->ctx, CK_ERR_OUT_OF_MEMORY, "%s: cannot allocate %zu bytes of column scratch",
                                op, floats * sizeof(float) * (size_t)threads);
    }
    ck_parallel_for(pool, (size_t)(images_groups * j.channel_blocks), 1, backward_data_items, &j);
    free(j.scratch);
    return CK_OK;
}
