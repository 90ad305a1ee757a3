/*
 * cl_split_k.h — how many slices of K the implicit-GEMM conv2d
 * backward-weights splits into (split-K, cl_conv_split_k.c). Plain C with no
 * OpenCL types, so the op suite (Tests/COpSuite/suite_conv2d_split_k.c) can
 * check the rule's choice on example shapes.
 *
 * Backward-weights is, per group, the GEMM dw (M x N) = dy (M x K) *
 * patches^T (K x N) with M = O/G, N = C/G*KH*KW and K = N*OH*OW: early layers
 * and small batches give few M x N tiles but a long K (ResNet-50's 7x7 stem
 * at batch 32: M = 64, N = 147, K = 401408, 10 work groups of 32 x 32), so
 * most compute units of a GPU would idle. Each of S slices then sums its part
 * of K into scratch, and conv2d_sum_partials adds the S partial sums.
 */
#ifndef CK_OPENCL_SPLIT_K_H
#define CK_OPENCL_SPLIT_K_H

#include <stdint.h>

/** The most slices, chosen or forced (CONVKIT_CL_SPLIT_K). */
#define CK_CL_MAX_SPLIT_K 1024

/*
 * Work groups the rule aims for per compute unit: one per SIMD unit or warp
 * scheduler of a compute unit (AMD's GCN and CDNA compute units have 4 SIMD
 * units, NVIDIA's SMs since Maxwell 4 warp schedulers), so every one has a
 * group to issue from; the tiled core's groups are small (64 items and 4 KiB
 * of local memory with the default 32 x 32 x 16 tiles), so 4 fit in a compute
 * unit at once. A rule of thumb from those data sheets, not a measurement:
 * no GPU has run it yet.
 */
#define CK_CL_SPLIT_K_GROUPS_PER_UNIT 4

/*
 * The fewest TILE_K steps a slice gets (all but the last, which takes the
 * rest): a slice's fixed work (zeroing its registers, storing its TILE_M x
 * TILE_N partial sum, which conv2d_sum_partials reads back) costs about the
 * memory traffic of one step, so 8 steps keep it to an eighth of the slice.
 */
#define CK_CL_SPLIT_K_MIN_STEPS 8

/**
 * The slices S of K for `groups` GEMMs of m x n over k, in tiles of
 * tile_m x tile_n walked in tile_k steps, on a device of `compute_units`:
 * 1 when the groups x ceil(m / tile_m) x ceil(n / tile_n) work groups
 * already give every compute unit CK_CL_SPLIT_K_GROUPS_PER_UNIT; else
 * enough slices for that, S = ceil(units x GROUPS_PER_UNIT / work groups),
 * but no more than ceil(k / tile_k) / CK_CL_SPLIT_K_MIN_STEPS (each slice
 * keeps its MIN_STEPS steps) nor CK_CL_MAX_SPLIT_K, and at least 1.
 */
int32_t ck_cl_split_k_slices(int32_t compute_units, int64_t m, int64_t n, int64_t k, int64_t groups, int32_t tile_m,
                             int32_t tile_n, int32_t tile_k);

#endif
