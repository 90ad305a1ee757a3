/*
 * cl_backend.c — the OpenCL backend's lifetime, op table, error reports and
 * buffers (pooled cl_mem, cl_memory.c; writes are staged and asynchronous,
 * reads wait). A context reads its settings when it is created: the device's
 * tuning (cl_tuning.c, CONVKIT_CL_TUNING), the ops to run on the CPU
 * (CONVKIT_OPENCL_FALLBACK), the program cache folder (CONVKIT_PROGRAM_CACHE,
 * XDG_CACHE_HOME) and, in core, an injected fault (CONVKIT_FAULT).
 */
#include "opencl/cl_disk_cache.h"
#include "opencl/cl_ops.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const ck_backend_ops opencl_ops = {
    .fill = ck_cl_fill,
    .copy = ck_cl_copy,
    .add = ck_cl_add,
    .mul = ck_cl_mul,
    .scale = ck_cl_scale,
    .axpy = ck_cl_axpy,
    .reduce_sum = ck_cl_reduce_sum,
    .permute = ck_cl_permute,
    .activation_forward = ck_cl_activation_forward,
    .activation_backward = ck_cl_activation_backward,
    .bias_add = ck_cl_bias_add,
    .bias_backward = ck_cl_bias_backward,
    .gemm = ck_cl_gemm,
    .conv2d_forward = ck_cl_conv2d_forward,
    .conv2d_backward_data = ck_cl_conv2d_backward_data,
    .conv2d_backward_weights = ck_cl_conv2d_backward_weights,
    .conv_transpose2d_forward = ck_cl_conv_transpose2d_forward,
    .conv_transpose2d_backward_data = ck_cl_conv_transpose2d_backward_data,
    .conv_transpose2d_backward_weights = ck_cl_conv_transpose2d_backward_weights,
    .pool2d_forward = ck_cl_pool2d_forward,
    .pool2d_backward = ck_cl_pool2d_backward,
    .global_pool2d_forward = ck_cl_global_pool2d_forward,
    .global_pool2d_backward = ck_cl_global_pool2d_backward,
    .batchnorm2d_forward = ck_cl_batchnorm2d_forward,
    .batchnorm2d_backward = ck_cl_batchnorm2d_backward,
    .softmax_cross_entropy_forward = ck_cl_softmax_cross_entropy_forward,
    .softmax_cross_entropy_backward = ck_cl_softmax_cross_entropy_backward,
    .dropout_forward = ck_cl_dropout_forward,
    .sgd_update = ck_cl_sgd_update,
    .adam_update = ck_cl_adam_update,
    .rmsprop_update = ck_cl_rmsprop_update,
};

/*
 * The op table of a new context: every op, less those CONVKIT_OPENCL_FALLBACK
 * names ("reduce_sum,dropout_forward"; "all" for every op). An unknown name
 * fails with CK_ERR_INVALID_ARGUMENT.
 */
static ck_status make_op_table(ck_context *ctx, ck_backend_ops *ops) {
    *ops = opencl_ops;
    const char *list = getenv("CONVKIT_OPENCL_FALLBACK");
    for (const char *p = list ? list : ""; *p;) {
        size_t length = strcspn(p, ",");
        int known = 0;
#define CK_CL_DROP_OP(ID, name)                                                                    \
    if ((length == 3 && strncmp(p, "all", 3) == 0) || (length == strlen(#name) && strncmp(p, #name, length) == 0)) \
        ops->name = NULL, known = 1;
        CK_OP_LIST(CK_CL_DROP_OP)
#undef CK_CL_DROP_OP
        if (!known && length > 0)
            return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT,
                                "ck_context_create: CONVKIT_OPENCL_FALLBACK='%s' names '%.*s', which is not an op "
                                "(a comma-separated list of op names such as reduce_sum, or all)",
                                list, (int)length, p);
        p += length + (p[length] == ',');
    }
    return CK_OK;
}

const char *ck_cl_error_name(cl_int code) {
    switch (code) {
#define CK_CL_CODE(name) case name: return #name;
    CK_CL_CODE(CL_DEVICE_NOT_FOUND) CK_CL_CODE(CL_DEVICE_NOT_AVAILABLE) CK_CL_CODE(CL_COMPILER_NOT_AVAILABLE)
    CK_CL_CODE(CL_MEM_OBJECT_ALLOCATION_FAILURE) CK_CL_CODE(CL_OUT_OF_RESOURCES) CK_CL_CODE(CL_OUT_OF_HOST_MEMORY)
    CK_CL_CODE(CL_BUILD_PROGRAM_FAILURE) CK_CL_CODE(CL_INVALID_VALUE) CK_CL_CODE(CL_INVALID_DEVICE)
    CK_CL_CODE(CL_INVALID_CONTEXT) CK_CL_CODE(CL_INVALID_COMMAND_QUEUE) CK_CL_CODE(CL_INVALID_MEM_OBJECT)
    CK_CL_CODE(CL_INVALID_BUILD_OPTIONS) CK_CL_CODE(CL_INVALID_PROGRAM) CK_CL_CODE(CL_INVALID_PROGRAM_EXECUTABLE)
    CK_CL_CODE(CL_INVALID_KERNEL_NAME) CK_CL_CODE(CL_INVALID_KERNEL) CK_CL_CODE(CL_INVALID_ARG_INDEX)
    CK_CL_CODE(CL_INVALID_ARG_VALUE) CK_CL_CODE(CL_INVALID_ARG_SIZE) CK_CL_CODE(CL_INVALID_KERNEL_ARGS)
    CK_CL_CODE(CL_INVALID_WORK_DIMENSION) CK_CL_CODE(CL_INVALID_WORK_GROUP_SIZE) CK_CL_CODE(CL_INVALID_WORK_ITEM_SIZE)
    CK_CL_CODE(CL_INVALID_GLOBAL_OFFSET) CK_CL_CODE(CL_INVALID_EVENT) CK_CL_CODE(CL_INVALID_OPERATION)
    CK_CL_CODE(CL_INVALID_BUFFER_SIZE) CK_CL_CODE(CL_INVALID_GLOBAL_WORK_SIZE)
    CK_CL_CODE(CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST) CK_CL_CODE(CL_MISALIGNED_SUB_BUFFER_OFFSET)
#undef CK_CL_CODE
    }
    return "an unknown OpenCL error";
}

ck_status ck_cl_report(ck_backend *backend, const char *what, const char *call, cl_int code, int flags) {
    int memory = code == CL_MEM_OBJECT_ALLOCATION_FAILURE || code == CL_OUT_OF_HOST_MEMORY ||
                 code == CL_INVALID_BUFFER_SIZE || ((flags & CK_CL_ALLOCATING) && code == CL_OUT_OF_RESOURCES);
    return ck_set_error(backend->ctx, memory ? CK_ERR_OUT_OF_MEMORY : CK_ERR_DEVICE, "%s: %s failed with %s (%d) on %s%s",
                        what, call, ck_cl_error_name(code), (int)code, backend->device,
                        (flags & CK_CL_INJECTED) ? " (a failure injected by CONVKIT_FAULT)" : "");
}

ck_status ck_cl_fail(ck_backend *backend, const char *what, const char *call, cl_int code) {
    return ck_cl_report(backend, what, call, code, 0);
}

/* ------------------------------------------------------------------------ */
/* Buffers: cl_mem from the pool (cl_memory.c)                                */
/* ------------------------------------------------------------------------ */

static ck_status buffer_create(ck_backend *backend, ck_buffer *buffer) {
    cl_mem mem;
    ck_status status = ck_cl_alloc(backend, "ck_buffer_create", buffer->bytes, &mem);
    if (status == CK_OK) buffer->device = mem;
    return status;
}

static void buffer_destroy(ck_backend *backend, ck_buffer *buffer) {
    ck_cl_free(backend, (cl_mem)buffer->device, buffer->bytes);
    buffer->device = NULL;
}

/* Frees a write's staging copy once the device has it. */
static void CL_CALLBACK staging_done(cl_event event, cl_int status, void *staging) {
    (void)status;
    free(staging);
    clReleaseEvent(event);
}

/* The source is copied to a staging area so the caller may reuse it at once; the copy is freed when written. */
static ck_status buffer_write(ck_backend *backend, ck_buffer *buffer, size_t offset, const void *src, size_t bytes) {
    void *staging = malloc(bytes);
    if (!staging) return ck_set_error(backend->ctx, CK_ERR_OUT_OF_MEMORY, "ck_buffer_write: cannot stage %zu bytes", bytes);
    memcpy(staging, src, bytes);
    cl_event done;
    cl_int code = clEnqueueWriteBuffer(ck_cl(backend)->queue, (cl_mem)buffer->device, CL_FALSE, offset, bytes,
                                       staging, 0, NULL, &done);
    if (code != CL_SUCCESS) {
        free(staging);
        return ck_cl_fail(backend, "ck_buffer_write", "clEnqueueWriteBuffer", code);
    }
    code = clSetEventCallback(done, CL_COMPLETE, staging_done, staging);
    if (code != CL_SUCCESS) { /* cannot hand the staging copy over: wait, then free it here */
        clWaitForEvents(1, &done);
        clReleaseEvent(done);
        free(staging);
    }
    clFlush(ck_cl(backend)->queue);
    return CK_OK;
}

static ck_status buffer_read(ck_backend *backend, const ck_buffer *buffer, size_t offset, void *dst, size_t bytes) {
    ck_cl_label_check_enqueue(backend);
    cl_int code = clEnqueueReadBuffer(ck_cl(backend)->queue, (cl_mem)buffer->device, CL_TRUE, offset, bytes, dst, 0,
                                      NULL, NULL);
    if (code != CL_SUCCESS) return ck_cl_fail(backend, "ck_buffer_read", "clEnqueueReadBuffer", code);
    return ck_cl_label_check_result(backend, "ck_buffer_read");
}

static ck_status finish(ck_backend *backend) {
    ck_cl_label_check_enqueue(backend);
    cl_int code = clFinish(ck_cl(backend)->queue);
    if (code != CL_SUCCESS) return ck_cl_fail(backend, "ck_context_finish", "clFinish", code);
    return ck_cl_label_check_result(backend, "ck_context_finish");
}

static void memory_stats(ck_backend *backend, ck_memory_stats *out) {
    ck_cl_pool *pool = &ck_cl(backend)->pool;
    pthread_mutex_lock(&pool->lock);
    *out = pool->stats;
    pthread_mutex_unlock(&pool->lock);
}

static const ck_buffer_ops opencl_buffers = {buffer_create, buffer_destroy, buffer_write, buffer_read, finish,
                                             memory_stats};

/* ------------------------------------------------------------------------ */
/* Lifetime                                                                   */
/* ------------------------------------------------------------------------ */

static void opencl_destroy(ck_backend *backend) {
    ck_cl_state *state = ck_cl(backend);
    if (!state) return;
    if (state->queue) clFinish(state->queue);
    ck_cl_program_cache_clear(&state->programs);
    ck_cl_pool_destroy(&state->pool);
    ck_cl_label_check_release(backend);
    if (state->queue) clReleaseCommandQueue(state->queue);
    if (state->context) clReleaseContext(state->context);
    pthread_mutex_destroy(&state->lock);
    free(state);
    backend->state = NULL;
}

/* device: "opencl: device N, <device>"; description: that, "; <limits>; <tuning> (<where it comes from>)". */
static void describe(ck_backend *backend, const ck_cl_device *device, const ck_cl_tuning *tuning, const char *origin) {
    char limits[160], tiles[88];
    ck_cl_describe_limits(&device->info, limits, sizeof limits);
    ck_cl_tuning_describe(tuning, tiles, sizeof tiles);
    snprintf(backend->device, sizeof backend->device, "opencl: device %d, %.220s", (int)ck_cl(backend)->device_index,
             device->description);
    snprintf(backend->description, sizeof backend->description, "%s; %s; %s (%s)", backend->device, limits, tiles,
             origin);
}

ck_status ck_opencl_backend_create(ck_context *ctx, int32_t device_index, ck_backend *backend) {
    const ck_cl_device *devices;
    int32_t count = ck_cl_devices(&devices);
    if (device_index < 0 || device_index >= count)
        return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT, "opencl backend: no OpenCL device %d (this machine has %d)",
                            (int)device_index, (int)count);
    const ck_cl_device *device = &devices[device_index];
    ck_cl_state *state = calloc(1, sizeof *state);
    if (!state) return ck_set_error(ctx, CK_ERR_OUT_OF_MEMORY, "opencl backend: cannot allocate its state");
    ck_status status = make_op_table(ctx, &state->ops);
    char origin[1400] = "";
    if (status == CK_OK) status = ck_cl_tuning_for(ctx, device, &state->tuning, origin, sizeof origin);
    if (status != CK_OK) {
        free(state);
        return status;
    }
    pthread_mutex_init(&state->lock, NULL);
    ck_cl_pool_init(&state->pool, (size_t)(device->info.global_memory_bytes / 4));
    state->device = device->id;
    state->device_index = device_index;
    state->info = device;
    ck_cl_disk_cache_dir(state->cache_dir, sizeof state->cache_dir);
    backend->kind = CK_BACKEND_OPENCL;
    backend->ops = &state->ops;
    backend->buffer_ops = &opencl_buffers;
    backend->ctx = ctx;
    backend->state = state;
    backend->num_threads = 1;
    backend->destroy = opencl_destroy;
    describe(backend, device, &state->tuning, origin);

    /* Correctly rounded float division and sqrt where the device offers them: the op suites' error
       bounds count one rounding per operation (OpenCL 1.2 otherwise allows 2.5 and 3 ulp). */
    cl_device_fp_config fp = 0;
    if (clGetDeviceInfo(device->id, CL_DEVICE_SINGLE_FP_CONFIG, sizeof fp, &fp, NULL) == CL_SUCCESS &&
        (fp & CL_FP_CORRECTLY_ROUNDED_DIVIDE_SQRT))
        snprintf(state->device_options, sizeof state->device_options, " -cl-fp32-correctly-rounded-divide-sqrt");

    cl_context_properties properties[] = {CL_CONTEXT_PLATFORM, (cl_context_properties)device->platform, 0};
    cl_int code;
    state->context = clCreateContext(properties, 1, &device->id, NULL, NULL, &code);
    if (code == CL_SUCCESS) state->queue = clCreateCommandQueue(state->context, device->id, 0, &code);
    if (code != CL_SUCCESS) {
        status = ck_cl_fail(backend, "ck_context_create", state->context ? "clCreateCommandQueue" : "clCreateContext", code);
        opencl_destroy(backend);
        return status;
    }
    return CK_OK;
}
