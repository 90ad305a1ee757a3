/*
 * cl_elementwise.c — fill, copy, add, mul, scale and axpy on OpenCL
 * (Kernels/elementwise.cl; copy is a buffer copy). Tensors are float32 except
 * for copy, which moves bytes of any dtype; shapes are flat element counts.
 */
#include "opencl/cl_ops.h"

/* One work item per element of an n-element flat range. */
static ck_status launch_flat(ck_backend *backend, const char *op, const char *kernel, size_t n, const ck_cl_arg *args,
                             cl_uint arg_count) {
    return ck_cl_launch(backend, op, CK_CL_PROGRAM_ELEMENTWISE, kernel, 1, &n, NULL, args, arg_count);
}

/** y = value; y: any shape. */
ck_status ck_cl_fill(ck_backend *backend, const ck_fill_args *args) {
    CK_CL_REQUIRE_INT_SIZED(backend, "fill", args->y);
    int32_t n = (int32_t)ck_tensor_numel(args->y);
    ck_cl_view y = ck_cl_view_of(args->y);
    float value = args->value;
    const ck_cl_arg list[] = {CK_CL_ARG(n), CK_CL_ARG(value), CK_CL_ARG(y.mem), CK_CL_ARG(y.offset)};
    return launch_flat(backend, "fill", "fill", (size_t)n, list, 4);
}

/** y = x, byte for byte (same dtype and element count); exactly in place is a no-op. */
ck_status ck_cl_copy(ck_backend *backend, const ck_copy_args *args) {
    const ck_tensor *x = args->x, *y = args->y;
    if (x->buffer == y->buffer && x->offset == y->offset) return CK_OK;
    size_t bytes = ck_tensor_numel(x) * ck_dtype_size(x->dtype);
    if (ck_fault_take(&backend->ctx->fault, CK_FAULT_ENQUEUE, "copy", 0))
        return ck_cl_report(backend, "copy", "clEnqueueCopyBuffer", CL_OUT_OF_RESOURCES, CK_CL_INJECTED);
    cl_int code = clEnqueueCopyBuffer(ck_cl(backend)->queue, (cl_mem)x->buffer->device, (cl_mem)y->buffer->device,
                                      x->offset, y->offset, bytes, 0, NULL, NULL);
    return code == CL_SUCCESS ? CK_OK : ck_cl_fail(backend, "copy", "clEnqueueCopyBuffer", code);
}

/** y = alpha * a + beta * b; a, b, y: the same shape. */
ck_status ck_cl_add(ck_backend *backend, const ck_add_args *args) {
    CK_CL_REQUIRE_INT_SIZED(backend, "add", args->a, args->b, args->y);
    int32_t n = (int32_t)ck_tensor_numel(args->y);
    ck_cl_view a = ck_cl_view_of(args->a), b = ck_cl_view_of(args->b), y = ck_cl_view_of(args->y);
    float alpha = args->alpha, beta = args->beta;
    const ck_cl_arg list[] = {CK_CL_ARG(n),     CK_CL_ARG(alpha),    CK_CL_ARG(a.mem),
                              CK_CL_ARG(a.offset), CK_CL_ARG(beta),  CK_CL_ARG(b.mem),
                              CK_CL_ARG(b.offset), CK_CL_ARG(y.mem), CK_CL_ARG(y.offset)};
    return launch_flat(backend, "add", "add", (size_t)n, list, 9);
}

/** y = a * b elementwise; a, b, y: the same shape. */
ck_status ck_cl_mul(ck_backend *backend, const ck_mul_args *args) {
    CK_CL_REQUIRE_INT_SIZED(backend, "mul", args->a, args->b, args->y);
    int32_t n = (int32_t)ck_tensor_numel(args->y);
    ck_cl_view a = ck_cl_view_of(args->a), b = ck_cl_view_of(args->b), y = ck_cl_view_of(args->y);
    const ck_cl_arg list[] = {CK_CL_ARG(n),     CK_CL_ARG(a.mem),    CK_CL_ARG(a.offset), CK_CL_ARG(b.mem),
                              CK_CL_ARG(b.offset), CK_CL_ARG(y.mem), CK_CL_ARG(y.offset)};
    return launch_flat(backend, "mul", "mul", (size_t)n, list, 7);
}

/* scale (y = alpha * x) and axpy (y += alpha * x) take the same arguments. */
static ck_status scaled(ck_backend *backend, const char *op, float alpha, const ck_tensor *xt, const ck_tensor *yt) {
    CK_CL_REQUIRE_INT_SIZED(backend, op, xt, yt);
    int32_t n = (int32_t)ck_tensor_numel(yt);
    ck_cl_view x = ck_cl_view_of(xt), y = ck_cl_view_of(yt);
    const ck_cl_arg list[] = {CK_CL_ARG(n),     CK_CL_ARG(alpha), CK_CL_ARG(x.mem),
                              CK_CL_ARG(x.offset), CK_CL_ARG(y.mem), CK_CL_ARG(y.offset)};
    return launch_flat(backend, op, op, (size_t)n, list, 6);
}

/** y = alpha * x; x, y: the same shape. */
ck_status ck_cl_scale(ck_backend *backend, const ck_scale_args *args) {
    return scaled(backend, "scale", args->alpha, args->x, args->y);
}

/** y = alpha * x + y; x, y: the same shape. */
ck_status ck_cl_axpy(ck_backend *backend, const ck_axpy_args *args) {
    return scaled(backend, "axpy", args->alpha, args->x, args->y);
}
