/* cl_devices.c — finding the OpenCL devices once per process (no platform at all is normal: zero devices). */
#include "opencl/cl_devices.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PLATFORMS 16
#define MAX_DEVICES_PER_PLATFORM 16

static pthread_once_t discovered = PTHREAD_ONCE_INIT;
static ck_cl_device *devices;
static int32_t device_count;

static const char *type_name(cl_device_type type) {
    if (type & CL_DEVICE_TYPE_GPU) return "GPU";
    if (type & CL_DEVICE_TYPE_ACCELERATOR) return "accelerator";
    if (type & CL_DEVICE_TYPE_CPU) return "CPU";
    return "device";
}

/* A device or platform string, cut to `capacity` (a too-small buffer would fail the query itself). */
static void get_string(cl_device_id device, cl_platform_id platform, cl_uint param, char *out, size_t capacity) {
    char text[1024];
    cl_int code = device ? clGetDeviceInfo(device, param, sizeof text, text, NULL)
                         : clGetPlatformInfo(platform, param, sizeof text, text, NULL);
    const char *value = code == CL_SUCCESS ? text : "?";
    size_t length = strnlen(value, capacity - 1);
    memcpy(out, value, length);
    out[length] = '\0';
}

/* Fills one entry; returns 0 when the device is not available (skipped). */
static int describe(cl_platform_id platform, cl_device_id id, ck_cl_device *d) {
    cl_bool available = CL_FALSE;
    if (clGetDeviceInfo(id, CL_DEVICE_AVAILABLE, sizeof available, &available, NULL) != CL_SUCCESS || !available)
        return 0;
    d->platform = platform;
    d->id = id;
    if (clGetDeviceInfo(id, CL_DEVICE_TYPE, sizeof d->type, &d->type, NULL) != CL_SUCCESS) d->type = 0;
    get_string(id, NULL, CL_DEVICE_NAME, d->device_name, sizeof d->device_name);
    get_string(NULL, platform, CL_PLATFORM_NAME, d->platform_name, sizeof d->platform_name);
    get_string(id, NULL, CL_DEVICE_VERSION, d->version, sizeof d->version);
    /* "OpenCL 3.0 <vendor text>": keep "OpenCL 3.0". */
    char *space = strchr(d->version, ' ');
    if (space && (space = strchr(space + 1, ' '))) *space = '\0';
    snprintf(d->description, sizeof d->description, "%s: %s (%s, %s)", type_name(d->type), d->device_name,
             d->platform_name, d->version);
    return 1;
}

static void discover(void) {
    cl_platform_id platforms[MAX_PLATFORMS];
    cl_uint platform_count = 0;
    /* An ICD loader with no platform answers CL_PLATFORM_NOT_FOUND_KHR: zero devices. */
    if (clGetPlatformIDs(MAX_PLATFORMS, platforms, &platform_count) != CL_SUCCESS) return;
    if (platform_count > MAX_PLATFORMS) platform_count = MAX_PLATFORMS;
    devices = calloc((size_t)platform_count * MAX_DEVICES_PER_PLATFORM, sizeof *devices);
    if (!devices) return;
    for (cl_uint p = 0; p < platform_count; p++) {
        cl_device_id ids[MAX_DEVICES_PER_PLATFORM];
        cl_uint count = 0;
        if (clGetDeviceIDs(platforms[p], CL_DEVICE_TYPE_ALL, MAX_DEVICES_PER_PLATFORM, ids, &count) != CL_SUCCESS)
            continue;
        if (count > MAX_DEVICES_PER_PLATFORM) count = MAX_DEVICES_PER_PLATFORM;
        for (cl_uint i = 0; i < count; i++) device_count += describe(platforms[p], ids[i], &devices[device_count]);
    }
}

int32_t ck_cl_devices(const ck_cl_device **out_devices) {
    pthread_once(&discovered, discover);
    if (out_devices) *out_devices = devices;
    return device_count;
}

int32_t ck_opencl_device_count(void) { return ck_cl_devices(NULL); }

const char *ck_opencl_device_name(int32_t index) {
    const ck_cl_device *list;
    int32_t count = ck_cl_devices(&list);
    return index >= 0 && index < count ? list[index].description : NULL;
}
