/*
 * cl_program.h — the OpenCL programs of the backend and their caches.
 *
 * A program is one op-family file of Kernels/ (elementwise.cl, gemm.cl, ...)
 * with the shared helpers of Kernels/common/ in front, built with the
 * options of its entry in cl_program.c (the -D defines of the context's
 * tuning, cl_tuning.h). Sources come from the copy embedded at build time
 * (kernels_embedded.c, scripts/embed-kernels.sh), or from the folder named by
 * the environment variable CONVKIT_KERNEL_DIR when it is set (for kernel
 * work: edit, rerun, no rebuild). Programs are built on first use and cached
 * per context, keyed by (device, source hash, build options); a context reads
 * its sources once, on a program's first use. Built programs are also kept
 * on disk (cl_disk_cache.c), so a new process skips the compiler.
 */
#ifndef CK_OPENCL_PROGRAM_H
#define CK_OPENCL_PROGRAM_H

#ifndef CL_TARGET_OPENCL_VERSION
#define CL_TARGET_OPENCL_VERSION 120
#endif
#include <CL/cl.h>
#include <stdint.h>

#include "core/backend.h"

typedef enum ck_cl_program_id {
    CK_CL_PROGRAM_ELEMENTWISE, /* Kernels/elementwise.cl: fill, copy, add, ..., activations, bias */
    CK_CL_PROGRAM_GEMM,        /* Kernels/gemm.cl */
    CK_CL_PROGRAM_CONV2D,      /* Kernels/conv2d.cl: implicit GEMM, depthwise-like direct */
    CK_CL_PROGRAM_CONV2D_DIRECT, /* Kernels/conv2d_direct.cl: vector kernels (devices with CONV_VEC) */
    CK_CL_PROGRAM_CONV2D_WINOGRAD, /* Kernels/conv2d_winograd.cl: F(2x2, 3x3) (devices with CONV_VEC) */
    CK_CL_PROGRAM_CONV2D_DEPTHWISE, /* Kernels/conv2d_depthwise.cl: C == G (devices with CONV_VEC) */
    CK_CL_PROGRAM_POOL2D,      /* Kernels/pool2d.cl */
    CK_CL_PROGRAM_BATCHNORM,   /* Kernels/batchnorm.cl */
    CK_CL_PROGRAM_OPTIM,       /* Kernels/optim.cl: SGD, Adam, RMSprop */
    CK_CL_PROGRAM_REDUCE,      /* Kernels/reduce.cl: reduce_sum, permute */
    CK_CL_PROGRAM_LOSS,        /* Kernels/loss.cl: softmax cross-entropy */
    CK_CL_PROGRAM_DROPOUT,     /* Kernels/dropout.cl: Philox-4x32-10 dropout */
    CK_CL_PROGRAM_COUNT
} ck_cl_program_id;

#define CK_CL_MAX_OPTIONS 256 /* bytes of a program's build options */
#define CK_CL_MAX_KERNELS 12 /* kernels one program may hand out */
#define CK_CL_MAX_PROGRAMS 16 /* cache entries per context (programs × source versions) */

typedef struct ck_cl_kernel_entry {
    char name[64];
    cl_kernel kernel;
} ck_cl_kernel_entry;

typedef struct ck_cl_program_entry {
    cl_device_id device;
    uint64_t source_hash;
    char options[CK_CL_MAX_OPTIONS];
    cl_program program;
    ck_cl_kernel_entry kernels[CK_CL_MAX_KERNELS];
    int kernel_count;
} ck_cl_program_entry;

typedef struct ck_cl_program_cache {
    ck_cl_program_entry entries[CK_CL_MAX_PROGRAMS];
    int count;
    /** The entry each program resolved to on its first use: later launches skip loading and hashing sources. */
    ck_cl_program_entry *current[CK_CL_PROGRAM_COUNT];
} ck_cl_program_cache;

/**
 * The kernel `name` of `program`, building the program on first use. On a
 * build failure: CK_ERR_DEVICE, and the message names the op, the file, the
 * device and the start of the build log; the next use tries again. The
 * caller holds the state's lock.
 */
ck_status ck_cl_get_kernel(ck_backend *backend, const char *op, ck_cl_program_id program, const char *name,
                           cl_kernel *out_kernel);

/** Releases every kernel and program of the cache. */
void ck_cl_program_cache_clear(ck_cl_program_cache *cache);

/* ------------------------------------------------------------------------ */
/* Kernel sources (cl_sources.c, kernels_embedded.c)                          */
/* ------------------------------------------------------------------------ */

/** One file of Kernels/ as embedded at build time: its path under Kernels/ and its text. */
typedef struct ck_cl_embedded_file {
    const char *path;
    const char *text;
} ck_cl_embedded_file;

extern const ck_cl_embedded_file ck_cl_embedded_files[];
extern const int ck_cl_embedded_file_count;

/**
 * The text of Kernels/<path>: read from $CONVKIT_KERNEL_DIR/<path> when that
 * variable is set and not empty, else the embedded copy. *out_text is
 * malloc'd (the caller frees it). On failure: CK_ERR_INVALID_ARGUMENT (no
 * such file) or CK_ERR_OUT_OF_MEMORY, message set naming `op` and the path.
 */
ck_status ck_cl_load_source(ck_backend *backend, const char *op, const char *path, char **out_text);

#endif
