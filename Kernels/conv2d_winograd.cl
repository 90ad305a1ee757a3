/*
 * conv2d_winograd.cl — conv2d by Winograd's minimal filtering F(2x2, 3x3) for
 * 3x3 kernels, stride 1, dilation 1, one group, on CPU devices (PoCL): each
 * 2x2 block of outputs (a tile) comes from the 4x4 input patch under it as
 *   y_tile = A^T [ (G w G^T) .* (B^T patch B) ] A,
 * so the channel sum is 16 independent GEMMs (one per position of the 4x4
 * transformed tile) of O x C weights by C x tiles inputs: 4 multiply-adds
 * per output and input channel instead of the direct conv's 9.
 *   B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1],
 *   G   = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1],
 *   A^T = [1 1 1 0; 0 1 -1 -1].
 * The host (Sources/CConvKit/opencl/cl_conv_winograd.c) runs four kernels
 * into pooled scratch: winograd_weights (U), winograd_input (V), winograd_gemm
 * (M = U V per position) and winograd_output (y from M, + bias, the epilogue's
 * activation, + beta * y).
 * Backward-data of a stride-1 conv is this forward with the weights flipped
 * and their channels swapped (`flip`), as in conv2d_direct.cl.
 * Tiles: T = N * TH * TW (TH = ceil(OH / 2), TW = ceil(OW / 2)), numbered
 * (n * TH + th) * TW + tw. The host runs the last three kernels on chunks of
 * tiles (first, first + 1, ...) small enough for V and M to stay in cache,
 * stored in rows of TP = the chunk rounded up to CONV_VEC.
 * Tensors and geometry as conv2d.cl (common/conv_geometry.cl); vectors and
 * CK_FOR_BLOCK from common/vector.cl.
 * Defines: CONV_VEC (tiles per GEMM work item: 4, 8 or 16), CONV_BLOCK
 * (output channels per GEMM work item, 1 ... 16). Launches: in each comment.
 */

/**
 * U (16, blocks, C, CONV_BLOCK) = G w G^T for every output channel o and
 * input channel c, the 16 entries of each 4x4 result one position apart,
 * output channels packed CONV_BLOCK side by side (zeros past O), blocks =
 * ceil(O / CONV_BLOCK). w: (O, C, 3, 3); with `flip`, w is the (C, O, 3, 3)
 * weight of the conv whose backward-data this is, read as w[c, o, 2-kh, 2-kw].
 * Launch: global (blocks * CONV_BLOCK, C), one item per (o, c).
 */
__kernel void winograd_weights(int16 g, int flip, __global const float *w, int w_off, __global float *u) {
    const int o = get_global_id(0), c = get_global_id(1), blocks = (GO + CONV_BLOCK - 1) / CONV_BLOCK;
    if (o >= blocks * CONV_BLOCK || c >= GC) return;
    float k[3][3], t[4][3];
    for (int i = 0; i < 9; i++)
        k[i / 3][i % 3] = o >= GO ? 0.0f : flip ? w[w_off + (c * GO + o) * 9 + 8 - i] : w[w_off + (o * GC + c) * 9 + i];
    for (int j = 0; j < 3; j++) { /* t = G k */
        t[0][j] = k[0][j];
        t[1][j] = 0.5f * (k[0][j] + k[1][j] + k[2][j]);
        t[2][j] = 0.5f * (k[0][j] - k[1][j] + k[2][j]);
        t[3][j] = k[2][j];
    }
    const int plane = blocks * GC * CONV_BLOCK;
    __global float *dst = u + ((o / CONV_BLOCK) * GC + c) * CONV_BLOCK + o % CONV_BLOCK;
    for (int i = 0; i < 4; i++) { /* (G k) G^T */
        dst[(i * 4 + 0) * plane] = t[i][0];
        dst[(i * 4 + 1) * plane] = 0.5f * (t[i][0] + t[i][1] + t[i][2]);
        dst[(i * 4 + 2) * plane] = 0.5f * (t[i][0] - t[i][1] + t[i][2]);
        dst[(i * 4 + 3) * plane] = t[i][2];
    }
}

/**
 * V (16, C, TP) = B^T d B for the 4x4 input patch d of tiles first ...
 * first + TP - 1 and every input channel: rows 2 * th - PT ... + 3, columns
 * 2 * tw - PL ... + 3 of x (N, C, H, W), zeros outside it (any padding);
 * tiles past the last are zero. Launch: global (TP, C), one item per
 * (tile, c): items next to each other read neighbouring patches and write
 * neighbouring elements of V.
 */
__kernel void winograd_input(int16 g, int tiles_h, int tiles_w, int first, int tp, __global const float *x,
                             int x_off, __global float *v) {
    const int slot = get_global_id(0), c = get_global_id(1), t = first + slot;
    if (slot >= tp || c >= GC) return;
    const int per_image = tiles_h * tiles_w, n = t / per_image, th = t % per_image / tiles_w, tw = t % tiles_w;
    float d[4][4], e[4][4];
    const int row0 = 2 * th - GPT, col0 = 2 * tw - GPL;
    __global const float *plane = x + x_off + (min(n, GN - 1) * GC + c) * GH * GW;
    /* Branch-free, so that PoCL vectorizes over the work items: clamped loads, zeroed outside. */
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++) {
            const int ih = row0 + i, iw = col0 + j;
            const float value = plane[clamp(ih, 0, GH - 1) * GW + clamp(iw, 0, GW - 1)];
            d[i][j] = n < GN && ih >= 0 && ih < GH && iw >= 0 && iw < GW ? value : 0.0f;
        }
    for (int j = 0; j < 4; j++) { /* e = B^T d */
        e[0][j] = d[0][j] - d[2][j];
        e[1][j] = d[1][j] + d[2][j];
        e[2][j] = d[2][j] - d[1][j];
        e[3][j] = d[1][j] - d[3][j];
    }
    const int plane_v = GC * tp;
    __global float *dst = v + c * tp + slot;
    for (int i = 0; i < 4; i++) { /* e B */
        dst[(i * 4 + 0) * plane_v] = e[i][0] - e[i][2];
        dst[(i * 4 + 1) * plane_v] = e[i][1] + e[i][2];
        dst[(i * 4 + 2) * plane_v] = e[i][2] - e[i][1];
        dst[(i * 4 + 3) * plane_v] = e[i][1] - e[i][3];
    }
}

/**
 * M (16, O, TP): M[p] = U[p] V[p] for each of the 16 positions p, U[p] the
 * O x C weights (winograd_weights), V[p] the C x TP inputs (winograd_input).
 * Work item (vv, b, p): tiles vv * CONV_VEC ... + CONV_VEC - 1 of the
 * CONV_BLOCK output channels of block b: per input channel one vector load
 * of V and CONV_BLOCK fused multiply-adds with broadcast weights, next to
 * each other in U (the inner loop of conv2d_forward_flat, with one tap).
 * Launch: global (TP / CONV_VEC, blocks, 16), any group size.
 */
__kernel void winograd_gemm(int16 g, int tp, __global const float *u, __global const float *v, __global float *m) {
    const int blocks = (GO + CONV_BLOCK - 1) / CONV_BLOCK;
    const int vv = get_global_id(0), b = get_global_id(1), p = get_global_id(2);
    if (vv * CONV_VEC >= tp || b >= blocks || p >= 16) return;
    __global const float *in = v + p * GC * tp + vv * CONV_VEC;
    __global const float *q = u + (p * blocks + b) * GC * CONV_BLOCK;
#define CK_ZERO(i) floatV acc##i = (floatV)(0.0f);
    CK_FOR_BLOCK(CK_ZERO)
    for (int c = 0; c < GC; c++, in += tp, q += CONV_BLOCK) {
        floatV x = vloadV(0, in);
#define CK_FMA(i) acc##i = fma((floatV)(q[i]), x, acc##i);
        CK_FOR_BLOCK(CK_FMA)
    }
    const int first = b * CONV_BLOCK;
    __global float *dst = m + (p * GO + first) * tp + vv * CONV_VEC;
#define CK_STORE(i) \
    if (first + i < GO) vstoreV(acc##i, 0, dst + i * tp);
    CK_FOR_BLOCK(CK_STORE)
}

/**
 * y (N, O, OH, OW) = act(A^T m A (+ bias)) + beta * y, m the 4x4 of M at a tile
 * (first + slot) and output channel: its 2x2 outputs, those inside OH x OW.
 * Launch: global (tiles of the chunk, O), one item per (tile, o).
 */
__kernel void winograd_output(int16 g, int tiles_h, int tiles_w, int first, int count, int tp,
                              __global const float *m, int has_bias, __global const float *bias, int bias_off,
                              float beta, __global float *y, int y_off, int act, float alpha) {
    const int slot = get_global_id(0), o = get_global_id(1), t = first + slot, per_image = tiles_h * tiles_w;
    if (slot >= count || o >= GO) return;
    const int n = t / per_image, th = t % per_image / tiles_w, tw = t % tiles_w;
    __global const float *src = m + o * tp + slot;
    const int stride = GO * tp;
    float r0[4], r1[4]; /* A^T s: s's rows 0 + 1 + 2 and 1 - 2 - 3 */
    for (int j = 0; j < 4; j++) {
        const float s0 = src[j * stride], s1 = src[(4 + j) * stride], s2 = src[(8 + j) * stride],
                    s3 = src[(12 + j) * stride];
        r0[j] = s0 + s1 + s2;
        r1[j] = s1 - s2 - s3;
    }
    const float b = has_bias ? bias[bias_off + o] : 0.0f;
    const float y00 = ck_activate(r0[0] + r0[1] + r0[2] + b, act, alpha);
    const float y01 = ck_activate(r0[1] - r0[2] - r0[3] + b, act, alpha);
    const float y10 = ck_activate(r1[0] + r1[1] + r1[2] + b, act, alpha);
    const float y11 = ck_activate(r1[1] - r1[2] - r1[3] + b, act, alpha);
    const int oh = 2 * th, ow = 2 * tw;
    __global float *p = y + y_off + ((n * GO + o) * GOH + oh) * GOW + ow;
    if (oh + 1 < GOH && ow + 1 < GOW && beta == 0.0f) { /* the common case, without branches per element */
        p[0] = y00, p[1] = y01, p[GOW] = y10, p[GOW + 1] = y11;
        return;
    }
    p[0] = ck_accumulate(y00, beta, p);
    if (ow + 1 < GOW) p[1] = ck_accumulate(y01, beta, p + 1);
    if (oh + 1 < GOH) {
        p[GOW] = ck_accumulate(y10, beta, p + GOW);
        if (ow + 1 < GOW) p[GOW + 1] = ck_accumulate(y11, beta, p + GOW + 1);
    }
}
