/*
 * cl_tuning.c — the tuning table (see cl_tuning.h). To add a device: run
 * `ck-bench --backend opencl --tune` on it and paste the row it prints above
 * the defaults; rows are tried in order, the first match wins.
 */
#include "opencl/cl_tuning.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* {vendor, device name, {TILE_M, TILE_N, TILE_K, WORK_M, WORK_N, CONV_VEC, CONV_BLOCK, WINOGRAD, SPLIT_K}} */
static const ck_cl_tuning_entry table[] = {
    /* PoCL on CPUs with AVX-512 (32 vector registers: 8 accumulators of 16 lanes). ck-bench --tune --quick
       --filter conv3x3 on an AMD EPYC (Zen 4, 2 cores, PoCL 3.1), then the best direct candidates on full
       batches: 16 x 8 ahead of 8 x 16, 16 x 12 and 8 x 8; tiles 64 x 64 x 8 / 4 x 4 best for the GEMM. */
    /* Winograd off: there F(2x2, 3x3) ran slower than the direct kernels whenever the direct kernels got the
       machine (ck-bench forward, N = 32, runs alternated, ms: 64x56 100-218 against 55-110, 128x28 59-112
       against 48-100, 256x14 64-85 against 49-105); it came out ahead only while other jobs slowed the
       direct kernel (Kernels/README.md, "Winograd"). */
    {"", "avx512", {64, 64, 8, 4, 4, 16, 8, 0, 0}},
};

/* Defaults when no row matches: GPUs and accelerators take the implicit GEMM, CPUs the direct kernels
   (8 lanes: AVX2's 16 registers hold the 8 accumulators). */
static const ck_cl_tuning gpu_default = {32, 32, 16, 4, 4, 0, 0, 0, 0};
static const ck_cl_tuning cpu_default = {32, 32, 16, 4, 4, 8, 8, 0, 0};

/* Case-insensitive: does `text` contain `part`? ("" is in everything.) */
static int contains(const char *text, const char *part) {
    size_t n = strlen(part);
    for (; n && *text; text++) {
        size_t i = 0;
        while (i < n && text[i] && tolower((unsigned char)text[i]) == tolower((unsigned char)part[i])) i++;
        if (i == n) return 1;
    }
    return n == 0;
}

/* CK_OK when the device can run `t`; else CK_ERR_INVALID_ARGUMENT naming the problem. */
static ck_status check(ck_context *ctx, const ck_device_info *info, const ck_cl_tuning *t, const char *text) {
    const char *problem = NULL;
    if (t->tile_m <= 0 || t->tile_n <= 0 || t->tile_k <= 0 || t->work_m <= 0 || t->work_n <= 0)
        problem = "every tile size must be positive";
    else if (t->tile_m % t->work_m || t->tile_n % t->work_n)
        problem = "WORK_M must divide TILE_M and WORK_N must divide TILE_N";
    else if ((uint64_t)(t->tile_m / t->work_m) * (uint64_t)(t->tile_n / t->work_n) > info->max_work_group_size)
        problem = "the work group (TILE_M / WORK_M) x (TILE_N / WORK_N) exceeds the device's maximum";
    else if ((uint64_t)t->tile_k * (uint64_t)(t->tile_m + t->tile_n) * 4u > info->local_memory_bytes)
        problem = "the tiles need more local memory than the device has";
    else if (!(t->conv_vec == 0 && t->conv_block == 0) &&
             (!(t->conv_vec == 4 || t->conv_vec == 8 || t->conv_vec == 16) || t->conv_block < 1 || t->conv_block > 32))
        problem = "conv vec must be 4, 8 or 16 and conv block 1...32 (or both 0: implicit GEMM)";
    if (!problem) return CK_OK;
    return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT,
                        "ck_context_create: CONVKIT_CL_TUNING='%s' for %s: %s; the format is "
                        "TILE_M,TILE_N,TILE_K,WORK_M,WORK_N,CONV_VEC,CONV_BLOCK",
                        text, info->name, problem);
}

/* CONVKIT_CL_WINOGRAD: -1 when unset or empty (the tuning's own), 1 for on, 0 for off; another value fails
   with CK_ERR_INVALID_ARGUMENT. */
static ck_status winograd_setting(ck_context *ctx, int *out) {
    const char *text = getenv("CONVKIT_CL_WINOGRAD");
    *out = -1;
    if (!text || !text[0]) return CK_OK;
    if (strcmp(text, "on") == 0 || strcmp(text, "off") == 0) return *out = text[1] == 'n', CK_OK;
    return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT, "ck_context_create: CONVKIT_CL_WINOGRAD='%s'; it takes on or off",
                        text);
}

/* CONVKIT_CL_SPLIT_K: -1 when unset or empty (the tuning's own), 0 for auto, else the slices 1...CK_CL_MAX_SPLIT_K;
   another value fails with CK_ERR_INVALID_ARGUMENT. */
static ck_status split_k_setting(ck_context *ctx, int *out) {
    const char *text = getenv("CONVKIT_CL_SPLIT_K");
    *out = -1;
    if (!text || !text[0]) return CK_OK;
    if (strcmp(text, "auto") == 0) return *out = 0, CK_OK;
    char *end = NULL;
    long slices = strtol(text, &end, 10);
    if (isdigit((unsigned char)text[0]) && *end == '\0' && slices >= 1 && slices <= CK_CL_MAX_SPLIT_K)
        return *out = (int)slices, CK_OK;
    return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT,
                        "ck_context_create: CONVKIT_CL_SPLIT_K='%s'; it takes auto or the number of K slices of the "
                        "implicit-GEMM backward-weights, a whole number from 1 to %d",
                        text, CK_CL_MAX_SPLIT_K);
}

/* The tuning from CONVKIT_CL_TUNING (Winograd off, split-K auto), the table or the defaults. */
static ck_status tuning_of(ck_context *ctx, const ck_cl_device *device, ck_cl_tuning *out) {
    const char *text = getenv("CONVKIT_CL_TUNING");
    if (text && text[0]) {
        ck_cl_tuning t;
        char end;
        t.winograd = 0;
        t.split_k = 0;
        if (sscanf(text, "%d,%d,%d,%d,%d,%d,%d%c", &t.tile_m, &t.tile_n, &t.tile_k, &t.work_m, &t.work_n, &t.conv_vec,
                   &t.conv_block, &end) != 7)
            t.tile_m = 0; /* malformed: check() says so */
        ck_status status = check(ctx, &device->info, &t, text);
        if (status == CK_OK) *out = t;
        return status;
    }
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        if (contains(device->info.vendor, table[i].vendor) && contains(device->info.name, table[i].device)) {
            *out = table[i].tuning;
            return CK_OK;
        }
    }
    *out = (device->type & CL_DEVICE_TYPE_CPU) ? cpu_default : gpu_default;
    return CK_OK;
}

ck_status ck_cl_tuning_for(ck_context *ctx, const ck_cl_device *device, ck_cl_tuning *out) {
    int winograd, split_k;
    ck_status status = winograd_setting(ctx, &winograd);
    if (status == CK_OK) status = split_k_setting(ctx, &split_k);
    if (status == CK_OK) status = tuning_of(ctx, device, out);
    if (status == CK_OK && winograd >= 0) out->winograd = winograd;
    if (status == CK_OK && split_k >= 0) out->split_k = split_k;
    return status;
}

void ck_cl_tuning_describe(const ck_cl_tuning *t, char *out, size_t capacity) {
    char split[24] = "auto";
    if (t->split_k > 0) snprintf(split, sizeof split, "%d", t->split_k);
    if (t->conv_vec)
        snprintf(out, capacity, "tiles %dx%dx%d/%dx%d, direct conv %d x %d, winograd %s, split-K %s", t->tile_m,
                 t->tile_n, t->tile_k, t->work_m, t->work_n, t->conv_vec, t->conv_block, t->winograd ? "on" : "off",
                 split);
    else
        snprintf(out, capacity, "tiles %dx%dx%d/%dx%d, implicit-GEMM conv, split-K %s", t->tile_m, t->tile_n,
                 t->tile_k, t->work_m, t->work_n, split);
}
