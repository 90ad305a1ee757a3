/*
 * cpu_optim.c — SGD (momentum, dampening, Nesterov, weight decay), Adam /
 * AdamW (optionally AMSGrad) and RMSprop (optionally centered, with
 * momentum) updates, in place over element ranges, PyTorch's formulas:
 *
 * SGD:  g = grad + wd * param;
 *       if momentum != 0: buf = step == 1 ? g : momentum * buf + (1 - dampening) * g,
 *                         g = nesterov ? g + momentum * buf : buf;
 *       param -= lr * g.
 * Adam: AdamW: param *= 1 - lr * wd; Adam: g = grad + wd * param;
 *       m = b1 * m + (1 - b1) * g;  v = b2 * v + (1 - b2) * g * g;
 *       AMSGrad: v_max = max(v_max, v), which then stands for v below;
 *       param -= (lr / (1 - b1^step)) * m / (sqrt(v) / sqrt(1 - b2^step) + eps).
 * RMSprop: g = grad + wd * param; s = alpha * s + (1 - alpha) * g * g;
 *       centered: a = alpha * a + (1 - alpha) * g, avg = sqrt(s - a * a) + eps;
 *       else avg = sqrt(s) + eps;
 *       momentum > 0: buf = momentum * buf + g / avg, param -= lr * buf;
 *       else param -= lr * (g / avg).
 * Bias corrections and the other scalar factors are computed in double and
 * rounded once to float.
 */
#include "cpu/cpu_support.h"
#include "cpu/simd.h"

#include <math.h>

typedef struct sgd_job {
    int avx2;
    float lr, weight_decay, momentum, dampening_keep; /* dampening_keep = 1 - dampening */
    int nesterov, first_step;
    float *param, *velocity; /* velocity NULL when momentum == 0 */
    const float *grad;
} sgd_job;

typedef struct adam_job {
    int avx2;
    float step_size, bias2_sqrt, epsilon;   /* lr / bc1, sqrt(bc2) */
    float beta1, beta1_keep, beta2, beta2_keep; /* b, 1 - b */
    float weight_decay, decay_factor;       /* coupled wd; decoupled factor 1 - lr * wd */
    int decoupled;
    float *param, *m, *v, *v_max; /* v_max NULL without AMSGrad */
    const float *grad;
} adam_job;

typedef struct rmsprop_job {
    int avx2;
    float lr, alpha, alpha_keep, epsilon, weight_decay, momentum; /* alpha_keep = 1 - alpha */
    float *param, *square_avg, *grad_avg, *buffer; /* grad_avg NULL unless centered, buffer unless momentum > 0 */
    const float *grad;
} rmsprop_job;

static void sgd_scalar(const sgd_job *job, size_t begin, size_t end) {
    for (size_t i = begin; i < end; i++) {
        float g = job->grad[i];
        if (job->weight_decay != 0.0f) g = g + job->weight_decay * job->param[i];
        if (job->velocity) {
            float buf = job->first_step ? g : job->momentum * job->velocity[i] + job->dampening_keep * g;
            job->velocity[i] = buf;
            g = job->nesterov ? g + job->momentum * buf : buf;
        }
        job->param[i] = job->param[i] - job->lr * g;
    }
}

static void adam_scalar(const adam_job *job, size_t begin, size_t end) {
    for (size_t i = begin; i < end; i++) {
        float p = job->param[i], g = job->grad[i];
        if (job->decoupled) p = p * job->decay_factor;
        else if (job->weight_decay != 0.0f) g = g + job->weight_decay * p;
        float m = job->beta1 * job->m[i] + job->beta1_keep * g;
        float v = job->beta2 * job->v[i] + job->beta2_keep * g * g;
        job->m[i] = m;
        job->v[i] = v;
        if (job->v_max) v = job->v_max[i] = job->v_max[i] > v ? job->v_max[i] : v;
        job->param[i] = p - job->step_size * (m / (sqrtf(v) / job->bias2_sqrt + job->epsilon));
    }
}

static void rmsprop_scalar(const rmsprop_job *job, size_t begin, size_t end) {
    for (size_t i = begin; i < end; i++) {
        float g = job->grad[i];
        if (job->weight_decay != 0.0f) g = g + job->weight_decay * job->param[i];
        float s = job->alpha * job->square_avg[i] + job->alpha_keep * (g * g);
        job->square_avg[i] = s;
        if (job->grad_avg) {
            float a = job->alpha * job->grad_avg[i] + job->alpha_keep * g;
            job->grad_avg[i] = a;
            s = s - a * a;
        }
        float step = g / (sqrtf(s) + job->epsilon);
        if (job->buffer) step = job->buffer[i] = job->momentum * job->buffer[i] + step;
        job->param[i] = job->param[i] - job->lr * step;
    }
}

#if CK_SIMD_X86
CK_TARGET_AVX2 static void sgd_avx2(const sgd_job *job, size_t begin, size_t end) {
    const __m256 lr = _mm256_set1_ps(job->lr), wd = _mm256_set1_ps(job->weight_decay);
    const __m256 momentum = _mm256_set1_ps(job->momentum), keep = _mm256_set1_ps(job->dampening_keep);
    size_t i = begin;
    for (; i + 8 <= end; i += 8) {
        __m256 p = _mm256_loadu_ps(job->param + i), g = _mm256_loadu_ps(job->grad + i);
        if (job->weight_decay != 0.0f) g = _mm256_fmadd_ps(wd, p, g);
        if (job->velocity) {
            __m256 buf = job->first_step
                             ? g
                             : _mm256_fmadd_ps(momentum, _mm256_loadu_ps(job->velocity + i), _mm256_mul_ps(keep, g));
            _mm256_storeu_ps(job->velocity + i, buf);
            g = job->nesterov ? _mm256_fmadd_ps(momentum, buf, g) : buf;
        }
        _mm256_storeu_ps(job->param + i, _mm256_fnmadd_ps(lr, g, p));
    }
    sgd_scalar(job, i, end);
}

CK_TARGET_AVX2 static void adam_avx2(const adam_job *job, size_t begin, size_t end) {
    const __m256 step_size = _mm256_set1_ps(job->step_size), bias2_sqrt = _mm256_set1_ps(job->bias2_sqrt);
    const __m256 eps = _mm256_set1_ps(job->epsilon), wd = _mm256_set1_ps(job->weight_decay);
    const __m256 decay = _mm256_set1_ps(job->decay_factor);
    const __m256 b1 = _mm256_set1_ps(job->beta1), b1_keep = _mm256_set1_ps(job->beta1_keep);
    const __m256 b2 = _mm256_set1_ps(job->beta2), b2_keep = _mm256_set1_ps(job->beta2_keep);
    size_t i = begin;
    for (; i + 8 <= end; i += 8) {
        __m256 p = _mm256_loadu_ps(job->param + i), g = _mm256_loadu_ps(job->grad + i);
        if (job->decoupled) p = _mm256_mul_ps(p, decay);
        else if (job->weight_decay != 0.0f) g = _mm256_fmadd_ps(wd, p, g);
        __m256 m = _mm256_fmadd_ps(b1, _mm256_loadu_ps(job->m + i), _mm256_mul_ps(b1_keep, g));
        __m256 v = _mm256_fmadd_ps(b2, _mm256_loadu_ps(job->v + i), _mm256_mul_ps(_mm256_mul_ps(b2_keep, g), g));
        _mm256_storeu_ps(job->m + i, m);
        _mm256_storeu_ps(job->v + i, v);
        if (job->v_max) {
            v = _mm256_max_ps(_mm256_loadu_ps(job->v_max + i), v); /* v when either is NaN, as the scalar loop */
            _mm256_storeu_ps(job->v_max + i, v);
        }
        __m256 denom = _mm256_add_ps(_mm256_div_ps(_mm256_sqrt_ps(v), bias2_sqrt), eps);
        _mm256_storeu_ps(job->param + i, _mm256_fnmadd_ps(step_size, _mm256_div_ps(m, denom), p));
    }
    adam_scalar(job, i, end);
}

CK_TARGET_AVX2 static void rmsprop_avx2(const rmsprop_job *job, size_t begin, size_t end) {
    const __m256 lr = _mm256_set1_ps(job->lr), alpha = _mm256_set1_ps(job->alpha), keep = _mm256_set1_ps(job->alpha_keep);
    const __m256 eps = _mm256_set1_ps(job->epsilon), wd = _mm256_set1_ps(job->weight_decay);
    const __m256 momentum = _mm256_set1_ps(job->momentum);
    size_t i = begin;
    for (; i + 8 <= end; i += 8) {
        __m256 p = _mm256_loadu_ps(job->param + i), g = _mm256_loadu_ps(job->grad + i);
        if (job->weight_decay != 0.0f) g = _mm256_fmadd_ps(wd, p, g);
        __m256 s = _mm256_fmadd_ps(alpha, _mm256_loadu_ps(job->square_avg + i), _mm256_mul_ps(keep, _mm256_mul_ps(g, g)));
        _mm256_storeu_ps(job->square_avg + i, s);
        if (job->grad_avg) {
            __m256 a = _mm256_fmadd_ps(alpha, _mm256_loadu_ps(job->grad_avg + i), _mm256_mul_ps(keep, g));
            _mm256_storeu_ps(job->grad_avg + i, a);
            s = _mm256_fnmadd_ps(a, a, s);
        }
        __m256 step = _mm256_div_ps(g, _mm256_add_ps(_mm256_sqrt_ps(s), eps));
        if (job->buffer) {
            step = _mm256_fmadd_ps(momentum, _mm256_loadu_ps(job->buffer + i), step);
            _mm256_storeu_ps(job->buffer + i, step);
        }
        _mm256_storeu_ps(job->param + i, _mm256_fnmadd_ps(lr, step, p));
    }
    rmsprop_scalar(job, i, end);
}
#endif

static void sgd_range(void *context, size_t begin, size_t end, int32_t thread_index) {
    (void)thread_index;
    const sgd_job *job = context;
#if CK_SIMD_X86
    if (job->avx2) {
        sgd_avx2(job, begin, end);
        return;
    }
#endif
    sgd_scalar(job, begin, end);
}

static void adam_range(void *context, size_t begin, size_t end, int32_t thread_index) {
    (void)thread_index;
    const adam_job *job = context;
#if CK_SIMD_X86
    if (job->avx2) {
        adam_avx2(job, begin, end);
        return;
    }
#endif
    adam_scalar(job, begin, end);
}

static void rmsprop_range(void *context, size_t begin, size_t end, int32_t thread_index) {
    (void)thread_index;
    const rmsprop_job *job = context;
#if CK_SIMD_X86
    if (job->avx2) {
        rmsprop_avx2(job, begin, end);
        return;
    }
#endif
    rmsprop_scalar(job, begin, end);
}

ck_status ck_cpu_sgd_update(ck_backend *backend, const ck_sgd_update_args *args) {
    CK_CPU_REQUIRE_F32(backend, "sgd_update", args->param, args->grad, args->velocity);
    const ck_sgd_params *p = args->params;
    sgd_job job = {.avx2 = ck_cpu(backend)->has_avx2_fma,
                   .lr = p->lr,
                   .weight_decay = p->weight_decay,
                   .momentum = p->momentum,
                   .dampening_keep = (float)(1.0 - (double)p->dampening),
                   .nesterov = p->nesterov,
                   .first_step = p->step == 1,
                   .param = ck_tensor_data(args->param),
                   .velocity = p->momentum != 0.0f ? ck_tensor_data(args->velocity) : NULL,
                   .grad = ck_tensor_data(args->grad)};
    ck_parallel_for(ck_cpu(backend)->pool, ck_tensor_numel(args->param), CK_CPU_MIN_ELEMENTS_PER_THREAD / 2, sgd_range,
                    &job);
    return CK_OK;
}

ck_status ck_cpu_adam_update(ck_backend *backend, const ck_adam_update_args *args) {
    CK_CPU_REQUIRE_F32(backend, "adam_update", args->param, args->grad, args->m, args->v, args->v_max);
    const ck_adam_params *p = args->params;
    double bias1 = 1.0 - pow((double)p->beta1, (double)p->step);
    double bias2 = 1.0 - pow((double)p->beta2, (double)p->step);
    adam_job job = {.avx2 = ck_cpu(backend)->has_avx2_fma,
                    .step_size = (float)((double)p->lr / bias1),
                    .bias2_sqrt = (float)sqrt(bias2),
                    .epsilon = p->epsilon,
                    .beta1 = p->beta1,
                    .beta1_keep = (float)(1.0 - (double)p->beta1),
                    .beta2 = p->beta2,
                    .beta2_keep = (float)(1.0 - (double)p->beta2),
                    .weight_decay = p->weight_decay,
                    .decay_factor = (float)(1.0 - (double)p->lr * (double)p->weight_decay),
                    .decoupled = p->decoupled_weight_decay != 0,
                    .param = ck_tensor_data(args->param),
                    .m = ck_tensor_data(args->m),
                    .v = ck_tensor_data(args->v),
                    .v_max = args->v_max ? ck_tensor_data(args->v_max) : NULL,
                    .grad = ck_tensor_data(args->grad)};
    ck_parallel_for(ck_cpu(backend)->pool, ck_tensor_numel(args->param), CK_CPU_MIN_ELEMENTS_PER_THREAD / 4,
                    adam_range, &job);
    return CK_OK;
}

ck_status ck_cpu_rmsprop_update(ck_backend *backend, const ck_rmsprop_update_args *args) {
    CK_CPU_REQUIRE_F32(backend, "rmsprop_update", args->param, args->grad, args->square_avg, args->grad_avg,
                       args->momentum_buffer);
    const ck_rmsprop_params *p = args->params;
    rmsprop_job job = {.avx2 = ck_cpu(backend)->has_avx2_fma,
                       .lr = p->lr,
                       .alpha = p->alpha,
                       .alpha_keep = (float)(1.0 - (double)p->alpha),
                       .epsilon = p->epsilon,
                       .weight_decay = p->weight_decay,
                       .momentum = p->momentum,
                       .param = ck_tensor_data(args->param),
                       .square_avg = ck_tensor_data(args->square_avg),
                       .grad_avg = args->grad_avg ? ck_tensor_data(args->grad_avg) : NULL,
                       .buffer = args->momentum_buffer ? ck_tensor_data(args->momentum_buffer) : NULL,
                       .grad = ck_tensor_data(args->grad)};
    ck_parallel_for(ck_cpu(backend)->pool, ck_tensor_numel(args->param), CK_CPU_MIN_ELEMENTS_PER_THREAD / 4,
                    rmsprop_range, &job);
    return CK_OK;
}
