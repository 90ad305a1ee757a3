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
    const ck_cl_batchnorm_forward b = ck_cl_batchnorm_forward_of(args);
    const int32_t planes = b.batch * b.channels;
    const size_t bytes = partial_bytes(args->x);
    cl_mem scratch = NULL;
    ck_status status = CK_OK;
    if (b.training) {
        status = ck_cl_alloc(backend, op, bytes, &scratch);
        const ck_cl_arg list[] = {CK_CL_ARG(b.batch), CK_CL_ARG(b.channels), CK_CL_ARG(b.plane), CK_CL_ARG(b.x.mem),
                                  CK_CL_ARG(b.x.offset), CK_CL_ARG(scratch)};
        if (status == CK_OK) status = launch_items(backend, op, "batchnorm_plane_stats", planes, list, 6);
    }
    cl_mem partial = scratch ? scratch : b.sm.mem; /* inference: not read */
    if (status == CK_OK) {
        const ck_cl_arg list[] = {CK_CL_ARG(b.batch), CK_CL_ARG(b.channels), CK_CL_ARG(b.plane), CK_CL_ARG(b.epsilon),
                                  CK_CL_ARG(b.momentum), CK_CL_ARG(b.training), CK_CL_ARG(b.has_running),
                                  CK_CL_ARG(partial), CK_CL_ARG(b.rm.mem), CK_CL_ARG(b.rm.offset),
                                  CK_CL_ARG(b.rv.mem), CK_CL_ARG(b.rv.offset), CK_CL_ARG(b.sm.mem),
                                  CK_CL_ARG(b.sm.offset), CK_CL_ARG(b.si.mem), CK_CL_ARG(b.si.offset)};
        status = launch_items(backend, op, "batchnorm_channel_stats", b.channels, list, 16);
    }
    if (status == CK_OK) {
        const ck_cl_arg list[] = {CK_CL_ARG(b.batch), CK_CL_ARG(b.channels), CK_CL_ARG(b.plane), CK_CL_ARG(b.x.mem),
                                  CK_CL_ARG(b.x.offset), CK_CL_ARG(b.gamma.mem), CK_CL_ARG(b.gamma.offset),
                                  CK_CL_ARG(b.beta.mem), CK_CL_ARG(b.beta.offset), CK_CL_ARG(b.sm.mem),
                                  CK_CL_ARG(b.sm.offset), CK_CL_ARG(b.si.mem), CK_CL_ARG(b.si.offset),
                                  CK_CL_ARG(b.y.mem), CK_CL_ARG(b.y.offset)};
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
    const ck_cl_batchnorm_backward b = ck_cl_batchnorm_backward_of(args);
    const int32_t planes = b.batch * b.channels;
    const size_t bytes = partial_bytes(args->x);
    cl_mem scratch = NULL;
    ck_status status = CK_OK;
    if (b.training || b.has_dgamma || b.has_dbeta) {
        status = ck_cl_alloc(backend, op, bytes, &scratch);
        const ck_cl_arg sums[] = {CK_CL_ARG(b.batch), CK_CL_ARG(b.channels), CK_CL_ARG(b.plane), CK_CL_ARG(b.x.mem),
                                  CK_CL_ARG(b.x.offset), CK_CL_ARG(b.dy.mem), CK_CL_ARG(b.dy.offset),
                                  CK_CL_ARG(b.sm.mem), CK_CL_ARG(b.sm.offset), CK_CL_ARG(scratch)};
        if (status == CK_OK) status = launch_items(backend, op, "batchnorm_plane_grad_sums", planes, sums, 10);
        const ck_cl_arg grads[] = {CK_CL_ARG(b.batch), CK_CL_ARG(b.channels), CK_CL_ARG(b.plane),
                                   CK_CL_ARG(b.training), CK_CL_ARG(b.si.mem), CK_CL_ARG(b.si.offset),
                                   CK_CL_ARG(scratch), CK_CL_ARG(b.beta_acc), CK_CL_ARG(b.has_dgamma),
                                   CK_CL_ARG(b.dgamma.mem), CK_CL_ARG(b.dgamma.offset), CK_CL_ARG(b.has_dbeta),
                                   CK_CL_ARG(b.dbeta.mem), CK_CL_ARG(b.dbeta.offset)};
        if (status == CK_OK) status = launch_items(backend, op, "batchnorm_channel_grads", b.channels, grads, 14);
    }
    cl_mem partial = scratch ? scratch : b.dy.mem; /* inference: not read */
    if (status == CK_OK) {
        const ck_cl_arg list[] = {CK_CL_ARG(b.batch), CK_CL_ARG(b.channels), CK_CL_ARG(b.plane),
                                  CK_CL_ARG(b.training), CK_CL_ARG(b.x.mem), CK_CL_ARG(b.x.offset),
                                  CK_CL_ARG(b.dy.mem), CK_CL_ARG(b.dy.offset), CK_CL_ARG(b.gamma.mem),
                                  CK_CL_ARG(b.gamma.offset), CK_CL_ARG(b.sm.mem), CK_CL_ARG(b.sm.offset),
                                  CK_CL_ARG(b.si.mem), CK_CL_ARG(b.si.offset), CK_CL_ARG(partial),
                                  CK_CL_ARG(b.beta_acc), CK_CL_ARG(b.dx.mem), CK_CL_ARG(b.dx.offset)};
        status = launch_items(backend, op, "batchnorm_backward_dx", planes, list, 18);
    }
    if (scratch) ck_cl_free(backend, scratch, bytes);
    return status;
}
