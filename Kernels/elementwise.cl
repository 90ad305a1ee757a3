/*
 * elementwise.cl — same-shape elementwise ops, activations and bias, over
 * flat element ranges: one work item per element (per channel for
 * bias_backward). Defines: none.
 */

/** y[i] = value; y: n elements. */
__kernel void fill(int n, float value, __global float *y, int y_off) {
    int i = get_global_id(0);
    if (i < n) y[y_off + i] = value;
}

/** y[i] = alpha * a[i] + beta * b[i]; y may be a or b exactly. */
__kernel void add(int n, float alpha, __global const float *a, int a_off, float beta, __global const float *b,
                  int b_off, __global float *y, int y_off) {
    int i = get_global_id(0);
    if (i < n) y[y_off + i] = alpha * a[a_off + i] + beta * b[b_off + i];
}

/** y[i] = a[i] * b[i] */
__kernel void mul(int n, __global const float *a, int a_off, __global const float *b, int b_off, __global float *y,
                  int y_off) {
    int i = get_global_id(0);
    if (i < n) y[y_off + i] = a[a_off + i] * b[b_off + i];
}

/** y[i] = alpha * x[i] */
__kernel void scale(int n, float alpha, __global const float *x, int x_off, __global float *y, int y_off) {
    int i = get_global_id(0);
    if (i < n) y[y_off + i] = alpha * x[x_off + i];
}

/** y[i] += alpha * x[i] */
__kernel void axpy(int n, float alpha, __global const float *x, int x_off, __global float *y, int y_off) {
    int i = get_global_id(0);
    if (i < n) y[y_off + i] = alpha * x[x_off + i] + y[y_off + i];
}

/** y[i] = f(x[i]). relu(NaN) = NaN and relu(-0) = -0, as the CPU backend. */
__kernel void activation_forward(int n, int act, float alpha, __global const float *x, int x_off, __global float *y,
                                 int y_off) {
    int i = get_global_id(0);
    if (i >= n) return;
    y[y_off + i] = ck_activate(x[x_off + i], act, alpha);
}

/** dx[i] = f'(x[i]) * dy[i] + beta * dx[i]; relu'(0) = 0; sigmoid' and tanh' from x. */
__kernel void activation_backward(int n, int act, float alpha, __global const float *x, int x_off,
                                  __global const float *dy, int dy_off, float beta, __global float *dx, int dx_off) {
    int i = get_global_id(0);
    if (i >= n) return;
    float v = x[x_off + i], g = dy[dy_off + i];
    float r;
    if (act == CK_ACT_RELU) r = v > 0.0f ? g : 0.0f;
    else if (act == CK_ACT_LEAKY_RELU) r = v > 0.0f ? g : alpha * g;
    else if (act == CK_ACT_SIGMOID) {
        float s = 1.0f / (1.0f + exp(-v));
        r = g * (s * (1.0f - s));
    } else {
        float t = tanh(v);
        r = g * (1.0f - t * t);
    }
    dx[dx_off + i] = ck_accumulate(r, beta, dx + dx_off + i);
}

/** y = x + bias[c] for x, y viewed as (outer, channels, inner); one work item per element. */
__kernel void bias_add(int n, int channels, int inner, __global const float *x, int x_off, __global const float *bias,
                       int bias_off, __global float *y, int y_off) {
    int i = get_global_id(0);
    if (i < n) y[y_off + i] = x[x_off + i] + bias[bias_off + (i / inner) % channels];
}

/**
 * dbias[c] = sum of dy over (outer, inner) + beta * dbias[c], for dy viewed as
 * (outer, channels, inner); one work item per channel.
 */
__kernel void channel_sum(int outer, int channels, int inner, __global const float *dy, int dy_off, float beta,
                          __global float *dbias, int dbias_off) {
    int c = get_global_id(0);
    if (c >= channels) return;
    float sum = 0.0f;
    for (int o = 0; o < outer; o++) {
        __global const float *row = dy + dy_off + (o * channels + c) * inner;
        for (int i = 0; i < inner; i++) sum += row[i];
    }
    dbias[dbias_off + c] = ck_accumulate(sum, beta, dbias + dbias_off + c);
}
