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

/* An integer device property of `size` bytes (4 or 8), as uint64; 0 when the query fails. */
static uint64_t get_number(cl_device_id device, cl_uint param, size_t size) {
    union { cl_uint u32; cl_ulong u64; size_t sz; } value = {0};
    if (clGetDeviceInfo(device, param, size, &value, NULL) != CL_SUCCESS) return 0;
    return size == sizeof(cl_uint) ? value.u32 : size == sizeof(size_t) ? (uint64_t)value.sz : value.u64;
}

/* Fills one entry; returns 0 when the device is not available (skipped). */
static int describe(cl_platform_id platform, cl_device_id id, ck_cl_device *d) {
    cl_bool available = CL_FALSE;
    if (clGetDeviceInfo(id, CL_DEVICE_AVAILABLE, sizeof available, &available, NULL) != CL_SUCCESS || !available)
        return 0;
    ck_device_info *info = &d->info;
    d->platform = platform;
    d->id = id;
    if (clGetDeviceInfo(id, CL_DEVICE_TYPE, sizeof d->type, &d->type, NULL) != CL_SUCCESS) d->type = 0;
    snprintf(info->type, sizeof info->type, "%s", type_name(d->type));
    get_string(id, NULL, CL_DEVICE_NAME, info->name, sizeof info->name);
    get_string(id, NULL, CL_DEVICE_VENDOR, info->vendor, sizeof info->vendor);
    get_string(NULL, platform, CL_PLATFORM_NAME, info->platform, sizeof info->platform);
    get_string(id, NULL, CL_DRIVER_VERSION, info->driver_version, sizeof info->driver_version);
    get_string(id, NULL, CL_DEVICE_VERSION, d->full_version, sizeof d->full_version);
    /* "OpenCL 3.0 <vendor text>": keep "OpenCL 3.0". */
    snprintf(info->version, sizeof info->version, "%.63s", d->full_version);
    char *space = strchr(info->version, ' ');
    if (space && (space = strchr(space + 1, ' '))) *space = '\0';
    info->compute_units = (int32_t)get_number(id, CL_DEVICE_MAX_COMPUTE_UNITS, sizeof(cl_uint));
    info->global_memory_bytes = get_number(id, CL_DEVICE_GLOBAL_MEM_SIZE, sizeof(cl_ulong));
    info->local_memory_bytes = get_number(id, CL_DEVICE_LOCAL_MEM_SIZE, sizeof(cl_ulong));
    info->max_allocation_bytes = get_number(id, CL_DEVICE_MAX_MEM_ALLOC_SIZE, sizeof(cl_ulong));
    info->max_work_group_size = get_number(id, CL_DEVICE_MAX_WORK_GROUP_SIZE, sizeof(size_t));
    info->fp64 = get_number(id, CL_DEVICE_DOUBLE_FP_CONFIG, sizeof(cl_ulong)) != 0;
    snprintf(d->description, sizeof d->description, "%s: %s (%s, %s)", info->type, info->name, info->platform,
             info->version);
    return 1;
}

/* "5.2 GiB", "48 KiB", "512 bytes". */
static void format_bytes(uint64_t bytes, char *out, size_t capacity) {
    static const char *const units[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
    double value = (double)bytes;
    int unit = 0;
    while (value >= 1024.0 && unit < 4) value /= 1024.0, unit++;
    if (unit == 0 || value >= 100.0 || value == (double)(uint64_t)value)
        snprintf(out, capacity, "%.0f %s", value, units[unit]);
    else
        snprintf(out, capacity, "%.1f %s", value, units[unit]);
}

void ck_cl_describe_limits(const ck_device_info *info, char *out, size_t capacity) {
    char global[32], local[32], allocation[32];
    format_bytes(info->global_memory_bytes, global, sizeof global);
    format_bytes(info->local_memory_bytes, local, sizeof local);
    format_bytes(info->max_allocation_bytes, allocation, sizeof allocation);
    snprintf(out, capacity, "%d compute units, %s global, %s local, work groups <= %llu, allocations <= %s, %s",
             (int)info->compute_units, global, local, (unsigned long long)info->max_work_group_size, allocation,
             info->fp64 ? "fp64" : "no fp64");
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

ck_status ck_opencl_device_info(int32_t index, ck_device_info *out_info) {
    const ck_cl_device *list;
    int32_t count = ck_cl_devices(&list);
    if (!out_info) return ck_set_error(NULL, CK_ERR_INVALID_ARGUMENT, "ck_opencl_device_info: out_info is NULL");
    if (index < 0 || index >= count)
        return ck_set_error(NULL, CK_ERR_INVALID_ARGUMENT, "ck_opencl_device_info: no OpenCL device %d (this machine has %d)",
                            (int)index, (int)count);
    *out_info = list[index].info;
    return CK_OK;
}

const char *ck_opencl_device_name(int32_t index) {
    const ck_cl_device *list;
    int32_t count = ck_cl_devices(&list);
    return index >= 0 && index < count ? list[index].description : NULL;
}
