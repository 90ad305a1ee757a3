/*
 * philox.h — the Philox-4x32-10 counter-based random number generator
 * (Salmon, Moraes, Dror, Shaw: "Parallel random numbers: as easy as 1, 2, 3",
 * SC 2011) and the dropout keep rule built on it. Header-only, so that every
 * backend that includes it computes bitwise identical dropout masks.
 *
 * Random bits of one element (convkit.h: element i of a dropout call uses the
 * counter c = offset + i, taken modulo 2^64):
 *
 *   key     = (lo32(seed), hi32(seed))
 *   block   = c / 4,  lane = c % 4
 *   counter = (lo32(block), hi32(block), 0, 0)
 *   bits(c) = philox4x32_10(counter, key)[lane]
 *
 * so one Philox evaluation serves four consecutive elements, and a call with
 * offset k continues the stream of a call with offset 0 at its element k.
 *
 * Dropout keep rule: an element is kept iff
 *
 *   (float)(bits >> 8) * 2^-24 >= rate
 *
 * (a uniform value in [0, 1) with 24 random bits, exact in float32, compared
 * in float32). Its mask value is 1.0f / (1.0f - rate), both operations in
 * float32 with round-to-nearest; a dropped element's mask is 0. A device whose
 * float division is not correctly rounded should receive the scale from the
 * host (ck_dropout_scale) instead of computing it.
 */
#ifndef CK_CORE_PHILOX_H
#define CK_CORE_PHILOX_H

#include <stdint.h>

/* Round multipliers and key increments (Weyl sequence) of Philox-4x32. */
#define CK_PHILOX_M0 0xD2511F53u
#define CK_PHILOX_M1 0xCD9E8D57u
#define CK_PHILOX_W0 0x9E3779B9u
#define CK_PHILOX_W1 0xBB67AE85u
#define CK_PHILOX_ROUNDS 10

/** One Philox-4x32 round on `counter`, in place. */
static inline void ck_philox4x32_round(uint32_t counter[4], const uint32_t key[2]) {
    uint64_t product0 = (uint64_t)CK_PHILOX_M0 * counter[0];
    uint64_t product1 = (uint64_t)CK_PHILOX_M1 * counter[2];
    uint32_t hi0 = (uint32_t)(product0 >> 32), lo0 = (uint32_t)product0;
    uint32_t hi1 = (uint32_t)(product1 >> 32), lo1 = (uint32_t)product1;
    uint32_t next[4] = {hi1 ^ counter[1] ^ key[0], lo1, hi0 ^ counter[3] ^ key[1], lo0};
    for (int i = 0; i < 4; i++) counter[i] = next[i];
}

/** Philox-4x32-10: out = the four 32-bit words of block `counter` under `key`. */
static inline void ck_philox4x32_10(const uint32_t counter[4], const uint32_t key[2], uint32_t out[4]) {
    uint32_t state[4] = {counter[0], counter[1], counter[2], counter[3]};
    uint32_t round_key[2] = {key[0], key[1]};
    for (int round = 0; round < CK_PHILOX_ROUNDS; round++) {
        if (round > 0) {
            round_key[0] += CK_PHILOX_W0;
            round_key[1] += CK_PHILOX_W1;
        }
        ck_philox4x32_round(state, round_key);
    }
    for (int i = 0; i < 4; i++) out[i] = state[i];
}

/** The 32 random bits of element counter `element` (offset + i) under `seed`, as mapped above. */
static inline uint32_t ck_philox_bits(uint64_t seed, uint64_t element) {
    const uint64_t block = element / 4;
    const uint32_t key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
    const uint32_t counter[4] = {(uint32_t)block, (uint32_t)(block >> 32), 0u, 0u};
    uint32_t out[4];
    ck_philox4x32_10(counter, key, out);
    return out[element % 4];
}

/** 1 when an element with these random bits is kept at drop probability `rate`. */
static inline int ck_dropout_keep(uint32_t bits, float rate) {
    return (float)(bits >> 8) * 0x1p-24f >= rate;
}

/** The mask value of a kept element: 1 / (1 - rate) in float32. */
static inline float ck_dropout_scale(float rate) {
    return 1.0f / (1.0f - rate);
}

#endif
