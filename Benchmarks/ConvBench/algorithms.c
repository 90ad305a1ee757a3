/* algorithms.c — contexts per conv algorithm, and the algorithm each pass runs (see algorithms.h). */
#define _POSIX_C_SOURCE 200809L /* setenv */
#include "algorithms.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The CPU algorithms in the order auto tries them (cpu_conv.c), by their CONVKIT_CPU_CONV names. */
static const char *const cpu_algorithms[BENCH_MAX_FORCED] = {"depthwise", "direct", "gemm"};

/* A context made while `variable` is `value` (the backends read their settings at creation). */
static ck_status create_with(const ck_context_options *options, const char *variable, const char *value,
                             ck_context **out) {
    const char *saved = getenv(variable);
    char *restore = saved ? strdup(saved) : NULL;
    setenv(variable, value, 1);
    ck_status status = ck_context_create(options, out);
    if (restore) setenv(variable, restore, 1);
    else unsetenv(variable);
    free(restore);
    return status;
}

/* OpenCL: reads the tuning from the context's description ("tiles 32x32x16/4x4, direct conv 8 x 8"). */
static int read_cl_tuning(ck_context *ctx, int tiles[5], int *conv_vec) {
    const char *text = strstr(ck_context_describe(ctx), "tiles ");
    *conv_vec = 0;
    if (!text || sscanf(text, "tiles %dx%dx%d/%dx%d", &tiles[0], &tiles[1], &tiles[2], &tiles[3], &tiles[4]) != 5)
        return 0;
    const char *direct = strstr(text, "direct conv ");
    if (direct) sscanf(direct, "direct conv %d", conv_vec);
    return 1;
}

static ck_status open_forced(bench_algorithms *a, const ck_context_options *options) {
    if (a->backend == CK_BACKEND_CPU) {
        for (int i = 0; i < BENCH_MAX_FORCED; i++) {
            a->forced[i].name = cpu_algorithms[i];
            ck_status status = create_with(options, "CONVKIT_CPU_CONV", cpu_algorithms[i], &a->forced[i].ctx);
            if (status != CK_OK) return status;
            a->forced_count++;
        }
        return CK_OK;
    }
    int tiles[5];
    if (a->backend != CK_BACKEND_OPENCL || !read_cl_tuning(a->ctx, tiles, &a->cl_conv_vec) || a->cl_conv_vec == 0)
        return CK_OK;
    char tuning[96];
    snprintf(tuning, sizeof tuning, "%d,%d,%d,%d,%d,0,0", tiles[0], tiles[1], tiles[2], tiles[3], tiles[4]);
    a->forced[0].name = "implicit-gemm";
    ck_status status = create_with(options, "CONVKIT_CL_TUNING", tuning, &a->forced[0].ctx);
    if (status == CK_OK) a->forced_count = 1;
    a->forced[1].name = "winograd";
    if (status == CK_OK) status = create_with(options, "CONVKIT_CL_WINOGRAD", "on", &a->forced[1].ctx);
    if (status == CK_OK) a->forced_count = 2;
    a->forced[2].name = "direct-vec";
    if (status == CK_OK) status = create_with(options, "CONVKIT_CL_WINOGRAD", "off", &a->forced[2].ctx);
    if (status == CK_OK) a->forced_count = 3;
    return status;
}

/* Whether a pass of shape can run Winograd F(2x2, 3x3) on OpenCL (cl_conv_winograd.c): 3x3, stride 1, one group;
   the forward and backward-data of a conv, the forward and backward-data (conv backward-data and forward) of a
   transposed conv. */
static int winograd_fits(const bench_shape *shape, bench_pass pass) {
    return shape->kernel == 3 && shape->stride == 1 && shape->groups == 1 && pass != BENCH_BACKWARD_WEIGHTS;
}

/* Whether the auto context runs the Winograd passes shape fits: its tuning says "winograd on", or "winograd from
   N channels" with N at most the shape's input and output channels (cl_tuning.c). */
static int winograd_chosen(const bench_algorithms *a, const bench_shape *shape) {
    const char *description = ck_context_describe(a->ctx), *from = strstr(description, "winograd from ");
    if (strstr(description, "winograd on")) return 1;
    const long channels = shape->c < shape->o ? (long)shape->c : (long)shape->o;
    return from != NULL && strtol(from + strlen("winograd from "), NULL, 10) <= channels;
}

ck_status bench_algorithms_open(bench_algorithms *a, const ck_context_options *options) {
    memset(a, 0, sizeof *a);
    ck_status status = ck_context_create(options, &a->ctx);
    if (status != CK_OK) {
        fprintf(stderr, "ck-bench: cannot create a context on the %s backend: %s\n", ck_backend_name(options->backend),
                ck_last_error(NULL));
        return status;
    }
    a->backend = ck_context_backend(a->ctx);
    status = open_forced(a, options);
    if (status != CK_OK) {
        fprintf(stderr, "ck-bench: cannot create a context that forces a conv algorithm: %s\n", ck_last_error(NULL));
        bench_algorithms_close(a);
    }
    return status;
}

/* CPU: tries every forced algorithm on every pass of `shape` at batch 1. */
static ck_status probe_cpu(bench_algorithms *a, const bench_shape *shape) {
    if (a->probed == shape) return CK_OK;
    for (int i = 0; i < a->forced_count; i++) {
        bench_case bench;
        ck_status status = bench_case_setup(&bench, a->forced[i].ctx, shape, 1);
        if (status != CK_OK) return status;
        for (int p = 0; p < bench_pass_count(shape) && status == CK_OK; p++) {
            int fallback;
            ck_status ran = bench_case_run(&bench, (bench_pass)p, &fallback);
            a->runs[i][p] = ran == CK_OK;
            if (ran != CK_OK && ran != CK_ERR_UNSUPPORTED) status = ran;
        }
        bench_case_teardown(&bench);
        if (status != CK_OK) return status;
    }
    a->probed = shape;
    return CK_OK;
}

/* OpenCL: cl_conv.c's rule, with the roles of C and O swapped for a transposed conv (same test). */
static const char *opencl_choice(const bench_algorithms *a, const bench_shape *shape) {
    int64_t per_group_in = shape->c / shape->groups, per_group_out = shape->o / shape->groups;
    int implicit_gemm_fits = shape->groups == 1 || (per_group_in > 1 && per_group_out > 1);
    if (!implicit_gemm_fits) return "direct";
    return a->cl_conv_vec > 0 ? "direct-vec" : "implicit-gemm";
}

ck_status bench_algorithms_choose(bench_algorithms *a, const bench_shape *shape, bench_pass pass,
                                  bench_choice *choice) {
    *choice = (bench_choice){0};
    if (shape->kind != BENCH_CONV && shape->kind != BENCH_CONV_TRANSPOSE) return CK_OK;
    if (a->backend == CK_BACKEND_CPU) {
        ck_status status = probe_cpu(a, shape);
        if (status != CK_OK) return status;
        for (int i = 0; i < a->forced_count; i++) {
            if (!a->runs[i][pass]) continue;
            if (!choice->chosen) choice->chosen = a->forced[i].name;
            else choice->alternatives[choice->alternative_count++] = i;
        }
        return CK_OK;
    }
    if (a->backend != CK_BACKEND_OPENCL) return CK_OK;
    choice->chosen = opencl_choice(a, shape);
    if (strcmp(choice->chosen, "direct-vec") != 0 || a->forced_count < 3) return CK_OK;
    choice->alternatives[choice->alternative_count++] = 0;
    if (winograd_fits(shape, pass)) {
        if (winograd_chosen(a, shape)) choice->chosen = "winograd";
        choice->alternatives[choice->alternative_count++] = winograd_chosen(a, shape) ? 2 : 1;
    }
    return CK_OK;
}

void bench_algorithms_close(bench_algorithms *a) {
    for (int i = 0; i < a->forced_count; i++) ck_context_destroy(a->forced[i].ctx);
    ck_context_destroy(a->ctx);
    memset(a, 0, sizeof *a);
}
