/*
 * ref_pool.c — max and average pooling (forward, backward) and global pooling
 * of the reference backend, PyTorch's rules.
 *
 * x, dx: (N, C, H, W); y, dy: (N, C, OH, OW) (global: (N, C, 1, 1)). Along
 * each axis, tap k of output o sits at input position
 *     o * stride - pad_begin + k * dilation,   k = 0 ... kernel-1,
 * which may lie in the padding.
 *  - Max: padding never wins (it is -inf). Taps are scanned row-major over the
 *    window, starting from -inf, and a tap is taken when it is greater than
 *    the best so far or NaN (PyTorch's `val > max || isnan(val)`): the value
 *    is the maximum, NaN when the window holds a NaN, and the gradient goes
 *    to the first maximum (with NaNs: the last NaN). A window with no tap
 *    inside the input gives -inf and routes no gradient.
 *  - Average: the sum of the taps inside the input divided by
 *    divisor_override when > 0, else by the number of taps inside the padded
 *    input [-pad_begin, in + pad_end) when count_include_pad, else by the
 *    number of taps inside the input (so a dilated window with no tap inside
 *    the input averages to 0 / 0 = NaN in that mode).
 */
#include "reference/reference_ops.h"
#include "reference/ref_tensor.h"

#include <math.h>

typedef struct pool_axis {
    int64_t in, out, kernel, stride, pad_begin, pad_end, dilation;
} pool_axis;

static pool_axis height_axis(const ck_pool2d_params *p, const ck_tensor *x, const ck_tensor *y) {
    pool_axis a = {x->dims[2], y->dims[2], p->kernel_h, p->stride_h, p->pad_top, p->pad_bottom, p->dilation_h};
    return a;
}

static pool_axis width_axis(const ck_pool2d_params *p, const ck_tensor *x, const ck_tensor *y) {
    pool_axis a = {x->dims[3], y->dims[3], p->kernel_w, p->stride_w, p->pad_left, p->pad_right, p->dilation_w};
    return a;
}

static int64_t tap_position(const pool_axis *a, int64_t o, int64_t k) {
    return o * a->stride - a->pad_begin + k * a->dilation;
}

static int inside_input(const pool_axis *a, int64_t position) { return position >= 0 && position < a->in; }

static int inside_padded_input(const pool_axis *a, int64_t position) {
    return position >= -a->pad_begin && position < a->in + a->pad_end;
}

/*
 * Max over the window of output (oh, ow) in one (H, W) plane: *value gets
 * the maximum (-inf when no tap is inside the input); returns the plane
 * index of the winning tap, or -1 when there is none.
 */
static int64_t window_max(const double *plane, const pool_axis *ah, const pool_axis *aw, int64_t oh, int64_t ow,
                          double *value) {
    double best = -INFINITY;
    int64_t best_index = -1;
    for (int64_t kh = 0; kh < ah->kernel; kh++) {
        int64_t ih = tap_position(ah, oh, kh);
        if (!inside_input(ah, ih)) continue;
        for (int64_t kw = 0; kw < aw->kernel; kw++) {
            int64_t iw = tap_position(aw, ow, kw);
            if (!inside_input(aw, iw)) continue;
            double v = plane[ih * aw->in + iw];
            if (best_index < 0 || v > best || isnan(v)) {
                best = v;
                best_index = ih * aw->in + iw;
            }
        }
    }
    *value = best;
    return best_index;
}

/* Taps of one axis' window that lie inside the input (or, with padded != 0, inside the padded input). */
static int64_t count_taps(const pool_axis *a, int64_t o, int padded) {
    int64_t taps = 0;
    for (int64_t k = 0; k < a->kernel; k++) {
        int64_t position = tap_position(a, o, k);
        taps += padded ? inside_padded_input(a, position) : inside_input(a, position);
    }
    return taps;
}

/* The average divisor of output (oh, ow). */
static double window_divisor(const ck_pool2d_params *p, const pool_axis *ah, const pool_axis *aw, int64_t oh,
                             int64_t ow) {
    if (p->divisor_override > 0) return (double)p->divisor_override;
    int padded = p->count_include_pad != 0;
    return (double)(count_taps(ah, oh, padded) * count_taps(aw, ow, padded));
}

/* Sum of the taps inside the input of output (oh, ow)'s window. */
static double window_sum(const double *plane, const pool_axis *ah, const pool_axis *aw, int64_t oh, int64_t ow) {
    double sum = 0.0;
    for (int64_t kh = 0; kh < ah->kernel; kh++) {
        int64_t ih = tap_position(ah, oh, kh);
        if (!inside_input(ah, ih)) continue;
        for (int64_t kw = 0; kw < aw->kernel; kw++) {
            int64_t iw = tap_position(aw, ow, kw);
            if (inside_input(aw, iw)) sum += plane[ih * aw->in + iw];
        }
    }
    return sum;
}

ck_status ck_ref_pool2d_forward(ck_backend *backend, const ck_pool2d_forward_args *args) {
    const ck_pool2d_params *p = args->params;
    ck_ref_arena arena;
    ck_ref_arena_init(&arena, backend, "pool2d_forward");
    pool_axis ah = height_axis(p, args->x, args->y), aw = width_axis(p, args->x, args->y);
    int64_t planes = args->x->dims[0] * args->x->dims[1];
    double *x = ck_ref_load(&arena, args->x);
    double *y = ck_ref_zeros(&arena, ck_tensor_numel(args->y));
    ck_status status = ck_ref_arena_status(&arena);
    if (status == CK_OK) {
        for (int64_t plane = 0; plane < planes; plane++) {
            const double *x_plane = x + plane * ah.in * aw.in;
            double *y_plane = y + plane * ah.out * aw.out;
            for (int64_t oh = 0; oh < ah.out; oh++)
                for (int64_t ow = 0; ow < aw.out; ow++) {
                    double *out = &y_plane[oh * aw.out + ow];
                    if (p->mode == CK_POOL_MAX) window_max(x_plane, &ah, &aw, oh, ow, out);
                    else *out = window_sum(x_plane, &ah, &aw, oh, ow) / window_divisor(p, &ah, &aw, oh, ow);
                }
        }
        ck_ref_store(args->y, y);
    }
    ck_ref_arena_free(&arena);
    return status;
}

ck_status ck_ref_pool2d_backward(ck_backend *backend, const ck_pool2d_backward_args *args) {
    const ck_pool2d_params *p = args->params;
    ck_ref_arena arena;
    ck_ref_arena_init(&arena, backend, "pool2d_backward");
    pool_axis ah = height_axis(p, args->x, args->dy), aw = width_axis(p, args->x, args->dy);
    int64_t planes = args->x->dims[0] * args->x->dims[1];
    double *x = ck_ref_load(&arena, args->x);
    double *dy = ck_ref_load(&arena, args->dy);
    double *dx = ck_ref_zeros(&arena, ck_tensor_numel(args->dx));
    ck_status status = ck_ref_arena_status(&arena);
    if (status == CK_OK) {
        for (int64_t plane = 0; plane < planes; plane++) {
            const double *x_plane = x + plane * ah.in * aw.in;
            const double *dy_plane = dy + plane * ah.out * aw.out;
            double *dx_plane = dx + plane * ah.in * aw.in;
            for (int64_t oh = 0; oh < ah.out; oh++)
                for (int64_t ow = 0; ow < aw.out; ow++) {
                    double g = dy_plane[oh * aw.out + ow];
                    if (p->mode == CK_POOL_MAX) {
                        double ignored;
                        int64_t winner = window_max(x_plane, &ah, &aw, oh, ow, &ignored);
                        if (winner >= 0) dx_plane[winner] += g;
                        continue;
                    }
                    double share = g / window_divisor(p, &ah, &aw, oh, ow);
                    for (int64_t kh = 0; kh < ah.kernel; kh++) {
                        int64_t ih = tap_position(&ah, oh, kh);
                        if (!inside_input(&ah, ih)) continue;
                        for (int64_t kw = 0; kw < aw.kernel; kw++) {
                            int64_t iw = tap_position(&aw, ow, kw);
                            if (inside_input(&aw, iw)) dx_plane[ih * aw.in + iw] += share;
                        }
                    }
                }
        }
        ck_ref_store_accumulate(args->dx, dx, args->beta);
    }
    ck_ref_arena_free(&arena);
    return status;
}

/* The whole (H, W) plane as one window: kernel = input, no padding. */
static void global_axes(const ck_tensor *x, pool_axis *ah, pool_axis *aw) {
    pool_axis h = {x->dims[2], 1, x->dims[2], 1, 0, 0, 1};
    pool_axis w = {x->dims[3], 1, x->dims[3], 1, 0, 0, 1};
    *ah = h;
    *aw = w;
}

ck_status ck_ref_global_pool2d_forward(ck_backend *backend, const ck_global_pool2d_forward_args *args) {
    ck_ref_arena arena;
    ck_ref_arena_init(&arena, backend, "global_pool2d_forward");
    pool_axis ah, aw;
    global_axes(args->x, &ah, &aw);
    int64_t planes = args->x->dims[0] * args->x->dims[1], plane_size = ah.in * aw.in;
    double *x = ck_ref_load(&arena, args->x);
    double *y = ck_ref_zeros(&arena, (size_t)planes);
    ck_status status = ck_ref_arena_status(&arena);
    if (status == CK_OK) {
        for (int64_t plane = 0; plane < planes; plane++) {
            const double *x_plane = x + plane * plane_size;
            if (args->mode == CK_POOL_MAX) window_max(x_plane, &ah, &aw, 0, 0, &y[plane]);
            else y[plane] = window_sum(x_plane, &ah, &aw, 0, 0) / (double)plane_size;
        }
        ck_ref_store(args->y, y);
    }
    ck_ref_arena_free(&arena);
    return status;
}

ck_status ck_ref_global_pool2d_backward(ck_backend *backend, const ck_global_pool2d_backward_args *args) {
    ck_ref_arena arena;
    ck_ref_arena_init(&arena, backend, "global_pool2d_backward");
    pool_axis ah, aw;
    global_axes(args->x, &ah, &aw);
    int64_t planes = args->x->dims[0] * args->x->dims[1], plane_size = ah.in * aw.in;
    double *x = ck_ref_load(&arena, args->x);
    double *dy = ck_ref_load(&arena, args->dy);
    double *dx = ck_ref_zeros(&arena, ck_tensor_numel(args->dx));
    ck_status status = ck_ref_arena_status(&arena);
    if (status == CK_OK) {
        for (int64_t plane = 0; plane < planes; plane++) {
            double *dx_plane = dx + plane * plane_size;
            if (args->mode == CK_POOL_MAX) {
                double ignored;
                int64_t winner = window_max(x + plane * plane_size, &ah, &aw, 0, 0, &ignored);
                dx_plane[winner] = dy[plane];
            } else {
                for (int64_t i = 0; i < plane_size; i++) dx_plane[i] = dy[plane] / (double)plane_size;
            }
        }
        ck_ref_store_accumulate(args->dx, dx, args->beta);
    }
    ck_ref_arena_free(&arena);
    return status;
}
