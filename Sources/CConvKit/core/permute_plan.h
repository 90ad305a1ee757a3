/*
 * permute_plan.h — how a backend walks a permute (ck_permute): y's axes
 * with x's element strides, size-1 axes dropped and neighbours that stay
 * contiguous in x merged, so that y[j] = x[sum over groups of index_g * stride_g]
 * with j's digits taken over the group sizes, innermost last.
 */
#ifndef CK_CORE_PERMUTE_PLAN_H
#define CK_CORE_PERMUTE_PLAN_H

#include "convkit.h"

typedef struct ck_permute_plan {
    int32_t groups;               /* 0 for a one-element tensor */
    int64_t size[CK_MAX_DIMS];    /* extent of each group, in y's order */
    int64_t stride[CK_MAX_DIMS];  /* its step in x, in elements */
} ck_permute_plan;

/** The plan of a validated permute of x by perm. */
ck_permute_plan ck_permute_plan_make(const int32_t *perm, const ck_tensor *x);

#endif
