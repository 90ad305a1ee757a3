/*
 * cpu_pool.c — max and average pooling, forward and backward, PyTorch-exact:
 * per-side padding, dilation, ceil mode, count_include_pad, divisor_override.
 *
 * x, dx: (N, C, H, W); y, dy: (N, C, OH, OW). Along each axis, output o's
 * window taps the input at o * stride - pad_begin + k * dilation, k < kernel.
 * Max: taps outside the input never win (padding is -inf); a NaN wins; the
 * gradient goes to the first maximum in row-major window order (or, with
 * NaNs, to the last NaN: PyTorch's `val > max || isnan(val)` rule).
 * Average: the sum of the taps inside the input divided by divisor_override
 * when > 0, else by the number of taps inside the padded input
 * [-pad_begin, in + pad_end) (count_include_pad) or inside the input.
 *
 * Forward splits output rows over the pool (each row: a vertical pass over
 * the window's input rows into a scratch row, then a horizontal pass, see
 * cpu_pool_rows.h). Backward splits planes, each scattering into its own dx
 * plane in output order, so the accumulation order is fixed. Max backward
 * finds the winners with the same two passes (cpu_pool_argmax.c); windows
 * cut by the left / right border, and rows holding a NaN, go tap by tap.
 */
#include "cpu/cpu_pool_rows.h"
#include "cpu/cpu_support.h"
#include "cpu/simd.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct pool_axis {
    int64_t in, out, kernel, stride, dilation, pad_begin, pad_end;
} pool_axis;

/* One output position along one axis: its window's taps inside the input and its divisor factor. */
typedef struct axis_window {
    int64_t first_input; /* input index of the first tap inside the input */
    int64_t taps;        /* taps inside the input, 0 ... kernel */
    float divisor;       /* average pooling: this axis' factor of the divisor */
} axis_window;

/*
 * Fills windows[o] for every output o of axis `a`. The divisor factor is the
 * number of taps inside the padded input [-pad_begin, in + pad_end) with
 * count_include_pad, else inside the input; `override` (> 0) replaces it.
 */
static void describe_windows(const pool_axis *a, int count_include_pad, float override, axis_window *windows) {
    for (int64_t o = 0; o < a->out; o++) {
        int64_t start = o * a->stride - a->pad_begin;
        int64_t first_k = start >= 0 ? 0 : (-start + a->dilation - 1) / a->dilation;
        int64_t last_k = a->in - 1 - start < 0 ? -1 : (a->in - 1 - start) / a->dilation;
        if (last_k > a->kernel - 1) last_k = a->kernel - 1;
        int64_t taps = last_k >= first_k ? last_k - first_k + 1 : 0;
        int64_t last_padded = (a->in + a->pad_end - 1 - start) / a->dilation; /* windows start inside the padding */
        int64_t padded_taps = last_padded < a->kernel - 1 ? last_padded + 1 : a->kernel;
        windows[o].first_input = start + first_k * a->dilation;
        windows[o].taps = taps;
        windows[o].divisor = override > 0.0f ? override : (float)(count_include_pad ? padded_taps : taps);
    }
}

typedef struct pool_job {
    const ck_pool2d_params *params;
    pool_axis h, w;
    int avx2;
    size_t row_width;         /* scratch floats one output row's horizontal pass reads */
    size_t scratch_stride;    /* floats of scratch per thread */
    float *scratch;           /* row_width (+ slack) floats per thread */
    const float **rows;       /* rows_per_thread row pointers per thread */
    size_t rows_per_thread;   /* min(kernel_h, H): a window has no more rows inside the input */
    axis_window *row_windows; /* (OH); a divisor_override goes into the row factor */
    axis_window *col_windows; /* (OW) */
    float *col_divisor;       /* (OW): col_windows[ow].divisor, contiguous for vector loads */
    int32_t *winners;         /* max backward, per thread: rows of column maxima, then winning rows and taps */
    size_t winners_stride;    /* int32 of `winners` per thread */
    int64_t interior_begin, interior_end; /* outputs [begin, end) whose windows lie inside the input's width */
    const float *x, *dy;
    float *y, *dx;
    float beta;
} pool_job;

/* Input columns [lo, hi) - pad_left of the scratch row that hold input (the rest is padding). */
static void input_span(const pool_job *job, size_t *lo, size_t *hi) {
    size_t end = (size_t)(job->w.pad_begin + job->w.in);
    *lo = (size_t)job->w.pad_begin; /* < row_width: padding is smaller than the window */
    *hi = end < job->row_width ? end : job->row_width;
}

/*
 * Scratch row of output row oh: t[j] for input column j - pad_left,
 * j < row_width: the max / sum over the window's input rows, padding
 * (-inf / 0) outside the input.
 */
static void fill_row(const pool_job *job, const float *x_plane, int64_t oh, float *t, const float **rows) {
    const axis_window *window = &job->row_windows[oh];
    float pad = job->params->mode == CK_POOL_MAX ? -INFINITY : 0.0f;
    size_t lo, hi;
    input_span(job, &lo, &hi);
    for (int64_t r = 0; r < window->taps; r++)
        rows[r] = x_plane + (window->first_input + r * job->h.dilation) * job->w.in;
    for (size_t j = 0; j < lo; j++) t[j] = pad;
    if (window->taps > 0) ck_pool_rows_vertical(job->avx2, job->params->mode, rows, (int)window->taps, hi - lo, t + lo);
    else
        for (size_t j = lo; j < hi; j++) t[j] = pad;
    for (size_t j = hi; j < job->row_width; j++) t[j] = pad;
}

/* Output rows ahead whose input rows are prefetched: the hardware prefetcher alone leaves the loops waiting. */
#define CK_POOL_PREFETCH_ROWS 2

/* Asks the cache for the input rows the window of output row oh of x_plane reads. */
static void prefetch_window_rows(const pool_job *job, const float *x_plane, size_t oh) {
    const axis_window *window = &job->row_windows[oh];
    size_t bytes = (size_t)job->w.in * sizeof(float);
    for (int64_t r = 0; r < window->taps; r++) {
        const char *row = (const char *)(x_plane + (window->first_input + r * job->h.dilation) * job->w.in);
        for (size_t b = 0; b < bytes; b += 64) CK_PREFETCH(row + b);
    }
}

/* Items: output rows (plane * OH + oh). */
static void forward_rows(void *context, size_t begin, size_t end, int32_t thread_index) {
    const pool_job *job = context;
    const ck_pool2d_params *p = job->params;
    float *t = job->scratch + (size_t)thread_index * job->scratch_stride;
    const float **rows = job->rows + (size_t)thread_index * job->rows_per_thread;
    size_t oh_count = (size_t)job->h.out, ow_count = (size_t)job->w.out, plane_size = (size_t)(job->h.in * job->w.in);
    size_t plane = begin / oh_count, oh = begin % oh_count;
    for (size_t item = begin; item < end; item++) {
        if (oh + CK_POOL_PREFETCH_ROWS < oh_count)
            prefetch_window_rows(job, job->x + plane * plane_size, oh + CK_POOL_PREFETCH_ROWS);
        fill_row(job, job->x + plane * plane_size, (int64_t)oh, t, rows);
        ck_pool_row_horizontal(job->avx2, p->mode, t, ow_count, p->kernel_w, p->stride_w, p->dilation_w,
                               job->row_windows[oh].divisor, job->col_divisor, job->y + item * ow_count);
        if (++oh == oh_count) {
            oh = 0;
            plane++;
        }
    }
}

/* dx plane = beta * dx plane, or zeros (old contents unread) when beta == 0. */
static void start_gradient_plane(const pool_job *job, float *dx_plane, size_t n) {
    if (job->beta == 0.0f) memset(dx_plane, 0, n * sizeof *dx_plane);
    else ck_vec_scale(job->avx2, n, job->beta, dx_plane, dx_plane);
}

/* Index in the plane of the input element max pooling routes output (row, col)'s gradient to, tap by tap. */
static int64_t window_argmax(const pool_job *job, const float *x, const axis_window *row, const axis_window *col) {
    int64_t width = job->w.in, row_step = job->h.dilation * width, col_step = job->w.dilation;
    int64_t best = row->first_input * width + col->first_input;
    float best_value = x[best];
    int64_t row_start = best;
    for (int64_t r = 0; r < row->taps; r++, row_start += row_step) {
        int64_t index = row_start;
        for (int64_t c = 0; c < col->taps; c++, index += col_step) {
            float v = x[index];
            int take = (v > best_value) | (v != v); /* branch-free: random data defeats prediction */
            best_value = take ? v : best_value;
            best = take ? index : best;
        }
    }
    return best;
}

/* dx[winner of window (row, ow)] += g, tap by tap (windows with no tap inside the input have none). */
static void route_window(const pool_job *job, const float *x, const axis_window *row, int64_t ow, float g, float *dx) {
    const axis_window *col = &job->col_windows[ow];
    if (col->taps > 0) dx[window_argmax(job, x, row, col)] += g;
}

/*
 * Adds output row oh's gradients dy_row (OW) to dx, each at its window's
 * winner. Windows inside the input's width are resolved by the row passes
 * (column maxima, then the winning column); border windows, and every window
 * of a row holding a NaN, tap by tap.
 */
static void route_row(const pool_job *job, const float *x, int64_t oh, const float *dy_row, float *dx, float *t,
                      int32_t *winners, const float **rows) {
    const axis_window *row = &job->row_windows[oh];
    const ck_pool2d_params *p = job->params;
    int32_t *column_rows = winners; /* row_width + slack, then OW winning rows, then OW winning taps */
    int32_t *win_row = winners + job->row_width + CK_POOL_ROW_SLACK, *win_tap = win_row + job->w.out;
    size_t lo, hi;
    input_span(job, &lo, &hi);
    for (int64_t r = 0; r < row->taps; r++) rows[r] = x + (row->first_input + r * job->h.dilation) * job->w.in;
    int64_t begin = job->interior_begin, end = job->interior_end;
    if (ck_pool_rows_vertical_argmax(job->avx2, rows, (int)row->taps, hi - lo, t + lo, column_rows + lo)) end = begin;
    if (end > begin) {
        size_t first_tap = (size_t)(begin * p->stride_w); /* scratch column of the first interior window */
        ck_pool_row_horizontal_argmax(job->avx2, t + first_tap, column_rows + first_tap, (size_t)(end - begin),
                                      p->kernel_w, p->stride_w, p->dilation_w, win_row, win_tap);
    }
    for (int64_t ow = 0; ow < begin; ow++) route_window(job, x, row, ow, dy_row[ow], dx);
    int64_t width = job->w.in, row_step = job->h.dilation * width, tap_step = job->w.dilation;
    int64_t window_start = row->first_input * width + begin * p->stride_w - job->w.pad_begin;
    for (int64_t i = 0; i < end - begin; i++, window_start += p->stride_w)
        dx[window_start + win_row[i] * row_step + win_tap[i] * tap_step] += dy_row[begin + i];
    for (int64_t ow = end; ow < job->w.out; ow++) route_window(job, x, row, ow, dy_row[ow], dx);
}

/* Items: planes. Each output's gradient goes to its window's winning input element, in output order. */
static void max_backward_planes(void *context, size_t begin, size_t end, int32_t thread_index) {
    const pool_job *job = context;
    float *t = job->scratch + (size_t)thread_index * job->scratch_stride;
    int32_t *winners = job->winners + (size_t)thread_index * job->winners_stride;
    const float **rows = job->rows + (size_t)thread_index * job->rows_per_thread;
    size_t plane_size = (size_t)(job->h.in * job->w.in), out_size = (size_t)(job->h.out * job->w.out);
    for (size_t plane = begin; plane < end; plane++) {
        const float *x = job->x + plane * plane_size, *dy = job->dy + plane * out_size;
        float *dx = job->dx + plane * plane_size;
        start_gradient_plane(job, dx, plane_size);
        for (int64_t oh = 0; oh < job->h.out; oh++) {
            if (oh + CK_POOL_PREFETCH_ROWS < job->h.out) prefetch_window_rows(job, x, (size_t)oh + CK_POOL_PREFETCH_ROWS);
            if (job->row_windows[oh].taps > 0) route_row(job, x, oh, dy + oh * job->w.out, dx, t, winners, rows);
        }
    }
}

/* Items: planes. Per output row: spread dy / divisor over a scratch row, then add it to the window's input rows. */
static void avg_backward_planes(void *context, size_t begin, size_t end, int32_t thread_index) {
    const pool_job *job = context;
    const ck_pool2d_params *p = job->params;
    float *t = job->scratch + (size_t)thread_index * job->scratch_stride;
    size_t plane_size = (size_t)(job->h.in * job->w.in), out_size = (size_t)(job->h.out * job->w.out);
    size_t lo, hi;
    input_span(job, &lo, &hi);
    for (size_t plane = begin; plane < end; plane++) {
        const float *dy = job->dy + plane * out_size;
        float *dx = job->dx + plane * plane_size;
        start_gradient_plane(job, dx, plane_size);
        for (int64_t oh = 0; oh < job->h.out; oh++) {
            const axis_window *row = &job->row_windows[oh];
            if (row->taps == 0) continue;
            memset(t, 0, job->row_width * sizeof *t);
            for (int64_t ow = 0; ow < job->w.out; ow++) {
                float g = dy[oh * job->w.out + ow] / (row->divisor * job->col_divisor[ow]);
                float *taps = t + ow * p->stride_w;
                for (int64_t k = 0; k < p->kernel_w; k++) taps[k * p->dilation_w] += g;
            }
            for (int64_t r = 0; r < row->taps; r++)
                ck_vec_axpy(job->avx2, hi - lo, 1.0f, t + lo,
                            dx + (row->first_input + r * job->h.dilation) * job->w.in);
        }
    }
}

static void release(pool_job *job) {
    free(job->scratch);
    free(job->rows);
    free(job->row_windows);
    free(job->col_windows);
    free(job->col_divisor);
    free(job->winners);
}

/*
 * The widest scratch row pooling takes, in floats, for an input `in` wide: a
 * row grows with the kernel, stride and dilation, so windows far wider than
 * the input would make it huge for a small input. Such pooling is refused.
 */
static size_t max_row_width(int64_t in) { return 4 * (size_t)in + 4096; }

/*
 * Fills the geometry and allocates scratch; CK_ERR_OUT_OF_MEMORY (message
 * set) on failure, CK_ERR_UNSUPPORTED when the scratch row would be wider
 * than max_row_width.
 */
static ck_status prepare(ck_backend *backend, const ck_pool2d_params *p, const ck_tensor *x, const int64_t *out_dims,
                         int with_winners, pool_job *job) {
    *job = (pool_job){.params = p, .avx2 = ck_cpu(backend)->has_avx2_fma};
    job->h = (pool_axis){x->dims[2], out_dims[2], p->kernel_h, p->stride_h, p->dilation_h, p->pad_top, p->pad_bottom};
    job->w = (pool_axis){x->dims[3], out_dims[3], p->kernel_w, p->stride_w, p->dilation_w, p->pad_left, p->pad_right};
    job->row_width = (size_t)((job->w.out - 1) * job->w.stride + (job->w.kernel - 1) * job->w.dilation + 1);
    if (job->row_width > max_row_width(job->w.in))
        return ck_set_error(backend->ctx, CK_ERR_UNSUPPORTED,
                            "pool2d: windows this far apart or this wide (kernel_w %d, stride_w %d, dilation_w %d) "
                            "need a %zu-float scratch row for an input %lld wide; the cpu backend takes at most %zu",
                            (int)p->kernel_w, (int)p->stride_w, (int)p->dilation_w, job->row_width,
                            (long long)job->w.in, max_row_width(job->w.in));
    job->scratch_stride = (job->row_width + CK_POOL_ROW_SLACK + 15) & ~(size_t)15; /* 64-byte multiples */
    job->rows_per_thread = (size_t)(p->kernel_h < x->dims[2] ? p->kernel_h : x->dims[2]);
    size_t threads = (size_t)ck_thread_pool_size(ck_cpu(backend)->pool);
    size_t oh = (size_t)job->h.out, ow = (size_t)job->w.out;
    job->scratch = calloc(threads * job->scratch_stride, sizeof *job->scratch);
    job->rows = malloc(threads * job->rows_per_thread * sizeof *job->rows);
    job->row_windows = malloc(oh * sizeof *job->row_windows);
    job->col_windows = malloc(ow * sizeof *job->col_windows);
    job->col_divisor = malloc(ow * sizeof *job->col_divisor);
    if (with_winners) {
        job->winners_stride = (job->row_width + CK_POOL_ROW_SLACK + 2 * ow + 15) & ~(size_t)15;
        job->winners = calloc(threads * job->winners_stride, sizeof *job->winners);
    }
    if (!job->scratch || !job->rows || !job->row_windows || !job->col_windows || !job->col_divisor ||
        (with_winners && !job->winners)) {
        release(job);
        return ck_set_error(backend->ctx, CK_ERR_OUT_OF_MEMORY, "pool2d: cannot allocate %zu bytes of scratch",
                            threads * job->scratch_stride * sizeof(float));
    }
    float override = p->divisor_override > 0 ? (float)p->divisor_override : 0.0f;
    describe_windows(&job->h, p->count_include_pad, override, job->row_windows);
    describe_windows(&job->w, p->count_include_pad, override > 0.0f ? 1.0f : 0.0f, job->col_windows);
    for (size_t o = 0; o < ow; o++) job->col_divisor[o] = job->col_windows[o].divisor;
    job->interior_begin = job->interior_end = 0;
    for (int64_t o = 0; o < job->w.out; o++) /* the full windows form one run */
        if (job->col_windows[o].taps == job->w.kernel) {
            if (job->interior_end == 0) job->interior_begin = o;
            job->interior_end = o + 1;
        }
    return CK_OK;
}

ck_status ck_cpu_pool2d_forward(ck_backend *backend, const ck_pool2d_forward_args *args) {
    CK_CPU_REQUIRE_F32(backend, "pool2d_forward", args->x, args->y);
    pool_job job;
    ck_status status = prepare(backend, args->params, args->x, args->y->dims, 0, &job);
    if (status != CK_OK) return status;
    job.x = ck_tensor_data(args->x);
    job.y = ck_tensor_data(args->y);
    size_t rows = (size_t)(args->y->dims[0] * args->y->dims[1] * args->y->dims[2]);
    size_t work_per_row = (size_t)(job.h.kernel * job.w.in + job.w.out * job.w.kernel);
    ck_parallel_for(ck_cpu(backend)->pool, rows, ck_cpu_min_chunk(work_per_row), forward_rows, &job);
    release(&job);
    return CK_OK;
}

ck_status ck_cpu_pool2d_backward(ck_backend *backend, const ck_pool2d_backward_args *args) {
    CK_CPU_REQUIRE_F32(backend, "pool2d_backward", args->x, args->dy, args->dx);
    pool_job job;
    ck_status status = prepare(backend, args->params, args->x, args->dy->dims,
                               args->params->mode == CK_POOL_MAX, &job);
    if (status != CK_OK) return status;
    job.x = ck_tensor_data(args->x);
    job.dy = ck_tensor_data(args->dy);
    job.dx = ck_tensor_data(args->dx);
    job.beta = args->beta;
    size_t planes = (size_t)(args->x->dims[0] * args->x->dims[1]);
    size_t work_per_plane = (size_t)(job.h.in * job.w.in + job.h.out * job.w.out * job.h.kernel * job.w.kernel);
    ck_parallel_for(ck_cpu(backend)->pool, planes, ck_cpu_min_chunk(work_per_plane),
                    args->params->mode == CK_POOL_MAX ? max_backward_planes : avg_backward_planes, &job);
    release(&job);
    return CK_OK;
}
