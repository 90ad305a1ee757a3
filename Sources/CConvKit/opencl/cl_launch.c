/* cl_launch.c — tensor views and kernel launches of the OpenCL backend (see cl_backend.h). */
#include "opencl/cl_backend.h"

#include <limits.h>
#include <stdio.h>

ck_cl_view ck_cl_view_of(const ck_tensor *t) {
    ck_cl_view view = {(cl_mem)t->buffer->device, (int32_t)(t->offset / ck_dtype_size(t->dtype))};
    return view;
}

ck_cl_view ck_cl_view_or(const ck_tensor *t, const ck_tensor *fallback) { return ck_cl_view_of(t ? t : fallback); }

ck_status ck_cl_require_int_sized(ck_backend *backend, const char *op, const ck_tensor *const *tensors, int count) {
    for (int i = 0; i < count; i++) {
        const ck_tensor *t = tensors[i];
        if (!t) continue;
        size_t end = t->offset / ck_dtype_size(t->dtype) + ck_tensor_numel(t);
        if (end > INT_MAX)
            return ck_set_error(backend->ctx, CK_ERR_UNSUPPORTED,
                                "%s: the opencl backend indexes tensors with 32-bit integers; tensor %d ends at "
                                "element %zu of its buffer (more than 2^31 - 1)",
                                op, i, end);
    }
    return CK_OK;
}

ck_status ck_cl_launch(ck_backend *backend, const char *op, ck_cl_program_id program, const char *kernel_name,
                       cl_uint dims, const size_t *global, const size_t *local, const ck_cl_arg *args,
                       cl_uint arg_count) {
    /* Always an explicit group size: a runtime that specializes kernels per group size (PoCL) then
       compiles each kernel once, not once per problem size. */
    size_t rounded[3], group[3] = {CK_CL_DEFAULT_GROUP, 1, 1};
    if (!local) local = group;
    for (cl_uint d = 0; d < dims; d++) {
        if (global[d] == 0) return CK_OK; /* nothing to do (validated shapes make this rare) */
        rounded[d] = (global[d] + local[d] - 1) / local[d] * local[d];
    }
    ck_cl_state *state = ck_cl(backend);
    ck_fault *fault = &backend->ctx->fault;
    pthread_mutex_lock(&state->lock);
    cl_kernel kernel = NULL;
    ck_status status = ck_cl_get_kernel(backend, op, program, kernel_name, &kernel);
    for (cl_uint i = 0; status == CK_OK && i < arg_count; i++) {
        cl_int code = clSetKernelArg(kernel, i, args[i].size, args[i].value);
        if (code != CL_SUCCESS) status = ck_cl_fail(backend, op, "clSetKernelArg", code);
    }
    if (status == CK_OK) {
        /* Test hooks (core/fault.h): a lazily allocating driver reports a failed allocation here. */
        cl_int code = ck_fault_take(fault, CK_FAULT_ALLOC, op, 1)      ? CL_MEM_OBJECT_ALLOCATION_FAILURE
                      : ck_fault_take(fault, CK_FAULT_ENQUEUE, op, 0) ? CL_OUT_OF_RESOURCES
                                                                       : CL_SUCCESS;
        int injected = code != CL_SUCCESS;
        if (!injected) code = clEnqueueNDRangeKernel(state->queue, kernel, dims, NULL, rounded, local, 0, NULL, NULL);
        if (code != CL_SUCCESS) {
            char call[96];
            snprintf(call, sizeof call, "clEnqueueNDRangeKernel(%s)", kernel_name);
            status = ck_cl_report(backend, op, call, code, injected ? CK_CL_INJECTED : 0);
        }
    }
    pthread_mutex_unlock(&state->lock);
    return status;
}

ck_status ck_cl_launch_tiled(ck_backend *backend, const char *op, ck_cl_program_id program, const char *kernel,
                             int64_t m, int64_t n, int64_t batches, const ck_cl_arg *args, cl_uint arg_count) {
    const ck_cl_tuning *t = &ck_cl(backend)->tuning;
    const size_t local[3] = {(size_t)(t->tile_n / t->work_n), (size_t)(t->tile_m / t->work_m), 1};
    const size_t global[3] = {((size_t)n + t->tile_n - 1) / t->tile_n * local[0],
                              ((size_t)m + t->tile_m - 1) / t->tile_m * local[1], (size_t)batches};
    return ck_cl_launch(backend, op, program, kernel, 3, global, local, args, arg_count);
}
