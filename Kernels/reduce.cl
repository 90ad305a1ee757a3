/*
 * reduce.cl — y = sum of x over some of its axes + beta * y (reduce_sum),
 * and y = x with its axes permuted (permute, at the end of this file).
 *
 * The host merges x's axes into at most four kept and four reduced groups
 * (size-1 axes dropped, neighbours of one kind merged), each a (size,
 * stride-in-elements) pair, innermost last; unused groups have size 1 and
 * stride 0. Output j (y's elements in order) walks the kept groups
 * row-major, its terms r walk the reduced groups row-major:
 *   y[j] = sum over r < terms of x[offset(j, kept) + offset(r, reduced)] + beta * y[j].
 * Two kernels, one pick per call (cl_reduce.c):
 *  - reduce_sum_items: one work item per output, a compensated (Kahan)
 *    float sum over its terms; adjacent outputs read adjacent elements when
 *    the innermost group is kept;
 *  - reduce_sum_groups: one work group of GROUP items per output, each
 *    summing every GROUP-th term, then a tree in local memory; for outputs
 *    with many terms, adjacent items reading adjacent elements when the
 *    innermost group is reduced.
 * Defines: GROUP (work-group size of reduce_sum_groups, a power of two).
 * Launch: items: global outputs, any group size; groups: global outputs * GROUP, local GROUP.
 */

/* The element offset of index `i` over four groups (sizes s, strides t; group 3 innermost). */
inline int group_offset(int i, int4 s, int4 t) {
    int offset = (i % s.w) * t.w;
    i /= s.w;
    offset += (i % s.z) * t.z;
    i /= s.z;
    offset += (i % s.y) * t.y;
    i /= s.y;
    return offset + (i % s.x) * t.x;
}

/* g: kept sizes (s0..s3), kept strides (s4..s7), reduced sizes (s8..sb), reduced strides (sc..sf). */
__kernel void reduce_sum_items(int16 g, int outputs, int terms, __global const float *x, int x_off, float beta,
                               __global float *y, int y_off) {
    int j = get_global_id(0);
    if (j >= outputs) return;
    __global const float *base = x + x_off + group_offset(j, g.s0123, g.s4567);
    float sum = 0.0f, compensation = 0.0f;
    for (int r = 0; r < terms; r++) {
        float term = base[group_offset(r, g.s89ab, g.scdef)] - compensation;
        float next = sum + term;
        compensation = (next - sum) - term;
        sum = next;
    }
    y[y_off + j] = ck_accumulate(sum, beta, y + y_off + j);
}

__kernel __attribute__((reqd_work_group_size(GROUP, 1, 1)))
void reduce_sum_groups(int16 g, int outputs, int terms, __global const float *x, int x_off, float beta,
                       __global float *y, int y_off) {
    __local float partial[GROUP];
    int j = get_group_id(0), l = get_local_id(0);
    __global const float *base = x + x_off + group_offset(j, g.s0123, g.s4567);
    float sum = 0.0f;
    for (int r = l; r < terms; r += GROUP) sum += base[group_offset(r, g.s89ab, g.scdef)];
    partial[l] = sum;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int stride = GROUP / 2; stride > 0; stride /= 2) {
        if (l < stride) partial[l] += partial[l + stride];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (l == 0 && j < outputs) y[y_off + j] = ck_accumulate(partial[0], beta, y + y_off + j);
}

/*
 * permute: y[j] = x[x_off + sum over groups of digit_k(j) * stride_k], the
 * digits of j taken over eight groups (sizes g.s0..s7, x strides g.s8..sf,
 * group 7 innermost; unused groups: size 1, stride 0). Launch: global n.
 */
__kernel void permute(int16 g, int n, __global const float *x, int x_off, __global float *y, int y_off) {
    int j = get_global_id(0);
    if (j >= n) return;
    int rest = j, source = 0;
    source += (rest % g.s7) * g.sf;
    rest /= g.s7;
    source += (rest % g.s6) * g.se;
    rest /= g.s6;
    source += (rest % g.s5) * g.sd;
    rest /= g.s5;
    source += (rest % g.s4) * g.sc;
    rest /= g.s4;
    source += (rest % g.s3) * g.sb;
    rest /= g.s3;
    source += (rest % g.s2) * g.sa;
    rest /= g.s2;
    source += (rest % g.s1) * g.s9;
    rest /= g.s1;
    source += (rest % g.s0) * g.s8;
    y[y_off + j] = x[x_off + source];
}
