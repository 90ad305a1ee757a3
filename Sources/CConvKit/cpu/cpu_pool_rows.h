/*
 * cpu_pool_rows.h — the row kernels pooling is built from.
 *
 * A pooling window is a rectangle of row taps times column taps, so one
 * output row is computed in two passes over a scratch row t:
 *  1. vertical: t[j] = max or sum, over the window's input rows, of column j;
 *  2. horizontal: y[o] = max or sum of t[o * stride + k * dilation], k < kernel.
 * Max is NaN-propagating (a NaN anywhere in the window gives NaN).
 */
#ifndef CK_CPU_POOL_ROWS_H
#define CK_CPU_POOL_ROWS_H

#include "convkit.h"

#include <stddef.h>
#include <stdint.h>

/** Extra floats the caller allocates after a scratch row: the AVX2 horizontal pass may load (not use) them. */
#define CK_POOL_ROW_SLACK 16

/**
 * out[j] = max (CK_POOL_MAX) or sum (CK_POOL_AVG) of rows[r][j] over
 * r < count (count >= 1), for j < n.
 */
void ck_pool_rows_vertical(int avx2, ck_pool_mode mode, const float *const *rows, int count, size_t n, float *out);

/**
 * y[o] for o < n_out from the scratch row t (which holds at least
 * (n_out - 1) * stride + (kernel - 1) * dilation + 1 floats, then
 * CK_POOL_ROW_SLACK more): max, or sum divided by row_divisor * col_divisor[o].
 */
void ck_pool_row_horizontal(int avx2, ck_pool_mode mode, const float *t, size_t n_out, int kernel, int stride,
                            int dilation, float row_divisor, const float *col_divisor, float *y);

/*
 * Max pooling's gradient routing in the same two passes (cpu_pool_argmax.c).
 * The winner of a window is its first maximum in row-major order: the
 * largest value, then the smallest row, then the smallest column. NaNs are
 * not handled here: the vertical pass reports them and the caller then
 * routes that output row tap by tap.
 */

/**
 * out[j] = max of rows[r][j] over r < count (count >= 1) and arg[j] = the
 * first r reaching it, for j < n. Returns nonzero when any value is NaN.
 */
int ck_pool_rows_vertical_argmax(int avx2, const float *const *rows, int count, size_t n, float *out, int32_t *arg);

/**
 * For o < n_out, the winning tap of the window t[o * stride + k * dilation],
 * k < kernel, of column maxima t and their rows arg (both with
 * CK_POOL_ROW_SLACK readable elements after the last tap): win_row[o] =
 * arg of the winner, win_tap[o] = its k.
 */
void ck_pool_row_horizontal_argmax(int avx2, const float *t, const int32_t *arg, size_t n_out, int kernel, int stride,
                                   int dilation, int32_t *win_row, int32_t *win_tap);

#endif
