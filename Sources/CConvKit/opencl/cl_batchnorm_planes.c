/*
 * cl_batchnorm_planes.c — batch norm on OpenCL devices whose tuning sets
 * conv_vec (CPU devices), on the plane kernels of Kernels/batchnorm.cl: each
 * work item streams one plane (b, c) of x, dy (N*C items) or sums one
 * channel's per-plane partials (C items), in vectors, with the partial sums in
 * pooled scratch of (C, N, 2) floats. x, y, dy, dx: (N, C, H, W); gamma, beta,
 * the running and saved statistics, dgamma, dbeta: (C).
 */
#include "opencl/cl_ops.h"

/* `items` work items of a plane or channel kernel, in groups of up to 8. */
static ck_status launch_items(ck_backend *backend, const char *op, const char *kernel, int32_t items,
                              const ck_cl_arg *args, cl_uint arg_count) {
    const size_t global = (size_t)items, local = items < 8 ? (size_t)items : 8;
    return ck_cl_launch(backend, op, CK_CL_PROGRAM_BATCHNORM, kernel, 1, &global, &local, args, arg_count);
}

/* Bytes of the (C, N, 2) partial sums of x's (N, C, H, W). */
static size_t partial_bytes(const ck_tensor *x) { return (size_t)(x->dims[0] * x->dims[1]) * 2 * sizeof(float); }

/*
 * Training: per-plane statistics into scratch, then each channel's mean, invstd, running update and saved
 * statistics; inference: the channel pass from the running statistics. Then y, plane by plane.
 */
ck_status ck_cl_batchnorm2d_forward_planes(ck_backend *backend, const char *op,
                                           const ck_batchnorm2d_forward_args *args) {
    const ck_batchnorm_params *p = args->params;
    int32_t batch = ck_cl_int(args->x->dims[0]), channels = ck_cl_int(args->x->dims[1]);
    int32_t plane = ck_cl_int(args->x->dims[2] * args->x->dims[3]), planes = batch * channels;
    int32_t training = p->training != 0, has_running = args->running_mean != NULL;
    float epsilon = p->epsilon, momentum = p->momentum;
    ck_cl_view x = ck_cl_view_of(args->x), gamma = ck_cl_view_of(args->gamma), beta = ck_cl_view_of(args->beta);
    ck_cl_view rm = ck_cl_view_or(args->running_mean, args->saved_mean);
    ck_cl_view rv = ck_cl_view_or(args->running_var, args->saved_invstd);
    ck_cl_view sm = ck_cl_view_of(args->saved_mean), si = ck_cl_view_of(args->saved_invstd);
    ck_cl_view y = ck_cl_view_of(args->y);
    const size_t bytes = partial_bytes(args->x);
    cl_mem scratch = NULL;
    ck_status status = CK_OK;
    if (training) {
        status = ck_cl_alloc(backend, op, bytes, &scratch);
        const ck_cl_arg list[] = {CK_CL_ARG(batch), CK_CL_ARG(channels), CK_CL_ARG(plane), CK_CL_ARG(x.mem),
                                  CK_CL_ARG(x.offset), CK_CL_ARG(scratch)};
        if (status == CK_OK) status = launch_items(backend, op, "batchnorm_plane_stats", planes, list, 6);
    }
    cl_mem partial = scratch ? scratch : sm.mem; /* inference: not read */
    if (status == CK_OK) {
        const ck_cl_arg list[] = {CK_CL_ARG(batch),     CK_CL_ARG(channels), CK_CL_ARG(plane),     CK_CL_ARG(epsilon),
                                  CK_CL_ARG(momentum),  CK_CL_ARG(training), CK_CL_ARG(has_running), CK_CL_ARG(partial),
                                  CK_CL_ARG(rm.mem),    CK_CL_ARG(rm.offset), CK_CL_ARG(rv.mem),     CK_CL_ARG(rv.offset),
                                  CK_CL_ARG(sm.mem),    CK_CL_ARG(sm.offset), CK_CL_ARG(si.mem),     CK_CL_ARG(si.offset)};
        status = launch_items(backend, op, "batchnorm_channel_stats", channels, list, 16);
    }
    if (status == CK_OK) {
        const ck_cl_arg list[] = {CK_CL_ARG(batch),     CK_CL_ARG(channels),   CK_CL_ARG(plane),    CK_CL_ARG(x.mem),
                                  CK_CL_ARG(x.offset),  CK_CL_ARG(gamma.mem),  CK_CL_ARG(gamma.offset),
                                  CK_CL_ARG(beta.mem),  CK_CL_ARG(beta.offset), CK_CL_ARG(sm.mem),  CK_CL_ARG(sm.offset),
                                  CK_CL_ARG(si.mem),    CK_CL_ARG(si.offset),  CK_CL_ARG(y.mem),    CK_CL_ARG(y.offset)};
        status = launch_items(backend, op, "batchnorm_normalize", planes, list, 15);
    }
    if (scratch) ck_cl_free(backend, scratch, bytes);
    return status;
}

/*
 * The per-plane sums of dy and dy * (x - mean) into scratch and each channel's dgamma, dbeta and dx terms
 * (skipped in inference when neither dgamma nor dbeta is asked for), then dx, plane by plane.
 */
ck_status ck_cl_batchnorm2d_backward_planes(ck_backend *backend, const char *op,
                                            const ck_batchnorm2d_backward_args *args) {
    int32_t batch = ck_cl_int(args->x->dims[0]), channels = ck_cl_int(args->x->dims[1]);
    int32_t plane = ck_cl_int(args->x->dims[2] * args->x->dims[3]), planes = batch * channels;
    int32_t training = args->params->training != 0;
    int32_t has_dgamma = args->dgamma != NULL, has_dbeta = args->dbeta != NULL;
    float beta_acc = args->beta_acc;
    ck_cl_view x = ck_cl_view_of(args->x), dy = ck_cl_view_of(args->dy), gamma = ck_cl_view_of(args->gamma);
    ck_cl_view sm = ck_cl_view_of(args->saved_mean), si = ck_cl_view_of(args->saved_invstd);
    ck_cl_view dx = ck_cl_view_of(args->dx);
    ck_cl_view dgamma = ck_cl_view_or(args->dgamma, args->dx), dbeta = ck_cl_view_or(args->dbeta, args->dx);
    const size_t bytes = partial_bytes(args->x);
    cl_mem scratch = NULL;
    ck_status status = CK_OK;
    if (training || has_dgamma || has_dbeta) {
        status = ck_cl_alloc(backend, op, bytes, &scratch);
        const ck_cl_arg sums[] = {CK_CL_ARG(batch),    CK_CL_ARG(channels), CK_CL_ARG(plane),     CK_CL_ARG(x.mem),
                                  CK_CL_ARG(x.offset), CK_CL_ARG(dy.mem),   CK_CL_ARG(dy.offset), CK_CL_ARG(sm.mem),
                                  CK_CL_ARG(sm.offset), CK_CL_ARG(scratch)};
        if (status == CK_OK) status = launch_items(backend, op, "batchnorm_plane_grad_sums", planes, sums, 10);
        const ck_cl_arg grads[] = {CK_CL_ARG(batch),      CK_CL_ARG(channels),   CK_CL_ARG(plane),
                                   CK_CL_ARG(training),   CK_CL_ARG(si.mem),     CK_CL_ARG(si.offset),
                                   CK_CL_ARG(scratch),    CK_CL_ARG(beta_acc),   CK_CL_ARG(has_dgamma),
                                   CK_CL_ARG(dgamma.mem), CK_CL_ARG(dgamma.offset), CK_CL_ARG(has_dbeta),
                                   CK_CL_ARG(dbeta.mem),  CK_CL_ARG(dbeta.offset)};
        if (status == CK_OK) status = launch_items(backend, op, "batchnorm_channel_grads", channels, grads, 14);
    }
    cl_mem partial = scratch ? scratch : dy.mem; /* inference: not read */
    if (status == CK_OK) {
        const ck_cl_arg list[] = {CK_CL_ARG(batch),     CK_CL_ARG(channels),   CK_CL_ARG(plane),   CK_CL_ARG(training),
                                  CK_CL_ARG(x.mem),     CK_CL_ARG(x.offset),   CK_CL_ARG(dy.mem),  CK_CL_ARG(dy.offset),
                                  CK_CL_ARG(gamma.mem), CK_CL_ARG(gamma.offset), CK_CL_ARG(sm.mem), CK_CL_ARG(sm.offset),
                                  CK_CL_ARG(si.mem),    CK_CL_ARG(si.offset),  CK_CL_ARG(partial), CK_CL_ARG(beta_acc),
                                  CK_CL_ARG(dx.mem),    CK_CL_ARG(dx.offset)};
        status = launch_items(backend, op, "batchnorm_backward_dx", planes, list, 18);
    }
    if (scratch) ck_cl_free(backend, scratch, bytes);
    return status;
}
