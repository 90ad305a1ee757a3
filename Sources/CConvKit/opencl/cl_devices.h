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

typedef struct ck_cl_device {
    cl_platform_id platform;
    cl_device_id id;
    cl_device_type type;
    char device_name[128];
    char platform_name[128];
    char version[64];     /* "OpenCL 3.0": the start of CL_DEVICE_VERSION */
    char description[384]; /* "GPU: <device> (<platform>, <version>)" */
} ck_cl_device;

/** Every available device of every platform, in platform order then device order. *out_devices may be NULL when 0. */
int32_t ck_cl_devices(const ck_cl_device **out_devices);

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
