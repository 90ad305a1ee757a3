/*
 * fuzz_exec.h — running a fuzzed call and checking what it did.
 *
 * Properties (each violation is reported with the call's description and
 * aborts, so that libFuzzer or the replay driver records it):
 *  - a call that fails returns a status of the ck_status enum, leaves a new,
 *    non-empty message in ck_last_error (of the context it was given, of the
 *    thread for a NULL context) and changes no byte of any buffer;
 *  - a call that returns CK_OK had a context, got only views that lie inside
 *    their buffers of this context, no out-of-range label, and changed no
 *    byte outside its output views (guard bytes, inputs, other buffers);
 *  - CK_ERR_OUT_OF_MEMORY and CK_ERR_INTERNAL do not happen: every call is
 *    small (views of at most FZ_MAX_VIEW_BYTES);
 *  - where the CPU and reference backends both run a call, they agree on
 *    success (unless one declines it with CK_ERR_UNSUPPORTED), and their
 *    outputs agree within a loose bound (fuzz_compare.c).
 */
#ifndef CK_FUZZ_EXEC_H
#define CK_FUZZ_EXEC_H

#include "fuzz_call.h"

/** What a call did on one context. */
typedef struct fz_outcome {
    ck_status status;
    /** Each buffer's bytes after the call (call->buffers order). */
    unsigned char *after[FZ_MAX_SLOTS];
} fz_outcome;

/**
 * Creates the call's buffers (foreign ones on `other`), fills them, makes
 * the call on `ctx` through `op`, reads the buffers back and checks the
 * properties above. Free `out` with fz_outcome_free.
 */
void fz_execute(const fz_call *call, const fz_op *op, ck_context *ctx, ck_context *other, fz_outcome *out);

void fz_outcome_free(fz_outcome *out);

/**
 * Checks that two backends treated the call alike: both succeeded or both
 * failed, and, for calls on ordinary data, outputs within a loose bound.
 */
void fz_compare(const fz_call *call, const char *name_a, const fz_outcome *a, const char *name_b,
                const fz_outcome *b);

/** Fuzzes the size helpers (ck_*_output_size, ck_same_padding, ck_*_output_dims) on ctx or NULL. */
void fz_fuzz_sizes(fz_input *in, ck_context *ctx);

/** Room for a copy of a ck_last_error message. */
#define MESSAGE_COPY 1024

/**
 * Records a known message on ctx (on the thread when ctx is NULL) and copies
 * it, so that a failing call that sets no message of its own is caught
 * (messages are sticky).
 */
void fz_set_sentinel(ck_context *ctx, char copy[MESSAGE_COPY]);

/** Reports a violated property (and the call, when not NULL) on stderr and aborts. */
_Noreturn void fz_fail(const fz_call *call, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

#endif
