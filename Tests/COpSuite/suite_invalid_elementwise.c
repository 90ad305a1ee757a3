/*
 * suite_invalid_elementwise.c — bad calls of the same-shape elementwise ops
 * add, mul, scale, axpy, fill and copy (see suite_invalid.h for how a case
 * is written).
 *
 * Valid calls: every tensor (2,3,4) float32 (copy: any shapes of the same
 * element count). convkit.h lets the output be exactly an input (in place)
 * but not partly overlap one: exact aliasing is CK_OK, a partial overlap
 * CK_ERR_INVALID_ARGUMENT. The scalar factors must be finite; fill's value
 * may be anything, NaN included (poisoning memory is a use).
 */
#include "suite_invalid.h"

#include <math.h>
#include <stdint.h>

typedef struct ew_call {
    ck_context *ctx;
    float alpha, beta, value;
    ck_tensor a, b, y;
    const ck_tensor *pa, *pb, *py;
} ew_call;

static void ew_init(const inv_env *e, ew_call *c) {
    c->ctx = e->ctx;
    c->alpha = 0.5f;
    c->beta = 0.0f;
    c->value = 1.0f;
    c->a = e->ew.a, c->b = e->ew.b, c->y = e->ew.y;
    c->pa = &c->a, c->pb = &c->b, c->py = &c->y;
}

static ck_status add(const ew_call *c) { return ck_add(c->ctx, c->alpha, c->pa, c->beta, c->pb, c->py); }
static ck_status mul(const ew_call *c) { return ck_mul(c->ctx, c->pa, c->pb, c->py); }
static ck_status scale(const ew_call *c) { return ck_scale(c->ctx, c->alpha, c->pa, c->py); }
static ck_status axpy(const ew_call *c) { return ck_axpy(c->ctx, c->alpha, c->pa, c->py); }
static ck_status fill(const ew_call *c) { return ck_fill(c->ctx, c->value, c->py); }
static ck_status copy(const ew_call *c) { return ck_copy(c->ctx, c->pa, c->py); }

/* clang-format off */
#define ADD_CASES(X) \
    X(add_valid, "valid call", CK_OK, (void)0) \
    X(add_valid_in_place_a, "exactly in place: y is a", CK_OK, c.py = &c.a) \
    X(add_valid_in_place_b, "exactly in place: y is b", CK_OK, c.py = &c.b) \
    X(add_valid_all_same, "a, b and y the same tensor", CK_OK, c.pb = &c.a; c.py = &c.a) \
    X(add_valid_scalar, "0-d tensors", CK_OK, c.a.ndim = 0; c.b.ndim = 0; c.y.ndim = 0) \
    X(add_ctx_null, "ctx NULL", CK_ERR_INVALID_ARGUMENT, c.ctx = NULL) \
    X(add_a_null, "a NULL", CK_ERR_INVALID_ARGUMENT, c.pa = NULL) \
    X(add_b_null, "b NULL", CK_ERR_INVALID_ARGUMENT, c.pb = NULL) \
    X(add_y_null, "y NULL", CK_ERR_INVALID_ARGUMENT, c.py = NULL) \
    X(add_b_foreign, "b on a buffer of another context", CK_ERR_INVALID_ARGUMENT, c.b = inv_foreign(e, c.b)) \
    X(add_y_no_buffer, "y has a NULL buffer", CK_ERR_INVALID_ARGUMENT, c.y = inv_no_buffer(c.y)) \
    X(add_alpha_nan, "alpha NaN", CK_ERR_INVALID_ARGUMENT, c.alpha = NAN) \
    X(add_beta_inf, "beta -infinity", CK_ERR_INVALID_ARGUMENT, c.beta = -INFINITY) \
    X(add_b_dims, "b (2,4,3), not a's (2,3,4)", CK_ERR_SHAPE_MISMATCH, c.b = inv_dims3(c.b, 2, 4, 3)) \
    X(add_b_ndim, "b (6,4): same count, other shape", CK_ERR_SHAPE_MISMATCH, c.b = inv_dims2(c.b, 6, 4)) \
    X(add_y_dims, "y (2,3,5)", CK_ERR_SHAPE_MISMATCH, c.y = inv_dims3(c.y, 2, 3, 5)) \
    X(add_a_zero, "a (2,0,4)", CK_ERR_INVALID_ARGUMENT, c.a.dims[1] = 0) \
    X(add_a_ndim_9, "a ndim 9", CK_ERR_INVALID_ARGUMENT, c.a.ndim = 9) \
    X(add_y_bytes_overflow, "y (2^40, 2^40, 2^40): byte size overflows size_t", CK_ERR_OVERFLOW, c.y = inv_dims3(c.y, (int64_t)1 << 40, (int64_t)1 << 40, (int64_t)1 << 40)) \
    X(add_y_small_buffer, "y on a 16-byte buffer", CK_ERR_OUT_OF_BOUNDS, c.y = inv_on_small(e, c.y)) \
    X(add_a_i32, "a int32", CK_ERR_INVALID_ARGUMENT, c.a = inv_dtype(c.a, CK_I32)) \
    X(add_b_f64, "b float64, a and y float32", INV_F64_AMONG_F32, c.b = inv_dtype(c.b, CK_F64)) \
    X(add_y_overlaps_a, "y partly overlaps a (shifted by one element)", CK_ERR_INVALID_ARGUMENT, c.y = inv_overlapping(c.y, &c.a, 4)) \
    X(add_y_overlaps_b, "y partly overlaps b", CK_ERR_INVALID_ARGUMENT, c.y = inv_overlapping(c.y, &c.b, 48))

#define MUL_CASES(X) \
    X(mul_valid, "valid call", CK_OK, (void)0) \
    X(mul_valid_in_place, "exactly in place: y is b", CK_OK, c.py = &c.b) \
    X(mul_ctx_null, "ctx NULL", CK_ERR_INVALID_ARGUMENT, c.ctx = NULL) \
    X(mul_a_null, "a NULL", CK_ERR_INVALID_ARGUMENT, c.pa = NULL) \
    X(mul_b_dims, "b (3,2,4)", CK_ERR_SHAPE_MISMATCH, c.b = inv_dims3(c.b, 3, 2, 4)) \
    X(mul_b_i32, "b int32", CK_ERR_INVALID_ARGUMENT, c.b = inv_dtype(c.b, CK_I32)) \
    X(mul_y_overlaps_a, "y partly overlaps a", CK_ERR_INVALID_ARGUMENT, c.y = inv_overlapping(c.y, &c.a, 12))

#define SCALE_CASES(X) \
    X(scale_valid, "valid call", CK_OK, (void)0) \
    X(scale_valid_in_place, "exactly in place", CK_OK, c.py = &c.a) \
    X(scale_ctx_null, "ctx NULL", CK_ERR_INVALID_ARGUMENT, c.ctx = NULL) \
    X(scale_x_null, "x NULL", CK_ERR_INVALID_ARGUMENT, c.pa = NULL) \
    X(scale_alpha_inf, "alpha infinite", CK_ERR_INVALID_ARGUMENT, c.alpha = INFINITY) \
    X(scale_y_dims, "y (2,3,3)", CK_ERR_SHAPE_MISMATCH, c.y.dims[2] = 3) \
    X(scale_y_overlaps_x, "y partly overlaps x", CK_ERR_INVALID_ARGUMENT, c.y = inv_overlapping(c.y, &c.a, 92))

#define AXPY_CASES(X) \
    X(axpy_valid, "valid call", CK_OK, (void)0) \
    X(axpy_valid_same, "x is y (y = (alpha + 1) * y)", CK_OK, c.pa = &c.y) \
    X(axpy_ctx_null, "ctx NULL", CK_ERR_INVALID_ARGUMENT, c.ctx = NULL) \
    X(axpy_y_null, "y NULL", CK_ERR_INVALID_ARGUMENT, c.py = NULL) \
    X(axpy_alpha_nan, "alpha NaN", CK_ERR_INVALID_ARGUMENT, c.alpha = NAN) \
    X(axpy_x_dims, "x (2,3,4,1)", CK_ERR_SHAPE_MISMATCH, c.a = inv_dims4(c.a, 2, 3, 4, 1)) \
    X(axpy_y_overlaps_x, "y partly overlaps x", CK_ERR_INVALID_ARGUMENT, c.y = inv_overlapping(c.y, &c.a, 32))

#define FILL_CASES(X) \
    X(fill_valid, "valid call", CK_OK, (void)0) \
    X(fill_valid_nan, "value NaN (poisoning is a use)", CK_OK, c.value = NAN) \
    X(fill_ctx_null, "ctx NULL", CK_ERR_INVALID_ARGUMENT, c.ctx = NULL) \
    X(fill_y_null, "y NULL", CK_ERR_INVALID_ARGUMENT, c.py = NULL) \
    X(fill_y_foreign, "y on a buffer of another context", CK_ERR_INVALID_ARGUMENT, c.y = inv_foreign(e, c.y)) \
    X(fill_y_i32, "y int32", CK_ERR_INVALID_ARGUMENT, c.y = inv_dtype(c.y, CK_I32)) \
    X(fill_y_negative, "y (2,-3,4)", CK_ERR_INVALID_ARGUMENT, c.y.dims[1] = -3) \
    X(fill_y_small_buffer, "y on a 16-byte buffer", CK_ERR_OUT_OF_BOUNDS, c.y = inv_on_small(e, c.y)) \
    X(fill_y_offset_misaligned, "y offset not a multiple of 4", CK_ERR_INVALID_ARGUMENT, c.y.offset += 1)

#define COPY_CASES(X) \
    X(copy_valid, "valid call", CK_OK, (void)0) \
    X(copy_valid_reshape, "y (6,4): same count, other shape", CK_OK, c.y = inv_dims2(c.y, 6, 4)) \
    X(copy_valid_in_place, "exactly in place", CK_OK, c.py = &c.a) \
    X(copy_ctx_null, "ctx NULL", CK_ERR_INVALID_ARGUMENT, c.ctx = NULL) \
    X(copy_x_null, "x NULL", CK_ERR_INVALID_ARGUMENT, c.pa = NULL) \
    X(copy_count, "y (5,5): 25 elements for 24", CK_ERR_SHAPE_MISMATCH, c.y = inv_dims2(c.y, 5, 5)) \
    X(copy_x_i32, "x int32", CK_ERR_INVALID_ARGUMENT, c.a = inv_dtype(c.a, CK_I32)) \
    X(copy_y_f64, "y float64, x float32", INV_F64_AMONG_F32, c.y = inv_dtype(c.y, CK_F64)) \
    X(copy_y_overlaps_x, "y partly overlaps x", CK_ERR_INVALID_ARGUMENT, c.y = inv_overlapping(c.y, &c.a, 20))
/* clang-format on */

/* Each case: the valid call, the case's edit, then the op. */
#define DEFINE_CASE(run_fn, edit) \
    {                             \
        ew_call c;                \
        ew_init(e, &c);           \
        edit;                     \
        *message_ctx = c.ctx;     \
        return run_fn(&c);        \
    }
#define ADD_FN(id, text, status, edit) static ck_status id(const inv_env *e, ck_context **message_ctx) DEFINE_CASE(add, edit)
#define MUL_FN(id, text, status, edit) static ck_status id(const inv_env *e, ck_context **message_ctx) DEFINE_CASE(mul, edit)
#define SCALE_FN(id, text, status, edit) static ck_status id(const inv_env *e, ck_context **message_ctx) DEFINE_CASE(scale, edit)
#define AXPY_FN(id, text, status, edit) static ck_status id(const inv_env *e, ck_context **message_ctx) DEFINE_CASE(axpy, edit)
#define FILL_FN(id, text, status, edit) static ck_status id(const inv_env *e, ck_context **message_ctx) DEFINE_CASE(fill, edit)
#define COPY_FN(id, text, status, edit) static ck_status id(const inv_env *e, ck_context **message_ctx) DEFINE_CASE(copy, edit)

ADD_CASES(ADD_FN)
MUL_CASES(MUL_FN)
SCALE_CASES(SCALE_FN)
AXPY_CASES(AXPY_FN)
FILL_CASES(FILL_FN)
COPY_CASES(COPY_FN)

#define ADD_ENTRY(id, text, status, edit) {"add: " text, status, id},
#define MUL_ENTRY(id, text, status, edit) {"mul: " text, status, id},
#define SCALE_ENTRY(id, text, status, edit) {"scale: " text, status, id},
#define AXPY_ENTRY(id, text, status, edit) {"axpy: " text, status, id},
#define FILL_ENTRY(id, text, status, edit) {"fill: " text, status, id},
#define COPY_ENTRY(id, text, status, edit) {"copy: " text, status, id},

static const inv_case cases[] = {
    ADD_CASES(ADD_ENTRY) MUL_CASES(MUL_ENTRY) SCALE_CASES(SCALE_ENTRY) AXPY_CASES(AXPY_ENTRY) FILL_CASES(FILL_ENTRY)
    COPY_CASES(COPY_ENTRY)
};

inv_table inv_elementwise_cases(void) { return (inv_table){cases, sizeof cases / sizeof cases[0]}; }
