/*
 * shapes.h — the shapes ck-bench measures, and the work each pass does.
 *
 * Work is counted the same way by Benchmarks/torch_peer.py, so rates compare:
 *  - conv: 2·N·O·OH·OW·(C/g)·KH·KW FLOPs for each of forward, backward-data
 *    and backward-weights (x: N,C,H,W; y: N,O,OH,OW);
 *  - transposed conv: the same count for the conv it is the adjoint of, that
 *    is with x and y swapped: 2·N·C·H·W·(O/g)·KH·KW;
 *  - pooling: bytes of the tensors a pass must read and write, float32:
 *    forward x + y; backward dy + dx, plus x for max (it finds the maximum again).
 */
#ifndef CK_BENCH_SHAPES_H
#define CK_BENCH_SHAPES_H

#include <stdint.h>

#include "convkit.h"

typedef enum bench_kind { BENCH_CONV, BENCH_CONV_TRANSPOSE, BENCH_POOL } bench_kind;

/** Conv passes are all three; pooling has BENCH_FORWARD and BENCH_BACKWARD_DATA ("backward"). */
typedef enum bench_pass { BENCH_FORWARD, BENCH_BACKWARD_DATA, BENCH_BACKWARD_WEIGHTS } bench_pass;

typedef struct bench_shape {
    const char *name;        /* short id, used by --filter and in JSON */
    const char *description; /* where the shape comes from */
    bench_kind kind;
    int64_t n;               /* batch (--quick uses bench_quick_batch(n)) */
    int64_t c, h, w;         /* input x: (N, C, H, W) */
    int64_t o;               /* conv / transposed conv output channels */
    int32_t kernel, stride, pad, groups; /* square kernel, symmetric padding */
    ck_pool_mode pool_mode;  /* BENCH_POOL only */
} bench_shape;

extern const bench_shape bench_shapes[];
extern const int bench_shape_count;

/** The smaller batch --quick runs with: n / 8, at least 1. */
int64_t bench_quick_batch(int64_t n);

/** Passes a shape has: 3 for convs, 2 for pooling. */
int bench_pass_count(const bench_shape *shape);
/** "forward", "backward_data", "backward_weights"; pooling: "forward", "backward". */
const char *bench_pass_name(const bench_shape *shape, bench_pass pass);
/** The convkit.h op a pass calls (for its op counters). */
ck_op bench_pass_op(const bench_shape *shape, bench_pass pass);

/** "GFLOP/s" for convs, "GB/s" for pooling. */
const char *bench_rate_unit(const bench_shape *shape);
/** FLOPs (convs) or bytes (pooling) of one pass at batch n; see the header comment. */
double bench_work(const bench_shape *shape, bench_pass pass, int64_t n);

/** Weight dims: conv (O, C/g, K, K); transposed (C, O/g, K, K). Pooling has none. */
void bench_weight_dims(const bench_shape *shape, int64_t w_dims[4]);
/** Output dims (N, O or C, OH, OW) at batch n. */
void bench_output_dims(const bench_shape *shape, int64_t n, int64_t y_dims[4]);

/** The op parameters a shape stands for. */
ck_conv2d_params bench_conv_params(const bench_shape *shape);
ck_conv_transpose2d_params bench_conv_transpose_params(const bench_shape *shape);
ck_pool2d_params bench_pool_params(const bench_shape *shape);

#endif
