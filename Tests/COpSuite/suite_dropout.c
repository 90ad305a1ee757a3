/*
 * suite_dropout.c — dropout's counter-based masks on the backend under test
 * against the reference.
 *
 *  - mask and y must be bitwise identical to the reference (convkit.h: the
 *    same seed and offset give the same mask on every backend); y = x * mask
 *    is one IEEE product, so it is exact too.
 *  - every mask value is 0 or one scale s, with s = 1/(1 - rate) to 2 ulp
 *    (1 - rate and the division each round once in float32).
 *  - the kept fraction is within 5 standard deviations of 1 - rate
 *    (binomial: sqrt(rate (1 - rate) / n)), plus 1/n for rounding the count;
 *    a correct generator fails this about once in 1.7 million runs, and the
 *    seeds are fixed, so the check is deterministic.
 *  - the counter: element i uses counter offset + i, so a mask made at
 *    offset o equals elements o... of a mask made at offset 0.
 */
#include "crosscheck.h"
#include "suites.h"

#include <math.h>
#include <stdlib.h>

static void check_mask_values(ckt_run *run, const double *mask, size_t n, float rate) {
    double want = 1.0 / (1.0 - (double)rate), scale = 0.0;
    size_t kept = 0, bad = n;
    for (size_t i = 0; i < n; i++) {
        if (mask[i] == 0.0) continue;
        if (kept++ == 0) scale = mask[i];
        if (mask[i] != scale && bad == n) bad = i;
    }
    ckt_expect(run, bad == n, "mask[%zu] = %.9g; every kept element must have the same scale %.9g", bad,
               bad < n ? mask[bad] : 0.0, scale);
    if (kept > 0)
        ckt_expect(run, fabs(scale - want) <= 2.0 * CKT_F32_UNIT * want, "mask scale %.9g, want 1/(1 - rate) = %.9g",
                   scale, want);
    double frac = (double)kept / (double)n, p = 1.0 - (double)rate;
    double tol = 5.0 * sqrt((double)rate * p / (double)n) + 1.0 / (double)n;
    ckt_expect(run, fabs(frac - p) <= tol, "kept fraction %.5f of %zu elements; want %.5f +- %.5f", frac, n, p, tol);
}

static void check_case(ckt_run *run, int32_t ndim, const int64_t *dims, float rate, uint64_t seed, uint64_t offset,
                       int in_place) {
    ckt_pair x = {0}, y = {0}, mask = {0};
    double *vx = NULL, *vy = NULL, *vm = NULL;
    const ck_dropout_params p = {rate, seed, offset};
    if (ckt_pair_uniform(run, &x, ndim, dims, seed ^ 0x5555, -2.0, 2.0) && (vx = ckt_read_new(run, x.ref)) != NULL &&
        (in_place || ckt_pair_new(run, &y, CK_F32, ndim, dims)) && ckt_pair_new(run, &mask, CK_F32, ndim, dims)) {
        const ckt_pair *out = in_place ? &x : &y;
        ck_status st = ck_dropout_forward(run->ctx, &p, &x.test->t, &out->test->t, &mask.test->t);
        ck_status sr = ck_dropout_forward(run->ref, &p, &x.ref->t, &out->ref->t, &mask.ref->t);
        if (ckt_pair_expect_ok(run, st, sr, "dropout")) {
            ckt_pair_expect_close(run, "mask (bitwise)", &mask, 0.0, 0.0);
            ckt_pair_expect_close(run, "y (bitwise)", out, 0.0, 0.0);
            vy = ckt_read_new(run, out->test);
            vm = ckt_read_new(run, mask.test);
            if (vy && vm) {
                size_t n = x.test->count;
                for (size_t i = 0; i < n; i++) vx[i] = (double)(float)(vx[i] * vm[i]);
                ckt_expect_close(run, "y = x * mask (exact)", vy, vx, n, 0.0, 0.0);
                check_mask_values(run, vm, n, rate);
            }
        }
    }
    free(vx);
    free(vy);
    free(vm);
    ckt_pair_free(&x);
    ckt_pair_free(&y);
    ckt_pair_free(&mask);
}

/** Reads the mask of `n` elements at `offset` on the backend under test; NULL on failure (reported). */
static double *mask_at(ckt_run *run, int64_t n, float rate, uint64_t seed, uint64_t offset) {
    ckt_tensor *x = ckt_new(run, run->ctx, CK_F32, 1, &n), *y = ckt_new(run, run->ctx, CK_F32, 1, &n);
    ckt_tensor *mask = ckt_new(run, run->ctx, CK_F32, 1, &n);
    double *values = NULL;
    const ck_dropout_params p = {rate, seed, offset};
    if (x && y && mask) {
        ckt_fill_uniform(x, 1, 0.5, 1.0);
        if (ckt_expect_ok(run, ck_dropout_forward(run->ctx, &p, &x->t, &y->t, &mask->t), run->ctx, "dropout"))
            values = ckt_read_new(run, mask);
    }
    ckt_free(x);
    ckt_free(y);
    ckt_free(mask);
    return values;
}

static void check_counter(ckt_run *run) {
    const int64_t n = 1003, shift = 37;
    ckt_case(run, "dropout counter: offset %lld continues the stream of offset 0", (long long)shift);
    double *whole = mask_at(run, n + shift, 0.5f, 99, 0), *tail = mask_at(run, n, 0.5f, 99, (uint64_t)shift);
    if (whole && tail) ckt_expect_close(run, "mask at offset 37", tail, whole + shift, (size_t)n, 0.0, 0.0);
    free(whole);
    free(tail);

    ckt_case(run, "dropout seeds: two seeds give different masks");
    double *a = mask_at(run, n, 0.5f, 1, 0), *b = mask_at(run, n, 0.5f, 2, 0);
    size_t differ = 0;
    for (int64_t i = 0; a && b && i < n; i++) differ += a[i] != b[i];
    ckt_expect(run, a && b && differ > (size_t)n / 4, "seeds 1 and 2 give masks differing in %zu of %lld elements",
               differ, (long long)n);
    free(a);
    free(b);
}

void ckt_suite_dropout(ckt_run *run) {
    static const int64_t one[1] = {1}, seven[1] = {7}, odd[1] = {1003}, large[4] = {4, 64, 14, 14};
    const struct { int32_t ndim; const int64_t *dims; const char *label; } shapes[] = {
        {1, one, "1"}, {1, seven, "7"}, {1, odd, "1003"}, {4, large, "4x64x14x14"},
    };
    static const float rates[] = {0.0f, 0.1f, 0.5f, 0.9f};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        for (size_t r = 0; r < sizeof rates / sizeof rates[0]; r++) {
            uint64_t seed = 0x1234 + 17 * s + r;
            ckt_case(run, "dropout %s rate %g seed %llu offset 0", shapes[s].label, (double)rates[r],
                     (unsigned long long)seed);
            check_case(run, shapes[s].ndim, shapes[s].dims, rates[r], seed, 0, 0);
            ckt_case(run, "dropout %s rate %g seed %llu offset 123456789012 in place", shapes[s].label,
                     (double)rates[r], (unsigned long long)seed);
            check_case(run, shapes[s].ndim, shapes[s].dims, rates[r], seed, 123456789012ull, 1);
        }
    check_counter(run);
}
