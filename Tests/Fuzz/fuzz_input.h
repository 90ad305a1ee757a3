/*
 * fuzz_input.h — reads the fuzz input as a stream of decisions.
 *
 * Every decision takes the next byte(s) of the input; once the input is used
 * up every read returns 0. Each reader maps 0 (and most other byte values)
 * to an ordinary, valid choice and keeps the top of the byte range for edge
 * values, so a short or all-zero input decodes to a small valid call and the
 * fuzzer reaches the odd values by mutating single bytes.
 */
#ifndef CK_FUZZ_INPUT_H
#define CK_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>

typedef struct fz_input {
    const uint8_t *data;
    size_t size, pos;
    /** Count of edge-case floats handed out (NaN, inf, huge, subnormal): results then differ by rounding. */
    int odd_floats;
} fz_input;

void fz_input_init(fz_input *in, const uint8_t *data, size_t size);

/** The next byte, or 0 past the end. */
uint8_t fz_u8(fz_input *in);
/** The next 4 / 8 bytes, little-endian. */
uint32_t fz_u32(fz_input *in);
uint64_t fz_u64(fz_input *in);

/** A value in [lo, hi] (hi - lo < 256); 0 reads as lo. */
int64_t fz_pick(fz_input *in, int64_t lo, int64_t hi);

/** A spatial extent: 1..9 mostly, up to 24 now and then (vector widths, row tails). */
int64_t fz_extent(fz_input *in);

/** A shape of 0..max_ndim dims, each an fz_extent; returns ndim. */
int32_t fz_shape(fz_input *in, int32_t max_ndim, int64_t *dims);

/**
 * An int32 parameter: a value in [lo, hi] for most bytes, else an edge value
 * (0, -1, INT32_MIN, INT32_MAX, 2^30, hi + 1, ...).
 */
int32_t fz_param(fz_input *in, int32_t lo, int32_t hi);

/** `natural` for most bytes, else an edge value as fz_param draws them. */
int32_t fz_tweak(fz_input *in, int32_t natural);

/**
 * A float parameter: one of a, b, c for most bytes, else an edge value
 * (NaN, +-inf, -1, 1e30, a subnormal, -0, 2, ...; counted in odd_floats
 * when it is not an ordinary number).
 */
float fz_scalar(fz_input *in, float a, float b, float c);

/** An int64 for the size helpers: small values, 2^31 and 2^63 boundaries, or 8 raw bytes. */
int64_t fz_i64(fz_input *in);

/** splitmix64: the data generator, seeded from the input. */
uint64_t fz_next_random(uint64_t *state);

#endif
