/*
 * tune.h — ck-bench --tune: times candidate kernel parameters of the OpenCL
 * backend on the present device and prints the row of the tuning table
 * (Sources/CConvKit/opencl/cl_tuning.c) to paste for it.
 */
#ifndef CK_BENCH_TUNE_H
#define CK_BENCH_TUNE_H

#include "shapes.h"

/** What --tune measures: the conv shapes of `shapes` --filter keeps (all by default), at --quick batches, --repeats runs. */
typedef struct bench_tune_options {
    const bench_shape_list *shapes;
    const char *filter;
    int quick;
    int repeats;
    const char *json_path; /* also write every candidate's score and the row there */
    int save;              /* also save the winner for this machine (ck_opencl_save_tuning) */
} bench_tune_options;

/** Runs the tuner on the default OpenCL device; returns the process exit status. */
int bench_tune(const bench_tune_options *options);

#endif
