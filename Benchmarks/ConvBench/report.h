/*
 * report.h — what ck-bench prints and writes: the run's details, a table row
 * per measured pass, the whole run as JSON (the format the peer scripts write
 * too, and Benchmarks/report.py and regress.py read), and the shape list as
 * JSON (what the peer scripts measure).
 */
#ifndef CK_BENCH_REPORT_H
#define CK_BENCH_REPORT_H

#include <stdio.h>

#include "convkit.h"
#include "machine.h"
#include "shapes.h"
#include "timing.h"

typedef struct bench_result {
    const bench_shape *shape;
    bench_pass pass;
    int64_t n;
    double work;           /* FLOPs or bytes of one run */
    const char *algorithm; /* conv algorithm (algorithms.h), NULL for other ops */
    int chosen;            /* the algorithm the backend picks by itself */
    bench_timing timing;   /* when status == CK_OK */
    int cpu_fallback;      /* the context's backend lacked the op: the CPU backend ran it */
    ck_status status;
    char error[256];       /* when status != CK_OK */
} bench_result;

/** GFLOP/s or GB/s at the median time. */
double bench_result_rate(const bench_result *result);

/** The rate as a fraction of the measured peak (FMA peak or bandwidth); 0 when there is no peak. */
double bench_result_peak_fraction(const bench_result *result, const bench_peaks *peaks);

void bench_print_header(FILE *out, const bench_run_info *info);
void bench_print_result(FILE *out, const bench_result *result, const bench_run_info *info);

/** Writes the run to `path`; returns 0, or -1 with errno set. */
int bench_write_json(const char *path, const bench_run_info *info, const bench_result *results, int count);

/** Writes the shapes (every field, passes, work at the batch a run uses) to `path`; 0, or -1 with errno set. */
int bench_write_shapes_json(const char *path, const bench_shape_list *shapes, const char *set, int quick);

#endif
