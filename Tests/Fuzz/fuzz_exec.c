/* fuzz_exec.c — runs a fuzzed call on a context and checks the properties of fuzz_exec.h. */
#include "fuzz_exec.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void fz_fail(const fz_call *call, const char *fmt, ...) {
    va_list args;
    va_start(args, fmt);
    fprintf(stderr, "\n==convkit-fuzz== FINDING: ");
    vfprintf(stderr, fmt, args);
    fprintf(stderr, "\n");
    va_end(args);
    if (call) fz_describe(call);
    fflush(stderr);
    abort();
}

static void *checked_malloc(size_t bytes) {
    void *p = malloc(bytes ? bytes : 1);
    if (!p) fz_fail(NULL, "the harness is out of host memory (%zu bytes)", bytes);
    return p;
}

void fz_set_sentinel(ck_context *ctx, char copy[MESSAGE_COPY]) {
    ck_op_stats stats;
    (void)ck_context_op_stats(ctx, (ck_op)-7, &stats);
    snprintf(copy, MESSAGE_COPY, "%s", ck_last_error(ctx));
}

/* The tensors the call passes: each present slot's view, or NULL. */
static void make_tensors(const fz_call *call, ck_buffer *const *buffers, ck_tensor *tensors, const ck_tensor **args) {
    for (int i = 0; i < call->nslots; i++) {
        const fz_slot *s = &call->slots[i];
        args[i] = NULL;
        if (!s->present) continue;
        ck_tensor *t = &tensors[i];
        memset(t, 0, sizeof *t);
        t->buffer = s->buffer >= 0 ? buffers[s->buffer] : NULL;
        t->offset = s->offset;
        t->dtype = s->dtype;
        t->ndim = s->ndim;
        memcpy(t->dims, s->dims, sizeof t->dims);
        args[i] = t;
    }
}

/* Nonzero when slot s's view lies inside its buffer. */
static int view_fits(const fz_call *call, const fz_slot *s) {
    if (s->buffer < 0 || s->bytes == 0) return 0;
    size_t size = call->buffers[s->buffer].bytes;
    return s->offset <= size && s->bytes <= size - s->offset;
}

/* Nonzero when the call's labels hold a bad label outside [0, K) for the K of the (N, K) tensor as passed. */
static int has_bad_label(const fz_call *call) {
    const fz_slot *rows = &call->slots[call->classes_of];
    if (!call->bad_label || rows->ndim != 2) return 0;
    int64_t label = fz_bad_label(call);
    return label < 0 || label >= rows->dims[1];
}

/* A successful call: every present view was valid, and only output views changed. */
static void check_success(const fz_call *call, unsigned char *const *before, const fz_outcome *out) {
    if (call->null_ctx) fz_fail(call, "returned CK_OK for a NULL context");
    for (int i = 0; i < call->nslots; i++) {
        const fz_slot *s = &call->slots[i];
        if (!s->present) continue;
        if (!view_fits(call, s))
            fz_fail(call, "returned CK_OK although %s has no buffer, an invalid size or does not fit its buffer", s->name);
        if (call->buffers[s->buffer].foreign) fz_fail(call, "returned CK_OK although %s is on another context", s->name);
        if (s->role == FZ_LABELS && s->dtype == CK_I32 && has_bad_label(call))
            fz_fail(call, "returned CK_OK although %s holds the label %lld, outside [0, %lld)", s->name,
                    (long long)fz_bad_label(call), (long long)call->slots[call->classes_of].dims[1]);
    }
    for (int b = 0; b < call->nbuffers; b++) {
        size_t bytes = call->buffers[b].bytes;
        for (size_t k = 0; k < bytes; k++) {
            if (before[b][k] == out->after[b][k]) continue;
            int inside = 0;
            for (int i = 0; i < call->nslots && !inside; i++) {
                const fz_slot *s = &call->slots[i];
                inside = s->present && s->role == FZ_OUTPUT && s->buffer == b && k >= s->offset &&
                         k - s->offset < s->bytes;
            }
            if (!inside) fz_fail(call, "returned CK_OK but changed byte %zu of buffer %d, outside every output", k, b);
        }
    }
}

/* A failed call: a known status, a message of its own, and no byte changed. */
static void check_failure(const fz_call *call, ck_context *given, const char *sentinel, unsigned char *const *before,
                          const fz_outcome *out) {
    const char *message = ck_last_error(given);
    if ((int)out->status < CK_ERR_INVALID_ARGUMENT || (int)out->status > CK_ERR_INTERNAL)
        fz_fail(call, "returned %d, which is no ck_status", (int)out->status);
    if (out->status == CK_ERR_OUT_OF_MEMORY || out->status == CK_ERR_INTERNAL)
        fz_fail(call, "returned %s on a small call: %s", ck_status_string(out->status), message);
    if (!message[0] || strcmp(message, sentinel) == 0)
        fz_fail(call, "returned %s but set no message of its own (ck_last_error: \"%s\")",
                ck_status_string(out->status), message);
    for (int b = 0; b < call->nbuffers; b++)
        if (memcmp(before[b], out->after[b], call->buffers[b].bytes) != 0)
            fz_fail(call, "returned %s (%s) but changed buffer %d", ck_status_string(out->status), message, b);
}

void fz_execute(const fz_call *call, const fz_op *op, ck_context *ctx, ck_context *other, fz_outcome *out) {
    memset(out, 0, sizeof *out);
    ck_buffer *buffers[FZ_MAX_SLOTS] = {0};
    unsigned char *before[FZ_MAX_SLOTS] = {0};
    for (int b = 0; b < call->nbuffers; b++) {
        size_t bytes = call->buffers[b].bytes;
        ck_context *owner = call->buffers[b].foreign ? other : ctx;
        before[b] = checked_malloc(bytes);
        out->after[b] = checked_malloc(bytes);
        fz_fill_buffer(call, b, before[b], bytes);
        if (ck_buffer_create(owner, bytes, &buffers[b]) != CK_OK ||
            ck_buffer_write(owner, buffers[b], 0, before[b], bytes) != CK_OK)
            fz_fail(call, "cannot create or write a buffer of %zu bytes: %s", bytes, ck_last_error(owner));
    }
    ck_tensor tensors[FZ_MAX_SLOTS];
    const ck_tensor *args[FZ_MAX_SLOTS];
    make_tensors(call, buffers, tensors, args);

    ck_context *given = call->null_ctx ? NULL : ctx;
    char sentinel[MESSAGE_COPY];
    fz_set_sentinel(given, sentinel);
    out->status = op->call(given, call, args);

    for (int b = 0; b < call->nbuffers; b++) {
        ck_context *owner = call->buffers[b].foreign ? other : ctx;
        if (ck_buffer_read(owner, buffers[b], 0, out->after[b], call->buffers[b].bytes) != CK_OK)
            fz_fail(call, "cannot read back buffer %d: %s", b, ck_last_error(owner));
    }
    if (out->status == CK_OK) check_success(call, before, out);
    else check_failure(call, given, sentinel, before, out);

    for (int b = 0; b < call->nbuffers; b++) {
        ck_buffer_destroy(buffers[b]);
        free(before[b]);
    }
}

void fz_outcome_free(fz_outcome *out) {
    for (int b = 0; b < FZ_MAX_SLOTS; b++) free(out->after[b]);
    memset(out, 0, sizeof *out);
}
