/* context.c — creating a context on a backend, and what it reports about itself. */
#include "core/internal.h"
#include "opencl/cl_devices.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *ck_version(void) { return "0.1.0"; }

const char *ck_backend_name(ck_backend_kind kind) {
    switch (kind) {
    case CK_BACKEND_AUTO: return "auto";
    case CK_BACKEND_CPU: return "cpu";
    case CK_BACKEND_REFERENCE: return "reference";
    case CK_BACKEND_OPENCL: return "opencl";
    }
    return "unknown";
}

void ck_context_options_init(ck_context_options *options) {
    if (!options) return;
    memset(options, 0, sizeof *options);
    options->backend = CK_BACKEND_AUTO;
}

/* Creates the backend the options choose (opencl/cl_select.c resolves auto and device specs). */
static ck_status create_backend(ck_context *ctx, const ck_context_options *options) {
    ck_device_choice choice;
    ck_status status = ck_select_device(ctx, options, &choice);
    if (status != CK_OK) return status;
    switch (choice.kind) {
    case CK_BACKEND_CPU: return ck_cpu_backend_create(ctx, options->num_threads, &ctx->backend);
    case CK_BACKEND_REFERENCE: return ck_reference_backend_create(ctx, &ctx->backend);
    case CK_BACKEND_OPENCL: return ck_opencl_backend_create(ctx, choice.opencl_index, &ctx->backend);
    case CK_BACKEND_AUTO: break;
    }
    return ck_set_error(ctx, CK_ERR_INTERNAL, "ck_context_create: the device choice resolved to no backend");
}

ck_status ck_context_create(const ck_context_options *options, ck_context **out_context) {
    if (!out_context) return ck_set_error(NULL, CK_ERR_INVALID_ARGUMENT, "ck_context_create: out_context is NULL");
    *out_context = NULL;
    ck_context_options defaults;
    ck_context_options_init(&defaults);
    if (!options) options = &defaults;
    if (options->num_threads < 0 || options->num_threads > 1024)
        return ck_set_error(NULL, CK_ERR_INVALID_ARGUMENT,
                            "ck_context_create: num_threads is %d; use 0 (all cores) or 1...1024",
                            (int)options->num_threads);

    ck_context *ctx = calloc(1, sizeof *ctx);
    if (!ctx) return ck_set_error(NULL, CK_ERR_OUT_OF_MEMORY, "ck_context_create: cannot allocate a context");
    pthread_mutex_init(&ctx->error_lock, NULL);
    pthread_mutex_init(&ctx->session.lock, NULL);
    ck_fault_init(&ctx->fault);

    ck_status status = create_backend(ctx, options);
    if (status != CK_OK) {
        ck_set_error(NULL, status, "%s", ctx->error);
        ck_fault_destroy(&ctx->fault);
        pthread_mutex_destroy(&ctx->session.lock);
        pthread_mutex_destroy(&ctx->error_lock);
        free(ctx);
        return status;
    }
    if (ctx->backend.buffer_ops) { /* a device backend: threads are those of its CPU fallback */
        long online = sysconf(_SC_NPROCESSORS_ONLN);
        ctx->num_threads = options->num_threads > 0 ? options->num_threads : (online > 0 ? (int32_t)online : 1);
    } else {
        ctx->num_threads = ctx->backend.num_threads > 0 ? ctx->backend.num_threads : 1;
    }
    *out_context = ctx;
    return CK_OK;
}

void ck_context_destroy(ck_context *ctx) {
    if (!ctx) return;
    ck_fallback_destroy(ctx);
    if (ctx->backend.destroy) ctx->backend.destroy(&ctx->backend);
    ck_fault_destroy(&ctx->fault);
    pthread_mutex_destroy(&ctx->session.lock);
    pthread_mutex_destroy(&ctx->error_lock);
    free(ctx);
}

ck_backend_kind ck_context_backend(const ck_context *ctx) { return ctx ? ctx->backend.kind : CK_BACKEND_AUTO; }

const char *ck_context_describe(const ck_context *ctx) { return ctx ? ctx->backend.description : ""; }

int32_t ck_context_num_threads(const ck_context *ctx) { return ctx ? ctx->num_threads : 0; }

ck_status ck_context_finish(ck_context *ctx) {
    if (!ctx) return ck_set_error(NULL, CK_ERR_INVALID_ARGUMENT, "ck_context_finish: ctx is NULL");
    /* CPU and reference backends run synchronously: nothing is pending. */
    return ctx->backend.buffer_ops ? ctx->backend.buffer_ops->finish(&ctx->backend) : CK_OK;
}

ck_status ck_context_memory_stats(const ck_context *ctx, ck_memory_stats *out_stats) {
    if (!ctx) return ck_set_error(NULL, CK_ERR_INVALID_ARGUMENT, "ck_context_memory_stats: ctx is NULL");
    if (!out_stats)
        return ck_set_error((ck_context *)ctx, CK_ERR_INVALID_ARGUMENT, "ck_context_memory_stats: out_stats is NULL");
    memset(out_stats, 0, sizeof *out_stats);
    const ck_buffer_ops *io = ctx->backend.buffer_ops;
    if (io && io->memory_stats) io->memory_stats((ck_backend *)&ctx->backend, out_stats);
    return CK_OK;
}

ck_status ck_context_transfer_stats(const ck_context *ctx, ck_transfer_stats *out_stats) {
    if (!ctx) return ck_set_error(NULL, CK_ERR_INVALID_ARGUMENT, "ck_context_transfer_stats: ctx is NULL");
    if (!out_stats)
        return ck_set_error((ck_context *)ctx, CK_ERR_INVALID_ARGUMENT, "ck_context_transfer_stats: out_stats is NULL");
    *out_stats = ctx->transfers;
    return CK_OK;
}

const char *ck_op_name(ck_op op) {
    static const char *const names[] = {
#define CK_OP_NAME_ENTRY(ID, name) #name,
        CK_OP_LIST(CK_OP_NAME_ENTRY)
#undef CK_OP_NAME_ENTRY
    };
    return (op >= 0 && op < CK_OP_COUNT) ? names[op] : NULL;
}

ck_status ck_context_op_stats(const ck_context *ctx, ck_op op, ck_op_stats *out_stats) {
    if (!ctx) return ck_set_error(NULL, CK_ERR_INVALID_ARGUMENT, "ck_context_op_stats: ctx is NULL");
    if (!out_stats) return ck_set_error((ck_context *)ctx, CK_ERR_INVALID_ARGUMENT, "ck_context_op_stats: out_stats is NULL");
    if (op < 0 || op >= CK_OP_COUNT)
        return ck_set_error((ck_context *)ctx, CK_ERR_INVALID_ARGUMENT, "ck_context_op_stats: op %d is out of range", (int)op);
    *out_stats = ctx->stats[op];
    return CK_OK;
}
