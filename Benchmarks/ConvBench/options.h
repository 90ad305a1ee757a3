/* options.h — ck-bench's command line. */
#ifndef CK_BENCH_OPTIONS_H
#define CK_BENCH_OPTIONS_H

#include <stdio.h>

#include "convkit.h"

typedef struct bench_options {
    ck_backend_kind backend;
    const char *device;     /* OpenCL device spec, or NULL */
    int threads;
    int repeats;
    double pass_budget_s;   /* fewer repeats (>= 3) past this many seconds a pass; 0 = always `repeats` */
    int sets;               /* BENCH_SET_* bits */
    const char *set_name;
    int all_algorithms;
    int probes;
    int quick;
    int list_only;
    int tune;
    int save_tuning;
    int epilogue;
    const char *filter;
    const char *json_path;
} bench_options;

void bench_print_usage(FILE *out);

/** Returns 1 with *options filled, or 0 after printing what is wrong. Exits 0 after --help. */
int bench_parse_options(int argc, char **argv, bench_options *options);

#endif
