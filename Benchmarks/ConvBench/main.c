/*
 * main.c — ck-bench: the op-level benchmark. GFLOP/s of conv2d, depthwise and
 * transposed conv2d (forward, backward-data, backward-weights) and of GEMM,
 * GB/s of pooling and batch norm (forward, backward), over a set of shapes
 * (shapes.c, catalog.c), on one ConvKit backend, for the algorithm the
 * backend picks and every other conv algorithm that runs the pass
 * (algorithms.c); each rate also as a fraction of the measured peak
 * (probes.h). Options: options.c, or ck-bench --help.
 *
 * Each pass runs once to warm up, then up to R times; the table gives the
 * median, minimum and maximum time and the rate at the median. Exit status:
 * 0 when every pass ran, 1 when one failed, 2 on a usage error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "algorithms.h"
#include "catalog.h"
#include "epilogue.h"
#include "options.h"
#include "report.h"
#include "tune.h"

static int pass_selected(const bench_options *options, const bench_shape *shape, bench_pass pass) {
    if (!options->filter) return 1;
    char label[160];
    snprintf(label, sizeof label, "%s/%s", shape->name, bench_pass_name(shape, pass));
    return strstr(label, options->filter) != NULL;
}

/* The shapes of the selected sets that have a pass --filter keeps; -1 when out of memory. */
static int select_shapes(const bench_options *options, bench_shape_list *selected) {
    bench_shape_list all = {0};
    int failed = (options->sets & BENCH_SET_CORE) && bench_add_core_shapes(&all) != 0;
    if (!failed && (options->sets & BENCH_SET_CATALOG)) failed = bench_add_catalog_shapes(&all) != 0;
    for (int s = 0; s < all.count && !failed; s++) {
        int keep = 0;
        for (int p = 0; p < bench_pass_count(&all.items[s]); p++) keep |= pass_selected(options, &all.items[s], p);
        if (keep && !bench_shape_list_add(selected, &all.items[s])) failed = 1;
    }
    bench_shape_list_free(&all);
    return failed ? -1 : selected->count;
}

static int list_shapes(const bench_options *options, const bench_shape_list *shapes) {
    if (options->json_path) {
        if (bench_write_shapes_json(options->json_path, shapes, options->set_name, options->quick) != 0) {
            fprintf(stderr, "ck-bench: cannot write %s: %s\n", options->json_path, strerror(errno));
            return 1;
        }
        printf("wrote %d shapes to %s\n", shapes->count, options->json_path);
        return 0;
    }
    for (int s = 0; s < shapes->count; s++) {
        const bench_shape *shape = &shapes->items[s];
        for (int p = 0; p < bench_pass_count(shape); p++)
            if (pass_selected(options, shape, (bench_pass)p))
                printf("%s/%s  %s\n", shape->name, bench_pass_name(shape, (bench_pass)p), shape->description);
    }
    return 0;
}

static void record_failure(bench_result *result, ck_context *ctx, ck_status status) {
    const char *message = ck_last_error(ctx);
    result->status = status;
    snprintf(result->error, sizeof result->error, "%s%s%s", ck_status_string(status), *message ? ": " : "",
             message);
}

/*
 * An alternative algorithm whose warm-up run takes over this many times the
 * chosen one's median is recorded from that one run: it is far slower, and
 * its repeats would cost minutes (the implicit GEMM on a CPU OpenCL driver).
 */
enum { SLOWER_FACTOR = 10 };

/*
 * Measures the passes of `shape` whose bit is set in `passes` on ctx, labelled
 * with `algorithms[pass]`; cutoff_s[pass] > 0 ends a pass after a warm-up
 * slower than that (bench_plan).
 */
static int measure_on(ck_context *ctx, const bench_options *options, const bench_run_info *info,
                      const bench_shape *shape, unsigned passes, const char *const algorithms[3], int chosen,
                      const double cutoff_s[3], bench_result *results) {
    int64_t n = options->quick ? bench_quick_batch(shape->n) : shape->n;
    bench_case bench;
    ck_status setup = bench_case_setup(&bench, ctx, shape, n);
    int count = 0;
    for (int p = 0; p < bench_pass_count(shape); p++) {
        if (!(passes & (1u << p))) continue;
        bench_result *result = &results[count++];
        *result = (bench_result){.shape = shape, .pass = (bench_pass)p, .n = n, .algorithm = algorithms[p],
                                 .chosen = chosen, .work = bench_work(shape, (bench_pass)p, n)};
        const bench_plan plan = {options->repeats, options->pass_budget_s, cutoff_s[p]};
        ck_status status = setup;
        if (status == CK_OK) status = bench_case_measure(&bench, (bench_pass)p, &plan, &result->timing,
                                                         &result->cpu_fallback);
        if (status != CK_OK) record_failure(result, ctx, status);
        bench_print_result(stdout, result, info);
    }
    if (setup == CK_OK) bench_case_teardown(&bench);
    return count;
}

/* Runs the passes once at batch 1 on ctx, so that building its programs is not timed (OpenCL). */
static void prepare(ck_context *ctx, const bench_shape *shape, unsigned passes) {
    bench_case bench;
    if (bench_case_setup(&bench, ctx, shape, 1) != CK_OK) return;
    for (int p = 0; p < bench_pass_count(shape); p++) {
        int fallback;
        if (passes & (1u << p)) bench_case_run(&bench, (bench_pass)p, &fallback);
    }
    bench_case_teardown(&bench);
}

/* Every selected pass of one shape: the backend's choice, then each other algorithm that runs it. */
static int measure_shape(bench_algorithms *algorithms, const bench_options *options, const bench_run_info *info,
                         const bench_shape *shape, bench_result *results) {
    const char *chosen[3] = {NULL, NULL, NULL};
    unsigned passes = 0, alternative_passes[BENCH_MAX_FORCED] = {0};
    int count = 0;
    for (int p = 0; p < bench_pass_count(shape); p++) {
        if (!pass_selected(options, shape, (bench_pass)p)) continue;
        bench_choice choice;
        ck_status status = bench_algorithms_choose(algorithms, shape, (bench_pass)p, &choice);
        if (status != CK_OK) {
            bench_result *result = &results[count++];
            *result = (bench_result){.shape = shape, .pass = (bench_pass)p, .n = 1};
            record_failure(result, algorithms->ctx, status);
            bench_print_result(stdout, result, info);
            continue;
        }
        passes |= 1u << p, chosen[p] = choice.chosen;
        for (int i = 0; i < choice.alternative_count && options->all_algorithms; i++)
            alternative_passes[choice.alternatives[i]] |= 1u << p;
    }
    const double no_cutoff[3] = {0, 0, 0};
    double cutoff_s[3] = {0, 0, 0};
    int first = count;
    if (passes) count += measure_on(algorithms->ctx, options, info, shape, passes, chosen, 1, no_cutoff, results + count);
    for (int i = first; i < count; i++)
        if (results[i].status == CK_OK) cutoff_s[results[i].pass] = SLOWER_FACTOR * results[i].timing.median_s;
    for (int i = 0; i < algorithms->forced_count; i++) {
        if (!alternative_passes[i]) continue;
        const char *names[3] = {algorithms->forced[i].name, algorithms->forced[i].name, algorithms->forced[i].name};
        prepare(algorithms->forced[i].ctx, shape, alternative_passes[i]);
        count += measure_on(algorithms->forced[i].ctx, options, info, shape, alternative_passes[i], names, 0, cutoff_s,
                            results + count);
    }
    return count;
}

static void probe_peaks(bench_run_info *info) {
    if (info->has_device) bench_probe_opencl(info->device.platform, info->device.name, &info->peaks);
    else bench_probe_cpu(info->threads, &info->peaks);
    info->probed = 1;
}

static int run(const bench_options *options, const bench_shape_list *shapes) {
    ck_context_options context_options;
    ck_context_options_init(&context_options);
    context_options.backend = options->backend;
    context_options.num_threads = options->threads;
    context_options.device = options->device;
    bench_algorithms algorithms;
    if (bench_algorithms_open(&algorithms, &context_options) != CK_OK) return 1;

    bench_run_info info = {.version = ck_version(), .repeats = options->repeats, .quick = options->quick,
                           .pass_budget_s = options->pass_budget_s, .set = options->set_name,
                           .all_algorithms = options->all_algorithms};
    bench_collect_machine_info(&info);
    bench_collect_context_info(&info, algorithms.ctx);
    if (options->probes && algorithms.backend != CK_BACKEND_REFERENCE) probe_peaks(&info);
    bench_print_header(stdout, &info);

    bench_result *results = calloc((size_t)shapes->count * 3 * (1 + BENCH_MAX_FORCED), sizeof *results);
    if (!results) {
        fprintf(stderr, "ck-bench: out of memory\n");
        bench_algorithms_close(&algorithms);
        return 1;
    }
    int count = 0, failures = 0;
    for (int s = 0; s < shapes->count; s++)
        count += measure_shape(&algorithms, options, &info, &shapes->items[s], results + count);
    for (int i = 0; i < count; i++) failures += results[i].status != CK_OK;

    int exit_code = failures ? 1 : 0;
    if (options->json_path) {
        if (bench_write_json(options->json_path, &info, results, count) != 0) {
            fprintf(stderr, "ck-bench: cannot write %s: %s\n", options->json_path, strerror(errno));
            exit_code = 1;
        } else {
            printf("wrote %s\n", options->json_path);
        }
    }
    if (failures) fprintf(stderr, "ck-bench: %d of %d passes failed\n", failures, count);
    free(results);
    bench_algorithms_close(&algorithms);
    return exit_code;
}

int main(int argc, char **argv) {
    bench_options options;
    if (!bench_parse_options(argc, argv, &options)) {
        bench_print_usage(stderr);
        return 2;
    }
    bench_shape_list shapes = {0};
    int selected = select_shapes(&options, &shapes);
    int exit_code;
    if (selected < 0) {
        fprintf(stderr, "ck-bench: out of memory\n");
        exit_code = 1;
    } else if (options.list_only) {
        exit_code = list_shapes(&options, &shapes);
    } else if (options.tune) {
        if (options.backend != CK_BACKEND_OPENCL) {
            fprintf(stderr, "ck-bench: --tune tunes the opencl backend: add --backend opencl\n");
            exit_code = 2;
        } else {
            const bench_tune_options tune = {&shapes, options.filter, options.quick, options.repeats,
                                             options.json_path, options.save_tuning};
            exit_code = bench_tune(&tune);
        }
    } else if (options.epilogue) {
        exit_code = bench_epilogue(&options, &shapes);
    } else if (selected == 0) {
        fprintf(stderr, "ck-bench: no pass matches --filter '%s' in set %s (ck-bench --list shows them)\n",
                options.filter, options.set_name);
        exit_code = 2;
    } else {
        exit_code = run(&options, &shapes);
    }
    bench_shape_list_free(&shapes);
    return exit_code;
}
