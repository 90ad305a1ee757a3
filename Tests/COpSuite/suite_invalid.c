/*
 * suite_invalid.c — runs the table of bad calls (suite_invalid.h) on the
 * backend under test.
 *
 * For each case: the status must be the expected one (the call's, or when
 * the call returns CK_OK the status of a ck_context_finish right after it:
 * OpenCL checks labels on the device and reports them at the next wait);
 * a failing call must
 * leave a new, non-empty message in ck_last_error of the context it was
 * given (of the thread for a NULL context) and must not have written any of
 * the valid views; and the context must still compute afterwards (a fill of
 * a probe tensor, read back). Set CK_SUITE_VERBOSE=1 to print every case's
 * status and message, so the messages can be read for clarity.
 */
#include "suite_invalid.h"
#include "suites.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MESSAGE_COPY 1024
#define PROBE_COUNT 4

/** What the runner keeps between cases. */
typedef struct runner {
    ckt_run *run;
    inv_env env;
    int verbose;
    ck_buffer *probe;    /* PROBE_COUNT floats, filled after every case */
    unsigned char *before, *after; /* the pool's bytes around a failing case */
} runner;

static ck_status resolve_expected(const runner *r, ck_status expected) {
    if (expected != INV_F64_AMONG_F32) return expected;
    return r->run->backend == CK_BACKEND_REFERENCE ? CK_ERR_INVALID_ARGUMENT : CK_ERR_UNSUPPORTED;
}

/**
 * Records known messages on the context and on the thread, so that a case
 * whose call sets no message of its own is caught (messages are sticky).
 * Neither call is one the table makes.
 */
static void set_sentinels(ck_context *ctx, char ctx_message[MESSAGE_COPY], char thread_message[MESSAGE_COPY]) {
    ck_op_stats stats;
    (void)ck_context_op_stats(ctx, (ck_op)-7, &stats);
    (void)ck_same_padding(NULL, 1, 1, 1, 1, 0, NULL, NULL);
    snprintf(ctx_message, MESSAGE_COPY, "%s", ck_last_error(ctx));
    snprintf(thread_message, MESSAGE_COPY, "%s", ck_last_error(NULL));
}

static int read_pool(runner *r, unsigned char *host) {
    return ck_buffer_read(r->env.ctx, r->env.pool, 0, host, r->env.pool_bytes) == CK_OK;
}

/** The context still computes: fill the probe with `value` and read it back. */
static void check_context_alive(runner *r, float value) {
    const int64_t dims[1] = {PROBE_COUNT};
    ck_tensor probe = ck_tensor_nd(r->probe, CK_F32, 1, dims);
    float got[PROBE_COUNT] = {0};
    ck_status status = ck_fill(r->env.ctx, value, &probe);
    if (status == CK_OK) status = ck_buffer_read(r->env.ctx, r->probe, 0, got, sizeof got);
    int ok = status == CK_OK;
    for (int i = 0; ok && i < PROBE_COUNT; i++) ok = got[i] == value;
    ckt_expect(r->run, ok, "the context no longer computes after this case: fill %s, probe[0] = %g (want %g): %s",
               ck_status_string(status), (double)got[0], (double)value, ck_last_error(r->env.ctx));
}

static void run_case(runner *r, const inv_case *c, int index) {
    ckt_run *run = r->run;
    ckt_case(run, "%s", c->name);
    const ck_status expected = resolve_expected(r, c->expected);
    char ctx_sentinel[MESSAGE_COPY], thread_sentinel[MESSAGE_COPY];
    set_sentinels(r->env.ctx, ctx_sentinel, thread_sentinel);
    int have_before = expected != CK_OK && read_pool(r, r->before);

    ck_context *where = r->env.ctx;
    ck_status status = c->call(&r->env, &where);
    /* A device reports what it finds in the data (a label outside [0, K)) at the next wait. */
    if (status == CK_OK && where) status = ck_context_finish(where);
    const char *message = ck_last_error(where);
    if (r->verbose)
        fprintf(stderr, "[invalid/%s] %s -> %s%s%s\n", ck_backend_name(run->backend), c->name, ck_status_string(status),
                status == CK_OK ? "" : ": ", status == CK_OK ? "" : message);

    if (expected == CK_OK) {
        ckt_expect_ok(run, status, where, "valid call");
    } else if (ckt_expect_status(run, status, expected, where, "bad call")) {
        const char *sentinel = where ? ctx_sentinel : thread_sentinel;
        ckt_expect(run, strcmp(message, sentinel) != 0,
                   "returned %s but left the previous message on the %s (\"%s\"): it set none of its own",
                   ck_status_string(status), where ? "context" : "thread", message);
        if (have_before && read_pool(r, r->after))
            ckt_expect(run, memcmp(r->before, r->after, r->env.pool_bytes) == 0,
                       "the rejected call changed memory of the valid tensors");
    }
    check_context_alive(r, (float)(index + 1));
}

static void run_tables(runner *r) {
    inv_table (*const tables[])(void) = {inv_conv_cases,        inv_conv_transpose_cases, inv_pool_cases,
                                         inv_dense_cases,       inv_elementwise_cases,    inv_train_cases,
                                         inv_optim_cases,       inv_api_cases};
    int index = 0;
    for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++) {
        const inv_table table = tables[t]();
        for (size_t i = 0; i < table.count; i++) run_case(r, &table.cases[i], index++);
    }
}

/** At the end: a full valid op on the context that saw every error. */
static void check_final_op(runner *r) {
    ckt_case(r->run, "a valid conv2d after every bad call");
    ck_conv2d_params p = ck_conv2d_params_default();
    p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = 1;
    p.groups = 2;
    const inv_env *e = &r->env;
    ckt_expect_ok(r->run, ck_conv2d_forward(e->ctx, &p, &e->conv.x, &e->conv.w, &e->conv.bias, &e->conv.y), e->ctx,
                  "conv2d_forward");
}

void ckt_suite_invalid(ckt_run *run) {
    runner r;
    memset(&r, 0, sizeof r);
    r.run = run;
    const char *verbose = getenv("CK_SUITE_VERBOSE");
    r.verbose = verbose && verbose[0] && strcmp(verbose, "0") != 0;
    if (inv_env_create(run, &r.env) &&
        ckt_expect_ok(run, ck_buffer_create(run->ctx, PROBE_COUNT * sizeof(float), &r.probe), run->ctx, "probe buffer")) {
        r.before = malloc(r.env.pool_bytes);
        r.after = malloc(r.env.pool_bytes);
        if (ckt_expect(run, r.before && r.after, "out of host memory")) {
            run_tables(&r);
            inv_check_size_helpers(run);
            check_final_op(&r);
        }
    }
    free(r.before);
    free(r.after);
    ck_buffer_destroy(r.probe);
    inv_env_destroy(&r.env);
}
