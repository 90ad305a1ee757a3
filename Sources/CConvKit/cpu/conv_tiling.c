/*
 * conv_tiling.c — splitting a convolution's output columns into blocks (see
 * conv_tiling.h), the size limits of its sgemm calls and its scratch memory.
 */
#include "cpu/conv_tiling.h"
#include "cpu/conv_algorithms.h"
#include "cpu/cpu_gemm.h"

#include <stdlib.h>

/* Below this many output pixels per image, blocks take several whole images (sgemm is slow when narrow). */
#define MERGE_BELOW_PIXELS 256

/* Narrowest block the scratch budget may force. */
#define MIN_BLOCK_COLUMNS 64

/* With this many items per worker, an uneven split costs little. */
#define BALANCED_ENOUGH 16

static int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

int64_t ck_balanced_count(int64_t count, int64_t multiplier, int64_t cap, int32_t threads) {
    if (multiplier * count >= BALANCED_ENOUGH * (int64_t)threads) return count;
    for (int64_t c = count; c < count + threads && c <= cap; c++)
        if ((multiplier * c) % threads == 0) return c;
    return count;
}

ck_column_tiling ck_column_tiling_plan(int64_t images, int64_t pixels, int64_t groups, int64_t bytes_per_column,
                                       int64_t budget_bytes, int32_t threads) {
    ck_column_tiling t = {.images = images, .pixels = pixels};
    int64_t budget_columns = budget_bytes / (bytes_per_column > 0 ? bytes_per_column : 1);
    if (budget_columns < MIN_BLOCK_COLUMNS) budget_columns = MIN_BLOCK_COLUMNS;
    if (pixels < MERGE_BELOW_PIXELS && images > 1) {
        int64_t target = budget_columns < MERGE_BELOW_PIXELS ? budget_columns : MERGE_BELOW_PIXELS;
        int64_t per_block = target / pixels > 1 ? target / pixels : 1;
        int64_t blocks = ck_balanced_count(ceil_div(images, per_block), groups, images, threads);
        if (blocks < images) {
            t.blocks = blocks;
            t.pieces_per_image = 0;
            t.max_columns = ceil_div(images, blocks) * pixels;
            return t;
        }
    }
    int64_t pieces = ck_balanced_count(ceil_div(pixels, budget_columns), images * groups, pixels, threads);
    t.pieces_per_image = pieces;
    t.blocks = images * pieces;
    t.max_columns = ceil_div(pixels, pieces);
    return t;
}

void ck_column_tiling_block(const ck_column_tiling *t, int64_t b, int64_t *begin, int64_t *end) {
    if (t->pieces_per_image > 0) {
        int64_t image = b / t->pieces_per_image, piece = b % t->pieces_per_image;
        *begin = image * t->pixels + t->pixels * piece / t->pieces_per_image;
        *end = image * t->pixels + t->pixels * (piece + 1) / t->pieces_per_image;
    } else {
        *begin = t->images * b / t->blocks * t->pixels;
        *end = t->images * (b + 1) / t->blocks * t->pixels;
    }
}

ck_status ck_conv_check_blas_sizes(ck_backend *backend, const char *op, const ck_conv_geometry *g) {
    if (ck_fits_blas_int(ck_geom_out_per_group(g)) && ck_fits_blas_int(ck_geom_col_rows(g)) &&
        ck_fits_blas_int(ck_geom_out_pixels(g)) && ck_fits_blas_int(ck_geom_in_pixels(g)) &&
        ck_fits_blas_int(ck_geom_out_per_group(g) * ck_geom_col_rows(g)))
        return CK_OK;
    return ck_set_error(backend->ctx, CK_ERR_UNSUPPORTED,
                        "%s: the cpu backend's matrices for this shape exceed 2^31-1 elements per side "
                        "(output pixels %lld, input pixels %lld, column rows %lld)",
                        op, (long long)ck_geom_out_pixels(g), (long long)ck_geom_in_pixels(g),
                        (long long)ck_geom_col_rows(g));
}

float *ck_conv_scratch(int32_t threads, size_t floats_per_thread, size_t *stride) {
    const size_t align_floats = 64 / sizeof(float);
    size_t slice = (floats_per_thread + align_floats - 1) / align_floats * align_floats;
    if (slice == 0) slice = align_floats;
    if (threads < 1 || slice > SIZE_MAX / sizeof(float) / (size_t)threads) return NULL;
    *stride = slice;
    return aligned_alloc(64, slice * sizeof(float) * (size_t)threads);
}
