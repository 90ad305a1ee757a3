/*
 * report.h — what ck-bench prints and writes: the machine and run settings,
 * a table row per measured pass, and the whole run as JSON (the format
 * Benchmarks/torch_peer.py writes too, and Benchmarks/compare.py reads).
 */
#ifndef CK_BENCH_REPORT_H
#define CK_BENCH_REPORT_H

#include <stdio.h>

#include "convkit.h"
#include "shapes.h"
#include "timing.h"

typedef struct bench_run_info {
    char cpu_model[160]; /* "model name" from /proc/cpuinfo */
    char os[160];        /* uname: system and release */
    int cores;           /* online cores */
    char date[32];       /* start of the run, ISO 8601 UTC */
    const char *version; /* ck_version() */
    const char *backend; /* the backend the context runs on */
    int threads;         /* the context's worker threads */
    int repeats;
    int quick;
} bench_run_info;

typedef struct bench_result {
    const bench_shape *shape;
    bench_pass pass;
    int64_t n;
    double work;         /* FLOPs (convs) or bytes (pooling) of one run */
    bench_timing timing; /* when status == CK_OK */
    int cpu_fallback;    /* the context's backend lacked the op: the CPU backend ran it */
    ck_status status;
    char error[256];     /* when status != CK_OK */
} bench_result;

/** Fills cpu_model, os, cores and date; leaves the other fields alone. */
void bench_collect_machine_info(bench_run_info *info);

/** GFLOP/s or GB/s at the median time. */
double bench_result_rate(const bench_result *result);

void bench_print_header(FILE *out, const bench_run_info *info);
void bench_print_result(FILE *out, const bench_result *result);

/** Writes the run to `path`; returns 0, or -1 with errno set. */
int bench_write_json(const char *path, const bench_run_info *info, const bench_result *results, int count);

#endif
