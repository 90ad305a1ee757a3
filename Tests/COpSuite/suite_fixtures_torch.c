/*
 * suite_fixtures_torch.c — golden values computed by PyTorch (float32, CPU):
 * every case of Tests/Fixtures/torch/ on the backend under test, forward and
 * backward (with the stored dy), optimizer updates step by step. How cases
 * run and how tolerances are chosen: fixture_ops.h.
 */
#include "fixture_ops.h"
#include "suites.h"

void ckt_suite_fixtures_torch(ckt_run *run) {
    static const ckt_fixture_source torch = {"torch", NULL, 0};
    ckt_run_fixture_folder(run, &torch);
}
