/*
 * suite_device.c — choosing a device, and how the OpenCL backend behaves
 * beyond op results:
 *  - device specs (ck_context_options.device and CONVKIT_DEVICE): the known
 *    forms, precedence, and clear errors for unknown names;
 *  - the CPU fallback: an op the backend does not run (on OpenCL: one that
 *    CONVKIT_OPENCL_FALLBACK names) is correct and counted in
 *    ck_op_stats.cpu_fallbacks, an op it runs is not; when the fallback
 *    cannot allocate its host copy it fails cleanly, outputs untouched;
 *  - the transfer counters (ck_context_transfer_stats);
 *  - on OpenCL only: a kernel folder (CONVKIT_KERNEL_DIR) with a broken or a
 *    missing kernel gives a clear error naming the op, file, device and build
 *    log, and the context stays usable; the real Kernels/ folder works (found
 *    next to the fixtures: <fixtures_dir>/../../Kernels);
 *  - on OpenCL only, in suite_device_faults.c: injected faults;
 *  - in suite_device_runtime.c: the memory pool, the program cache on disk,
 *    device limits and tunings. Every case restores the environment variables it sets.
 */
#define _POSIX_C_SOURCE 200809L /* setenv, strdup, mkdtemp */
#include "crosscheck.h"
#include "device_support.h"
#include "suites.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/** Sets (value != NULL) or unsets an environment variable. */
static void set_env(const char *name, const char *value) {
    if (value) setenv(name, value, 1);
    else unsetenv(name);
}

/** Creates a context for (kind, device) with CONVKIT_DEVICE = env (NULL: unset); checks status and kind. */
static void expect_choice(ckt_run *run, ck_backend_kind kind, const char *device, const char *env, ck_status expected,
                          ck_backend_kind expected_kind, const char *must_mention) {
    ckt_case(run, "device: backend %s, device '%s', CONVKIT_DEVICE '%s'", ck_backend_name(kind),
             device ? device : "(null)", env ? env : "(unset)");
    char *saved = getenv("CONVKIT_DEVICE") ? strdup(getenv("CONVKIT_DEVICE")) : NULL;
    set_env("CONVKIT_DEVICE", env);
    ck_context_options options;
    ck_context_options_init(&options);
    options.backend = kind;
    options.device = device;
    options.num_threads = 1;
    ck_context *ctx = NULL;
    ck_status status = ck_context_create(&options, &ctx);
    set_env("CONVKIT_DEVICE", saved);
    free(saved);
    if (expected != CK_OK) {
        ckt_expect_status(run, status, expected, NULL, "ck_context_create");
        if (must_mention)
            ckt_expect(run, strstr(ck_last_error(NULL), must_mention) != NULL, "the error '%s' does not mention '%s'",
                       ck_last_error(NULL), must_mention);
        ck_context_destroy(ctx);
        return;
    }
    if (!ckt_expect_ok(run, status, NULL, "ck_context_create")) return;
    ckt_expect(run, ck_context_backend(ctx) == expected_kind, "chose the %s backend; expected %s",
               ck_backend_name(ck_context_backend(ctx)), ck_backend_name(expected_kind));
    const char *description = ck_context_describe(ctx);
    ckt_expect(run, strncmp(description, ck_backend_name(expected_kind), strlen(ck_backend_name(expected_kind))) == 0,
               "ck_context_describe says '%s'", description);
    ck_context_destroy(ctx);
}

static void check_device_specs(ckt_run *run) {
    int32_t count = ck_opencl_device_count();
    int has_gpu_or_accelerator = 0;
    for (int32_t i = 0; i < count; i++) {
        const char *d = ck_opencl_device_name(i);
        ckt_expect(run, d != NULL && d[0] != '\0', "OpenCL device %d has no name", (int)i);
        if (d && (strncmp(d, "GPU:", 4) == 0 || strncmp(d, "accelerator:", 12) == 0)) has_gpu_or_accelerator = 1;
    }
    ckt_expect(run, ck_opencl_device_name(count) == NULL && ck_opencl_device_name(-1) == NULL,
               "ck_opencl_device_name accepts an index out of range");

    ck_backend_kind auto_kind = has_gpu_or_accelerator ? CK_BACKEND_OPENCL : CK_BACKEND_CPU;
    expect_choice(run, CK_BACKEND_AUTO, NULL, NULL, CK_OK, auto_kind, NULL);
    expect_choice(run, CK_BACKEND_AUTO, NULL, "auto", CK_OK, auto_kind, NULL);
    expect_choice(run, CK_BACKEND_AUTO, NULL, "cpu", CK_OK, CK_BACKEND_CPU, NULL);
    expect_choice(run, CK_BACKEND_AUTO, NULL, "Reference", CK_OK, CK_BACKEND_REFERENCE, NULL);
    expect_choice(run, CK_BACKEND_AUTO, NULL, "no-such-backend", CK_ERR_INVALID_ARGUMENT, CK_BACKEND_AUTO,
                  "CONVKIT_DEVICE='no-such-backend'");
    expect_choice(run, CK_BACKEND_AUTO, NULL, "opencl:no-such-device", CK_ERR_INVALID_ARGUMENT, CK_BACKEND_AUTO,
                  "no-such-device");
    expect_choice(run, CK_BACKEND_AUTO, NULL, "opencl:", CK_ERR_INVALID_ARGUMENT, CK_BACKEND_AUTO, "opencl:");
    /* The API's choice wins over the environment; an explicit CPU backend ignores both. */
    expect_choice(run, CK_BACKEND_AUTO, "cpu", "no-such-backend", CK_OK, CK_BACKEND_CPU, NULL);
    expect_choice(run, CK_BACKEND_CPU, NULL, "no-such-backend", CK_OK, CK_BACKEND_CPU, NULL);
    expect_choice(run, CK_BACKEND_AUTO, "gpu-typo", NULL, CK_ERR_INVALID_ARGUMENT, CK_BACKEND_AUTO, "gpu-typo");
    expect_choice(run, CK_BACKEND_OPENCL, "no-such-device", NULL, CK_ERR_INVALID_ARGUMENT, CK_BACKEND_AUTO,
                  "no-such-device");

    if (count == 0) {
        expect_choice(run, CK_BACKEND_AUTO, NULL, "opencl", CK_ERR_UNSUPPORTED, CK_BACKEND_AUTO, "no OpenCL device");
        expect_choice(run, CK_BACKEND_OPENCL, NULL, NULL, CK_ERR_UNSUPPORTED, CK_BACKEND_AUTO, "no OpenCL device");
        return;
    }
    char name[160], index[32], last[32];
    ckt_device_name_in(ck_opencl_device_name(0), name, sizeof name);
    snprintf(index, sizeof index, "%d", (int)count);
    snprintf(last, sizeof last, "opencl:%d", (int)(count - 1));
    expect_choice(run, CK_BACKEND_AUTO, NULL, "opencl", CK_OK, CK_BACKEND_OPENCL, NULL);
    expect_choice(run, CK_BACKEND_AUTO, NULL, "opencl:0", CK_OK, CK_BACKEND_OPENCL, NULL);
    expect_choice(run, CK_BACKEND_AUTO, NULL, last, CK_OK, CK_BACKEND_OPENCL, NULL);
    expect_choice(run, CK_BACKEND_AUTO, "OpenCL:0", "no-such-backend", CK_OK, CK_BACKEND_OPENCL, NULL);
    expect_choice(run, CK_BACKEND_OPENCL, NULL, NULL, CK_OK, CK_BACKEND_OPENCL, NULL);
    expect_choice(run, CK_BACKEND_OPENCL, "0", NULL, CK_OK, CK_BACKEND_OPENCL, NULL);
    expect_choice(run, CK_BACKEND_OPENCL, index, NULL, CK_ERR_INVALID_ARGUMENT, CK_BACKEND_AUTO, "OpenCL devices: 0:");
    if (strlen(name) >= 3) { /* a part of the name, in other case */
        char part[8], spec[32];
        for (int i = 0; i < 3; i++) part[i] = (char)(islower((unsigned char)name[i]) ? toupper((unsigned char)name[i]) : tolower((unsigned char)name[i]));
        part[3] = '\0';
        snprintf(spec, sizeof spec, "opencl:%s", part);
        expect_choice(run, CK_BACKEND_AUTO, NULL, spec, CK_OK, CK_BACKEND_OPENCL, NULL);
    }
}

/** y = reduce_sum of x (2, 3, 5) over axis 1 on ctx; 1 when it returned `expected` (and, when OK, the right sums). */
static int reduce_on(ckt_run *run, ck_context *ctx, ck_status expected) {
    const int64_t x_dims[3] = {2, 3, 5}, y_dims[3] = {2, 1, 5};
    ckt_tensor *x = ckt_new(run, ctx, CK_F32, 3, x_dims), *y = ckt_new(run, ctx, CK_F32, 3, y_dims);
    ckt_tensor *xr = NULL, *yr = ckt_new(run, run->ref, CK_F32, 3, y_dims);
    int ok = 0;
    if (x && y && yr) {
        ckt_fill_uniform(x, 77, -1.0, 1.0);
        ckt_fill_uniform(y, 78, -1.0, 1.0);
        xr = ckt_clone_to(run, x, run->ref, CK_F32);
        double before[10], after[10], want[10];
        ckt_read(y, before);
        ck_status status = ck_reduce_sum(ctx, 1u << 1, &x->t, 0.0f, &y->t);
        ckt_read(y, after);
        ckt_check_guards(run, y, "reduce_sum y");
        if (expected != CK_OK) {
            ok = ckt_expect_status(run, status, expected, ctx, "reduce_sum") &&
                 ckt_expect_close(run, "y after the failed reduce_sum (untouched)", after, before, 10, 0.0, 0.0);
        } else if (xr && ckt_expect_ok(run, status, ctx, "reduce_sum") &&
                   ckt_expect_ok(run, ck_reduce_sum(run->ref, 1u << 1, &xr->t, 0.0f, &yr->t), run->ref, "reduce_sum")) {
            ckt_read(yr, want);
            ok = ckt_expect_close(run, "reduce_sum y", after, want, 10, 1e-6, 1e-6);
        }
    }
    ckt_free(x);
    ckt_free(y);
    ckt_free(xr);
    ckt_free(yr);
    return ok;
}

/** Calls and fallbacks of `op` on ctx since `before`: expects +calls, +fallbacks. */
static void expect_counted(ckt_run *run, ck_context *ctx, ck_op op, const ck_op_stats *before, uint64_t calls,
                           uint64_t fallbacks) {
    ck_op_stats after;
    ck_context_op_stats(ctx, op, &after);
    ckt_expect(run, after.calls == before->calls + calls && after.cpu_fallbacks == before->cpu_fallbacks + fallbacks,
               "%s: calls %llu -> %llu, cpu_fallbacks %llu -> %llu; expected +%llu and +%llu", ck_op_name(op),
               (unsigned long long)before->calls, (unsigned long long)after.calls,
               (unsigned long long)before->cpu_fallbacks, (unsigned long long)after.cpu_fallbacks,
               (unsigned long long)calls, (unsigned long long)fallbacks);
}

/**
 * The CPU fallback: reduce_sum sent to the CPU (on OpenCL: CONVKIT_OPENCL_FALLBACK)
 * is correct and counted, fill is not; with its host copy failing
 * (CONVKIT_FAULT=alloc:reduce_sum) it fails with CK_ERR_OUT_OF_MEMORY naming
 * the op and the device, y untouched, and the next call works.
 */
static void check_fallback(ckt_run *run) {
    ckt_case(run, "cpu fallback: reduce_sum (2, 3, 5) over axis 1, then fill");
    int opencl = run->backend == CK_BACKEND_OPENCL;
    const ckt_env env[] = {{"CONVKIT_OPENCL_FALLBACK", "reduce_sum"}};
    ck_context *ctx = opencl ? ckt_context_with_env(run, CK_BACKEND_OPENCL, env, 1) : run->ctx;
    if (!ctx) return;
    ck_op_stats sum, fill;
    ck_context_op_stats(ctx, CK_OP_REDUCE_SUM, &sum);
    ck_context_op_stats(ctx, CK_OP_FILL, &fill);
    reduce_on(run, ctx, CK_OK);
    expect_counted(run, ctx, CK_OP_REDUCE_SUM, &sum, 1, opencl ? 1 : 0);
    const int64_t n = 4;
    ckt_tensor *t = ckt_new(run, ctx, CK_F32, 1, &n);
    if (t) ckt_expect_ok(run, ck_fill(ctx, 2.5f, &t->t), ctx, "fill");
    ckt_free(t);
    expect_counted(run, ctx, CK_OP_FILL, &fill, 1, 0);
    if (ctx != run->ctx) ck_context_destroy(ctx);
    if (!opencl) return;

    ckt_case(run, "cpu fallback: the host copy cannot be allocated (CONVKIT_FAULT=alloc:reduce_sum)");
    const ckt_env faulty[] = {{"CONVKIT_OPENCL_FALLBACK", "reduce_sum"}, {"CONVKIT_FAULT", "alloc:reduce_sum"}};
    if (!(ctx = ckt_context_with_env(run, CK_BACKEND_OPENCL, faulty, 2))) return;
    char device[160];
    ckt_context_device_name(ctx, device, sizeof device);
    ck_context_op_stats(ctx, CK_OP_REDUCE_SUM, &sum);
    if (reduce_on(run, ctx, CK_ERR_OUT_OF_MEMORY)) {
        const char *const texts[] = {"reduce_sum", "host copy", device};
        ckt_expect_message(run, ctx, texts, 3);
    }
    reduce_on(run, ctx, CK_OK); /* the context is still usable */
    expect_counted(run, ctx, CK_OP_REDUCE_SUM, &sum, 1, 1);
    ck_context_destroy(ctx);
}

/** The transfer counters of ctx minus `before`, checked against the expected increments. */
static void expect_transfers(ckt_run *run, ck_context *ctx, const ck_transfer_stats *before, const char *what,
                             uint64_t reads, uint64_t read_bytes, uint64_t writes, uint64_t write_bytes) {
    ck_transfer_stats after;
    if (!ckt_expect_ok(run, ck_context_transfer_stats(ctx, &after), ctx, "transfer stats")) return;
    ckt_expect(run,
               after.reads - before->reads == reads && after.read_bytes - before->read_bytes == read_bytes &&
                   after.writes - before->writes == writes && after.write_bytes - before->write_bytes == write_bytes,
               "%s: +%llu reads (%llu bytes), +%llu writes (%llu bytes); expected +%llu (%llu), +%llu (%llu)", what,
               (unsigned long long)(after.reads - before->reads),
               (unsigned long long)(after.read_bytes - before->read_bytes),
               (unsigned long long)(after.writes - before->writes),
               (unsigned long long)(after.write_bytes - before->write_bytes), (unsigned long long)reads,
               (unsigned long long)read_bytes, (unsigned long long)writes, (unsigned long long)write_bytes);
}

/**
 * ck_context_transfer_stats: on OpenCL a write of 64 bytes and a read of 16 count
 * once each with their bytes, an op on the device counts nothing, and an op sent to
 * the CPU (CONVKIT_OPENCL_FALLBACK=fill) counts the read and write-back of its
 * buffer; host-memory backends count nothing.
 */
static void check_transfers(ckt_run *run) {
    ckt_case(run, "transfer counters: ck_buffer_write, ck_buffer_read, an op, a fallback op");
    int opencl = run->backend == CK_BACKEND_OPENCL;
    const ckt_env env[] = {{"CONVKIT_OPENCL_FALLBACK", "fill"}};
    ck_context *ctx = opencl ? ckt_context_with_env(run, CK_BACKEND_OPENCL, env, 1) : run->ctx;
    if (!ctx) return;
    ck_buffer *buffer = NULL;
    float values[16] = {0}, back[4];
    ck_transfer_stats before;
    if (ckt_expect_ok(run, ck_buffer_create(ctx, sizeof values, &buffer), ctx, "buffer") &&
        ckt_expect_ok(run, ck_context_transfer_stats(ctx, &before), ctx, "transfer stats") &&
        ckt_expect_ok(run, ck_buffer_write(ctx, buffer, 0, values, sizeof values), ctx, "write") &&
        ckt_expect_ok(run, ck_buffer_read(ctx, buffer, 0, back, sizeof back), ctx, "read")) {
        expect_transfers(run, ctx, &before, "write 64, read 16", opencl, opencl ? 16 : 0, opencl, opencl ? 64 : 0);
        const int64_t n = 16;
        const ck_tensor t = ck_tensor_nd(buffer, CK_F32, 1, &n);
        ck_context_transfer_stats(ctx, &before);
        if (ckt_expect_ok(run, ck_fill(ctx, 1.0f, &t), ctx, "fill on the CPU"))
            expect_transfers(run, ctx, &before, "a CPU fallback", opencl, opencl ? 64 : 0, opencl, opencl ? 64 : 0);
        ck_context_transfer_stats(ctx, &before);
        if (ckt_expect_ok(run, ck_scale(ctx, 2.0f, &t, &t), ctx, "scale on the device"))
            expect_transfers(run, ctx, &before, "an op on the device", 0, 0, 0, 0);
    }
    if (buffer) ck_buffer_destroy(buffer);
    if (ctx != run->ctx) ck_context_destroy(ctx);
    ckt_expect_status(run, ck_context_transfer_stats(NULL, &before), CK_ERR_INVALID_ARGUMENT, NULL, "ctx NULL");
}

/** Writes `text` to dir/path; returns 1 on success. */
static int write_text(const char *dir, const char *path, const char *text) {
    char file[512];
    snprintf(file, sizeof file, "%s/%s", dir, path);
    FILE *f = fopen(file, "w");
    if (!f) return 0;
    int ok = fputs(text, f) >= 0;
    return fclose(f) == 0 && ok;
}

/** Copies every file of from_dir into to_dir (both exist); returns 1 on success. */
static int copy_files(const char *from_dir, const char *to_dir) {
    DIR *dir = opendir(from_dir);
    if (!dir) return 0;
    int ok = 1;
    for (struct dirent *entry; ok && (entry = readdir(dir)) != NULL;) {
        if (entry->d_name[0] == '.') continue;
        char from[1024], text[65536];
        snprintf(from, sizeof from, "%s/%s", from_dir, entry->d_name);
        FILE *f = fopen(from, "rb");
        size_t length = f ? fread(text, 1, sizeof text - 1, f) : 0;
        ok = f && !ferror(f) && length < sizeof text - 1;
        if (f) fclose(f);
        text[length] = '\0';
        ok = ok && write_text(to_dir, entry->d_name, text);
    }
    closedir(dir);
    return ok;
}

/** Removes the plain files of a folder. */
static void remove_files(const char *path) {
    DIR *dir = opendir(path);
    if (!dir) return;
    for (struct dirent *entry; (entry = readdir(dir)) != NULL;) {
        char file[1024];
        snprintf(file, sizeof file, "%s/%s", path, entry->d_name);
        if (entry->d_name[0] != '.') remove(file);
    }
    closedir(dir);
}

/** fill on a fresh OpenCL context with CONVKIT_KERNEL_DIR = dir; returns its status, message copied. */
static ck_status fill_with_kernel_dir(ckt_run *run, ck_context *ctx, const char *dir, ckt_tensor *y, char *message,
                                      size_t capacity) {
    (void)run;
    char *saved = getenv("CONVKIT_KERNEL_DIR") ? strdup(getenv("CONVKIT_KERNEL_DIR")) : NULL;
    set_env("CONVKIT_KERNEL_DIR", dir);
    ck_status status = ck_fill(ctx, 1.5f, &y->t);
    set_env("CONVKIT_KERNEL_DIR", saved);
    free(saved);
    snprintf(message, capacity, "%s", status == CK_OK ? "" : ck_last_error(ctx));
    return status;
}

static void check_kernel_dir(ckt_run *run) {
    ckt_case(run, "CONVKIT_KERNEL_DIR with a broken elementwise.cl, then without");
    char dir[] = "/tmp/convkit-kernels-XXXXXX", sub[600], kernels[600], common[700], name[160], message[1024];
    if (!ckt_expect(run, mkdtemp(dir) != NULL, "cannot make a temporary folder")) return;
    snprintf(sub, sizeof sub, "%s/common", dir);
    snprintf(kernels, sizeof kernels, "%s/../../Kernels", run->fixtures_dir);
    snprintf(common, sizeof common, "%s/common", kernels);
    ck_context_options options;
    ck_context_options_init(&options);
    options.backend = CK_BACKEND_OPENCL;
    ck_context *ctx = NULL;
    const int64_t dims[1] = {100};
    ckt_tensor *y = NULL;
    /* The real common files (from the source tree, next to the fixtures), a broken elementwise.cl, no gemm.cl. */
    if (!ckt_expect(run, mkdir(sub, 0700) == 0 && copy_files(common, sub) &&
                             write_text(dir, "elementwise.cl", "__kernel void fill(int n) { this is not OpenCL C }\n"),
                    "cannot write the broken kernels (copying %s)", common) ||
        !ckt_expect_ok(run, ck_context_create(&options, &ctx), NULL, "ck_context_create opencl") ||
        !(y = ckt_new(run, ctx, CK_F32, 1, dims)))
        goto done;

    ck_status status = fill_with_kernel_dir(run, ctx, dir, y, message, sizeof message);
    ckt_expect_status(run, status, CK_ERR_DEVICE, ctx, "fill with a broken elementwise.cl");
    ckt_context_device_name(ctx, name, sizeof name);
    const char *needed[] = {"fill", "Kernels/elementwise.cl", name, "build log: ", "error"};
    for (size_t i = 0; i < sizeof needed / sizeof needed[0]; i++)
        ckt_expect(run, strstr(message, needed[i]) != NULL, "the build error does not mention '%s': %s", needed[i],
                   message);

    ckt_case(run, "CONVKIT_KERNEL_DIR without gemm.cl");
    ckt_tensor *a = ckt_new(run, ctx, CK_F32, 2, (const int64_t[]){2, 2});
    ckt_tensor *c = ckt_new(run, ctx, CK_F32, 2, (const int64_t[]){2, 2});
    if (a && c) {
        char *saved = getenv("CONVKIT_KERNEL_DIR") ? strdup(getenv("CONVKIT_KERNEL_DIR")) : NULL;
        set_env("CONVKIT_KERNEL_DIR", dir);
        status = ck_gemm(ctx, 0, 0, 1.0f, &a->t, &a->t, 0.0f, &c->t);
        set_env("CONVKIT_KERNEL_DIR", saved);
        free(saved);
        ckt_expect(run, status != CK_OK && strstr(ck_last_error(ctx), "gemm.cl") != NULL,
                   "gemm without gemm.cl: %s: %s", ck_status_string(status), ck_last_error(ctx));
    }
    ckt_free(a);
    ckt_free(c);

    ckt_case(run, "the context stays usable after a failed build; the real Kernels/ folder builds");
    status = fill_with_kernel_dir(run, ctx, NULL, y, message, sizeof message);
    if (ckt_expect_ok(run, status, ctx, "fill with the embedded kernels")) {
        double values[100];
        ckt_read(y, values);
        int all = 1;
        for (int i = 0; i < 100; i++) all &= values[i] == 1.5;
        ckt_expect(run, all, "fill after the failed build wrote wrong values");
        ckt_check_guards(run, y, "fill y");
    }
    ck_context *fresh = NULL;
    ckt_tensor *z = NULL;
    if (ckt_expect_ok(run, ck_context_create(&options, &fresh), NULL, "ck_context_create") &&
        (z = ckt_new(run, fresh, CK_F32, 1, dims)))
        ckt_expect_ok(run, fill_with_kernel_dir(run, fresh, kernels, z, message, sizeof message), fresh,
                      "fill with CONVKIT_KERNEL_DIR = Kernels/");
    ckt_free(z);
    ck_context_destroy(fresh);
done:
    ckt_free(y);
    ck_context_destroy(ctx);
    remove_files(sub);
    rmdir(sub);
    remove_files(dir);
    rmdir(dir);
}

void ckt_suite_device(ckt_run *run) {
    check_device_specs(run);
    check_fallback(run);
    check_transfers(run);
    if (run->backend == CK_BACKEND_OPENCL) {
        check_kernel_dir(run);
        ckt_suite_device_faults(run);
    }
    ckt_suite_device_runtime(run);
}
