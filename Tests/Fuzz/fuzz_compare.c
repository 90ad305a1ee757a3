/*
 * fuzz_compare.c — the CPU and reference backends on the same call.
 *
 * Both get the same buffers, bytes and arguments. They must agree on whether
 * the call succeeds, unless a tensor is float64 (which only the reference
 * backend computes) or the failing backend answers CK_ERR_UNSUPPORTED, the
 * status for a valid configuration that backend declines (backend.h; the
 * CPU backend's pooling declines windows far wider than the input, for
 * instance). When both succeed on ordinary data (no NaN / inf / huge
 * values in the buffers or the float parameters), every float32 output
 * element must agree within a loose bound relative to the largest magnitude
 * in that output: the reference computes in double, the CPU backend in
 * float with other summation orders, and the bound only has to catch wrong
 * indexing, not rounding.
 */
#include "fuzz_exec.h"

#include <math.h>
#include <string.h>

/* |a - b| allowed, relative to the largest magnitude of the output (at least 1). */
#define RELATIVE_BOUND 2e-3

static int has_f64(const fz_call *call) {
    for (int i = 0; i < call->nslots; i++)
        if (call->slots[i].present && call->slots[i].dtype == CK_F64) return 1;
    return 0;
}

static float float_at(const unsigned char *image, size_t offset, size_t index) {
    float v;
    memcpy(&v, image + offset + index * sizeof v, sizeof v);
    return v;
}

/* Compares output slot s of two outcomes element by element. */
static void compare_slot(const fz_call *call, const fz_slot *s, const char *name_a, const unsigned char *a,
                         const char *name_b, const unsigned char *b) {
    size_t count = s->bytes / sizeof(float);
    double scale = 1.0;
    for (size_t e = 0; e < count; e++) {
        double v = fabs((double)float_at(b, s->offset, e));
        if (isfinite(v) && v > scale) scale = v;
    }
    for (size_t e = 0; e < count; e++) {
        float x = float_at(a, s->offset, e), y = float_at(b, s->offset, e);
        if (x == y || (isnan(x) && isnan(y))) continue;
        if (isfinite(x) && isfinite(y) && fabs((double)x - (double)y) <= RELATIVE_BOUND * scale) continue;
        fz_fail(call, "%s[%zu] is %.9g on %s but %.9g on %s (bound %.3g)", s->name, e, (double)x, name_a, (double)y,
                name_b, RELATIVE_BOUND * scale);
    }
}

void fz_compare(const fz_call *call, const char *name_a, const fz_outcome *a, const char *name_b,
                const fz_outcome *b) {
    if (has_f64(call)) return;
    int declined = a->status == CK_ERR_UNSUPPORTED || b->status == CK_ERR_UNSUPPORTED;
    if ((a->status == CK_OK) != (b->status == CK_OK) && !declined)
        fz_fail(call, "%s returned %s but %s returned %s", name_a, ck_status_string(a->status), name_b,
                ck_status_string(b->status));
    if (a->status != CK_OK || b->status != CK_OK || call->specials || call->odd_floats) return;
    for (int i = 0; i < call->nslots; i++) {
        const fz_slot *s = &call->slots[i];
        if (s->present && s->role == FZ_OUTPUT && s->dtype == CK_F32)
            compare_slot(call, s, name_a, a->after[s->buffer], name_b, b->after[s->buffer]);
    }
}
