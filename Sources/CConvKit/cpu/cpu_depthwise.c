/*
 * cpu_depthwise.c — direct conv kernels for a geometry whose output channels
 * each read one input channel: depthwise (groups == C) with any depth
 * multiplier m = O / C, and single-channel inputs. Output channel o reads
 * input channel o / m and its own kernel weight[o] (KH, KW).
 *
 * Every plane goes through the padded phase planes of depthwise_kernels.h:
 *   forward           y[n, o]  = gather(padded x[n, o/m], weight[o]);
 *   backward-data     dx[n, c] = sum over j < m of gather(padded dy[n, c*m+j],
 *                     weight[c*m+j] flipped), where dy is spread out by the
 *                     stride and shifted by the dilated kernel size minus the
 *                     padding: the adjoint as a stride-1 conv;
 *   backward-weights  dw[o]    = sum over n of correlate(padded x[n, o/m], dy[n, o]),
 *                     summed in double per output channel.
 * Work is split by output plane, input plane and output channel; each
 * worker owns what it writes, so results do not depend on the thread count.
 * A geometry whose phase planes would dwarf its tensors (a stride or
 * dilation far beyond the input: the planes grow with them) runs
 * im2col + sgemm instead, whose scratch follows the tensors.
 */
#include "cpu/conv_algorithms.h"
#include "cpu/conv_epilogue.h"
#include "cpu/cpu_ops.h"
#include "cpu/depthwise_kernels.h"

#include <stdlib.h>

typedef struct depthwise_job {
    const ck_conv_geometry *g;
    ck_dw_plane plane;
    int64_t multiplier, taps, in_pixels, out_pixels;
    int avx2;
    const float *input, *weight, *bias, *d_output;
    const ck_conv2d_epilogue *epilogue; /* forward: the fused activation, or NULL */
    float beta;
    float *output;  /* forward: y; backward-data: dx; backward-weights: dw */
    double *sums;   /* backward-weights: (O, KH * KW) */
    float *scratch; /* per worker: phase planes, then a flipped kernel */
    size_t scratch_stride;
} depthwise_job;

/* Nonzero when the phase planes of `plane` are small next to g's planes (see the top of this file). */
static int phases_fit(const ck_conv_geometry *g, const ck_dw_plane *plane) {
    return ck_dw_phases_fit(plane, 4 * (ck_geom_in_pixels(g) + ck_geom_out_pixels(g)) + ((int64_t)1 << 16));
}

/* The phase-plane shape of the forward pass (also read by backward-weights). */
static ck_dw_plane forward_plane(const ck_conv_geometry *g) {
    ck_dw_plane p = {.out_h = g->out_h, .out_w = g->out_w, .kernel_h = g->kernel_h, .kernel_w = g->kernel_w,
                     .stride_h = g->stride_h, .stride_w = g->stride_w, .dilation_h = g->dilation_h,
                     .dilation_w = g->dilation_w};
    ck_dw_plane_size(&p);
    return p;
}

/* Output planes [begin, end), plane = n * O + o; the padded input plane is reused across o of one channel. */
static void forward_planes(void *context, size_t begin, size_t end, int32_t thread_index) {
    const depthwise_job *j = context;
    const ck_conv_geometry *g = j->g;
    float *phases = j->scratch + (size_t)thread_index * j->scratch_stride;
    int64_t built = -1;
    for (size_t item = begin; item < end; item++) {
        const int64_t n = (int64_t)item / g->out_channels, o = (int64_t)item % g->out_channels;
        const int64_t source = n * g->in_channels + o / j->multiplier;
        if (source != built) {
            ck_dw_build_phases(&j->plane, j->input + source * j->in_pixels, g->in_h, g->in_w, g->pad_top,
                               g->pad_left, 1, 1, phases);
            built = source;
        }
        float *plane = j->output + (int64_t)item * j->out_pixels;
        ck_dw_gather(j->avx2, &j->plane, phases, j->weight + o * j->taps, j->bias ? j->bias[o] : 0.0f, j->beta, plane);
        ck_conv_activate_rows(j->avx2, j->epilogue, plane, j->out_pixels, 1, j->out_pixels);
    }
}

/* Input-gradient planes [begin, end), plane = n * C + c. */
static void backward_data_planes(void *context, size_t begin, size_t end, int32_t thread_index) {
    const depthwise_job *j = context;
    const ck_conv_geometry *g = j->g;
    float *phases = j->scratch + (size_t)thread_index * j->scratch_stride;
    float *flipped = phases + ck_dw_phases_floats(&j->plane);
    const int64_t row0 = (g->kernel_h - 1) * g->dilation_h - g->pad_top;
    const int64_t col0 = (g->kernel_w - 1) * g->dilation_w - g->pad_left;
    for (size_t item = begin; item < end; item++) {
        const int64_t n = (int64_t)item / g->in_channels, c = (int64_t)item % g->in_channels;
        for (int64_t k = 0; k < j->multiplier; k++) {
            const int64_t o = c * j->multiplier + k;
            ck_dw_build_phases(&j->plane, j->d_output + (n * g->out_channels + o) * j->out_pixels, g->out_h,
                               g->out_w, row0, col0, g->stride_h, g->stride_w, phases);
            for (int64_t t = 0; t < j->taps; t++) flipped[t] = j->weight[o * j->taps + j->taps - 1 - t];
            const float bias = k == 0 && j->bias ? j->bias[c] : 0.0f;
            ck_dw_gather(j->avx2, &j->plane, phases, flipped, bias, k == 0 ? j->beta : 1.0f,
                         j->output + (int64_t)item * j->in_pixels);
        }
    }
}

/* Weight gradients of output channels [begin, end), over all images. */
static void backward_weights_channels(void *context, size_t begin, size_t end, int32_t thread_index) {
    const depthwise_job *j = context;
    const ck_conv_geometry *g = j->g;
    float *phases = j->scratch + (size_t)thread_index * j->scratch_stride;
    double *sums = j->sums + begin * (size_t)j->taps;
    for (size_t i = 0; i < (end - begin) * (size_t)j->taps; i++) sums[i] = 0.0;
    for (int64_t c = (int64_t)begin / j->multiplier; c * j->multiplier < (int64_t)end; c++) {
        const int64_t o_begin = c * j->multiplier > (int64_t)begin ? c * j->multiplier : (int64_t)begin;
        const int64_t o_end = (c + 1) * j->multiplier < (int64_t)end ? (c + 1) * j->multiplier : (int64_t)end;
        for (int64_t n = 0; n < g->batch; n++) {
            ck_dw_build_phases(&j->plane, j->input + (n * g->in_channels + c) * j->in_pixels, g->in_h, g->in_w,
                               g->pad_top, g->pad_left, 1, 1, phases);
            for (int64_t o = o_begin; o < o_end; o++)
                ck_dw_correlate(j->avx2, &j->plane, phases, j->d_output + (n * g->out_channels + o) * j->out_pixels,
                                j->sums + o * j->taps);
        }
    }
    for (size_t i = begin * (size_t)j->taps; i < end * (size_t)j->taps; i++) {
        float *dw = j->output + i;
        *dw = j->beta == 0.0f ? (float)j->sums[i] : (float)j->sums[i] + j->beta * *dw;
    }
}

/* Fills the common fields and allocates `floats` of scratch per worker. */
static ck_status start_job(ck_backend *backend, const char *op, const ck_conv_geometry *g, ck_dw_plane plane,
                           size_t floats, depthwise_job *j) {
    j->g = g;
    j->plane = plane;
    j->multiplier = g->out_channels / g->groups;
    j->taps = g->kernel_h * g->kernel_w;
    j->in_pixels = g->in_h * g->in_w;
    j->out_pixels = g->out_h * g->out_w;
    j->avx2 = ck_cpu(backend)->has_avx2_fma;
    const int32_t threads = ck_thread_pool_size(ck_cpu(backend)->pool);
    j->scratch = ck_conv_scratch(threads, floats, &j->scratch_stride);
    if (!j->scratch)
        return ck_set_error(backend->ctx, CK_ERR_OUT_OF_MEMORY, "%s: cannot allocate %zu bytes of padded planes", op,
                            floats * sizeof(float) * (size_t)threads);
    return CK_OK;
}

ck_status ck_conv_depthwise_forward(ck_backend *backend, const char *op, const ck_conv_geometry *g,
                                    const float *input, const float *weight, const float *bias,
                                    const ck_conv2d_epilogue *epilogue, float beta, float *output) {
    depthwise_job j = {.input = input, .weight = weight, .bias = bias, .epilogue = epilogue, .beta = beta,
                       .output = output};
    ck_dw_plane plane = forward_plane(g);
    if (!phases_fit(g, &plane))
        return ck_conv_gemm_forward(backend, op, g, input, weight, bias, epilogue, beta, output);
    ck_status status = start_job(backend, op, g, plane, (size_t)ck_dw_phases_floats(&plane), &j);
    if (status != CK_OK) return status;
    ck_parallel_for(ck_cpu(backend)->pool, (size_t)(g->batch * g->out_channels), 1, forward_planes, &j);
    free(j.scratch);
    return CK_OK;
}

ck_status ck_conv_depthwise_backward_data(ck_backend *backend, const char *op, const ck_conv_geometry *g,
                                          const float *weight, const float *d_output, const float *bias, float beta,
                                          float *d_input) {
    depthwise_job j = {.weight = weight, .d_output = d_output, .bias = bias, .beta = beta, .output = d_input};
    ck_dw_plane plane = {.out_h = g->in_h, .out_w = g->in_w, .kernel_h = g->kernel_h, .kernel_w = g->kernel_w,
                         .stride_h = 1, .stride_w = 1, .dilation_h = g->dilation_h, .dilation_w = g->dilation_w};
    ck_dw_plane_size(&plane);
    if (!phases_fit(g, &plane))
        return ck_conv_gemm_backward_data(backend, op, g, weight, d_output, bias, beta, d_input);
    size_t floats = (size_t)(ck_dw_phases_floats(&plane) + g->kernel_h * g->kernel_w);
    ck_status status = start_job(backend, op, g, plane, floats, &j);
    if (status != CK_OK) return status;
    ck_parallel_for(ck_cpu(backend)->pool, (size_t)(g->batch * g->in_channels), 1, backward_data_planes, &j);
    free(j.scratch);
    return CK_OK;
}

ck_status ck_conv_depthwise_backward_weights(ck_backend *backend, const char *op, const ck_conv_geometry *g,
                                             const float *input, const float *d_output, float beta,
                                             float *d_weight) {
    depthwise_job j = {.input = input, .d_output = d_output, .beta = beta, .output = d_weight};
    ck_dw_plane plane = forward_plane(g);
    if (!phases_fit(g, &plane)) return ck_conv_gemm_backward_weights(backend, op, g, input, d_output, beta, d_weight);
    ck_status status = start_job(backend, op, g, plane, (size_t)ck_dw_phases_floats(&plane), &j);
    if (status != CK_OK) return status;
    j.sums = malloc((size_t)(g->out_channels * j.taps) * sizeof(double));
    if (!j.sums) {
        free(j.scratch);
        return ck_set_error(backend->ctx, CK_ERR_OUT_OF_MEMORY, "%s: cannot allocate the weight-gradient sums", op);
    }
    ck_parallel_for(ck_cpu(backend)->pool, (size_t)g->out_channels, 1, backward_weights_channels, &j);
    free(j.sums);
    free(j.scratch);
    return CK_OK;
}
