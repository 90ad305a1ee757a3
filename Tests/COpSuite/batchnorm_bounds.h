/*
 * batchnorm_bounds.h — per-element error bounds of batch norm in float32,
 * computed on the host from the inputs (and saved statistics), for the
 * batchnorm suite's cross-backend comparisons. Derivations in
 * batchnorm_bounds.c.
 */
#ifndef CK_BATCHNORM_BOUNDS_H
#define CK_BATCHNORM_BOUNDS_H

#include "crosscheck.h"

/** Tolerances, one array per output (NULL where not computed). */
typedef struct ckt_bn_bounds {
    double *y, *saved_mean, *saved_invstd, *running_mean, *running_var; /* forward */
    double *dx, *dgamma, *dbeta;                                        /* backward */
} ckt_bn_bounds;

/**
 * Forward tolerances for x (N, C, H, W), gamma, beta (C) and the running
 * statistics rm, rv (C, host values before the call). Returns 0 (reported)
 * when out of memory.
 */
int ckt_bn_forward_bounds(ckt_run *run, ckt_bn_bounds *b, const ckt_pair *x, const ckt_pair *gamma,
                          const ckt_pair *beta, const double *rm, const double *rv, const ck_batchnorm_params *p);

/**
 * Writes the statistics a forward pass saves, to both halves of saved_mean and
 * saved_invstd (C): of x's batch in training, of rm / rv in inference.
 */
int ckt_bn_saved_statistics(ckt_run *run, const ckt_pair *x, const double *rm, const double *rv,
                            const ck_batchnorm_params *p, ckt_pair *saved_mean, ckt_pair *saved_invstd);

/**
 * Backward tolerances from x, dy, gamma, the saved statistics and the
 * previous contents of dx, dgamma, dbeta (dgamma / dbeta may be NULL); call
 * before the op overwrites them.
 */
int ckt_bn_backward_bounds(ckt_run *run, ckt_bn_bounds *b, const ckt_pair *x, const ckt_pair *dy,
                           const ckt_pair *gamma, const ckt_pair *saved_mean, const ckt_pair *saved_invstd,
                           const ckt_pair *dx, const ckt_pair *dgamma, const ckt_pair *dbeta,
                           const ck_batchnorm_params *p, float beta_acc);

void ckt_bn_bounds_free(ckt_bn_bounds *b);

#endif
