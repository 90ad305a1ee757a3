/*
 * cl_tuning.c — the tuning table (see cl_tuning.h) and saved tunings. To
 * add a device for everyone: run `ck-bench --backend opencl --tune` on it and
 * paste the row it prints above the defaults; rows are tried in order, the
 * first match wins. `ck-bench --tune --save` instead saves the result for
 * this machine (ck_opencl_save_tuning), which contexts on that device then
 * take before the table.
 */
#define _POSIX_C_SOURCE 200809L /* mkstemp, fdopen, fsync */
#include "opencl/cl_tuning.h"
#include "opencl/cl_disk_cache.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* {vendor, device name, {TILE_M, TILE_N, TILE_K, WORK_M, WORK_N, CONV_VEC, CONV_BLOCK, WINOGRAD, SPLIT_K}} */
static const ck_cl_tuning_entry table[] = {
    /* PoCL on CPUs with AVX-512 (32 vector registers: 8 accumulators of 16 lanes). ck-bench --tune --quick
       --filter conv3x3 on an AMD EPYC (Zen 4, 2 cores, PoCL 3.1), then the best direct candidates on full
       batches: 16 x 8 ahead of 8 x 16, 16 x 12 and 8 x 8; tiles 64 x 64 x 8 / 4 x 4 best for the GEMM. */
    /* Winograd from 256 channels: on the idle machine (ck-bench --set catalog --algorithms chosen, N = 32,
       CONVKIT_CL_WINOGRAD on / off, two rounds, forward and backward-data GFLOP/s) it beat the direct kernels
       at 256 channels, 14x14 (212-214 against 147-155) and 512, 7x7 (191-200 against 119-130), tied at 128,
       28x28 (152-159 against 153-155) and lost at 64, 56x56 (99-101 against 138-139): its transforms cost
       about 1/C + 1/O of the GEMM work it saves (Kernels/README.md, "Winograd"). */
    {"", "avx512", {64, 64, 8, 4, 4, 16, 8, 256, 0}},
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

/* Why the device cannot run `t`, or NULL when it can. */
static const char *problem_of(const ck_device_info *info, const ck_cl_tuning *t) {
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
    else if (t->winograd < 0 || t->winograd > 65536)
        problem = "winograd must be 0 (off) or the fewest channels that take it, 1...65536";
    return problem;
}

/* CK_OK when the device can run `t`; else CK_ERR_INVALID_ARGUMENT naming the problem. */
static ck_status check(ck_context *ctx, const ck_device_info *info, const ck_cl_tuning *t, const char *text) {
    const char *problem = problem_of(info, t);
    if (!problem) return CK_OK;
    return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT,
                        "ck_context_create: CONVKIT_CL_TUNING='%s' for %s: %s; the format is "
                        "TILE_M,TILE_N,TILE_K,WORK_M,WORK_N,CONV_VEC,CONV_BLOCK",
                        text, info->name, problem);
}

/* Parses "TILE_M,...,CONV_BLOCK" (7 numbers) or, with `with_winograd`, 8 numbers ending in WINOGRAD; 1 on success. */
static int parse(const char *text, int with_winograd, ck_cl_tuning *t) {
    char end;
    t->winograd = 0;
    t->split_k = 0;
    int count = sscanf(text, "%d,%d,%d,%d,%d,%d,%d,%d%c", &t->tile_m, &t->tile_n, &t->tile_k, &t->work_m, &t->work_n,
                       &t->conv_vec, &t->conv_block, &t->winograd, &end);
    return count == (with_winograd ? 8 : 7);
}

/* "vendor|name|driver": whom a saved tuning is for. */
static void device_key(const ck_device_info *info, char *key, size_t capacity) {
    snprintf(key, capacity, "%s|%s|%s", info->vendor, info->name, info->driver_version);
}

/* <cache root>/tuning/<hash of the device key>.txt, the folders made with `create`; 0 without a home folder. */
static int saved_path(const ck_device_info *info, int create, char *path, size_t capacity) {
    char root[900], key[400];
    ck_cl_convkit_cache_root(root, sizeof root, create);
    if (!root[0]) return 0;
    device_key(info, key, sizeof key);
    int length = snprintf(path, capacity, "%s/tuning", root);
    if (length < 0 || (size_t)length >= capacity || (create && !ck_cl_make_dirs(path))) return 0;
    const unsigned long long hash = ck_cl_fnv1a(key, strlen(key));
    length = snprintf(path, capacity, "%s/tuning/%016llx.txt", root, hash);
    return length > 0 && (size_t)length < capacity;
}

/*
 * The tuning saved for the device: 1 with *out set; 0 when there is none, or
 * when the file is not one ck_opencl_save_tuning wrote for this very device
 * (then `note` says why it is ignored).
 */
static int load_saved(const ck_cl_device *device, ck_cl_tuning *out, char *path, size_t path_capacity, char *note,
                      size_t note_capacity) {
    note[0] = '\0';
    if (!saved_path(&device->info, 0, path, path_capacity)) return 0;
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    char key[400], line[512], stored_key[512] = "", numbers[256] = "";
    device_key(&device->info, key, sizeof key);
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        if (strncmp(line, "device ", 7) == 0) snprintf(stored_key, sizeof stored_key, "%s", line + 7);
        if (strncmp(line, "tuning ", 7) == 0) snprintf(numbers, sizeof numbers, "%s", line + 7);
    }
    fclose(f);
    const char *problem = NULL;
    if (strcmp(stored_key, key) != 0)
        problem = "written for another device or driver";
    else if (!parse(numbers, 1, out))
        problem = "its tuning line is not 8 numbers";
    else
        problem = problem_of(&device->info, out);
    if (!problem) return 1;
    snprintf(note, note_capacity, "saved tuning %s ignored: %s", path, problem);
    return 0;
}

ck_status ck_opencl_save_tuning(int32_t device_index, const char *tuning, char *saved_path_out, size_t capacity) {
    const ck_cl_device *devices;
    int32_t count = ck_cl_devices(&devices);
    if (saved_path_out && capacity) saved_path_out[0] = '\0';
    if (device_index < 0 || device_index >= count)
        return ck_set_error(NULL, CK_ERR_INVALID_ARGUMENT, "ck_opencl_save_tuning: no OpenCL device %d (this machine has %d)",
                            (int)device_index, (int)count);
    const ck_device_info *info = &devices[device_index].info;
    ck_cl_tuning t;
    const char *problem = !tuning ? "the tuning is NULL" : !parse(tuning, 1, &t) ? "it is not 8 numbers" : problem_of(info, &t);
    if (problem)
        return ck_set_error(NULL, CK_ERR_INVALID_ARGUMENT,
                            "ck_opencl_save_tuning: '%s' for %s: %s; the format is "
                            "TILE_M,TILE_N,TILE_K,WORK_M,WORK_N,CONV_VEC,CONV_BLOCK,WINOGRAD",
                            tuning ? tuning : "(null)", info->name, problem);
    char path[1100], temporary[1200], key[400];
    if (!saved_path(info, 1, path, sizeof path))
        return ck_set_error(NULL, CK_ERR_IO, "ck_opencl_save_tuning: no folder to save in ($XDG_CACHE_HOME or $HOME)");
    device_key(info, key, sizeof key);
    snprintf(temporary, sizeof temporary, "%s.XXXXXX", path);
    int fd = mkstemp(temporary);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (fd >= 0 && !f) close(fd);
    int ok = f != NULL;
    if (f) {
        ok = fprintf(f, "# ConvKit kernel tuning for %s (%s, driver %s), from ck-bench --tune --save\n"
                        "device %s\ntuning %d,%d,%d,%d,%d,%d,%d,%d\n",
                     info->name, info->vendor, info->driver_version, key, t.tile_m, t.tile_n, t.tile_k, t.work_m,
                     t.work_n, t.conv_vec, t.conv_block, t.winograd) > 0 &&
             fflush(f) == 0 && fsync(fileno(f)) == 0;
        ok = fclose(f) == 0 && ok;
        ok = ok && rename(temporary, path) == 0;
        if (!ok) remove(temporary);
    }
    if (!ok) return ck_set_error(NULL, CK_ERR_IO, "ck_opencl_save_tuning: cannot write %s", path);
    if (saved_path_out && capacity) snprintf(saved_path_out, capacity, "%s", path);
    return CK_OK;
}

/* CONVKIT_CL_WINOGRAD: -1 when unset or empty (the tuning's own), 1 for on, 0 for off, n for "from n channels";
   another value fails with CK_ERR_INVALID_ARGUMENT. */
static ck_status winograd_setting(ck_context *ctx, int *out) {
    const char *text = getenv("CONVKIT_CL_WINOGRAD");
    *out = -1;
    if (!text || !text[0]) return CK_OK;
    if (strcmp(text, "on") == 0 || strcmp(text, "off") == 0) return *out = text[1] == 'n', CK_OK;
    char *end = NULL;
    long channels = strtol(text, &end, 10);
    if (isdigit((unsigned char)text[0]) && *end == '\0' && channels >= 1 && channels <= 65536)
        return *out = (int)channels, CK_OK;
    return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT,
                        "ck_context_create: CONVKIT_CL_WINOGRAD='%s'; it takes on, off, or the fewest input and output "
                        "channels of the convs that take Winograd (1...65536)",
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

/* The tuning from CONVKIT_CL_TUNING (Winograd off, split-K auto), the saved one, the table or the defaults. */
static ck_status tuning_of(ck_context *ctx, const ck_cl_device *device, ck_cl_tuning *out, char *origin,
                           size_t capacity) {
    const char *text = getenv("CONVKIT_CL_TUNING");
    if (text && text[0]) {
        ck_cl_tuning t;
        if (!parse(text, 0, &t)) t.tile_m = 0; /* malformed: check() says so */
        ck_status status = check(ctx, &device->info, &t, text);
        if (status == CK_OK) *out = t;
        snprintf(origin, capacity, "tuning from CONVKIT_CL_TUNING");
        return status;
    }
    char path[1100], note[1300];
    if (load_saved(device, out, path, sizeof path, note, sizeof note)) {
        snprintf(origin, capacity, "saved tuning %s", path);
        return CK_OK;
    }
    const char *source = (device->type & CL_DEVICE_TYPE_CPU) ? "the CPU defaults" : "the GPU defaults";
    *out = (device->type & CL_DEVICE_TYPE_CPU) ? cpu_default : gpu_default;
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        if (contains(device->info.vendor, table[i].vendor) && contains(device->info.name, table[i].device)) {
            *out = table[i].tuning;
            source = "the tuning table";
            break;
        }
    }
    snprintf(origin, capacity, "tuning from %s%s%s", source, note[0] ? "; " : "", note);
    return CK_OK;
}

ck_status ck_cl_tuning_for(ck_context *ctx, const ck_cl_device *device, ck_cl_tuning *out, char *origin,
                           size_t capacity) {
    int winograd, split_k;
    ck_status status = winograd_setting(ctx, &winograd);
    if (status == CK_OK) status = split_k_setting(ctx, &split_k);
    if (status == CK_OK) status = tuning_of(ctx, device, out, origin, capacity);
    if (status == CK_OK && winograd >= 0) out->winograd = winograd;
    if (status == CK_OK && split_k >= 0) out->split_k = split_k;
    return status;
}

void ck_cl_tuning_describe(const ck_cl_tuning *t, char *out, size_t capacity) {
    char split[24] = "auto", winograd[40] = "off";
    if (t->split_k > 0) snprintf(split, sizeof split, "%d", t->split_k);
    if (t->winograd == 1) snprintf(winograd, sizeof winograd, "on");
    if (t->winograd > 1) snprintf(winograd, sizeof winograd, "from %d channels", t->winograd);
    if (t->conv_vec)
        snprintf(out, capacity, "tiles %dx%dx%d/%dx%d, direct conv %d x %d, winograd %s, split-K %s", t->tile_m,
                 t->tile_n, t->tile_k, t->work_m, t->work_n, t->conv_vec, t->conv_block, winograd, split);
    else
        snprintf(out, capacity, "tiles %dx%dx%d/%dx%d, implicit-GEMM conv, split-K %s", t->tile_m, t->tile_n,
                 t->tile_k, t->work_m, t->work_n, split);
}
