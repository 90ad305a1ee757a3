/*
 * suite_device_runtime.c — the OpenCL runtime beyond ops (part of the
 * "device" suite):
 *  - ck_context_memory_stats: the CPU and reference backends report zeros;
 *    on OpenCL a freed buffer goes to the pool and serves the next request
 *    of its size class;
 *  - the program cache on disk (XDG_CACHE_HOME pointed at a temporary
 *    folder): a built program is stored, a new context loads it without
 *    writing it again, a corrupt entry is ignored and written again, and
 *    CONVKIT_PROGRAM_CACHE=off writes nothing;
 *  - ck_opencl_device_info and ck_context_describe give each device's limits;
 *  - CONVKIT_CL_TUNING: another tiling (the implicit-GEMM conv) computes the
 *    same convolution; an impossible one, like an unknown op in
 *    CONVKIT_OPENCL_FALLBACK, a CONVKIT_CL_WINOGRAD other than on or off or a
 *    CONVKIT_CL_SPLIT_K other than auto or 1...1024, is refused with a clear
 *    message;
 *  - saved tunings (ck_opencl_save_tuning, what ck-bench --tune --save
 *    calls): new contexts take them, CONVKIT_CL_TUNING comes first, damaged
 *    or foreign files are ignored with a note in the description;
 *  - conv2d backward-weights on tall images, which the OpenCL direct kernel
 *    splits over the batch (every backend computes it; checked against the reference).
 */
#define _POSIX_C_SOURCE 200809L /* mkdtemp */
#include "device_support.h"
#include "suites.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void check_memory_stats(ckt_run *run) {
    ckt_case(run, "ck_context_memory_stats: freed buffers are pooled and reused");
    ck_memory_stats before, pooled, reused;
    ck_buffer *a = NULL, *b = NULL;
    if (!ckt_expect_ok(run, ck_context_memory_stats(run->ctx, &before), run->ctx, "ck_context_memory_stats")) return;
    ckt_expect_status(run, ck_context_memory_stats(run->ctx, NULL), CK_ERR_INVALID_ARGUMENT, run->ctx,
                      "ck_context_memory_stats(NULL)");
    if (!ckt_expect_ok(run, ck_buffer_create(run->ctx, 100000, &a), run->ctx, "ck_buffer_create")) return;
    ck_buffer_destroy(a);
    ck_context_memory_stats(run->ctx, &pooled);
    /* 110000 bytes: the same size class as 100000 (both round up to 114688) */
    if (!ckt_expect_ok(run, ck_buffer_create(run->ctx, 110000, &b), run->ctx, "ck_buffer_create")) return;
    ck_context_memory_stats(run->ctx, &reused);
    ck_buffer_destroy(b);
    if (run->backend != CK_BACKEND_OPENCL) {
        ckt_expect(run, reused.live_bytes == 0 && reused.pooled_bytes == 0 && reused.device_allocations == 0,
                   "the %s backend reports device memory", ck_backend_name(run->backend));
        return;
    }
    ckt_expect(run, pooled.pooled_bytes >= before.pooled_bytes + 100000 && pooled.live_bytes == before.live_bytes,
               "after freeing 100000 bytes: pooled %llu -> %llu, live %llu -> %llu",
               (unsigned long long)before.pooled_bytes, (unsigned long long)pooled.pooled_bytes,
               (unsigned long long)before.live_bytes, (unsigned long long)pooled.live_bytes);
    ckt_expect(run, reused.pool_reuses == pooled.pool_reuses + 1 &&
                        reused.device_allocations == pooled.device_allocations &&
                        reused.pooled_bytes < pooled.pooled_bytes && reused.live_bytes >= 110000,
               "a 110000-byte buffer after freeing 100000 bytes: reuses %llu -> %llu, device allocations %llu -> %llu",
               (unsigned long long)pooled.pool_reuses, (unsigned long long)reused.pool_reuses,
               (unsigned long long)pooled.device_allocations, (unsigned long long)reused.device_allocations);
}

/** Fills a 64-element tensor on a new OpenCL context made under `env`; 1 when it ran right. */
static int fill_on_new_context(ckt_run *run, const ckt_env *env, int count) {
    ck_context *ctx = ckt_context_with_env(run, CK_BACKEND_OPENCL, env, count);
    const int64_t n = 64;
    ckt_tensor *y = ctx ? ckt_new(run, ctx, CK_F32, 1, &n) : NULL;
    int ok = 0;
    if (y && ckt_expect_ok(run, ck_fill(ctx, 0.25f, &y->t), ctx, "fill")) {
        double values[64];
        ckt_read(y, values);
        ok = 1;
        for (int i = 0; i < 64; i++) ok &= values[i] == 0.25;
        ckt_expect(run, ok, "fill wrote wrong values");
    }
    ckt_free(y);
    ck_context_destroy(ctx);
    return ok;
}

/** The one .clbin file in dir (path into `path`), its inode and size; 0 when there is not exactly one. */
static int cache_entry(const char *dir, char *path, size_t capacity, ino_t *inode, off_t *size) {
    DIR *d = opendir(dir);
    int found = 0;
    for (struct dirent *e; d && (e = readdir(d)) != NULL;) {
        size_t length = strlen(e->d_name);
        if (length < 6 || strcmp(e->d_name + length - 6, ".clbin") != 0) continue;
        snprintf(path, capacity, "%s/%s", dir, e->d_name);
        found++;
    }
    if (d) closedir(d);
    struct stat info;
    if (found != 1 || stat(path, &info) != 0) return 0;
    *inode = info.st_ino;
    *size = info.st_size;
    return 1;
}

/** Removes dir's files, then dir. */
static void remove_tree(const char *dir) {
    DIR *d = opendir(dir);
    for (struct dirent *e; d && (e = readdir(d)) != NULL;) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (e->d_name[0] != '.') remove(path);
    }
    if (d) closedir(d);
    rmdir(dir);
}

static void check_disk_cache(ckt_run *run) {
    ckt_case(run, "the program cache on disk: stored, loaded, a corrupt entry rebuilt, off writes nothing");
    char home[] = "/tmp/convkit-cache-XXXXXX", dir[600], path[800];
    if (!ckt_expect(run, mkdtemp(home) != NULL, "cannot make a temporary folder")) return;
    snprintf(dir, sizeof dir, "%s/convkit", home);
    const ckt_env on[] = {{"XDG_CACHE_HOME", home}, {"CONVKIT_PROGRAM_CACHE", NULL}, {"CONVKIT_KERNEL_DIR", NULL}};
    ino_t inode = 0, again = 0;
    off_t size = 0, again_size = 0;
    if (fill_on_new_context(run, on, 3) &&
        ckt_expect(run, cache_entry(dir, path, sizeof path, &inode, &size), "no single program file in %s", dir) &&
        fill_on_new_context(run, on, 3) && cache_entry(dir, path, sizeof path, &again, &again_size))
        ckt_expect(run, again == inode, "a second context wrote the cached program again instead of loading it");

    FILE *f = fopen(path, "r+b"); /* corrupt the entry: a byte in the middle of the binary */
    if (ckt_expect(run, f != NULL, "cannot open %s", path)) {
        fseek(f, (long)size / 2, SEEK_SET);
        int c = fgetc(f);
        fseek(f, (long)size / 2, SEEK_SET);
        fputc(c ^ 0x5a, f);
        fclose(f);
    }
    if (fill_on_new_context(run, on, 3) && cache_entry(dir, path, sizeof path, &again, &again_size))
        ckt_expect(run, again != inode && again_size == size, "the corrupt entry was not written again");
    remove_tree(dir);

    const ckt_env off[] = {{"XDG_CACHE_HOME", home}, {"CONVKIT_PROGRAM_CACHE", "off"}, {"CONVKIT_KERNEL_DIR", NULL}};
    struct stat info;
    if (fill_on_new_context(run, off, 3))
        ckt_expect(run, stat(dir, &info) != 0, "CONVKIT_PROGRAM_CACHE=off still made %s", dir);
    remove_tree(dir);
    rmdir(home);
}

static void check_device_info(ckt_run *run) {
    ckt_case(run, "ck_opencl_device_info and ck_context_describe give the device's limits");
    ck_device_info info;
    int32_t count = ck_opencl_device_count();
    for (int32_t i = 0; i < count; i++) {
        if (!ckt_expect_ok(run, ck_opencl_device_info(i, &info), NULL, "ck_opencl_device_info")) continue;
        ckt_expect(run, info.name[0] && info.type[0] && strncmp(info.version, "OpenCL ", 7) == 0 &&
                            info.compute_units > 0 && info.global_memory_bytes > 0 && info.local_memory_bytes > 0 &&
                            info.max_allocation_bytes > 0 && info.max_work_group_size > 0,
                   "device %d: implausible info (name '%s', version '%s', %d compute units)", (int)i, info.name,
                   info.version, (int)info.compute_units);
    }
    ckt_expect_status(run, ck_opencl_device_info(count, &info), CK_ERR_INVALID_ARGUMENT, NULL,
                      "ck_opencl_device_info(count)");
    ckt_expect_status(run, ck_opencl_device_info(0, NULL), CK_ERR_INVALID_ARGUMENT, NULL, "ck_opencl_device_info(NULL)");
    if (run->backend == CK_BACKEND_OPENCL)
        ckt_expect(run, strstr(ck_context_describe(run->ctx), "compute units") != NULL,
                   "ck_context_describe gives no limits: %s", ck_context_describe(run->ctx));
}

/** conv2d forward of seeded data on ctx and on the reference: 1 when they agree to 1e-5. */
static int conv_agrees(ckt_run *run, ck_context *ctx) {
    const int64_t x_dims[4] = {2, 5, 9, 7}, w_dims[4] = {6, 5, 3, 3}, y_dims[4] = {2, 6, 9, 7};
    ckt_tensor *x = ckt_new(run, ctx, CK_F32, 4, x_dims), *w = ckt_new(run, ctx, CK_F32, 4, w_dims);
    ckt_tensor *y = ckt_new(run, ctx, CK_F32, 4, y_dims), *yr = ckt_new(run, run->ref, CK_F32, 4, y_dims);
    ckt_tensor *xr = NULL, *wr = NULL;
    ck_conv2d_params params = ck_conv2d_params_default();
    params.pad_top = params.pad_bottom = params.pad_left = params.pad_right = 1;
    int ok = 0;
    if (x && w && y && yr) {
        ckt_fill_uniform(x, 21, -1.0, 1.0);
        ckt_fill_uniform(w, 22, -1.0, 1.0);
        xr = ckt_clone_to(run, x, run->ref, CK_F32);
        wr = ckt_clone_to(run, w, run->ref, CK_F32);
        if (xr && wr && ckt_expect_ok(run, ck_conv2d_forward(ctx, &params, &x->t, &w->t, NULL, &y->t), ctx, "conv2d") &&
            ckt_expect_ok(run, ck_conv2d_forward(run->ref, &params, &xr->t, &wr->t, NULL, &yr->t), run->ref, "conv2d")) {
            double got[756], want[756];
            ckt_read(y, got);
            ckt_read(yr, want);
            ok = ckt_expect_close(run, "conv2d y", got, want, 756, 1e-5, 1e-5);
        }
    }
    ckt_free(x), ckt_free(w), ckt_free(y), ckt_free(yr), ckt_free(xr), ckt_free(wr);
    return ok;
}

/**
 * conv2d backward-weights on run->ctx against the reference for x (4, 3, 260,
 * 9), 3x3, padding 1, beta 1: tall images, so the direct kernel splits the
 * batch into chunks and adds their partial sums (cl_conv_direct.c).
 */
static void check_split_backward_weights(ckt_run *run) {
    ckt_case(run, "conv2d backward-weights split over the batch (x 4x3x260x9, 3x3, beta 1)");
    const int64_t x_dims[4] = {4, 3, 260, 9}, dy_dims[4] = {4, 5, 260, 9}, w_dims[4] = {5, 3, 3, 3};
    ckt_tensor *x = ckt_new(run, run->ctx, CK_F32, 4, x_dims), *dy = ckt_new(run, run->ctx, CK_F32, 4, dy_dims);
    ckt_tensor *dw = ckt_new(run, run->ctx, CK_F32, 4, w_dims), *xr = NULL, *dyr = NULL, *dwr = NULL;
    ckt_tensor *x_abs = NULL, *dy_abs = NULL, *bound = NULL;
    ck_conv2d_params params = ck_conv2d_params_default();
    params.pad_top = params.pad_bottom = params.pad_left = params.pad_right = 1;
    if (x && dy && dw) {
        ckt_fill_uniform(x, 31, -1.0, 1.0);
        ckt_fill_uniform(dy, 32, -1.0, 1.0);
        ckt_fill_uniform(dw, 33, -1.0, 1.0);
        xr = ckt_clone_to(run, x, run->ref, CK_F32);
        dyr = ckt_clone_to(run, dy, run->ref, CK_F32);
        dwr = ckt_clone_to(run, dw, run->ref, CK_F32);
        x_abs = ckt_abs_clone_to(run, x, run->ref, CK_F32);
        dy_abs = ckt_abs_clone_to(run, dy, run->ref, CK_F32);
        bound = ckt_abs_clone_to(run, dw, run->ref, CK_F32);
    }
    if (xr && dyr && dwr && x_abs && dy_abs && bound &&
        ckt_expect_ok(run, ck_conv2d_backward_weights(run->ctx, &params, &x->t, &dy->t, 1.0f, &dw->t, NULL), run->ctx,
                      "conv2d_backward_weights") &&
        ckt_expect_ok(run, ck_conv2d_backward_weights(run->ref, &params, &xr->t, &dyr->t, 1.0f, &dwr->t, NULL),
                      run->ref, "conv2d_backward_weights") &&
        ckt_expect_ok(run, ck_conv2d_backward_weights(run->ref, &params, &x_abs->t, &dy_abs->t, 1.0f, &bound->t, NULL),
                      run->ref, "the bound")) {
        double got[135], want[135], limit[135];
        ckt_read(dw, got);
        ckt_read(dwr, want);
        ckt_read(bound, limit);
        /* a float32 sum of 4 * 260 * 9 products, + beta * dw: the classical bound (terms + 2) u sum|terms| */
        ckt_expect_within_bound(run, "dw", got, want, limit, 135, 4.0 * 260.0 * 9.0 + 2.0, 0.0);
        ckt_check_guards(run, dw, "dw");
    }
    ckt_free(x), ckt_free(dy), ckt_free(dw), ckt_free(xr), ckt_free(dyr), ckt_free(dwr);
    ckt_free(x_abs), ckt_free(dy_abs), ckt_free(bound);
}

static void check_tuning(ckt_run *run) {
    ckt_case(run, "CONVKIT_CL_TUNING: another tiling computes the same conv; impossible ones are refused");
    const ckt_env igemm[] = {{"CONVKIT_CL_TUNING", "16,16,8,2,2,0,0"}};
    ck_context *ctx = ckt_context_with_env(run, CK_BACKEND_OPENCL, igemm, 1);
    if (ctx) {
        ckt_expect(run, strstr(ck_context_describe(ctx), "tiles 16x16x8/2x2, implicit-GEMM") != NULL,
                   "the tuning is not in the description: %s", ck_context_describe(ctx));
        conv_agrees(run, ctx);
        ck_context_destroy(ctx);
    }
    const ckt_env from_256[] = {{"CONVKIT_CL_WINOGRAD", "256"}};
    if ((ctx = ckt_context_with_env(run, CK_BACKEND_OPENCL, from_256, 1)) != NULL) {
        const char *description = ck_context_describe(ctx);
        ckt_expect(run, strstr(description, "direct conv ") == NULL || strstr(description, "winograd from 256 channels"),
                   "CONVKIT_CL_WINOGRAD=256 is not in the description: %s", description);
        ck_context_destroy(ctx);
    }
    static const char *const refused[][2] = {
        {"CONVKIT_CL_TUNING", "32,32,16,3,4,0,0"}, /* 3 does not divide 32 */
        {"CONVKIT_CL_TUNING", "32,32"},            /* malformed */
        {"CONVKIT_CL_TUNING", "32,32,16,4,4,5,8"}, /* vector width 5 */
        {"CONVKIT_OPENCL_FALLBACK", "reduce_sum,no_such_op"},
        {"CONVKIT_CL_WINOGRAD", "yes"}, /* on, off, or channels 1...65536 */
        {"CONVKIT_CL_WINOGRAD", "0"},
        {"CONVKIT_CL_WINOGRAD", "65537"},
        {"CONVKIT_CL_SPLIT_K", "0"},    /* auto or 1...1024 slices */
        {"CONVKIT_CL_SPLIT_K", "1025"},
        {"CONVKIT_CL_SPLIT_K", "-2"},
        {"CONVKIT_CL_SPLIT_K", "3x"},
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        const ckt_env env[] = {{refused[i][0], refused[i][1]}};
        char *saved[1];
        ckt_env_apply(env, 1, saved);
        ck_context_options options;
        ck_context_options_init(&options);
        options.backend = CK_BACKEND_OPENCL;
        ck_context *bad = NULL;
        ck_status status = ck_context_create(&options, &bad);
        ckt_env_restore(env, 1, saved);
        if (ckt_expect_status(run, status, CK_ERR_INVALID_ARGUMENT, NULL, refused[i][1])) {
            const char *const texts[] = {refused[i][0]};
            ckt_expect_message(run, NULL, texts, 1);
        }
        ck_context_destroy(bad);
    }
}

/** The text of the one file in `dir` into `text` (capacity bytes), its path into `path`; 0 when there is not exactly one. */
static int single_file(const char *dir, char *path, size_t path_capacity, char *text, size_t capacity) {
    DIR *d = opendir(dir);
    int files = 0;
    for (struct dirent *e; d && (e = readdir(d)) != NULL;)
        if (e->d_name[0] != '.' && files++ == 0) snprintf(path, path_capacity, "%s/%s", dir, e->d_name);
    if (d) closedir(d);
    FILE *f = files == 1 ? fopen(path, "r") : NULL;
    size_t length = f ? fread(text, 1, capacity - 1, f) : 0;
    if (f) fclose(f);
    text[length] = '\0';
    return files == 1 && length > 0;
}

/** A context's description contains `part`. */
static void expect_described(ckt_run *run, ck_context *ctx, const char *part, const char *what) {
    ckt_expect(run, strstr(ck_context_describe(ctx), part) != NULL, "%s: '%s' is not in the description: %s", what,
               part, ck_context_describe(ctx));
}

/**
 * ck_opencl_save_tuning (what ck-bench --tune --save calls): the saved tuning
 * is what new contexts on the device take (and say so), it computes the same
 * conv, CONVKIT_CL_TUNING still comes first, an impossible tuning is refused
 * and leaves the file alone, and a damaged or another device's file is
 * ignored with a note in the description.
 */
static void check_saved_tuning(ckt_run *run) {
    ckt_case(run, "saved tuning: taken by new contexts, overridden by CONVKIT_CL_TUNING, damaged files ignored");
    char home[] = "/tmp/convkit-tuning-XXXXXX", dir[600], path[900], text[2048], written[900] = "";
    if (!ckt_expect(run, mkdtemp(home) != NULL, "cannot make a temporary folder")) return;
    snprintf(dir, sizeof dir, "%s/convkit/tuning", home);
    char *saved_env[1];
    const ckt_env cache[] = {{"XDG_CACHE_HOME", home}};
    ckt_env_apply(cache, 1, saved_env);
    int ok = ckt_expect_ok(run, ck_opencl_save_tuning(0, "16,16,8,2,2,0,0,0", written, sizeof written), NULL, "save") &&
             ckt_expect(run, single_file(dir, path, sizeof path, text, sizeof text), "no single file in %s", dir) &&
             ckt_expect(run, strcmp(path, written) == 0, "saved to %s, reported %s", path, written) &&
             ckt_expect(run, strstr(text, "tuning 16,16,8,2,2,0,0,0") != NULL, "the file holds: %s", text);
    ckt_env_restore(cache, 1, saved_env);
    const ckt_env with_file[] = {{"XDG_CACHE_HOME", home}, {"CONVKIT_CL_TUNING", NULL}};
    ck_context *ctx = ok ? ckt_context_with_env(run, CK_BACKEND_OPENCL, with_file, 2) : NULL;
    if (ctx) {
        expect_described(run, ctx, "tiles 16x16x8/2x2, implicit-GEMM", "the saved tuning");
        expect_described(run, ctx, "saved tuning", "the saved tuning");
        conv_agrees(run, ctx);
        ck_context_destroy(ctx);
    }
    const ckt_env env_first[] = {{"XDG_CACHE_HOME", home}, {"CONVKIT_CL_TUNING", "32,32,16,4,4,0,0"}};
    if ((ctx = ckt_context_with_env(run, CK_BACKEND_OPENCL, env_first, 2)) != NULL) {
        expect_described(run, ctx, "tiles 32x32x16/4x4, implicit-GEMM conv, split-K auto (tuning from CONVKIT_CL_TUNING)",
                         "CONVKIT_CL_TUNING first");
        ck_context_destroy(ctx);
    }

    ckt_env_apply(cache, 1, saved_env);
    ckt_expect_status(run, ck_opencl_save_tuning(0, "16,16,8,3,2,0,0,0", NULL, 0), CK_ERR_INVALID_ARGUMENT, NULL,
                      "an impossible tuning (3 does not divide 16)");
    ckt_expect_status(run, ck_opencl_save_tuning(0, "16,16,8", NULL, 0), CK_ERR_INVALID_ARGUMENT, NULL, "3 numbers");
    ckt_expect_status(run, ck_opencl_save_tuning(99, "16,16,8,2,2,0,0,0", NULL, 0), CK_ERR_INVALID_ARGUMENT, NULL,
                      "device 99");
    char after[2048];
    if (single_file(dir, path, sizeof path, after, sizeof after))
        ckt_expect(run, strcmp(after, text) == 0, "a refused save changed the saved file");
    ckt_env_restore(cache, 1, saved_env);

    static const char *const damaged[] = {
        "device someone else|a GPU|1.0\ntuning 16,16,8,2,2,0,0,0\n", /* another device */
        "garbage\n",                                                   /* no device, no tuning */
    };
    for (size_t i = 0; i < sizeof damaged / sizeof damaged[0]; i++) {
        FILE *f = fopen(path, "w");
        if (!ckt_expect(run, f != NULL, "cannot write %s", path)) break;
        fputs(damaged[i], f);
        fclose(f);
        if ((ctx = ckt_context_with_env(run, CK_BACKEND_OPENCL, with_file, 2)) != NULL) {
            expect_described(run, ctx, "ignored", "a damaged saved tuning");
            ckt_expect(run, strstr(ck_context_describe(ctx), "tiles 16x16x8") == NULL,
                       "a damaged file's tuning was used: %s", ck_context_describe(ctx));
            ck_context_destroy(ctx);
        }
    }
    remove(path);
    rmdir(dir);
    snprintf(dir, sizeof dir, "%s/convkit", home);
    remove_tree(dir);
    rmdir(home);
}

void ckt_suite_device_runtime(ckt_run *run) {
    check_memory_stats(run);
    check_device_info(run);
    check_split_backward_weights(run);
    if (run->backend != CK_BACKEND_OPENCL) return;
    check_disk_cache(run);
    check_tuning(run);
    check_saved_tuning(run);
}
