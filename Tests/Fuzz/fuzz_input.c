/* fuzz_input.c — the decision stream of fuzz_input.h. */
#include "fuzz_input.h"

#include <float.h>
#include <math.h>

/* Bytes at or above this value pick an edge value instead of an ordinary one. */
#define EDGE_FROM 224

void fz_input_init(fz_input *in, const uint8_t *data, size_t size) {
    in->data = data;
    in->size = size;
    in->pos = 0;
    in->odd_floats = 0;
}

uint8_t fz_u8(fz_input *in) { return in->pos < in->size ? in->data[in->pos++] : 0; }

uint32_t fz_u32(fz_input *in) {
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) v |= (uint32_t)fz_u8(in) << (8 * i);
    return v;
}

uint64_t fz_u64(fz_input *in) {
    uint64_t lo = fz_u32(in);
    return lo | (uint64_t)fz_u32(in) << 32;
}

int64_t fz_pick(fz_input *in, int64_t lo, int64_t hi) { return lo + fz_u8(in) % (hi - lo + 1); }

int64_t fz_extent(fz_input *in) {
    uint8_t b = fz_u8(in);
    return b < EDGE_FROM ? 1 + b % 9 : 1 + b % 24;
}

int32_t fz_shape(fz_input *in, int32_t max_ndim, int64_t *dims) {
    int32_t ndim = (int32_t)fz_pick(in, 0, max_ndim);
    for (int32_t d = 0; d < ndim; d++) dims[d] = fz_extent(in);
    return ndim;
}

/* The edge value for byte b >= EDGE_FROM of an int32 parameter whose ordinary range is [lo, hi]. */
static int32_t edge_int(uint8_t b, int32_t lo, int32_t hi) {
    const int32_t table[] = {0,         -1,        -2,       INT32_MIN,     INT32_MAX,     1 << 30,
                             (1 << 30) + 1, 1 << 16, 1000,    INT32_MAX - 1, INT32_MIN + 1, 7,
                             hi == INT32_MAX ? hi : hi + 1, lo == INT32_MIN ? lo : lo - 1, -1000, 2};
    return table[(b - EDGE_FROM) % (sizeof table / sizeof table[0])];
}

int32_t fz_param(fz_input *in, int32_t lo, int32_t hi) {
    uint8_t b = fz_u8(in);
    if (b >= EDGE_FROM) return edge_int(b, lo, hi);
    return (int32_t)(lo + (int64_t)(b % ((int64_t)hi - lo + 1)));
}

int32_t fz_tweak(fz_input *in, int32_t natural) {
    uint8_t b = fz_u8(in);
    return b >= EDGE_FROM ? edge_int(b, natural, natural) : natural;
}

float fz_scalar(fz_input *in, float a, float b, float c) {
    uint8_t v = fz_u8(in);
    if (v < EDGE_FROM) return v % 3 == 0 ? a : v % 3 == 1 ? b : c;
    const float table[] = {NAN, INFINITY, -INFINITY, -1.0f, 1e30f, -1e30f, 1e-40f, -0.0f,
                           2.0f, 0.5f, 1.0f, 0.0f, FLT_MAX, -FLT_MIN, 1e-20f, 1.5f};
    float value = table[(v - EDGE_FROM) % (sizeof table / sizeof table[0])];
    if (!isfinite(value) || fabsf(value) > 1e10f || (value != 0.0f && fabsf(value) < 1e-10f)) in->odd_floats++;
    return value;
}

int64_t fz_i64(fz_input *in) {
    uint8_t b = fz_u8(in);
    if (b < 128) return (int64_t)(b % 16) - 3;
    const int64_t p31 = (int64_t)1 << 31;
    const int64_t table[] = {INT64_MAX, INT64_MIN, p31 - 1, p31, p31 + 1, -p31, (int64_t)1 << 32,
                             (int64_t)1 << 62, INT64_MAX - 1, INT64_MIN + 1, (int64_t)1 << 30, 1 << 16,
                             ((int64_t)1 << 62) + 1, INT64_MAX / 2, INT64_MAX / 3, 1000003};
    if (b < 192) return table[b % (sizeof table / sizeof table[0])];
    return (int64_t)fz_u64(in);
}

uint64_t fz_next_random(uint64_t *state) {
    uint64_t z = (*state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}
