/* context.c — creating a context on a backend, and what it reports about itself. */
#include "core/internal.h"

#include <stdlib.h>
#include <string.h>

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

    ck_status status;
    switch (options->backend) {
    case CK_BACKEND_AUTO: /* no OpenCL backend in this build: the CPU backend is the best device */
    case CK_BACKEND_CPU:
        status = ck_cpu_backend_create(ctx, options->num_threads, &ctx->backend);
        break;
    case CK_BACKEND_REFERENCE:
        status = ck_reference_backend_create(ctx, &ctx->backend);
        break;
    case CK_BACKEND_OPENCL:
        status = ck_set_error(ctx, CK_ERR_UNSUPPORTED,
                              "ck_context_create: this build of libconvkit has no OpenCL backend; use CK_BACKEND_CPU or CK_BACKEND_AUTO");
        break;
    default:
        status = ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT, "ck_context_create: unknown backend kind %d",
                              (int)options->backend);
        break;
    }
    if (status != CK_OK) {
        ck_set_error(NULL, status, "%s", ctx->error);
        pthread_mutex_destroy(&ctx->error_lock);
        free(ctx);
        return status;
    }
    ctx->num_threads = ctx->backend.num_threads > 0 ? ctx->backend.num_threads : 1;
    *out_context = ctx;
    return CK_OK;
}

void ck_context_destroy(ck_context *ctx) {
    if (!ctx) return;
    if (ctx->backend.destroy) ctx->backend.destroy(&ctx->backend);
    pthread_mutex_destroy(&ctx->error_lock);
    free(ctx);
}

ck_backend_kind ck_context_backend(const ck_context *ctx) { return ctx ? ctx->backend.kind : CK_BACKEND_AUTO; }

int32_t ck_context_num_threads(const ck_context *ctx) { return ctx ? ctx->num_threads : 0; }

ck_status ck_context_finish(ck_context *ctx) {
    if (!ctx) return ck_set_error(NULL, CK_ERR_INVALID_ARGUMENT, "ck_context_finish: ctx is NULL");
    return CK_OK; /* CPU and reference backends run synchronously */
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
