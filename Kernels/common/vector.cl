/*
 * vector.cl — the vectors of CONV_VEC lanes that CPU-device kernels compute
 * on (gemm.cl, conv2d_direct.cl, conv2d_winograd.cl, conv2d_depthwise.cl,
 * pool2d.cl, batchnorm.cl): floatV, intV, vloadV, vstoreV, CK_FOR_BLOCK (a
 * macro once per accumulator row), CK_LANE_INDEX, loads, stores and in-place
 * additions of lanes along a row with its edges handled, and the sum of a
 * vector's lanes.
 * Only programs built with CONV_VEC > 0 get them.
 * Defines: CONV_VEC (4, 8 or 16), CONV_BLOCK (1 ... 16).
 */
#if defined(CONV_VEC) && CONV_VEC > 0
#define CK_CAT_(a, b) a##b
#define CK_CAT(a, b) CK_CAT_(a, b)
#define floatV CK_CAT(float, CONV_VEC)
#define intV CK_CAT(int, CONV_VEC)
#define vloadV CK_CAT(vload, CONV_VEC)
#define vstoreV CK_CAT(vstore, CONV_VEC)

/* M(0) M(1) ... M(CONV_BLOCK - 1): named accumulators, which every compiler keeps in registers. */
#define CK_REPEAT_1(M) M(0)
#define CK_REPEAT_2(M) CK_REPEAT_1(M) M(1)
#define CK_REPEAT_3(M) CK_REPEAT_2(M) M(2)
#define CK_REPEAT_4(M) CK_REPEAT_3(M) M(3)
#define CK_REPEAT_5(M) CK_REPEAT_4(M) M(4)
#define CK_REPEAT_6(M) CK_REPEAT_5(M) M(5)
#define CK_REPEAT_7(M) CK_REPEAT_6(M) M(6)
#define CK_REPEAT_8(M) CK_REPEAT_7(M) M(7)
#define CK_REPEAT_9(M) CK_REPEAT_8(M) M(8)
#define CK_REPEAT_10(M) CK_REPEAT_9(M) M(9)
#define CK_REPEAT_11(M) CK_REPEAT_10(M) M(10)
#define CK_REPEAT_12(M) CK_REPEAT_11(M) M(11)
#define CK_REPEAT_13(M) CK_REPEAT_12(M) M(12)
#define CK_REPEAT_14(M) CK_REPEAT_13(M) M(13)
#define CK_REPEAT_15(M) CK_REPEAT_14(M) M(14)
#define CK_REPEAT_16(M) CK_REPEAT_15(M) M(15)
#define CK_FOR_BLOCK(M) CK_CAT(CK_REPEAT_, CONV_BLOCK)(M)

/** ck_activate (common.cl) on every lane. */
inline floatV ck_activate_v(floatV v, int act, float alpha) {
    if (act == CK_ACT_RELU) return select(v, (floatV)(0.0f), v < (floatV)(0.0f));
    if (act == CK_ACT_LEAKY_RELU) return select(alpha * v, v, v > (floatV)(0.0f));
    if (act == CK_ACT_SIGMOID) return 1.0f / (1.0f + exp(-v));
    if (act == CK_ACT_TANH) return tanh(v);
    return v;
}

/* (intV)(0, 1, ..., CONV_VEC - 1): each lane's index. */
#if CONV_VEC == 16
#define CK_LANE_INDEX (int16)(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
#elif CONV_VEC == 8
#define CK_LANE_INDEX (int8)(0, 1, 2, 3, 4, 5, 6, 7)
#else
#define CK_LANE_INDEX (int4)(0, 1, 2, 3)
#endif

/* The even (CK_EVEN) or odd (CK_ODD) elements of the 2 * CONV_VEC floats at p: CONV_VEC lanes. */
#if CONV_VEC == 16
#define CK_EVEN(p) (float16)(vload16(0, p).even, vload16(0, (p) + 16).even)
#define CK_ODD(p) (float16)(vload16(0, p).odd, vload16(0, (p) + 16).odd)
#elif CONV_VEC == 8
#define CK_EVEN(p) vload16(0, p).even
#define CK_ODD(p) vload16(0, p).odd
#else
#define CK_EVEN(p) vload8(0, p).even
#define CK_ODD(p) vload8(0, p).odd
#endif

/* (a.s0, b.s0, a.s1, b.s1, ...): two vectors of CONV_VEC / 2 lanes interleaved into one of CONV_VEC. */
#if CONV_VEC == 16
#define CK_ZIP(a, b) \
    (float16)(a.s0, b.s0, a.s1, b.s1, a.s2, b.s2, a.s3, b.s3, a.s4, b.s4, a.s5, b.s5, a.s6, b.s6, a.s7, b.s7)
#elif CONV_VEC == 8
#define CK_ZIP(a, b) (float8)(a.s0, b.s0, a.s1, b.s1, a.s2, b.s2, a.s3, b.s3)
#else
#define CK_ZIP(a, b) (float4)(a.s0, b.s0, a.s1, b.s1)
#endif

/**
 * Lanes j = 0 ... CONV_VEC - 1 of row[start + j * step], `fill` where that index is outside [0, limit): one
 * vector load when the lanes are inside the row at step 1, the even or odd elements of two at step 2 (the odd
 * ones of the span one element earlier when the span from `start` would pass the row's end), else lane by lane.
 */
inline floatV load_lanes(__global const float *row, int start, int step, int limit, float fill) {
    if (start >= 0 && step == 1 && start + CONV_VEC <= limit) return vloadV(0, row + start);
    if (start >= 0 && step == 2 && start + 2 * CONV_VEC <= limit) return CK_EVEN(row + start);
    if (start >= 1 && step == 2 && start + 2 * CONV_VEC - 1 <= limit) return CK_ODD(row + start - 1);
    float v[CONV_VEC];
    for (int j = 0; j < CONV_VEC; j++) {
        long i = (long)start + (long)j * step; /* 64-bit: huge strides */
        v[j] = i >= 0 && i < limit ? row[i] : fill;
    }
    return vloadV(0, v);
}

/** out[j] = value[j] + beta * out[j] for the first `count` lanes (all when count >= CONV_VEC); beta == 0: out is not read. */
inline void store_lanes(floatV value, float beta, __global float *out, int count) {
    if (count >= CONV_VEC) {
        vstoreV(beta == 0.0f ? value : value + beta * vloadV(0, out), 0, out);
        return;
    }
    float v[CONV_VEC];
    vstoreV(value, 0, v);
    for (int j = 0; j < count; j++) out[j] = ck_accumulate(v[j], beta, out + j);
}

/* span[0 ... 2 * CONV_VEC) += (even[0], odd[0], even[1], odd[1], ...). */
inline __attribute__((always_inline)) void add_zipped(__global float *span, floatV even, floatV odd) {
    vstoreV(vloadV(0, span) + CK_ZIP(even.lo, odd.lo), 0, span);
    vstoreV(vloadV(0, span + CONV_VEC) + CK_ZIP(even.hi, odd.hi), 0, span + CONV_VEC);
}

/**
 * row[start + j * step] += value[j] for the lanes whose index is inside [0, limit): vector loads and stores
 * when every lane is inside at step 1, or at step 2 (the lanes interleaved with zeros over 2 * CONV_VEC
 * elements, which adds 0 to the elements between them; from one element earlier when the span from `start`
 * would pass the row's end), else lane by lane.
 */
inline __attribute__((always_inline)) void add_lanes(__global float *row, int start, int step, int limit,
                                                     floatV value) {
    if (start >= 0 && step == 1 && start + CONV_VEC <= limit) {
        vstoreV(vloadV(0, row + start) + value, 0, row + start);
    } else if (start >= 0 && step == 2 && start + 2 * CONV_VEC <= limit) {
        add_zipped(row + start, value, (floatV)(0.0f));
    } else if (start >= 1 && step == 2 && start + 2 * CONV_VEC - 1 <= limit) {
        add_zipped(row + start - 1, (floatV)(0.0f), value);
    } else {
        float v[CONV_VEC];
        vstoreV(value, 0, v);
        for (int j = 0; j < CONV_VEC; j++) {
            long i = (long)start + (long)j * step;
            if (i >= 0 && i < limit) row[i] += v[j];
        }
    }
}

/** row[start + 2j] += even[j] and row[start + 2j + 1] += odd[j] where that index is inside [0, limit). */
inline __attribute__((always_inline)) void add_pair_lanes(__global float *row, int start, int limit, floatV even,
                                                          floatV odd) {
    if (start >= 0 && start + 2 * CONV_VEC <= limit) {
        add_zipped(row + start, even, odd);
    } else {
        add_lanes(row, start, 2, limit, even);
        add_lanes(row, start + 1, 2, limit, odd);
    }
}

/* The sum of a vector's lanes (pairwise, in a fixed order). */
inline float lane_sum(floatV v) {
#if CONV_VEC == 16
    float8 h8 = v.lo + v.hi;
    float4 h4 = h8.lo + h8.hi;
#elif CONV_VEC == 8
    float4 h4 = v.lo + v.hi;
#else
    float4 h4 = v;
#endif
    float2 h2 = h4.lo + h4.hi;
    return h2.x + h2.y;
}
#endif
