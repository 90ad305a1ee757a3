/*
 * common.cl — helpers every ConvKit program shares; the backend puts the
 * files of Kernels/common/ in front of each op-family file when it builds a
 * program (no #include: sources are embedded, not looked up).
 *
 * Conventions of every kernel:
 *  - a tensor is passed as a buffer and the offset of its first element, in
 *    elements (`x, x_off`); shapes are int arguments;
 *  - a gradient output takes `beta`: out = value + beta * out, and with
 *    beta == 0 the old contents are not read (NaN in them does not leak).
 * Defines: none, except CK_INJECTED_BUILD_FAULT, which the backend sets to
 * make a build fail on purpose (the CONVKIT_FAULT=build test hook).
 */

#ifdef CK_INJECTED_BUILD_FAULT
#error "a build failure injected by CONVKIT_FAULT=build (a test hook)"
#endif

/** value + beta * *out, reading *out only when beta != 0. */
inline float ck_accumulate(float value, float beta, __global const float *out) {
    return beta == 0.0f ? value : value + beta * *out;
}
