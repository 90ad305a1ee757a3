/*
 * cl_train.c — batch norm forward / backward and the SGD, Adam and RMSprop
 * updates on OpenCL (Kernels/batchnorm.cl, Kernels/optim.cl; batch norm on
 * devices whose tuning sets conv_vec: cl_batchnorm_planes.c). Float32 tensors; batch
 * norm x, y, dy, dx: (N, C, H, W), its per-channel tensors (C); optimizer
 * param, grad and state: one shape.
 */
#include "opencl/cl_ops.h"

#include <math.h>

/* One work group of CK_CL_DEFAULT_GROUP items per channel (devices without conv_vec). */
static ck_status launch_channels(ck_backend *backend, const char *op, const char *kernel, int64_t channels,
                                 const ck_cl_arg *args, cl_uint arg_count) {
    const size_t local = CK_CL_DEFAULT_GROUP, global = (size_t)channels * CK_CL_DEFAULT_GROUP;
    return ck_cl_launch(backend, op, CK_CL_PROGRAM_BATCHNORM, kernel, 1, &global, &local, args, arg_count);
}

ck_cl_batchnorm_forward ck_cl_batchnorm_forward_of(const ck_batchnorm2d_forward_args *args) {
    const ck_batchnorm_params *p = args->params;
    return (ck_cl_batchnorm_forward){
        .batch = ck_cl_int(args->x->dims[0]), .channels = ck_cl_int(args->x->dims[1]),
        .plane = ck_cl_int(args->x->dims[2] * args->x->dims[3]), .training = p->training != 0,
        .has_running = args->running_mean != NULL, .epsilon = p->epsilon, .momentum = p->momentum,
        .x = ck_cl_view_of(args->x), .gamma = ck_cl_view_of(args->gamma), .beta = ck_cl_view_of(args->beta),
        .rm = ck_cl_view_or(args->running_mean, args->saved_mean),
        .rv = ck_cl_view_or(args->running_var, args->saved_invstd),
        .sm = ck_cl_view_of(args->saved_mean), .si = ck_cl_view_of(args->saved_invstd), .y = ck_cl_view_of(args->y)};
}

ck_cl_batchnorm_backward ck_cl_batchnorm_backward_of(const ck_batchnorm2d_backward_args *args) {
    return (ck_cl_batchnorm_backward){
        .batch = ck_cl_int(args->x->dims[0]), .channels = ck_cl_int(args->x->dims[1]),
        .plane = ck_cl_int(args->x->dims[2] * args->x->dims[3]), .training = args->params->training != 0,
        .has_dgamma = args->dgamma != NULL, .has_dbeta = args->dbeta != NULL, .beta_acc = args->beta_acc,
        .x = ck_cl_view_of(args->x), .dy = ck_cl_view_of(args->dy), .gamma = ck_cl_view_of(args->gamma),
        .sm = ck_cl_view_of(args->saved_mean), .si = ck_cl_view_of(args->saved_invstd), .dx = ck_cl_view_of(args->dx),
        .dgamma = ck_cl_view_or(args->dgamma, args->dx), .dbeta = ck_cl_view_or(args->dbeta, args->dx)};
}

ck_status ck_cl_batchnorm2d_forward(ck_backend *backend, const ck_batchnorm2d_forward_args *args) {
    const char *op = "batchnorm2d_forward";
    CK_CL_REQUIRE_INT_SIZED(backend, op, args->x, args->gamma, args->beta, args->running_mean, args->running_var,
                            args->saved_mean, args->saved_invstd, args->y);
    if (ck_cl(backend)->tuning.conv_vec) return ck_cl_batchnorm2d_forward_planes(backend, op, args);
    ck_cl_batchnorm_forward b = ck_cl_batchnorm_forward_of(args);
    const ck_cl_arg list[] = {CK_CL_ARG(b.batch), CK_CL_ARG(b.channels), CK_CL_ARG(b.plane), CK_CL_ARG(b.epsilon),
                              CK_CL_ARG(b.momentum), CK_CL_ARG(b.training), CK_CL_ARG(b.has_running),
                              CK_CL_ARG(b.x.mem), CK_CL_ARG(b.x.offset), CK_CL_ARG(b.gamma.mem),
                              CK_CL_ARG(b.gamma.offset), CK_CL_ARG(b.beta.mem), CK_CL_ARG(b.beta.offset),
                              CK_CL_ARG(b.rm.mem), CK_CL_ARG(b.rm.offset), CK_CL_ARG(b.rv.mem),
                              CK_CL_ARG(b.rv.offset), CK_CL_ARG(b.sm.mem), CK_CL_ARG(b.sm.offset),
                              CK_CL_ARG(b.si.mem), CK_CL_ARG(b.si.offset), CK_CL_ARG(b.y.mem), CK_CL_ARG(b.y.offset)};
    return launch_channels(backend, op, "batchnorm_forward", b.channels, list, 23);
}

ck_status ck_cl_batchnorm2d_backward(ck_backend *backend, const ck_batchnorm2d_backward_args *args) {
    const char *op = "batchnorm2d_backward";
    CK_CL_REQUIRE_INT_SIZED(backend, op, args->x, args->dy, args->gamma, args->saved_mean, args->saved_invstd,
                            args->dx, args->dgamma, args->dbeta);
    if (ck_cl(backend)->tuning.conv_vec) return ck_cl_batchnorm2d_backward_planes(backend, op, args);
    ck_cl_batchnorm_backward b = ck_cl_batchnorm_backward_of(args);
    const ck_cl_arg list[] = {CK_CL_ARG(b.batch), CK_CL_ARG(b.channels), CK_CL_ARG(b.plane), CK_CL_ARG(b.training),
                              CK_CL_ARG(b.x.mem), CK_CL_ARG(b.x.offset), CK_CL_ARG(b.dy.mem), CK_CL_ARG(b.dy.offset),
                              CK_CL_ARG(b.gamma.mem), CK_CL_ARG(b.gamma.offset), CK_CL_ARG(b.sm.mem),
                              CK_CL_ARG(b.sm.offset), CK_CL_ARG(b.si.mem), CK_CL_ARG(b.si.offset),
                              CK_CL_ARG(b.beta_acc), CK_CL_ARG(b.dx.mem), CK_CL_ARG(b.dx.offset),
                              CK_CL_ARG(b.has_dgamma), CK_CL_ARG(b.dgamma.mem), CK_CL_ARG(b.dgamma.offset),
                              CK_CL_ARG(b.has_dbeta), CK_CL_ARG(b.dbeta.mem), CK_CL_ARG(b.dbeta.offset)};
    return launch_channels(backend, op, "batchnorm_backward", b.channels, list, 23);
}

/* One work item per element of the n-element update. */
static ck_status launch_update(ck_backend *backend, const char *op, size_t n, const ck_cl_arg *args,
                               cl_uint arg_count) {
    return ck_cl_launch(backend, op, CK_CL_PROGRAM_OPTIM, op, 1, &n, NULL, args, arg_count);
}

ck_status ck_cl_sgd_update(ck_backend *backend, const ck_sgd_update_args *args) {
    CK_CL_REQUIRE_INT_SIZED(backend, "sgd_update", args->param, args->grad, args->velocity);
    const ck_sgd_params *p = args->params;
    int32_t n = (int32_t)ck_tensor_numel(args->param), nesterov = p->nesterov != 0, first_step = p->step == 1;
    int32_t has_velocity = p->momentum != 0.0f;
    float lr = p->lr, weight_decay = p->weight_decay, momentum = p->momentum;
    float keep = (float)(1.0 - (double)p->dampening);
    ck_cl_view param = ck_cl_view_of(args->param), grad = ck_cl_view_of(args->grad);
    ck_cl_view velocity = has_velocity ? ck_cl_view_of(args->velocity) : param;
    const ck_cl_arg list[] = {CK_CL_ARG(n),           CK_CL_ARG(lr),           CK_CL_ARG(weight_decay),
                              CK_CL_ARG(momentum),    CK_CL_ARG(keep),         CK_CL_ARG(nesterov),
                              CK_CL_ARG(first_step),  CK_CL_ARG(param.mem),    CK_CL_ARG(param.offset),
                              CK_CL_ARG(grad.mem),    CK_CL_ARG(grad.offset),  CK_CL_ARG(has_velocity),
                              CK_CL_ARG(velocity.mem), CK_CL_ARG(velocity.offset)};
    return launch_update(backend, "sgd_update", (size_t)n, list, 14);
}

ck_status ck_cl_adam_update(ck_backend *backend, const ck_adam_update_args *args) {
    CK_CL_REQUIRE_INT_SIZED(backend, "adam_update", args->param, args->grad, args->m, args->v, args->v_max);
    const ck_adam_params *p = args->params;
    /* The scalar factors in double, rounded once (as the CPU backend). */
    double bias1 = 1.0 - pow((double)p->beta1, (double)p->step);
    double bias2 = 1.0 - pow((double)p->beta2, (double)p->step);
    int32_t n = (int32_t)ck_tensor_numel(args->param), decoupled = p->decoupled_weight_decay != 0;
    float step_size = (float)((double)p->lr / bias1), bias2_sqrt = (float)sqrt(bias2), epsilon = p->epsilon;
    float beta1 = p->beta1, beta1_keep = (float)(1.0 - (double)p->beta1);
    float beta2 = p->beta2, beta2_keep = (float)(1.0 - (double)p->beta2);
    float weight_decay = p->weight_decay, decay_factor = (float)(1.0 - (double)p->lr * (double)p->weight_decay);
    ck_cl_view param = ck_cl_view_of(args->param), grad = ck_cl_view_of(args->grad);
    ck_cl_view m = ck_cl_view_of(args->m), v = ck_cl_view_of(args->v);
    int32_t amsgrad = args->v_max != NULL;
    ck_cl_view v_max = ck_cl_view_or(args->v_max, args->v);
    const ck_cl_arg list[] = {CK_CL_ARG(n),            CK_CL_ARG(step_size),  CK_CL_ARG(bias2_sqrt),
                              CK_CL_ARG(epsilon),      CK_CL_ARG(beta1),      CK_CL_ARG(beta1_keep),
                              CK_CL_ARG(beta2),        CK_CL_ARG(beta2_keep), CK_CL_ARG(weight_decay),
                              CK_CL_ARG(decay_factor), CK_CL_ARG(decoupled),  CK_CL_ARG(param.mem),
                              CK_CL_ARG(param.offset), CK_CL_ARG(grad.mem),   CK_CL_ARG(grad.offset),
                              CK_CL_ARG(m.mem),        CK_CL_ARG(m.offset),   CK_CL_ARG(v.mem),
                              CK_CL_ARG(v.offset),     CK_CL_ARG(amsgrad),    CK_CL_ARG(v_max.mem),
                              CK_CL_ARG(v_max.offset)};
    return launch_update(backend, "adam_update", (size_t)n, list, 22);
}

ck_status ck_cl_rmsprop_update(ck_backend *backend, const ck_rmsprop_update_args *args) {
    CK_CL_REQUIRE_INT_SIZED(backend, "rmsprop_update", args->param, args->grad, args->square_avg, args->grad_avg,
                            args->momentum_buffer);
    const ck_rmsprop_params *p = args->params;
    int32_t n = (int32_t)ck_tensor_numel(args->param);
    int32_t centered = args->grad_avg != NULL, has_buffer = args->momentum_buffer != NULL;
    float lr = p->lr, alpha = p->alpha, keep = (float)(1.0 - (double)p->alpha), epsilon = p->epsilon;
    float weight_decay = p->weight_decay, momentum = p->momentum;
    ck_cl_view param = ck_cl_view_of(args->param), grad = ck_cl_view_of(args->grad);
    ck_cl_view square_avg = ck_cl_view_of(args->square_avg);
    ck_cl_view grad_avg = ck_cl_view_or(args->grad_avg, args->square_avg);
    ck_cl_view buffer = ck_cl_view_or(args->momentum_buffer, args->square_avg);
    const ck_cl_arg list[] = {CK_CL_ARG(n),                 CK_CL_ARG(lr),              CK_CL_ARG(alpha),
                              CK_CL_ARG(keep),              CK_CL_ARG(epsilon),         CK_CL_ARG(weight_decay),
                              CK_CL_ARG(momentum),          CK_CL_ARG(param.mem),       CK_CL_ARG(param.offset),
                              CK_CL_ARG(grad.mem),          CK_CL_ARG(grad.offset),     CK_CL_ARG(square_avg.mem),
                              CK_CL_ARG(square_avg.offset), CK_CL_ARG(centered),        CK_CL_ARG(grad_avg.mem),
                              CK_CL_ARG(grad_avg.offset),   CK_CL_ARG(has_buffer),      CK_CL_ARG(buffer.mem),
                              CK_CL_ARG(buffer.offset)};
    return launch_update(backend, "rmsprop_update", (size_t)n, list, 19);
}
