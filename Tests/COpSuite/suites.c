/* suites.c — the suite registry and ck_suite_run (see op_suite.h). */
#include "op_suite.h"
#include "suites.h"

#include <stdio.h>
#include <string.h>

typedef struct suite_entry {
    const char *name;
    ckt_suite_fn run;
} suite_entry;

static const suite_entry suites[] = {
    {"conv2d", ckt_suite_conv2d},
    {"conv2d_winograd", ckt_suite_conv2d_winograd},
    {"conv2d_fused", ckt_suite_conv2d_fused},
    {"conv2d_split_k", ckt_suite_conv2d_split_k},
    {"conv_transpose2d", ckt_suite_conv_transpose2d},
    {"pool2d", ckt_suite_pool2d},
    {"dense", ckt_suite_dense},
    {"activation", ckt_suite_activation},
    {"batchnorm", ckt_suite_batchnorm},
    {"loss", ckt_suite_loss},
    {"dropout", ckt_suite_dropout},
    {"optim", ckt_suite_optim},
    {"gradcheck", ckt_suite_gradcheck},
    {"invalid", ckt_suite_invalid},
    {"device", ckt_suite_device},
    {"fixtures_torch", ckt_suite_fixtures_torch},
    {"fixtures_onnx", ckt_suite_fixtures_onnx},
    {"concurrency", ckt_suite_concurrency},
};

#define SUITE_COUNT ((int)(sizeof suites / sizeof suites[0]))

int ck_suite_count(void) { return SUITE_COUNT; }

const char *ck_suite_name(int index) { return index >= 0 && index < SUITE_COUNT ? suites[index].name : NULL; }

/** A context on `kind` computing with one thread per core; NULL (reported) when it cannot be made. */
static ck_context *create_context(ck_backend_kind kind) {
    ck_context_options options;
    ck_context_options_init(&options);
    options.backend = kind;
    options.num_threads = 0;
    ck_context *ctx = NULL;
    ck_status status = ck_context_create(&options, &ctx);
    if (status != CK_OK) {
        fprintf(stderr, "op suite: cannot create a %s context: %s: %s\n", ck_backend_name(kind),
                ck_status_string(status), ck_last_error(NULL));
        return NULL;
    }
    return ctx;
}

int ck_suite_run(const char *name, ck_backend_kind backend, const char *fixtures_dir, ck_suite_result *result) {
    if (result) memset(result, 0, sizeof *result);
    const suite_entry *entry = NULL;
    for (int i = 0; name && i < SUITE_COUNT; i++)
        if (strcmp(name, suites[i].name) == 0) entry = &suites[i];
    if (!entry) {
        fprintf(stderr, "op suite: no suite named '%s'\n", name ? name : "(null)");
        return -1;
    }
    ck_context *ctx = create_context(backend);
    ck_context *ref = ctx ? create_context(CK_BACKEND_REFERENCE) : NULL;
    if (!ref) {
        ck_context_destroy(ctx);
        return -1;
    }

    ckt_run run;
    memset(&run, 0, sizeof run);
    run.ctx = ctx;
    run.ref = ref;
    run.backend = ck_context_backend(ctx);
    run.fixtures_dir = fixtures_dir ? fixtures_dir : "";
    run.suite = entry->name;
    entry->run(&run);
    if (run.reported > 0)
        fprintf(stderr, "[%s/%s] %d of %d checks failed\n", run.suite, ck_backend_name(run.backend), run.failures,
                run.checks);

    ck_context_destroy(ref);
    ck_context_destroy(ctx);
    if (result) {
        result->checks = run.checks;
        result->failures = run.failures;
        result->cases = run.cases;
    }
    return 0;
}
