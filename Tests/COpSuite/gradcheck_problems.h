/*
 * gradcheck_problems.h — the gradient-check problems, one builder per op
 * family. A builder fills a gc_problem (tensors on p->ctx in p->dtype,
 * forward and backward functions) from its static case `arg`.
 */
#ifndef CK_GRADCHECK_PROBLEMS_H
#define CK_GRADCHECK_PROBLEMS_H

#include "gradcheck.h"

typedef struct gc_entry {
    const char *name;
    int (*build)(gc_problem *p, const void *arg, uint64_t seed);
    const void *arg;
} gc_entry;

/** Convolutions, transposed convolutions and pooling (gradcheck_conv.c). */
extern const gc_entry gc_conv_problems[];
extern const size_t gc_conv_problem_count;

/** GEMM, bias, elementwise, activations, batch norm and the loss (gradcheck_ops.c). */
extern const gc_entry gc_op_problems[];
extern const size_t gc_op_problem_count;

#endif
