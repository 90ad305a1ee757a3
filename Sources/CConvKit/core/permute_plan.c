/* permute_plan.c — merges a permute's axes into the fewest (size, x stride) groups (see permute_plan.h). */
#include "core/permute_plan.h"

ck_permute_plan ck_permute_plan_make(const int32_t *perm, const ck_tensor *x) {
    int64_t x_stride[CK_MAX_DIMS], stride = 1;
    for (int32_t d = x->ndim - 1; d >= 0; d--) {
        x_stride[d] = stride;
        stride *= x->dims[d];
    }
    ck_permute_plan plan = {0, {0}, {0}};
    for (int32_t k = 0; k < x->ndim; k++) {
        int64_t size = x->dims[perm[k]], step = x_stride[perm[k]];
        if (size == 1) continue;
        int32_t last = plan.groups - 1;
        if (last >= 0 && plan.stride[last] == step * size) { /* the next axis of x in order: one longer run */
            plan.size[last] *= size;
            plan.stride[last] = step;
        } else {
            plan.size[plan.groups] = size;
            plan.stride[plan.groups++] = step;
        }
    }
    return plan;
}
