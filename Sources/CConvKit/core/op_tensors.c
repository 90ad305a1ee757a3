/* op_tensors.c — the tensors of each op's arguments (see op_tensors.h). */
#include "core/op_tensors.h"

#define CK_TENSORS(name, ...)                                                      \
    int ck_##name##_tensors(const ck_##name##_args *a, const ck_tensor **out) {    \
        const ck_tensor *list[] = {__VA_ARGS__};                                  \
        _Static_assert(sizeof list / sizeof list[0] <= CK_MAX_OP_TENSORS, #name); \
        int count = 0;                                                             \
        for (size_t i = 0; i < sizeof list / sizeof list[0]; i++)                  \
            if (list[i]) out[count++] = list[i];                                   \
        return count;                                                              \
    }

CK_TENSORS(conv2d_forward, a->x, a->w, a->bias, a->y)
CK_TENSORS(conv2d_backward_data, a->w, a->dy, a->dx)
CK_TENSORS(conv2d_backward_weights, a->x, a->dy, a->dw, a->dbias)
CK_TENSORS(conv_transpose2d_forward, a->x, a->w, a->bias, a->y)
CK_TENSORS(conv_transpose2d_backward_data, a->w, a->dy, a->dx)
CK_TENSORS(conv_transpose2d_backward_weights, a->x, a->dy, a->dw, a->dbias)
CK_TENSORS(pool2d_forward, a->x, a->y)
CK_TENSORS(pool2d_backward, a->x, a->dy, a->dx)
CK_TENSORS(global_pool2d_forward, a->x, a->y)
CK_TENSORS(global_pool2d_backward, a->x, a->dy, a->dx)
CK_TENSORS(gemm, a->a, a->b, a->c)
CK_TENSORS(bias_add, a->x, a->bias, a->y)
CK_TENSORS(bias_backward, a->dy, a->dbias)
CK_TENSORS(add, a->a, a->b, a->y)
CK_TENSORS(mul, a->a, a->b, a->y)
CK_TENSORS(scale, a->x, a->y)
CK_TENSORS(axpy, a->x, a->y)
CK_TENSORS(fill, a->y)
CK_TENSORS(copy, a->x, a->y)
CK_TENSORS(reduce_sum, a->x, a->y)
CK_TENSORS(activation_forward, a->x, a->y)
CK_TENSORS(activation_backward, a->x, a->dy, a->dx)
CK_TENSORS(batchnorm2d_forward, a->x, a->gamma, a->beta, a->running_mean, a->running_var, a->saved_mean,
           a->saved_invstd, a->y)
CK_TENSORS(batchnorm2d_backward, a->x, a->dy, a->gamma, a->saved_mean, a->saved_invstd, a->dx, a->dgamma, a->dbeta)
CK_TENSORS(softmax_cross_entropy_forward, a->logits, a->labels, a->probs, a->loss)
CK_TENSORS(softmax_cross_entropy_backward, a->probs, a->labels, a->dlogits, a->dloss)
CK_TENSORS(dropout_forward, a->x, a->y, a->mask)
CK_TENSORS(sgd_update, a->param, a->grad, a->velocity)
CK_TENSORS(adam_update, a->param, a->grad, a->m, a->v, a->v_max)
CK_TENSORS(permute, a->x, a->y)
CK_TENSORS(rmsprop_update, a->param, a->grad, a->square_avg, a->grad_avg, a->momentum_buffer)
