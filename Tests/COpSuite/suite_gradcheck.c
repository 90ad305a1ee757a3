/*
 * suite_gradcheck.c — finite-difference checks of every backward op
 * (gradcheck_conv.c, gradcheck_ops.c), L = sum(dy * f(x)) with random dy.
 *
 * 1. On the reference backend in float64, h = 1e-6, tolerance 1e-6 times the
 *    largest gradient element. The central difference's truncation error is
 *    h^2/6 |f'''| ~ 2e-13 for the O(1) smooth functions here (zero for the
 *    linear ops), and its rounding error about eps64 * sum|dy (y+ - y-)| / h
 *    ~ 1e-16 * (a few) / 1e-6 < 1e-9; 1e-6 leaves a wide margin while any
 *    wrong term in a backward formula (an O(1) relative error) fails.
 * 2. When the backend under test is not the reference: the same problems in
 *    float32 on that backend, checking its backward passes against its own
 *    forward. h = 1e-2 on O(1) inputs: truncation h^2/6 |f'''| ~ 2e-5, and
 *    rounding about (k u |y|) * (outputs reached) / h ~ 30 * 6e-8 * 3 * 20 /
 *    1e-2 ~ 1e-2 at worst (typically 1e-4, the errors being uncorrelated),
 *    relative to gradients of O(1): tolerance 2e-2 of the largest element.
 *    Max-pool inputs are spaced 0.05 apart (> 2h) and ReLU inputs stay 0.1
 *    (> h) away from 0, so no perturbation crosses a kink.
 */
#include "gradcheck_problems.h"
#include "suites.h"

/* Every element of these small problems is checked. */
#define MAX_ELEMENTS 256

static void run_table(ckt_run *run, const gc_entry *entries, size_t count, ck_context *ctx, ck_dtype dtype,
                      const gc_settings *settings, uint64_t seed) {
    for (size_t i = 0; i < count; i++, seed += 100) {
        ckt_case(run, "gradcheck %s (%s on %s)", entries[i].name, dtype == CK_F64 ? "float64" : "float32",
                 ck_backend_name(ck_context_backend(ctx)));
        gc_problem p = {0};
        p.run = run;
        p.ctx = ctx;
        p.dtype = dtype;
        if (entries[i].build(&p, entries[i].arg, seed)) gc_check(&p, settings);
        else ckt_fail(run, "could not set up the problem");
        gc_free(&p);
    }
}

void ckt_suite_gradcheck(ckt_run *run) {
    const gc_settings f64 = {1e-6, 1e-6, MAX_ELEMENTS}, f32 = {1e-2, 2e-2, MAX_ELEMENTS};
    run_table(run, gc_conv_problems, gc_conv_problem_count, run->ref, CK_F64, &f64, 130000);
    run_table(run, gc_op_problems, gc_op_problem_count, run->ref, CK_F64, &f64, 140000);
    if (run->backend != CK_BACKEND_REFERENCE) {
        run_table(run, gc_conv_problems, gc_conv_problem_count, run->ctx, CK_F32, &f32, 150000);
        run_table(run, gc_op_problems, gc_op_problem_count, run->ctx, CK_F32, &f32, 160000);
    }
}
