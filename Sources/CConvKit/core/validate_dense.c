/* validate_dense.c — checks of GEMM, bias, same-shape elementwise ops, copy, fill and reductions. */
#include "core/validate.h"

ck_status ck_validate_gemm(ck_context *ctx, const ck_gemm_args *a) {
    const char *op = "gemm";
    CK_TRY(ck_check_tensor(ctx, op, "a", a->a, 2, CK_ROLE_FLOAT));
    CK_TRY(ck_check_tensor(ctx, op, "b", a->b, 2, CK_ROLE_FLOAT));
    CK_TRY(ck_check_tensor(ctx, op, "c", a->c, 2, CK_ROLE_FLOAT));
    const ck_tensor *all[] = {a->a, a->b, a->c};
    const char *names[] = {"a", "b", "c"};
    CK_TRY(ck_check_same_dtype(ctx, op, all, names, 3));
    CK_TRY(ck_check_finite(ctx, op, "alpha", a->alpha));
    CK_TRY(ck_check_finite(ctx, op, "beta", a->beta));
    int64_t m = a->trans_a ? a->a->dims[1] : a->a->dims[0];
    int64_t k = a->trans_a ? a->a->dims[0] : a->a->dims[1];
    int64_t kb = a->trans_b ? a->b->dims[1] : a->b->dims[0];
    int64_t n = a->trans_b ? a->b->dims[0] : a->b->dims[1];
    if (k != kb)
        return ck_set_error(ctx, CK_ERR_SHAPE_MISMATCH, "gemm: op(a) is %lldx%lld but op(b) is %lldx%lld; inner sizes differ",
                            (long long)m, (long long)k, (long long)kb, (long long)n);
    if (k > INT32_MAX || m > INT32_MAX || n > INT32_MAX)
        return ck_set_error(ctx, CK_ERR_UNSUPPORTED, "gemm: sizes above 2^31-1 are not supported");
    const int64_t c[2] = {m, n};
    CK_TRY(ck_check_dims(ctx, op, "c", a->c, 2, c, "(M, N)"));
    CK_TRY(ck_check_no_overlap(ctx, op, "c", a->c, "a", a->a, 0));
    return ck_check_no_overlap(ctx, op, "c", a->c, "b", a->b, 0);
}

ck_status ck_validate_bias_add(ck_context *ctx, const ck_bias_add_args *a) {
    const char *op = "bias_add";
    CK_TRY(ck_check_tensor(ctx, op, "x", a->x, -1, CK_ROLE_FLOAT));
    if (a->x->ndim < 2)
        return ck_set_error(ctx, CK_ERR_SHAPE_MISMATCH, "bias_add: x has %d dims; it needs at least 2 (N, C, ...)", (int)a->x->ndim);
    CK_TRY(ck_check_tensor(ctx, op, "bias", a->bias, 1, CK_ROLE_FLOAT));
    CK_TRY(ck_check_tensor(ctx, op, "y", a->y, -1, CK_ROLE_FLOAT));
    const ck_tensor *all[] = {a->x, a->bias, a->y};
    const char *names[] = {"x", "bias", "y"};
    CK_TRY(ck_check_same_dtype(ctx, op, all, names, 3));
    CK_TRY(ck_check_dims(ctx, op, "bias", a->bias, 1, &a->x->dims[1], "(C), C = dim 1 of x"));
    CK_TRY(ck_check_same_dims(ctx, op, "x", a->x, "y", a->y));
    CK_TRY(ck_check_no_overlap(ctx, op, "y", a->y, "x", a->x, 1));
    return ck_check_no_overlap(ctx, op, "y", a->y, "bias", a->bias, 0);
}

ck_status ck_validate_bias_backward(ck_context *ctx, const ck_bias_backward_args *a) {
    const char *op = "bias_backward";
    CK_TRY(ck_check_tensor(ctx, op, "dy", a->dy, -1, CK_ROLE_FLOAT));
    if (a->dy->ndim < 2)
        return ck_set_error(ctx, CK_ERR_SHAPE_MISMATCH, "bias_backward: dy has %d dims; it needs at least 2 (N, C, ...)",
                            (int)a->dy->ndim);
    CK_TRY(ck_check_tensor(ctx, op, "dbias", a->dbias, 1, CK_ROLE_FLOAT));
    const ck_tensor *all[] = {a->dy, a->dbias};
    const char *names[] = {"dy", "dbias"};
    CK_TRY(ck_check_same_dtype(ctx, op, all, names, 2));
    CK_TRY(ck_check_finite(ctx, op, "beta", a->beta));
    CK_TRY(ck_check_dims(ctx, op, "dbias", a->dbias, 1, &a->dy->dims[1], "(C), C = dim 1 of dy"));
    return ck_check_no_overlap(ctx, op, "dbias", a->dbias, "dy", a->dy, 0);
}

/* Checks y = f(inputs...) elementwise: same dims, one dtype, y exactly in place or apart. */
static ck_status check_elementwise(ck_context *ctx, const char *op, const ck_tensor *const *in,
                                   const char *const *in_names, int n_in, const ck_tensor *y) {
    for (int i = 0; i < n_in; i++) CK_TRY(ck_check_tensor(ctx, op, in_names[i], in[i], -1, CK_ROLE_FLOAT));
    CK_TRY(ck_check_tensor(ctx, op, "y", y, -1, CK_ROLE_FLOAT));
    for (int i = 0; i < n_in; i++) {
        CK_TRY(ck_check_same_dims(ctx, op, in_names[0], in[0], in_names[i], in[i]));
        CK_TRY(ck_check_no_overlap(ctx, op, "y", y, in_names[i], in[i], 1));
    }
    CK_TRY(ck_check_same_dims(ctx, op, in_names[0], in[0], "y", y));
    const ck_tensor *all[] = {n_in > 0 ? in[0] : NULL, n_in > 1 ? in[1] : NULL, y};
    const char *names[] = {n_in > 0 ? in_names[0] : "", n_in > 1 ? in_names[1] : "", "y"};
    return ck_check_same_dtype(ctx, op, all, names, 3);
}

ck_status ck_validate_add(ck_context *ctx, const ck_add_args *a) {
    const ck_tensor *in[] = {a->a, a->b};
    const char *names[] = {"a", "b"};
    CK_TRY(ck_check_finite(ctx, "add", "alpha", a->alpha));
    CK_TRY(ck_check_finite(ctx, "add", "beta", a->beta));
    return check_elementwise(ctx, "add", in, names, 2, a->y);
}

ck_status ck_validate_mul(ck_context *ctx, const ck_mul_args *a) {
    const ck_tensor *in[] = {a->a, a->b};
    const char *names[] = {"a", "b"};
    return check_elementwise(ctx, "mul", in, names, 2, a->y);
}

ck_status ck_validate_scale(ck_context *ctx, const ck_scale_args *a) {
    const ck_tensor *in[] = {a->x};
    const char *names[] = {"x"};
    CK_TRY(ck_check_finite(ctx, "scale", "alpha", a->alpha));
    return check_elementwise(ctx, "scale", in, names, 1, a->y);
}

ck_status ck_validate_axpy(ck_context *ctx, const ck_axpy_args *a) {
    const ck_tensor *in[] = {a->x};
    const char *names[] = {"x"};
    CK_TRY(ck_check_finite(ctx, "axpy", "alpha", a->alpha));
    return check_elementwise(ctx, "axpy", in, names, 1, a->y);
}

ck_status ck_validate_fill(ck_context *ctx, const ck_fill_args *a) {
    return ck_check_tensor(ctx, "fill", "y", a->y, -1, CK_ROLE_FLOAT);
}

ck_status ck_validate_copy(ck_context *ctx, const ck_copy_args *a) {
    const char *op = "copy";
    CK_TRY(ck_check_tensor(ctx, op, "x", a->x, -1, CK_ROLE_FLOAT));
    CK_TRY(ck_check_tensor(ctx, op, "y", a->y, -1, CK_ROLE_FLOAT));
    const ck_tensor *all[] = {a->x, a->y};
    const char *names[] = {"x", "y"};
    CK_TRY(ck_check_same_dtype(ctx, op, all, names, 2));
    if (ck_tensor_numel(a->x) != ck_tensor_numel(a->y))
        return ck_set_error(ctx, CK_ERR_SHAPE_MISMATCH, "copy: x has %zu elements but y has %zu", ck_tensor_numel(a->x),
                            ck_tensor_numel(a->y));
    return ck_check_no_overlap(ctx, op, "y", a->y, "x", a->x, 1);
}

ck_status ck_validate_permute(ck_context *ctx, const ck_permute_args *a) {
    const char *op = "permute";
    CK_TRY(ck_check_tensor(ctx, op, "x", a->x, -1, CK_ROLE_FLOAT));
    CK_TRY(ck_check_tensor(ctx, op, "y", a->y, a->x->ndim, CK_ROLE_FLOAT));
    const ck_tensor *all[] = {a->x, a->y};
    const char *names[] = {"x", "y"};
    CK_TRY(ck_check_same_dtype(ctx, op, all, names, 2));
    int32_t ndim = a->x->ndim;
    if (ndim > 0 && !a->perm) return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT, "permute: perm is NULL for a %d-d x", (int)ndim);
    int64_t expected[CK_MAX_DIMS];
    unsigned seen = 0;
    for (int32_t i = 0; i < ndim; i++) {
        int32_t axis = a->perm[i];
        if (axis < 0 || axis >= ndim || (seen >> axis) & 1u)
            return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT,
                                "permute: perm[%d] is %d; perm must list each axis 0..%d of x exactly once", (int)i,
                                (int)axis, (int)ndim - 1);
        seen |= 1u << axis;
        expected[i] = a->x->dims[axis];
    }
    CK_TRY(ck_check_dims(ctx, op, "y", a->y, ndim, expected, "(x.dims[perm[0]], ...)"));
    return ck_check_no_overlap(ctx, op, "y", a->y, "x", a->x, 0);
}

ck_status ck_validate_reduce_sum(ck_context *ctx, const ck_reduce_sum_args *a) {
    const char *op = "reduce_sum";
    CK_TRY(ck_check_tensor(ctx, op, "x", a->x, -1, CK_ROLE_FLOAT));
    CK_TRY(ck_check_tensor(ctx, op, "y", a->y, -1, CK_ROLE_FLOAT));
    const ck_tensor *all[] = {a->x, a->y};
    const char *names[] = {"x", "y"};
    CK_TRY(ck_check_same_dtype(ctx, op, all, names, 2));
    CK_TRY(ck_check_finite(ctx, op, "beta", a->beta));
    if (a->x->ndim < 32 && (a->axes_mask >> a->x->ndim) != 0)
        return ck_set_error(ctx, CK_ERR_INVALID_ARGUMENT, "reduce_sum: axes_mask 0x%x names axes beyond x's %d dims",
                            (unsigned)a->axes_mask, (int)a->x->ndim);
    int64_t kept[CK_MAX_DIMS], squeezed[CK_MAX_DIMS];
    int32_t n_squeezed = 0;
    for (int32_t i = 0; i < a->x->ndim; i++) {
        int reduced = (a->axes_mask >> i) & 1u;
        kept[i] = reduced ? 1 : a->x->dims[i];
        if (!reduced) squeezed[n_squeezed++] = a->x->dims[i];
    }
    int matches_kept = ck_check_dims(ctx, op, "y", a->y, a->x->ndim, kept, "(x's dims, reduced axes kept as 1)") == CK_OK;
    if (!matches_kept)
        CK_TRY(ck_check_dims(ctx, op, "y", a->y, n_squeezed, squeezed,
                             "(x's dims with the reduced axes removed, or kept as size 1)"));
    return ck_check_no_overlap(ctx, op, "y", a->y, "x", a->x, 0);
}
