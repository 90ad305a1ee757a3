/*
 * cl_tuning.h — the kernel parameters (the -D defines of Kernels/gemm.cl,
 * conv2d.cl and conv2d_direct.cl) the OpenCL backend uses on a device: from
 * the table in cl_tuning.c, keyed vendor -> device name -> defaults, which the tuner
 * (ck-bench --tune, Benchmarks/ConvBench/tune.c) fills; or from the
 * environment variable CONVKIT_CL_TUNING (the tuner's way to try candidates).
 */
#ifndef CK_OPENCL_TUNING_H
#define CK_OPENCL_TUNING_H

#include "opencl/cl_devices.h"
#include "opencl/cl_split_k.h"

typedef struct ck_cl_tuning {
    /* Tiled GEMM (common/tiled_gemm.cl: gemm, the implicit-GEMM convs): a TILE_M x TILE_N block
       per work group of (TILE_N / WORK_N) x (TILE_M / WORK_M) items, K in TILE_K slices. */
    int tile_m, tile_n, tile_k, work_m, work_n;
    /* The direct conv kernels (conv2d.cl: conv2d_forward_flat / _vec, conv2d_backward_weights_vec):
       vectors of CONV_VEC output positions, CONV_BLOCK output channels per forward work item;
       both 0 = every conv pass on the implicit GEMM instead. */
    int conv_vec, conv_block;
    /* Winograd F(2x2, 3x3) for the forward and backward-data of 3x3 stride-1 convs
       (Kernels/conv2d_winograd.cl, on devices with CONV_VEC): 0 = off (the direct kernels); n >= 1 =
       on for the convs whose input and output channels are both at least n (its transforms cost
       about 1/C + 1/O of the GEMM they save; 1 = every such conv). The table's eighth number (0
       where left out); the environment variable CONVKIT_CL_WINOGRAD (on = 1, off = 0, or n; read
       when a context is created) overrides it. */
    int winograd;
    /* Split-K of the implicit-GEMM backward-weights (cl_conv_split_k.c): 0 = the slices
       ck_cl_split_k_slices chooses per call (cl_split_k.h), n > 0 = always n slices. The table's
       ninth number (0 in every row); the environment variable CONVKIT_CL_SPLIT_K (auto, or a whole
       number 1...CK_CL_MAX_SPLIT_K; read when a context is created) overrides it. */
    int split_k;
} ck_cl_tuning;

/** One row of the table: a device whose vendor and name contain these texts (case-insensitive; "" = any). */
typedef struct ck_cl_tuning_entry {
    const char *vendor, *device;
    ck_cl_tuning tuning;
} ck_cl_tuning_entry;

/**
 * The tuning of `device`: CONVKIT_CL_TUNING when set, else the one saved for
 * the device and its driver (ck_opencl_save_tuning), else the first table
 * row that matches, else the defaults of the device type; `origin` says
 * which ("tuning from the tuning table", "saved tuning <path>", ..., with a
 * note when a saved file was ignored). A malformed or impossible
 * CONVKIT_CL_TUNING (tiles that do not divide, a work group past the
 * device's limit, too much local memory) fails with CK_ERR_INVALID_ARGUMENT,
 * message set on ctx; a saved file that is damaged, another device's, or
 * impossible is ignored, and `origin` says why.
 */
ck_status ck_cl_tuning_for(ck_context *ctx, const ck_cl_device *device, ck_cl_tuning *out, char *origin,
                           size_t capacity);

/**
 * "tiles 32x32x16/4x4, direct conv 8 x 8, winograd off, split-K auto" — the tuning in the text CONVKIT_CL_TUNING
 * takes is "32,32,16,4,4,8,8".
 */
void ck_cl_tuning_describe(const ck_cl_tuning *tuning, char *out, size_t capacity);

#endif
