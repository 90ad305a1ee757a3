/*
 * convkit.h — the C ABI of libconvkit.
 *
 * Conventions
 *  - Plain C11. Every operation returns a ck_status; CK_OK is 0. On failure the
 *    context's last-error string (ck_last_error) says what was wrong and where.
 *    Nothing aborts or exits across this ABI, whatever the input.
 *  - Tensors are dense, row-major, NCHW. Conv weights are OIHW
 *    (out_channels, in_channels / groups, kernel_h, kernel_w); transposed-conv
 *    weights are IOHW (in_channels, out_channels / groups, kernel_h, kernel_w),
 *    as in PyTorch, so state dicts map one to one.
 *  - Output sizes follow PyTorch exactly (see ck_conv_output_size and
 *    ck_pool_output_size). TensorFlow / ONNX "SAME" padding maps to per-side
 *    padding through ck_same_padding.
 *  - Gradient outputs take a `beta`: out = computed + beta * out. With beta == 0
 *    the previous contents are ignored entirely (NaN in them does not leak).
 *  - Buffers belong to one context. A tensor is a view: a buffer, a byte offset
 *    into it, a dtype and a shape.
 */
#ifndef CONVKIT_H
#define CONVKIT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32) && defined(CONVKIT_SHARED_BUILD)
#define CK_API __declspec(dllexport)
#elif defined(__GNUC__)
#define CK_API __attribute__((visibility("default")))
#else
#define CK_API
#endif

#define CONVKIT_VERSION_MAJOR 0
#define CONVKIT_VERSION_MINOR 1
#define CONVKIT_VERSION_PATCH 0

/** Library version as "MAJOR.MINOR.PATCH". */
CK_API const char *ck_version(void);

/* ------------------------------------------------------------------------ */
/* Status and errors                                                          */
/* ------------------------------------------------------------------------ */

typedef enum ck_status {
    CK_OK = 0,
    CK_ERR_INVALID_ARGUMENT = 1, /* null pointer, bad enum, bad parameter value */
    CK_ERR_SHAPE_MISMATCH = 2,   /* tensor shapes inconsistent with each other */
    CK_ERR_UNSUPPORTED = 3,      /* valid request this backend/dtype cannot do */
    CK_ERR_OUT_OF_MEMORY = 4,
    CK_ERR_OVERFLOW = 5,         /* a size computation overflows size_t/int64 */
    CK_ERR_OUT_OF_BOUNDS = 6,    /* a tensor view does not fit in its buffer */
    CK_ERR_DEVICE = 7,           /* the device or its runtime failed */
    CK_ERR_INTERNAL = 8,
    CK_ERR_IO = 9                /* a file could not be written (ck_opencl_save_tuning) */
} ck_status;

/** A short fixed name for a status ("invalid argument", ...). */
CK_API const char *ck_status_string(ck_status status);

typedef struct ck_context ck_context;

/**
 * The last error message recorded on `ctx` by a call on this thread's behalf,
 * or "" if none. With ctx == NULL: the last error of a call that had no
 * context (ck_context_create, shape helpers called with NULL) on this thread.
 * The string stays valid until the next failing call on the same context.
 */
CK_API const char *ck_last_error(const ck_context *ctx);

/* ------------------------------------------------------------------------ */
/* Contexts                                                                   */
/* ------------------------------------------------------------------------ */

typedef enum ck_backend_kind {
    CK_BACKEND_AUTO = 0,      /* best available: OpenCL GPU, else CPU (see ck_context_options.device) */
    CK_BACKEND_CPU = 1,       /* OpenBLAS sgemm + SIMD kernels, thread pool */
    CK_BACKEND_REFERENCE = 2, /* naive loops, double accumulation: the oracle */
    CK_BACKEND_OPENCL = 3     /* an OpenCL device; ops it lacks run on the CPU backend, counted */
} ck_backend_kind;

typedef struct ck_context_options {
    ck_backend_kind backend;
    /**
     * Worker threads for the CPU backend (and for the ops an OpenCL context
     * runs on the CPU); 0 = one per online core.
     */
    int32_t num_threads;
    /**
     * Which device, as a device spec (NULL or "" = the default):
     *   "auto"              the first OpenCL GPU, else the first OpenCL
     *                       accelerator, else the CPU backend (an OpenCL CPU
     *                       device such as PoCL is only taken when named);
     *   "cpu", "reference"  those backends;
     *   "opencl"            the first OpenCL device (GPU first, then any);
     *   "opencl:N"          OpenCL device N, in ck_opencl_device_name order;
     *   "opencl:TEXT"       the first OpenCL device whose platform or device
     *                       name contains TEXT (case-insensitive).
     * With backend CK_BACKEND_AUTO the spec picks the backend; when it is
     * NULL or "", the environment variable CONVKIT_DEVICE (same syntax) does,
     * else "auto". With CK_BACKEND_OPENCL it picks the OpenCL device ("N",
     * "TEXT" or the forms above starting with "opencl"); CPU and REFERENCE
     * ignore it. An unknown spec or a device that is not there fails with
     * CK_ERR_INVALID_ARGUMENT and a message listing the devices.
     */
    const char *device;
} ck_context_options;

/** Fills `options` with defaults (auto backend, all cores). */
CK_API void ck_context_options_init(ck_context_options *options);

/**
 * Creates a context (one device + queue). options may be NULL (defaults).
 * The CPU backend uses its AVX2/FMA kernels when the processor has them;
 * the environment variable CONVKIT_CPU_SIMD=portable selects the portable
 * kernels instead (auto, the default, detects). CONVKIT_CPU_CONV picks its
 * conv algorithm (for conv2d and transposed conv2d; benchmarks compare them):
 * auto (the default: depthwise kernels when each output channel reads one
 * input channel, else the direct kernels for 2 to 4 input channels per group
 * on AVX2, forward and backward-weights, else im2col + sgemm), gemm (im2col +
 * sgemm for every conv), direct or depthwise (only those kernels: a conv or
 * pass they do not run fails with CK_ERR_UNSUPPORTED). The OpenCL backend reads, when
 * a context is created (CONVKIT_KERNEL_DIR: when it builds a program;
 * Kernels/README.md has the details):
 *   CONVKIT_PROGRAM_CACHE=off   no built programs kept on disk (default: kept
 *                               in $XDG_CACHE_HOME/convkit or ~/.cache/convkit);
 *   CONVKIT_CL_TUNING=...       kernel parameters instead of the tuning table's
 *                               (TILE_M,TILE_N,TILE_K,WORK_M,WORK_N,CONV_VEC,CONV_BLOCK);
 *   CONVKIT_OPENCL_FALLBACK=... ops to run on the CPU backend (names, or all);
 *   CONVKIT_KERNEL_DIR=...      kernel sources from a folder, not the embedded copy;
 *   CONVKIT_FAULT=...           a test hook: one injected failure (build, alloc
 *                               or enqueue, optionally :OP).
 * A malformed CONVKIT_CL_TUNING, an unknown op in CONVKIT_OPENCL_FALLBACK or
 * an unknown CONVKIT_CPU_SIMD / CONVKIT_CPU_CONV fails with CK_ERR_INVALID_ARGUMENT.
 */
CK_API ck_status ck_context_create(const ck_context_options *options, ck_context **out_context);

/** Destroys a context. Buffers created on it must be destroyed first. NULL is a no-op. */
CK_API void ck_context_destroy(ck_context *ctx);

/** The backend actually in use ("cpu", "reference", ...). */
CK_API ck_backend_kind ck_context_backend(const ck_context *ctx);
CK_API const char *ck_backend_name(ck_backend_kind kind);

/**
 * One line saying what the context computes on, e.g. "cpu: 8 threads, AVX2/FMA"
 * or "opencl: device 0, GPU: NVIDIA GeForce RTX 3080 (NVIDIA CUDA, OpenCL 3.0);
 * 68 compute units, 10.0 GiB global, 48 KiB local, work groups <= 1024,
 * allocations <= 2.5 GiB, fp64; tiles ..." (the device's key limits and the
 * kernel parameters the OpenCL backend chose for it). Valid while the context lives.
 */
CK_API const char *ck_context_describe(const ck_context *ctx);

/**
 * OpenCL devices on this machine, over every platform, in the order
 * "opencl:N" counts them. 0 when there is no OpenCL platform (normal).
 */
CK_API int32_t ck_opencl_device_count(void);
/** "GPU: <device name> (<platform name>, <OpenCL version>)"; NULL when index is out of range. */
CK_API const char *ck_opencl_device_name(int32_t index);

/** What an OpenCL device is and its key limits (ck_opencl_device_info). */
typedef struct ck_device_info {
    char type[16];            /* "GPU", "CPU", "accelerator" or "device" */
    char name[128];           /* CL_DEVICE_NAME */
    char vendor[128];         /* CL_DEVICE_VENDOR */
    char platform[128];       /* CL_PLATFORM_NAME */
    char version[64];         /* "OpenCL 3.0": the start of CL_DEVICE_VERSION */
    char driver_version[64];  /* CL_DRIVER_VERSION */
    int32_t compute_units;    /* CL_DEVICE_MAX_COMPUTE_UNITS */
    int32_t fp64;             /* nonzero: double precision (cl_khr_fp64) */
    uint64_t global_memory_bytes;  /* CL_DEVICE_GLOBAL_MEM_SIZE */
    uint64_t local_memory_bytes;   /* CL_DEVICE_LOCAL_MEM_SIZE, per work group */
    uint64_t max_allocation_bytes; /* CL_DEVICE_MAX_MEM_ALLOC_SIZE: the largest buffer */
    uint64_t max_work_group_size;  /* CL_DEVICE_MAX_WORK_GROUP_SIZE */
} ck_device_info;

/** Fills `out_info` for OpenCL device `index`; CK_ERR_INVALID_ARGUMENT when there is no such device. */
CK_API ck_status ck_opencl_device_info(int32_t index, ck_device_info *out_info);

/**
 * Saves kernel parameters for OpenCL device `index` on this machine (the
 * tuner, `ck-bench --tune --save`, calls it): `tuning` is
 * "TILE_M,TILE_N,TILE_K,WORK_M,WORK_N,CONV_VEC,CONV_BLOCK,WINOGRAD", as the
 * tuner prints it. Contexts made afterwards on that device, with that
 * driver, take it before the built-in table (CONVKIT_CL_TUNING still comes
 * first), and say so in ck_context_describe. The file goes to
 * $XDG_CACHE_HOME/convkit/tuning or ~/.cache/convkit/tuning, written to a
 * temporary name and renamed into place; its path is copied to `saved_path`
 * (capacity bytes; may be NULL). A tuning the device cannot run is refused
 * with CK_ERR_INVALID_ARGUMENT; a file that cannot be written is CK_ERR_IO.
 */
CK_API ck_status ck_opencl_save_tuning(int32_t index, const char *tuning, char *saved_path, size_t capacity);

/** Number of worker threads the context computes with. */
CK_API int32_t ck_context_num_threads(const ck_context *ctx);

/** Waits until every operation queued on the context has finished. */
CK_API ck_status ck_context_finish(ck_context *ctx);

/**
 * Device memory of a context. The OpenCL backend pools freed buffers by size
 * class and hands them out again; the CPU and reference backends report zeros.
 */
typedef struct ck_memory_stats {
    uint64_t live_bytes;         /* held by live buffers and in-flight scratch (rounded up to size classes) */
    uint64_t pooled_bytes;       /* freed, kept for reuse */
    uint64_t device_allocations; /* allocations the device made */
    uint64_t pool_reuses;        /* allocations served from the pool instead */
} ck_memory_stats;

CK_API ck_status ck_context_memory_stats(const ck_context *ctx, ck_memory_stats *out_stats);

/**
 * Copies between the host and a device context's buffers since the context
 * was made: ck_buffer_read and ck_buffer_write, and the copies a CPU fallback
 * makes of an op's buffers. Host-memory backends (CPU, reference) have no
 * device, so their counts stay 0. A training step that keeps to the device
 * reads only what the caller asks for (the loss).
 */
typedef struct ck_transfer_stats {
    uint64_t reads, read_bytes;   /* device -> host */
    uint64_t writes, write_bytes; /* host -> device */
} ck_transfer_stats;

CK_API ck_status ck_context_transfer_stats(const ck_context *ctx, ck_transfer_stats *out_stats);

/* ------------------------------------------------------------------------ */
/* Buffers and tensors                                                        */
/* ------------------------------------------------------------------------ */

typedef struct ck_buffer ck_buffer;

/** Allocates `bytes` (> 0) of device memory, uninitialized. */
CK_API ck_status ck_buffer_create(ck_context *ctx, size_t bytes, ck_buffer **out_buffer);
/** Frees a buffer. NULL is a no-op. */
CK_API void ck_buffer_destroy(ck_buffer *buffer);
CK_API size_t ck_buffer_size(const ck_buffer *buffer);
/** Copies host memory into the buffer at byte `offset`. */
CK_API ck_status ck_buffer_write(ck_context *ctx, ck_buffer *buffer, size_t offset, const void *src, size_t bytes);
/** Copies buffer bytes at `offset` to host memory; waits for pending work. */
CK_API ck_status ck_buffer_read(ck_context *ctx, const ck_buffer *buffer, size_t offset, void *dst, size_t bytes);

typedef enum ck_dtype {
    CK_F32 = 0,
    CK_F64 = 1, /* reference backend only: used for precise gradient checks */
    CK_I32 = 2  /* class labels */
} ck_dtype;

CK_API size_t ck_dtype_size(ck_dtype dtype);

#define CK_MAX_DIMS 8

/** A dense row-major tensor view on a buffer. */
typedef struct ck_tensor {
    ck_buffer *buffer;
    size_t offset; /* bytes from the start of the buffer */
    ck_dtype dtype;
    int32_t ndim;  /* 0 ... CK_MAX_DIMS; 0 is a scalar */
    int64_t dims[CK_MAX_DIMS];
} ck_tensor;

/** Convenience: a float32 NCHW view at offset 0. */
CK_API ck_tensor ck_tensor_4d(ck_buffer *buffer, int64_t n, int64_t c, int64_t h, int64_t w);
/** Convenience: a view of `ndim` dims at offset 0. */
CK_API ck_tensor ck_tensor_nd(ck_buffer *buffer, ck_dtype dtype, int32_t ndim, const int64_t *dims);

/* ------------------------------------------------------------------------ */
/* Size helpers (PyTorch-exact). Return 0 when the size would be < 1 or a    */
/* parameter is invalid.                                                      */
/* ------------------------------------------------------------------------ */

/** floor((in + pad_begin + pad_end - dilation*(kernel-1) - 1) / stride) + 1 */
CK_API int64_t ck_conv_output_size(int64_t in, int64_t kernel, int64_t stride,
                                   int64_t pad_begin, int64_t pad_end, int64_t dilation);

/** (in-1)*stride - pad_begin - pad_end + dilation*(kernel-1) + output_padding + 1 */
CK_API int64_t ck_conv_transpose_output_size(int64_t in, int64_t kernel, int64_t stride,
                                             int64_t pad_begin, int64_t pad_end, int64_t dilation,
                                             int64_t output_padding);

/**
 * Pooling output size. Like ck_conv_output_size with floor, or with ceil when
 * ceil_mode != 0; in ceil mode a last window that would start in the end
 * padding is dropped (PyTorch's rule: (out-1)*stride >= in + pad_begin).
 */
CK_API int64_t ck_pool_output_size(int64_t in, int64_t kernel, int64_t stride,
                                   int64_t pad_begin, int64_t pad_end, int64_t dilation,
                                   int32_t ceil_mode);

/**
 * TensorFlow / ONNX "SAME" padding for one spatial axis: output = ceil(in/stride),
 * total = max((output-1)*stride + dilation*(kernel-1) + 1 - in, 0).
 * extra_at_begin == 0: the odd pixel goes to the end (TF "SAME", ONNX SAME_UPPER);
 * extra_at_begin != 0: to the start (ONNX SAME_LOWER).
 */
CK_API ck_status ck_same_padding(ck_context *ctx, int64_t in, int64_t kernel, int64_t stride,
                                 int64_t dilation, int32_t extra_at_begin,
                                 int32_t *pad_begin, int32_t *pad_end);

/* ------------------------------------------------------------------------ */
/* Convolution                                                                */
/* ------------------------------------------------------------------------ */

/** Pointwise activations: ck_activation_forward, and the fused epilogue of ck_conv2d_forward_fused. */
typedef enum ck_activation {
    CK_ACT_RELU = 0,
    CK_ACT_LEAKY_RELU = 1, /* alpha = negative slope */
    CK_ACT_SIGMOID = 2,
    CK_ACT_TANH = 3
} ck_activation;


typedef struct ck_conv2d_params {
    int32_t stride_h, stride_w;
    int32_t pad_top, pad_bottom, pad_left, pad_right;
    int32_t dilation_h, dilation_w;
    int32_t groups; /* depthwise: groups == in_channels (out = multiplier * in) */
} ck_conv2d_params;

/** stride 1, padding 0, dilation 1, groups 1. */
CK_API ck_conv2d_params ck_conv2d_params_default(void);

/** Output dims (N, O, OH, OW) of conv2d for x (N,C,H,W) and w (O,C/groups,KH,KW). */
CK_API ck_status ck_conv2d_output_dims(ck_context *ctx, const ck_conv2d_params *params,
                                       const int64_t x_dims[4], const int64_t w_dims[4],
                                       int64_t y_dims[4]);

/**
 * y = conv2d(x, w) + bias.
 * x: (N, C, H, W); w: (O, C/groups, KH, KW); bias: (O) or NULL; y: (N, O, OH, OW).
 */
CK_API ck_status ck_conv2d_forward(ck_context *ctx, const ck_conv2d_params *params,
                                   const ck_tensor *x, const ck_tensor *w, const ck_tensor *bias,
                                   const ck_tensor *y);

/** What ck_conv2d_forward_fused applies to each output after the bias. */
typedef struct ck_conv2d_epilogue {
    int32_t has_activation;   /* 0: none, the plain ck_conv2d_forward */
    ck_activation activation; /* as ck_activation_forward */
    float alpha;              /* CK_ACT_LEAKY_RELU's negative slope */
} ck_conv2d_epilogue;

/**
 * y = f(conv2d(x, w) + bias), f the epilogue's activation, applied as each
 * output is written: one pass over y instead of ck_conv2d_forward's plus
 * ck_activation_forward's, and no pre-activation tensor. Shapes as
 * ck_conv2d_forward; epilogue NULL (or has_activation 0) is ck_conv2d_forward.
 * Each y equals ck_activation_forward of ck_conv2d_forward's output on the
 * same backend. Backward: for ReLU, and LeakyReLU with alpha >= 0, f' at the
 * pre-activation equals f' at y, so ck_activation_backward(act, alpha, y, dy)
 * gives the gradient of conv2d's output from y alone.
 */
CK_API ck_status ck_conv2d_forward_fused(ck_context *ctx, const ck_conv2d_params *params,
                                         const ck_tensor *x, const ck_tensor *w, const ck_tensor *bias,
                                         const ck_conv2d_epilogue *epilogue, const ck_tensor *y);

/** dx = conv2d'(w, dy) + beta * dx. w: (O, C/g, KH, KW); dy: (N, O, OH, OW); dx: (N, C, H, W). */
CK_API ck_status ck_conv2d_backward_data(ck_context *ctx, const ck_conv2d_params *params,
                                         const ck_tensor *w, const ck_tensor *dy,
                                         float beta, const ck_tensor *dx);

/**
 * dw = dL/dw + beta * dw; dbias (O) = sum of dy over N, OH, OW + beta * dbias
 * (dbias may be NULL). x: (N, C, H, W); dy: (N, O, OH, OW); dw: (O, C/g, KH, KW).
 */
CK_API ck_status ck_conv2d_backward_weights(ck_context *ctx, const ck_conv2d_params *params,
                                            const ck_tensor *x, const ck_tensor *dy,
                                            float beta, const ck_tensor *dw, const ck_tensor *dbias);

/* ------------------------------------------------------------------------ */
/* Transposed convolution (the adjoint of conv2d with the same parameters)    */
/* ------------------------------------------------------------------------ */

typedef struct ck_conv_transpose2d_params {
    int32_t stride_h, stride_w;
    int32_t pad_top, pad_bottom, pad_left, pad_right;
    int32_t dilation_h, dilation_w;
    int32_t output_padding_h, output_padding_w; /* < max(stride, dilation) */
    int32_t groups;
} ck_conv_transpose2d_params;

CK_API ck_conv_transpose2d_params ck_conv_transpose2d_params_default(void);

/** Output dims (N, O, OH, OW) for x (N,C,H,W) and w (C, O/groups, KH, KW). */
CK_API ck_status ck_conv_transpose2d_output_dims(ck_context *ctx, const ck_conv_transpose2d_params *params,
                                                 const int64_t x_dims[4], const int64_t w_dims[4],
                                                 int64_t y_dims[4]);

/** x: (N, C, H, W); w: (C, O/groups, KH, KW) IOHW; bias: (O) or NULL; y: (N, O, OH, OW). */
CK_API ck_status ck_conv_transpose2d_forward(ck_context *ctx, const ck_conv_transpose2d_params *params,
                                             const ck_tensor *x, const ck_tensor *w, const ck_tensor *bias,
                                             const ck_tensor *y);

/** dx (N, C, H, W) from dy (N, O, OH, OW) and w (C, O/g, KH, KW). */
CK_API ck_status ck_conv_transpose2d_backward_data(ck_context *ctx, const ck_conv_transpose2d_params *params,
                                                   const ck_tensor *w, const ck_tensor *dy,
                                                   float beta, const ck_tensor *dx);

/** dw (C, O/g, KH, KW) and dbias (O, or NULL) from x (N, C, H, W) and dy (N, O, OH, OW). */
CK_API ck_status ck_conv_transpose2d_backward_weights(ck_context *ctx, const ck_conv_transpose2d_params *params,
                                                      const ck_tensor *x, const ck_tensor *dy,
                                                      float beta, const ck_tensor *dw, const ck_tensor *dbias);

/* ------------------------------------------------------------------------ */
/* Pooling                                                                    */
/* ------------------------------------------------------------------------ */

typedef enum ck_pool_mode { CK_POOL_MAX = 0, CK_POOL_AVG = 1 } ck_pool_mode;

typedef struct ck_pool2d_params {
    ck_pool_mode mode;
    int32_t kernel_h, kernel_w;
    int32_t stride_h, stride_w;
    int32_t pad_top, pad_bottom, pad_left, pad_right;
    int32_t dilation_h, dilation_w;
    int32_t ceil_mode;
    /** Average only. Nonzero: padded taps count in the divisor. */
    int32_t count_include_pad;
    /** Average only. > 0: divide by this instead of the window size. */
    int32_t divisor_override;
} ck_pool2d_params;

/**
 * Max or average pooling parameters: stride = kernel, no padding, dilation 1,
 * floor mode, count_include_pad = 1 (PyTorch's defaults).
 */
CK_API ck_pool2d_params ck_pool2d_params_default(ck_pool_mode mode, int32_t kernel_h, int32_t kernel_w);

/** Output dims (N, C, OH, OW) for x (N, C, H, W). */
CK_API ck_status ck_pool2d_output_dims(ck_context *ctx, const ck_pool2d_params *params,
                                       const int64_t x_dims[4], int64_t y_dims[4]);

/**
 * x: (N, C, H, W); y: (N, C, OH, OW). Max: padding counts as -inf, a NaN in a
 * window wins. Average divisor: divisor_override if > 0; else the number of
 * window taps inside the padded input (count_include_pad) or inside the input.
 */
CK_API ck_status ck_pool2d_forward(ck_context *ctx, const ck_pool2d_params *params,
                                   const ck_tensor *x, const ck_tensor *y);

/** dx (N, C, H, W) from x and dy (N, C, OH, OW). Max routes to the first maximum in scan order. */
CK_API ck_status ck_pool2d_backward(ck_context *ctx, const ck_pool2d_params *params,
                                    const ck_tensor *x, const ck_tensor *dy,
                                    float beta, const ck_tensor *dx);

/** Global pooling: x (N, C, H, W) -> y (N, C, 1, 1). */
CK_API ck_status ck_global_pool2d_forward(ck_context *ctx, ck_pool_mode mode,
                                          const ck_tensor *x, const ck_tensor *y);
/** dx (N, C, H, W) from x and dy (N, C, 1, 1). */
CK_API ck_status ck_global_pool2d_backward(ck_context *ctx, ck_pool_mode mode,
                                           const ck_tensor *x, const ck_tensor *dy,
                                           float beta, const ck_tensor *dx);

/* ------------------------------------------------------------------------ */
/* Dense algebra and elementwise                                              */
/* ------------------------------------------------------------------------ */

/**
 * c = alpha * op(a) * op(b) + beta * c, op = transpose when trans_* != 0.
 * a: (M, K) or (K, M) when transposed; b: (K, N) or (N, K); c: (M, N).
 */
CK_API ck_status ck_gemm(ck_context *ctx, int32_t trans_a, int32_t trans_b, float alpha,
                         const ck_tensor *a, const ck_tensor *b, float beta, const ck_tensor *c);

/** y = x + bias broadcast along axis 1. x, y: (N, C, ...); bias: (C). y may be x. */
CK_API ck_status ck_bias_add(ck_context *ctx, const ck_tensor *x, const ck_tensor *bias, const ck_tensor *y);
/** dbias (C) = sum of dy (N, C, ...) over every axis but 1, + beta * dbias. */
CK_API ck_status ck_bias_backward(ck_context *ctx, const ck_tensor *dy, float beta, const ck_tensor *dbias);

/* Same-shape elementwise ops. The output may be exactly an input (in place),
 * but must not partly overlap one. */
/** y = alpha * a + beta * b */
CK_API ck_status ck_add(ck_context *ctx, float alpha, const ck_tensor *a, float beta, const ck_tensor *b,
                        const ck_tensor *y);
/** y = a * b (elementwise) */
CK_API ck_status ck_mul(ck_context *ctx, const ck_tensor *a, const ck_tensor *b, const ck_tensor *y);
/** y = alpha * x */
CK_API ck_status ck_scale(ck_context *ctx, float alpha, const ck_tensor *x, const ck_tensor *y);
/** y = alpha * x + y */
CK_API ck_status ck_axpy(ck_context *ctx, float alpha, const ck_tensor *x, const ck_tensor *y);
/** y = value everywhere */
CK_API ck_status ck_fill(ck_context *ctx, float value, const ck_tensor *y);
/** y = x (same element count, any shapes) */
CK_API ck_status ck_copy(ck_context *ctx, const ck_tensor *x, const ck_tensor *y);

/**
 * Sum over the axes whose bit is set in `axes_mask` (bit i = axis i), + beta * y.
 * y holds x's shape with the reduced axes either kept as size 1 or removed.
 */
CK_API ck_status ck_reduce_sum(ck_context *ctx, uint32_t axes_mask, const ck_tensor *x,
                               float beta, const ck_tensor *y);

/**
 * y = x with its axes permuted (a transpose): y.dims[i] = x.dims[perm[i]] and
 * y[i0, ..., i(n-1)] = x at index j with j[perm[k]] = ik. perm holds x->ndim
 * distinct axes 0 .. ndim-1 (may be NULL for a 0-d x); y must not overlap x.
 * Moves values without arithmetic, so it is exact.
 */
CK_API ck_status ck_permute(ck_context *ctx, const int32_t *perm, const ck_tensor *x, const ck_tensor *y);

/* ------------------------------------------------------------------------ */
/* Activations                                                                */
/* ------------------------------------------------------------------------ */

/** y = f(x), same shape; y may be x. */
CK_API ck_status ck_activation_forward(ck_context *ctx, ck_activation act, float alpha,
                                       const ck_tensor *x, const ck_tensor *y);
/** dx = f'(x) * dy + beta * dx. The derivative of ReLU at 0 is 0 (PyTorch's). */
CK_API ck_status ck_activation_backward(ck_context *ctx, ck_activation act, float alpha,
                                        const ck_tensor *x, const ck_tensor *dy,
                                        float beta, const ck_tensor *dx);

/* ------------------------------------------------------------------------ */
/* Batch normalization over (N, H, W) per channel                             */
/* ------------------------------------------------------------------------ */

typedef struct ck_batchnorm_params {
    float epsilon;  /* PyTorch default 1e-5 */
    /** PyTorch convention: running = (1 - momentum) * running + momentum * batch. */
    float momentum; /* PyTorch default 0.1 */
    int32_t training; /* nonzero: batch statistics, running statistics updated */
} ck_batchnorm_params;

/**
 * x, y: (N, C, H, W); gamma, beta, running_mean, running_var, saved_mean,
 * saved_invstd: (C). Training: normalizes with the batch mean and biased
 * variance, writes them to saved_mean / saved_invstd (1/sqrt(var+eps)) and,
 * when running_mean / running_var are not NULL, updates them (the variance
 * unbiased, n/(n-1), as PyTorch). Inference: normalizes with the running
 * statistics (required) and writes those to saved_mean / saved_invstd.
 */
CK_API ck_status ck_batchnorm2d_forward(ck_context *ctx, const ck_batchnorm_params *params,
                                        const ck_tensor *x, const ck_tensor *gamma, const ck_tensor *beta,
                                        const ck_tensor *running_mean, const ck_tensor *running_var,
                                        const ck_tensor *saved_mean, const ck_tensor *saved_invstd,
                                        const ck_tensor *y);

/**
 * Gradients for the forward call with the same params and saved statistics.
 * dx: (N, C, H, W); dgamma, dbeta: (C) or NULL. All three take beta_acc.
 * In training mode the statistics depend on x (full gradient); in inference
 * mode they are constants.
 */
CK_API ck_status ck_batchnorm2d_backward(ck_context *ctx, const ck_batchnorm_params *params,
                                         const ck_tensor *x, const ck_tensor *dy, const ck_tensor *gamma,
                                         const ck_tensor *saved_mean, const ck_tensor *saved_invstd,
                                         float beta_acc, const ck_tensor *dx,
                                         const ck_tensor *dgamma, const ck_tensor *dbeta);

/* ------------------------------------------------------------------------ */
/* Loss                                                                       */
/* ------------------------------------------------------------------------ */

/**
 * Mean softmax cross-entropy over the batch, with label smoothing s:
 * target = (1 - s) * onehot + s / K.
 * logits, probs: (N, K) float; labels: (N) int32 in [0, K); loss: one element.
 */
CK_API ck_status ck_softmax_cross_entropy_forward(ck_context *ctx, float label_smoothing,
                                                  const ck_tensor *logits, const ck_tensor *labels,
                                                  const ck_tensor *probs, const ck_tensor *loss);

/** dlogits = loss_grad * (probs - target) / N + beta * dlogits. */
CK_API ck_status ck_softmax_cross_entropy_backward(ck_context *ctx, float label_smoothing, float loss_grad,
                                                   const ck_tensor *probs, const ck_tensor *labels,
                                                   float beta, const ck_tensor *dlogits);

/**
 * ck_softmax_cross_entropy_backward with the loss gradient in dloss, a
 * one-element tensor of probs' type on the context, instead of a host float:
 * a caller whose gradient lives on the device (an autodiff tape) need not
 * read it back. dloss may not overlap dlogits.
 */
CK_API ck_status ck_softmax_cross_entropy_backward_dloss(ck_context *ctx, float label_smoothing,
                                                         const ck_tensor *dloss, const ck_tensor *probs,
                                                         const ck_tensor *labels, float beta,
                                                         const ck_tensor *dlogits);

/* ------------------------------------------------------------------------ */
/* Dropout                                                                    */
/* ------------------------------------------------------------------------ */

typedef struct ck_dropout_params {
    float rate;      /* probability of dropping, in [0, 1) */
    uint64_t seed;   /* Philox-4x32-10 key */
    uint64_t offset; /* counter base: element i uses counter offset + i */
} ck_dropout_params;

/**
 * mask = (keep ? 1/(1-rate) : 0), y = x * mask. x, y, mask: same shape.
 * Bitwise identical on every backend for the same seed and offset.
 * The backward pass is ck_mul(dy, mask).
 */
CK_API ck_status ck_dropout_forward(ck_context *ctx, const ck_dropout_params *params,
                                    const ck_tensor *x, const ck_tensor *y, const ck_tensor *mask);

/* ------------------------------------------------------------------------ */
/* Optimizer updates (PyTorch semantics), in place on param and state         */
/* ------------------------------------------------------------------------ */

typedef struct ck_sgd_params {
    float lr, momentum, dampening, weight_decay;
    int32_t nesterov;
    int64_t step; /* 1 on the first step: the velocity then starts as the gradient */
} ck_sgd_params;

/** param, grad, velocity: same shape; velocity may be NULL when momentum == 0. */
CK_API ck_status ck_sgd_update(ck_context *ctx, const ck_sgd_params *params,
                               const ck_tensor *param, const ck_tensor *grad, const ck_tensor *velocity);

typedef struct ck_adam_params {
    float lr, beta1, beta2, epsilon, weight_decay;
    int32_t decoupled_weight_decay; /* nonzero: AdamW */
    int64_t step; /* 1-based, for bias correction */
} ck_adam_params;

/** param, grad, m, v: same shape. */
CK_API ck_status ck_adam_update(ck_context *ctx, const ck_adam_params *params,
                                const ck_tensor *param, const ck_tensor *grad,
                                const ck_tensor *m, const ck_tensor *v);

/**
 * Adam / AdamW with AMSGrad (PyTorch's amsgrad=True): as ck_adam_update, then
 * v_max = max(v_max, v) and the denominator uses v_max:
 * param -= (lr / (1 - beta1^step)) * m / (sqrt(v_max) / sqrt(1 - beta2^step) + eps).
 * v_max (starts at zero): the shape of param. Counted as adam_update.
 */
CK_API ck_status ck_adam_amsgrad_update(ck_context *ctx, const ck_adam_params *params,
                                        const ck_tensor *param, const ck_tensor *grad,
                                        const ck_tensor *m, const ck_tensor *v, const ck_tensor *v_max);

typedef struct ck_rmsprop_params {
    float lr, alpha, epsilon, weight_decay, momentum;
    int32_t centered; /* nonzero: divide by the estimated variance, not the second moment */
} ck_rmsprop_params;

/**
 * RMSprop (PyTorch's torch.optim.RMSprop): g = grad + weight_decay * param;
 * square_avg = alpha * square_avg + (1 - alpha) * g^2;
 * centered: grad_avg = alpha * grad_avg + (1 - alpha) * g,
 *           avg = sqrt(square_avg - grad_avg^2) + eps; else avg = sqrt(square_avg) + eps;
 * momentum > 0: buf = momentum * buf + g / avg, param -= lr * buf;
 * else param -= lr * g / avg.
 * param, grad, square_avg, grad_avg (required when centered, else NULL) and
 * momentum_buffer (required when momentum > 0, else NULL): one shape; the
 * state starts at zero.
 */
CK_API ck_status ck_rmsprop_update(ck_context *ctx, const ck_rmsprop_params *params,
                                   const ck_tensor *param, const ck_tensor *grad, const ck_tensor *square_avg,
                                   const ck_tensor *grad_avg, const ck_tensor *momentum_buffer);

/* ------------------------------------------------------------------------ */
/* The op table: names and per-context counters                               */
/* ------------------------------------------------------------------------ */

/* X(ENUM_SUFFIX, name) — every operation a backend implements. */
#define CK_OP_LIST(X)                          \
    X(CONV2D_FORWARD, conv2d_forward)          \
    X(CONV2D_BACKWARD_DATA, conv2d_backward_data) \
    X(CONV2D_BACKWARD_WEIGHTS, conv2d_backward_weights) \
    X(CONV_TRANSPOSE2D_FORWARD, conv_transpose2d_forward) \
    X(CONV_TRANSPOSE2D_BACKWARD_DATA, conv_transpose2d_backward_data) \
    X(CONV_TRANSPOSE2D_BACKWARD_WEIGHTS, conv_transpose2d_backward_weights) \
    X(POOL2D_FORWARD, pool2d_forward)          \
    X(POOL2D_BACKWARD, pool2d_backward)        \
    X(GLOBAL_POOL2D_FORWARD, global_pool2d_forward) \
    X(GLOBAL_POOL2D_BACKWARD, global_pool2d_backward) \
    X(GEMM, gemm)                              \
    X(BIAS_ADD, bias_add)                      \
    X(BIAS_BACKWARD, bias_backward)            \
    X(ADD, add)                                \
    X(MUL, mul)                                \
    X(SCALE, scale)                            \
    X(AXPY, axpy)                              \
    X(FILL, fill)                              \
    X(COPY, copy)                              \
    X(REDUCE_SUM, reduce_sum)                  \
    X(ACTIVATION_FORWARD, activation_forward)  \
    X(ACTIVATION_BACKWARD, activation_backward) \
    X(BATCHNORM2D_FORWARD, batchnorm2d_forward) \
    X(BATCHNORM2D_BACKWARD, batchnorm2d_backward) \
    X(SOFTMAX_CROSS_ENTROPY_FORWARD, softmax_cross_entropy_forward) \
    X(SOFTMAX_CROSS_ENTROPY_BACKWARD, softmax_cross_entropy_backward) \
    X(DROPOUT_FORWARD, dropout_forward)        \
    X(SGD_UPDATE, sgd_update)                  \
    X(ADAM_UPDATE, adam_update)                \
    X(PERMUTE, permute)                        \
    X(RMSPROP_UPDATE, rmsprop_update)

typedef enum ck_op {
#define CK_OP_ENUM_ENTRY(ID, name) CK_OP_##ID,
    CK_OP_LIST(CK_OP_ENUM_ENTRY)
#undef CK_OP_ENUM_ENTRY
    CK_OP_COUNT
} ck_op;

/** "conv2d_forward", ... ; NULL for an out-of-range op. */
CK_API const char *ck_op_name(ck_op op);

typedef struct ck_op_stats {
    uint64_t calls;         /* successful calls */
    uint64_t cpu_fallbacks; /* of those, run on the CPU backend because the context's backend lacks the op */
} ck_op_stats;

CK_API ck_status ck_context_op_stats(const ck_context *ctx, ck_op op, ck_op_stats *out_stats);

#ifdef __cplusplus
}
#endif

#endif /* CONVKIT_H */
