/*
 * conv2d_direct.cl — conv2d on vectors of output positions, for CPU devices
 * (PoCL), whose compilers turn OpenCL vectors into SIMD registers: every
 * inner loop is one vector load per operand and fused multiply-adds into
 * named vector accumulators, without bounds checks. The host
 * (Sources/CConvKit/opencl/cl_conv_direct.c) first copies the input with its
 * padding written out (conv2d_pad_input; for backward-data, dy upsampled by
 * the stride) and packs the weights (conv2d_pack_weights), into pooled scratch.
 *  - conv2d_forward_flat (stride 1) and conv2d_forward_vec (any stride):
 *    forward, and backward-data as the forward of the upsampled dy with the
 *    flipped weights;
 *  - conv2d_backward_weights_vec (+ conv2d_sum_partials, common/sum_partials.cl):
 *    backward-weights.
 * Tensors and geometry as conv2d.cl (common/conv_geometry.cl); vectors and
 * CK_FOR_BLOCK from common/vector.cl.
 * Defines: CONV_VEC (vector width: 4, 8 or 16), CONV_BLOCK (output channels
 * per forward work item, 1 ... 16). Launches: in each kernel's comment.
 */

/**
 * xp (N, C, HP, WP) = x upsampled by `up` (up.x - 1 zeros after each row,
 * up.y - 1 after each column; (1, 1): x itself), with PT rows and PL columns
 * of zeros in front and zeros past its end; one item per element.
 */
__kernel void conv2d_pad_input(int16 g, int hp, int wp, int2 up, __global const float *x, int x_off,
                               __global float *xp) {
    int j = get_global_id(0), i = get_global_id(1), plane = get_global_id(2);
    if (j >= wp || i >= hp || plane >= GN * GC) return;
    int ih = i - GPT, iw = j - GPL;
    int inside = ih >= 0 && iw >= 0 && ih % up.x == 0 && iw % up.y == 0 && ih / up.x < GH && iw / up.y < GW;
    xp[(plane * hp + i) * wp + j] = inside ? x[x_off + (plane * GH + ih / up.x) * GW + iw / up.y] : 0.0f;
}

/* CONV_VEC inputs of a padded row at stride 2, from p on. */
#if CONV_VEC == 4
#define LOAD_STRIDE2(p) vload8(0, p).even
#elif CONV_VEC == 8
#define LOAD_STRIDE2(p) vload16(0, p).even
#else
#define LOAD_STRIDE2(p) (float16)(vload16(0, p).even, vload16(0, (p) + 16).even)
#endif

/* CONV_VEC inputs of a padded row at stride s, one at a time. */
inline floatV load_strided(__global const float *p, int s) {
    float v[CONV_VEC];
    for (int i = 0; i < CONV_VEC; i++) v[i] = p[i * s];
    return vloadV(0, v);
}

/**
 * wp (G, blocks, C/G * KH * KW, CONV_BLOCK) = w (O, C/G, KH, KW) with each
 * block's CONV_BLOCK output channels side by side per tap (zeros past a
 * group's last channel), blocks = ceil(O/G / CONV_BLOCK). With `flip`, w is
 * the (C, O/G, KH, KW) weight of the conv whose backward-data this conv is
 * (g: that pass as a stride-1 conv of the upsampled dy): w[c, o, KH-1-kh,
 * KW-1-kw] for output channel o, input channel c, tap (kh, kw). One item per element of wp.
 */
__kernel void conv2d_pack_weights(int16 g, int flip, __global const float *w, int w_off, __global float *wp) {
    const int cpg = GC / GG, opg = GO / GG, blocks = (opg + CONV_BLOCK - 1) / CONV_BLOCK, taps = GKH * GKW;
    const int k = cpg * taps, i = get_global_id(0);
    if (i >= GG * blocks * k * CONV_BLOCK) return;
    int lane = i % CONV_BLOCK, t = i / CONV_BLOCK;
    int tap = t % k, block = t / k; /* block over all groups */
    int oo = block % blocks * CONV_BLOCK + lane, group = block / blocks;
    int c = tap / taps, kk = tap % taps;
    int from = flip ? ((group * cpg + c) * opg + oo) * taps + taps - 1 - kk : (group * opg + oo) * k + tap;
    wp[i] = oo < opg ? w[w_off + from] : 0.0f;
}

/**
 * y = act(conv2d(x, w) (+ bias)) + beta * y from the padded input xp (HP x WP
 * planes: conv2d_pad_input, or x itself when it needs no padding) and the
 * packed weights wp (conv2d_pack_weights). Work item (v, b, r) computes
 * outputs ow = v * CONV_VEC ... + CONV_VEC - 1 of row oh = r % OH of image
 * n = r / OH, for the CONV_BLOCK output channels of block b (over all
 * groups): CONV_BLOCK vector accumulators; each tap is one vector load of
 * the row and CONV_BLOCK broadcast weights, next to each other in wp; no
 * bounds checks but at the row's end.
 * Needs WP >= ceil(OW / CONV_VEC) * CONV_VEC * SW + (KW - 1) * DW and
 * HP >= (OH - 1) * SH + (KH - 1) * DH + 1.
 * Defines: CONV_VEC (4, 8 or 16), CONV_BLOCK (1 ... 16).
 * Launch: global (ceil(OW / CONV_VEC), G * blocks, N * OH), any group size.
 */
__kernel void conv2d_forward_vec(int16 g, int hp, int wp, __global const float *xp, int xp_off,
                                 __global const float *wpk, int has_bias, __global const float *bias, int bias_off,
                                 float beta, __global float *y, int y_off, int act, float alpha) {
    const int cpg = GC / GG, opg = GO / GG, blocks = (opg + CONV_BLOCK - 1) / CONV_BLOCK;
    const int v = get_global_id(0), b = get_global_id(1), r = get_global_id(2);
    const int ow0 = v * CONV_VEC;
    if (ow0 >= GOW || b >= GG * blocks || r >= GN * GOH) return;
    const int group = b / blocks, first = group * opg + (b % blocks) * CONV_BLOCK, last = group * opg + opg - 1;
    const int n = r / GOH, oh = r % GOH;
    __global const float *row = xp + xp_off + ((n * GC + group * cpg) * hp + oh * GSH) * wp + ow0 * GSW;
    __global const float *q = wpk + b * cpg * GKH * GKW * CONV_BLOCK;
#define CK_ZERO(i) floatV acc##i = (floatV)(0.0f);
    CK_FOR_BLOCK(CK_ZERO)
    for (int c = 0; c < cpg; c++, row += hp * wp) {
        for (int kh = 0; kh < GKH; kh++) {
            __global const float *p = row + kh * GDH * wp;
            for (int kw = 0; kw < GKW; kw++, p += GDW, q += CONV_BLOCK) {
                floatV in = GSW == 1 ? vloadV(0, p) : GSW == 2 ? LOAD_STRIDE2(p) : load_strided(p, GSW);
#define CK_FMA(i) acc##i = fma((floatV)(q[i]), in, acc##i);
                CK_FOR_BLOCK(CK_FMA)
            }
        }
    }
    __global float *dst = y + y_off + ((n * GO + first) * GOH + oh) * GOW + ow0;
    const int full = ow0 + CONV_VEC <= GOW, plane = GOH * GOW;
#define CK_STORE(i)                                                                                     \
    if (first + i <= last) {                                                                           \
        floatV out = ck_activate_v(acc##i + (has_bias ? bias[bias_off + first + i] : 0.0f), act, alpha); \
        __global float *d = dst + i * plane;                                                           \
        if (full) {                                                                                    \
            if (beta != 0.0f) out += beta * vloadV(0, d);                                              \
            vstoreV(out, 0, d);                                                                        \
        } else {                                                                                       \
            float lanes[CONV_VEC];                                                                     \
            vstoreV(out, 0, lanes);                                                                    \
            for (int j = 0; ow0 + j < GOW; j++) d[j] = ck_accumulate(lanes[j], beta, d + j);          \
        }                                                                                              \
    }
    CK_FOR_BLOCK(CK_STORE)
}

/**
 * conv2d_forward_vec for stride 1, with vectors that run over whole planes:
 * output (oh, ow) is position oh * WP + ow of a plane of OH rows of WP
 * (positions past OW are computed and dropped), and reads input position
 * p + kh * DH * WP + kw * DW of the padded plane, so a vector wastes only
 * the WP - OW columns of the rows it crosses, not the end of every row.
 * Work item (v, b, n): positions v * CONV_VEC ... + CONV_VEC - 1 of image n,
 * the CONV_BLOCK channels of block b. Needs xp as conv2d_forward_vec
 * (WP >= OW + (KW - 1) * DW) plus CONV_VEC floats of slack after the last plane.
 * Launch: global (ceil(OH * WP / CONV_VEC), G * blocks, N), any group size.
 */
__kernel void conv2d_forward_flat(int16 g, int hp, int wp, __global const float *xp, int xp_off,
                                  __global const float *wpk,
                                  int has_bias, __global const float *bias, int bias_off, float beta,
                                  __global float *y, int y_off, int act, float alpha) {
    const int cpg = GC / GG, opg = GO / GG, blocks = (opg + CONV_BLOCK - 1) / CONV_BLOCK;
    const int v = get_global_id(0), b = get_global_id(1), n = get_global_id(2);
    const int p0 = v * CONV_VEC;
    if (p0 >= GOH * wp || b >= GG * blocks || n >= GN) return;
    const int group = b / blocks, first = group * opg + (b % blocks) * CONV_BLOCK, last = group * opg + opg - 1;
    __global const float *plane = xp + xp_off + (n * GC + group * cpg) * hp * wp + p0;
    __global const float *q = wpk + b * cpg * GKH * GKW * CONV_BLOCK;
    CK_FOR_BLOCK(CK_ZERO)
    for (int c = 0; c < cpg; c++, plane += hp * wp) {
        for (int kh = 0; kh < GKH; kh++) {
            __global const float *p = plane + kh * GDH * wp;
            for (int kw = 0; kw < GKW; kw++, p += GDW, q += CONV_BLOCK) {
                floatV in = vloadV(0, p);
                CK_FOR_BLOCK(CK_FMA)
            }
        }
    }
    const int plane_out = GOH * GOW, oh0 = p0 / wp, ow0 = p0 % wp;
    __global float *dst = y + y_off + (n * GO + first) * plane_out;
#define CK_STORE_FLAT(i)                                                                                \
    if (first + i <= last) {                                                                           \
        float lanes[CONV_VEC];                                                                         \
        vstoreV(ck_activate_v(acc##i + (has_bias ? bias[bias_off + first + i] : 0.0f), act, alpha), 0, lanes); \
        __global float *d = dst + i * plane_out;                                                       \
        for (int j = 0, oh = oh0, ow = ow0; j < CONV_VEC && oh < GOH; j++) {                           \
            if (ow < GOW) d[oh * GOW + ow] = ck_accumulate(lanes[j], beta, d + oh * GOW + ow);         \
            if (++ow == wp) ow = 0, oh++;                                                             \
        }                                                                                              \
    }
    CK_FOR_BLOCK(CK_STORE_FLAT)
}

/* Output and input channels of the 4 x 4 register tile of conv2d_backward_weights_vec. */
#define WGT_O 4
#define WGT_C 4
#define CK_WGT_TILE(M) M(0, 0) M(0, 1) M(0, 2) M(0, 3) M(1, 0) M(1, 1) M(1, 2) M(1, 3) \
                       M(2, 0) M(2, 1) M(2, 2) M(2, 3) M(3, 0) M(3, 1) M(3, 2) M(3, 3)

/**
 * dw = dy * patches(x)^T + beta * dw on vectors of output columns: work
 * item (cb, ob, tap) computes dw[o, c, kh, kw] for a 4 x 4 tile of output
 * channels o (block ob of ceil(O/G / 4) per group, over all groups) and
 * input channels c (block cb of that group's ceil(C/G / 4)) at one tap, summing
 * over n, oh and the vectors of a row: one vector load of dy per output
 * channel, one of the padded input row per input channel (at stride SW),
 * sixteen fused multiply-adds, then the lanes of each accumulator added up.
 * dyp: dy with rows of ceil(OW / CONV_VEC) * CONV_VEC, zeros past OW
 * (conv2d_pad_input, or dy itself when OW is a multiple of CONV_VEC); xp:
 * the padded input of conv2d_forward_vec (hp x wp planes). Split over the
 * batch: item (.., .., chunk * KH * KW + tap) sums images chunk * `images`
 * ... into partial (chunks, O, C/G, KH, KW) when there is more than one
 * chunk (conv2d_sum_partials adds them up), else into dw (+ beta * dw;
 * partial is then NULL). Launch: global (ceil(C/G / 4), G * ceil(O/G / 4),
 * chunks * KH * KW), local (1, 1, KH * KW): the taps of a tile and chunk run
 * one after the other on one core, reading the same images from its cache.
 */
__kernel void conv2d_backward_weights_vec(int16 g, int hp, int wp, __global const float *xp, int xp_off,
                                          __global const float *dyp, int dyp_off, int images,
                                          __global float *partial, float beta, __global float *dw, int dw_off) {
    const int cpg = GC / GG, opg = GO / GG, cblocks = (cpg + WGT_C - 1) / WGT_C, oblocks = (opg + WGT_O - 1) / WGT_O;
    const int cb = get_global_id(0), ob = get_global_id(1), tap = get_global_id(2) % (GKH * GKW);
    const int chunk = get_global_id(2) / (GKH * GKW);
    if (cb >= cblocks || ob >= GG * oblocks || chunk * images >= GN) return;
    const int group = ob / oblocks, o0 = ob % oblocks * WGT_O, c0 = cb * WGT_C, kh = tap / GKW, kw = tap % GKW;
    const int vectors = (GOW + CONV_VEC - 1) / CONV_VEC, pitch = vectors * CONV_VEC;
    /* Rows of the tile's channels, clamped to the group (the extra ones are computed, not stored). */
    int orow[WGT_O], crow[WGT_C];
    for (int i = 0; i < WGT_O; i++) orow[i] = group * opg + min(o0 + i, opg - 1);
    for (int j = 0; j < WGT_C; j++) crow[j] = group * cpg + min(c0 + j, cpg - 1);
#define CK_WGT_ZERO(i, j) floatV acc##i##j = (floatV)(0.0f);
    CK_WGT_TILE(CK_WGT_ZERO)
    for (int n = chunk * images; n < min(GN, (chunk + 1) * images); n++) {
        for (int oh = 0; oh < GOH; oh++) {
            __global const float *d0 = dyp + dyp_off + ((n * GO + orow[0]) * GOH + oh) * pitch;
            __global const float *d1 = dyp + dyp_off + ((n * GO + orow[1]) * GOH + oh) * pitch;
            __global const float *d2 = dyp + dyp_off + ((n * GO + orow[2]) * GOH + oh) * pitch;
            __global const float *d3 = dyp + dyp_off + ((n * GO + orow[3]) * GOH + oh) * pitch;
            const int at = (oh * GSH + kh * GDH) * wp + kw * GDW;
            __global const float *x0 = xp + xp_off + (n * GC + crow[0]) * hp * wp + at;
            __global const float *x1 = xp + xp_off + (n * GC + crow[1]) * hp * wp + at;
            __global const float *x2 = xp + xp_off + (n * GC + crow[2]) * hp * wp + at;
            __global const float *x3 = xp + xp_off + (n * GC + crow[3]) * hp * wp + at;
            for (int v = 0; v < vectors; v++) {
                const int col = v * CONV_VEC, xcol = col * GSW;
                floatV dv0 = vloadV(0, d0 + col), dv1 = vloadV(0, d1 + col), dv2 = vloadV(0, d2 + col),
                       dv3 = vloadV(0, d3 + col);
                floatV xv0, xv1, xv2, xv3;
                if (GSW == 1) {
                    xv0 = vloadV(0, x0 + xcol), xv1 = vloadV(0, x1 + xcol), xv2 = vloadV(0, x2 + xcol),
                    xv3 = vloadV(0, x3 + xcol);
                } else if (GSW == 2) {
                    xv0 = LOAD_STRIDE2(x0 + xcol), xv1 = LOAD_STRIDE2(x1 + xcol), xv2 = LOAD_STRIDE2(x2 + xcol),
                    xv3 = LOAD_STRIDE2(x3 + xcol);
                } else {
                    xv0 = load_strided(x0 + xcol, GSW), xv1 = load_strided(x1 + xcol, GSW),
                    xv2 = load_strided(x2 + xcol, GSW), xv3 = load_strided(x3 + xcol, GSW);
                }
#define CK_WGT_FMA(i, j) acc##i##j = fma(dv##i, xv##j, acc##i##j);
                CK_WGT_TILE(CK_WGT_FMA)
            }
        }
    }
    const int taps = GKH * GKW;
    __global float *out = partial ? partial + chunk * GO * cpg * taps : dw + dw_off;
#define CK_WGT_STORE(i, j)                                                                              \
    if (o0 + i < opg && c0 + j < cpg) {                                                                \
        __global float *d = out + ((group * opg + o0 + i) * cpg + c0 + j) * taps + tap;                \
        *d = partial ? lane_sum(acc##i##j) : ck_accumulate(lane_sum(acc##i##j), beta, d);              \
    }
    CK_WGT_TILE(CK_WGT_STORE)
}
