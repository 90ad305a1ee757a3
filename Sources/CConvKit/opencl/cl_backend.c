/*
 * cl_backend.c — the OpenCL backend's lifetime, op table and buffers
 * (cl_mem; writes are staged and asynchronous, reads wait).
 */
#include "opencl/cl_devices.h"
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
    .sgd_update = ck_cl_sgd_update,
    .adam_update = ck_cl_adam_update,
};

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

ck_status ck_cl_fail(ck_backend *backend, const char *what, const char *call, cl_int code) {
    int memory = code == CL_MEM_OBJECT_ALLOCATION_FAILURE || code == CL_OUT_OF_HOST_MEMORY ||
                 code == CL_INVALID_BUFFER_SIZE;
    return ck_set_error(backend->ctx, memory ? CK_ERR_OUT_OF_MEMORY : CK_ERR_DEVICE, "%s: %s failed with %s (%d) on %s",
                        what, call, ck_cl_error_name(code), (int)code, backend->description);
}

/* ------------------------------------------------------------------------ */
/* Buffers                                                                    */
/* ------------------------------------------------------------------------ */

static ck_status buffer_create(ck_backend *backend, ck_buffer *buffer) {
    cl_int code;
    cl_mem mem = clCreateBuffer(ck_cl(backend)->context, CL_MEM_READ_WRITE, buffer->bytes, NULL, &code);
    if (code != CL_SUCCESS) return ck_cl_fail(backend, "ck_buffer_create", "clCreateBuffer", code);
    buffer->device = mem;
    return CK_OK;
}

static void buffer_destroy(ck_backend *backend, ck_buffer *buffer) {
    (void)backend;
    clReleaseMemObject((cl_mem)buffer->device);
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
    cl_int code = clEnqueueReadBuffer(ck_cl(backend)->queue, (cl_mem)buffer->device, CL_TRUE, offset, bytes, dst, 0,
                                      NULL, NULL);
    return code == CL_SUCCESS ? CK_OK : ck_cl_fail(backend, "ck_buffer_read", "clEnqueueReadBuffer", code);
}

static ck_status finish(ck_backend *backend) {
    cl_int code = clFinish(ck_cl(backend)->queue);
    return code == CL_SUCCESS ? CK_OK : ck_cl_fail(backend, "ck_context_finish", "clFinish", code);
}

static const ck_buffer_ops opencl_buffers = {buffer_create, buffer_destroy, buffer_write, buffer_read, finish};

/* ------------------------------------------------------------------------ */
/* Lifetime                                                                   */
/* ------------------------------------------------------------------------ */

static void opencl_destroy(ck_backend *backend) {
    ck_cl_state *state = ck_cl(backend);
    if (!state) return;
    if (state->queue) clFinish(state->queue);
    ck_cl_program_cache_clear(&state->programs);
    if (state->queue) clReleaseCommandQueue(state->queue);
    if (state->context) clReleaseContext(state->context);
    pthread_mutex_destroy(&state->lock);
    free(state);
    backend->state = NULL;
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
    pthread_mutex_init(&state->lock, NULL);
    state->device = device->id;
    state->device_index = device_index;
    backend->kind = CK_BACKEND_OPENCL;
    backend->ops = &opencl_ops;
    backend->buffer_ops = &opencl_buffers;
    backend->ctx = ctx;
    backend->state = state;
    backend->num_threads = 1;
    backend->destroy = opencl_destroy;
    snprintf(backend->description, sizeof backend->description, "opencl: device %d, %.220s", (int)device_index,
             device->description);

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
        ck_status status = ck_cl_fail(backend, "ck_context_create", state->context ? "clCreateCommandQueue" : "clCreateContext", code);
        opencl_destroy(backend);
        return status;
    }
    return CK_OK;
}
