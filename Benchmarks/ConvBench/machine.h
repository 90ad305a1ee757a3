/*
 * machine.h — what a run ran on and how: processor, its SIMD flags, memory,
 * OS, compiler, OpenBLAS, the OpenCL device and driver, the library version
 * and the run's settings. Every result file carries it.
 */
#ifndef CK_BENCH_MACHINE_H
#define CK_BENCH_MACHINE_H

#include "convkit.h"
#include "probes.h"

typedef struct bench_run_info {
    char cpu_model[160];   /* "model name" from /proc/cpuinfo */
    char cpu_flags[256];   /* the SIMD flags that matter here, of those /proc/cpuinfo lists */
    int cores;             /* online cores */
    double memory_gib;     /* physical memory */
    char os[256];          /* uname: system, release, machine */
    char compiler[160];    /* what compiled ck-bench (and the library, in one build) */
    int optimized;         /* compiled with optimization: without, the figures mean nothing */
    char openblas[200];    /* openblas_get_config() */
    char date[32];         /* start of the run, ISO 8601 UTC */
    const char *version;   /* ck_version() */
    const char *backend;   /* the backend the context runs on */
    char describe[512];    /* ck_context_describe: device, threads, tuning */
    int has_device;        /* an OpenCL context: `device` is filled */
    ck_device_info device;
    int threads;           /* the context's worker threads */
    int repeats;
    double pass_budget_s;  /* fewer repeats past this many seconds a pass (0: none) */
    int quick;
    const char *set;       /* "core", "catalog" or "all" */
    int all_algorithms;    /* every algorithm that applies, not only the chosen one */
    int probed;            /* `peaks` were measured */
    bench_peaks peaks;
} bench_run_info;

/** Fills the machine fields (processor to date); leaves the others alone. */
void bench_collect_machine_info(bench_run_info *info);

/** Fills the context's fields: backend, describe, threads and, on OpenCL, the device. */
void bench_collect_context_info(bench_run_info *info, ck_context *ctx);

#endif
