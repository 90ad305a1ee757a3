/*
 * common.cl — helpers every ConvKit program shares; the backend puts the
 * files of Kernels/common/ in front of each op-family file when it builds a
 * program (no #include: sources are embedded, not looked up).
 *
 * Conventions of every kernel:
 *  - a tensor is passed as a buffer and the offset of its first element, in
 *    elements (`x, x_off`); shapes are int arguments;
 *  - a gradient output takes `beta`: out = value + beta * out, and with
 *    beta == 0 the old contents are not read (NaN in them does not leak);
 *  - a conv forward kernel takes `act, alpha` (its epilogue): the output is
 *    ck_activate(conv + bias) before the beta rule; the host passes an
 *    activation only with beta == 0 (CK_ACT_NONE otherwise).
 * Defines: none, except CK_INJECTED_BUILD_FAULT, which the backend sets to
 * make a build fail on purpose (the CONVKIT_FAULT=build test hook).
 */

#ifdef CK_INJECTED_BUILD_FAULT
#error "a build failure injected by CONVKIT_FAULT=build (a test hook)"
#endif

/* Activation kinds, as ck_activation in convkit.h; CK_ACT_NONE: a conv epilogue without one. */
#define CK_ACT_NONE (-1)
#define CK_ACT_RELU 0
#define CK_ACT_LEAKY_RELU 1
#define CK_ACT_SIGMOID 2
#define CK_ACT_TANH 3

/** f(v) for activation `act` (alpha: LeakyReLU's negative slope); relu(NaN) = NaN, relu(-0) = -0. */
inline float ck_activate(float v, int act, float alpha) {
    if (act == CK_ACT_RELU) return v < 0.0f ? 0.0f : v;
    if (act == CK_ACT_LEAKY_RELU) return v > 0.0f ? v : alpha * v;
    if (act == CK_ACT_SIGMOID) return 1.0f / (1.0f + exp(-v));
    if (act == CK_ACT_TANH) return tanh(v);
    return v;
}

/** value + beta * *out, reading *out only when beta != 0. */
inline float ck_accumulate(float value, float beta, __global const float *out) {
    return beta == 0.0f ? value : value + beta * *out;
}
