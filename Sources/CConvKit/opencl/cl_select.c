/*
 * cl_select.c — choosing a backend and device from ck_context_options.device
 * or the CONVKIT_DEVICE environment variable (the syntax is documented at
 * ck_context_options in convkit.h).
 */
#include "opencl/cl_devices.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Case-insensitive: does `text` contain `part`? */
static int contains(const char *text, const char *part) {
    size_t n = strlen(part);
    for (; *text; text++) {
        size_t i = 0;
        while (i < n && text[i] && tolower((unsigned char)text[i]) == tolower((unsigned char)part[i])) i++;
        if (i == n) return 1;
    }
    return n == 0;
}

/* Case-insensitive: does `text` start with `prefix`? */
static int starts_with(const char *text, const char *prefix) {
    for (; *prefix; text++, prefix++)
        if (tolower((unsigned char)*text) != tolower((unsigned char)*prefix)) return 0;
    return 1;
}

/* Case-insensitive equality. */
static int equals(const char *a, const char *b) { return starts_with(a, b) && strlen(a) == strlen(b); }

/* "0: GPU: ... ; 1: CPU: ..." or "none". */
static void list_devices(char *out, size_t capacity) {
    const ck_cl_device *devices;
    int32_t count = ck_cl_devices(&devices);
    size_t used = (size_t)snprintf(out, capacity, "%s", count ? "" : "none");
    for (int32_t i = 0; i < count && used < capacity; i++)
        used += (size_t)snprintf(out + used, capacity - used, "%s%d: %s", i ? "; " : "", (int)i, devices[i].description);
}

/* The first device whose type has a bit of `types`, or -1. */
static int32_t first_of_type(cl_device_type types) {
    const ck_cl_device *devices;
    int32_t count = ck_cl_devices(&devices);
    for (int32_t i = 0; i < count; i++)
        if (devices[i].type & types) return i;
    return -1;
}

/* "N" or a name part after "opencl:"; -1 when nothing matches. */
static int32_t find_opencl(const char *which) {
    const ck_cl_device *devices;
    int32_t count = ck_cl_devices(&devices);
    char *end = NULL;
    long index = strtol(which, &end, 10);
    if (end != which && *end == '\0') return index >= 0 && index < count ? (int32_t)index : -1;
    for (int32_t i = 0; i < count; i++)
        if (contains(devices[i].info.name, which) || contains(devices[i].info.platform, which)) return i;
    return -1;
}

static ck_status resolve(ck_context *ctx, const char *source, const char *spec, ck_device_choice *out) {
    char listing[700];
    out->opencl_index = -1;
    if (equals(spec, "cpu") || equals(spec, "reference")) {
        out->kind = equals(spec, "cpu") ? CK_BACKEND_CPU : CK_BACKEND_REFERENCE;
        return CK_OK;
    }
    if (equals(spec, "auto")) {
        out->opencl_index = first_of_type(CL_DEVICE_TYPE_GPU);
        if (out->opencl_index < 0) out->opencl_index = first_of_type(CL_DEVICE_TYPE_ACCELERATOR);
        out->kind = out->opencl_index < 0 ? CK_BACKEND_CPU : CK_BACKEND_OPENCL;
        return CK_OK;
    }
    out->kind = CK_BACKEND_OPENCL;
    if (equals(spec, "opencl")) {
        out->opencl_index = first_of_type(CL_DEVICE_TYPE_GPU);
        if (out->opencl_index < 0) out->opencl_index = first_of_type(CL_DEVICE_TYPE_ALL);
        if (out->opencl_index >= 0) return CK_OK;
        return ck_set_error(ctx, CK_ERR_UNSUPPORTED,
                            "ck_context_create: %s asks for OpenCL, but this machine has no OpenCL device "
                            "(no platform, or no device on one); use cpu or auto",
                            source);
    }
    if (starts_with(spec, "opencl:")) {
        const char *which = spec + 7;
        if (which[0] != '\0' && (out->opencl_index = find_opencl(which)) >= 0) return CK_OK;
        list_devices(listing, sizeof listing);
        return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT,
                            "ck_context_create: %s names no OpenCL device on this machine; OpenCL devices: %s",
                            source, listing);
    }
    list_devices(listing, sizeof listing);
    return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT,
                        "ck_context_create: %s is not a device; use auto, cpu, reference, opencl, opencl:N or "
                        "opencl:NAME; OpenCL devices: %s",
                        source, listing);
}

ck_status ck_select_device(ck_context *ctx, const ck_context_options *options, ck_device_choice *out) {
    const char *spec = options->device && options->device[0] ? options->device : NULL;
    char source[160], prefixed[140];
    out->kind = options->backend;
    out->opencl_index = -1;
    switch (options->backend) {
    case CK_BACKEND_CPU:
    case CK_BACKEND_REFERENCE:
        return CK_OK;
    case CK_BACKEND_OPENCL:
        if (!spec) spec = "opencl";
        snprintf(source, sizeof source, "device '%.100s' (backend opencl)", spec);
        if (!starts_with(spec, "opencl")) { /* a bare index or name */
            snprintf(prefixed, sizeof prefixed, "opencl:%.100s", spec);
            spec = prefixed;
        }
        return resolve(ctx, source, spec, out);
    case CK_BACKEND_AUTO:
        if (spec) {
            snprintf(source, sizeof source, "device '%.100s'", spec);
        } else if ((spec = getenv("CONVKIT_DEVICE")) && spec[0]) {
            snprintf(source, sizeof source, "CONVKIT_DEVICE='%.100s'", spec);
        } else {
            spec = "auto";
            snprintf(source, sizeof source, "auto");
        }
        return resolve(ctx, source, spec, out);
    }
    return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT, "ck_context_create: unknown backend kind %d",
                        (int)options->backend);
}
