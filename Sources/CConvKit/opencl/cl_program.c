/*
 * cl_program.c — building the backend's programs on first use and caching
 * them (and their kernels) per context; see cl_program.h.
 */
#include "opencl/cl_backend.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/** The helpers of Kernels/common/, in front of every program, in this order. */
static const char *const common_files[] = {"common/common.cl", "common/tiled_gemm.cl"};
#define COMMON_FILE_COUNT ((int)(sizeof common_files / sizeof common_files[0]))

#define STRING(x) #x
#define DEFINE(name, value) " -D" name "=" STRING(value)
#define TILES DEFINE("TILE_M", CK_CL_TILE_M) DEFINE("TILE_N", CK_CL_TILE_N) DEFINE("TILE_K", CK_CL_TILE_K) \
    DEFINE("WORK_M", CK_CL_WORK_M) DEFINE("WORK_N", CK_CL_WORK_N)

/** Each program: its family file and build options (the kernels' -D defines; see each file's header). */
static const struct {
    const char *file;
    const char *options;
} programs[CK_CL_PROGRAM_COUNT] = {
    [CK_CL_PROGRAM_ELEMENTWISE] = {"elementwise.cl", "-cl-std=CL1.2"},
    [CK_CL_PROGRAM_GEMM] = {"gemm.cl", "-cl-std=CL1.2" TILES},
    [CK_CL_PROGRAM_CONV2D] = {"conv2d.cl", "-cl-std=CL1.2" TILES},
    [CK_CL_PROGRAM_POOL2D] = {"pool2d.cl", "-cl-std=CL1.2"},
    [CK_CL_PROGRAM_BATCHNORM] = {"batchnorm.cl", "-cl-std=CL1.2" DEFINE("GROUP", CK_CL_DEFAULT_GROUP)},
    [CK_CL_PROGRAM_OPTIM] = {"optim.cl", "-cl-std=CL1.2"},
};

/* FNV-1a, 64 bits, continued from `hash`. */
static uint64_t fnv1a(uint64_t hash, const char *text) {
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) hash = (hash ^ *p) * 0x100000001b3ull;
    return hash;
}

/* Records a build failure with the op, file, device and as much of the build log as fits. */
static ck_status build_failed(ck_backend *backend, const char *op, const char *file, cl_program program,
                              cl_int code) {
    ck_cl_state *state = ck_cl(backend);
    char log[640] = "";
    size_t size = 0;
    if (clGetProgramBuildInfo(program, state->device, CL_PROGRAM_BUILD_LOG, 0, NULL, &size) == CL_SUCCESS && size) {
        char *full = malloc(size + 1);
        if (full && clGetProgramBuildInfo(program, state->device, CL_PROGRAM_BUILD_LOG, size, full, NULL) ==
                        CL_SUCCESS) {
            full[size] = '\0';
            snprintf(log, sizeof log, "%s", full);
        }
        free(full);
    }
    return ck_set_error(backend->ctx, CK_ERR_DEVICE, "%s: cannot build OpenCL program Kernels/%s (%s) on %s; build log: %s",
                        op, file, ck_cl_error_name(code), backend->description, log[0] ? log : "(empty)");
}

/* Loads the sources of `id`: common files then the family file. Fills texts[] (malloc'd). */
static ck_status load_sources(ck_backend *backend, const char *op, ck_cl_program_id id,
                              char *texts[COMMON_FILE_COUNT + 1]) {
    ck_status status = CK_OK;
    for (int i = 0; i <= COMMON_FILE_COUNT && status == CK_OK; i++)
        status = ck_cl_load_source(backend, op, i < COMMON_FILE_COUNT ? common_files[i] : programs[id].file, &texts[i]);
    return status;
}

/* Finds or builds the cache entry of program `id` for the current sources. */
static ck_status get_program(ck_backend *backend, const char *op, ck_cl_program_id id, ck_cl_program_entry **out) {
    ck_cl_state *state = ck_cl(backend);
    char *texts[COMMON_FILE_COUNT + 1] = {0};
    ck_status status = load_sources(backend, op, id, texts);
    uint64_t hash = 0xcbf29ce484222325ull;
    for (int i = 0; i <= COMMON_FILE_COUNT && status == CK_OK; i++) hash = fnv1a(hash, texts[i]);

    char options[CK_CL_MAX_OPTIONS];
    snprintf(options, sizeof options, "%s%s", programs[id].options, state->device_options);
    ck_cl_program_cache *cache = &state->programs;
    for (int i = 0; i < cache->count && status == CK_OK && !*out; i++) {
        ck_cl_program_entry *e = &cache->entries[i];
        if (e->device == state->device && e->source_hash == hash && strcmp(e->options, options) == 0) *out = e;
    }
    if (status == CK_OK && !*out) {
        if (cache->count == CK_CL_MAX_PROGRAMS) {
            status = ck_set_error(backend->ctx, CK_ERR_INTERNAL, "%s: the program cache is full (%d programs)", op,
                                  CK_CL_MAX_PROGRAMS);
        } else {
            cl_int code;
            cl_program program = clCreateProgramWithSource(state->context, COMMON_FILE_COUNT + 1,
                                                           (const char **)texts, NULL, &code);
            if (code != CL_SUCCESS) {
                status = ck_cl_fail(backend, op, "clCreateProgramWithSource", code);
            } else if ((code = clBuildProgram(program, 1, &state->device, options, NULL, NULL)) != CL_SUCCESS) {
                status = build_failed(backend, op, programs[id].file, program, code);
                clReleaseProgram(program);
            } else {
                ck_cl_program_entry *e = &cache->entries[cache->count++];
                memset(e, 0, sizeof *e);
                e->device = state->device;
                e->source_hash = hash;
                snprintf(e->options, sizeof e->options, "%s", options);
                e->program = program;
                *out = e;
            }
        }
    }
    for (int i = 0; i <= COMMON_FILE_COUNT; i++) free(texts[i]);
    return status;
}

ck_status ck_cl_get_kernel(ck_backend *backend, const char *op, ck_cl_program_id id, const char *name,
                           cl_kernel *out_kernel) {
    ck_cl_program_cache *cache = &ck_cl(backend)->programs;
    ck_cl_program_entry *entry = cache->current[id];
    if (!entry) {
        ck_status status = get_program(backend, op, id, &entry);
        if (status != CK_OK) return status;
        cache->current[id] = entry;
    }
    for (int i = 0; i < entry->kernel_count; i++) {
        if (strcmp(entry->kernels[i].name, name) == 0) {
            *out_kernel = entry->kernels[i].kernel;
            return CK_OK;
        }
    }
    if (entry->kernel_count == CK_CL_MAX_KERNELS)
        return ck_set_error(backend->ctx, CK_ERR_INTERNAL, "%s: Kernels/%s hands out more than %d kernels", op,
                            programs[id].file, CK_CL_MAX_KERNELS);
    cl_int code;
    cl_kernel kernel = clCreateKernel(entry->program, name, &code);
    if (code != CL_SUCCESS) return ck_cl_fail(backend, op, name, code);
    ck_cl_kernel_entry *k = &entry->kernels[entry->kernel_count++];
    snprintf(k->name, sizeof k->name, "%s", name);
    k->kernel = kernel;
    *out_kernel = kernel;
    return CK_OK;
}

void ck_cl_program_cache_clear(ck_cl_program_cache *cache) {
    for (int i = 0; i < cache->count; i++) {
        ck_cl_program_entry *e = &cache->entries[i];
        for (int k = 0; k < e->kernel_count; k++) clReleaseKernel(e->kernels[k].kernel);
        clReleaseProgram(e->program);
    }
    memset(cache, 0, sizeof *cache);
}
