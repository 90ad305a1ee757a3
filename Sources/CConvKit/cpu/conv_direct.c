/*
 * conv_direct.c — conv forward and backward-weights computed directly, for a
 * geometry with few input channels per group (ck_conv_direct_fits): there
 * im2col copies every input pixel KH * KW / (stride_h * stride_w) times into a
 * column matrix with a short K = (C/groups) * KH * KW, and copying it costs
 * as much as multiplying it (the ResNet stem, 3 channels 7x7 stride 2).
 *
 * Images go in chunks whose input planes x (n, c) (H, W), copied in parallel
 * into their padded column phases (conv_direct_kernels.h), fit PHASES_BYTES
 * (ck_conv_direct_fits requires one image to fit).
 * Per chunk,
 *   forward           y (n, o, oh, :) = the row kernel over the phases of
 *                     image n's group channels, weights packed per tile of
 *                     output channels (groups, tiles, K, CK_DIRECT_FORWARD_TILE);
 *                     split by image, group and band of output rows;
 *   backward-weights  sums (o, :) += dy (n, o) correlated with the phases over
 *                     the chunk's images and output rows, in double; split by
 *                     group and tile of output channels (each tile owns its
 *                     sums, so at most groups * tiles workers are busy), then
 *                     dw = sums + beta * dw. Every sum runs in one fixed
 *                     order, so results do not depend on the thread count.
 */
#include "cpu/conv_algorithms.h"
#include "cpu/conv_epilogue.h"
#include "cpu/conv_direct_kernels.h"
#include "cpu/conv_tiling.h"
#include "cpu/cpu_ops.h"
#include "cpu/depthwise_kernels.h"
#include "cpu/simd.h"

#include <stdlib.h>

#if CK_SIMD_X86

/*
 * Most input channels per group the direct kernels take: with more, the
 * im2col copy is small next to the product, and sgemm was as fast or faster.
 */
#define MAX_IN_CHANNELS 4

/*
 * Most scratch the phase planes of a chunk of images take, whatever the
 * batch; a geometry whose single image needs more (a huge image, or a
 * stride or dilation far beyond the input) runs im2col + sgemm instead.
 */
#define PHASES_BYTES ((int64_t)32 << 20)

/* Output rows per forward work item, before balancing. */
#define FORWARD_BAND_ROWS 8

/* Output pixels one backward-weights pass over the taps covers (keeps its d_output rows in L1). */
#define CORRELATE_BAND_PIXELS 512

/* The phase planes of one input channel. */
static ck_dw_plane phase_plane(const ck_conv_geometry *g) {
    ck_dw_plane p = {.out_h = g->out_h, .out_w = g->out_w, .kernel_h = g->kernel_h, .kernel_w = g->kernel_w,
                     .stride_h = g->stride_h, .stride_w = g->stride_w, .dilation_h = g->dilation_h,
                     .dilation_w = g->dilation_w};
    ck_dw_plane_size(&p);
    return p;
}

int ck_conv_direct_fits(const ck_conv_geometry *g, int avx2) {
    if (!avx2 || ck_geom_in_per_group(g) < 2 || ck_geom_in_per_group(g) > MAX_IN_CHANNELS) return 0;
    const ck_dw_plane p = phase_plane(g);
    return ck_dw_phases_fit(&p, PHASES_BYTES / (int64_t)sizeof(float) / g->in_channels);
}

typedef struct direct_job {
    const ck_conv_geometry *g;
    ck_dw_plane plane;
    int64_t plane_floats; /* one channel's phases */
    int64_t in_per_group, out_per_group, in_pixels, out_pixels;
    int64_t tiles; /* tiles of output channels per group */
    ck_direct_taps taps;
    int64_t chunk_images, n_begin, n_end; /* images per chunk; the current chunk's images */
    int64_t bands;                        /* forward: bands of output rows per image and group */
    const float *input, *bias, *d_output;
    const ck_conv2d_epilogue *epilogue; /* forward: the fused activation, or NULL */
    int avx2;
    float *packed; /* forward: weights (groups, tiles, K, CK_DIRECT_FORWARD_TILE) */
    float beta;
    float *output; /* forward: y; backward-weights: dw */
    float *phases; /* (chunk_images, C) phase sets */
    double *sums;  /* backward-weights: (groups, tiles, CK_DIRECT_CORRELATE_TILE, K), rows past a group's last unused */
} direct_job;

/* Input planes [begin, end) of the chunk, plane = (n - n_begin) * C + c. */
static void build_phases(void *context, size_t begin, size_t end, int32_t thread_index) {
    (void)thread_index;
    const direct_job *j = context;
    const ck_conv_geometry *g = j->g;
    for (size_t item = begin; item < end; item++)
        ck_dw_build_phases(&j->plane, j->input + (j->n_begin * g->in_channels + (int64_t)item) * j->in_pixels,
                           g->in_h, g->in_w, g->pad_top, g->pad_left, 1, 1,
                           j->phases + (int64_t)item * j->plane_floats);
}

/* Moves on to the next chunk of images and builds its phases; zero when all images are done. */
static int next_chunk(ck_thread_pool *pool, direct_job *j) {
    j->n_begin = j->n_end;
    if (j->n_begin >= j->g->batch) return 0;
    j->n_end = j->g->batch - j->n_begin < j->chunk_images ? j->g->batch : j->n_begin + j->chunk_images;
    ck_parallel_for(pool, (size_t)((j->n_end - j->n_begin) * j->g->in_channels), 1, build_phases, j);
    return 1;
}

/*
 * Sets up the phase scratch of a chunk, the tap offsets into the phases and
 * the count of `tile`-channel tiles; on failure frees what it allocated and
 * returns the error.
 */
static ck_status start_job(ck_backend *backend, const char *op, const ck_conv_geometry *g, const float *input,
                           int64_t tile, direct_job *j) {
    j->g = g;
    j->plane = phase_plane(g);
    j->plane_floats = ck_dw_phases_floats(&j->plane);
    j->in_per_group = ck_geom_in_per_group(g);
    j->out_per_group = ck_geom_out_per_group(g);
    j->tiles = (j->out_per_group + tile - 1) / tile;
    j->in_pixels = ck_geom_in_pixels(g);
    j->out_pixels = ck_geom_out_pixels(g);
    j->input = input;
    const int64_t image_bytes = g->in_channels * j->plane_floats * (int64_t)sizeof(float);
    j->chunk_images = PHASES_BYTES / image_bytes > 1 ? PHASES_BYTES / image_bytes : 1;
    const int64_t k = ck_geom_col_rows(g);
    int64_t *offset = malloc((size_t)k * sizeof *offset);
    size_t stride;
    j->phases = ck_conv_scratch(1, (size_t)(j->chunk_images * g->in_channels * j->plane_floats), &stride);
    if (!offset || !j->phases) {
        free(offset);
        free(j->phases);
        return ck_set_error(backend->ctx, CK_ERR_OUT_OF_MEMORY, "%s: cannot allocate the padded input planes", op);
    }
    const ck_dw_plane *p = &j->plane;
    for (int64_t c = 0; c < j->in_per_group; c++)
        for (int64_t kh = 0; kh < g->kernel_h; kh++)
            for (int64_t kw = 0; kw < g->kernel_w; kw++) {
                const int64_t column = kw * g->dilation_w;
                offset[(c * g->kernel_h + kh) * g->kernel_w + kw] =
                    c * j->plane_floats + (column % p->stride_w) * p->rows * p->cols +
                    kh * g->dilation_h * p->cols + column / p->stride_w;
            }
    j->taps = (ck_direct_taps){.count = k, .offset = offset, .row_step = p->stride_h * p->cols, .out_w = g->out_w};
    return CK_OK;
}

static void finish_job(direct_job *j) {
    free((void *)j->taps.offset);
    free(j->phases);
}

/* Work items [begin, end) of the chunk: item = ((n - n_begin) * groups + group) * bands + band of output rows. */
static void forward_items(void *context, size_t begin, size_t end, int32_t thread_index) {
    (void)thread_index;
    const direct_job *j = context;
    const ck_conv_geometry *g = j->g;
    const int64_t k = j->taps.count;
    for (size_t item = begin; item < end; item++) {
        const int64_t band = (int64_t)item % j->bands, image_group = (int64_t)item / j->bands;
        const int64_t chunk_n = image_group / g->groups, group = image_group % g->groups;
        const int64_t n = j->n_begin + chunk_n, o = group * j->out_per_group;
        const float *phases = j->phases + (chunk_n * g->in_channels + group * j->in_per_group) * j->plane_floats;
        for (int64_t oh = g->out_h * band / j->bands; oh < g->out_h * (band + 1) / j->bands; oh++) {
            float *row = j->output + (n * g->out_channels + o) * j->out_pixels + oh * g->out_w;
            ck_direct_forward_row(&j->taps, phases, j->packed + group * j->tiles * k * CK_DIRECT_FORWARD_TILE,
                                  j->out_per_group, oh, j->bias ? j->bias + o : NULL, j->beta, row, j->out_pixels);
            ck_conv_activate_rows(j->avx2, j->epilogue, row, j->out_pixels, j->out_per_group, g->out_w);
        }
    }
}

ck_status ck_conv_direct_forward(ck_backend *backend, const char *op, const ck_conv_geometry *g, const float *input,
                                 const float *weight, const float *bias, const ck_conv2d_epilogue *epilogue,
                                 float beta, float *output) {
    direct_job j = {.bias = bias, .epilogue = epilogue, .avx2 = ck_cpu(backend)->has_avx2_fma, .beta = beta,
                    .output = output};
    ck_status status = start_job(backend, op, g, input, CK_DIRECT_FORWARD_TILE, &j);
    if (status != CK_OK) return status;
    const int64_t k = j.taps.count, tiles_total = g->groups * j.tiles;
    j.packed = malloc((size_t)(tiles_total * k * CK_DIRECT_FORWARD_TILE) * sizeof(float));
    if (!j.packed) {
        finish_job(&j);
        return ck_set_error(backend->ctx, CK_ERR_OUT_OF_MEMORY, "%s: cannot allocate the packed weights", op);
    }
    for (int64_t tile = 0; tile < tiles_total; tile++)
        for (int64_t t = 0; t < k; t++)
            for (int64_t i = 0; i < CK_DIRECT_FORWARD_TILE; i++) {
                const int64_t in_group = tile % j.tiles * CK_DIRECT_FORWARD_TILE + i;
                const int64_t o = tile / j.tiles * j.out_per_group + in_group;
                j.packed[(tile * k + t) * CK_DIRECT_FORWARD_TILE + i] =
                    in_group < j.out_per_group ? weight[o * k + t] : 0.0f;
            }
    ck_thread_pool *pool = ck_cpu(backend)->pool;
    j.bands = ck_balanced_count((g->out_h + FORWARD_BAND_ROWS - 1) / FORWARD_BAND_ROWS, j.chunk_images * g->groups,
                                g->out_h, ck_thread_pool_size(pool));
    while (next_chunk(pool, &j))
        ck_parallel_for(pool, (size_t)((j.n_end - j.n_begin) * g->groups * j.bands), 1, forward_items, &j);
    free(j.packed);
    finish_job(&j);
    return CK_OK;
}

/* Work items [begin, end): item = group * tiles + tile of output channels, over the chunk's images. */
static void backward_weights_items(void *context, size_t begin, size_t end, int32_t thread_index) {
    (void)thread_index;
    const direct_job *j = context;
    const ck_conv_geometry *g = j->g;
    const int64_t k = j->taps.count;
    const int64_t band_rows = CORRELATE_BAND_PIXELS / g->out_w > 1 ? CORRELATE_BAND_PIXELS / g->out_w : 1;
    for (size_t item = begin; item < end; item++) {
        const int64_t group = (int64_t)item / j->tiles, tile = (int64_t)item % j->tiles;
        const int64_t o = group * j->out_per_group + tile * CK_DIRECT_CORRELATE_TILE;
        const int64_t left = j->out_per_group - tile * CK_DIRECT_CORRELATE_TILE;
        double *sums = j->sums + (int64_t)item * CK_DIRECT_CORRELATE_TILE * k;
        for (int64_t n = j->n_begin; n < j->n_end; n++) {
            const float *phases =
                j->phases + ((n - j->n_begin) * g->in_channels + group * j->in_per_group) * j->plane_floats;
            /* Channels past the group's last read the tile's first again; their sums are never read. */
            const float *d_out[CK_DIRECT_CORRELATE_TILE];
            for (int64_t i = 0; i < CK_DIRECT_CORRELATE_TILE; i++)
                d_out[i] = j->d_output + (n * g->out_channels + o + (i < left ? i : 0)) * j->out_pixels;
            for (int64_t oh = 0; oh < g->out_h; oh += band_rows)
                ck_direct_correlate_rows(&j->taps, phases, d_out, oh,
                                         oh + band_rows < g->out_h ? oh + band_rows : g->out_h, sums);
        }
    }
}

ck_status ck_conv_direct_backward_weights(ck_backend *backend, const char *op, const ck_conv_geometry *g,
                                          const float *input, const float *d_output, float beta, float *d_weight) {
    direct_job j = {.d_output = d_output, .beta = beta, .output = d_weight};
    ck_status status = start_job(backend, op, g, input, CK_DIRECT_CORRELATE_TILE, &j);
    if (status != CK_OK) return status;
    const int64_t k = j.taps.count;
    j.sums = calloc((size_t)(g->groups * j.tiles * CK_DIRECT_CORRELATE_TILE * k), sizeof(double));
    if (!j.sums) {
        finish_job(&j);
        return ck_set_error(backend->ctx, CK_ERR_OUT_OF_MEMORY, "%s: cannot allocate the weight-gradient sums", op);
    }
    ck_thread_pool *pool = ck_cpu(backend)->pool;
    while (next_chunk(pool, &j)) ck_parallel_for(pool, (size_t)(g->groups * j.tiles), 1, backward_weights_items, &j);
    for (int64_t o = 0; o < g->out_channels; o++) {
        const int64_t group = o / j.out_per_group, in_group = o % j.out_per_group;
        const double *sums = j.sums + (group * j.tiles * CK_DIRECT_CORRELATE_TILE + in_group) * k;
        float *dw = d_weight + o * k;
        for (int64_t t = 0; t < k; t++) dw[t] = beta == 0.0f ? (float)sums[t] : (float)sums[t] + beta * dw[t];
    }
    free(j.sums);
    finish_job(&j);
    return CK_OK;
}

#endif
