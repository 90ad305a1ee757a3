/* error.c — status names and the last-error message of a context (or of this thread). */
#include "core/internal.h"

#include <stdarg.h>
#include <stdio.h>

static _Thread_local char thread_error[CK_ERROR_CAPACITY];

const char *ck_status_string(ck_status status) {
    switch (status) {
    case CK_OK: return "ok";
    case CK_ERR_INVALID_ARGUMENT: return "invalid argument";
    case CK_ERR_SHAPE_MISMATCH: return "shape mismatch";
    case CK_ERR_UNSUPPORTED: return "unsupported";
    case CK_ERR_OUT_OF_MEMORY: return "out of memory";
    case CK_ERR_OVERFLOW: return "size overflow";
    case CK_ERR_OUT_OF_BOUNDS: return "out of bounds";
    case CK_ERR_DEVICE: return "device error";
    case CK_ERR_INTERNAL: return "internal error";
    case CK_ERR_IO: return "input/output error";
    }
    return "unknown status";
}

ck_status ck_set_error(ck_context *ctx, ck_status status, const char *fmt, ...) {
    char message[CK_ERROR_CAPACITY];
    va_list args;
    va_start(args, fmt);
    vsnprintf(message, sizeof message, fmt, args);
    va_end(args);
    if (ctx) {
        pthread_mutex_lock(&ctx->error_lock);
        snprintf(ctx->error, sizeof ctx->error, "%s", message);
        pthread_mutex_unlock(&ctx->error_lock);
    } else {
        snprintf(thread_error, sizeof thread_error, "%s", message);
    }
    return status;
}

const char *ck_last_error(const ck_context *ctx) {
    return ctx ? ctx->error : thread_error;
}
