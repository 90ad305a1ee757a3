/*
 * bench_case.h — the tensors of one benchmark shape on a context, and the
 * calls and timings of its passes.
 *
 * Every tensor has its own buffer: x (N, C, H, W) and its gradient dx, the
 * weight w and its gradient dw (convs, GEMM), y (N, O or C, OH, OW) and its
 * gradient dy. GEMM views x as (N, C), w as (O, C), y as (N, O). Batch norm
 * has its per-channel vectors (C) in one more buffer: gamma, beta, the
 * running and saved statistics, dgamma and dbeta. Inputs (x, w, dy, gamma,
 * beta) hold seeded uniform values in [-1, 1).
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
    ck_buffer *buffers[7];
    ck_tensor x, dx, w, dw, y, dy;
    /* batch norm: gamma, beta, running mean, running var, saved mean, saved invstd, dgamma, dbeta */
    ck_tensor vectors[8];
} bench_case;

/**
 * Allocates and fills the tensors of `shape` at batch n (batch norm: and runs
 * its forward pass once, so the backward pass has saved statistics); on
 * failure everything is freed.
 */
ck_status bench_case_setup(bench_case *bench, ck_context *ctx, const bench_shape *shape, int64_t n);

/**
 * Runs `pass` once and waits for it (ck_context_finish). Gradients are
 * written with beta = 0. *used_cpu_fallback is set when the context's backend
 * lacked the op and the CPU backend ran it.
 */
ck_status bench_case_run(bench_case *bench, bench_pass pass, int *used_cpu_fallback);

/** How many times to run a pass (bench_case_measure). */
typedef struct bench_plan {
    int repeats;     /* timed runs after the warm-up, >= 1 */
    double budget_s; /* > 0: fewer runs (but at least 3) when `repeats` would take longer, judged by the warm-up */
    double cutoff_s; /* > 0: a warm-up slower than this is the only run (the pass is far slower than another) */
} bench_plan;

/**
 * One warm-up run of `pass`, then the timed runs of `plan` (timing->runs
 * says how many; 1 when the warm-up passed the cutoff and is the result,
 * timing->cut_short then set). Stops at the first failing run and returns
 * its status; otherwise fills *timing. *used_cpu_fallback is set when any run
 * fell back to the CPU backend.
 */
ck_status bench_case_measure(bench_case *bench, bench_pass pass, const bench_plan *plan, bench_timing *timing,
                             int *used_cpu_fallback);

void bench_case_teardown(bench_case *bench);

#endif
