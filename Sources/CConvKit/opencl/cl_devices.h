/*
 * cl_devices.h — the OpenCL devices of this machine, found once per process,
 * and the choice of a backend and device from a device spec (cl_select.c).
 */
#ifndef CK_OPENCL_DEVICES_H
#define CK_OPENCL_DEVICES_H

#ifndef CL_TARGET_OPENCL_VERSION
#define CL_TARGET_OPENCL_VERSION 120
#endif
#include <CL/cl.h>

#include "core/backend.h"

#include <stddef.h>

typedef struct ck_cl_device {
    cl_platform_id platform;
    cl_device_id id;
    cl_device_type type;
    ck_device_info info;   /* names and key limits (ck_opencl_device_info) */
    char full_version[128]; /* CL_DEVICE_VERSION whole (part of the program cache key) */
    char description[384]; /* "GPU: <device> (<platform>, <version>)" */
} ck_cl_device;

/** Every available device of every platform, in platform order then device order. *out_devices may be NULL when 0. */
int32_t ck_cl_devices(const ck_cl_device **out_devices);

/**
 * The device's key limits in one phrase: "2 compute units, 5.2 GiB global,
 * 1 MiB local, work groups <= 4096, allocations <= 2 GiB, fp64".
 */
void ck_cl_describe_limits(const ck_device_info *info, char *out, size_t capacity);

/** What a device spec resolved to: a backend, and for OpenCL the device index. */
typedef struct ck_device_choice {
    ck_backend_kind kind;
    int32_t opencl_index; /* -1 unless kind == CK_BACKEND_OPENCL */
} ck_device_choice;

/**
 * Resolves a context's options (see ck_context_options.device) to a backend
 * and device. Errors (CK_ERR_INVALID_ARGUMENT for an unknown spec or missing
 * device, CK_ERR_UNSUPPORTED when OpenCL was asked for and there is none)
 * are recorded on ctx with the list of devices.
 */
ck_status ck_select_device(ck_context *ctx, const ck_context_options *options, ck_device_choice *out);

#endif
