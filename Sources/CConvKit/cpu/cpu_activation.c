/*
 * cpu_activation.c — ReLU, LeakyReLU, sigmoid and tanh, forward and backward,
 * over any shape (treated as a flat array), split into element ranges.
 *
 * ReLU and LeakyReLU have AVX2 kernels; sigmoid and tanh call expf / tanhf
 * per element. Semantics (both variants):
 *   relu(x) = x < 0 ? 0 : x (NaN stays NaN), relu'(x) = x > 0 ? 1 : 0;
 *   leaky(x) = x > 0 ? x : alpha * x,        leaky'(x) = x > 0 ? 1 : alpha;
 *   sigmoid' = s * (1 - s), tanh' = 1 - t * t, from the input x.
 */
#include "cpu/cpu_support.h"
#include "cpu/simd.h"

#include <math.h>

typedef struct activation_job {
    ck_activation act;
    int avx2;
    float alpha, beta;
    const float *x, *dy; /* dy: backward only */
    float *y;            /* forward: y; backward: dx */
} activation_job;

static float activate(ck_activation act, float alpha, float x) {
    switch (act) {
    case CK_ACT_RELU: return x < 0.0f ? 0.0f : x;
    case CK_ACT_LEAKY_RELU: return x > 0.0f ? x : alpha * x;
    case CK_ACT_SIGMOID: return 1.0f / (1.0f + expf(-x));
    case CK_ACT_TANH: return tanhf(x);
    }
    return x;
}

/* f'(x) * dy. */
static float activation_gradient(ck_activation act, float alpha, float x, float dy) {
    switch (act) {
    case CK_ACT_RELU: return x > 0.0f ? dy : 0.0f;
    case CK_ACT_LEAKY_RELU: return x > 0.0f ? dy : alpha * dy;
    case CK_ACT_SIGMOID: {
        float s = 1.0f / (1.0f + expf(-x));
        return dy * (s * (1.0f - s));
    }
    case CK_ACT_TANH: {
        float t = tanhf(x);
        return dy * (1.0f - t * t);
    }
    }
    return dy;
}

#if CK_SIMD_X86
/* ReLU / LeakyReLU forward over n elements; the tail falls back to `activate`. */
CK_TARGET_AVX2 static void rectifier_forward_avx2(ck_activation act, float slope, const float *in, float *out,
                                                  size_t n) {
    const __m256 zero = _mm256_setzero_ps(), alpha = _mm256_set1_ps(slope);
    size_t i = 0;
    if (act == CK_ACT_RELU) {
        /* max(0, x) returns its second operand for NaN: NaN propagates, -0 stays -0. */
        for (; i + 8 <= n; i += 8) _mm256_storeu_ps(out + i, _mm256_max_ps(zero, _mm256_loadu_ps(in + i)));
    } else {
        for (; i + 8 <= n; i += 8) {
            __m256 x = _mm256_loadu_ps(in + i);
            __m256 positive = _mm256_cmp_ps(x, zero, _CMP_GT_OQ);
            _mm256_storeu_ps(out + i, _mm256_blendv_ps(_mm256_mul_ps(alpha, x), x, positive));
        }
    }
    for (; i < n; i++) out[i] = activate(act, slope, in[i]);
}

/* ReLU / LeakyReLU backward: dx = f'(x) * dy + beta * dx (old dx unread when beta == 0). */
CK_TARGET_AVX2 static void rectifier_backward_avx2(const activation_job *job, size_t begin, size_t end) {
    const __m256 zero = _mm256_setzero_ps(), beta = _mm256_set1_ps(job->beta);
    const __m256 negative_slope = _mm256_set1_ps(job->act == CK_ACT_RELU ? 0.0f : job->alpha);
    size_t i = begin;
    for (; i + 8 <= end; i += 8) {
        __m256 x = _mm256_loadu_ps(job->x + i), dy = _mm256_loadu_ps(job->dy + i);
        __m256 positive = _mm256_cmp_ps(x, zero, _CMP_GT_OQ);
        __m256 g = job->act == CK_ACT_RELU ? _mm256_and_ps(dy, positive)
                                           : _mm256_blendv_ps(_mm256_mul_ps(negative_slope, dy), dy, positive);
        if (job->beta != 0.0f) g = _mm256_fmadd_ps(beta, _mm256_loadu_ps(job->y + i), g);
        _mm256_storeu_ps(job->y + i, g);
    }
    for (; i < end; i++) {
        float g = activation_gradient(job->act, job->alpha, job->x[i], job->dy[i]);
        job->y[i] = job->beta == 0.0f ? g : fmaf(job->beta, job->y[i], g);
    }
}
#endif

static int is_rectifier(ck_activation act) { return act == CK_ACT_RELU || act == CK_ACT_LEAKY_RELU; }

void ck_cpu_activate(int avx2, ck_activation act, float alpha, const float *x, float *y, size_t n) {
#if CK_SIMD_X86
    if (avx2 && is_rectifier(act)) {
        rectifier_forward_avx2(act, alpha, x, y, n);
        return;
    }
#else
    (void)avx2;
#endif
    for (size_t i = 0; i < n; i++) y[i] = activate(act, alpha, x[i]);
}

static void forward_range(void *context, size_t begin, size_t end, int32_t thread_index) {
    (void)thread_index;
    const activation_job *job = context;
    ck_cpu_activate(job->avx2, job->act, job->alpha, job->x + begin, job->y + begin, end - begin);
}

static void backward_range(void *context, size_t begin, size_t end, int32_t thread_index) {
    (void)thread_index;
    const activation_job *job = context;
#if CK_SIMD_X86
    if (job->avx2 && is_rectifier(job->act)) {
        rectifier_backward_avx2(job, begin, end);
        return;
    }
#endif
    for (size_t i = begin; i < end; i++) {
        float g = activation_gradient(job->act, job->alpha, job->x[i], job->dy[i]);
        job->y[i] = job->beta == 0.0f ? g : g + job->beta * job->y[i];
    }
}

/* Elements per worker: rectifiers are memory bound; expf / tanhf cost ~20x more per element. */
static size_t grain(ck_activation act) {
    return is_rectifier(act) ? CK_CPU_MIN_ELEMENTS_PER_THREAD : CK_CPU_MIN_ELEMENTS_PER_THREAD / 16;
}

ck_status ck_cpu_activation_forward(ck_backend *backend, const ck_activation_forward_args *args) {
    CK_CPU_REQUIRE_F32(backend, "activation_forward", args->x, args->y);
    activation_job job = {.act = args->act, .avx2 = ck_cpu(backend)->has_avx2_fma, .alpha = args->alpha,
                          .x = ck_tensor_data(args->x), .y = ck_tensor_data(args->y)};
    ck_parallel_for(ck_cpu(backend)->pool, ck_tensor_numel(args->x), grain(args->act), forward_range, &job);
    return CK_OK;
}

ck_status ck_cpu_activation_backward(ck_backend *backend, const ck_activation_backward_args *args) {
    CK_CPU_REQUIRE_F32(backend, "activation_backward", args->x, args->dy, args->dx);
    activation_job job = {.act = args->act, .avx2 = ck_cpu(backend)->has_avx2_fma, .alpha = args->alpha,
                          .beta = args->beta, .x = ck_tensor_data(args->x), .dy = ck_tensor_data(args->dy),
                          .y = ck_tensor_data(args->dx)};
    ck_parallel_for(ck_cpu(backend)->pool, ck_tensor_numel(args->x), grain(args->act), backward_range, &job);
    return CK_OK;
}
