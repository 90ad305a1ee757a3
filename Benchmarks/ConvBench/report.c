/* report.c — machine information, the results table, and the JSON file. */
#define _POSIX_C_SOURCE 200809L
#include "report.h"

#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

/** The first "model name" of /proc/cpuinfo, or "unknown". */
static void read_cpu_model(char *model, size_t size) {
    snprintf(model, size, "unknown");
    FILE *cpuinfo = fopen("/proc/cpuinfo", "r");
    if (!cpuinfo) return;
    char line[512];
    while (fgets(line, sizeof line, cpuinfo)) {
        if (strncmp(line, "model name", 10) != 0) continue;
        const char *value = strchr(line, ':');
        if (!value) continue;
        value += strspn(value + 1, " \t") + 1;
        snprintf(model, size, "%.*s", (int)strcspn(value, "\n"), value);
        break;
    }
    fclose(cpuinfo);
}

void bench_collect_machine_info(bench_run_info *info) {
    read_cpu_model(info->cpu_model, sizeof info->cpu_model);

    struct utsname system;
    if (uname(&system) == 0)
        snprintf(info->os, sizeof info->os, "%s %s", system.sysname, system.release);
    else
        snprintf(info->os, sizeof info->os, "unknown");

    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    info->cores = cores > 0 ? (int)cores : 1;

    time_t now = time(NULL);
    struct tm utc;
    gmtime_r(&now, &utc);
    strftime(info->date, sizeof info->date, "%Y-%m-%dT%H:%M:%SZ", &utc);
}

double bench_result_rate(const bench_result *result) { return result->work / result->timing.median_s * 1e-9; }

void bench_print_header(FILE *out, const bench_run_info *info) {
    fprintf(out, "ConvKit %s | backend %s, %d threads | %s, %d cores | median of %d runs after a warm-up%s\n",
            info->version, info->backend, info->threads, info->cpu_model, info->cores, info->repeats,
            info->quick ? " | quick (small batches)" : "");
    fprintf(out, "%-22s %-17s %4s %11s %10s %10s %17s\n", "shape", "pass", "N", "median ms", "min ms", "max ms",
            "rate");
}

void bench_print_result(FILE *out, const bench_result *result) {
    const char *pass = bench_pass_name(result->shape, result->pass);
    fprintf(out, "%-22s %-17s %4lld ", result->shape->name, pass, (long long)result->n);
    if (result->status != CK_OK) {
        fprintf(out, "FAILED: %s\n", result->error);
    } else {
        fprintf(out, "%11.3f %10.3f %10.3f %9.2f %-7s%s\n", result->timing.median_s * 1e3,
                result->timing.min_s * 1e3, result->timing.max_s * 1e3, bench_result_rate(result),
                bench_rate_unit(result->shape), result->cpu_fallback ? " (ran on the CPU backend: fallback)" : "");
    }
    fflush(out);
}

/** Writes `text` as a JSON string literal. */
static void write_json_string(FILE *out, const char *text) {
    fputc('"', out);
    for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
        if (*c == '"' || *c == '\\') fprintf(out, "\\%c", *c);
        else if (*c < 0x20) fprintf(out, "\\u%04x", *c);
        else fputc(*c, out);
    }
    fputc('"', out);
}

static void write_json_result(FILE *out, const bench_result *result) {
    fprintf(out, "    {\"shape\": ");
    write_json_string(out, result->shape->name);
    fprintf(out, ", \"description\": ");
    write_json_string(out, result->shape->description);
    fprintf(out, ", \"pass\": \"%s\", \"n\": %lld, \"unit\": \"%s\", \"work\": %.0f",
            bench_pass_name(result->shape, result->pass), (long long)result->n, bench_rate_unit(result->shape),
            result->work);
    if (result->status == CK_OK) {
        fprintf(out, ", \"median_ms\": %.6f, \"min_ms\": %.6f, \"max_ms\": %.6f, \"rate\": %.4f",
                result->timing.median_s * 1e3, result->timing.min_s * 1e3, result->timing.max_s * 1e3,
                bench_result_rate(result));
        fprintf(out, ", \"cpu_fallback\": %s, \"error\": null}", result->cpu_fallback ? "true" : "false");
    } else {
        fprintf(out, ", \"median_ms\": null, \"min_ms\": null, \"max_ms\": null, \"rate\": null");
        fprintf(out, ", \"cpu_fallback\": false, \"error\": ");
        write_json_string(out, result->error);
        fputc('}', out);
    }
}

int bench_write_json(const char *path, const bench_run_info *info, const bench_result *results, int count) {
    FILE *out = fopen(path, "w");
    if (!out) return -1;
    fprintf(out, "{\n  \"tool\": \"ck-bench\",\n  \"framework\": \"convkit\",\n  \"framework_version\": ");
    write_json_string(out, info->version);
    fprintf(out, ",\n  \"backend\": ");
    write_json_string(out, info->backend);
    fprintf(out, ",\n  \"threads\": %d,\n  \"repeats\": %d,\n  \"quick\": %s,\n  \"date\": \"%s\",\n",
            info->threads, info->repeats, info->quick ? "true" : "false", info->date);
    fprintf(out, "  \"machine\": {\"cpu_model\": ");
    write_json_string(out, info->cpu_model);
    fprintf(out, ", \"cores\": %d, \"os\": ", info->cores);
    write_json_string(out, info->os);
    fprintf(out, "},\n  \"results\": [\n");
    for (int i = 0; i < count; i++) {
        write_json_result(out, &results[i]);
        fprintf(out, i + 1 < count ? ",\n" : "\n");
    }
    fprintf(out, "  ]\n}\n");
    int failed = ferror(out);
    if (fclose(out) != 0 || failed) return -1;
    return 0;
}
