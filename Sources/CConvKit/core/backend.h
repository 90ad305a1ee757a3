/*
 * backend.h — what a backend implements.
 *
 * Every op in CK_OP_LIST has an argument struct `ck_<name>_args` below, and a
 * backend is a table of functions `ck_status name(ck_backend *, const ck_<name>_args *)`
 * generated from the same list. The public entry points (core/api_*.c) pack
 * their arguments, validate them (core/validate_*.c) and dispatch
 * (core/dispatch.c). A backend function may therefore assume:
 *   - every tensor is valid: dims >= 1, fits in its buffer, dtype checked,
 *     shapes consistent with each other and with the params;
 *   - a NULL optional tensor means "absent";
 *   - data pointers come from ck_tensor_data() (host-memory backends, and
 *     the CPU backend when it runs an op for a device backend: see
 *     core/fallback.c); a device backend reads buffer->device instead.
 * It still returns CK_ERR_UNSUPPORTED (with ck_set_error) for a dtype or
 * configuration it cannot do, and CK_ERR_OUT_OF_MEMORY when scratch
 * allocation fails.
 */
#ifndef CK_CORE_BACKEND_H
#define CK_CORE_BACKEND_H

#include "convkit.h"

typedef struct ck_backend ck_backend;

typedef struct { const ck_conv2d_params *params; const ck_tensor *x, *w, *bias, *y; ck_conv2d_epilogue epilogue; } ck_conv2d_forward_args;
typedef struct { const ck_conv2d_params *params; const ck_tensor *w, *dy; float beta; const ck_tensor *dx; } ck_conv2d_backward_data_args;
typedef struct { const ck_conv2d_params *params; const ck_tensor *x, *dy; float beta; const ck_tensor *dw, *dbias; } ck_conv2d_backward_weights_args;

typedef struct { const ck_conv_transpose2d_params *params; const ck_tensor *x, *w, *bias, *y; } ck_conv_transpose2d_forward_args;
typedef struct { const ck_conv_transpose2d_params *params; const ck_tensor *w, *dy; float beta; const ck_tensor *dx; } ck_conv_transpose2d_backward_data_args;
typedef struct { const ck_conv_transpose2d_params *params; const ck_tensor *x, *dy; float beta; const ck_tensor *dw, *dbias; } ck_conv_transpose2d_backward_weights_args;

typedef struct { const ck_pool2d_params *params; const ck_tensor *x, *y; } ck_pool2d_forward_args;
typedef struct { const ck_pool2d_params *params; const ck_tensor *x, *dy; float beta; const ck_tensor *dx; } ck_pool2d_backward_args;
typedef struct { ck_pool_mode mode; const ck_tensor *x, *y; } ck_global_pool2d_forward_args;
typedef struct { ck_pool_mode mode; const ck_tensor *x, *dy; float beta; const ck_tensor *dx; } ck_global_pool2d_backward_args;

typedef struct { int32_t trans_a, trans_b; float alpha; const ck_tensor *a, *b; float beta; const ck_tensor *c; } ck_gemm_args;
typedef struct { const ck_tensor *x, *bias, *y; } ck_bias_add_args;
typedef struct { const ck_tensor *dy; float beta; const ck_tensor *dbias; } ck_bias_backward_args;
typedef struct { float alpha; const ck_tensor *a; float beta; const ck_tensor *b, *y; } ck_add_args;
typedef struct { const ck_tensor *a, *b, *y; } ck_mul_args;
typedef struct { float alpha; const ck_tensor *x, *y; } ck_scale_args;
typedef struct { float alpha; const ck_tensor *x, *y; } ck_axpy_args;
typedef struct { float value; const ck_tensor *y; } ck_fill_args;
typedef struct { const ck_tensor *x, *y; } ck_copy_args;
typedef struct { uint32_t axes_mask; const ck_tensor *x; float beta; const ck_tensor *y; } ck_reduce_sum_args;
typedef struct { const int32_t *perm; const ck_tensor *x, *y; } ck_permute_args;

typedef struct { ck_activation act; float alpha; const ck_tensor *x, *y; } ck_activation_forward_args;
typedef struct { ck_activation act; float alpha; const ck_tensor *x, *dy; float beta; const ck_tensor *dx; } ck_activation_backward_args;

typedef struct {
    const ck_batchnorm_params *params;
    const ck_tensor *x, *gamma, *beta, *running_mean, *running_var, *saved_mean, *saved_invstd, *y;
} ck_batchnorm2d_forward_args;
typedef struct {
    const ck_batchnorm_params *params;
    const ck_tensor *x, *dy, *gamma, *saved_mean, *saved_invstd;
    float beta_acc;
    const ck_tensor *dx, *dgamma, *dbeta;
} ck_batchnorm2d_backward_args;

typedef struct { float label_smoothing; const ck_tensor *logits, *labels, *probs, *loss; } ck_softmax_cross_entropy_forward_args;
/* dloss: the loss gradient as a one-element tensor, or NULL for loss_grad. */
typedef struct { float label_smoothing, loss_grad; const ck_tensor *probs, *labels; float beta; const ck_tensor *dlogits, *dloss; } ck_softmax_cross_entropy_backward_args;

typedef struct { const ck_dropout_params *params; const ck_tensor *x, *y, *mask; } ck_dropout_forward_args;

typedef struct { const ck_sgd_params *params; const ck_tensor *param, *grad, *velocity; } ck_sgd_update_args;
/* v_max: NULL for Adam, the running maximum of v for AMSGrad (ck_adam_amsgrad_update). */
typedef struct { const ck_adam_params *params; const ck_tensor *param, *grad, *m, *v, *v_max; } ck_adam_update_args;
typedef struct {
    const ck_rmsprop_params *params;
    const ck_tensor *param, *grad, *square_avg, *grad_avg, *momentum_buffer;
} ck_rmsprop_update_args;

/** One function per op; NULL means "not implemented here" (dispatch falls back to the CPU backend). */
typedef struct ck_backend_ops {
#define CK_BACKEND_OP_ENTRY(ID, name) ck_status (*name)(ck_backend *backend, const ck_##name##_args *args);
    CK_OP_LIST(CK_BACKEND_OP_ENTRY)
#undef CK_BACKEND_OP_ENTRY
} ck_backend_ops;

/**
 * Buffer storage of a backend whose buffers live in device memory (the
 * buffer's `device` handle, e.g. a cl_mem). A backend without these hooks
 * (buffer_ops == NULL) keeps buffers in host memory (`host`).
 *  - create: allocates buffer->bytes and sets buffer->device;
 *  - write:  copies host bytes in; may return before the copy is done (the
 *            source may be reused at once: the backend stages it if needed);
 *  - read:   copies bytes out, after every op queued before it;
 *  - finish: waits until every queued op has finished;
 *  - memory_stats: the backend's device memory (ck_context_memory_stats).
 */
typedef struct ck_buffer_ops {
    ck_status (*create)(ck_backend *backend, ck_buffer *buffer);
    void (*destroy)(ck_backend *backend, ck_buffer *buffer);
    ck_status (*write)(ck_backend *backend, ck_buffer *buffer, size_t offset, const void *src, size_t bytes);
    ck_status (*read)(ck_backend *backend, const ck_buffer *buffer, size_t offset, void *dst, size_t bytes);
    ck_status (*finish)(ck_backend *backend);
    void (*memory_stats)(ck_backend *backend, ck_memory_stats *out);
} ck_buffer_ops;

struct ck_backend {
    ck_backend_kind kind;
    const ck_backend_ops *ops;
    const ck_buffer_ops *buffer_ops; /* NULL: buffers in host memory */
    ck_context *ctx;   /* owner, for ck_set_error */
    void *state;       /* backend-private (thread pool, device handles, ...) */
    int32_t num_threads; /* threads the backend computes with (set by its constructor; 0 = 1) */
    /** One line naming the device (ck_context_describe: "cpu: 8 threads, AVX2/FMA", "opencl: device 0, GPU: ..."). */
    char description[1024];
    /** The device in error messages ("opencl: device 0, GPU: NAME (PLATFORM, OpenCL 3.0)"); device backends only. */
    char device[256];
    void (*destroy)(ck_backend *backend);
};

/* Constructors; each returns CK_OK and fills *backend, or an error (message set on ctx). */
ck_status ck_reference_backend_create(ck_context *ctx, ck_backend *backend);
ck_status ck_cpu_backend_create(ck_context *ctx, int32_t num_threads, ck_backend *backend);
/** The OpenCL backend on OpenCL device `device_index` (ck_opencl_device_count order). */
ck_status ck_opencl_backend_create(ck_context *ctx, int32_t device_index, ck_backend *backend);

/*
 * Host pointer to a tensor's first element. Host-memory buffers: their
 * memory. Device buffers (only while the CPU backend runs an op in their
 * stead, core/fallback.c): the host copy made before the op ran, written
 * back when it returns.
 */
void *ck_tensor_data(const ck_tensor *t);

/* Element count of a validated tensor (product of dims; 1 for a scalar). */
size_t ck_tensor_numel(const ck_tensor *t);

/* Records an error message on the context (printf-style) and returns `status`. */
ck_status ck_set_error(ck_context *ctx, ck_status status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

#endif /* CK_CORE_BACKEND_H */
