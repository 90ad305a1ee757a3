/*
 * shapes.h — the shapes ck-bench measures, grouped in sets, and the work each
 * pass does.
 *
 * Sets: "core", a fixed handful (ResNet / MobileNet / decoder layers, one
 * pooling of each mode, a batch norm and a square GEMM); "catalog", every
 * conv layer of whole networks at batch 1 and 32 with their pooling, batch
 * norm and dense layers (catalog.c). Names are stable
 * ("resnet50/layer3.0.conv2/b32"): results and baselines match by name.
 *
 * Work is counted the same way by Benchmarks/bench_shapes.py, so rates compare:
 *  - conv: 2·N·O·OH·OW·(C/g)·KH·KW FLOPs for each of forward, backward-data
 *    and backward-weights (x: N,C,H,W; y: N,O,OH,OW);
 *  - transposed conv: the same count for the conv it is the adjoint of, that
 *    is with x and y swapped: 2·N·C·H·W·(O/g)·KH·KW;
 *  - GEMM, a dense layer x (N, C) · w (O, C)ᵀ = y (N, O): 2·N·C·O FLOPs for
 *    forward (y), backward-data (dx = dy · w) and backward-weights (dw = dyᵀ · x);
 *  - pooling: bytes of the tensors a pass must read and write, float32:
 *    forward x + y; backward dy + dx, plus x for max (it finds the maximum again);
 *  - batch norm (training mode): bytes at least moved, float32: forward x + y,
 *    backward x + dy + dx (the per-channel vectors are negligible).
 */
#ifndef CK_BENCH_SHAPES_H
#define CK_BENCH_SHAPES_H

#include <stdint.h>

#include "convkit.h"

typedef enum bench_kind { BENCH_CONV, BENCH_CONV_TRANSPOSE, BENCH_POOL, BENCH_BATCHNORM, BENCH_GEMM } bench_kind;

/** Convs and GEMM have all three passes; pooling and batch norm BENCH_FORWARD and BENCH_BACKWARD_DATA ("backward"). */
typedef enum bench_pass { BENCH_FORWARD, BENCH_BACKWARD_DATA, BENCH_BACKWARD_WEIGHTS } bench_pass;

/** A bit per set, so --set all is both. */
enum { BENCH_SET_CORE = 1, BENCH_SET_CATALOG = 2 };

typedef struct bench_shape {
    char name[80];           /* stable id: --filter, JSON, baselines */
    char description[200];   /* where the shape comes from */
    char network[24];        /* "resnet50", ...; "core" for the core set */
    bench_kind kind;
    int set;                 /* BENCH_SET_CORE or BENCH_SET_CATALOG */
    int occurrences;         /* layers of exactly this shape in the network (1 in the core set) */
    int64_t n;               /* batch (--quick uses bench_quick_batch(n)); GEMM: rows of x */
    int64_t c, h, w;         /* input x: (N, C, H, W); GEMM: x (N, C), h = w = 1 */
    int64_t o;               /* conv / transposed conv output channels; GEMM: w (O, C) */
    int32_t kernel, stride, pad, groups; /* square kernel, symmetric padding */
    ck_pool_mode pool_mode;  /* BENCH_POOL only */
} bench_shape;

/** A growable list of shapes. */
typedef struct bench_shape_list {
    bench_shape *items;
    int count, capacity;
} bench_shape_list;

/** Appends a copy of `shape`; returns it, or NULL when out of memory. */
bench_shape *bench_shape_list_add(bench_shape_list *list, const bench_shape *shape);
void bench_shape_list_free(bench_shape_list *list);

/** Appends the core set (shapes.c). Returns 0, or -1 when out of memory. */
int bench_add_core_shapes(bench_shape_list *list);

/** The smaller batch --quick runs with: n / 8, at least 1. */
int64_t bench_quick_batch(int64_t n);

/** Passes a shape has: 3 for convs and GEMM, 2 for pooling and batch norm. */
int bench_pass_count(const bench_shape *shape);
/** "forward", "backward_data", "backward_weights"; pooling and batch norm: "forward", "backward". */
const char *bench_pass_name(const bench_shape *shape, bench_pass pass);
/** The convkit.h op a pass calls (for its op counters). */
ck_op bench_pass_op(const bench_shape *shape, bench_pass pass);
/** "conv2d", "conv_transpose2d", "pool2d", "batchnorm2d", "gemm". */
const char *bench_kind_name(bench_kind kind);

/** Whether a pass is bound by memory traffic (rate in GB/s) rather than arithmetic (GFLOP/s). */
int bench_is_memory_bound(const bench_shape *shape);
/** "GFLOP/s" or "GB/s". */
const char *bench_rate_unit(const bench_shape *shape);
/** FLOPs or bytes of one pass at batch n; see the header comment. */
double bench_work(const bench_shape *shape, bench_pass pass, int64_t n);

/** Weight dims: conv (O, C/g, K, K); transposed (C, O/g, K, K); GEMM (O, C, 1, 1). Pooling and batch norm have none. */
void bench_weight_dims(const bench_shape *shape, int64_t w_dims[4]);
/** Output dims (N, O or C, OH, OW) at batch n; GEMM (N, O, 1, 1). */
void bench_output_dims(const bench_shape *shape, int64_t n, int64_t y_dims[4]);

/** The op parameters a shape stands for. */
ck_conv2d_params bench_conv_params(const bench_shape *shape);
ck_conv_transpose2d_params bench_conv_transpose_params(const bench_shape *shape);
ck_pool2d_params bench_pool_params(const bench_shape *shape);

#endif
