/*
 * dropout.cl — dropout forward with the Philox-4x32-10 counter-based RNG,
 * bit for bit as Sources/CConvKit/core/philox.h (the reference of every
 * backend).
 *
 * x, y, mask: n elements (any shape, flat); y may be x. Element i uses
 * counter c = offset + i (mod 2^64): Philox block c / 4 under key (lo32(seed),
 * hi32(seed)), counter words (lo32(block), hi32(block), 0, 0), word c % 4.
 * Kept iff (float)(bits >> 8) * 2^-24 >= rate; mask = kept ? scale : 0 with
 * scale = 1 / (1 - rate) from the host (ck_dropout_scale); y = x * mask.
 * Each work item evaluates one Philox block, for the (up to) four elements
 * whose counters it holds: item t has block (offset / 4) + t and elements
 * 4t - offset % 4 ... + 3 (those in [0, n)).
 * Defines: none. Launch: ceil((n + offset % 4) / 4) items, any group size.
 */

#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u

/** Philox-4x32-10 of counter c under key k. */
inline uint4 philox4x32_10(uint4 c, uint2 k) {
    for (int round = 0; round < 10; round++) {
        if (round > 0) k += (uint2)(PHILOX_W0, PHILOX_W1);
        uint hi0 = mul_hi(PHILOX_M0, c.x), lo0 = PHILOX_M0 * c.x;
        uint hi1 = mul_hi(PHILOX_M1, c.z), lo1 = PHILOX_M1 * c.z;
        c = (uint4)(hi1 ^ c.y ^ k.x, lo1, hi0 ^ c.w ^ k.y, lo0);
    }
    return c;
}

__kernel void dropout_forward(int n, ulong offset, ulong seed, float rate, float scale, __global const float *x,
                              int x_off, __global float *y, int y_off, __global float *mask, int mask_off) {
    int t = get_global_id(0);
    long first = 4L * t - (long)(offset & 3);
    if (first >= n) return;
    ulong block = (offset >> 2) + (ulong)t; /* counters wrap modulo 2^64, blocks modulo 2^62 */
    block &= 0x3FFFFFFFFFFFFFFFul;
    uint4 bits = philox4x32_10((uint4)((uint)block, (uint)(block >> 32), 0u, 0u), (uint2)((uint)seed, (uint)(seed >> 32)));
    uint words[4] = {bits.x, bits.y, bits.z, bits.w};
    for (int lane = 0; lane < 4; lane++) {
        int i = (int)(first + lane);
        if (first + lane < 0 || i >= n) continue;
        float m = (float)(words[lane] >> 8) * 0x1p-24f >= rate ? scale : 0.0f;
        mask[mask_off + i] = m;
        y[y_off + i] = x[x_off + i] * m;
    }
}
