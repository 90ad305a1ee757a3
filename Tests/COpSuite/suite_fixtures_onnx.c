/*
 * suite_fixtures_onnx.c — the ONNX backend node tests of Conv,
 * ConvTranspose, MaxPool, AveragePool, GlobalAverage/MaxPool and
 * BatchNormalization, converted to ConvKit's conventions in
 * Tests/Fixtures/onnx/ (forward only), on the backend under test. How cases
 * run and how tolerances are chosen: fixture_ops.h; training-mode batch norm
 * (ONNX's biased running variance): fixture_ops_batchnorm.c.
 *
 * ONNX's own runner accepts rtol 1e-3; the bounds here are far tighter
 * except for the one expected output that ONNX's test source writes rounded
 * by hand, which no implementation can match more closely than its rounding.
 */
#include "fixture_ops.h"
#include "suites.h"

static const ckt_fixture_rounded onnx_rounded[] = {
    {"test_averagepool_2d_ceil_last_window_starts_on_pad", "y", 1e-3,
     "written to 4 decimals in ONNX's test source (0.1511 for 0.151056)"},
};

void ckt_suite_fixtures_onnx(ckt_run *run) {
    static const ckt_fixture_source onnx = {"onnx", onnx_rounded, sizeof onnx_rounded / sizeof onnx_rounded[0]};
    ckt_run_fixture_folder(run, &onnx);
}
