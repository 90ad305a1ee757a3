/*
 * conv2d_depthwise.cl — conv2d with one input channel per group (depthwise,
 * with any number of output channels per group), on vectors of CONV_VEC
 * adjacent positions along a row, for devices whose tuning sets CONV_VEC
 * (CPU devices such as PoCL). A work item walks a whole row in vectors; a
 * load is one vector load where the row holds every lane, lane by lane
 * (zeros outside the row) at the edges and for strides above 1.
 *  - conv2d_depthwise_forward: act(y (+ bias)) + beta * y, a row of y per item;
 *  - conv2d_depthwise_backward_data: dx + beta * dx, a row of dx per item;
 *  - conv2d_depthwise_backward_weights: per image sums into `partial`, a tap
 *    of one image and channel per item; conv2d_sum_partials
 *    (common/sum_partials.cl) adds the images up.
 * Arguments as conv2d.cl's direct kernels (the same host argument lists);
 * geometry in common/conv_geometry.cl; vectors and their loads in
 * common/vector.cl. Defines: CONV_VEC (4, 8 or 16).
 */
/**
 * y[n, o, oh, :] = act(sum over taps of x[n, o / (O/C), ...] * w[o, 0, ...] (+ bias[o])) + beta * y.
 * Launch: global (OH, N * O), any group size.
 */
__kernel void conv2d_depthwise_forward(int16 g, __global const float *x, int x_off, __global const float *w,
                                       int w_off, int has_bias, __global const float *bias, int bias_off, float beta,
                                       __global float *y, int y_off, int act, float alpha) {
    const int oh = get_global_id(0), plane = get_global_id(1);
    if (oh >= GOH || plane >= GN * GO) return;
    const int n = plane / GO, o = plane % GO, c = o / (GO / GC);
    __global const float *xc = x + x_off + (n * GC + c) * GH * GW;
    __global const float *taps = w + w_off + o * GKH * GKW;
    __global float *out = y + y_off + (plane * GOH + oh) * GOW;
    const float b = has_bias ? bias[bias_off + o] : 0.0f;
    for (int ow0 = 0; ow0 < GOW; ow0 += CONV_VEC) {
        floatV acc = (floatV)(0.0f);
        for (int kh = 0; kh < GKH; kh++) {
            int ih = oh * GSH - GPT + kh * GDH;
            if (ih < 0 || ih >= GH) continue;
            for (int kw = 0; kw < GKW; kw++)
                acc = fma(load_lanes(xc + ih * GW, ow0 * GSW - GPL + kw * GDW, GSW, GW, 0.0f), (floatV)(taps[kh * GKW + kw]),
                          acc);
        }
        store_lanes(ck_activate_v(acc + b, act, alpha), beta, out + ow0, GOW - ow0);
    }
}

/**
 * dx[n, c, ih, :] = sum over the group's outputs o and the taps that read (ih, iw) of dy * w + beta * dx.
 * Launch: global (H, N * C), any group size.
 */
__kernel void conv2d_depthwise_backward_data(int16 g, __global const float *w, int w_off, __global const float *dy,
                                             int dy_off, float beta, __global float *dx, int dx_off) {
    const int ih = get_global_id(0), plane = get_global_id(1);
    if (ih >= GH || plane >= GN * GC) return;
    const int n = plane / GC, c = plane % GC, opg = GO / GC;
    __global float *out = dx + dx_off + (plane * GH + ih) * GW;
    for (int iw0 = 0; iw0 < GW; iw0 += CONV_VEC) {
        floatV acc = (floatV)(0.0f);
        for (int oo = 0; oo < opg; oo++) {
            const int o = c * opg + oo;
            __global const float *dyo = dy + dy_off + (n * GO + o) * GOH * GOW;
            __global const float *taps = w + w_off + o * GKH * GKW;
            for (int kh = 0; kh < GKH; kh++) {
                int th = ih + GPT - kh * GDH; /* oh * SH */
                if (th < 0 || th % GSH != 0 || th / GSH >= GOH) continue;
                __global const float *row = dyo + th / GSH * GOW;
                for (int kw = 0; kw < GKW; kw++) {
                    int tw = iw0 + GPL - kw * GDW; /* ow * SW of lane 0 */
                    floatV d;
                    if (GSW == 1) {
                        d = load_lanes(row, tw, 1, GOW, 0.0f);
                    } else {
                        float v[CONV_VEC];
                        for (int j = 0; j < CONV_VEC; j++) {
                            int t = tw + j;
                            v[j] = t >= 0 && t % GSW == 0 && t / GSW < GOW ? row[t / GSW] : 0.0f;
                        }
                        d = vloadV(0, v);
                    }
                    acc = fma(d, (floatV)(taps[kh * GKW + kw]), acc);
                }
            }
        }
        store_lanes(acc, beta, out + iw0, GW - iw0);
    }
}

/**
 * partial[n, o, kh, kw] = sum over (oh, ow) of dy[n, o, oh, ow] * x[n, o / (O/C), oh * SH - PT + kh * DH,
 * ow * SW - PL + kw * DW] (zero outside x).
 * Launch: global (KH * KW, N * O), local (KH * KW, 1) when that fits: the taps of one plane share its rows.
 */
__kernel void conv2d_depthwise_backward_weights(int16 g, __global const float *x, int x_off, __global const float *dy,
                                                int dy_off, __global float *partial) {
    const int tap = get_global_id(0), plane = get_global_id(1), taps = GKH * GKW;
    if (tap >= taps || plane >= GN * GO) return;
    const int n = plane / GO, o = plane % GO, c = o / (GO / GC), kh = tap / GKW, kw = tap % GKW;
    __global const float *xc = x + x_off + (n * GC + c) * GH * GW;
    __global const float *dyo = dy + dy_off + plane * GOH * GOW;
    floatV acc = (floatV)(0.0f);
    for (int oh = 0; oh < GOH; oh++) {
        int ih = oh * GSH - GPT + kh * GDH;
        if (ih < 0 || ih >= GH) continue;
        for (int ow0 = 0; ow0 < GOW; ow0 += CONV_VEC) {
            floatV d = load_lanes(dyo + oh * GOW, ow0, 1, GOW, 0.0f); /* zeros past the row: those lanes add nothing */
            acc = fma(d, load_lanes(xc + ih * GW, ow0 * GSW - GPL + kw * GDW, GSW, GW, 0.0f), acc);
        }
    }
    float v[CONV_VEC], sum = 0.0f;
    vstoreV(acc, 0, v);
    for (int j = 0; j < CONV_VEC; j++) sum += v[j];
    partial[plane * taps + tap] = sum;
}
