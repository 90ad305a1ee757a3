/*
 * cl_backend.h — the OpenCL backend's state and the helpers its files share.
 *
 * One ConvKit context on OpenCL owns one cl_context on one device, one
 * in-order command queue and a cache of built programs. Ops enqueue kernels
 * and return; the host waits only when it reads a buffer (or calls
 * ck_context_finish). Buffers are cl_mem objects (ck_buffer.device); a tensor
 * is passed to a kernel as its buffer plus an element offset.
 */
#ifndef CK_OPENCL_BACKEND_H
#define CK_OPENCL_BACKEND_H

#ifndef CL_TARGET_OPENCL_VERSION
#define CL_TARGET_OPENCL_VERSION 120
#endif
#include <CL/cl.h>
#include <pthread.h>

#include "core/internal.h"
#include "opencl/cl_devices.h"
#include "opencl/cl_memory.h"
#include "opencl/cl_program.h"
#include "opencl/cl_tuning.h"

/**
 * The label check of the loss ops (cl_loss.c), which never waits: the
 * device status {row, label, op, classes} (row -1: none pending), and its
 * copy the next wait reads.
 */
typedef struct ck_cl_label_check {
    cl_mem status;  /* made on the first loss op */
    int pending;    /* a loss op ran since the last wait */
    int reading;    /* the status is being read into host[] with the wait's data */
    cl_int host[4];
} ck_cl_label_check;

typedef struct ck_cl_state {
    cl_context context;
    cl_command_queue queue;
    cl_device_id device;
    int32_t device_index;
    const ck_cl_device *info; /* the device's names and limits (cl_devices.c) */
    /** Build options every program gets on this device ("-cl-fp32-correctly-rounded-divide-sqrt" when offered). */
    char device_options[64];
    ck_cl_tuning tuning; /* kernel parameters for this device (cl_tuning.c) */
    /**
     * This context's op table: every op has a kernel, except those the
     * environment variable CONVKIT_OPENCL_FALLBACK (a comma-separated list
     * of op names, read when the context is created) sends to the CPU backend
     * — to compare a kernel with the CPU, and to test the fallback.
     */
    ck_backend_ops ops;
    pthread_mutex_t lock; /* the program cache, and setting a kernel's arguments until it is enqueued */
    ck_cl_program_cache programs;
    char cache_dir[1024]; /* the on-disk program cache (cl_disk_cache.h); "" = off */
    ck_cl_pool pool;
    ck_cl_label_check labels;
} ck_cl_state;

static inline ck_cl_state *ck_cl(ck_backend *backend) { return (ck_cl_state *)backend->state; }

/** "CL_OUT_OF_RESOURCES", ... for an OpenCL error code. */
const char *ck_cl_error_name(cl_int code);

/** Flags of ck_cl_report. */
#define CK_CL_INJECTED 1   /* the failure was injected by CONVKIT_FAULT (core/fault.h) */
#define CK_CL_ALLOCATING 2 /* an allocation: CL_OUT_OF_RESOURCES means out of memory there */

/**
 * Records "<what>: <OpenCL call> failed with <code> on <device>" and returns
 * the matching status: CK_ERR_OUT_OF_MEMORY for the codes of a failed
 * allocation, else CK_ERR_DEVICE.
 */
ck_status ck_cl_report(ck_backend *backend, const char *what, const char *call, cl_int code, int flags);

/** ck_cl_report without flags. */
ck_status ck_cl_fail(ck_backend *backend, const char *what, const char *call, cl_int code);

/* ------------------------------------------------------------------------ */
/* Kernel launches (cl_launch.c)                                              */
/* ------------------------------------------------------------------------ */

/** One kernel argument: `size` bytes at `value` (cl_mem, int, float, ...). */
typedef struct ck_cl_arg {
    size_t size;
    const void *value;
} ck_cl_arg;

#define CK_CL_ARG(lvalue) ((ck_cl_arg){sizeof(lvalue), &(lvalue)})

/** A tensor as kernels take it: the buffer and the offset of its first element, in elements. */
typedef struct ck_cl_view {
    cl_mem mem;
    int32_t offset;
} ck_cl_view;

/** The view of a validated float32 or int32 tensor (ck_cl_require_int_sized checked its extent). */
ck_cl_view ck_cl_view_of(const ck_tensor *t);

/** The view of an optional tensor, or of `fallback` (a valid buffer the kernel does not touch) when t is NULL. */
ck_cl_view ck_cl_view_or(const ck_tensor *t, const ck_tensor *fallback);

/**
 * CK_OK when every non-NULL tensor's offset + element count fits in int32
 * (kernels index with 32-bit integers); else CK_ERR_UNSUPPORTED, message set.
 */
ck_status ck_cl_require_int_sized(ck_backend *backend, const char *op, const ck_tensor *const *tensors, int count);

#define CK_CL_REQUIRE_INT_SIZED(backend, op, ...)                                                         \
    do {                                                                                                  \
        const ck_tensor *const ck_cl_list_[] = {__VA_ARGS__};                                            \
        ck_status ck_cl_status_ = ck_cl_require_int_sized((backend), (op), ck_cl_list_,                   \
                                                          (int)(sizeof ck_cl_list_ / sizeof ck_cl_list_[0])); \
        if (ck_cl_status_ != CK_OK) return ck_cl_status_;                                                 \
    } while (0)

/** Work items per group along dimension 0 when a launch names none. */
#define CK_CL_DEFAULT_GROUP 64

/**
 * Enqueues kernel `kernel` of `program` (built on first use) over a
 * `dims`-dimensional range: `global` work items in groups of `local` (NULL:
 * CK_CL_DEFAULT_GROUP x 1 x 1), global rounded up to a multiple of the group,
 * so kernels check their bounds. `op` names the ConvKit op in error messages.
 */
ck_status ck_cl_launch(ck_backend *backend, const char *op, ck_cl_program_id program, const char *kernel,
                       cl_uint dims, const size_t *global, const size_t *local, const ck_cl_arg *args,
                       cl_uint arg_count);

/**
 * Launches a kernel built on the tiled GEMM core (Kernels/common/tiled_gemm.cl)
 * over an m x n result, `batches` times along dimension 2 (conv groups): one
 * work group per TILE_M x TILE_N block of the context's tuning.
 */
ck_status ck_cl_launch_tiled(ck_backend *backend, const char *op, ck_cl_program_id program, const char *kernel,
                             int64_t m, int64_t n, int64_t batches, const ck_cl_arg *args, cl_uint arg_count);

/** A validated dimension as a kernel int argument (ck_cl_require_int_sized bounds the tensors it comes from). */
static inline int32_t ck_cl_int(int64_t value) { return (int32_t)value; }

#endif
