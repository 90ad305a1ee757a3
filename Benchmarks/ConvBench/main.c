/*
 * main.c — ck-bench: GFLOP/s of conv2d and transposed conv2d (forward,
 * backward-data, backward-weights) and GB/s of pooling (forward, backward)
 * on ResNet / MobileNet-style shapes (shapes.c), on one ConvKit backend.
 *
 *   ck-bench [--backend cpu|reference|opencl|auto] [--threads T] [--repeats R]
 *            [--quick] [--filter SUBSTR] [--json FILE] [--list]
 *   ck-bench --backend opencl --tune [--quick] [--filter SUBSTR] [--repeats R] [--json FILE]
 *
 * --tune times candidate kernel parameters of the OpenCL backend on the
 * first OpenCL device and prints the tuning-table row for it (tune.c).
 * Each pass runs once to warm up, then R times (default 5); the table gives
 * the median, minimum and maximum time and the rate at the median. --filter
 * keeps the passes whose "<shape>/<pass>" contains SUBSTR; --quick divides
 * every batch by 8 for a fast smoke run. Exit status: 0 when every pass ran,
 * 1 when one failed, 2 on a usage error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_case.h"
#include "report.h"
#include "tune.h"

typedef struct bench_options {
    ck_backend_kind backend;
    int threads;
    int repeats;
    int quick;
    int list_only;
    int tune;
    const char *filter;
    const char *json_path;
} bench_options;

static void print_usage(FILE *out) {
    fprintf(out,
            "usage: ck-bench [--backend cpu|reference|opencl|auto] [--threads T] [--repeats R]\n"
            "                [--quick] [--filter SUBSTR] [--json FILE] [--list]\n"
            "       ck-bench --backend opencl --tune [--quick] [--filter SUBSTR] [--repeats R] [--json FILE]\n"
            "  --backend   backend to measure (default cpu)\n"
            "  --threads   worker threads, 0 = one per core (default 0)\n"
            "  --repeats   timed runs per pass after one warm-up (default 5)\n"
            "  --quick     batches divided by 8, for a fast smoke run\n"
            "  --filter    only passes whose \"<shape>/<pass>\" contains SUBSTR\n"
            "  --json      also write the results and machine details to FILE\n"
            "  --list      print the shapes and passes, run nothing\n"
            "  --tune      time candidate OpenCL kernel parameters on the conv shapes (--filter: shape\n"
            "              names) and print the row of the tuning table for this device\n");
}

static int parse_int(const char *text, int min, int max, int *out) {
    char *end;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (errno || end == text || *end || value < min || value > max) return 0;
    *out = (int)value;
    return 1;
}

static int parse_backend(const char *name, ck_backend_kind *out) {
    /* CK_BACKEND_OPENCL is the last kind in convkit.h. */
    for (int kind = CK_BACKEND_AUTO; kind <= CK_BACKEND_OPENCL; kind++) {
        if (strcmp(name, ck_backend_name((ck_backend_kind)kind)) == 0) {
            *out = (ck_backend_kind)kind;
            return 1;
        }
    }
    return 0;
}

/** Returns 1 with *options filled, or 0 after printing what is wrong. */
static int parse_options(int argc, char **argv, bench_options *options) {
    *options = (bench_options){CK_BACKEND_CPU, 0, 5, 0, 0, 0, NULL, NULL};
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        int takes_value = 1;
        if (strcmp(arg, "--quick") == 0) {
            options->quick = 1, takes_value = 0;
        } else if (strcmp(arg, "--list") == 0) {
            options->list_only = 1, takes_value = 0;
        } else if (strcmp(arg, "--tune") == 0) {
            options->tune = 1, takes_value = 0;
        } else if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            print_usage(stdout);
            exit(0);
        } else if (!value) {
            fprintf(stderr, "ck-bench: unknown option or missing value: %s\n", arg);
            return 0;
        } else if (strcmp(arg, "--backend") == 0) {
            if (!parse_backend(value, &options->backend)) {
                fprintf(stderr, "ck-bench: unknown backend '%s'\n", value);
                return 0;
            }
        } else if (strcmp(arg, "--threads") == 0) {
            if (!parse_int(value, 0, 1024, &options->threads)) {
                fprintf(stderr, "ck-bench: --threads wants 0...1024, not '%s'\n", value);
                return 0;
            }
        } else if (strcmp(arg, "--repeats") == 0) {
            if (!parse_int(value, 1, 100000, &options->repeats)) {
                fprintf(stderr, "ck-bench: --repeats wants a count >= 1, not '%s'\n", value);
                return 0;
            }
        } else if (strcmp(arg, "--filter") == 0) {
            options->filter = value;
        } else if (strcmp(arg, "--json") == 0) {
            options->json_path = value;
        } else {
            fprintf(stderr, "ck-bench: unknown option %s\n", arg);
            return 0;
        }
        i += takes_value;
    }
    return 1;
}

static int pass_selected(const bench_options *options, const bench_shape *shape, bench_pass pass) {
    if (!options->filter) return 1;
    char label[128];
    snprintf(label, sizeof label, "%s/%s", shape->name, bench_pass_name(shape, pass));
    return strstr(label, options->filter) != NULL;
}

static int count_selected_passes(const bench_options *options) {
    int count = 0;
    for (int s = 0; s < bench_shape_count; s++)
        for (int p = 0; p < bench_pass_count(&bench_shapes[s]); p++)
            count += pass_selected(options, &bench_shapes[s], (bench_pass)p);
    return count;
}

static void list_shapes(const bench_options *options) {
    for (int s = 0; s < bench_shape_count; s++) {
        const bench_shape *shape = &bench_shapes[s];
        for (int p = 0; p < bench_pass_count(shape); p++)
            if (pass_selected(options, shape, (bench_pass)p))
                printf("%s/%s  %s\n", shape->name, bench_pass_name(shape, (bench_pass)p), shape->description);
    }
}

static void record_failure(bench_result *result, ck_context *ctx, ck_status status) {
    const char *message = ck_last_error(ctx);
    result->status = status;
    snprintf(result->error, sizeof result->error, "%s%s%s", ck_status_string(status), *message ? ": " : "",
             message);
}

/** Measures every selected pass of one shape, appending to results; returns how many it added. */
static int measure_shape(ck_context *ctx, const bench_options *options, const bench_shape *shape,
                         bench_result *results) {
    int64_t n = options->quick ? bench_quick_batch(shape->n) : shape->n;
    int count = 0;
    bench_case bench;
    ck_status setup = CK_ERR_INTERNAL;
    int set_up = 0;
    for (int p = 0; p < bench_pass_count(shape); p++) {
        bench_pass pass = (bench_pass)p;
        if (!pass_selected(options, shape, pass)) continue;
        if (!set_up) setup = bench_case_setup(&bench, ctx, shape, n), set_up = 1;

        bench_result *result = &results[count++];
        *result = (bench_result){.shape = shape, .pass = pass, .n = n, .work = bench_work(shape, pass, n)};
        if (setup != CK_OK) {
            record_failure(result, ctx, setup);
        } else {
            ck_status status = bench_case_measure(&bench, pass, options->repeats, &result->timing,
                                                  &result->cpu_fallback);
            if (status != CK_OK) record_failure(result, ctx, status);
        }
        bench_print_result(stdout, result);
    }
    if (set_up && setup == CK_OK) bench_case_teardown(&bench);
    return count;
}

int main(int argc, char **argv) {
    bench_options options;
    if (!parse_options(argc, argv, &options)) {
        print_usage(stderr);
        return 2;
    }
    if (options.list_only) {
        list_shapes(&options);
        return 0;
    }
    if (options.tune) {
        if (options.backend != CK_BACKEND_OPENCL) {
            fprintf(stderr, "ck-bench: --tune tunes the opencl backend: add --backend opencl\n");
            return 2;
        }
        const bench_tune_options tune = {options.filter, options.quick, options.repeats, options.json_path};
        return bench_tune(&tune);
    }
    if (count_selected_passes(&options) == 0) {
        fprintf(stderr, "ck-bench: no pass matches --filter '%s' (ck-bench --list shows them)\n", options.filter);
        return 2;
    }

    ck_context_options context_options;
    ck_context_options_init(&context_options);
    context_options.backend = options.backend;
    context_options.num_threads = options.threads;
    ck_context *ctx = NULL;
    ck_status status = ck_context_create(&context_options, &ctx);
    if (status != CK_OK) {
        fprintf(stderr, "ck-bench: cannot create a context on the %s backend: %s\n",
                ck_backend_name(options.backend), ck_last_error(NULL));
        return 1;
    }

    bench_run_info info = {.version = ck_version(),
                           .backend = ck_backend_name(ck_context_backend(ctx)),
                           .threads = ck_context_num_threads(ctx),
                           .repeats = options.repeats,
                           .quick = options.quick};
    bench_collect_machine_info(&info);
    bench_print_header(stdout, &info);

    bench_result *results = calloc((size_t)bench_shape_count * 3, sizeof *results);
    if (!results) {
        fprintf(stderr, "ck-bench: out of memory\n");
        ck_context_destroy(ctx);
        return 1;
    }
    int count = 0, failures = 0;
    for (int s = 0; s < bench_shape_count; s++)
        count += measure_shape(ctx, &options, &bench_shapes[s], results + count);
    for (int i = 0; i < count; i++) failures += results[i].status != CK_OK;

    int exit_code = failures ? 1 : 0;
    if (options.json_path) {
        if (bench_write_json(options.json_path, &info, results, count) != 0) {
            fprintf(stderr, "ck-bench: cannot write %s: %s\n", options.json_path, strerror(errno));
            exit_code = 1;
        } else {
            printf("wrote %s\n", options.json_path);
        }
    }
    if (failures) fprintf(stderr, "ck-bench: %d of %d passes failed\n", failures, count);
    free(results);
    ck_context_destroy(ctx);
    return exit_code;
}
