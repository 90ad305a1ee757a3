/*
 * probe_opencl.c — an OpenCL device's measured peaks (probes.h): kernels of
 * independent FMA chains per work item, and a float4 copy
 * between two buffers of up to 256 MiB. Times are taken on the host around
 * clFinish, as ck-bench times the ops.
 */
#define _POSIX_C_SOURCE 200809L
#ifndef CL_TARGET_OPENCL_VERSION
#define CL_TARGET_OPENCL_VERSION 120
#endif
#include "probes.h"

#include <CL/cl.h>
#include <stdio.h>
#include <string.h>

#include "timing.h"

enum { RUNS = 5, FMA_ITERATIONS = 4096, ITEMS_PER_UNIT = 4096, LOCAL_SIZE = 64 };

/*
 * Two FMA kernels, the faster counts: sixteen scalar chains per work item
 * (GPUs, and CPU drivers that vectorize across work items) and eight float8
 * chains (CPU drivers that map vector types onto SIMD registers).
 */
static const char *probe_source =
    "#define CHAINS(T, x, base) T x##0 = (T)(get_global_id(0) * 1e-9f + base), x##1 = x##0 + 0.1f, x##2 = x##0 + 0.2f, \\\n"
    "    x##3 = x##0 + 0.3f, x##4 = x##0 + 0.4f, x##5 = x##0 + 0.5f, x##6 = x##0 + 0.6f, x##7 = x##0 + 0.7f\n"
    "#define STEP(x) x##0 = fma(x##0, va, vb); x##1 = fma(x##1, va, vb); x##2 = fma(x##2, va, vb); \\\n"
    "    x##3 = fma(x##3, va, vb); x##4 = fma(x##4, va, vb); x##5 = fma(x##5, va, vb); \\\n"
    "    x##6 = fma(x##6, va, vb); x##7 = fma(x##7, va, vb)\n"
    "#define SUM(x) (((x##0 + x##1) + (x##2 + x##3)) + ((x##4 + x##5) + (x##6 + x##7)))\n"
    "__kernel void fma_scalar(__global float *out, int iterations, float a, float b) {\n"
    "    CHAINS(float, x, 0.0f); CHAINS(float, y, 0.05f);\n"
    "    const float va = a, vb = b;\n"
    "    for (int i = 0; i < iterations; i++) { STEP(x); STEP(y); }\n"
    "    out[get_global_id(0)] = SUM(x) + SUM(y);\n"
    "}\n"
    "__kernel void fma_vec8(__global float *out, int iterations, float a, float b) {\n"
    "    CHAINS(float8, x, 0.0f);\n"
    "    const float8 va = (float8)(a), vb = (float8)(b);\n"
    "    for (int i = 0; i < iterations; i++) { STEP(x); }\n"
    "    float8 s = SUM(x);\n"
    "    out[get_global_id(0)] = (s.s0 + s.s1) + (s.s2 + s.s3) + (s.s4 + s.s5) + (s.s6 + s.s7);\n"
    "}\n"
    "__kernel void copy(__global const float4 *src, __global float4 *dst) {\n"
    "    dst[get_global_id(0)] = src[get_global_id(0)];\n"
    "}\n";

/* The device of that platform and name, or NULL. */
static cl_device_id find_device(const char *platform_name, const char *device_name) {
    cl_platform_id platforms[16];
    cl_uint platform_count = 0;
    if (clGetPlatformIDs(16, platforms, &platform_count) != CL_SUCCESS) return NULL;
    for (cl_uint p = 0; p < platform_count && p < 16; p++) {
        char name[256] = "";
        clGetPlatformInfo(platforms[p], CL_PLATFORM_NAME, sizeof name, name, NULL);
        if (strcmp(name, platform_name) != 0) continue;
        cl_device_id devices[64];
        cl_uint device_count = 0;
        if (clGetDeviceIDs(platforms[p], CL_DEVICE_TYPE_ALL, 64, devices, &device_count) != CL_SUCCESS) continue;
        for (cl_uint d = 0; d < device_count && d < 64; d++) {
            clGetDeviceInfo(devices[d], CL_DEVICE_NAME, sizeof name, name, NULL);
            if (strcmp(name, device_name) == 0) return devices[d];
        }
    }
    return NULL;
}

/* Median seconds of RUNS enqueues of `kernel` over `items` (in groups of *local, or as the driver likes when
   NULL) after a warm-up; -1 on an OpenCL error. */
static double time_kernel(cl_command_queue queue, cl_kernel kernel, size_t items, const size_t *local) {
    double samples[RUNS];
    for (int r = -1; r < RUNS; r++) {
        double start = bench_now_seconds();
        if (clEnqueueNDRangeKernel(queue, kernel, 1, NULL, &items, local, 0, NULL, NULL) != CL_SUCCESS ||
            clFinish(queue) != CL_SUCCESS)
            return -1.0;
        if (r >= 0) samples[r] = bench_now_seconds() - start;
    }
    return bench_summarize(samples, RUNS).median_s;
}

/* FLOP/s of one FMA kernel that does `flops_per_iteration` per work item and iteration; 0 if it fails. */
static double fma_rate(cl_command_queue queue, cl_program program, const char *name, cl_mem out, size_t items,
                       const size_t *local, double flops_per_iteration) {
    cl_int error;
    cl_kernel kernel = clCreateKernel(program, name, &error);
    cl_int iterations = FMA_ITERATIONS;
    float a = 0.999999f, b = 1e-7f;
    double rate = 0.0;
    if (kernel && clSetKernelArg(kernel, 0, sizeof out, &out) == CL_SUCCESS &&
        clSetKernelArg(kernel, 1, sizeof iterations, &iterations) == CL_SUCCESS &&
        clSetKernelArg(kernel, 2, sizeof a, &a) == CL_SUCCESS && clSetKernelArg(kernel, 3, sizeof b, &b) == CL_SUCCESS) {
        double seconds = time_kernel(queue, kernel, items, local);
        if (seconds > 0) rate = flops_per_iteration * FMA_ITERATIONS * (double)items / seconds * 1e-9;
    }
    if (kernel) clReleaseKernel(kernel);
    return rate;
}

static void probe_fma(cl_context context, cl_command_queue queue, cl_program program, cl_uint units,
                      size_t max_group, bench_peaks *peaks) {
    size_t items = (size_t)(units ? units : 1) * ITEMS_PER_UNIT, local = LOCAL_SIZE;
    cl_int error;
    cl_mem out = clCreateBuffer(context, CL_MEM_WRITE_ONLY, items * sizeof(float), NULL, &error);
    if (!out) return;
    const size_t *group = max_group >= LOCAL_SIZE ? &local : NULL;
    double scalar = fma_rate(queue, program, "fma_scalar", out, items, group, 2.0 * 16);
    double vector = fma_rate(queue, program, "fma_vec8", out, items, group, 2.0 * 8 * 8);
    peaks->fma_gflops = scalar > vector ? scalar : vector;
    peaks->fma_kind = scalar > vector ? "opencl: 16 scalar fma chains per item" : "opencl: 8 float8 fma chains per item";
    clReleaseMemObject(out);
}

static void probe_copy(cl_context context, cl_command_queue queue, cl_program program, cl_ulong max_allocation,
                       bench_peaks *peaks) {
    size_t bytes = (size_t)256 << 20;
    if (max_allocation && bytes > max_allocation) bytes = (size_t)max_allocation / 16 * 16;
    cl_int error;
    cl_mem src = clCreateBuffer(context, CL_MEM_READ_ONLY, bytes, NULL, &error);
    cl_mem dst = clCreateBuffer(context, CL_MEM_WRITE_ONLY, bytes, NULL, &error);
    cl_kernel kernel = clCreateKernel(program, "copy", &error);
    const float zero = 0.0f;
    if (src && dst && kernel &&
        clEnqueueFillBuffer(queue, src, &zero, sizeof zero, 0, bytes, 0, NULL, NULL) == CL_SUCCESS &&
        clSetKernelArg(kernel, 0, sizeof src, &src) == CL_SUCCESS &&
        clSetKernelArg(kernel, 1, sizeof dst, &dst) == CL_SUCCESS) {
        double seconds = time_kernel(queue, kernel, bytes / 16, NULL);
        if (seconds > 0) peaks->bandwidth_gbs = 2.0 * (double)bytes / seconds * 1e-9;
    }
    if (kernel) clReleaseKernel(kernel);
    if (dst) clReleaseMemObject(dst);
    if (src) clReleaseMemObject(src);
}

void bench_probe_opencl(const char *platform_name, const char *device_name, bench_peaks *peaks) {
    *peaks = (bench_peaks){.fma_kind = "none", .bandwidth_kind = "opencl float4 copy, 2 x 256 MiB"};
    cl_device_id device = find_device(platform_name, device_name);
    if (!device) {
        snprintf(peaks->note, sizeof peaks->note, "OpenCL device '%s' not found for the probes", device_name);
        return;
    }
    cl_int error;
    cl_context context = clCreateContext(NULL, 1, &device, NULL, NULL, &error);
    cl_command_queue queue = context ? clCreateCommandQueue(context, device, 0, &error) : NULL;
    cl_program program = context ? clCreateProgramWithSource(context, 1, &probe_source, NULL, &error) : NULL;
    if (!queue || !program || clBuildProgram(program, 1, &device, "", NULL, NULL) != CL_SUCCESS) {
        snprintf(peaks->note, sizeof peaks->note, "the OpenCL probe kernels did not build or run (error %d)", (int)error);
    } else {
        cl_uint units = 0;
        cl_ulong max_allocation = 0;
        size_t max_group = 0;
        clGetDeviceInfo(device, CL_DEVICE_MAX_COMPUTE_UNITS, sizeof units, &units, NULL);
        clGetDeviceInfo(device, CL_DEVICE_MAX_WORK_GROUP_SIZE, sizeof max_group, &max_group, NULL);
        clGetDeviceInfo(device, CL_DEVICE_MAX_MEM_ALLOC_SIZE, sizeof max_allocation, &max_allocation, NULL);
        probe_fma(context, queue, program, units, max_group, peaks);
        probe_copy(context, queue, program, max_allocation, peaks);
    }
    if (program) clReleaseProgram(program);
    if (queue) clReleaseCommandQueue(queue);
    if (context) clReleaseContext(context);
}
