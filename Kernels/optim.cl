/*
 * optim.cl — SGD, Adam / AdamW (optionally AMSGrad) and RMSprop updates, in
 * place, one work item per element, PyTorch's formulas in the CPU backend's
 * float32 order (the host rounds the scalar factors from double once, as
 * cpu_optim.c does):
 *
 * SGD:  g = grad + wd * param;
 *       with momentum: buf = first_step ? g : momentum * buf + keep * g  (keep = 1 - dampening),
 *                      g = nesterov ? g + momentum * buf : buf;
 *       param -= lr * g.
 * Adam: AdamW: param *= decay_factor (1 - lr * wd); Adam: g = grad + wd * param;
 *       m = b1 * m + (1 - b1) * g;  v = b2 * v + (1 - b2) * g * g;
 *       AMSGrad: v_max = max(v_max, v), which then stands for v below;
 *       param -= step_size * m / (sqrt(v) / bias2_sqrt + eps)
 *       (step_size = lr / (1 - b1^step), bias2_sqrt = sqrt(1 - b2^step)).
 * RMSprop: g = grad + wd * param; s = alpha * s + keep * g * g  (keep = 1 - alpha);
 *       centered: a = alpha * a + keep * g, avg = sqrt(s - a * a) + eps; else avg = sqrt(s) + eps;
 *       momentum > 0: buf = momentum * buf + g / avg, param -= lr * buf; else param -= lr * (g / avg).
 * param, grad and every state tensor: n elements each. Defines: none.
 */

/** SGD step; has_velocity == 0 (momentum 0): velocity is not touched. */
__kernel void sgd_update(int n, float lr, float weight_decay, float momentum, float keep, int nesterov, int first_step,
                         __global float *param, int param_off, __global const float *grad, int grad_off,
                         int has_velocity, __global float *velocity, int velocity_off) {
    int i = get_global_id(0);
    if (i >= n) return;
    float p = param[param_off + i], g = grad[grad_off + i];
    if (weight_decay != 0.0f) g = g + weight_decay * p;
    if (has_velocity) {
        float buf = first_step ? g : momentum * velocity[velocity_off + i] + keep * g;
        velocity[velocity_off + i] = buf;
        g = nesterov ? g + momentum * buf : buf;
    }
    param[param_off + i] = p - lr * g;
}

/** Adam (decoupled == 0) or AdamW (decoupled != 0) step; amsgrad == 0: v_max is not touched. */
__kernel void adam_update(int n, float step_size, float bias2_sqrt, float epsilon, float beta1, float beta1_keep,
                          float beta2, float beta2_keep, float weight_decay, float decay_factor, int decoupled,
                          __global float *param, int param_off, __global const float *grad, int grad_off,
                          __global float *m, int m_off, __global float *v, int v_off, int amsgrad,
                          __global float *v_max, int v_max_off) {
    int i = get_global_id(0);
    if (i >= n) return;
    float p = param[param_off + i], g = grad[grad_off + i];
    if (decoupled) p = p * decay_factor;
    else if (weight_decay != 0.0f) g = g + weight_decay * p;
    float mi = beta1 * m[m_off + i] + beta1_keep * g;
    float vi = beta2 * v[v_off + i] + beta2_keep * g * g;
    m[m_off + i] = mi;
    v[v_off + i] = vi;
    if (amsgrad) {
        float most = v_max[v_max_off + i];
        vi = most > vi ? most : vi;
        v_max[v_max_off + i] = vi;
    }
    param[param_off + i] = p - step_size * (mi / (sqrt(vi) / bias2_sqrt + epsilon));
}

/** RMSprop step; centered == 0: grad_avg is not touched, has_buffer == 0: buffer is not touched. */
__kernel void rmsprop_update(int n, float lr, float alpha, float keep, float epsilon, float weight_decay,
                             float momentum, __global float *param, int param_off, __global const float *grad,
                             int grad_off, __global float *square_avg, int square_avg_off, int centered,
                             __global float *grad_avg, int grad_avg_off, int has_buffer, __global float *buffer,
                             int buffer_off) {
    int i = get_global_id(0);
    if (i >= n) return;
    float g = grad[grad_off + i];
    if (weight_decay != 0.0f) g = g + weight_decay * param[param_off + i];
    float s = alpha * square_avg[square_avg_off + i] + keep * (g * g);
    square_avg[square_avg_off + i] = s;
    if (centered) {
        float a = alpha * grad_avg[grad_avg_off + i] + keep * g;
        grad_avg[grad_avg_off + i] = a;
        s = s - a * a;
    }
    float step = g / (sqrt(s) + epsilon);
    if (has_buffer) {
        step = momentum * buffer[buffer_off + i] + step;
        buffer[buffer_off + i] = step;
    }
    param[param_off + i] = param[param_off + i] - lr * step;
}
