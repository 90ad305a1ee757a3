/*
 * dense_elementwise.h — the same-shape elementwise cases of the dense suite
 * (add, mul, scale, axpy, fill, copy), in place and out of place.
 */
#ifndef CK_DENSE_ELEMENTWISE_H
#define CK_DENSE_ELEMENTWISE_H

#include "harness.h"

/** Runs every elementwise case on run->ctx against run->ref. */
void ckt_dense_elementwise_cases(ckt_run *run);

#endif
