/*
 * suite_invalid_dense.c — bad calls of gemm, bias_add, bias_backward,
 * reduce_sum and permute (see suite_invalid.h for how a case is written).
 *
 * Valid calls: gemm a (3,4) . b (4,5) -> c (3,5) (at (4,3) is a stored
 * transposed); bias_add x (2,3,2,2) + bias (3) -> y; bias_backward dy
 * (2,3,2,2) -> dbias (3); reduce_sum of x (2,3,4) over axes 0 and 2 (mask
 * 0b101) -> y (3), or (1,3,1) with the reduced axes kept; permute of x
 * (3,4) by perm (1,0) -> y (4,3).
 * The scalars alpha and beta must be finite: a NaN or infinite factor is a
 * bad parameter value (CK_ERR_INVALID_ARGUMENT).
 */
#include "suite_invalid.h"

#include <math.h>
#include <stdint.h>

typedef struct dense_call {
    ck_context *ctx;
    int32_t trans_a, trans_b;
    float alpha, beta;
    uint32_t mask;
    ck_tensor a, b, c, at;        /* gemm */
    ck_tensor x, bias, y, dy, db; /* bias_add, bias_backward */
    ck_tensor rx, ry;             /* reduce_sum */
    ck_tensor tx, ty;             /* permute */
    int32_t perm[CK_MAX_DIMS];
    const int32_t *pperm;
    const ck_tensor *pa, *pb, *pc, *px, *pbias, *py, *pdy, *pdb, *prx, *pry, *ptx, *pty;
} dense_call;

static void dense_init(const inv_env *e, dense_call *c) {
    c->ctx = e->ctx;
    c->trans_a = c->trans_b = 0;
    c->alpha = 1.0f;
    c->beta = 0.0f;
    c->mask = 0x5u;
    c->a = e->gemm.a, c->b = e->gemm.b, c->c = e->gemm.c, c->at = e->gemm.at;
    c->x = e->bias.x, c->bias = e->bias.bias, c->y = e->bias.y, c->dy = e->bias.dy, c->db = e->bias.dbias;
    c->rx = e->ew.a, c->ry = e->ew.r;
    c->pa = &c->a, c->pb = &c->b, c->pc = &c->c;
    c->px = &c->x, c->pbias = &c->bias, c->py = &c->y, c->pdy = &c->dy, c->pdb = &c->db;
    c->prx = &c->rx, c->pry = &c->ry;
    c->tx = e->gemm.a, c->ty = e->gemm.at;
    c->perm[0] = 1, c->perm[1] = 0;
    c->pperm = c->perm;
    c->ptx = &c->tx, c->pty = &c->ty;
}

static ck_status gemm(const dense_call *c) {
    return ck_gemm(c->ctx, c->trans_a, c->trans_b, c->alpha, c->pa, c->pb, c->beta, c->pc);
}

static ck_status bias_add(const dense_call *c) { return ck_bias_add(c->ctx, c->px, c->pbias, c->py); }

static ck_status bias_backward(const dense_call *c) { return ck_bias_backward(c->ctx, c->pdy, c->beta, c->pdb); }

static ck_status reduce_sum(const dense_call *c) { return ck_reduce_sum(c->ctx, c->mask, c->prx, c->beta, c->pry); }

static ck_status permute(const dense_call *c) { return ck_permute(c->ctx, c->pperm, c->ptx, c->pty); }

/* clang-format off */
#define GEMM_CASES(X) \
    X(gemm_valid, "valid call", CK_OK, (void)0) \
    X(gemm_valid_trans_a, "valid call, a stored transposed (4,3)", CK_OK, c.trans_a = 1; c.pa = &c.at) \
    X(gemm_valid_beta, "valid call, beta 1, alpha -2", CK_OK, c.beta = 1.0f; c.alpha = -2.0f) \
    X(gemm_ctx_null, "ctx NULL", CK_ERR_INVALID_ARGUMENT, c.ctx = NULL) \
    X(gemm_a_null, "a NULL", CK_ERR_INVALID_ARGUMENT, c.pa = NULL) \
    X(gemm_b_null, "b NULL", CK_ERR_INVALID_ARGUMENT, c.pb = NULL) \
    X(gemm_c_null, "c NULL", CK_ERR_INVALID_ARGUMENT, c.pc = NULL) \
    X(gemm_b_foreign, "b on a buffer of another context", CK_ERR_INVALID_ARGUMENT, c.b = inv_foreign(e, c.b)) \
    X(gemm_c_no_buffer, "c has a NULL buffer", CK_ERR_INVALID_ARGUMENT, c.c = inv_no_buffer(c.c)) \
    X(gemm_inner_mismatch, "inner sizes differ: a (3,4), b (5,5)", CK_ERR_SHAPE_MISMATCH, c.b = inv_dims2(c.b, 5, 5); c.c = inv_dims2(c.c, 3, 5)) \
    X(gemm_trans_a_not_transposed, "trans_a with a (3,4): op(a) is 4x3, b has 4 rows", CK_ERR_SHAPE_MISMATCH, c.trans_a = 1) \
    X(gemm_trans_b_not_transposed, "trans_b with b (4,5): op(b) is 5x4, a has 4 columns", CK_ERR_SHAPE_MISMATCH, c.trans_b = 1) \
    X(gemm_c_rows, "c (4,5), not (3,5)", CK_ERR_SHAPE_MISMATCH, c.c = inv_dims2(c.c, 4, 5)) \
    X(gemm_c_cols, "c (3,4), not (3,5)", CK_ERR_SHAPE_MISMATCH, c.c = inv_dims2(c.c, 3, 4)) \
    X(gemm_c_1d, "c 1-D (15)", CK_ERR_SHAPE_MISMATCH, c.c = inv_dims1(c.c, 15)) \
    X(gemm_a_3d, "a 3-D (1,3,4)", CK_ERR_SHAPE_MISMATCH, c.a = inv_dims3(c.a, 1, 3, 4)) \
    X(gemm_a_zero, "a (3,0)", CK_ERR_INVALID_ARGUMENT, c.a = inv_dims2(c.a, 3, 0)) \
    X(gemm_b_negative, "b (4,-5)", CK_ERR_INVALID_ARGUMENT, c.b = inv_dims2(c.b, 4, -5)) \
    X(gemm_a_bytes_overflow, "a (2^62, 8) (byte size overflows size_t)", CK_ERR_OVERFLOW, c.a = inv_dims2(c.a, (int64_t)1 << 62, 8)) \
    X(gemm_c_small_buffer, "c on a 16-byte buffer", CK_ERR_OUT_OF_BOUNDS, c.c = inv_on_small(e, c.c)) \
    X(gemm_a_i32, "a int32", CK_ERR_INVALID_ARGUMENT, c.a = inv_dtype(c.a, CK_I32)) \
    X(gemm_c_f64, "c float64, a and b float32", INV_F64_AMONG_F32, c.c = inv_dtype(c.c, CK_F64)) \
    X(gemm_alpha_nan, "alpha NaN", CK_ERR_INVALID_ARGUMENT, c.alpha = NAN) \
    X(gemm_beta_inf, "beta infinite", CK_ERR_INVALID_ARGUMENT, c.beta = INFINITY) \
    X(gemm_c_overlaps_a, "c partly overlaps a", CK_ERR_INVALID_ARGUMENT, c.c = inv_overlapping(c.c, &c.a, 8)) \
    X(gemm_c_overlaps_b, "c begins where b begins", CK_ERR_INVALID_ARGUMENT, c.c = inv_overlapping(c.c, &c.b, 0))

#define BIAS_ADD_CASES(X) \
    X(badd_valid, "valid call", CK_OK, (void)0) \
    X(badd_valid_in_place, "exactly in place (y is x)", CK_OK, c.py = &c.x) \
    X(badd_valid_2d, "valid call on 2-D x (2,3)", CK_OK, c.x = inv_dims2(c.x, 2, 3); c.y = inv_dims2(c.y, 2, 3)) \
    X(badd_ctx_null, "ctx NULL", CK_ERR_INVALID_ARGUMENT, c.ctx = NULL) \
    X(badd_x_null, "x NULL", CK_ERR_INVALID_ARGUMENT, c.px = NULL) \
    X(badd_bias_null, "bias NULL", CK_ERR_INVALID_ARGUMENT, c.pbias = NULL) \
    X(badd_y_null, "y NULL", CK_ERR_INVALID_ARGUMENT, c.py = NULL) \
    X(badd_bias_foreign, "bias on a buffer of another context", CK_ERR_INVALID_ARGUMENT, c.bias = inv_foreign(e, c.bias)) \
    X(badd_x_1d, "x 1-D (24): no channel axis", CK_ERR_SHAPE_MISMATCH, c.x = inv_dims1(c.x, 24); c.y = inv_dims1(c.y, 24)) \
    X(badd_bias_length, "bias length 2, not C = 3", CK_ERR_SHAPE_MISMATCH, c.bias.dims[0] = 2) \
    X(badd_bias_2d, "bias 2-D (1,3)", CK_ERR_SHAPE_MISMATCH, c.bias = inv_dims2(c.bias, 1, 3)) \
    X(badd_y_dims, "y (2,3,4), not x's dims", CK_ERR_SHAPE_MISMATCH, c.y = inv_dims3(c.y, 2, 3, 4)) \
    X(badd_x_i32, "x int32", CK_ERR_INVALID_ARGUMENT, c.x = inv_dtype(c.x, CK_I32)) \
    X(badd_bias_f64, "bias float64, x and y float32", INV_F64_AMONG_F32, c.bias = inv_dtype(c.bias, CK_F64)) \
    X(badd_y_overlaps_x, "y partly overlaps x", CK_ERR_INVALID_ARGUMENT, c.y = inv_overlapping(c.y, &c.x, 4)) \
    X(badd_y_overlaps_bias, "y overlaps bias", CK_ERR_INVALID_ARGUMENT, c.y = inv_overlapping(c.y, &c.bias, 0))

#define BIAS_BACKWARD_CASES(X) \
    X(bbwd_valid, "valid call", CK_OK, (void)0) \
    X(bbwd_ctx_null, "ctx NULL", CK_ERR_INVALID_ARGUMENT, c.ctx = NULL) \
    X(bbwd_dy_null, "dy NULL", CK_ERR_INVALID_ARGUMENT, c.pdy = NULL) \
    X(bbwd_dbias_null, "dbias NULL", CK_ERR_INVALID_ARGUMENT, c.pdb = NULL) \
    X(bbwd_beta_nan, "beta NaN", CK_ERR_INVALID_ARGUMENT, c.beta = NAN) \
    X(bbwd_dy_1d, "dy 1-D (24)", CK_ERR_SHAPE_MISMATCH, c.dy = inv_dims1(c.dy, 24)) \
    X(bbwd_dbias_length, "dbias length 4, not C = 3", CK_ERR_SHAPE_MISMATCH, c.db.dims[0] = 4) \
    X(bbwd_dbias_i32, "dbias int32", CK_ERR_INVALID_ARGUMENT, c.db = inv_dtype(c.db, CK_I32)) \
    X(bbwd_dbias_overlaps_dy, "dbias inside dy", CK_ERR_INVALID_ARGUMENT, c.db = inv_overlapping(c.db, &c.dy, 16))

#define REDUCE_SUM_CASES(X) \
    X(rsum_valid, "valid call, axes 0 and 2 removed", CK_OK, (void)0) \
    X(rsum_valid_kept, "valid call, axes 0 and 2 kept as size 1", CK_OK, c.ry = inv_dims3(c.ry, 1, 3, 1)) \
    X(rsum_valid_no_axes, "mask 0 (no axis reduced) into y of x's dims", CK_OK, c.mask = 0; c.ry = e->ew.y) \
    X(rsum_valid_all_to_scalar, "all axes into a 0-d y", CK_OK, c.mask = 0x7u; c.ry.ndim = 0) \
    X(rsum_ctx_null, "ctx NULL", CK_ERR_INVALID_ARGUMENT, c.ctx = NULL) \
    X(rsum_x_null, "x NULL", CK_ERR_INVALID_ARGUMENT, c.prx = NULL) \
    X(rsum_y_null, "y NULL", CK_ERR_INVALID_ARGUMENT, c.pry = NULL) \
    X(rsum_mask_beyond_ndim, "mask 0b1101 names axis 3 of a 3-D x", CK_ERR_INVALID_ARGUMENT, c.mask = 0xDu) \
    X(rsum_mask_bit31, "mask bit 31", CK_ERR_INVALID_ARGUMENT, c.mask = 0x80000005u) \
    X(rsum_y_count, "y (4): element count differs from the reduced shape", CK_ERR_SHAPE_MISMATCH, c.ry = inv_dims1(c.ry, 4)) \
    X(rsum_y_wrong_axis, "y (2): axis 0 kept instead of axis 1", CK_ERR_SHAPE_MISMATCH, c.ry = inv_dims1(c.ry, 2)) \
    X(rsum_y_same_count_other_shape, "y (3,1,1): 3 elements but not x's reduced shape", CK_ERR_SHAPE_MISMATCH, c.ry = inv_dims3(c.ry, 3, 1, 1)) \
    X(rsum_beta_nan, "beta NaN", CK_ERR_INVALID_ARGUMENT, c.beta = NAN) \
    X(rsum_x_i32, "x int32", CK_ERR_INVALID_ARGUMENT, c.rx = inv_dtype(c.rx, CK_I32)) \
    X(rsum_y_f64, "y float64, x float32", INV_F64_AMONG_F32, c.ry = inv_dtype(c.ry, CK_F64)) \
    X(rsum_y_overlaps_x, "y inside x", CK_ERR_INVALID_ARGUMENT, c.ry = inv_overlapping(c.ry, &c.rx, 8))

#define PERMUTE_CASES(X) \
    X(perm_valid, "valid call", CK_OK, (void)0) \
    X(perm_valid_identity, "valid call, perm (0,1) into y (3,4)", CK_OK, c.perm[0] = 0; c.perm[1] = 1; c.ty = inv_dims2(c.ty, 3, 4)) \
    X(perm_valid_scalar, "valid call, 0-d x and y, perm NULL", CK_OK, c.tx.ndim = 0; c.ty.ndim = 0; c.pperm = NULL) \
    X(perm_ctx_null, "ctx NULL", CK_ERR_INVALID_ARGUMENT, c.ctx = NULL) \
    X(perm_x_null, "x NULL", CK_ERR_INVALID_ARGUMENT, c.ptx = NULL) \
    X(perm_y_null, "y NULL", CK_ERR_INVALID_ARGUMENT, c.pty = NULL) \
    X(perm_null, "perm NULL for a 2-d x", CK_ERR_INVALID_ARGUMENT, c.pperm = NULL) \
    X(perm_repeated, "perm (0,0): an axis twice", CK_ERR_INVALID_ARGUMENT, c.perm[0] = 0) \
    X(perm_out_of_range, "perm (1,2): no axis 2", CK_ERR_INVALID_ARGUMENT, c.perm[1] = 2) \
    X(perm_negative, "perm (1,-1)", CK_ERR_INVALID_ARGUMENT, c.perm[1] = -1) \
    X(perm_huge, "perm (1,INT32_MAX)", CK_ERR_INVALID_ARGUMENT, c.perm[1] = INT32_MAX) \
    X(perm_y_not_permuted, "y (3,4): x's dims, not permuted", CK_ERR_SHAPE_MISMATCH, c.ty = inv_dims2(c.ty, 3, 4)) \
    X(perm_y_rank, "y (4,3,1): one dim more", CK_ERR_SHAPE_MISMATCH, c.ty = inv_dims3(c.ty, 4, 3, 1)) \
    X(perm_x_zero_dim, "x (3,0)", CK_ERR_INVALID_ARGUMENT, c.tx.dims[1] = 0) \
    X(perm_x_i32, "x int32", CK_ERR_INVALID_ARGUMENT, c.tx = inv_dtype(c.tx, CK_I32)) \
    X(perm_y_f64, "y float64, x float32", INV_F64_AMONG_F32, c.ty = inv_dtype(c.ty, CK_F64)) \
    X(perm_y_foreign, "y on a buffer of another context", CK_ERR_INVALID_ARGUMENT, c.ty = inv_foreign(e, c.ty)) \
    X(perm_y_small_buffer, "y on a buffer too small for it", CK_ERR_OUT_OF_BOUNDS, c.ty = inv_on_small(e, c.ty)) \
    X(perm_y_is_x, "y exactly on x's memory", CK_ERR_INVALID_ARGUMENT, c.ty = inv_overlapping(c.ty, &c.tx, 0)) \
    X(perm_y_overlaps_x, "y partly overlaps x", CK_ERR_INVALID_ARGUMENT, c.ty = inv_overlapping(c.ty, &c.tx, 8))
/* clang-format on */

/* Each case: the valid call, the case's edit, then the op. */
#define DEFINE_CASE(run_fn, edit) \
    {                             \
        dense_call c;             \
        dense_init(e, &c);        \
        edit;                     \
        *message_ctx = c.ctx;     \
        return run_fn(&c);        \
    }
#define GEMM_FN(id, text, status, edit) \
    static ck_status id(const inv_env *e, ck_context **message_ctx) DEFINE_CASE(gemm, edit)
#define BIAS_ADD_FN(id, text, status, edit) \
    static ck_status id(const inv_env *e, ck_context **message_ctx) DEFINE_CASE(bias_add, edit)
#define BIAS_BACKWARD_FN(id, text, status, edit) \
    static ck_status id(const inv_env *e, ck_context **message_ctx) DEFINE_CASE(bias_backward, edit)
#define REDUCE_SUM_FN(id, text, status, edit) \
    static ck_status id(const inv_env *e, ck_context **message_ctx) DEFINE_CASE(reduce_sum, edit)
#define PERMUTE_FN(id, text, status, edit) \
    static ck_status id(const inv_env *e, ck_context **message_ctx) DEFINE_CASE(permute, edit)

GEMM_CASES(GEMM_FN)
BIAS_ADD_CASES(BIAS_ADD_FN)
BIAS_BACKWARD_CASES(BIAS_BACKWARD_FN)
REDUCE_SUM_CASES(REDUCE_SUM_FN)
PERMUTE_CASES(PERMUTE_FN)

#define GEMM_ENTRY(id, text, status, edit) {"gemm: " text, status, id},
#define BIAS_ADD_ENTRY(id, text, status, edit) {"bias_add: " text, status, id},
#define BIAS_BACKWARD_ENTRY(id, text, status, edit) {"bias_backward: " text, status, id},
#define REDUCE_SUM_ENTRY(id, text, status, edit) {"reduce_sum: " text, status, id},
#define PERMUTE_ENTRY(id, text, status, edit) {"permute: " text, status, id},

static const inv_case cases[] = {
    GEMM_CASES(GEMM_ENTRY) BIAS_ADD_CASES(BIAS_ADD_ENTRY) BIAS_BACKWARD_CASES(BIAS_BACKWARD_ENTRY)
    REDUCE_SUM_CASES(REDUCE_SUM_ENTRY) PERMUTE_CASES(PERMUTE_ENTRY)
};

inv_table inv_dense_cases(void) { return (inv_table){cases, sizeof cases / sizeof cases[0]}; }
