/*
 * batchnorm.cl — batch normalization over (N, H, W) per channel, forward
 * (training and inference) and backward; one work group of GROUP items per
 * channel, which reduces the channel's m = N*H*W values in local memory.
 *
 * x, y, dy, dx: (N, C, H, W), element (b, c, i) at (b * C + c) * plane + i;
 * gamma, beta, running_*, saved_*, dgamma, dbeta: (C).
 * Forward, training: mean = sum(x) / m, var = sum((x - mean)^2) / m (two
 *   passes), running = (1 - momentum) * running + momentum * batch statistic
 *   (the variance unbiased, * m / (m - 1)) when has_running; inference: the
 *   running statistics. invstd = 1 / sqrt(var + eps); saved_mean = mean,
 *   saved_invstd = invstd; y = (x - mean) * (gamma * invstd) + beta.
 * Backward, xhat = (x - saved_mean) * saved_invstd: dgamma = sum(dy * xhat),
 *   dbeta = sum(dy); training: dx = gamma * invstd / m * (m * dy - sum(dy)
 *   - xhat * sum(dy * xhat)); inference: dx = dy * gamma * invstd; each + beta_acc * old.
 * In place is safe: y may be x, the saved statistics may be the running ones
 * (every item has read what it needs before item 0 writes them).
 * batchnorm_forward and batchnorm_backward (GPUs): launch global C * GROUP, local GROUP. Devices whose
 * tuning sets CONV_VEC run the plane kernels below instead.
 * Defines: GROUP (work-group size, a power of two), CONV_VEC (0: no plane kernels; else 4, 8 or 16).
 */

/* Sum of `value` over the work group (every item gets it). */
inline float group_sum(float value, __local float *scratch) {
    int l = get_local_id(0);
    scratch[l] = value;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int s = GROUP / 2; s > 0; s >>= 1) {
        if (l < s) scratch[l] += scratch[l + s];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    float sum = scratch[0];
    barrier(CLK_LOCAL_MEM_FENCE);
    return sum;
}

/* Every element (b, c, i) of channel c an item takes: images b, then i = l, l + GROUP, ... in the plane (no divisions). */
#define BN_FOR_ITEM for (int b = 0; b < batch; b++) for (int i = l; i < plane; i += GROUP)
#define BN_AT(t, off) t[(off) + (b * channels + c) * plane + i]

/*
 * A channel's statistics out: the running mean and unbiased variance moved toward the batch's when `update`
 * (PyTorch's momentum convention, m values per channel), and the saved mean and 1 / sqrt(var + eps).
 */
inline void store_statistics(int update, float momentum, int m, float mean, float var, float invstd,
                             __global float *running_mean, __global float *running_var, __global float *saved_mean,
                             __global float *saved_invstd) {
    if (update) {
        *running_mean = (1.0f - momentum) * *running_mean + momentum * mean;
        *running_var = (1.0f - momentum) * *running_var + momentum * (var * (float)m / (float)(m - 1));
    }
    *saved_mean = mean;
    *saved_invstd = invstd;
}

__kernel __attribute__((reqd_work_group_size(GROUP, 1, 1)))
void batchnorm_forward(int batch, int channels, int plane, float epsilon, float momentum, int training,
                       int has_running, __global const float *x, int x_off, __global const float *gamma, int gamma_off,
                       __global const float *beta, int beta_off, __global float *running_mean, int rm_off,
                       __global float *running_var, int rv_off, __global float *saved_mean, int sm_off,
                       __global float *saved_invstd, int si_off, __global float *y, int y_off) {
    __local float scratch[GROUP];
    const int c = get_group_id(0), l = get_local_id(0), m = batch * plane;
    float mean, var;
    if (training) {
        float sum = 0.0f;
        BN_FOR_ITEM sum += BN_AT(x, x_off);
        mean = group_sum(sum, scratch) / (float)m;
        float squares = 0.0f;
        BN_FOR_ITEM {
            float d = BN_AT(x, x_off) - mean;
            squares += d * d;
        }
        var = group_sum(squares, scratch) / (float)m;
    } else {
        mean = running_mean[rm_off + c];
        var = running_var[rv_off + c];
    }
    float invstd = 1.0f / sqrt(var + epsilon);
    float scale = gamma[gamma_off + c] * invstd, shift = beta[beta_off + c];
    barrier(CLK_GLOBAL_MEM_FENCE); /* every item has read the running statistics */
    if (l == 0) {
        store_statistics(training && has_running, momentum, m, mean, var, invstd, running_mean + rm_off + c,
                         running_var + rv_off + c, saved_mean + sm_off + c, saved_invstd + si_off + c);
    }
    BN_FOR_ITEM BN_AT(y, y_off) = (BN_AT(x, x_off) - mean) * scale + shift;
}

__kernel __attribute__((reqd_work_group_size(GROUP, 1, 1)))
void batchnorm_backward(int batch, int channels, int plane, int training, __global const float *x, int x_off,
                        __global const float *dy, int dy_off, __global const float *gamma, int gamma_off,
                        __global const float *saved_mean, int sm_off, __global const float *saved_invstd, int si_off,
                        float beta_acc, __global float *dx, int dx_off, int has_dgamma, __global float *dgamma,
                        int dgamma_off, int has_dbeta, __global float *dbeta, int dbeta_off) {
    __local float scratch[GROUP];
    const int c = get_group_id(0), l = get_local_id(0), m = batch * plane;
    const float mean = saved_mean[sm_off + c], invstd = saved_invstd[si_off + c], g = gamma[gamma_off + c];
    float sum_dy = 0.0f, sum_dy_xhat = 0.0f;
    BN_FOR_ITEM {
        float d = BN_AT(dy, dy_off);
        sum_dy += d;
        sum_dy_xhat += d * ((BN_AT(x, x_off) - mean) * invstd);
    }
    sum_dy = group_sum(sum_dy, scratch);
    sum_dy_xhat = group_sum(sum_dy_xhat, scratch);
    if (l == 0 && has_dgamma) dgamma[dgamma_off + c] = ck_accumulate(sum_dy_xhat, beta_acc, dgamma + dgamma_off + c);
    if (l == 0 && has_dbeta) dbeta[dbeta_off + c] = ck_accumulate(sum_dy, beta_acc, dbeta + dbeta_off + c);
    const float a = g * invstd;
    BN_FOR_ITEM {
        float d = BN_AT(dy, dy_off), r;
        if (training) {
            float xhat = (BN_AT(x, x_off) - mean) * invstd;
            r = a / (float)m * ((float)m * d - sum_dy - xhat * sum_dy_xhat);
        } else {
            r = d * a;
        }
        int index = dx_off + (b * channels + c) * plane + i;
        dx[index] = ck_accumulate(r, beta_acc, dx + index);
    }
}

#if CONV_VEC > 0
/*
 * Devices whose tuning sets CONV_VEC (CPU devices) run batch norm in three launches over whole planes, each
 * item streaming one plane (b, c) of x (N*C items, plane q = b * C + c in memory order) or one channel (C
 * items) in vectors of CONV_VEC, with per-plane partial sums in scratch ((C, N, 2) floats: `partial`) and
 * no division per element. Forward: batchnorm_plane_stats, batchnorm_channel_stats, batchnorm_normalize;
 * backward: batchnorm_plane_grad_sums, batchnorm_channel_grads, batchnorm_backward_dx.
 */

/**
 * partial[c, b] = (sum of plane (b, c) of x, sum of squares of its deviations from the plane's mean).
 * Launch: global (N*C).
 */
__kernel void batchnorm_plane_stats(int batch, int channels, int plane, __global const float *x, int x_off,
                                    __global float *partial) {
    int q = get_global_id(0);
    if (q >= batch * channels) return;
    const int c = q % channels, b = q / channels;
    __global const float *in = x + x_off + q * plane;
    floatV acc = (floatV)(0.0f);
    for (int i = 0; i < plane; i += CONV_VEC) acc += load_lanes(in, i, 1, plane, 0.0f);
    const float sum = lane_sum(acc), mean = sum / (float)plane;
    acc = (floatV)(0.0f);
    for (int i = 0; i < plane; i += CONV_VEC) {
        floatV d = load_lanes(in, i, 1, plane, mean) - (floatV)(mean); /* lanes past the plane: 0 */
        acc = fma(d, d, acc);
    }
    partial[2 * (c * batch + b)] = sum;
    partial[2 * (c * batch + b) + 1] = lane_sum(acc);
}

/**
 * Channel c's mean and invstd (training: from its planes' partial statistics, images in order, the squares
 * of deviations combined as sum (squares_b + plane * (mean_b - mean)^2); inference: the running
 * statistics), the running update, saved_mean and saved_invstd, as batchnorm_forward. Launch: global (C).
 */
__kernel void batchnorm_channel_stats(int batch, int channels, int plane, float epsilon, float momentum, int training,
                                      int has_running, __global const float *partial, __global float *running_mean,
                                      int rm_off, __global float *running_var, int rv_off, __global float *saved_mean,
                                      int sm_off, __global float *saved_invstd, int si_off) {
    int c = get_global_id(0);
    if (c >= channels) return;
    const int m = batch * plane;
    __global const float *part = partial + 2 * c * batch;
    float mean, var;
    if (training) {
        float sum = 0.0f, squares = 0.0f;
        for (int b = 0; b < batch; b++) sum += part[2 * b];
        mean = sum / (float)m;
        for (int b = 0; b < batch; b++) {
            float d = part[2 * b] / (float)plane - mean;
            squares += part[2 * b + 1] + (float)plane * d * d;
        }
        var = squares / (float)m;
    } else {
        mean = running_mean[rm_off + c];
        var = running_var[rv_off + c];
    }
    float invstd = 1.0f / sqrt(var + epsilon);
    store_statistics(training && has_running, momentum, m, mean, var, invstd, running_mean + rm_off + c,
                     running_var + rv_off + c, saved_mean + sm_off + c, saved_invstd + si_off + c);
}

/** Plane q of y = (x - saved_mean) * (gamma * saved_invstd) + beta (y may be x). Launch: global (N*C). */
__kernel void batchnorm_normalize(int batch, int channels, int plane, __global const float *x, int x_off,
                                  __global const float *gamma, int gamma_off, __global const float *beta, int beta_off,
                                  __global const float *saved_mean, int sm_off, __global const float *saved_invstd,
                                  int si_off, __global float *y, int y_off) {
    int q = get_global_id(0);
    if (q >= batch * channels) return;
    const int c = q % channels;
    const floatV mean = (floatV)(saved_mean[sm_off + c]), shift = (floatV)(beta[beta_off + c]);
    const floatV scale = (floatV)(gamma[gamma_off + c] * saved_invstd[si_off + c]);
    __global const float *in = x + x_off + q * plane;
    __global float *out = y + y_off + q * plane;
    for (int i = 0; i < plane; i += CONV_VEC)
        store_lanes(fma(load_lanes(in, i, 1, plane, 0.0f) - mean, scale, shift), 0.0f, out + i, plane - i);
}

/** partial[c, b] = (sum of dy, sum of dy * (x - saved_mean)) over plane (b, c). Launch: global (N*C). */
__kernel void batchnorm_plane_grad_sums(int batch, int channels, int plane, __global const float *x, int x_off,
                                        __global const float *dy, int dy_off, __global const float *saved_mean,
                                        int sm_off, __global float *partial) {
    int q = get_global_id(0);
    if (q >= batch * channels) return;
    const int c = q % channels, b = q / channels;
    const floatV mean = (floatV)(saved_mean[sm_off + c]);
    __global const float *in = x + x_off + q * plane, *grad = dy + dy_off + q * plane;
    floatV sum_dy = (floatV)(0.0f), sum_dy_centered = (floatV)(0.0f);
    for (int i = 0; i < plane; i += CONV_VEC) {
        floatV d = load_lanes(grad, i, 1, plane, 0.0f); /* lanes past the plane: 0 */
        sum_dy += d;
        sum_dy_centered = fma(d, load_lanes(in, i, 1, plane, 0.0f) - mean, sum_dy_centered);
    }
    partial[2 * (c * batch + b)] = lane_sum(sum_dy);
    partial[2 * (c * batch + b) + 1] = lane_sum(sum_dy_centered);
}

/**
 * Channel c's sums over its planes (images in order): dbeta = sum dy, dgamma = sum dy * xhat (each + beta_acc
 * * old), and, for batchnorm_backward_dx in training, sum dy / m and sum dy * xhat * invstd / m over
 * partial[c, 0]. Launch: global (C).
 */
__kernel void batchnorm_channel_grads(int batch, int channels, int plane, int training,
                                      __global const float *saved_invstd, int si_off, __global float *partial,
                                      float beta_acc, int has_dgamma, __global float *dgamma, int dgamma_off,
                                      int has_dbeta, __global float *dbeta, int dbeta_off) {
    int c = get_global_id(0);
    if (c >= channels) return;
    const float m = (float)(batch * plane), invstd = saved_invstd[si_off + c];
    __global float *part = partial + 2 * c * batch;
    float sum_dy = 0.0f, sum_dy_centered = 0.0f;
    for (int b = 0; b < batch; b++) {
        sum_dy += part[2 * b];
        sum_dy_centered += part[2 * b + 1];
    }
    const float sum_dy_xhat = sum_dy_centered * invstd;
    if (has_dgamma) dgamma[dgamma_off + c] = ck_accumulate(sum_dy_xhat, beta_acc, dgamma + dgamma_off + c);
    if (has_dbeta) dbeta[dbeta_off + c] = ck_accumulate(sum_dy, beta_acc, dbeta + dbeta_off + c);
    if (training) {
        part[0] = sum_dy / m;
        part[1] = sum_dy_xhat * invstd / m;
    }
}

/**
 * Plane q of dx = gamma * invstd * (dy - sum dy / m - (x - mean) * (sum dy * xhat * invstd / m)) in
 * training (the two channel terms from batchnorm_channel_grads in partial[c, 0]), gamma * invstd * dy in
 * inference; + beta_acc * dx. Launch: global (N*C).
 */
__kernel void batchnorm_backward_dx(int batch, int channels, int plane, int training, __global const float *x,
                                    int x_off, __global const float *dy, int dy_off, __global const float *gamma,
                                    int gamma_off, __global const float *saved_mean, int sm_off,
                                    __global const float *saved_invstd, int si_off, __global const float *partial,
                                    float beta_acc, __global float *dx, int dx_off) {
    int q = get_global_id(0);
    if (q >= batch * channels) return;
    const int c = q % channels;
    const floatV a = (floatV)(gamma[gamma_off + c] * saved_invstd[si_off + c]), mean = (floatV)(saved_mean[sm_off + c]);
    floatV mean_dy = (floatV)(0.0f), k = (floatV)(0.0f);
    if (training) {
        mean_dy = (floatV)(partial[2 * c * batch]);
        k = (floatV)(partial[2 * c * batch + 1]);
    }
    __global const float *in = x + x_off + q * plane, *grad = dy + dy_off + q * plane;
    __global float *out = dx + dx_off + q * plane;
    for (int i = 0; i < plane; i += CONV_VEC) {
        floatV d = load_lanes(grad, i, 1, plane, 0.0f);
        floatV r = training ? a * (d - mean_dy - (load_lanes(in, i, 1, plane, 0.0f) - mean) * k) : a * d;
        store_lanes(r, beta_acc, out + i, plane - i);
    }
}
#endif
