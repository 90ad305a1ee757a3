/* gradcheck.c — the finite-difference engine (see gradcheck.h). */
#include "gradcheck.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

ckt_tensor *gc_new_typed(gc_problem *p, ck_dtype dtype, int32_t ndim, const int64_t *dims) {
    if (p->n_owned >= GC_MAX_TENSORS) {
        ckt_fail(p->run, "gradcheck problem holds more than %d tensors", GC_MAX_TENSORS);
        return NULL;
    }
    ckt_tensor *t = ckt_new(p->run, p->ctx, dtype, ndim, dims);
    if (t) p->owned[p->n_owned++] = t;
    return t;
}

ckt_tensor *gc_new(gc_problem *p, int32_t ndim, const int64_t *dims) { return gc_new_typed(p, p->dtype, ndim, dims); }

ckt_tensor *gc_uniform(gc_problem *p, int32_t ndim, const int64_t *dims, uint64_t seed, double lo, double hi) {
    ckt_tensor *t = gc_new(p, ndim, dims);
    ckt_fill_uniform(t, seed, lo, hi);
    return t;
}

/** Replaces each value by f(value) (host round trip). */
static void transform(ckt_tensor *t, double (*f)(double value, size_t index, const double *all, size_t n, double arg),
                      double arg) {
    double *v = t ? malloc(t->count * sizeof *v) : NULL, *w = v ? malloc(t->count * sizeof *w) : NULL;
    if (w) {
        ckt_read(t, v);
        for (size_t i = 0; i < t->count; i++) w[i] = f(v[i], i, v, t->count, arg);
        ckt_write(t, w);
    }
    free(v);
    free(w);
}

/** (rank of value among all - n/2) * spacing: distinct values in the random order of `all`. */
static double rank_spaced(double value, size_t index, const double *all, size_t n, double spacing) {
    size_t rank = 0;
    for (size_t j = 0; j < n; j++) rank += all[j] < value || (all[j] == value && j < index);
    return ((double)rank - (double)n / 2.0) * spacing;
}

ckt_tensor *gc_distinct(gc_problem *p, int32_t ndim, const int64_t *dims, uint64_t seed, double spacing) {
    ckt_tensor *t = gc_uniform(p, ndim, dims, seed, 0.0, 1.0);
    transform(t, rank_spaced, spacing);
    return t;
}

/** Maps u in [-1, 1) to +-(gap + |u|) keeping the sign. */
static double push_from_zero(double value, size_t index, const double *all, size_t n, double gap) {
    (void)index, (void)all, (void)n;
    return value < 0.0 ? value - gap : value + gap;
}

ckt_tensor *gc_away_from_zero(gc_problem *p, int32_t ndim, const int64_t *dims, uint64_t seed, double gap) {
    ckt_tensor *t = gc_uniform(p, ndim, dims, seed, -1.0, 1.0);
    transform(t, push_from_zero, gap);
    return t;
}

int gc_var(gc_problem *p, const char *name, ckt_tensor *value) {
    if (!value || p->n_vars >= GC_MAX_VARS) return 0;
    ckt_tensor *grad = gc_new(p, value->t.ndim, value->t.dims);
    if (!grad) return 0;
    p->var[p->n_vars] = value;
    p->var_name[p->n_vars] = name;
    p->grad[p->n_vars] = grad;
    p->n_vars++;
    return 1;
}

int gc_output(gc_problem *p, int32_t ndim, const int64_t *dims, uint64_t seed) {
    p->out = gc_new(p, ndim, dims);
    p->dy = gc_uniform(p, ndim, dims, seed, -1.0, 1.0);
    return p->out && p->dy;
}

void gc_free(gc_problem *p) {
    for (int i = 0; i < p->n_owned; i++) ckt_free(p->owned[i]);
    p->n_owned = 0;
}

/** Rounds a perturbed value to what the tensor stores. */
static double stored(const gc_problem *p, double value) { return p->dtype == CK_F32 ? (double)(float)value : value; }

/**
 * Central differences of L for variable v at `count` spread-out elements:
 * want[s] for element index[s]. Returns 0 when a forward pass failed (reported).
 */
static int finite_differences(gc_problem *p, int v, const gc_settings *s, const size_t *index, size_t count,
                              double *want) {
    ckt_tensor *x = p->var[v];
    size_t n_out = p->out->count;
    double *values = malloc(x->count * sizeof *values), *dy = malloc(n_out * sizeof *dy);
    double *plus = malloc(n_out * sizeof *plus), *minus = malloc(n_out * sizeof *minus);
    int ok = values && dy && plus && minus;
    if (ok) {
        ckt_read(x, values);
        ckt_read(p->dy, dy);
    }
    for (size_t k = 0; ok && k < count; k++) {
        size_t j = index[k];
        double original = values[j], up = stored(p, original + s->h), down = stored(p, original - s->h);
        values[j] = up;
        ckt_write(x, values);
        ok = ckt_expect_ok(p->run, p->forward(p), p->ctx, "forward at x + h");
        ckt_read(p->out, plus);
        values[j] = down;
        ckt_write(x, values);
        ok = ok && ckt_expect_ok(p->run, p->forward(p), p->ctx, "forward at x - h");
        ckt_read(p->out, minus);
        values[j] = original;
        double diff = 0.0;
        for (size_t i = 0; i < n_out; i++) diff += dy[i] * (plus[i] - minus[i]);
        want[k] = diff / (up - down);
    }
    if (values) ckt_write(x, values);
    free(values);
    free(dy);
    free(plus);
    free(minus);
    return ok;
}

static double max_abs(const double *v, size_t n) {
    double m = 0.0;
    for (size_t i = 0; i < n; i++) m = fmax(m, fabs(v[i]));
    return m;
}

/** Checks variable v: analytic gradient (all elements read) against the finite differences. */
static void check_var(gc_problem *p, int v, const gc_settings *s) {
    size_t n = p->var[v]->count, count = n < s->max_elements ? n : s->max_elements;
    size_t *index = malloc(count * sizeof *index);
    double *analytic = malloc(n * sizeof *analytic), *got = malloc(count * sizeof *got);
    double *want = malloc(count * sizeof *want), *tol = malloc(count * sizeof *tol);
    if (index && analytic && got && want && tol) {
        ckt_read(p->grad[v], analytic);
        for (size_t k = 0; k < count; k++) {
            index[k] = count > 1 ? k * (n - 1) / (count - 1) : 0;
            got[k] = analytic[index[k]];
        }
        if (finite_differences(p, v, s, index, count, want)) {
            double scale = fmax(max_abs(analytic, n), max_abs(want, count));
            for (size_t k = 0; k < count; k++) tol[k] = s->tol * scale;
            char what[96];
            snprintf(what, sizeof what, "d%s (%zu of %zu elements%s)", p->var_name[v], count, n,
                     count < n ? ", spread" : "");
            ckt_expect_within_tol(p->run, what, got, want, tol, count);
        }
    } else {
        ckt_fail(p->run, "out of host memory for a gradient check of %zu elements", n);
    }
    free(index);
    free(analytic);
    free(got);
    free(want);
    free(tol);
}

void gc_check(gc_problem *p, const gc_settings *s) {
    if (!ckt_expect_ok(p->run, p->forward(p), p->ctx, "forward") ||
        !ckt_expect_ok(p->run, p->backward(p), p->ctx, "backward"))
        return;
    for (int v = 0; v < p->n_vars; v++) check_var(p, v, s);
}
