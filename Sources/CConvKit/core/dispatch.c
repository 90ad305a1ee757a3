/*
 * dispatch.c — validate, run and count every op (generated from CK_OP_LIST).
 * An op the context's backend lacks (NULL entry) runs on the CPU backend
 * (core/fallback.c) and is counted in ck_op_stats.cpu_fallbacks.
 */
#include "core/dispatch.h"
#include "core/internal.h"
#include "core/op_tensors.h"
#include "core/validate.h"

#define CK_EXECUTE_DEF(ID, name)                                                                         \
    ck_status ck_execute_##name(ck_context *ctx, const ck_##name##_args *args) {                          \
        if (!ctx) return ck_set_error(NULL, CK_ERR_INVALID_ARGUMENT, "ck_" #name ": ctx is NULL");         \
        ck_status status = ck_validate_##name(ctx, args);                                                \
        if (status != CK_OK) return status;                                                              \
        ck_backend *backend = &ctx->backend;                                                             \
        if (backend->ops->name) {                                                                        \
            status = backend->ops->name(backend, args);                                                  \
            if (status == CK_OK) ctx->stats[CK_OP_##ID].calls++;                                         \
            return status;                                                                               \
        }                                                                                                \
        if (!backend->buffer_ops)                                                                        \
            return ck_set_error(ctx, CK_ERR_UNSUPPORTED, #name ": the %s backend does not implement it",   \
                                ck_backend_name(backend->kind));                                         \
        const ck_tensor *tensors[CK_MAX_OP_TENSORS];                                                     \
        status = ck_fallback_begin(ctx, #name, tensors, ck_##name##_tensors(args, tensors));            \
        if (status != CK_OK) return status;                                                              \
        status = ck_fallback_end(ctx, ctx->fallback.ops->name(&ctx->fallback, args));                    \
        if (status == CK_OK) {                                                                           \
            ctx->stats[CK_OP_##ID].calls++;                                                              \
            ctx->stats[CK_OP_##ID].cpu_fallbacks++;                                                      \
        }                                                                                                \
        return status;                                                                                   \
    }
CK_OP_LIST(CK_EXECUTE_DEF)
#undef CK_EXECUTE_DEF
