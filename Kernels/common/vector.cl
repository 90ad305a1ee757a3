/*
 * vector.cl — the vectors of CONV_VEC lanes that CPU-device kernels compute
 * on (gemm.cl, conv2d_direct.cl, conv2d_winograd.cl, conv2d_depthwise.cl,
 * pool2d.cl): floatV, vloadV, vstoreV, CK_FOR_BLOCK (a macro once per
 * accumulator row), and loads and stores of lanes along a row with its edges
 * handled. Only
 * programs built with CONV_VEC > 0 get them.
 * Defines: CONV_VEC (4, 8 or 16), CONV_BLOCK (1 ... 16).
 */
#if defined(CONV_VEC) && CONV_VEC > 0
#define CK_CAT_(a, b) a##b
#define CK_CAT(a, b) CK_CAT_(a, b)
#define floatV CK_CAT(float, CONV_VEC)
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

/**
 * Lanes j = 0 ... CONV_VEC - 1 of row[start + j * step], `fill` where that index is outside [0, limit): one
 * vector load when the lanes are inside the row at step 1 or 2, else lane by lane.
 */
inline floatV load_lanes(__global const float *row, int start, int step, int limit, float fill) {
    if (start >= 0 && step == 1 && start + CONV_VEC <= limit) return vloadV(0, row + start);
#if CONV_VEC == 16
    if (start >= 0 && step == 2 && start + 32 <= limit)
        return (float16)(vload16(0, row + start).even, vload16(0, row + start + 16).even);
#elif CONV_VEC == 8
    if (start >= 0 && step == 2 && start + 16 <= limit) return vload16(0, row + start).even;
#else
    if (start >= 0 && step == 2 && start + 8 <= limit) return vload8(0, row + start).even;
#endif
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
#endif
