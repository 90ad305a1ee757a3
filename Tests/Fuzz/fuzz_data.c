/*
 * fuzz_data.c — the contents of a fuzzed call's buffers, and the description
 * of a call in a finding's report.
 *
 * Every byte of a buffer starts as the guard pattern; then each slot whose
 * view fits its buffer gets values from a generator seeded by the input and
 * the slot's index (so a buffer holds the same bytes on every context):
 * floats are multiples of 1/8 in [-4, 4] (in [0, 4] for a nonnegative
 * slot), exact in float32 and in sums of a few of them; labels are class
 * indices in [0, classes). The data bytes of
 * the input may add NaN / inf / huge values to each float view, or one label
 * outside [0, classes).
 */
#include "fuzz_call.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* Every byte no view gives a value: 0xA5A5A5A5 is a small negative float (-2.9e-16). */
#define GUARD_BYTE 0xA5

static void put_value(unsigned char *at, ck_dtype dtype, double value) {
    if (dtype == CK_F64) {
        memcpy(at, &value, sizeof value);
    } else if (dtype == CK_I32) {
        int32_t v = (int32_t)value;
        memcpy(at, &v, sizeof v);
    } else {
        float v = (float)value;
        memcpy(at, &v, sizeof v);
    }
}

static double special_value(uint64_t r) {
    const double table[] = {NAN, INFINITY, -INFINITY, 1e30, -1e30, FLT_MAX, -0.0, 1e-40};
    return table[r % (sizeof table / sizeof table[0])];
}

int64_t fz_bad_label(const fz_call *call) {
    const int64_t table[] = {-1, call->classes, INT32_MIN, INT32_MAX};
    return table[(call->bad_label - 1) % 4];
}

/* Writes slot s's values at `at` (its view, which fits the buffer). */
static void fill_view(const fz_call *call, int index, unsigned char *at) {
    const fz_slot *s = &call->slots[index];
    size_t elem = s->dtype == CK_F64 ? 8 : 4, count = s->bytes / elem;
    uint64_t state = call->data_seed * 0x100000001b3u + (uint64_t)index;
    int labels = s->dtype == CK_I32;
    int64_t classes = call->classes > 0 ? call->classes : 4;
    for (size_t e = 0; e < count; e++) {
        uint64_t r = fz_next_random(&state);
        double v = labels ? (double)(int64_t)(r % (uint64_t)classes) : ((double)(int64_t)(r % 65) - 32.0) / 8.0;
        if (s->nonnegative) v = fabs(v);
        put_value(at + e * elem, s->dtype, v);
    }
    if (count == 0) return;
    if (labels && call->bad_label) {
        put_value(at + (fz_next_random(&state) % count) * elem, s->dtype, (double)fz_bad_label(call));
    } else if (!labels) {
        for (int k = 0; k < call->specials; k++) {
            uint64_t where = fz_next_random(&state) % count;
            put_value(at + where * elem, s->dtype, special_value(fz_next_random(&state)));
        }
    }
}

void fz_fill_buffer(const fz_call *call, int buffer, unsigned char *image, size_t bytes) {
    memset(image, GUARD_BYTE, bytes);
    for (int i = 0; i < call->nslots; i++) {
        const fz_slot *s = &call->slots[i];
        /* bytes == 0: an invalid dtype, ndim or dim; such a view gets no data. */
        if (!s->present || s->buffer != buffer || s->bytes == 0) continue;
        if (s->offset > bytes || s->bytes > bytes - s->offset) continue;
        fill_view(call, i, image + s->offset);
    }
}

void fz_describe(const fz_call *call) {
    fprintf(stderr, "  op %s; null ctx %d, null params %d; specials %d, bad label %d, odd floats %d\n",
            ck_op_name((ck_op)call->op), call->null_ctx, call->null_params, call->specials, call->bad_label,
            call->odd_floats);
    fprintf(stderr, "  floats (%g, %g, %g), ints (%d, %d, %d), mask 0x%x\n", (double)call->f[0], (double)call->f[1],
            (double)call->f[2], (int)call->i[0], (int)call->i[1], (int)call->i[2], (unsigned)call->mask);
    int32_t words[sizeof call->p / sizeof(int32_t)];
    memcpy(words, &call->p, sizeof words);
    fprintf(stderr, "  params as int32 words:");
    for (size_t w = 0; w < sizeof words / sizeof *words; w++) fprintf(stderr, " %d", (int)words[w]);
    fprintf(stderr, "\n");
    for (int i = 0; i < call->nslots; i++) {
        const fz_slot *s = &call->slots[i];
        fprintf(stderr, "  %-13s %s present %d dtype %d ndim %d dims (", s->name,
                s->role == FZ_OUTPUT ? "out" : "in ", s->present, (int)s->dtype, (int)s->ndim);
        for (int32_t d = 0; d < s->ndim && d < CK_MAX_DIMS; d++) fprintf(stderr, d ? ", %lld" : "%lld", (long long)s->dims[d]);
        fprintf(stderr, ") buffer %d", s->buffer);
        if (s->buffer >= 0)
            fprintf(stderr, " (%zu bytes%s)", call->buffers[s->buffer].bytes,
                    call->buffers[s->buffer].foreign ? ", foreign" : "");
        fprintf(stderr, " offset %zu view %zu bytes\n", s->offset, s->bytes);
    }
}
