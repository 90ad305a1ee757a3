/*
 * conv2d.cl — conv2d forward, backward-data and backward-weights.
 *
 * Two kernels per pass:
 *  - *_igemm: implicit GEMM, one GEMM per group (work-group dimension 2 =
 *    group) on the register-tiled core of common/tiled_gemm.cl, with im2col
 *    folded into the tile loads (taps in the padding load zeros):
 *      forward           y[o, (n,oh,ow)]   = w[o, (c,kh,kw)] * x-patches[(c,kh,kw), (n,oh,ow)]
 *      backward-data     dx[c, (n,ih,iw)]  = w^T[c, (o,kh,kw)] * dy-gather[(o,kh,kw), (n,ih,iw)]
 *      backward-weights  dw[o, (c,kh,kw)]  = dy[o, (n,oh,ow)] * x-patches^T[(n,oh,ow), (c,kh,kw)]
 *    (o, c: the group's output and input channels); backward-weights may
 *    split K into slices whose partial sums conv2d_sum_partials
 *    (common/sum_partials.cl) adds up (split-K, for few tiles and a long K);
 *  - direct: one work item per output element, for depthwise-like
 *    convolutions (1 channel per group in or out) where a GEMM tile would
 *    be mostly empty.
 * The host (cl_conv.c) picks one per call. Every pass takes `beta` (the
 * transposed conv's backward-data is this forward pass, with a beta); the
 * forward kernels also take the epilogue's activation `act, alpha`
 * (common.cl's ck_activate, applied to conv + bias as each output is written).
 *
 * Tensors: x, dx (N, C, H, W); w, dw (O, C/G, KH, KW); y, dy (N, O, OH, OW);
 * bias (O); the geometry travels as one int16 `g` (common/conv_geometry.cl).
 * CPU devices run the direct vector kernels of conv2d_direct.cl instead
 * (for groups of more than one channel).
 * Defines: TILE_M, TILE_N, TILE_K, WORK_M, WORK_N (the igemm kernels; see
 * common/tiled_gemm.cl). Launch: igemm as tiled_gemm.cl with dimension 2 =
 * groups (backward-weights: slices x groups); direct: one work item per
 * output element, any group size.
 */

/** y[n, o, oh, ow] = act(sum over the group's channels and taps of x * w, + bias[o] when has_bias) + beta * y. */
__kernel void conv2d_forward(int16 g, __global const float *x, int x_off, __global const float *w, int w_off,
                             int has_bias, __global const float *bias, int bias_off, float beta, __global float *y,
                             int y_off, int act, float alpha) {
    int i = get_global_id(0);
    if (i >= GN * GO * GOH * GOW) return;
    int ow = i % GOW, t = i / GOW;
    int oh = t % GOH;
    t /= GOH;
    int o = t % GO, n = t / GO;
    int cpg = GC / GG, group = o / (GO / GG);
    float sum = 0.0f;
    for (int ci = 0; ci < cpg; ci++) {
        __global const float *plane = x + x_off + (n * GC + group * cpg + ci) * GH * GW;
        __global const float *taps = w + w_off + (o * cpg + ci) * GKH * GKW;
        for (int kh = 0; kh < GKH; kh++) {
            int ih = oh * GSH - GPT + kh * GDH;
            if (ih < 0 || ih >= GH) continue;
            for (int kw = 0; kw < GKW; kw++) {
                int iw = ow * GSW - GPL + kw * GDW;
                if (iw >= 0 && iw < GW) sum += plane[ih * GW + iw] * taps[kh * GKW + kw];
            }
        }
    }
    if (has_bias) sum += bias[bias_off + o];
    y[y_off + i] = ck_accumulate(ck_activate(sum, act, alpha), beta, y + y_off + i);
}

/** dx[n, c, ih, iw] = sum of w * dy over the outputs whose taps read (ih, iw), + beta * dx. */
__kernel void conv2d_backward_data(int16 g, __global const float *w, int w_off, __global const float *dy, int dy_off,
                                   float beta, __global float *dx, int dx_off) {
    int i = get_global_id(0);
    if (i >= GN * GC * GH * GW) return;
    int iw = i % GW, t = i / GW;
    int ih = t % GH;
    t /= GH;
    int c = t % GC, n = t / GC;
    int cpg = GC / GG, opg = GO / GG, group = c / cpg, ci = c % cpg;
    float sum = 0.0f;
    for (int kh = 0; kh < GKH; kh++) {
        int th = ih + GPT - kh * GDH;
        if (th < 0 || th % GSH != 0 || th / GSH >= GOH) continue;
        int oh = th / GSH;
        for (int kw = 0; kw < GKW; kw++) {
            int tw = iw + GPL - kw * GDW;
            if (tw < 0 || tw % GSW != 0 || tw / GSW >= GOW) continue;
            int ow = tw / GSW;
            for (int oo = 0; oo < opg; oo++) {
                int o = group * opg + oo;
                sum += w[w_off + ((o * cpg + ci) * GKH + kh) * GKW + kw] *
                       dy[dy_off + ((n * GO + o) * GOH + oh) * GOW + ow];
            }
        }
    }
    dx[dx_off + i] = ck_accumulate(sum, beta, dx + dx_off + i);
}

/** dw[o, ci, kh, kw] = sum over n, oh, ow of dy * x at the tap's input, + beta * dw. */
__kernel void conv2d_backward_weights(int16 g, __global const float *x, int x_off, __global const float *dy,
                                      int dy_off, float beta, __global float *dw, int dw_off) {
    int i = get_global_id(0);
    int cpg = GC / GG;
    if (i >= GO * cpg * GKH * GKW) return;
    int kw = i % GKW, t = i / GKW;
    int kh = t % GKH;
    t /= GKH;
    int ci = t % cpg, o = t / cpg;
    int c = o / (GO / GG) * cpg + ci;
    float sum = 0.0f;
    for (int n = 0; n < GN; n++) {
        __global const float *plane = x + x_off + (n * GC + c) * GH * GW;
        __global const float *grad = dy + dy_off + (n * GO + o) * GOH * GOW;
        for (int oh = 0; oh < GOH; oh++) {
            int ih = oh * GSH - GPT + kh * GDH;
            if (ih < 0 || ih >= GH) continue;
            for (int ow = 0; ow < GOW; ow++) {
                int iw = ow * GSW - GPL + kw * GDW;
                if (iw >= 0 && iw < GW) sum += grad[oh * GOW + ow] * plane[ih * GW + iw];
            }
        }
    }
    dw[dw_off + i] = ck_accumulate(sum, beta, dw + dw_off + i);
}

/* ---------------------------------------------------------------------- */
/* Implicit GEMM                                                           */
/* ---------------------------------------------------------------------- */

/* x[n, c0 + ci, ih, iw] for patch row k = (ci, kh, kw) and column p = (n, oh, ow); 0 in the padding. */
inline float conv_patch(int16 g, __global const float *xg, int k, int p) {
    int taps = GKH * GKW, ci = k / taps, t = k % taps, kh = t / GKW, kw = t % GKW;
    int q = p % (GOH * GOW), n = p / (GOH * GOW), oh = q / GOW, ow = q % GOW;
    int ih = oh * GSH - GPT + kh * GDH, iw = ow * GSW - GPL + kw * GDW;
    return ih >= 0 && ih < GH && iw >= 0 && iw < GW ? xg[((n * GC + ci) * GH + ih) * GW + iw] : 0.0f;
}

/* dy[n, o0 + oo, oh, ow] for row k = (oo, kh, kw) and column p = (n, ih, iw) when tap (kh, kw) of (oh, ow) reads (ih, iw); else 0. */
inline float conv_gather_dy(int16 g, __global const float *dyg, int k, int p) {
    int taps = GKH * GKW, oo = k / taps, t = k % taps, kh = t / GKW, kw = t % GKW;
    int q = p % (GH * GW), n = p / (GH * GW), ih = q / GW, iw = q % GW;
    int th = ih + GPT - kh * GDH, tw = iw + GPL - kw * GDW;
    if (th < 0 || tw < 0 || th % GSH != 0 || tw % GSW != 0) return 0.0f;
    int oh = th / GSH, ow = tw / GSW;
    return oh < GOH && ow < GOW ? dyg[((n * GO + oo) * GOH + oh) * GOW + ow] : 0.0f;
}

#define FWD_LOAD_W(m, k) wg[(m) * K + (k)]
#define FWD_LOAD_X(k, p) conv_patch(g, xg, k, p)

/** y = act(conv2d(x, w) (+ bias)) + beta * y: M = O/G, N = N*OH*OW, K = C/G*KH*KW per group. */
CK_TILED_KERNEL
void conv2d_forward_igemm(int16 g, __global const float *x, int x_off, __global const float *w, int w_off,
                          int has_bias, __global const float *bias, int bias_off, float beta, __global float *y,
                          int y_off, int act, float alpha) {
    const int cpg = GC / GG, opg = GO / GG, group = get_group_id(2), plane = GOH * GOW;
    const int M = opg, N = GN * plane, K = cpg * GKH * GKW;
    __global const float *wg = w + w_off + group * opg * K;
    __global const float *xg = x + x_off + group * cpg * GH * GW;
    CK_TILED_GEMM(M, N, K, FWD_LOAD_W, FWD_LOAD_X, 1, 1)
    for (int i = 0; i < WORK_M; i++) {
        int m = CK_TILE_ROW(i);
        if (m >= M) continue;
        int o = group * opg + m;
        float b = has_bias ? bias[bias_off + o] : 0.0f;
        for (int j = 0; j < WORK_N; j++) {
            int p = CK_TILE_COL(j);
            if (p >= N) continue;
            int index = y_off + (p / plane * GO + o) * plane + p % plane;
            y[index] = ck_accumulate(ck_activate(acc[i][j] + b, act, alpha), beta, y + index);
        }
    }
}

#define BWD_LOAD_WT(m, k) wg[((k) / taps * cpg + (m)) * taps + (k) % taps]
#define BWD_LOAD_DY(k, p) conv_gather_dy(g, dyg, k, p)

/** dx = conv2d'(w, dy) + beta * dx: M = C/G, N = N*H*W, K = O/G*KH*KW per group. */
CK_TILED_KERNEL
void conv2d_backward_data_igemm(int16 g, __global const float *w, int w_off, __global const float *dy, int dy_off,
                                float beta, __global float *dx, int dx_off) {
    const int cpg = GC / GG, opg = GO / GG, group = get_group_id(2), taps = GKH * GKW, plane = GH * GW;
    const int M = cpg, N = GN * plane, K = opg * taps;
    __global const float *wg = w + w_off + group * opg * cpg * taps;
    __global const float *dyg = dy + dy_off + group * opg * GOH * GOW;
    CK_TILED_GEMM(M, N, K, BWD_LOAD_WT, BWD_LOAD_DY, 1, 1)
    for (int i = 0; i < WORK_M; i++) {
        int m = CK_TILE_ROW(i);
        if (m >= M) continue;
        int c = group * cpg + m;
        for (int j = 0; j < WORK_N; j++) {
            int p = CK_TILE_COL(j);
            if (p >= N) continue;
            int index = dx_off + (p / plane * GC + c) * plane + p % plane;
            dx[index] = ck_accumulate(acc[i][j], beta, dx + index);
        }
    }
}

#define WGT_LOAD_DY(m, q) dyg[((q) / plane * GO + (m)) * plane + (q) % plane]
#define WGT_LOAD_X(q, k) conv_patch(g, xg, k, q)

/**
 * dw = dy * patches(x)^T + beta * dw: M = O/G, N = C/G*KH*KW, K = N*OH*OW per
 * group, split over K: work-group dimension 2 counts S slices of G groups
 * (group id = slice * G + group). With S slices of ceil(ceil(K / TILE_K) / S)
 * TILE_K steps each (the last ones shorter or empty), slice s writes its sum
 * over its K range to dw[s * O * C/G*KH*KW + ...] (dw is then the (S, O,
 * C/G, KH, KW) scratch, beta 0, summed by conv2d_sum_partials); S = 1 is the
 * whole sum, into dw + beta * dw.
 */
CK_TILED_KERNEL
void conv2d_backward_weights_igemm(int16 g, __global const float *x, int x_off, __global const float *dy,
                                   int dy_off, float beta, __global float *dw, int dw_off) {
    const int cpg = GC / GG, opg = GO / GG, group = get_group_id(2) % GG, plane = GOH * GOW;
    const int slice = get_group_id(2) / GG, slices = get_num_groups(2) / GG;
    const int M = opg, N = cpg * GKH * GKW, K = GN * plane;
    const long steps = (K / TILE_K + (K % TILE_K != 0) + slices - 1) / slices, span = steps * TILE_K;
    const int k_begin = (int)min((long)K, slice * span), k_end = (int)min((long)K, k_begin + span);
    __global const float *xg = x + x_off + group * cpg * GH * GW;
    __global const float *dyg = dy + dy_off + group * opg * plane;
    CK_TILED_GEMM_RANGE(M, N, k_begin, k_end, WGT_LOAD_DY, WGT_LOAD_X, 1, 0)
    for (int i = 0; i < WORK_M; i++) {
        int m = CK_TILE_ROW(i);
        for (int j = 0; j < WORK_N; j++) {
            int k = CK_TILE_COL(j);
            if (m >= M || k >= N) continue;
            int index = dw_off + (slice * GO + group * opg + m) * N + k;
            dw[index] = ck_accumulate(acc[i][j], beta, dw + index);
        }
    }
}
