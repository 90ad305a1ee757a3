/*
 * dense_elementwise.c — add, mul, scale, axpy, fill and copy on the backend
 * under test against the reference, over lengths that do and do not fill a
 * SIMD vector, out of place and exactly in place.
 *
 * Tolerances (u = 2^-24):
 *  - mul, scale, fill, copy: exact. Each element is one IEEE operation (or
 *    none); the reference's double result rounded to float32 is the same
 *    correctly rounded value (a double holds the exact product of two floats).
 *  - add (alpha*a + beta*b) and axpy (alpha*x + y): up to three roundings
 *    (two products and a sum; fewer with FMA) and the reference's own:
 *    4 * u * (|alpha*a| + |beta*b|).
 */
#include "dense_elementwise.h"
#include "crosscheck.h"

#include <math.h>
#include <stdlib.h>

/** Compares out within k * u * bound[i]. */
static void expect_bound(ckt_run *run, const char *what, const ckt_pair *out, const double *bound, double k) {
    size_t n = out->test->count;
    double *tol = malloc(n * sizeof *tol);
    if (!tol) return;
    for (size_t i = 0; i < n; i++) tol[i] = k * CKT_F32_UNIT * bound[i];
    ckt_pair_expect_within_tol(run, what, out, tol);
    free(tol);
}

static size_t numel(int32_t ndim, const int64_t *dims) {
    size_t count = 1;
    for (int32_t i = 0; i < ndim; i++) count *= (size_t)dims[i];
    return count;
}

/** 0: y separate; 1: y is a; 2: y is b. */
static const char *const placements[] = {"out of place", "in place on a", "in place on b"};

static void check_add(ckt_run *run, int32_t ndim, const int64_t *dims, float alpha, float beta, int place, uint64_t seed) {
    ckt_case(run, "add %zu elements alpha %g beta %g %s", numel(ndim, dims), (double)alpha, (double)beta,
             placements[place]);
    ckt_pair a = {0}, b = {0}, y = {0};
    double *va = NULL, *vb = NULL;
    if (ckt_pair_uniform(run, &a, ndim, dims, seed, -1.0, 1.0) && ckt_pair_uniform(run, &b, ndim, dims, seed + 1, -2.0, 2.0) &&
        (place != 0 || ckt_pair_new(run, &y, CK_F32, ndim, dims)) && (va = ckt_read_new(run, a.ref)) != NULL &&
        (vb = ckt_read_new(run, b.ref)) != NULL) {
        const ckt_pair *out = place == 0 ? &y : (place == 1 ? &a : &b);
        ck_status st = ck_add(run->ctx, alpha, &a.test->t, beta, &b.test->t, &out->test->t);
        ck_status sr = ck_add(run->ref, alpha, &a.ref->t, beta, &b.ref->t, &out->ref->t);
        for (size_t i = 0; i < a.test->count; i++) va[i] = fabs(alpha * va[i]) + fabs(beta * vb[i]);
        if (ckt_pair_expect_ok(run, st, sr, "add")) expect_bound(run, "add y", out, va, 4.0);
    }
    free(va);
    free(vb);
    ckt_pair_free(&a);
    ckt_pair_free(&b);
    ckt_pair_free(&y);
}

static void check_mul(ckt_run *run, int32_t ndim, const int64_t *dims, int place, uint64_t seed) {
    ckt_case(run, "mul %zu elements %s", numel(ndim, dims), placements[place]);
    ckt_pair a = {0}, b = {0}, y = {0};
    if (ckt_pair_uniform(run, &a, ndim, dims, seed, -3.0, 3.0) && ckt_pair_uniform(run, &b, ndim, dims, seed + 1, -3.0, 3.0) &&
        (place != 0 || ckt_pair_new(run, &y, CK_F32, ndim, dims))) {
        const ckt_pair *out = place == 0 ? &y : (place == 1 ? &a : &b);
        ck_status st = ck_mul(run->ctx, &a.test->t, &b.test->t, &out->test->t);
        ck_status sr = ck_mul(run->ref, &a.ref->t, &b.ref->t, &out->ref->t);
        if (ckt_pair_expect_ok(run, st, sr, "mul")) ckt_pair_expect_close(run, "mul y (exact)", out, 0.0, 0.0);
    }
    ckt_pair_free(&a);
    ckt_pair_free(&b);
    ckt_pair_free(&y);
}

static void check_scale(ckt_run *run, int32_t ndim, const int64_t *dims, float alpha, int in_place, uint64_t seed) {
    ckt_case(run, "scale %zu elements alpha %g %s", numel(ndim, dims), (double)alpha, in_place ? "in place" : "out of place");
    ckt_pair x = {0}, y = {0};
    if (ckt_pair_uniform(run, &x, ndim, dims, seed, -3.0, 3.0) && (in_place || ckt_pair_new(run, &y, CK_F32, ndim, dims))) {
        const ckt_pair *out = in_place ? &x : &y;
        ck_status st = ck_scale(run->ctx, alpha, &x.test->t, &out->test->t);
        ck_status sr = ck_scale(run->ref, alpha, &x.ref->t, &out->ref->t);
        if (ckt_pair_expect_ok(run, st, sr, "scale")) ckt_pair_expect_close(run, "scale y (exact)", out, 0.0, 0.0);
    }
    ckt_pair_free(&x);
    ckt_pair_free(&y);
}

static void check_axpy(ckt_run *run, int32_t ndim, const int64_t *dims, float alpha, uint64_t seed) {
    ckt_case(run, "axpy %zu elements alpha %g", numel(ndim, dims), (double)alpha);
    ckt_pair x = {0}, y = {0};
    double *vx = NULL, *vy = NULL;
    if (ckt_pair_uniform(run, &x, ndim, dims, seed, -1.0, 1.0) && ckt_pair_uniform(run, &y, ndim, dims, seed + 1, -1.0, 1.0) &&
        (vx = ckt_read_new(run, x.ref)) != NULL && (vy = ckt_read_new(run, y.ref)) != NULL) {
        ck_status st = ck_axpy(run->ctx, alpha, &x.test->t, &y.test->t);
        ck_status sr = ck_axpy(run->ref, alpha, &x.ref->t, &y.ref->t);
        for (size_t i = 0; i < x.test->count; i++) vx[i] = fabs(alpha * vx[i]) + fabs(vy[i]);
        if (ckt_pair_expect_ok(run, st, sr, "axpy")) expect_bound(run, "axpy y", &y, vx, 4.0);
    }
    free(vx);
    free(vy);
    ckt_pair_free(&x);
    ckt_pair_free(&y);
}

static void check_fill(ckt_run *run, int32_t ndim, const int64_t *dims, float value) {
    ckt_case(run, "fill %zu elements with %g", numel(ndim, dims), (double)value);
    ckt_pair y = {0};
    if (ckt_pair_new(run, &y, CK_F32, ndim, dims)) {
        ck_status st = ck_fill(run->ctx, value, &y.test->t);
        ck_status sr = ck_fill(run->ref, value, &y.ref->t);
        double *got = ckt_pair_expect_ok(run, st, sr, "fill") ? ckt_read_new(run, y.test) : NULL;
        if (got) {
            size_t bad = 0;
            for (size_t i = 0; i < y.test->count; i++) bad += got[i] != (double)value;
            ckt_expect(run, bad == 0, "fill y: %zu of %zu elements are not %g", bad, y.test->count, (double)value);
            ckt_pair_expect_close(run, "fill y (exact)", &y, 0.0, 0.0);
        }
        free(got);
    }
    ckt_pair_free(&y);
}

/** copy between two shapes with the same element count (a reshape) and to the same shape. */
static void check_copy(ckt_run *run, int32_t ndim, const int64_t *dims, uint64_t seed) {
    size_t count = numel(ndim, dims);
    const int64_t flat[1] = {(int64_t)count};
    for (int reshape = 0; reshape < 2; reshape++) {
        ckt_case(run, "copy %zu elements%s", count, reshape ? " into a flat view" : "");
        ckt_pair x = {0}, y = {0};
        if (ckt_pair_uniform(run, &x, ndim, dims, seed, -5.0, 5.0) &&
            ckt_pair_new(run, &y, CK_F32, reshape ? 1 : ndim, reshape ? flat : dims)) {
            ck_status st = ck_copy(run->ctx, &x.test->t, &y.test->t);
            ck_status sr = ck_copy(run->ref, &x.ref->t, &y.ref->t);
            double *want = ckt_read_new(run, x.ref), *got = ckt_read_new(run, y.test);
            if (want && got && ckt_pair_expect_ok(run, st, sr, "copy")) {
                ckt_expect_close(run, "copy y equals x (exact)", got, want, count, 0.0, 0.0);
                ckt_pair_expect_close(run, "copy y (exact)", &y, 0.0, 0.0);
            }
            free(want);
            free(got);
        }
        ckt_pair_free(&x);
        ckt_pair_free(&y);
    }
}

void ckt_dense_elementwise_cases(ckt_run *run) {
    static const int64_t lengths[] = {1, 7, 8, 33, 1003};
    static const int64_t nchw[4] = {2, 3, 5, 7};
    static const float add_scalars[][2] = {{1.0f, 1.0f}, {1.0f, -1.0f}, {0.5f, 2.0f}, {-1.5f, 0.0f}, {0.3f, 0.7f}};
    uint64_t seed = 70000;
    for (size_t s = 0; s <= sizeof lengths / sizeof lengths[0]; s++, seed += 1000) {
        int32_t ndim = s < sizeof lengths / sizeof lengths[0] ? 1 : 4;
        const int64_t *dims = ndim == 1 ? &lengths[s] : nchw;
        for (size_t a = 0; a < sizeof add_scalars / sizeof add_scalars[0]; a++)
            for (int place = 0; place < 3; place++)
                check_add(run, ndim, dims, add_scalars[a][0], add_scalars[a][1], place, seed + 10 * a + (uint64_t)place);
        for (int place = 0; place < 3; place++) check_mul(run, ndim, dims, place, seed + 100 + (uint64_t)place);
        check_scale(run, ndim, dims, -0.3f, 0, seed + 200);
        check_scale(run, ndim, dims, 2.5f, 1, seed + 210);
        check_scale(run, ndim, dims, 0.0f, 0, seed + 220);
        check_axpy(run, ndim, dims, 0.7f, seed + 300);
        check_axpy(run, ndim, dims, -2.0f, seed + 310);
        check_fill(run, ndim, dims, -2.5f);
        check_fill(run, ndim, dims, 0.0f);
        check_copy(run, ndim, dims, seed + 400);
    }
}
