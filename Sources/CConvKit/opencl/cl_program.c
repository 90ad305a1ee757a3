/*
 * cl_program.c — building the backend's programs on first use and caching
 * them (and their kernels) per context and on disk; see cl_program.h.
 */
#include "opencl/cl_backend.h"
#include "opencl/cl_disk_cache.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/** The helpers of Kernels/common/, in front of every program, in this order. */
static const char *const common_files[] = {"common/common.cl", "common/tiled_gemm.cl", "common/vector.cl"};
#define COMMON_FILE_COUNT ((int)(sizeof common_files / sizeof common_files[0]))
/** Most source files of a program: the common files, conv_geometry.cl, sum_partials.cl and the family file. */
#define MAX_FILES (COMMON_FILE_COUNT + 3)

/**
 * What a program takes beyond the common files: the tuning's defines (each file's header lists them), the conv
 * geometry, the sum of backward-weights partials.
 */
enum { TILES = 1, GROUP = 2, CONV_VEC = 4, CONV_GEOMETRY = 8, PARTIALS = 16 };

static const struct {
    const char *file;
    int needs;
} programs[CK_CL_PROGRAM_COUNT] = {
    [CK_CL_PROGRAM_ELEMENTWISE] = {"elementwise.cl", 0},
    [CK_CL_PROGRAM_GEMM] = {"gemm.cl", TILES | CONV_VEC},
    [CK_CL_PROGRAM_CONV2D] = {"conv2d.cl", TILES | CONV_GEOMETRY | PARTIALS},
    [CK_CL_PROGRAM_CONV2D_DIRECT] = {"conv2d_direct.cl", CONV_VEC | CONV_GEOMETRY | PARTIALS},
    [CK_CL_PROGRAM_CONV2D_WINOGRAD] = {"conv2d_winograd.cl", CONV_VEC | CONV_GEOMETRY},
    [CK_CL_PROGRAM_CONV2D_DEPTHWISE] = {"conv2d_depthwise.cl", CONV_VEC | CONV_GEOMETRY | PARTIALS},
    [CK_CL_PROGRAM_POOL2D] = {"pool2d.cl", CONV_VEC},
    [CK_CL_PROGRAM_BATCHNORM] = {"batchnorm.cl", GROUP | CONV_VEC},
    [CK_CL_PROGRAM_OPTIM] = {"optim.cl", 0},
    [CK_CL_PROGRAM_REDUCE] = {"reduce.cl", GROUP},
    [CK_CL_PROGRAM_LOSS] = {"loss.cl", GROUP},
    [CK_CL_PROGRAM_DROPOUT] = {"dropout.cl", 0},
};

/* The source files of program `id`, in order; returns their count. */
static int source_files(ck_cl_program_id id, const char *files[MAX_FILES]) {
    int count = 0;
    for (int i = 0; i < COMMON_FILE_COUNT; i++) files[count++] = common_files[i];
    if (programs[id].needs & CONV_GEOMETRY) files[count++] = "common/conv_geometry.cl";
    if (programs[id].needs & PARTIALS) files[count++] = "common/sum_partials.cl";
    files[count++] = programs[id].file;
    return count;
}

/* The build options of program `id` on this context's device. */
static void build_options(const ck_cl_state *state, ck_cl_program_id id, int inject_fault, char *out, size_t capacity) {
    const ck_cl_tuning *t = &state->tuning;
    int defines = programs[id].needs;
    size_t used = (size_t)snprintf(out, capacity, "-cl-std=CL1.2%s", state->device_options);
    if (defines & TILES)
        used += (size_t)snprintf(out + used, capacity - used, " -DTILE_M=%d -DTILE_N=%d -DTILE_K=%d -DWORK_M=%d -DWORK_N=%d",
                                 t->tile_m, t->tile_n, t->tile_k, t->work_m, t->work_n);
    if (defines & CONV_VEC)
        used += (size_t)snprintf(out + used, capacity - used, " -DCONV_VEC=%d -DCONV_BLOCK=%d", t->conv_vec,
                                 t->conv_block);
    if (defines & GROUP) used += (size_t)snprintf(out + used, capacity - used, " -DGROUP=%d", CK_CL_DEFAULT_GROUP);
    if (inject_fault) snprintf(out + used, capacity - used, " -DCK_INJECTED_BUILD_FAULT");
}

/* FNV-1a, 64 bits, continued from `hash`. */
static uint64_t fnv1a(uint64_t hash, const char *text) {
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) hash = (hash ^ *p) * 0x100000001b3ull;
    return hash;
}

/* Records a build failure with the op, file, device and as much of the build log as fits. */
static ck_status build_failed(ck_backend *backend, const char *op, const char *file, cl_program program, cl_int code,
                              int injected) {
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
    return ck_set_error(backend->ctx, CK_ERR_DEVICE,
                        "%s: cannot build OpenCL program Kernels/%s (%s) on %s%s; build log: %s", op, file,
                        ck_cl_error_name(code), backend->device,
                        injected ? " (a failure injected by CONVKIT_FAULT)" : "", log[0] ? log : "(empty)");
}

/* Loads the sources of `id` into texts[] (malloc'd); sets *count. */
static ck_status load_sources(ck_backend *backend, const char *op, ck_cl_program_id id, char *texts[MAX_FILES],
                              int *count) {
    const char *files[MAX_FILES];
    *count = source_files(id, files);
    ck_status status = CK_OK;
    for (int i = 0; i < *count && status == CK_OK; i++) status = ck_cl_load_source(backend, op, files[i], &texts[i]);
    return status;
}

/* The on-disk cache key of a program: the device, its driver, the sources' hash and the options. */
static void cache_key(const ck_cl_state *state, uint64_t hash, const char *options, char *out, size_t capacity) {
    const ck_cl_device *d = state->info;
    snprintf(out, capacity, "device: %s\nvendor: %s\nversion: %s\nplatform: %s\ndriver: %s\nsources: %016llx\noptions: %s\n",
             d->info.name, d->info.vendor, d->full_version, d->info.platform, d->info.driver_version,
             (unsigned long long)hash, options);
}

/* Builds program `id` from `texts` (or loads it from the disk cache); *out is NULL on failure (message set). */
static ck_status build(ck_backend *backend, const char *op, ck_cl_program_id id, char **texts, int count,
                       uint64_t hash, const char *options, int injected, cl_program *out) {
    ck_cl_state *state = ck_cl(backend);
    char key[1024];
    cache_key(state, hash, options, key, sizeof key);
    const char *dir = injected ? "" : state->cache_dir;
    *out = ck_cl_disk_cache_load(state, dir, key, options);
    if (*out) return CK_OK;
    cl_int code;
    cl_program program = clCreateProgramWithSource(state->context, (cl_uint)count, (const char **)texts, NULL, &code);
    if (code != CL_SUCCESS) return ck_cl_fail(backend, op, "clCreateProgramWithSource", code);
    if ((code = clBuildProgram(program, 1, &state->device, options, NULL, NULL)) != CL_SUCCESS) {
        ck_status status = build_failed(backend, op, programs[id].file, program, code, injected);
        clReleaseProgram(program);
        return status;
    }
    ck_cl_disk_cache_store(dir, key, program);
    *out = program;
    return CK_OK;
}

/* Finds or builds the cache entry of program `id` for the current sources. */
static ck_status get_program(ck_backend *backend, const char *op, ck_cl_program_id id, ck_cl_program_entry **out) {
    ck_cl_state *state = ck_cl(backend);
    char *texts[MAX_FILES] = {0};
    int count = 0;
    ck_status status = load_sources(backend, op, id, texts, &count);
    uint64_t hash = 0xcbf29ce484222325ull;
    for (int i = 0; i < count && status == CK_OK; i++) hash = fnv1a(hash, texts[i]);

    int injected = status == CK_OK && ck_fault_take(&backend->ctx->fault, CK_FAULT_BUILD, op, 0);
    char options[CK_CL_MAX_OPTIONS];
    build_options(state, id, injected, options, sizeof options);
    ck_cl_program_cache *cache = &state->programs;
    for (int i = 0; i < cache->count && status == CK_OK && !*out; i++) {
        ck_cl_program_entry *e = &cache->entries[i];
        if (e->device == state->device && e->source_hash == hash && strcmp(e->options, options) == 0) *out = e;
    }
    if (status == CK_OK && !*out) {
        cl_program program = NULL;
        if (cache->count == CK_CL_MAX_PROGRAMS)
            status = ck_set_error(backend->ctx, CK_ERR_INTERNAL, "%s: the program cache is full (%d programs)", op,
                                  CK_CL_MAX_PROGRAMS);
        else
            status = build(backend, op, id, texts, count, hash, options, injected, &program);
        if (status == CK_OK) {
            ck_cl_program_entry *e = &cache->entries[cache->count++];
            memset(e, 0, sizeof *e);
            e->device = state->device;
            e->source_hash = hash;
            snprintf(e->options, sizeof e->options, "%s", options);
            e->program = program;
            *out = e;
        }
    }
    for (int i = 0; i < MAX_FILES; i++) free(texts[i]);
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
