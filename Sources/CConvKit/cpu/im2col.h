/*
 * im2col.h — the column matrix of a convolution (see conv_geometry.h) and
 * its adjoint.
 *
 * For one image and a block of `channels` consecutive input channels, the
 * column matrix has channels * KH * KW rows, row (ci, kh, kw) holding, for
 * each output pixel p = oh * OW + ow, the input value that tap reads (zero in
 * the padding). A conv output is then weight (O/groups, rows) x columns.
 * Both functions work on a range [p_begin, p_end) of output pixels, so the
 * matrix can be built in column blocks; `ld_col` is the row stride of `col`.
 */
#ifndef CK_CPU_IM2COL_H
#define CK_CPU_IM2COL_H

#include "cpu/conv_geometry.h"

/**
 * col (channels * KH * KW, p_end - p_begin), row stride ld_col, from
 * x (channels, H, W): the input channels of the block, contiguous.
 */
void ck_im2col(const ck_conv_geometry *g, const float *x, int64_t channels, int64_t p_begin, int64_t p_end,
               float *col, int64_t ld_col);

/**
 * The adjoint of ck_im2col: adds every column entry into the input pixel it
 * was read from, dx (channels, H, W) += scatter(col). Entries that read
 * padding are dropped.
 */
void ck_col2im_add(const ck_conv_geometry *g, const float *col, int64_t ld_col, int64_t channels, int64_t p_begin,
                   int64_t p_end, float *dx);

#endif
