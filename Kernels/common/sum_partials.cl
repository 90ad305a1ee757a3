/*
 * sum_partials.cl — conv2d_sum_partials, the sum of a backward-weights split
 * into partial sums: put in front of the conv programs whose backward-weights
 * splits (conv2d.cl: split-K of the implicit GEMM; conv2d_direct.cl and
 * conv2d_depthwise.cl: chunks of the batch), each of which launches it from
 * its own program. Defines: none.
 */

/**
 * dw[i] = sum over the chunks of partial[chunk * count + i] + beta * dw[i]; partial: (chunks, count), dw: count
 * elements. Launch: one item per element of dw, any group size.
 */
__kernel void conv2d_sum_partials(int count, int chunks, __global const float *partial, float beta,
                                  __global float *dw, int dw_off) {
    int i = get_global_id(0);
    if (i >= count) return;
    float sum = 0.0f;
    for (int c = 0; c < chunks; c++) sum += partial[c * count + i];
    dw[dw_off + i] = ck_accumulate(sum, beta, dw + dw_off + i);
}
