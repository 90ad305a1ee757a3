/*
 * fuzz_ops.c — the libFuzzer target of libconvkit's public C ABI.
 *
 * An input decodes, byte by byte (fuzz_input.h), as:
 *   mode   bits 0-1: the context the call gets — 0 cpu (2 threads, AVX2 when
 *          the processor has it), 1 reference, 2 cpu with the portable
 *          kernels (1 thread), 3 cpu (1 thread);
 *          bit 2: 1 = run on that context only; 0 = also run the call on the
 *          other kind of backend (reference for cpu, cpu for reference) and
 *          compare (fuzz_compare.c); a call too slow for the reference
 *          backend's naive loops (fz_call.cpu_only) runs on the cpu only;
 *   op     an op of CK_OP_LIST (op % (CK_OP_COUNT + 1)), or CK_OP_COUNT: the
 *          size helpers (fuzz_sizes.c);
 *   flags  >= 250: a NULL context; 240..249: a NULL params struct;
 *          224..239: every float tensor float64 (the reference backend's
 *          double path; the cpu backend declines it);
 *   then the op driver's shapes and parameters (fuzz_ops_<family>.c), the
 *   layout and perturbation of every tensor (fuzz_layout.c) and the data
 *   seed (fuzz_data.c).
 * Bytes past the end read as 0, which decodes to a small valid call: an
 * input of just "mode op" is one. The properties checked are listed in
 * fuzz_exec.h. OpenCL is left out: a device round trip per input is too slow.
 * With CK_FUZZ_VERBOSE=1 each call prints its op, status, message and arguments.
 */
#include "fuzz_exec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { CTX_CPU, CTX_REFERENCE, CTX_CPU_PORTABLE, CTX_CPU_ONE_THREAD, CTX_COUNT };

static const char *const context_names[CTX_COUNT] = {"cpu", "reference", "cpu (portable)", "cpu (1 thread)"};
static ck_context *contexts[CTX_COUNT];
static fz_op ops[CK_OP_COUNT];
static int verbose;

/* A context of `backend`; `simd` is the CONVKIT_CPU_SIMD value to create it under (NULL: as set). */
static ck_context *create_context(ck_backend_kind backend, int32_t threads, const char *simd) {
    const char *saved = getenv("CONVKIT_CPU_SIMD");
    char saved_copy[64];
    snprintf(saved_copy, sizeof saved_copy, "%s", saved ? saved : "");
    if (simd) setenv("CONVKIT_CPU_SIMD", simd, 1);
    ck_context_options options;
    ck_context_options_init(&options);
    options.backend = backend;
    options.num_threads = threads;
    ck_context *ctx = NULL;
    ck_status status = ck_context_create(&options, &ctx);
    if (simd) {
        if (saved) setenv("CONVKIT_CPU_SIMD", saved_copy, 1);
        else unsetenv("CONVKIT_CPU_SIMD");
    }
    if (status != CK_OK) fz_fail(NULL, "cannot create a %s context: %s", ck_backend_name(backend), ck_last_error(NULL));
    return ctx;
}

/* The contexts and the op table, once per process (they live until it exits). */
static void initialize(void) {
    if (contexts[CTX_CPU]) return;
    const char *flag = getenv("CK_FUZZ_VERBOSE");
    verbose = flag && flag[0] && strcmp(flag, "0") != 0;
    fz_register_conv_ops(ops);
    fz_register_dense_ops(ops);
    fz_register_train_ops(ops);
    for (int op = 0; op < CK_OP_COUNT; op++)
        if (!ops[op].build || !ops[op].call) fz_fail(NULL, "op %s has no fuzz driver", ck_op_name((ck_op)op));
    contexts[CTX_CPU] = create_context(CK_BACKEND_CPU, 2, NULL);
    contexts[CTX_REFERENCE] = create_context(CK_BACKEND_REFERENCE, 1, NULL);
    contexts[CTX_CPU_PORTABLE] = create_context(CK_BACKEND_CPU, 1, "portable");
    contexts[CTX_CPU_ONE_THREAD] = create_context(CK_BACKEND_CPU, 1, NULL);
}

/* Decodes and runs one op call, on one context or on a CPU and the reference context. */
static void fuzz_op(fz_input *in, int op, uint8_t mode) {
    fz_call call;
    memset(&call, 0, sizeof call);
    call.op = op;
    uint8_t flags = fz_u8(in);
    call.null_ctx = flags >= 250;
    call.null_params = flags >= 240 && flags < 250;
    ops[op].build(in, &call);
    call.odd_floats = in->odd_floats;
    for (int i = 0; flags >= 224 && flags < 240 && i < call.nslots; i++)
        if (call.slots[i].role != FZ_LABELS) call.slots[i].dtype = CK_F64;
    fz_decode_layout(in, &call);

    int primary = call.cpu_only && (mode & 3) == CTX_REFERENCE ? CTX_CPU : mode & 3;
    int partner = primary == CTX_REFERENCE ? CTX_CPU : CTX_REFERENCE;
    fz_outcome first, second;
    fz_execute(&call, &ops[op], contexts[primary], contexts[partner], &first);
    if (verbose) {
        fprintf(stderr, "%s on %s: %s%s%s\n", ck_op_name((ck_op)op), context_names[primary],
                ck_status_string(first.status), first.status == CK_OK ? "" : ": ",
                first.status == CK_OK ? "" : ck_last_error(call.null_ctx ? NULL : contexts[primary]));
        fz_describe(&call);
    }
    if (!(mode & 4) && !call.null_ctx && !call.cpu_only) {
        fz_execute(&call, &ops[op], contexts[partner], contexts[primary], &second);
        fz_compare(&call, context_names[primary], &first, context_names[partner], &second);
        fz_outcome_free(&second);
    }
    fz_outcome_free(&first);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    initialize();
    fz_input in;
    fz_input_init(&in, data, size);
    uint8_t mode = fz_u8(&in);
    int op = fz_u8(&in) % (CK_OP_COUNT + 1);
    if (op == CK_OP_COUNT) fz_fuzz_sizes(&in, contexts[mode & 3]);
    else fuzz_op(&in, op, mode);
    return 0;
}
