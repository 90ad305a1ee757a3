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
 * Backward kernels gather: one work item per dx element sums the dy of the
 * windows that route gradient to it; for max, pool2d_argmax first writes
 * each window's winner, so a dx element compares indices instead of
 * recomputing the maxima of its windows. The windowed kernels run on a 3-D
 * range (column, row, plane): no divisions to find an item's position, and
 * adjacent items along a row, which PoCL packs into vectors. Devices whose
 * tuning sets CONV_VEC (CPU devices) run the forward as pool2d_forward_vec,
 * a row per item in vectors of CONV_VEC outputs (common/vector.cl).
 * Defines: CONV_VEC (0: no pool2d_forward_vec; else 4, 8 or 16).
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

/** y[p, oh, ow] = max or average of window (oh, ow) of plane p. Launch: global (OW, OH, P). */
__kernel void pool2d_forward(int16 g, int2 avg, __global const float *x, int x_off, __global float *y, int y_off) {
    int ow = get_global_id(0), oh = get_global_id(1), p = get_global_id(2);
    if (ow >= GOW || oh >= GOH || p >= GP) return;
    int i = (p * GOH + oh) * GOW + ow;
    __global const float *plane = x + x_off + p * GH * GW;
    float result;
    if (GMODE == 0) {
        window_max(g, plane, oh, ow, &result);
    } else {
        float sum = 0.0f;
        for (int kh = 0; kh < GKH; kh++) {
            int ih = oh * GSH - GPT + kh * GDH;
            if (ih < 0 || ih >= GH) continue;
            for (int kw = 0; kw < GKW; kw++) {
                int iw = ow * GSW - GPL + kw * GDW;
                if (iw >= 0 && iw < GW) sum += plane[ih * GW + iw];
            }
        }
        result = sum / window_divisor(g, avg, oh, ow);
    }
    y[y_off + i] = result;
}

#if CONV_VEC > 0
/** Row oh of y[p] as pool2d_forward computes it, in vectors of CONV_VEC outputs. Launch: global (OH, P). */
__kernel void pool2d_forward_vec(int16 g, int2 avg, __global const float *x, int x_off, __global float *y,
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
