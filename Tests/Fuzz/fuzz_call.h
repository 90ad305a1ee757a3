/*
 * fuzz_call.h — one fuzzed call of a libconvkit op, as data.
 *
 * An op driver (fuzz_ops_<family>.c) decodes shapes and parameters and lists
 * the op's tensor arguments as slots with their natural, valid views. The
 * layout step (fuzz_layout.c) then perturbs those views (NULL, wrong dtype,
 * ndim or dims, misaligned or out-of-range offsets, shared, overlapping or
 * foreign buffers, buffers too small), places them in buffers with guard
 * bytes around them and generates their contents. The executor
 * (fuzz_exec.c) creates the buffers on a context, makes the call through the
 * public entry point and checks what it did.
 */
#ifndef CK_FUZZ_CALL_H
#define CK_FUZZ_CALL_H

#include "convkit.h"
#include "fuzz_input.h"

/** The most tensor arguments of an op (batch norm forward: eight). */
#define FZ_MAX_SLOTS 10
/** Largest view the layout gives memory for; larger ones are left not to fit their buffer. */
#define FZ_MAX_VIEW_BYTES ((size_t)256 << 10)

typedef enum fz_role {
    FZ_INPUT,  /* read only */
    FZ_OUTPUT, /* written (and read when the op accumulates or updates in place) */
    FZ_LABELS  /* int32 class labels, read only */
} fz_role;

/** A buffer the call's views lie in. */
typedef struct fz_buffer {
    size_t bytes;
    int foreign; /* created on another context than the one the call gets */
} fz_buffer;

/** One tensor argument: its view as passed and where it lies. */
typedef struct fz_slot {
    const char *name;
    fz_role role;
    int present;     /* 0: the op gets a NULL tensor pointer */
    int nonnegative; /* its data is >= 0 (Adam's second moment) */
    ck_dtype dtype;
    int32_t ndim;
    int64_t dims[CK_MAX_DIMS];
    int buffer;      /* index into call->buffers, or -1: tensor.buffer == NULL */
    size_t offset;   /* byte offset into it */
    size_t bytes;    /* bytes the view covers: 0 for an invalid dtype, ndim or dim, SIZE_MAX on overflow */
} fz_slot;

/** The op's parameters, for whichever op this is. */
typedef union fz_params {
    ck_conv2d_params conv;
    ck_conv_transpose2d_params transpose;
    ck_pool2d_params pool;
    ck_batchnorm_params bn;
    ck_dropout_params dropout;
    ck_sgd_params sgd;
    ck_adam_params adam;
    ck_rmsprop_params rmsprop;
} fz_params;

typedef struct fz_call {
    int op; /* a ck_op */
    int nslots;
    fz_slot slots[FZ_MAX_SLOTS];
    fz_params p;
    float f[3];       /* the op's float arguments (alpha, beta, label smoothing, ...) */
    int32_t i[3];     /* its int arguments (transposes, pooling mode, activation, AMSGrad) */
    uint32_t mask;    /* reduce_sum's axes */
    int32_t perm[CK_MAX_DIMS]; /* permute's axes */
    int null_params;  /* pass NULL for the params struct */
    int null_ctx;     /* pass NULL for the context */
    int64_t classes;  /* labels are drawn from [0, classes): dim 1 of slot classes_of as the driver made it */
    int classes_of;   /* the (N, K) slot whose dim 1 the labels index, as passed (perturbed or not) */
    int nbuffers;
    fz_buffer buffers[FZ_MAX_SLOTS];
    uint64_t data_seed;
    int specials;     /* NaN / inf / huge values written into the float data */
    int bad_label;    /* one label set outside [0, classes) */
    int odd_floats;   /* edge-case float parameters (fz_input.odd_floats) */
    int cpu_only;     /* too slow for the reference backend's naive loops: not run there */
} fz_call;

/** An op driver. */
typedef struct fz_op {
    /** Decodes shapes and parameters from `in`; adds the op's slots with fz_add_slot. */
    void (*build)(fz_input *in, fz_call *call);
    /** Calls the public entry point; t[i] is slot i's tensor, NULL when not present. */
    ck_status (*call)(ck_context *ctx, const fz_call *call, const ck_tensor *const *t);
} fz_op;

/** Adds a present float32 slot (int32 for FZ_LABELS) with `ndim` dims; returns its index. */
int fz_add_slot(fz_call *call, const char *name, fz_role role, int32_t ndim, const int64_t *dims);

/** The params pointer the call passes: NULL when call->null_params. */
const void *fz_params_arg(const fz_call *call);

/* The drivers of each op family, stored at their ck_op index of `table`. */
void fz_register_conv_ops(fz_op table[CK_OP_COUNT]);
void fz_register_dense_ops(fz_op table[CK_OP_COUNT]);
void fz_register_train_ops(fz_op table[CK_OP_COUNT]);

/**
 * Decodes the perturbations and the placement of every slot and the data
 * contents (fuzz_layout.c), after the driver's build.
 */
void fz_decode_layout(fz_input *in, fz_call *call);

/** Fills `image`, the host copy of buffer `buffer` (`bytes` long), with the call's data. */
void fz_fill_buffer(const fz_call *call, int buffer, unsigned char *image, size_t bytes);

/** The label value written when call->bad_label is set: -1, classes, INT32_MIN or INT32_MAX. */
int64_t fz_bad_label(const fz_call *call);

/** Prints the call (op, params, every slot) to stderr, for a finding's report. */
void fz_describe(const fz_call *call);

#endif
