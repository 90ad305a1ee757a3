/*
 * bench_case.h — the tensors of one benchmark shape on a context, and the
 * calls and timings of its passes.
 *
 * Every tensor has its own buffer: x (N, C, H, W) and its gradient dx, the
 * weight w and its gradient dw (convs), y (N, O or C, OH, OW) and its
 * gradient dy. Inputs (x, w, dy) hold seeded uniform values in [-1, 1).
 */
#ifndef CK_BENCH_CASE_H
#define CK_BENCH_CASE_H

#include "convkit.h"
#include "shapes.h"
#include "timing.h"

typedef struct bench_case {
    ck_context *ctx;
    const bench_shape *shape;
    int64_t n;
    ck_buffer *buffers[6];
    ck_tensor x, dx, w, dw, y, dy;
} bench_case;

/** Allocates and fills the tensors of `shape` at batch n; on failure everything is freed. */
ck_status bench_case_setup(bench_case *bench, ck_context *ctx, const bench_shape *shape, int64_t n);

/**
 * Runs `pass` once and waits for it (ck_context_finish). Gradients are
 * written with beta = 0. *used_cpu_fallback is set when the context's backend
 * lacked the op and the CPU backend ran it.
 */
ck_status bench_case_run(bench_case *bench, bench_pass pass, int *used_cpu_fallback);

/**
 * One warm-up run of `pass`, then `repeats` (>= 1) timed runs. Stops at the
 * first failing run and returns its status; otherwise fills *timing.
 * *used_cpu_fallback is set when any run fell back to the CPU backend.
 */
ck_status bench_case_measure(bench_case *bench, bench_pass pass, int repeats, bench_timing *timing,
                             int *used_cpu_fallback);

void bench_case_teardown(bench_case *bench);

#endif
