/*
 * im2col.c — building the column matrix of a convolution and scattering it
 * back (see im2col.h). Each matrix row is walked one output row at a time:
 * the span of output columns whose tap lands inside the input is copied (or
 * added) in one stretch, and the rest is padding. Spans are short (one
 * output row), so they are moved with inline loops (SSE on x86, which every
 * x86-64 has) rather than library calls, and no division runs per span.
 */
#include "cpu/im2col.h"

#include <string.h>

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#define HAVE_SSE 1
#else
#define HAVE_SSE 0
#endif

/*
 * Outputs o in [0, out) whose tap o * stride + offset lies in [0, in) form
 * the range [*first, *end) (empty when *first == *end).
 */
static void valid_outputs(int64_t in, int64_t out, int64_t stride, int64_t offset, int64_t *first, int64_t *end) {
    int64_t lo = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
    int64_t hi = in - offset <= 0 ? 0 : (in - offset - 1) / stride + 1;
    if (hi > out) hi = out;
    if (lo > hi) lo = hi;
    *first = lo;
    *end = hi;
}

static int64_t clamp(int64_t v, int64_t lo, int64_t hi) { return v < lo ? lo : v > hi ? hi : v; }

static void zero_span(float *dst, int64_t n) {
    int64_t i = 0;
#if HAVE_SSE
    for (; i + 4 <= n; i += 4) _mm_storeu_ps(dst + i, _mm_setzero_ps());
#endif
    for (; i < n; i++) dst[i] = 0.0f;
}

static void copy_span(float *dst, const float *src, int64_t n) {
    int64_t i = 0;
#if HAVE_SSE
    for (; i + 4 <= n; i += 4) _mm_storeu_ps(dst + i, _mm_loadu_ps(src + i));
#endif
    for (; i < n; i++) dst[i] = src[i];
}

static void add_span(float *dst, const float *src, int64_t n) {
    int64_t i = 0;
#if HAVE_SSE
    for (; i + 4 <= n; i += 4) _mm_storeu_ps(dst + i, _mm_add_ps(_mm_loadu_ps(dst + i), _mm_loadu_ps(src + i)));
#endif
    for (; i < n; i++) dst[i] += src[i];
}

typedef enum transfer_direction { GATHER_INTO_COL, SCATTER_ADD_FROM_COL } transfer_direction;

/* The output pixel range of a call: [p_begin, p_end), starting at output row oh0, column ow0. */
typedef struct pixel_range {
    int64_t p_begin, p_end, oh0, ow0;
} pixel_range;

/*
 * One matrix row (input channel `plane` (H, W), tap (kh, kw)) over the
 * range's output pixels: gathers into `row` or adds `row` back.
 */
static void transfer_row(const ck_conv_geometry *g, transfer_direction direction, float *plane, float *row,
                         int64_t kh, int64_t kw, const pixel_range *range) {
    const int64_t sw = g->stride_w;
    const int64_t row_offset = kh * g->dilation_h - g->pad_top;
    const int64_t col_offset = kw * g->dilation_w - g->pad_left;
    int64_t valid_first, valid_end;
    valid_outputs(g->in_w, g->out_w, sw, col_offset, &valid_first, &valid_end);
    int64_t ow = range->ow0;
    float *seg = row; /* seg[o - ow] is output column o of the current output row */
    for (int64_t oh = range->oh0, left = range->p_end - range->p_begin; left > 0; oh++, ow = 0) {
        const int64_t ow_end = ow + left < g->out_w ? ow + left : g->out_w;
        const int64_t ih = oh * g->stride_h + row_offset;
        const int64_t a = clamp(valid_first, ow, ow_end);
        const int64_t b = clamp(valid_end, a, ow_end);
        const int64_t n = (ih >= 0 && ih < g->in_h) ? b - a : 0;
        float *dst = seg + (a - ow);
        if (direction == GATHER_INTO_COL) {
            if (n == 0) {
                zero_span(seg, ow_end - ow);
            } else {
                zero_span(seg, a - ow);
                zero_span(dst + n, ow_end - b);
            }
        }
        if (n > 0) {
            float *src = plane + ih * g->in_w + (a * sw + col_offset); /* input of output column a */
            if (direction == GATHER_INTO_COL) {
                if (sw == 1) {
                    copy_span(dst, src, n);
                } else {
                    for (int64_t i = 0; i < n; i++) dst[i] = src[i * sw];
                }
            } else if (sw == 1) {
                add_span(src, dst, n);
            } else {
                for (int64_t i = 0; i < n; i++) src[i * sw] += dst[i];
            }
        }
        seg += ow_end - ow;
        left -= ow_end - ow;
    }
}

/*
 * When stride is 1 and the output is as wide as the input, output pixel p of
 * tap (kh, kw) reads input pixel p + shift: a matrix row is the plane shifted,
 * except for the columns that wrap around the left / right border.
 */
typedef struct shifted_row {
    int64_t shift;     /* input pixel - output pixel */
    int64_t lo, hi;    /* output pixels of the range whose input row exists and index lies in the plane */
    int64_t col_first, col_end; /* output columns whose input column exists */
} shifted_row;

static shifted_row describe_shifted_row(const ck_conv_geometry *g, int64_t kh, int64_t kw, const pixel_range *range) {
    const int64_t row_offset = kh * g->dilation_h - g->pad_top;
    const int64_t col_offset = kw * g->dilation_w - g->pad_left;
    const int64_t width = g->out_w, plane_size = ck_geom_in_pixels(g);
    shifted_row r = {.shift = row_offset * width + col_offset};
    int64_t lo = clamp(-row_offset, 0, g->out_h) * width, hi = clamp(g->in_h - row_offset, 0, g->out_h) * width;
    r.lo = clamp(lo > -r.shift ? lo : -r.shift, range->p_begin, range->p_end);
    r.hi = clamp(hi < plane_size - r.shift ? hi : plane_size - r.shift, r.lo, range->p_end);
    valid_outputs(g->in_w, g->out_w, 1, col_offset, &r.col_first, &r.col_end);
    return r;
}

/* transfer_row's gather for the shifted case: one copy, then the wrapped columns zeroed. */
static void gather_row_shifted(const ck_conv_geometry *g, const float *plane, float *row, int64_t kh, int64_t kw,
                               const pixel_range *range) {
    const shifted_row r = describe_shifted_row(g, kh, kw, range);
    const int64_t width = g->out_w, first = range->p_begin;
    zero_span(row, r.lo - first);
    if (r.hi > r.lo) memcpy(row + (r.lo - first), plane + r.lo + r.shift, (size_t)(r.hi - r.lo) * sizeof(float));
    zero_span(row + (r.hi - first), range->p_end - r.hi);
    if (r.col_first == 0 && r.col_end == width) return;
    for (int64_t start = r.lo / width * width; start < r.hi; start += width) {
        for (int64_t p = start; p < start + r.col_first; p++)
            if (p >= r.lo && p < r.hi) row[p - first] = 0.0f;
        for (int64_t p = start + r.col_end; p < start + width; p++)
            if (p >= r.lo && p < r.hi) row[p - first] = 0.0f;
    }
}

/* transfer_row's scatter for the shifted case: one add per output row, over its valid columns. */
static void scatter_row_shifted(const ck_conv_geometry *g, float *plane, const float *row, int64_t kh, int64_t kw,
                                const pixel_range *range) {
    const shifted_row r = describe_shifted_row(g, kh, kw, range);
    const int64_t width = g->out_w, first = range->p_begin;
    for (int64_t start = r.lo / width * width; start < r.hi; start += width) {
        const int64_t a = clamp(start + r.col_first, r.lo, r.hi), b = clamp(start + r.col_end, a, r.hi);
        add_span(plane + a + r.shift, row + (a - first), b - a);
    }
}

static void transfer(const ck_conv_geometry *g, transfer_direction direction, float *x, int64_t channels,
                     int64_t p_begin, int64_t p_end, float *col, int64_t ld_col) {
    const int64_t plane_size = ck_geom_in_pixels(g);
    pixel_range range = {.p_begin = p_begin, .p_end = p_end, .oh0 = p_begin / g->out_w};
    range.ow0 = p_begin - range.oh0 * g->out_w;
    const int shifted = g->stride_h == 1 && g->stride_w == 1 && g->out_w == g->in_w;
    for (int64_t ci = 0; ci < channels; ci++)
        for (int64_t kh = 0; kh < g->kernel_h; kh++)
            for (int64_t kw = 0; kw < g->kernel_w; kw++) {
                float *row = col + ((ci * g->kernel_h + kh) * g->kernel_w + kw) * ld_col;
                if (shifted && direction == GATHER_INTO_COL)
                    gather_row_shifted(g, x + ci * plane_size, row, kh, kw, &range);
                else if (shifted)
                    scatter_row_shifted(g, x + ci * plane_size, row, kh, kw, &range);
                else
                    transfer_row(g, direction, x + ci * plane_size, row, kh, kw, &range);
            }
}

void ck_im2col(const ck_conv_geometry *g, const float *x, int64_t channels, int64_t p_begin, int64_t p_end,
               float *col, int64_t ld_col) {
    /* The gather direction only reads through the plane pointer. */
    transfer(g, GATHER_INTO_COL, (float *)x, channels, p_begin, p_end, col, ld_col);
}

void ck_col2im_add(const ck_conv_geometry *g, const float *col, int64_t ld_col, int64_t channels, int64_t p_begin,
                   int64_t p_end, float *dx) {
    /* The scatter direction only reads through the row pointer. */
    transfer(g, SCATTER_ADD_FROM_COL, dx, channels, p_begin, p_end, (float *)col, ld_col);
}
