/* machine.c — the machine, library and device details every result carries. */
#define _POSIX_C_SOURCE 200809L
#include "machine.h"

#include <cblas.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

/* The value of the first /proc/cpuinfo line starting with `key`, or "unknown". */
static void read_cpuinfo(const char *key, char *value, size_t size) {
    snprintf(value, size, "unknown");
    FILE *cpuinfo = fopen("/proc/cpuinfo", "r");
    if (!cpuinfo) return;
    char line[4096];
    while (fgets(line, sizeof line, cpuinfo)) {
        if (strncmp(line, key, strlen(key)) != 0) continue;
        const char *text = strchr(line, ':');
        if (!text) continue;
        text += strspn(text + 1, " \t") + 1;
        snprintf(value, size, "%.*s", (int)strcspn(text, "\n"), text);
        break;
    }
    fclose(cpuinfo);
}

/* The SIMD flags ConvKit, OpenBLAS and the probes care about, as /proc/cpuinfo spells them. */
static void read_simd_flags(char *out, size_t size) {
    static const char *const wanted[] = {"sse4_2", "avx", "avx2", "fma", "f16c", "avx512f", "avx512dq", "avx512bw",
                                         "avx512vl", "avx512_vnni", "avx512_bf16", "amx_tile", "asimd", "sve"};
    char flags[4096];
    read_cpuinfo("flags", flags, sizeof flags);
    if (strcmp(flags, "unknown") == 0) read_cpuinfo("Features", flags, sizeof flags); /* Arm */
    out[0] = '\0';
    for (size_t i = 0; i < sizeof wanted / sizeof wanted[0]; i++) {
        char padded[40];
        snprintf(padded, sizeof padded, " %s ", wanted[i]);
        char haystack[4100];
        snprintf(haystack, sizeof haystack, " %s ", flags);
        if (!strstr(haystack, padded)) continue;
        size_t used = strlen(out);
        snprintf(out + used, size - used, "%s%s", used ? " " : "", wanted[i]);
    }
}

void bench_collect_machine_info(bench_run_info *info) {
    read_cpuinfo("model name", info->cpu_model, sizeof info->cpu_model);
    read_simd_flags(info->cpu_flags, sizeof info->cpu_flags);

    struct utsname system;
    if (uname(&system) == 0)
        snprintf(info->os, sizeof info->os, "%s %s %s", system.sysname, system.release, system.machine);
    else
        snprintf(info->os, sizeof info->os, "unknown");

    long cores = sysconf(_SC_NPROCESSORS_ONLN), pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    info->cores = cores > 0 ? (int)cores : 1;
    info->memory_gib = pages > 0 && page > 0 ? (double)pages * (double)page / (1024.0 * 1024.0 * 1024.0) : 0.0;

#if defined(__clang__)
    snprintf(info->compiler, sizeof info->compiler, "clang %s", __clang_version__);
#elif defined(__GNUC__)
    snprintf(info->compiler, sizeof info->compiler, "gcc %s", __VERSION__);
#else
    snprintf(info->compiler, sizeof info->compiler, "unknown");
#endif
#if defined(__OPTIMIZE__)
    info->optimized = 1;
#endif
    snprintf(info->openblas, sizeof info->openblas, "%s (core %s)", openblas_get_config(), openblas_get_corename());

    time_t now = time(NULL);
    struct tm utc;
    gmtime_r(&now, &utc);
    strftime(info->date, sizeof info->date, "%Y-%m-%dT%H:%M:%SZ", &utc);
}

void bench_collect_context_info(bench_run_info *info, ck_context *ctx) {
    info->backend = ck_backend_name(ck_context_backend(ctx));
    info->threads = ck_context_num_threads(ctx);
    snprintf(info->describe, sizeof info->describe, "%s", ck_context_describe(ctx));
    info->has_device = 0;
    int index = -1;
    const char *device = strstr(info->describe, "device ");
    if (ck_context_backend(ctx) == CK_BACKEND_OPENCL && device && sscanf(device, "device %d", &index) == 1)
        info->has_device = ck_opencl_device_info(index, &info->device) == CK_OK;
}
