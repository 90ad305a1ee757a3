/*
 * cl_reduce.c — reduce_sum and permute on OpenCL (Kernels/reduce.cl), the
 * two ops that walk x along regrouped axes. reduce_sum: y = sum of x over
 * the axes of axes_mask + beta * y; x: any shape; y: x's shape with the
 * reduced axes kept as 1 or removed (the same elements in the same order).
 * permute: y = x with its axes permuted (core/permute_plan.h).
 */
#include "core/permute_plan.h"
#include "opencl/cl_ops.h"

/* Terms per output from which one work group per output beats one work item. */
#define GROUP_TERMS 256

/*
 * Merges x's axes into kept and reduced groups (size-1 axes dropped,
 * neighbours of one kind merged) and writes them, innermost last, into
 * reduce.cl's int16: kept sizes, kept strides, reduced sizes, reduced
 * strides (unused: size 1, stride 0). Sets the output and term counts, and
 * whether the innermost group is reduced.
 */
static cl_int16 plan(const ck_tensor *x, uint32_t mask, int32_t *outputs, int32_t *terms, int *inner_reduced) {
    int64_t size[CK_MAX_DIMS];
    int reduced[CK_MAX_DIMS], groups = 0;
    for (int32_t d = 0; d < x->ndim; d++) {
        if (x->dims[d] == 1) continue;
        int is_reduced = (int)((mask >> d) & 1u);
        if (groups > 0 && reduced[groups - 1] == is_reduced) {
            size[groups - 1] *= x->dims[d];
        } else {
            size[groups] = x->dims[d];
            reduced[groups++] = is_reduced;
        }
    }
    cl_int16 g;
    for (int i = 0; i < 4; i++) g.s[i] = 1, g.s[4 + i] = 0, g.s[8 + i] = 1, g.s[12 + i] = 0;
    int kept_slot = 3, reduced_slot = 3;
    int64_t stride = 1, out = 1, sum = 1;
    for (int i = groups - 1; i >= 0; i--) { /* alternating kinds: at most four of each */
        int base = reduced[i] ? 8 : 0, slot = reduced[i] ? reduced_slot-- : kept_slot--;
        g.s[base + slot] = (cl_int)size[i];
        g.s[base + 4 + slot] = (cl_int)stride;
        stride *= size[i];
        if (reduced[i]) sum *= size[i];
        else out *= size[i];
    }
    *outputs = (int32_t)out;
    *terms = (int32_t)sum;
    *inner_reduced = groups > 0 && reduced[groups - 1];
    return g;
}

ck_status ck_cl_reduce_sum(ck_backend *backend, const ck_reduce_sum_args *args) {
    CK_CL_REQUIRE_INT_SIZED(backend, "reduce_sum", args->x, args->y);
    int32_t outputs, terms;
    int inner_reduced;
    cl_int16 g = plan(args->x, args->axes_mask, &outputs, &terms, &inner_reduced);
    ck_cl_view x = ck_cl_view_of(args->x), y = ck_cl_view_of(args->y);
    float beta = args->beta;
    const ck_cl_arg list[] = {CK_CL_ARG(g),        CK_CL_ARG(outputs), CK_CL_ARG(terms), CK_CL_ARG(x.mem),
                              CK_CL_ARG(x.offset), CK_CL_ARG(beta),    CK_CL_ARG(y.mem), CK_CL_ARG(y.offset)};
    if (inner_reduced && terms >= GROUP_TERMS) {
        const size_t local = CK_CL_DEFAULT_GROUP, global = (size_t)outputs * CK_CL_DEFAULT_GROUP;
        return ck_cl_launch(backend, "reduce_sum", CK_CL_PROGRAM_REDUCE, "reduce_sum_groups", 1, &global, &local, list, 8);
    }
    const size_t global = (size_t)outputs;
    return ck_cl_launch(backend, "reduce_sum", CK_CL_PROGRAM_REDUCE, "reduce_sum_items", 1, &global, NULL, list, 8);
}

/* One work item per element of y; the plan's groups right-aligned in reduce.cl's int16 (sizes, then x strides). */
ck_status ck_cl_permute(ck_backend *backend, const ck_permute_args *args) {
    CK_CL_REQUIRE_INT_SIZED(backend, "permute", args->x, args->y);
    ck_permute_plan plan = ck_permute_plan_make(args->perm, args->x);
    cl_int16 g;
    for (int i = 0; i < 8; i++) g.s[i] = 1, g.s[8 + i] = 0;
    for (int32_t k = 0; k < plan.groups; k++) {
        int slot = 8 - plan.groups + k;
        g.s[slot] = (cl_int)plan.size[k];
        g.s[8 + slot] = (cl_int)plan.stride[k];
    }
    int32_t n = (int32_t)ck_tensor_numel(args->y);
    ck_cl_view x = ck_cl_view_of(args->x), y = ck_cl_view_of(args->y);
    const ck_cl_arg list[] = {CK_CL_ARG(g),        CK_CL_ARG(n),     CK_CL_ARG(x.mem),
                              CK_CL_ARG(x.offset), CK_CL_ARG(y.mem), CK_CL_ARG(y.offset)};
    const size_t global = (size_t)n;
    return ck_cl_launch(backend, "permute", CK_CL_PROGRAM_REDUCE, "permute", 1, &global, NULL, list, 6);
}
