/*
 * loss.cl — mean softmax cross-entropy with label smoothing s, forward and
 * backward.
 *
 * logits, probs, dlogits: (N, K), row-major; labels: (N) int; target =
 * (1 - s) * onehot(label) + s / K. Per row, with max = max_k z_k and
 * sum = sum_k exp(z_k - max):
 *   probs_k  = exp(z_k - max) / sum
 *   row loss = sum_k target_k (log(sum) + max - z_k)
 *            = log(sum) + (1 - s) (max - z_label) + (s / K) sum_k (max - z_k)
 * (differences to the row's max: no cancellation between large numbers);
 * loss = mean of the row losses. Backward: dlogits = scale * (probs - target)
 * + beta * dlogits, with scale = loss_grad / N, on = (1 - s) + s / K and
 * off = s / K from the host.
 *
 * Labels are checked on the device, without a wait: status is the
 * context's {row, label, op, classes} (row -1: no bad label pending).
 * check_labels records the first row whose label is outside [0, K), unless
 * a bad label is pending already; every later loss kernel reads status[0]
 * and writes nothing while one is, so a bad label leaves every output
 * untouched. The host reads the status at its next wait and reports it
 * there (cl_loss.c).
 * probs may be logits and dlogits may be probs (in place).
 * Defines: GROUP (work-group size, a power of two).
 * Launch: check_labels and softmax_xent_mean: one group of GROUP items;
 * softmax_xent_rows: N groups of GROUP items; softmax_xent_backward: one
 * item per element, any group size.
 */

/* Sum of `value` over the work group (every item gets it). */
inline float loss_group_sum(float value, __local float *scratch) {
    int l = get_local_id(0);
    scratch[l] = value;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int stride = GROUP / 2; stride > 0; stride /= 2) {
        if (l < stride) scratch[l] += scratch[l + stride];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    float total = scratch[0];
    barrier(CLK_LOCAL_MEM_FENCE);
    return total;
}

/* Maximum of `value` over the work group (every item gets it). */
inline float loss_group_max(float value, __local float *scratch) {
    int l = get_local_id(0);
    scratch[l] = value;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int stride = GROUP / 2; stride > 0; stride /= 2) {
        if (l < stride) scratch[l] = fmax(scratch[l], scratch[l + stride]);
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    float total = scratch[0];
    barrier(CLK_LOCAL_MEM_FENCE);
    return total;
}

__kernel __attribute__((reqd_work_group_size(GROUP, 1, 1)))
void check_labels(int rows, int classes, __global const int *labels, int labels_off, __global int *status, int op) {
    __local int first[GROUP];
    if (status[0] >= 0) return; /* a bad label is pending: the first one is reported */
    int l = get_local_id(0), bad = rows;
    for (int r = l; r < rows && bad == rows; r += GROUP) {
        int label = labels[labels_off + r];
        if (label < 0 || label >= classes) bad = r;
    }
    first[l] = bad;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int stride = GROUP / 2; stride > 0; stride /= 2) {
        if (l < stride) first[l] = min(first[l], first[l + stride]);
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (l == 0 && first[0] < rows) {
        status[0] = first[0];
        status[1] = labels[labels_off + first[0]];
        status[2] = op;
        status[3] = classes;
    }
}

/** probs and the row losses (row_loss: N floats of scratch); one group per row. */
__kernel __attribute__((reqd_work_group_size(GROUP, 1, 1)))
void softmax_xent_rows(int classes, float smoothing, __global const float *logits, int logits_off,
                       __global const int *labels, int labels_off, __global float *probs, int probs_off,
                       __global float *row_loss, __global const int *status) {
    __local float scratch[GROUP];
    if (status[0] >= 0) return;
    int row = get_group_id(0), l = get_local_id(0);
    __global const float *z = logits + logits_off + row * classes;
    __global float *p = probs + probs_off + row * classes;
    int label = labels[labels_off + row];
    float max = -INFINITY;
    for (int k = l; k < classes; k += GROUP) max = fmax(max, z[k]);
    max = loss_group_max(max, scratch);
    float exp_sum = 0.0f, spread = 0.0f, label_gap = 0.0f;
    for (int k = l; k < classes; k += GROUP) {
        float gap = max - z[k];
        exp_sum += exp(-gap);
        spread += gap;
        if (k == label) label_gap = gap;
    }
    exp_sum = loss_group_sum(exp_sum, scratch);
    spread = loss_group_sum(spread, scratch);
    label_gap = loss_group_sum(label_gap, scratch); /* every read of z is done: p may now overwrite it */
    for (int k = l; k < classes; k += GROUP) p[k] = exp(z[k] - max) / exp_sum;
    if (l == 0)
        row_loss[row] = log(exp_sum) + (1.0f - smoothing) * label_gap + smoothing / (float)classes * spread;
}

/** loss = mean of the N row losses. */
__kernel __attribute__((reqd_work_group_size(GROUP, 1, 1)))
void softmax_xent_mean(int rows, __global const float *row_loss, __global const int *status, __global float *loss,
                       int loss_off) {
    __local float scratch[GROUP];
    if (status[0] >= 0) return;
    float sum = 0.0f;
    for (int r = get_local_id(0); r < rows; r += GROUP) sum += row_loss[r];
    sum = loss_group_sum(sum, scratch);
    if (get_local_id(0) == 0) loss[loss_off] = sum / (float)rows;
}

/** dlogits = scale * (probs - target) + beta * dlogits; one item per element. */
/**
 * dlogits = scale * (probs - target) + beta * dlogits; scale = loss_grad / N from the host, or
 * dloss[0] / N when has_dloss (the loss gradient held on the device).
 */
__kernel void softmax_xent_backward(int rows, int classes, float scale, float on, float off,
                                    __global const float *probs, int probs_off, __global const int *labels,
                                    int labels_off, float beta, __global float *dlogits, int dlogits_off,
                                    __global const int *status, int has_dloss, __global const float *dloss,
                                    int dloss_off) {
    int i = get_global_id(0);
    if (i >= rows * classes || status[0] >= 0) return;
    int row = i / classes, k = i % classes;
    if (has_dloss) scale = dloss[dloss_off] / (float)rows;
    float g = scale * (probs[probs_off + i] - (k == labels[labels_off + row] ? on : off));
    dlogits[dlogits_off + i] = ck_accumulate(g, beta, dlogits + dlogits_off + i);
}
