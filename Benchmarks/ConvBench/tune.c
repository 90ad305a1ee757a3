/*
 * tune.c — the tuner (ck-bench --backend opencl --tune). Each candidate is a
 * CONVKIT_CL_TUNING string (cl_tuning.h: TILE_M,TILE_N,TILE_K,WORK_M,WORK_N,
 * CONV_VEC,CONV_BLOCK) given to a fresh context; a candidate the device
 * cannot run (its context refuses it, or a pass fails) is skipped. Two
 * stages, scored by the geometric mean of GFLOP/s over the conv shapes
 * (groups 1; --filter narrows them):
 *  1. the tiles of the tiled GEMM, with every conv pass on the implicit GEMM
 *     (CONV_VEC 0: what GPUs run);
 *  2. with the best tiles, the three conv passes on the implicit GEMM again or
 *     on the direct kernels at each vector width and channel block.
 * Then it prints the table row for the device.
 */
#define _POSIX_C_SOURCE 200809L /* setenv */
#include "tune.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_case.h"
#include "report.h"

typedef struct candidate {
    int t[7]; /* TILE_M, TILE_N, TILE_K, WORK_M, WORK_N, CONV_VEC, CONV_BLOCK */
    double score; /* geometric mean GFLOP/s; 0 when it could not run */
} candidate;

static const int tile_candidates[][5] = {
    {32, 32, 16, 4, 4}, {64, 64, 16, 8, 8}, {64, 64, 8, 4, 4}, {32, 64, 16, 4, 8},
    {64, 32, 16, 8, 4}, {16, 16, 16, 2, 2}, {128, 64, 8, 8, 4}, {64, 128, 8, 4, 8},
};
static const int direct_candidates[][2] = {{0, 0}, {8, 4}, {8, 8}, {8, 12}, {8, 16}, {16, 4}, {16, 8}, {16, 12}, {4, 8}};

#define COUNT(array) ((int)(sizeof array / sizeof array[0]))

static int shape_selected(const bench_tune_options *options, const bench_shape *shape) {
    return shape->kind == BENCH_CONV && shape->groups == 1 && (!options->filter || strstr(shape->name, options->filter));
}

/* "32,32,16,4,4,16,8" */
static void format(const candidate *c, char *out, size_t capacity) {
    snprintf(out, capacity, "%d,%d,%d,%d,%d,%d,%d", c->t[0], c->t[1], c->t[2], c->t[3], c->t[4], c->t[5], c->t[6]);
}

/* Geometric mean GFLOP/s of `passes` (a bit per bench_pass) over the selected shapes under candidate c; 0 if it fails. */
static double measure(const bench_tune_options *options, const candidate *c, unsigned passes) {
    char text[96];
    format(c, text, sizeof text);
    setenv("CONVKIT_CL_TUNING", text, 1);
    ck_context_options context_options;
    ck_context_options_init(&context_options);
    context_options.backend = CK_BACKEND_OPENCL;
    ck_context *ctx = NULL;
    ck_status status = ck_context_create(&context_options, &ctx);
    unsetenv("CONVKIT_CL_TUNING");
    if (status != CK_OK) return 0.0;
    double log_sum = 0.0;
    int count = 0;
    for (int s = 0; s < options->shapes->count && status == CK_OK; s++) {
        const bench_shape *shape = &options->shapes->items[s];
        if (!shape_selected(options, shape)) continue;
        int64_t n = options->quick ? bench_quick_batch(shape->n) : shape->n;
        bench_case bench;
        if ((status = bench_case_setup(&bench, ctx, shape, n)) != CK_OK) break;
        for (int p = 0; p < 3 && status == CK_OK; p++) {
            if (!(passes & (1u << p))) continue;
            bench_timing timing;
            int fallback = 0;
            const bench_plan plan = {options->repeats, 0.0, 0.0};
            status = bench_case_measure(&bench, (bench_pass)p, &plan, &timing, &fallback);
            if (status == CK_OK) log_sum += log(bench_work(shape, (bench_pass)p, n) / timing.median_s * 1e-9), count++;
        }
        bench_case_teardown(&bench);
    }
    ck_context_destroy(ctx);
    return status == CK_OK && count ? exp(log_sum / count) : 0.0;
}

/* Measures every candidate, printing each; returns the index of the best (-1 when none ran). */
static int stage(const bench_tune_options *options, const char *title, candidate *list, int count, unsigned passes) {
    printf("%s\n", title);
    int best = -1;
    for (int i = 0; i < count; i++) {
        char text[96];
        format(&list[i], text, sizeof text);
        list[i].score = measure(options, &list[i], passes);
        if (list[i].score > 0) printf("  %-24s %8.2f GFLOP/s\n", text, list[i].score);
        else printf("  %-24s not on this device\n", text);
        fflush(stdout);
        if (list[i].score > 0 && (best < 0 || list[i].score > list[best].score)) best = i;
    }
    return best;
}

static void write_json(const char *path, const ck_device_info *info, const candidate *tiles, int tile_count,
                       const candidate *direct, int direct_count, const char *row) {
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "ck-bench: cannot write %s\n", path);
        return;
    }
    fprintf(f, "{\n  \"device\": \"%s\",\n  \"vendor\": \"%s\",\n  \"driver\": \"%s\",\n  \"candidates\": [\n", info->name,
            info->vendor, info->driver_version);
    for (int i = 0; i < tile_count + direct_count; i++) {
        const candidate *c = i < tile_count ? &tiles[i] : &direct[i - tile_count];
        char text[96];
        format(c, text, sizeof text);
        fprintf(f, "    {\"stage\": \"%s\", \"tuning\": \"%s\", \"gflops\": %.3f}%s\n",
                i < tile_count ? "tiles" : "direct", text, c->score, i + 1 < tile_count + direct_count ? "," : "");
    }
    fprintf(f, "  ],\n  \"table_row\": \"");
    for (const char *p = row; *p; p++) fprintf(f, *p == '"' ? "\\\"" : "%c", *p);
    fprintf(f, "\"\n}\n");
    fclose(f);
    printf("wrote %s\n", path);
}

/*
 * The Winograd setting a default context on device 0 has (the table's, or a saved one): 0 off, 1 on, n "from n
 * channels". The tuner does not search it; its row and saved tuning keep it. Read from ck_context_describe.
 */
static int current_winograd(void) {
    ck_context_options context_options;
    ck_context_options_init(&context_options);
    context_options.backend = CK_BACKEND_OPENCL;
    ck_context *ctx = NULL;
    if (ck_context_create(&context_options, &ctx) != CK_OK) return 0;
    const char *description = ck_context_describe(ctx), *from = strstr(description, "winograd from ");
    int winograd = strstr(description, "winograd on") ? 1 : from ? atoi(from + strlen("winograd from ")) : 0;
    ck_context_destroy(ctx);
    return winograd;
}

int bench_tune(const bench_tune_options *options) {
    ck_device_info info;
    if (ck_opencl_device_count() == 0 || ck_opencl_device_info(0, &info) != CK_OK) {
        fprintf(stderr, "ck-bench --tune: no OpenCL device on this machine\n");
        return 1;
    }
    int selected = 0;
    for (int s = 0; s < options->shapes->count; s++) selected += shape_selected(options, &options->shapes->items[s]);
    if (!selected) {
        fprintf(stderr, "ck-bench --tune: no conv shape matches --filter '%s'\n", options->filter);
        return 2;
    }
    printf("tuning %s (%s, driver %s) on %d conv shapes%s\n", info.name, info.vendor, info.driver_version, selected,
           options->quick ? ", quick batches" : "");

    candidate tiles[COUNT(tile_candidates)], direct[COUNT(direct_candidates)];
    for (int i = 0; i < COUNT(tile_candidates); i++) {
        memcpy(tiles[i].t, tile_candidates[i], sizeof tile_candidates[i]);
        tiles[i].t[5] = tiles[i].t[6] = 0;
    }
    int best_tiles = stage(options, "stage 1: GEMM tiles (every conv pass on the implicit GEMM)", tiles,
                           COUNT(tile_candidates), 7u);
    if (best_tiles < 0) {
        fprintf(stderr, "ck-bench --tune: no candidate ran on this device\n");
        return 1;
    }
    for (int i = 0; i < COUNT(direct_candidates); i++) {
        memcpy(direct[i].t, tiles[best_tiles].t, 5 * sizeof(int));
        direct[i].t[5] = direct_candidates[i][0], direct[i].t[6] = direct_candidates[i][1];
    }
    int best = stage(options, "stage 2: direct kernels (vector, block; 0,0 = the implicit GEMM), all three passes",
                     direct, COUNT(direct_candidates), 7u);
    const candidate *winner = best >= 0 ? &direct[best] : &tiles[best_tiles];

    const int winograd = winner->t[5] > 0 ? current_winograd() : 0; /* Winograd needs the direct kernels */
    char row[512];
    snprintf(row, sizeof row,
             "    {\"%s\", \"%s\", {%d, %d, %d, %d, %d, %d, %d, %d, 0}}, /* ck-bench --tune, driver %s: %.1f GFLOP/s; "
             "Winograd %d as before the tuning (0 off, n: from n channels; compare with ck-bench's winograd rows); "
             "split-K 0 (per call) */",
             info.vendor, info.name, winner->t[0], winner->t[1], winner->t[2], winner->t[3], winner->t[4],
             winner->t[5], winner->t[6], winograd, info.driver_version, best >= 0 ? direct[best].score : 0.0,
             winograd);
    printf("\nthe row for Sources/CConvKit/opencl/cl_tuning.c (above the defaults):\n%s\n", row);
    if (options->json_path)
        write_json(options->json_path, &info, tiles, COUNT(tile_candidates), direct, COUNT(direct_candidates), row);
    if (!options->save) return 0;
    char text[96], path[1024];
    format(winner, text, sizeof text);
    snprintf(text + strlen(text), sizeof text - strlen(text), ",%d", winograd);
    if (ck_opencl_save_tuning(0, text, path, sizeof path) != CK_OK) {
        fprintf(stderr, "ck-bench --tune --save: %s\n", ck_last_error(NULL));
        return 1;
    }
    printf("saved %s to %s: new contexts on %s use it\n", text, path, info.name);
    return 0;
}
