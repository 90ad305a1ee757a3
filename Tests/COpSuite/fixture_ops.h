/*
 * fixture_ops.h — running golden-value fixture cases (the .ckf files of Tests/Fixtures,
 * format and conventions in Tests/Fixtures/README.md) on the backend under
 * test: shared by the torch and onnx fixture suites.
 *
 * Every *.ckf file of the source's folder is loaded; every case's op runs on
 * run->ctx with the fixture's inputs (forward, and backward with the stored
 * dy where the case has gradients); every output the case holds is compared
 * with it, and the guard bytes of every output are checked. An unknown op, an
 * attribute or tensor the op does not know, a missing required one, a file
 * that does not parse, a missing or empty folder: each is a failure, never a
 * skip.
 *
 * Tolerances. A fixture value is the float32 result of another
 * implementation (PyTorch, or ONNX's numpy reference), not an exact value, so
 * each tolerance covers the rounding error of two float32 implementations:
 *  - sums (conv, transposed conv, linear, average pooling, every backward
 *    pass that sums): a float32 sum of k terms errs by at most about
 *    k * u * sum|terms| (u = 2^-24) in any summation order (Higham, Accuracy
 *    and Stability of Numerical Algorithms, 3.1), so two implementations
 *    differ by at most 2 * k * u * sum|terms|. sum|terms| is the reference
 *    backend's result for |inputs|; k counts the terms plus one for the final
 *    rounding (bias addition or division). ckt_expect_within_bound with 2 * k.
 *  - selections (max pooling forward, ReLU, LeakyReLU): exact.
 *  - the rest (batch norm, sigmoid, tanh, the loss, optimizer steps): per
 *    element bounds derived in the op's file, twice the bound of one float32
 *    implementation against the exact value.
 */
#ifndef CK_FIXTURE_OPS_H
#define CK_FIXTURE_OPS_H

#include "fixture.h"
#include "harness.h"

/** An output of one case that its source rounded by hand: compared with a relative tolerance instead. */
typedef struct ckt_fixture_rounded {
    const char *case_name;
    const char *tensor;
    double rtol;
    const char *why;
} ckt_fixture_rounded;

/** One source of fixtures: the folder under run->fixtures_dir and its hand-rounded outputs. */
typedef struct ckt_fixture_source {
    const char *folder; /* "torch", "onnx" */
    const ckt_fixture_rounded *rounded;
    size_t rounded_count;
} ckt_fixture_source;

/** Runs every case of every *.ckf file in <run->fixtures_dir>/<source->folder>. */
void ckt_run_fixture_folder(ckt_run *run, const ckt_fixture_source *source);

/* ------------------------------------------------------------------------ */
/* For the op files (fixture_ops_<family>.c)                                  */
/* ------------------------------------------------------------------------ */

#define CKT_FX_MAX_OWNED 32

/** The case being run, and the tensors made for it (freed by the runner after the case). */
typedef struct ckt_fixture {
    ckt_run *run;
    const ckt_fixture_source *source;
    const ckf_case *c;
    int *rounded_used; /* per entry of source->rounded: set when it was applied */
    ckt_tensor *owned[CKT_FX_MAX_OWNED];
    int n_owned;
} ckt_fixture;

/** An op: its name in the files, the attributes and tensors it knows, and how to run a case. */
typedef struct ckt_fixture_op {
    const char *name;
    const char *const *attrs;   /* NULL-terminated */
    const char *const *tensors; /* NULL-terminated */
    void (*run)(ckt_fixture *f);
} ckt_fixture_op;

/* The ops of each family file. */
extern const ckt_fixture_op ckt_fixture_conv_ops[];      /* conv2d, conv2d_fused, conv_transpose2d, linear */
extern const ckt_fixture_op ckt_fixture_pool_ops[];      /* pool2d, global_pool2d */
extern const ckt_fixture_op ckt_fixture_batchnorm_ops[]; /* batchnorm2d */
extern const ckt_fixture_op ckt_fixture_train_ops[];     /* relu, leaky_relu, sigmoid, tanh, softmax_cross_entropy */
extern const ckt_fixture_op ckt_fixture_optim_ops[];     /* sgd, adam, rmsprop */
/* Each list ends with an entry whose name is NULL. */

/** Value `index` of attribute `key`; fails (and returns 0 in *ok) when absent. */
double ckt_fx_attr(const ckt_fixture *f, const char *key, int index, int *ok);
/** Tensor `name`; fails (and clears *ok) when absent. */
const ckf_tensor *ckt_fx_tensor(const ckt_fixture *f, const char *name, int *ok);
/** Tensor `name` or NULL, without failing. */
const ckf_tensor *ckt_fx_optional(const ckt_fixture *f, const char *name);

/*
 * Tensors for the case, freed after it: NULL when t is NULL or on failure
 * (reported; *ok cleared). Every one is float32 (labels: int32, as stored).
 */
/** A guarded tensor on ctx holding the fixture tensor's values (|values| when `absolute`). */
ckt_tensor *ckt_fx_upload(ckt_fixture *f, ck_context *ctx, const ckf_tensor *t, int absolute, int *ok);
/** A poisoned guarded float32 tensor on ctx with these dims. */
ckt_tensor *ckt_fx_output(ckt_fixture *f, ck_context *ctx, int32_t ndim, const int64_t *dims, int *ok);

/** The tensor's values as the float32 numbers they print (the file holds %.9g text); NULL (reported) when out of memory. */
double *ckt_fx_float32(ckt_run *run, const ckf_tensor *t);

/** Checks that dims computed by ConvKit (`what`) are the fixture tensor's dims. */
int ckt_fx_same_dims(const ckt_fixture *f, const char *what, int32_t ndim, const int64_t *dims, const ckf_tensor *want);

/**
 * Compares output `got` (on the backend under test) with fixture tensor `want`
 * within 2 * k * u * bound (bound: a tensor of sum|terms| on any context), or
 * within the source's relative tolerance when the source rounded this output
 * by hand. Checks got's guards.
 */
void ckt_fx_expect_bound(const ckt_fixture *f, const ckt_tensor *got, const ckf_tensor *want, const ckt_tensor *bound,
                         double k);
/** Exact comparison (selections, single roundings both sides do alike); checks guards. */
void ckt_fx_expect_exact(const ckt_fixture *f, const ckt_tensor *got, const ckf_tensor *want);
/** |got - want| <= tol[i]; checks guards. */
void ckt_fx_expect_tol(const ckt_fixture *f, const ckt_tensor *got, const ckf_tensor *want, const double *tol);

#endif
