/*
 * conv_tiling.h — how the CPU backend splits a convolution's output pixels
 * into blocks for its workers.
 *
 * The output pixels of all images, image after image, form one column space
 * of N * OH * OW columns per group. A tiling cuts it into blocks that each
 * worker turns into one column matrix and one sgemm: large images into equal
 * pieces (a block never spans two images), small images into runs of whole
 * images (so the sgemm stays wide). Block sizes keep a worker's scratch
 * under a budget, and the block count is chosen so that the pool's static
 * chunks get equal work.
 */
#ifndef CK_CPU_CONV_TILING_H
#define CK_CPU_CONV_TILING_H

#include "core/backend.h"
#include "cpu/conv_geometry.h"

#include <stdint.h>

/** Scratch one worker aims to use for the column block it works on. */
#define CK_CONV_BLOCK_BYTES ((int64_t)4 << 20)

/**
 * The smaller budget of a block that holds an im2col panel: sgemm packs the
 * panel right after im2col writes it, and more of a panel this size is still
 * in the core's L2 (1 MiB on the Zen 4 measured). On the ResNet 3x3 layers it
 * took 5-10% less CPU time than CK_CONV_BLOCK_BYTES; 1 MiB blocks made the
 * sgemm calls too narrow to gain more. A pointwise conv has no panel and
 * keeps CK_CONV_BLOCK_BYTES (halving its blocks was slower).
 */
#define CK_CONV_PANEL_BYTES ((int64_t)2 << 20)

typedef struct ck_column_tiling {
    int64_t images, pixels;  /* N, OH * OW */
    int64_t blocks;          /* blocks per group */
    int64_t pieces_per_image; /* > 0: each image in this many blocks; 0: runs of whole images */
    int64_t max_columns;     /* widest block */
} ck_column_tiling;

/**
 * Plans the blocks of `images` images of `pixels` output pixels, for a conv
 * with `groups` groups whose block scratch costs `bytes_per_column` per
 * column, within `budget_bytes` of scratch per block, on `threads` workers.
 */
ck_column_tiling ck_column_tiling_plan(int64_t images, int64_t pixels, int64_t groups, int64_t bytes_per_column,
                                       int64_t budget_bytes, int32_t threads);

/** The columns [*begin, *end) of the column space that block b (< blocks) covers. */
void ck_column_tiling_block(const ck_column_tiling *t, int64_t b, int64_t *begin, int64_t *end);

/**
 * A count of work units near `count` that splits multiplier * count items
 * evenly enough over `threads` workers: `count` itself when there are many
 * items per worker, else the smallest count in [count, min(cap, count +
 * threads - 1)] for which multiplier * count is a multiple of `threads`
 * (or `count` if there is none).
 */
int64_t ck_balanced_count(int64_t count, int64_t multiplier, int64_t cap, int32_t threads);

/**
 * CK_OK when the matrices of geometry g (O/groups, (C/groups) * KH * KW,
 * OH * OW, H * W) fit OpenBLAS's int sizes; else CK_ERR_UNSUPPORTED with a
 * message under `op`.
 */
ck_status ck_conv_check_blas_sizes(ck_backend *backend, const char *op, const ck_conv_geometry *g);

#endif
