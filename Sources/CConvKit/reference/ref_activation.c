/*
 * ref_activation.c — activations forward and backward of the reference
 * backend, elementwise on tensors of any shape (PyTorch's definitions):
 *   relu(x)       = x < 0 ? 0 : x          (NaN stays NaN, -0 stays -0)
 *   relu'(x)      = x > 0 ? 1 : 0          (0 at 0, and at NaN)
 *   leaky(x)      = x > 0 ? x : alpha * x,  leaky'(x) = x > 0 ? 1 : alpha
 *   sigmoid(x)    = 1 / (1 + exp(-x)),      sigmoid'(x) = s (1 - s)
 *   tanh(x),                                tanh'(x) = 1 - tanh(x)^2
 */
#include "reference/reference_ops.h"
#include "reference/ref_tensor.h"

#include <math.h>

double ck_ref_activate(ck_activation act, double alpha, double x) {
    switch (act) {
    case CK_ACT_RELU: return x < 0.0 ? 0.0 : x;
    case CK_ACT_LEAKY_RELU: return x > 0.0 ? x : alpha * x;
    case CK_ACT_SIGMOID: return 1.0 / (1.0 + exp(-x));
    case CK_ACT_TANH: return tanh(x);
    }
    return x;
}

/* f'(x) * dy; the rectifiers select rather than multiply, so a 0 slope gives 0 even for an infinite dy. */
static double gradient(ck_activation act, double alpha, double x, double dy) {
    switch (act) {
    case CK_ACT_RELU: return x > 0.0 ? dy : 0.0;
    case CK_ACT_LEAKY_RELU: return x > 0.0 ? dy : alpha * dy;
    case CK_ACT_SIGMOID: {
        double s = 1.0 / (1.0 + exp(-x));
        return dy * (s * (1.0 - s));
    }
    case CK_ACT_TANH: {
        double t = tanh(x);
        return dy * (1.0 - t * t);
    }
    }
    return dy;
}

/* y = f(x); y may be x. */
ck_status ck_ref_activation_forward(ck_backend *backend, const ck_activation_forward_args *args) {
    ck_ref_arena arena;
    ck_ref_arena_init(&arena, backend, "activation_forward");
    double *x = ck_ref_load(&arena, args->x);
    ck_status status = ck_ref_arena_status(&arena);
    if (status == CK_OK) {
        size_t n = ck_tensor_numel(args->x);
        for (size_t i = 0; i < n; i++) x[i] = ck_ref_activate(args->act, args->alpha, x[i]);
        ck_ref_store(args->y, x);
    }
    ck_ref_arena_free(&arena);
    return status;
}

/* dx = f'(x) * dy + beta * dx */
ck_status ck_ref_activation_backward(ck_backend *backend, const ck_activation_backward_args *args) {
    ck_ref_arena arena;
    ck_ref_arena_init(&arena, backend, "activation_backward");
    double *x = ck_ref_load(&arena, args->x);
    double *dy = ck_ref_load(&arena, args->dy);
    ck_status status = ck_ref_arena_status(&arena);
    if (status == CK_OK) {
        size_t n = ck_tensor_numel(args->x);
        for (size_t i = 0; i < n; i++) dy[i] = gradient(args->act, args->alpha, x[i], dy[i]);
        ck_ref_store_accumulate(args->dx, dy, args->beta);
    }
    ck_ref_arena_free(&arena);
    return status;
}
