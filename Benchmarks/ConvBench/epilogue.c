/*
 * epilogue.c — ck-bench --epilogue (see epilogue.h). Each shape runs both ways
 * once to warm up, then --repeats rounds that time the separate ops and the
 * fused op back to back (so that load on a shared machine falls on both
 * alike); the table gives the median of each and their ratio (separate /
 * fused: above 1, fusing is faster), the conv's GFLOP/s each way and the
 * bytes of y the fused form does not write and read again.
 */
#include "epilogue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_case.h"
#include "timing.h"

typedef struct epilogue_row {
    const bench_shape *shape;
    int64_t n;
    bench_timing separate, fused;
    ck_status status;
    char error[256];
} epilogue_row;

static ck_status run_separate(bench_case *b, const ck_conv2d_params *p) {
    ck_status status = ck_conv2d_forward(b->ctx, p, &b->x, &b->w, NULL, &b->y);
    if (status == CK_OK) status = ck_activation_forward(b->ctx, CK_ACT_RELU, 0.0f, &b->y, &b->y);
    return status == CK_OK ? ck_context_finish(b->ctx) : status;
}

static ck_status run_fused(bench_case *b, const ck_conv2d_params *p) {
    const ck_conv2d_epilogue relu = {1, CK_ACT_RELU, 0.0f};
    ck_status status = ck_conv2d_forward_fused(b->ctx, p, &b->x, &b->w, NULL, &relu, &b->y);
    return status == CK_OK ? ck_context_finish(b->ctx) : status;
}

/* Times one round of `run`; *seconds gets the time. */
static ck_status timed(ck_status (*run)(bench_case *, const ck_conv2d_params *), bench_case *b,
                       const ck_conv2d_params *p, double *seconds) {
    const double start = bench_now_seconds();
    ck_status status = run(b, p);
    *seconds = bench_now_seconds() - start;
    return status;
}

static void measure(ck_context *ctx, const bench_options *options, epilogue_row *row) {
    bench_case bench;
    row->status = bench_case_setup(&bench, ctx, row->shape, row->n);
    if (row->status != CK_OK) return;
    const ck_conv2d_params params = bench_conv_params(row->shape);
    const int repeats = options->repeats;
    double *separate = calloc((size_t)repeats, sizeof(double)), *fused = calloc((size_t)repeats, sizeof(double));
    double warmup;
    ck_status status = separate && fused ? CK_OK : CK_ERR_OUT_OF_MEMORY;
    if (status == CK_OK) status = timed(run_separate, &bench, &params, &warmup);
    if (status == CK_OK) status = timed(run_fused, &bench, &params, &warmup);
    for (int i = 0; i < repeats && status == CK_OK; i++) {
        status = timed(run_separate, &bench, &params, &separate[i]);
        if (status == CK_OK) status = timed(run_fused, &bench, &params, &fused[i]);
    }
    row->status = status;
    if (status == CK_OK) {
        row->separate = bench_summarize(separate, repeats);
        row->fused = bench_summarize(fused, repeats);
    } else {
        snprintf(row->error, sizeof row->error, "%s: %s", ck_status_string(status), ck_last_error(ctx));
    }
    free(separate);
    free(fused);
    bench_case_teardown(&bench);
}

static int selected(const bench_options *options, const bench_shape *shape) {
    return shape->kind == BENCH_CONV && (!options->filter || strstr(shape->name, options->filter));
}

static void write_json(FILE *f, const bench_options *options, ck_context *ctx, const epilogue_row *rows, int count) {
    fprintf(f, "{\n  \"tool\": \"ck-bench --epilogue\",\n  \"backend\": \"%s\",\n  \"context\": \"%s\",\n",
            ck_backend_name(options->backend), ck_context_describe(ctx));
    fprintf(f, "  \"activation\": \"relu\",\n  \"rows\": [\n");
    for (int i = 0; i < count; i++) {
        const epilogue_row *r = &rows[i];
        fprintf(f, "    {\"shape\": \"%s\", \"batch\": %lld, ", r->shape->name, (long long)r->n);
        if (r->status == CK_OK)
            fprintf(f, "\"separate_s\": %.9g, \"fused_s\": %.9g, \"separate_over_fused\": %.4f}", r->separate.median_s,
                    r->fused.median_s, r->separate.median_s / r->fused.median_s);
        else
            fprintf(f, "\"error\": \"%s\"}", r->error);
        fprintf(f, "%s\n", i + 1 < count ? "," : "");
    }
    fprintf(f, "  ]\n}\n");
}

int bench_epilogue(const bench_options *options, const bench_shape_list *shapes) {
    ck_context_options context_options;
    ck_context_options_init(&context_options);
    context_options.backend = options->backend;
    context_options.device = options->device;
    context_options.num_threads = options->threads;
    ck_context *ctx = NULL;
    if (ck_context_create(&context_options, &ctx) != CK_OK) {
        fprintf(stderr, "ck-bench --epilogue: cannot create a context: %s\n", ck_last_error(NULL));
        return 1;
    }
    epilogue_row *rows = calloc((size_t)shapes->count, sizeof *rows);
    if (!rows) {
        ck_context_destroy(ctx);
        return 1;
    }
    printf("conv forward + ReLU on %s: separate ops vs the fused epilogue, median of %d rounds\n",
           ck_context_describe(ctx), options->repeats);
    printf("%-40s %11s %11s %8s %10s %10s %9s\n", "shape", "separate ms", "fused ms", "ratio", "sep GF/s", "fused GF/s",
           "y MiB");
    int count = 0, failures = 0;
    for (int s = 0; s < shapes->count; s++) {
        const bench_shape *shape = &shapes->items[s];
        if (!selected(options, shape)) continue;
        epilogue_row *row = &rows[count++];
        row->shape = shape;
        row->n = options->quick ? bench_quick_batch(shape->n) : shape->n;
        measure(ctx, options, row);
        if (row->status != CK_OK) {
            printf("%-40s failed: %s\n", shape->name, row->error);
            failures++;
            continue;
        }
        const double flops = bench_work(shape, BENCH_FORWARD, row->n) * 1e-9;
        const int64_t oh = ck_conv_output_size(shape->h, shape->kernel, shape->stride, shape->pad, shape->pad, 1);
        const int64_t ow = ck_conv_output_size(shape->w, shape->kernel, shape->stride, shape->pad, shape->pad, 1);
        const double y_mib = (double)(row->n * shape->o * oh * ow) * 4.0 / (1 << 20);
        printf("%-40s %11.3f %11.3f %7.2fx %10.1f %10.1f %9.1f\n", shape->name, row->separate.median_s * 1e3,
               row->fused.median_s * 1e3, row->separate.median_s / row->fused.median_s,
               flops / row->separate.median_s, flops / row->fused.median_s, y_mib);
        fflush(stdout);
    }
    if (options->json_path) {
        FILE *f = fopen(options->json_path, "w");
        if (f) {
            write_json(f, options, ctx, rows, count);
            fclose(f);
            printf("wrote %s\n", options->json_path);
        } else {
            fprintf(stderr, "ck-bench: cannot write %s\n", options->json_path);
            failures++;
        }
    }
    free(rows);
    ck_context_destroy(ctx);
    return failures ? 1 : 0;
}
