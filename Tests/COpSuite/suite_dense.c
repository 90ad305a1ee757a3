/*
 * suite_dense.c — GEMM, bias add / backward and reductions on the backend
 * under test against the reference. The same-shape elementwise ops (add,
 * mul, scale, axpy, fill, copy) are in dense_elementwise.c.
 *
 * Tolerances (u = 2^-24, float32's unit roundoff):
 *  - gemm: c = alpha * sum_k a*b + beta * c is a float32 sum of K products,
 *    then a scaling and an accumulation: (K + 3) * u * bound, bound = the
 *    reference on |alpha|, |a|, |b|, |beta|, |c| (conv_check.h explains the
 *    classical bound), + u for the reference's own rounding.
 *  - bias_add: exact. x + b is one IEEE addition, and the reference's double
 *    sum rounded to float32 is the same correctly rounded value.
 *  - bias_backward, reduce_sum: a sum of R terms (+ beta * y):
 *    (R + 2) * u * sum|terms|, from the reference run on |inputs|.
 *  - permute: exact on both backends, against the permutation done here on
 *    the host (an oracle independent of either backend).
 */
#include "crosscheck.h"
#include "dense_elementwise.h"
#include "suites.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void check_gemm(ckt_run *run, int64_t m, int64_t k, int64_t n, int32_t ta, int32_t tb, float alpha,
                       float beta, uint64_t seed) {
    ckt_case(run, "gemm m %lld k %lld n %lld trans_a %d trans_b %d alpha %g beta %g", (long long)m, (long long)k,
             (long long)n, ta, tb, (double)alpha, (double)beta);
    const int64_t a_dims[2] = {ta ? k : m, ta ? m : k}, b_dims[2] = {tb ? n : k, tb ? k : n}, c_dims[2] = {m, n};
    ckt_pair a = {0}, b = {0}, c = {0};
    ckt_tensor *abs_a = NULL, *abs_b = NULL, *bound = NULL;
    if (ckt_pair_uniform(run, &a, 2, a_dims, seed, -1.0, 1.0) && ckt_pair_uniform(run, &b, 2, b_dims, seed + 1, -1.0, 1.0) &&
        ckt_pair_new(run, &c, CK_F32, 2, c_dims)) {
        if (beta != 0.0f) {
            ckt_fill_uniform(c.test, seed + 2, -1.0, 1.0);
            ckt_fill_uniform(c.ref, seed + 2, -1.0, 1.0);
        }
        abs_a = ckt_abs_clone_to(run, a.ref, run->ref, CK_F32);
        abs_b = ckt_abs_clone_to(run, b.ref, run->ref, CK_F32);
        bound = ckt_abs_clone_to(run, c.ref, run->ref, CK_F32);
        ck_status st = ck_gemm(run->ctx, ta, tb, alpha, &a.test->t, &b.test->t, beta, &c.test->t);
        ck_status sr = ck_gemm(run->ref, ta, tb, alpha, &a.ref->t, &b.ref->t, beta, &c.ref->t);
        if (abs_a && abs_b && bound && ckt_pair_expect_ok(run, st, sr, "gemm") &&
            ckt_expect_ok(run, ck_gemm(run->ref, ta, tb, alpha < 0 ? -alpha : alpha, &abs_a->t, &abs_b->t,
                                       beta < 0 ? -beta : beta, &bound->t),
                          run->ref, "gemm bound"))
            ckt_pair_expect_within_bound(run, "gemm c", &c, bound, (double)k + 4.0);
    }
    ckt_pair_free(&a);
    ckt_pair_free(&b);
    ckt_pair_free(&c);
    ckt_free(abs_a);
    ckt_free(abs_b);
    ckt_free(bound);
}

static void gemm_cases(ckt_run *run) {
    static const int64_t sizes[][3] = {{1, 1, 1}, {3, 5, 7}, {13, 1, 11}, {17, 33, 9}, {2, 300, 3}, {64, 128, 48}, {19, 40, 35}};
    static const float scalars[][2] = {{1.0f, 0.0f}, {-0.7f, 1.0f}, {1.3f, 0.5f}};
    uint64_t seed = 40000;
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
        for (int t = 0; t < 4; t++)
            for (size_t a = 0; a < sizeof scalars / sizeof scalars[0]; a++, seed += 10)
                check_gemm(run, sizes[s][0], sizes[s][1], sizes[s][2], t & 1, t >> 1, scalars[a][0], scalars[a][1], seed);
}

static void check_bias_add(ckt_run *run, int32_t ndim, const int64_t *dims, int in_place, uint64_t seed) {
    ckt_case(run, "bias_add %dD x (%lld, %lld, ...)%s", ndim, (long long)dims[0], (long long)dims[1],
             in_place ? " in place" : "");
    ckt_pair x = {0}, bias = {0}, y = {0};
    if (ckt_pair_uniform(run, &x, ndim, dims, seed, -1.0, 1.0) &&
        ckt_pair_uniform(run, &bias, 1, &dims[1], seed + 1, -1.0, 1.0) &&
        (in_place || ckt_pair_new(run, &y, CK_F32, ndim, dims))) {
        const ckt_pair *out = in_place ? &x : &y;
        ck_status st = ck_bias_add(run->ctx, &x.test->t, &bias.test->t, &out->test->t);
        ck_status sr = ck_bias_add(run->ref, &x.ref->t, &bias.ref->t, &out->ref->t);
        if (ckt_pair_expect_ok(run, st, sr, "bias_add")) ckt_pair_expect_close(run, "bias_add y (exact)", out, 0.0, 0.0);
    }
    ckt_pair_free(&x);
    ckt_pair_free(&bias);
    ckt_pair_free(&y);
}

static void check_bias_backward(ckt_run *run, int32_t ndim, const int64_t *dims, float beta, uint64_t seed) {
    ckt_case(run, "bias_backward %dD dy (%lld, %lld, ...) beta %g", ndim, (long long)dims[0], (long long)dims[1],
             (double)beta);
    double terms = 1.0;
    for (int32_t i = 0; i < ndim; i++) terms *= i == 1 ? 1.0 : (double)dims[i];
    ckt_pair dy = {0}, db = {0};
    ckt_tensor *abs_dy = NULL, *bound = NULL;
    if (ckt_pair_uniform(run, &dy, ndim, dims, seed, -1.0, 1.0) && ckt_pair_new(run, &db, CK_F32, 1, &dims[1])) {
        if (beta != 0.0f) {
            ckt_fill_uniform(db.test, seed + 1, -1.0, 1.0);
            ckt_fill_uniform(db.ref, seed + 1, -1.0, 1.0);
        }
        abs_dy = ckt_abs_clone_to(run, dy.ref, run->ref, CK_F32);
        bound = ckt_abs_clone_to(run, db.ref, run->ref, CK_F32);
        ck_status st = ck_bias_backward(run->ctx, &dy.test->t, beta, &db.test->t);
        ck_status sr = ck_bias_backward(run->ref, &dy.ref->t, beta, &db.ref->t);
        if (abs_dy && bound && ckt_pair_expect_ok(run, st, sr, "bias_backward") &&
            ckt_expect_ok(run, ck_bias_backward(run->ref, &abs_dy->t, beta, &bound->t), run->ref, "bound"))
            ckt_pair_expect_within_bound(run, "bias_backward dbias", &db, bound, terms + 2.0);
    }
    ckt_pair_free(&dy);
    ckt_pair_free(&db);
    ckt_free(abs_dy);
    ckt_free(bound);
}

static void bias_cases(ckt_run *run) {
    static const int64_t d2[] = {2, 3}, d4a[] = {1, 1, 1, 1}, d4b[] = {2, 5, 3, 3}, d4c[] = {3, 17, 4, 5},
                         d5[] = {2, 3, 2, 2, 3}, d4d[] = {17, 64, 7, 7};
    const struct { int32_t ndim; const int64_t *dims; } shapes[] = {{2, d2}, {4, d4a}, {4, d4b}, {4, d4c}, {5, d5}, {4, d4d}};
    uint64_t seed = 50000;
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++, seed += 10) {
        check_bias_add(run, shapes[i].ndim, shapes[i].dims, 0, seed);
        check_bias_add(run, shapes[i].ndim, shapes[i].dims, 1, seed + 2);
        check_bias_backward(run, shapes[i].ndim, shapes[i].dims, 0.0f, seed + 4);
        check_bias_backward(run, shapes[i].ndim, shapes[i].dims, 1.0f, seed + 6);
    }
}

/** reduce_sum of x over `mask`, y with the reduced axes kept (size 1) or removed (all removed: a scalar). */
static void check_reduce(ckt_run *run, const int64_t x_dims[4], uint32_t mask, int keep, float beta, uint64_t seed) {
    ckt_case(run, "reduce_sum x %lldx%lldx%lldx%lld mask 0x%x %s beta %g", (long long)x_dims[0], (long long)x_dims[1],
             (long long)x_dims[2], (long long)x_dims[3], (unsigned)mask, keep ? "keep dims" : "drop dims", (double)beta);
    int64_t y_dims[4];
    int32_t y_ndim = 0;
    double terms = 1.0;
    for (int i = 0; i < 4; i++) {
        int reduced = (mask >> i) & 1u;
        if (reduced) terms *= (double)x_dims[i];
        if (keep || !reduced) y_dims[y_ndim++] = reduced ? 1 : x_dims[i];
    }
    ckt_pair x = {0}, y = {0};
    ckt_tensor *abs_x = NULL, *bound = NULL;
    if (ckt_pair_uniform(run, &x, 4, x_dims, seed, -1.0, 1.0) && ckt_pair_new(run, &y, CK_F32, y_ndim, y_dims)) {
        if (beta != 0.0f) {
            ckt_fill_uniform(y.test, seed + 1, -1.0, 1.0);
            ckt_fill_uniform(y.ref, seed + 1, -1.0, 1.0);
        }
        abs_x = ckt_abs_clone_to(run, x.ref, run->ref, CK_F32);
        bound = ckt_abs_clone_to(run, y.ref, run->ref, CK_F32);
        ck_status st = ck_reduce_sum(run->ctx, mask, &x.test->t, beta, &y.test->t);
        ck_status sr = ck_reduce_sum(run->ref, mask, &x.ref->t, beta, &y.ref->t);
        if (abs_x && bound && ckt_pair_expect_ok(run, st, sr, "reduce_sum") &&
            ckt_expect_ok(run, ck_reduce_sum(run->ref, mask, &abs_x->t, beta, &bound->t), run->ref, "bound"))
            ckt_pair_expect_within_bound(run, "reduce_sum y", &y, bound, terms + 2.0);
    }
    ckt_pair_free(&x);
    ckt_pair_free(&y);
    ckt_free(abs_x);
    ckt_free(bound);
}

static void reduce_cases(ckt_run *run) {
    static const int64_t small[4] = {3, 4, 5, 6}, ones[4] = {1, 1, 1, 1}, large[4] = {17, 64, 7, 7};
    static const uint32_t masks[] = {0x0, 0x1, 0x2, 0x8, 0x6, 0xd, 0xf};
    uint64_t seed = 60000;
    for (size_t i = 0; i < sizeof masks / sizeof masks[0]; i++)
        for (int keep = 0; keep < 2; keep++)
            for (int b = 0; b < 2; b++, seed += 10) check_reduce(run, small, masks[i], keep, (float)b, seed);
    check_reduce(run, ones, 0xf, 1, 0.0f, seed);
    check_reduce(run, large, 0xd, 0, 1.0f, seed + 10);
    check_reduce(run, large, 0xc, 1, 0.0f, seed + 20);
}

/** x's values permuted on the host: y[i] = x[j], j the index i with its digits put back in x's axis order. */
static void host_permute(const double *x, const int64_t *x_dims, int32_t ndim, const int32_t *perm, double *y) {
    int64_t stride[CK_MAX_DIMS], n = 1;
    for (int32_t d = ndim - 1; d >= 0; d--) {
        stride[d] = n;
        n *= x_dims[d];
    }
    for (int64_t i = 0; i < n; i++) {
        int64_t rest = i, source = 0;
        for (int32_t k = ndim - 1; k >= 0; k--) {
            source += (rest % x_dims[perm[k]]) * stride[perm[k]];
            rest /= x_dims[perm[k]];
        }
        y[i] = x[source];
    }
}

static void check_permute(ckt_run *run, int32_t ndim, const int64_t *x_dims, const int32_t *perm, uint64_t seed) {
    char shape[96] = "", order[48] = "";
    for (int32_t d = 0; d < ndim; d++) {
        size_t used = strlen(shape), placed = strlen(order);
        snprintf(shape + used, sizeof shape - used, "%s%lld", d ? "x" : "", (long long)x_dims[d]);
        snprintf(order + placed, sizeof order - placed, "%s%d", d ? "," : "", (int)perm[d]);
    }
    ckt_case(run, "permute x (%s) perm (%s)", ndim ? shape : "scalar", order);
    int64_t y_dims[CK_MAX_DIMS];
    for (int32_t d = 0; d < ndim; d++) y_dims[d] = x_dims[perm[d]];
    ckt_pair x = {0}, y = {0};
    double *host_x = NULL, *want = NULL, *got_test = NULL, *got_ref = NULL;
    if (ckt_pair_uniform(run, &x, ndim, x_dims, seed, -1.0, 1.0) && ckt_pair_new(run, &y, CK_F32, ndim, y_dims)) {
        ck_status st = ck_permute(run->ctx, perm, &x.test->t, &y.test->t);
        ck_status sr = ck_permute(run->ref, perm, &x.ref->t, &y.ref->t);
        size_t n = 1;
        for (int32_t d = 0; d < ndim; d++) n *= (size_t)x_dims[d];
        host_x = ckt_read_new(run, x.ref);
        want = malloc(n * sizeof *want);
        if (ckt_pair_expect_ok(run, st, sr, "permute") && host_x && want && (got_test = ckt_read_new(run, y.test)) &&
            (got_ref = ckt_read_new(run, y.ref))) {
            host_permute(host_x, x_dims, ndim, perm, want);
            ckt_expect_close(run, "permute y (exact)", got_test, want, n, 0.0, 0.0);
            ckt_expect_close(run, "permute y on the reference (exact)", got_ref, want, n, 0.0, 0.0);
            ckt_check_guards(run, y.test, "permute y");
        }
    }
    free(host_x), free(want), free(got_test), free(got_ref);
    ckt_pair_free(&x);
    ckt_pair_free(&y);
}

static void permute_cases(ckt_run *run) {
    static const struct {
        int32_t ndim;
        int64_t dims[CK_MAX_DIMS];
        int32_t perm[CK_MAX_DIMS];
    } cases[] = {
        {0, {0}, {0}},                                              /* a scalar */
        {1, {7}, {0}},                                              /* identity */
        {2, {3, 5}, {1, 0}},                                        /* matrix transpose */
        {2, {67, 130}, {1, 0}},                                     /* larger, odd sizes */
        {4, {2, 3, 4, 5}, {0, 2, 3, 1}},                            /* NCHW -> NHWC */
        {4, {2, 4, 5, 3}, {0, 3, 1, 2}},                            /* NHWC -> NCHW */
        {4, {2, 3, 4, 5}, {2, 3, 0, 1}},                            /* two merged groups swapped */
        {4, {2, 3, 4, 5}, {0, 1, 2, 3}},                            /* identity: one group */
        {3, {1, 4, 1}, {2, 0, 1}},                                  /* size-1 axes */
        {5, {2, 1, 3, 2, 2}, {4, 2, 0, 3, 1}},                      /* five axes */
        {8, {2, 1, 2, 3, 1, 2, 2, 3}, {7, 6, 5, 4, 3, 2, 1, 0}},    /* eight axes reversed */
        {3, {1, 1, 1}, {1, 2, 0}},                                  /* one element */
    };
    uint64_t seed = 65000;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++, seed += 10)
        check_permute(run, cases[i].ndim, cases[i].dims, cases[i].perm, seed);
}

void ckt_suite_dense(ckt_run *run) {
    gemm_cases(run);
    bias_cases(run);
    reduce_cases(run);
    permute_cases(run);
    ckt_dense_elementwise_cases(run);
}
