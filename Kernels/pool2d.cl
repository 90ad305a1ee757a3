/*
 * pool2d.cl — max and average pooling, forward and backward, and global
 * pooling, PyTorch's rules (see ck_pool2d_forward in convkit.h).
 *
 * Tensors: x, dx (P = N*C planes of H x W); y, dy (P planes of OH x OW). The
 * geometry travels as one int16 `g`:
 *   g.s0..s2 = P, H, W        g.s3, s4 = OH, OW           g.s5, s6 = KH, KW
 *   g.s7, s8 = stride h, w    g.s9..sc = pad top, bottom, left, right
 *   g.sd, se = dilation h, w  g.sf = mode (0 max, 1 average)
 * and `avg` = (count_include_pad, divisor_override).
 * Max: padding is -inf; a tap wins when it is greater than the best so far
 * or NaN (the gradient goes to the first maximum, or the last NaN). Average:
 * the sum of the taps inside the input over divisor_override when > 0, else
 * over the taps inside the padded input (count_include_pad) or the input.
 *
 * GPUs (CONV_VEC 0): pool2d_forward, and a gather backward: one work item per
 * dx element sums the dy of the windows that route gradient to it
 * (pool2d_backward); for max, pool2d_argmax first writes each window's
 * winner, so a dx element compares indices instead of recomputing the maxima
 * of its windows. These run on a 3-D range (column, row, plane): no
 * divisions to find an item's position.
 *
 * Devices whose tuning sets CONV_VEC (CPU devices) run pool2d_forward_vec (a
 * row of y per item; pool2d_forward_rows for rows of fewer than 2 * CONV_VEC
 * outputs) and pool2d_backward_vec (a plane of dx per item,
 * scattering into it without atomics), in vectors of CONV_VEC windows
 * (common/vector.cl). A row's windows whose column taps are all inside the
 * input (inner_columns) go in vectors with one vector load per tap (stride 2:
 * the even or odd elements of two) and a divisor per row; the few at the
 * edges go one by one through the GPU kernels' scalar functions.
 * Defines: CONV_VEC (0: no vector kernels; else 4, 8 or 16).
 */
#define GP g.s0
#define GH g.s1
#define GW g.s2
#define GOH g.s3
#define GOW g.s4
#define GKH g.s5
#define GKW g.s6
#define GSH g.s7
#define GSW g.s8
#define GPT g.s9
#define GPB g.sa
#define GPL g.sb
#define GPR g.sc
#define GDH g.sd
#define GDW g.se
#define GMODE g.sf

/* Max over window (oh, ow) of `plane`: the value (-inf when no tap is inside); returns the winning index or -1. */
static int window_max(int16 g, __global const float *plane, int oh, int ow, float *value) {
    float best = -INFINITY;
    int best_index = -1;
    for (int kh = 0; kh < GKH; kh++) {
        int ih = oh * GSH - GPT + kh * GDH;
        if (ih < 0 || ih >= GH) continue;
        for (int kw = 0; kw < GKW; kw++) {
            int iw = ow * GSW - GPL + kw * GDW;
            if (iw < 0 || iw >= GW) continue;
            float v = plane[ih * GW + iw];
            if (best_index < 0 || v > best || isnan(v)) {
                best = v;
                best_index = ih * GW + iw;
            }
        }
    }
    *value = best;
    return best_index;
}

/* Taps of one axis inside [lo, hi). */
static int count_taps(int o, int window, int stride, int pad_begin, int dilation, int lo, int hi) {
    int taps = 0;
    for (int k = 0; k < window; k++) {
        int position = o * stride - pad_begin + k * dilation;
        taps += position >= lo && position < hi;
    }
    return taps;
}

/* The taps of row oh, and of column ow, that the average divides by (inside the padded input or the input). */
static int divisor_rows(int16 g, int2 avg, int oh) {
    return avg.s0 ? count_taps(oh, GKH, GSH, GPT, GDH, -GPT, GH + GPB) : count_taps(oh, GKH, GSH, GPT, GDH, 0, GH);
}
static int divisor_columns(int16 g, int2 avg, int ow) {
    return avg.s0 ? count_taps(ow, GKW, GSW, GPL, GDW, -GPL, GW + GPR) : count_taps(ow, GKW, GSW, GPL, GDW, 0, GW);
}

/* The average divisor of window (oh, ow). */
static float window_divisor(int16 g, int2 avg, int oh, int ow) {
    if (avg.s1 > 0) return (float)avg.s1;
    return (float)(divisor_rows(g, avg, oh) * divisor_columns(g, avg, ow));
}

/* The value of window (oh, ow) of `plane`: its max, or its average. */
static float window_value(int16 g, int2 avg, __global const float *plane, int oh, int ow) {
    float result;
    if (GMODE == 0) {
        window_max(g, plane, oh, ow, &result);
        return result;
    }
    float sum = 0.0f;
    for (int kh = 0; kh < GKH; kh++) {
        int ih = oh * GSH - GPT + kh * GDH;
        if (ih < 0 || ih >= GH) continue;
        for (int kw = 0; kw < GKW; kw++) {
            int iw = ow * GSW - GPL + kw * GDW;
            if (iw >= 0 && iw < GW) sum += plane[ih * GW + iw];
        }
    }
    return sum / window_divisor(g, avg, oh, ow);
}

/** y[p, oh, ow] = max or average of window (oh, ow) of plane p. Launch: global (OW, OH, P). */
__kernel void pool2d_forward(int16 g, int2 avg, __global const float *x, int x_off, __global float *y, int y_off) {
    int ow = get_global_id(0), oh = get_global_id(1), p = get_global_id(2);
    if (ow >= GOW || oh >= GOH || p >= GP) return;
    y[y_off + (p * GOH + oh) * GOW + ow] = window_value(g, avg, x + x_off + p * GH * GW, oh, ow);
}

#if CONV_VEC > 0
/* The windows ow whose column taps are all inside the input: [*first, *end) (empty when *end <= *first). */
static void inner_columns(int16 g, int *first, int *end) {
    long room = (long)GW - 1 + GPL - (long)(GKW - 1) * GDW; /* the last tap of ow is inside while ow * SW <= room */
    *first = (int)min((long)GOW, ((long)GPL + GSW - 1) / GSW);
    *end = room < 0 ? 0 : (int)min((long)GOW, room / GSW + 1);
}

/*
 * The maxima of windows ow0 ... ow0 + CONV_VEC - 1 of row oh, all inner columns, and each one's winning
 * tap kh * KW + kw in *winner (-1: no tap inside), as window_max finds them: the first tap inside the
 * input, replaced by any greater tap, or NaN and the last NaN tap when a tap is NaN. The NaN taps are
 * tracked apart, so that the running maximum is one max per tap.
 */
static floatV max_lanes(int16 g, __global const float *plane, int oh, int ow0, intV *winner) {
    floatV best = (floatV)(-INFINITY);
    intV win = (intV)(-1), nan_win = (intV)(-1);
    int fresh = 1;
    for (int kh = 0; kh < GKH; kh++) {
        int ih = oh * GSH - GPT + kh * GDH;
        if (ih < 0 || ih >= GH) continue;
        for (int kw = 0; kw < GKW; kw++) {
            const intV tap = (intV)(kh * GKW + kw);
            floatV v = load_lanes(plane + ih * GW, ow0 * GSW - GPL + kw * GDW, GSW, GW, 0.0f);
            if (fresh) {
                best = v;
                win = tap;
                fresh = 0;
            } else {
                win = select(win, tap, isgreater(v, best));
                best = max(best, v); /* NaN lanes: whatever max gives, replaced below */
            }
            nan_win = select(nan_win, tap, isnan(v));
        }
    }
    *winner = select(win, nan_win, nan_win >= 0);
    return select(best, (floatV)(NAN), nan_win >= 0);
}

/* The sums of windows ow0 ... ow0 + CONV_VEC - 1 of row oh, all inner columns, over their taps inside the input. */
static floatV window_sums(int16 g, __global const float *plane, int oh, int ow0) {
    floatV sum = (floatV)(0.0f);
    for (int kh = 0; kh < GKH; kh++) {
        int ih = oh * GSH - GPT + kh * GDH;
        if (ih < 0 || ih >= GH) continue;
        for (int kw = 0; kw < GKW; kw++) sum += load_lanes(plane + ih * GW, ow0 * GSW - GPL + kw * GDW, GSW, GW, 0.0f);
    }
    return sum;
}

/* The average divisor of the inner-column windows of row oh: divisor_override, or its rows' taps times KW. */
static float inner_divisor(int16 g, int2 avg, int oh) {
    return avg.s1 > 0 ? (float)avg.s1 : (float)(divisor_rows(g, avg, oh) * GKW);
}

/**
 * Row oh of y[p] as pool2d_forward computes it: the windows with taps outside the input's columns one by
 * one, the others in vectors of CONV_VEC outputs (the last vector ends at the last of them, recomputing
 * outputs of the one before). Launch: global (OH, P).
 */
__kernel void pool2d_forward_vec(int16 g, int2 avg, __global const float *x, int x_off, __global float *y,
                                 int y_off) {
    int oh = get_global_id(0), p = get_global_id(1);
    if (oh >= GOH || p >= GP) return;
    __global const float *plane = x + x_off + p * GH * GW;
    __global float *out = y + y_off + (p * GOH + oh) * GOW;
    int first, end, ow = 0;
    inner_columns(g, &first, &end);
    for (; ow < first; ow++) out[ow] = window_value(g, avg, plane, oh, ow);
    if (end - first >= CONV_VEC) {
        const float divisor = GMODE != 0 ? inner_divisor(g, avg, oh) : 1.0f;
        for (int ow0 = first; ow0 < end; ow0 += CONV_VEC) {
            ow0 = min(ow0, end - CONV_VEC);
            intV winner;
            floatV result = GMODE == 0 ? max_lanes(g, plane, oh, ow0, &winner)
                                       : window_sums(g, plane, oh, ow0) / (floatV)(divisor);
            vstoreV(result, 0, out + ow0);
        }
        ow = end;
    }
    for (; ow < GOW; ow++) out[ow] = window_value(g, avg, plane, oh, ow);
}

/**
 * pool2d_forward_vec for rows narrower than two vectors (LeNet's and the Fashion CNN's
 * pools): y row oh of plane p per item, every window in vectors of CONV_VEC outputs, each
 * tap one load_lanes of the row (lanes outside the input: -inf for max, 0 for average)
 * and the divisor lane by lane. Launch: global (OH, P).
 */
__kernel void pool2d_forward_rows(int16 g, int2 avg, __global const float *x, int x_off, __global float *y,
                                  int y_off) {
    int oh = get_global_id(0), p = get_global_id(1);
    if (oh >= GOH || p >= GP) return;
    __global const float *plane = x + x_off + p * GH * GW;
    __global float *out = y + y_off + (p * GOH + oh) * GOW;
    const int rows = GMODE != 0 ? divisor_rows(g, avg, oh) : 0;
    for (int ow0 = 0; ow0 < GOW; ow0 += CONV_VEC) {
        /* Max: -inf outside the input; a tap replaces the best when greater or NaN, as window_max. */
        floatV result = GMODE == 0 ? (floatV)(-INFINITY) : (floatV)(0.0f);
        for (int kh = 0; kh < GKH; kh++) {
            int ih = oh * GSH - GPT + kh * GDH;
            if (ih < 0 || ih >= GH) continue;
            for (int kw = 0; kw < GKW; kw++) {
                int start = ow0 * GSW - GPL + kw * GDW;
                if (GMODE == 0) {
                    floatV v = load_lanes(plane + ih * GW, start, GSW, GW, -INFINITY);
                    result = select(result, v, isgreater(v, result) | isnan(v));
                } else {
                    result += load_lanes(plane + ih * GW, start, GSW, GW, 0.0f);
                }
            }
        }
        if (GMODE != 0 && avg.s1 > 0) {
            result /= (floatV)((float)avg.s1);
        } else if (GMODE != 0) {
            float divisor[CONV_VEC];
            for (int j = 0; j < CONV_VEC; j++) divisor[j] = (float)(rows * divisor_columns(g, avg, min(ow0 + j, GOW - 1)));
            result /= vloadV(0, divisor);
        }
        store_lanes(result, 0.0f, out + ow0, GOW - ow0);
    }
}

/* Adds what window (oh, ow) of x's `plane` routes to dx's plane `out` (H x W): dy at its winner, or dy / divisor at
 * each tap inside. */
static void route_window(int16 g, int2 avg, __global const float *plane, __global const float *grad, int oh, int ow,
                         __global float *out) {
    float d = grad[oh * GOW + ow], ignored;
    if (GMODE == 0) {
        int winner = window_max(g, plane, oh, ow, &ignored);
        if (winner >= 0) out[winner] += d;
        return;
    }
    d /= window_divisor(g, avg, oh, ow);
    for (int kh = 0; kh < GKH; kh++) {
        int ih = oh * GSH - GPT + kh * GDH;
        if (ih < 0 || ih >= GH) continue;
        for (int kw = 0; kw < GKW; kw++) {
            int iw = ow * GSW - GPL + kw * GDW;
            if (iw >= 0 && iw < GW) out[ih * GW + iw] += d;
        }
    }
}

/**
 * dx[p] = the sum of what the windows of plane p route to each element, + beta * dx: first beta * dx (0
 * when beta is 0), then window rows oh ascending, each window adding dy / divisor at its taps inside the
 * input (average) or dy at its winner (max; the winners found again as the forward finds them): the
 * windows with taps outside the input's columns one by one, the others in vectors of CONV_VEC windows, tap
 * by tap (kh, then kw ascending). Every element sums in one fixed order, and the plane is this item's
 * alone: no atomics. Launch: global (P).
 */
__kernel void pool2d_backward_vec(int16 g, int2 avg, __global const float *x, int x_off, __global const float *dy,
                                  int dy_off, float beta, __global float *dx, int dx_off) {
    int p = get_global_id(0);
    if (p >= GP) return;
    __global const float *plane = x + x_off + p * GH * GW;
    __global const float *grad = dy + dy_off + p * GOH * GOW;
    __global float *out = dx + dx_off + p * GH * GW;
    for (int i0 = 0; i0 < GH * GW; i0 += CONV_VEC) store_lanes((floatV)(0.0f), beta, out + i0, GH * GW - i0);
    int first, end;
    inner_columns(g, &first, &end);
    for (int oh = 0; oh < GOH; oh++) {
        const float divisor = GMODE != 0 ? inner_divisor(g, avg, oh) : 1.0f;
        int ow = 0;
        for (; ow < first; ow++) route_window(g, avg, plane, grad, oh, ow, out);
        if (end - first >= CONV_VEC) {
            for (; ow < end; ow += CONV_VEC) {
                /* The last vector ends at `end`; its lanes before `ow`, routed by the vector before, add 0. */
                const int ow0 = min(ow, end - CONV_VEC);
                floatV d = select((floatV)(0.0f), vloadV(0, grad + oh * GOW + ow0), CK_LANE_INDEX >= (intV)(ow - ow0));
                intV winner;
                if (GMODE == 0) max_lanes(g, plane, oh, ow0, &winner);
                else d /= (floatV)(divisor);
                for (int kh = 0; kh < GKH; kh++) {
                    int ih = oh * GSH - GPT + kh * GDH;
                    if (ih < 0 || ih >= GH) continue;
                    for (int kw = 0; kw < GKW; kw++) {
                        const int tap = kh * GKW + kw, start = ow0 * GSW - GPL + kw * GDW;
                        floatV share = GMODE == 0 ? select((floatV)(0.0f), d, winner == (intV)(tap)) : d;
                        /* Stride 2: taps kw and kw + 1 add to the even and odd elements of one span. */
                        if (GSW == 2 && GDW == 1 && kw + 1 < GKW) {
                            floatV next = GMODE == 0 ? select((floatV)(0.0f), d, winner == (intV)(tap + 1)) : d;
                            add_pair_lanes(out + ih * GW, start, GW, share, next);
                            kw++;
                        } else {
                            add_lanes(out + ih * GW, start, GSW, GW, share);
                        }
                    }
                }
            }
            ow = end;
        }
        for (; ow < GOW; ow++) route_window(g, avg, plane, grad, oh, ow, out);
    }
}
#endif

/** winner[p, oh, ow] = the index in plane p (ih * W + iw) of the max of window (oh, ow), -1 when it has no tap. Launch: global (OW, OH, P). */
__kernel void pool2d_argmax(int16 g, __global const float *x, int x_off, __global int *winner) {
    int ow = get_global_id(0), oh = get_global_id(1), p = get_global_id(2);
    if (ow >= GOW || oh >= GOH || p >= GP) return;
    float ignored;
    winner[(p * GOH + oh) * GOW + ow] = window_max(g, x + x_off + p * GH * GW, oh, ow, &ignored);
}

/**
 * dx[p, ih, iw] = sum of dy over the windows that route to (ih, iw), + beta * dx; for max, the windows whose
 * winner (pool2d_argmax) is (ih, iw). Launch: global (W, H, P).
 */
__kernel void pool2d_backward(int16 g, int2 avg, __global const int *winner, __global const float *dy, int dy_off,
                              float beta, __global float *dx, int dx_off) {
    int iw = get_global_id(0), ih = get_global_id(1), p = get_global_id(2);
    if (iw >= GW || ih >= GH || p >= GP) return;
    int i = (p * GH + ih) * GW + iw;
    __global const int *wins = winner + p * GOH * GOW;
    __global const float *grad = dy + dy_off + p * GOH * GOW;
    float sum = 0.0f;
#define CK_ROUTE(oh, ow)                                                                                 \
    if (GMODE == 0) {                                                                                    \
        if (wins[(oh) * GOW + (ow)] == ih * GW + iw) sum += grad[(oh) * GOW + (ow)];                     \
    } else {                                                                                             \
        sum += grad[(oh) * GOW + (ow)] / window_divisor(g, avg, oh, ow);                                 \
    }
    if (GDH == 1 && GDW == 1) {
        /* Windows oh with oh * SH <= ih + PT < oh * SH + KH, in the order of the loop below (taps ascending). */
        int th = ih + GPT, tw = iw + GPL;
        int oh_first = min(th / GSH, GOH - 1), oh_last = th < GKH ? 0 : (th - GKH + GSH) / GSH;
        int ow_first = min(tw / GSW, GOW - 1), ow_last = tw < GKW ? 0 : (tw - GKW + GSW) / GSW;
        for (int oh = oh_first; oh >= oh_last; oh--)
            for (int ow = ow_first; ow >= ow_last; ow--) CK_ROUTE(oh, ow)
    } else {
        for (int kh = 0; kh < GKH; kh++) {
            int th = ih + GPT - kh * GDH;
            if (th < 0 || th % GSH != 0 || th / GSH >= GOH) continue;
            int oh = th / GSH;
            for (int kw = 0; kw < GKW; kw++) {
                int tw = iw + GPL - kw * GDW;
                if (tw < 0 || tw % GSW != 0 || tw / GSW >= GOW) continue;
                CK_ROUTE(oh, tw / GSW)
            }
        }
    }
    dx[dx_off + i] = ck_accumulate(sum, beta, dx + dx_off + i);
}

/** y[p] = max (mode 0) or mean (mode 1) of plane p (plane = size elements); one work item per plane. */
__kernel void global_pool2d_forward(int planes, int size, int mode, __global const float *x, int x_off,
                                    __global float *y, int y_off) {
    int p = get_global_id(0);
    if (p >= planes) return;
    __global const float *plane = x + x_off + p * size;
    float result = mode == 0 ? -INFINITY : 0.0f;
    for (int i = 0; i < size; i++) {
        float v = plane[i];
        if (mode != 0) result += v;
        else if (i == 0 || v > result || isnan(v)) result = v;
    }
    y[y_off + p] = mode == 0 ? result : result / (float)size;
}

/** dx of plane p: dy[p] at the first maximum (mode 0), or dy[p] / size everywhere (mode 1); + beta * dx. */
__kernel void global_pool2d_backward(int planes, int size, int mode, __global const float *x, int x_off,
                                     __global const float *dy, int dy_off, float beta, __global float *dx,
                                     int dx_off) {
    int p = get_global_id(0);
    if (p >= planes) return;
    __global const float *plane = x + x_off + p * size;
    int winner = 0;
    float best = plane[0];
    for (int i = 1; mode == 0 && i < size; i++) {
        float v = plane[i];
        if (v > best || isnan(v)) {
            best = v;
            winner = i;
        }
    }
    float g = dy[dy_off + p];
    float share = g / (float)size;
    for (int i = 0; i < size; i++) {
        float value = mode == 0 ? (i == winner ? g : 0.0f) : share;
        dx[dx_off + p * size + i] = ck_accumulate(value, beta, dx + dx_off + p * size + i);
    }
}
