/*
 * probes.h — the measured peaks each op's rate is set against: arithmetic
 * (an FMA loop over registers, and OpenBLAS sgemm at 2048³ as the achievable
 * GEMM peak) and memory bandwidth (a triad over arrays far larger than the
 * caches), on the CPU with all threads (probe_cpu.c) or on an OpenCL device
 * (probe_opencl.c). Each figure is the median of 5 runs after a warm-up; a
 * probe that cannot run leaves its figure at 0 and says why in `note`.
 */
#ifndef CK_BENCH_PROBES_H
#define CK_BENCH_PROBES_H

typedef struct bench_peaks {
    double fma_gflops;      /* the FMA loop, 2 FLOPs per lane per FMA, all threads / work items */
    const char *fma_kind;   /* "avx512f", "avx2+fma", "scalar", "opencl float4" */
    double sgemm_gflops;    /* OpenBLAS sgemm 2048³ on `threads` threads (CPU only) */
    double bandwidth_gbs;   /* triad a = b + s·c (CPU) or copy (OpenCL): bytes read + written / s */
    const char *bandwidth_kind;
    char note[160];         /* why a probe did not run, or "" */
} bench_peaks;

/** Runs the CPU probes on `threads` threads (OpenBLAS is left at one thread afterwards, as the CPU backend wants). */
void bench_probe_cpu(int threads, bench_peaks *peaks);

/**
 * Runs the OpenCL probes on the device named `device_name` of platform
 * `platform_name` (as ck_opencl_device_info reports them).
 */
void bench_probe_opencl(const char *platform_name, const char *device_name, bench_peaks *peaks);

#endif
