/*
 * ref_optim.c — SGD and Adam / AdamW parameter updates of the reference
 * backend, PyTorch's (non-fused) update rules, in double per element.
 * param, grad and the state tensors share one shape; updated in place.
 *
 * SGD:  g = grad + weight_decay * param;
 *       with momentum != 0: buf = (step == 1) ? g : momentum * buf + (1 - dampening) * g,
 *                           g = nesterov ? g + momentum * buf : buf;
 *       param -= lr * g.
 * Adam: decoupled (AdamW): param *= 1 - lr * weight_decay; else g = grad + weight_decay * param;
 *       m = beta1 * m + (1 - beta1) * g;  v = beta2 * v + (1 - beta2) * g^2;
 *       AMSGrad (v_max given): v_max = max(v_max, v), used below instead of v;
 *       param -= (lr / (1 - beta1^step)) * m / (sqrt(v) / sqrt(1 - beta2^step) + eps).
 * RMSprop: g = grad + weight_decay * param; s = alpha * s + (1 - alpha) * g^2;
 *       centered: a = alpha * a + (1 - alpha) * g, avg = sqrt(s - a^2) + eps; else avg = sqrt(s) + eps;
 *       momentum > 0: buf = momentum * buf + g / avg, param -= lr * buf; else param -= lr * g / avg.
 */
#include "reference/reference_ops.h"
#include "reference/ref_tensor.h"

#include <math.h>

ck_status ck_ref_sgd_update(ck_backend *backend, const ck_sgd_update_args *args) {
    const ck_sgd_params *p = args->params;
    int use_momentum = p->momentum != 0.0f;
    ck_ref_arena arena;
    ck_ref_arena_init(&arena, backend, "sgd_update");
    double *param = ck_ref_load(&arena, args->param);
    double *grad = ck_ref_load(&arena, args->grad);
    double *velocity = use_momentum ? ck_ref_load(&arena, args->velocity) : NULL;
    ck_status status = ck_ref_arena_status(&arena);
    if (status == CK_OK) {
        double lr = p->lr, momentum = p->momentum, dampening = p->dampening, weight_decay = p->weight_decay;
        size_t n = ck_tensor_numel(args->param);
        for (size_t i = 0; i < n; i++) {
            double g = grad[i] + weight_decay * param[i];
            if (use_momentum) {
                velocity[i] = p->step == 1 ? g : momentum * velocity[i] + (1.0 - dampening) * g;
                g = p->nesterov ? g + momentum * velocity[i] : velocity[i];
            }
            param[i] -= lr * g;
        }
        ck_ref_store(args->param, param);
        if (use_momentum) ck_ref_store(args->velocity, velocity);
    }
    ck_ref_arena_free(&arena);
    return status;
}

ck_status ck_ref_adam_update(ck_backend *backend, const ck_adam_update_args *args) {
    const ck_adam_params *p = args->params;
    ck_ref_arena arena;
    ck_ref_arena_init(&arena, backend, "adam_update");
    double *param = ck_ref_load(&arena, args->param);
    double *grad = ck_ref_load(&arena, args->grad);
    double *m = ck_ref_load(&arena, args->m);
    double *v = ck_ref_load(&arena, args->v);
    double *v_max = ck_ref_load(&arena, args->v_max); /* NULL: plain Adam */
    ck_status status = ck_ref_arena_status(&arena);
    if (status == CK_OK) {
        double lr = p->lr, beta1 = p->beta1, beta2 = p->beta2, eps = p->epsilon, weight_decay = p->weight_decay;
        double step = (double)p->step;
        double step_size = lr / (1.0 - pow(beta1, step));
        double bias_correction2_sqrt = sqrt(1.0 - pow(beta2, step));
        size_t n = ck_tensor_numel(args->param);
        for (size_t i = 0; i < n; i++) {
            double g = grad[i];
            if (p->decoupled_weight_decay) param[i] *= 1.0 - lr * weight_decay;
            else g += weight_decay * param[i];
            m[i] = beta1 * m[i] + (1.0 - beta1) * g;
            v[i] = beta2 * v[i] + (1.0 - beta2) * g * g;
            double second = v[i];
            if (v_max) second = v_max[i] = v_max[i] > v[i] ? v_max[i] : v[i];
            param[i] -= step_size * m[i] / (sqrt(second) / bias_correction2_sqrt + eps);
        }
        ck_ref_store(args->param, param);
        ck_ref_store(args->m, m);
        ck_ref_store(args->v, v);
        if (v_max) ck_ref_store(args->v_max, v_max);
    }
    ck_ref_arena_free(&arena);
    return status;
}

ck_status ck_ref_rmsprop_update(ck_backend *backend, const ck_rmsprop_update_args *args) {
    const ck_rmsprop_params *p = args->params;
    ck_ref_arena arena;
    ck_ref_arena_init(&arena, backend, "rmsprop_update");
    double *param = ck_ref_load(&arena, args->param);
    double *grad = ck_ref_load(&arena, args->grad);
    double *square_avg = ck_ref_load(&arena, args->square_avg);
    double *grad_avg = ck_ref_load(&arena, args->grad_avg);               /* NULL unless centered */
    double *momentum_buffer = ck_ref_load(&arena, args->momentum_buffer); /* NULL unless momentum > 0 */
    ck_status status = ck_ref_arena_status(&arena);
    if (status == CK_OK) {
        double lr = p->lr, alpha = p->alpha, eps = p->epsilon, weight_decay = p->weight_decay, momentum = p->momentum;
        size_t n = ck_tensor_numel(args->param);
        for (size_t i = 0; i < n; i++) {
            double g = grad[i] + weight_decay * param[i];
            square_avg[i] = alpha * square_avg[i] + (1.0 - alpha) * g * g;
            double variance = square_avg[i];
            if (grad_avg) {
                grad_avg[i] = alpha * grad_avg[i] + (1.0 - alpha) * g;
                variance -= grad_avg[i] * grad_avg[i];
            }
            double step = g / (sqrt(variance) + eps);
            if (momentum_buffer) step = momentum_buffer[i] = momentum * momentum_buffer[i] + step;
            param[i] -= lr * step;
        }
        ck_ref_store(args->param, param);
        ck_ref_store(args->square_avg, square_avg);
        if (grad_avg) ck_ref_store(args->grad_avg, grad_avg);
        if (momentum_buffer) ck_ref_store(args->momentum_buffer, momentum_buffer);
    }
    ck_ref_arena_free(&arena);
    return status;
}
