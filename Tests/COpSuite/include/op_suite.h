/*
 * op_suite.h — the op conformance suite, runnable from XCTest and from ctest.
 *
 * Each suite runs its cases on one backend under test, with the reference
 * backend (naive, double accumulation) as the oracle, and reports every
 * failed check on stderr with the case name and the first bad element.
 */
#ifndef CK_OP_SUITE_H
#define CK_OP_SUITE_H

#include <stddef.h>
#include "convkit.h"

typedef struct ck_suite_result {
    int checks;   /* checks made */
    int failures; /* checks that failed */
    int cases;    /* cases run */
} ck_suite_result;

/** Number of suites and their names ("conv2d", "pool2d", "fixtures_torch", ...). */
int ck_suite_count(void);
const char *ck_suite_name(int index);

/**
 * Runs suite `name` on `backend`. `fixtures_dir` is the Tests/Fixtures folder.
 * Returns 0 when it ran (see result->failures), -1 when the suite name is
 * unknown or the backend cannot be created (message on stderr).
 */
int ck_suite_run(const char *name, ck_backend_kind backend, const char *fixtures_dir,
                 ck_suite_result *result);

#endif
