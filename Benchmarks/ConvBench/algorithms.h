/*
 * algorithms.h — the conv algorithms of a backend, a context that runs each
 * of them, and which of them a shape's pass runs and could run.
 *
 * CPU backend: "depthwise", "direct" and "gemm" (im2col + sgemm), forced
 * through CONVKIT_CPU_CONV (convkit.h); auto takes the first that runs the
 * pass, in that order, so the chosen one is known by trying each forced
 * context on the shape at batch 1 (a forced algorithm refuses what it does
 * not take with CK_ERR_UNSUPPORTED before any work).
 * OpenCL backend: "direct-vec" (the vector direct kernels, the tuning's
 * CONV_VEC > 0), "implicit-gemm" (CONV_VEC 0: what GPUs run) and "direct"
 * (conv2d.cl's plain kernels, for convs with one channel per group in or
 * out, whatever the tuning) and "winograd" (F(2x2, 3x3): the forward and
 * backward-data of 3x3 stride-1 convs, on devices with CONV_VEC); the rule is
 * cl_conv.c's, implicit-gemm is forced through CONVKIT_CL_TUNING with the
 * device's tiles, winograd and direct-vec through CONVKIT_CL_WINOGRAD=on / off.
 * implicit-gemm's backward-weights may split K into slices (split-K,
 * cl_conv_split_k.c): still "implicit-gemm"; CONVKIT_CL_SPLIT_K, inherited by
 * every context, forces the slices, and the context's description (recorded
 * with the results) ends in "split-K auto" or "split-K S".
 * Pooling, batch norm and GEMM have one algorithm per backend: NULL here.
 */
#ifndef CK_BENCH_ALGORITHMS_H
#define CK_BENCH_ALGORITHMS_H

#include "bench_case.h"

enum { BENCH_MAX_FORCED = 3 };

typedef struct bench_forced {
    const char *name;
    ck_context *ctx;
} bench_forced;

typedef struct bench_algorithms {
    ck_backend_kind backend;
    ck_context *ctx;     /* the context with the backend's own choice */
    int cl_conv_vec;     /* OpenCL: CONV_VEC of ctx's tuning (0: implicit GEMM) */
    int forced_count;
    bench_forced forced[BENCH_MAX_FORCED];
    /* CPU: which forced algorithm runs which pass of `probed` (batch 1 tries) */
    const bench_shape *probed;
    int runs[BENCH_MAX_FORCED][3];
} bench_algorithms;

/**
 * What one pass of a shape runs: `chosen` names the algorithm of the auto
 * context (NULL for ops without a choice); `alternatives` index the forced
 * contexts of other algorithms that also run it.
 */
typedef struct bench_choice {
    const char *chosen;
    int alternatives[BENCH_MAX_FORCED];
    int alternative_count;
} bench_choice;

/**
 * Creates the auto context with `options` and the forced contexts of the
 * backend's algorithms. On failure nothing is left open and the message is
 * printed.
 */
ck_status bench_algorithms_open(bench_algorithms *algorithms, const ck_context_options *options);

/** Fills *choice for a pass of shape; fails only when a batch-1 try fails for a reason other than CK_ERR_UNSUPPORTED. */
ck_status bench_algorithms_choose(bench_algorithms *algorithms, const bench_shape *shape, bench_pass pass,
                                  bench_choice *choice);

void bench_algorithms_close(bench_algorithms *algorithms);

#endif
