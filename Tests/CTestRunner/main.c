/*
 * main.c — ck_op_suite: the op conformance suite (Tests/COpSuite) as a
 * command-line program, for ctest and for running suites by hand.
 *
 *   ck_op_suite --list                             suite names, one a line
 *   ck_op_suite <suite> <backend> <fixtures_dir>   one suite on one backend
 *   ck_op_suite --all <backend> <fixtures_dir>     every suite on one backend
 *
 * <backend> is a backend name as ck_backend_name spells it: cpu, reference, ...
 * <fixtures_dir> is the Tests/Fixtures folder. Each suite run prints one
 * summary line; the checks that fail are reported on stderr by the suite.
 * Exit status: 0 when every check passed; 1 when a check failed, a suite made
 * no checks or could not run; 2 on a usage error; 77 (ctest's SKIP_RETURN_CODE)
 * when the backend is opencl and this machine has no OpenCL device, said so
 * on stdout.
 */
#include <stdio.h>
#include <string.h>

#include "convkit.h"
#include "op_suite.h"

enum { EXIT_PASSED = 0, EXIT_FAILED = 1, EXIT_USAGE = 2, EXIT_SKIPPED = 77 };

static void print_usage(FILE *out) {
    fprintf(out,
            "usage: ck_op_suite <suite> <backend> <fixtures_dir>\n"
            "       ck_op_suite --all <backend> <fixtures_dir>\n"
            "       ck_op_suite --list\n"
            "backends: cpu, reference, opencl (any name ck_backend_name gives)\n");
}

/** Finds the backend called `name`; returns 0 when there is none. */
static int parse_backend(const char *name, ck_backend_kind *out_kind) {
    /* CK_BACKEND_OPENCL is the last kind in convkit.h. */
    for (int kind = CK_BACKEND_AUTO; kind <= CK_BACKEND_OPENCL; kind++) {
        if (strcmp(name, ck_backend_name((ck_backend_kind)kind)) == 0) {
            *out_kind = (ck_backend_kind)kind;
            return 1;
        }
    }
    return 0;
}

static int suite_exists(const char *name) {
    for (int i = 0; i < ck_suite_count(); i++)
        if (strcmp(name, ck_suite_name(i)) == 0) return 1;
    return 0;
}

/** Runs one suite and prints its summary line; returns 1 when it passed. */
static int run_suite(const char *suite, ck_backend_kind backend, const char *fixtures_dir) {
    const char *backend_name = ck_backend_name(backend);
    ck_suite_result result = {0, 0, 0};
    if (ck_suite_run(suite, backend, fixtures_dir, &result) != 0) {
        printf("op suite %s on %s: could not run (see above) -- FAILED\n", suite, backend_name);
        return 0;
    }
    int passed = result.failures == 0 && result.checks > 0;
    printf("op suite %s on %s: %d cases, %d checks, %d failures%s\n", suite, backend_name,
           result.cases, result.checks, result.failures,
           passed ? "" : (result.checks == 0 ? " (no checks made) -- FAILED" : " -- FAILED"));
    fflush(stdout);
    return passed;
}

static int list_suites(void) {
    int count = ck_suite_count();
    if (count <= 0) {
        fprintf(stderr, "ck_op_suite: the suite registry is empty\n");
        return EXIT_FAILED;
    }
    for (int i = 0; i < count; i++) printf("%s\n", ck_suite_name(i));
    return EXIT_PASSED;
}

static int run_all_suites(ck_backend_kind backend, const char *fixtures_dir) {
    int count = ck_suite_count();
    if (count <= 0) {
        fprintf(stderr, "ck_op_suite: the suite registry is empty\n");
        return EXIT_FAILED;
    }
    int failed = 0;
    for (int i = 0; i < count; i++)
        if (!run_suite(ck_suite_name(i), backend, fixtures_dir)) failed++;
    printf("op suites on %s: %d of %d passed\n", ck_backend_name(backend), count - failed, count);
    return failed == 0 ? EXIT_PASSED : EXIT_FAILED;
}

int main(int argc, char **argv) {
    if (argc == 2 && strcmp(argv[1], "--list") == 0) return list_suites();
    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        print_usage(stdout);
        return EXIT_PASSED;
    }
    if (argc != 4) {
        print_usage(stderr);
        return EXIT_USAGE;
    }

    const char *suite = argv[1];
    const char *fixtures_dir = argv[3];
    ck_backend_kind backend;
    if (!parse_backend(argv[2], &backend)) {
        fprintf(stderr, "ck_op_suite: unknown backend '%s'\n", argv[2]);
        print_usage(stderr);
        return EXIT_USAGE;
    }

    if (backend == CK_BACKEND_OPENCL && ck_opencl_device_count() == 0) {
        printf("op suite %s on opencl: SKIPPED: this machine has no OpenCL device "
               "(install an OpenCL driver, e.g. pocl-opencl-icd, to test the OpenCL backend)\n",
               suite);
        return EXIT_SKIPPED;
    }
    if (strcmp(suite, "--all") == 0) return run_all_suites(backend, fixtures_dir);
    if (!suite_exists(suite)) {
        fprintf(stderr, "ck_op_suite: no suite '%s' (ck_op_suite --list names them)\n", suite);
        return EXIT_USAGE;
    }
    return run_suite(suite, backend, fixtures_dir) ? EXIT_PASSED : EXIT_FAILED;
}
