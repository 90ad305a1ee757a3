/*
 * suite_invalid.h — the invalid-argument suite: a table of bad calls, each
 * with the status convkit.h promises for it.
 *
 * Every case starts from a valid call of one op (the views in inv_env, all
 * disjoint views on one buffer), changes one thing and calls the op on the
 * backend under test. The runner (suite_invalid.c) then checks that the call
 * returned the expected status, left a new, non-empty ck_last_error message
 * (on the context the call was given, or on the thread for a NULL context),
 * left the memory of every valid view unchanged, and that the context still
 * computes. The cases are grouped by op family in suite_invalid_<family>.c.
 *
 * Each family file lists its cases with an X-macro line
 *     X(id, "what is wrong", expected status, edit)
 * where `edit` is C code that changes the family's call struct `c` (filled
 * with the valid arguments) before the call.
 */
#ifndef CK_SUITE_INVALID_H
#define CK_SUITE_INVALID_H

#include "harness.h"

/**
 * Expected status of a float64 tensor among float32 ones: only the reference
 * backend computes float64, so the others answer CK_ERR_UNSUPPORTED; the
 * reference rejects the mix of dtypes with CK_ERR_INVALID_ARGUMENT.
 */
#define INV_F64_AMONG_F32 ((ck_status)-1)

/** Batch norm's tensors: x and its like (N, C, H, W), the per-channel vectors (C), C = 3. */
typedef struct inv_bn_views {
    ck_tensor x, y, dy, dx;                       /* (2, 3, 4, 4) */
    ck_tensor gamma, beta, running_mean, running_var, saved_mean, saved_invstd, dgamma, dbeta; /* (3) */
} inv_bn_views;

/**
 * The valid arguments every case starts from. All views are float32 unless
 * noted, disjoint, and lie on `pool`, a buffer of `ctx` with slack after the
 * last view (so views shifted onto a neighbour still fit in the buffer).
 */
typedef struct inv_env {
    ckt_run *run;      /* for checks a case makes besides its status */
    ck_context *ctx;   /* backend under test */
    ck_context *other; /* another context: its buffers are foreign to ctx */
    ck_buffer *pool;
    size_t pool_bytes, pool_used;
    ck_buffer *foreign;    /* a buffer of `other`, as large as pool */
    ck_buffer *small;      /* a 16-byte buffer of ctx */
    ck_buffer *bad_labels; /* int32 labels {0, 1, 5, 2} then {-1, 0, 0, 0}: 5 and -1 are outside [0, 5) */

    /* conv2d, groups 2, pad 1: x (2,4,5,5), w (6,2,3,3), bias (6), y (2,6,5,5); dx, dy, dw, dbias alike. */
    struct { ck_tensor x, w, bias, y, dx, dy, dw, dbias; } conv;
    /* conv_transpose2d, groups 2, stride 2, pad 1, output_padding 1:
     * x (2,4,3,3), w (4,3,3,3) IOHW, bias (6), y (2,6,6,6); dx, dy, dw, dbias alike. */
    struct { ck_tensor x, w, bias, y, dx, dy, dw, dbias; } transpose;
    /* pool2d max 3x3, stride 2, pad 1: x (2,3,6,6), y (2,3,3,3); global pooling: gy, gdy (2,3,1,1). */
    struct { ck_tensor x, y, dx, dy, gy, gdy; } pooling;
    /* gemm: a (3,4), b (4,5), c (3,5); at (4,3) is a stored transposed. */
    struct { ck_tensor a, b, c, at; } gemm;
    /* bias_add / bias_backward: x, y, dy (2,3,2,2), bias, dbias (3). */
    struct { ck_tensor x, bias, y, dy, dbias; } bias;
    /* same-shape elementwise ops, activations, dropout, reduce_sum: (2,3,4) each; r (3) = a summed over axes 0, 2. */
    struct { ck_tensor a, b, y, dy, dx, mask, r; } ew;
    inv_bn_views bn;
    /* softmax cross-entropy: logits, probs, dlogits (4,5); labels (4) int32 holding 1; loss (1). */
    struct { ck_tensor logits, labels, probs, loss, dlogits; } loss;
    /* optimizers: param, grad, state1, state2, state3 (3,4) (velocity; Adam's m, v and v_max;
     * RMSprop's square_avg, grad_avg and momentum_buffer). */
    struct { ck_tensor param, grad, state1, state2, state3; } optim;
} inv_env;

/** One bad (or deliberately valid) call and the status it must return. */
typedef struct inv_case {
    const char *name;
    ck_status expected; /* or INV_F64_AMONG_F32 */
    /** Makes the call; sets *message_ctx to the context the call was given (NULL: the thread's message). */
    ck_status (*call)(const inv_env *env, ck_context **message_ctx);
} inv_case;

/** A family's table. */
typedef struct inv_table {
    const inv_case *cases;
    size_t count;
} inv_table;

/* The family tables (suite_invalid_<family>.c). */
inv_table inv_conv_cases(void);
inv_table inv_conv_transpose_cases(void);
inv_table inv_pool_cases(void);
inv_table inv_dense_cases(void);
inv_table inv_elementwise_cases(void);
inv_table inv_train_cases(void);
inv_table inv_optim_cases(void);
inv_table inv_api_cases(void);

/** Checks the values of the size helpers (ck_conv_output_size, ...): 0 for invalid input. */
void inv_check_size_helpers(ckt_run *run);

/* Environment (suite_invalid_env.c). */

/** Creates the valid views on run->ctx; returns 0 (failure reported) when it cannot. */
int inv_env_create(ckt_run *run, inv_env *env);
void inv_env_destroy(inv_env *env);

/* Edits of a view, for the cases. Each returns the edited copy. */
ck_tensor inv_dims1(ck_tensor t, int64_t d0);
ck_tensor inv_dims2(ck_tensor t, int64_t d0, int64_t d1);
ck_tensor inv_dims3(ck_tensor t, int64_t d0, int64_t d1, int64_t d2);
ck_tensor inv_dims4(ck_tensor t, int64_t d0, int64_t d1, int64_t d2, int64_t d3);
ck_tensor inv_dtype(ck_tensor t, ck_dtype dtype);
/** t moved onto in's memory, `shift` bytes after in's first byte (a partial overlap when 0 < shift < in's size). */
ck_tensor inv_overlapping(ck_tensor t, const ck_tensor *in, size_t shift);
/** t on the same offset of the buffer of another context. */
ck_tensor inv_foreign(const inv_env *env, ck_tensor t);
/** t with buffer = NULL. */
ck_tensor inv_no_buffer(ck_tensor t);
/** t on the 16-byte buffer, too small for it. */
ck_tensor inv_on_small(const inv_env *env, ck_tensor t);

#endif
