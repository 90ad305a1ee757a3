/* report.c — the results table and the JSON files. */
#include "report.h"

#include <string.h>

double bench_result_rate(const bench_result *result) { return result->work / result->timing.median_s * 1e-9; }

double bench_result_peak_fraction(const bench_result *result, const bench_peaks *peaks) {
    double peak = bench_is_memory_bound(result->shape) ? peaks->bandwidth_gbs : peaks->fma_gflops;
    return peak > 0 ? bench_result_rate(result) / peak : 0.0;
}

void bench_print_header(FILE *out, const bench_run_info *info) {
    fprintf(out, "ConvKit %s | %s | %s, %d cores | set %s | median of up to %d runs after a warm-up%s\n",
            info->version, info->describe, info->cpu_model, info->cores, info->set, info->repeats,
            info->quick ? " | quick (small batches)" : "");
    if (!info->optimized)
        fprintf(out, "warning: ck-bench was built without optimization; build it with swift build -c release "
                     "for figures that mean anything\n");
    if (info->probed) {
        const bench_peaks *p = &info->peaks;
        fprintf(out, "peaks: FMA %.1f GFLOP/s (%s), ", p->fma_gflops, p->fma_kind);
        if (p->sgemm_gflops > 0) fprintf(out, "OpenBLAS sgemm 2048^3 %.1f GFLOP/s, ", p->sgemm_gflops);
        fprintf(out, "bandwidth %.1f GB/s (%s)%s%s\n", p->bandwidth_gbs, p->bandwidth_kind, p->note[0] ? "; " : "",
                p->note);
    }
    fprintf(out, "%-40s %-17s %-13s %4s %10s %10s %10s %9s %-7s %6s\n", "shape", "pass", "algorithm", "N", "median ms",
            "min ms", "max ms", "rate", "", "peak");
}

void bench_print_result(FILE *out, const bench_result *result, const bench_run_info *info) {
    const char *pass = bench_pass_name(result->shape, result->pass);
    char algorithm[32];
    snprintf(algorithm, sizeof algorithm, "%s%s", result->algorithm ? result->algorithm : "-",
             result->algorithm && result->chosen ? "*" : "");
    fprintf(out, "%-40s %-17s %-13s %4lld ", result->shape->name, pass, algorithm, (long long)result->n);
    if (result->status != CK_OK) {
        fprintf(out, "FAILED: %s\n", result->error);
    } else {
        fprintf(out, "%10.3f %10.3f %10.3f %9.2f %-7s", result->timing.median_s * 1e3, result->timing.min_s * 1e3,
                result->timing.max_s * 1e3, bench_result_rate(result), bench_rate_unit(result->shape));
        if (info->probed) fprintf(out, " %5.1f%%", 100.0 * bench_result_peak_fraction(result, &info->peaks));
        fprintf(out, "%s%s\n", result->timing.cut_short ? " (one run: over 10x slower than the chosen)" : "",
                result->cpu_fallback ? " (ran on the CPU backend: fallback)" : "");
    }
    fflush(out);
}

/** Writes `text` as a JSON string literal, or null. */
static void write_json_string(FILE *out, const char *text) {
    if (!text) {
        fputs("null", out);
        return;
    }
    fputc('"', out);
    for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
        if (*c == '"' || *c == '\\') fprintf(out, "\\%c", *c);
        else if (*c < 0x20) fprintf(out, "\\u%04x", *c);
        else fputc(*c, out);
    }
    fputc('"', out);
}

/* "key": "value", */
static void write_field(FILE *out, const char *key, const char *value, const char *after) {
    fprintf(out, "\"%s\": ", key);
    write_json_string(out, value);
    fputs(after, out);
}

/* The shape's own fields, without braces. */
static void write_shape_fields(FILE *out, const bench_shape *shape) {
    write_field(out, "shape", shape->name, ", ");
    write_field(out, "description", shape->description, ", ");
    write_field(out, "network", shape->network, ", ");
    write_field(out, "kind", bench_kind_name(shape->kind), ", ");
    fprintf(out, "\"occurrences\": %d", shape->occurrences);
}

static void write_json_result(FILE *out, const bench_result *result, const bench_run_info *info) {
    fputs("    {", out);
    write_shape_fields(out, result->shape);
    fprintf(out, ", \"pass\": \"%s\", \"n\": %lld, \"unit\": \"%s\", \"work\": %.0f, ",
            bench_pass_name(result->shape, result->pass), (long long)result->n, bench_rate_unit(result->shape),
            result->work);
    write_field(out, "algorithm", result->algorithm, ", ");
    fprintf(out, "\"chosen\": %s", result->chosen ? "true" : "false");
    if (result->status == CK_OK) {
        fprintf(out, ", \"runs\": %d, \"cut_short\": %s", result->timing.runs,
                result->timing.cut_short ? "true" : "false");
        fprintf(out, ", \"median_ms\": %.6f, \"min_ms\": %.6f, \"max_ms\": %.6f, \"rate\": %.4f",
                result->timing.median_s * 1e3, result->timing.min_s * 1e3, result->timing.max_s * 1e3,
                bench_result_rate(result));
        if (info->probed) fprintf(out, ", \"peak_fraction\": %.5f", bench_result_peak_fraction(result, &info->peaks));
        else fputs(", \"peak_fraction\": null", out);
        fprintf(out, ", \"cpu_fallback\": %s, \"error\": null}", result->cpu_fallback ? "true" : "false");
    } else {
        fputs(", \"runs\": 0, \"cut_short\": false", out);
        fputs(", \"median_ms\": null, \"min_ms\": null, \"max_ms\": null, \"rate\": null", out);
        fputs(", \"peak_fraction\": null, \"cpu_fallback\": false, \"error\": ", out);
        write_json_string(out, result->error);
        fputc('}', out);
    }
}

static void write_peaks(FILE *out, const bench_run_info *info) {
    if (!info->probed) {
        fputs("  \"peaks\": null,\n", out);
        return;
    }
    const bench_peaks *p = &info->peaks;
    fprintf(out, "  \"peaks\": {\"fma_gflops\": %.3f, ", p->fma_gflops);
    write_field(out, "fma_kind", p->fma_kind, ", ");
    if (p->sgemm_gflops > 0) fprintf(out, "\"sgemm_2048_gflops\": %.3f, ", p->sgemm_gflops);
    else fputs("\"sgemm_2048_gflops\": null, ", out);
    fprintf(out, "\"bandwidth_gbs\": %.3f, ", p->bandwidth_gbs);
    write_field(out, "bandwidth_kind", p->bandwidth_kind, ", ");
    write_field(out, "note", p->note[0] ? p->note : NULL, "},\n");
}

static void write_device(FILE *out, const bench_run_info *info) {
    if (!info->has_device) {
        fputs("  \"device\": null,\n", out);
        return;
    }
    const ck_device_info *d = &info->device;
    fputs("  \"device\": {", out);
    write_field(out, "type", d->type, ", ");
    write_field(out, "name", d->name, ", ");
    write_field(out, "vendor", d->vendor, ", ");
    write_field(out, "platform", d->platform, ", ");
    write_field(out, "opencl_version", d->version, ", ");
    write_field(out, "driver_version", d->driver_version, ", ");
    fprintf(out, "\"compute_units\": %d, \"global_memory_bytes\": %llu},\n", (int)d->compute_units,
            (unsigned long long)d->global_memory_bytes);
}

int bench_write_json(const char *path, const bench_run_info *info, const bench_result *results, int count) {
    FILE *out = fopen(path, "w");
    if (!out) return -1;
    fputs("{\n  \"tool\": \"ck-bench\",\n  \"schema\": 2,\n  \"framework\": \"convkit\",\n  ", out);
    write_field(out, "framework_version", info->version, ",\n  ");
    write_field(out, "backend", info->backend, ",\n  ");
    write_field(out, "describe", info->describe, ",\n  ");
    write_field(out, "set", info->set, ",\n");
    fprintf(out, "  \"threads\": %d,\n  \"repeats\": %d,\n  \"pass_budget_s\": %.3f,\n  \"quick\": %s,\n", info->threads,
            info->repeats, info->pass_budget_s, info->quick ? "true" : "false");
    fprintf(out, "  \"all_algorithms\": %s,\n  \"date\": \"%s\",\n", info->all_algorithms ? "true" : "false", info->date);
    fputs("  \"machine\": {", out);
    write_field(out, "cpu_model", info->cpu_model, ", ");
    write_field(out, "cpu_flags", info->cpu_flags, ", ");
    fprintf(out, "\"cores\": %d, \"memory_gib\": %.1f, ", info->cores, info->memory_gib);
    write_field(out, "os", info->os, "},\n");
    fputs("  \"libraries\": {", out);
    write_field(out, "convkit", info->version, ", ");
    write_field(out, "openblas", info->openblas, ", ");
    write_field(out, "compiler", info->compiler, ", ");
    fprintf(out, "\"optimized\": %s},\n", info->optimized ? "true" : "false");
    write_device(out, info);
    write_peaks(out, info);
    fputs("  \"results\": [\n", out);
    for (int i = 0; i < count; i++) {
        write_json_result(out, &results[i], info);
        fputs(i + 1 < count ? ",\n" : "\n", out);
    }
    fputs("  ]\n}\n", out);
    int failed = ferror(out);
    if (fclose(out) != 0 || failed) return -1;
    return 0;
}

int bench_write_shapes_json(const char *path, const bench_shape_list *shapes, const char *set, int quick) {
    FILE *out = fopen(path, "w");
    if (!out) return -1;
    fputs("{\n  \"tool\": \"ck-bench --list\",\n  ", out);
    write_field(out, "set", set, ",\n");
    fprintf(out, "  \"quick\": %s,\n  \"shapes\": [\n", quick ? "true" : "false");
    for (int i = 0; i < shapes->count; i++) {
        const bench_shape *s = &shapes->items[i];
        int64_t n = quick ? bench_quick_batch(s->n) : s->n, y[4];
        bench_output_dims(s, n, y);
        fputs("    {", out);
        write_shape_fields(out, s);
        fprintf(out, ", \"n\": %lld, \"c\": %lld, \"h\": %lld, \"w\": %lld, \"o\": %lld, \"kernel\": %d, "
                     "\"stride\": %d, \"pad\": %d, \"groups\": %d, \"pool_mode\": \"%s\", \"unit\": \"%s\", "
                     "\"output\": [%lld, %lld, %lld, %lld], \"passes\": {",
                (long long)n, (long long)s->c, (long long)s->h, (long long)s->w, (long long)s->o, s->kernel, s->stride,
                s->pad, s->groups, s->pool_mode == CK_POOL_MAX ? "max" : "avg", bench_rate_unit(s), (long long)y[0],
                (long long)y[1], (long long)y[2], (long long)y[3]);
        for (int p = 0; p < bench_pass_count(s); p++)
            fprintf(out, "%s\"%s\": %.0f", p ? ", " : "", bench_pass_name(s, (bench_pass)p),
                    bench_work(s, (bench_pass)p, n));
        fputs(i + 1 < shapes->count ? "}},\n" : "}}\n", out);
    }
    fputs("  ]\n}\n", out);
    int failed = ferror(out);
    if (fclose(out) != 0 || failed) return -1;
    return 0;
}
