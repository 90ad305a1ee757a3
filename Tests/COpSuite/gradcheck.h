/*
 * gradcheck.h — finite-difference checks of backward ops.
 *
 * A problem has variables x_v (the op's differentiable inputs), one output
 * y = f(x) and a random upstream gradient dy; the scalar checked is
 * L = sum(dy * y). The op's backward pass gives dL/dx_v; the check compares
 * it with the central difference
 *     (L(x + h e_j) - L(x - h e_j)) / (x_j+ - x_j-)
 * at (a spread sample of) the elements j, where x_j+- are x_j +- h as the
 * tensor's dtype stores them. L's difference is summed as
 * sum(dy * (y+ - y-)), so outputs x_j does not reach add no rounding error.
 */
#ifndef CK_GRADCHECK_H
#define CK_GRADCHECK_H

#include "harness.h"

#define GC_MAX_VARS 4
#define GC_MAX_AUX 6
#define GC_MAX_TENSORS 24

typedef struct gc_problem gc_problem;
struct gc_problem {
    ckt_run *run;
    ck_context *ctx;   /* where the problem runs */
    ck_dtype dtype;    /* CK_F64 (reference) or CK_F32 */
    const void *params;/* the op's parameters (static storage) */
    int n_vars;
    ckt_tensor *var[GC_MAX_VARS];  /* differentiated inputs */
    const char *var_name[GC_MAX_VARS];
    ckt_tensor *grad[GC_MAX_VARS]; /* the backward pass's dL/dvar, same dims */
    ckt_tensor *out, *dy;          /* y = f(vars), and dL/dy */
    ckt_tensor *aux[GC_MAX_AUX];   /* other tensors the op needs (labels, statistics, ...) */
    ckt_tensor *owned[GC_MAX_TENSORS]; /* every tensor made by gc_new, freed by gc_free */
    int n_owned;
    /** Writes out from the variables (and aux). */
    ck_status (*forward)(gc_problem *p);
    /** Writes every grad from the variables, dy and what forward left in aux (forward runs first). */
    ck_status (*backward)(gc_problem *p);
};

/** Step, tolerance (relative to the largest gradient element) and how many elements to check per variable. */
typedef struct gc_settings {
    double h, tol;
    size_t max_elements;
} gc_settings;

/** A poisoned tensor of the problem's dtype on its context, freed with the problem. */
ckt_tensor *gc_new(gc_problem *p, int32_t ndim, const int64_t *dims);
/** Same with an explicit dtype (int32 labels). */
ckt_tensor *gc_new_typed(gc_problem *p, ck_dtype dtype, int32_t ndim, const int64_t *dims);
/** Same, filled uniformly in [lo, hi). */
ckt_tensor *gc_uniform(gc_problem *p, int32_t ndim, const int64_t *dims, uint64_t seed, double lo, double hi);
/**
 * Same, holding distinct values spaced by `spacing` in a seeded random order
 * (for max pooling: no ties, and no maximum changes under +-h < spacing/2).
 */
ckt_tensor *gc_distinct(gc_problem *p, int32_t ndim, const int64_t *dims, uint64_t seed, double spacing);
/** Same, uniform in +-[gap, gap + 1): no value within `gap` of 0 (for ReLU's kink). */
ckt_tensor *gc_away_from_zero(gc_problem *p, int32_t ndim, const int64_t *dims, uint64_t seed, double gap);

/** Adds a variable (and its gradient tensor); 0 when value is NULL. */
int gc_var(gc_problem *p, const char *name, ckt_tensor *value);
/** Creates the output and a uniform dy in [-1, 1); 0 on failure. */
int gc_output(gc_problem *p, int32_t ndim, const int64_t *dims, uint64_t seed);

/** The tensors' views, for forward/backward functions. */
static inline const ck_tensor *gc_v(const ckt_tensor *t) { return t ? &t->t : NULL; }

/** Runs forward and backward, then the finite differences; reports through p->run. */
void gc_check(gc_problem *p, const gc_settings *settings);
void gc_free(gc_problem *p);

#endif
