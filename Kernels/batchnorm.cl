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
 * Defines: GROUP (work-group size, a power of two).
 * Launch: global C * GROUP, local GROUP.
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
        if (training && has_running) {
            running_mean[rm_off + c] = (1.0f - momentum) * running_mean[rm_off + c] + momentum * mean;
            running_var[rv_off + c] =
                (1.0f - momentum) * running_var[rv_off + c] + momentum * (var * (float)m / (float)(m - 1));
        }
        saved_mean[sm_off + c] = mean;
        saved_invstd[si_off + c] = invstd;
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
