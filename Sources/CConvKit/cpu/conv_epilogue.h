/*
 * conv_epilogue.h — writing a row of a conv output or gradient with its bias
 * and the gradient accumulation rule out = computed + bias + beta * out,
 * where beta == 0 never reads the old contents; and the fused activation of
 * a forward conv, applied to rows as they are finished.
 */
#ifndef CK_CPU_CONV_EPILOGUE_H
#define CK_CPU_CONV_EPILOGUE_H

#include "cpu/cpu_ops.h"
#include "cpu/simd.h"

/**
 * dst[i] = computed[i] + bias + beta * dst[i] for i < n; computed == NULL
 * stands for zeros (it prepares dst for a later accumulation into it).
 */
static inline void ck_conv_store_row(int avx2, size_t n, const float *computed, float bias, float beta, float *dst) {
    if (beta == 0.0f) {
        if (computed)
            ck_vec_add_scalar(avx2, n, computed, bias, dst);
        else
            ck_vec_fill(avx2, n, bias, dst);
        return;
    }
    if (computed)
        ck_vec_axpby(avx2, n, 1.0f, computed, beta, dst, dst);
    else if (beta != 1.0f)
        ck_vec_scale(avx2, n, beta, dst, dst);
    if (bias != 0.0f) ck_vec_add_scalar(avx2, n, dst, bias, dst);
}

/**
 * Readies a rows x n block (row stride ld) for an sgemm that adds into it:
 * with a bias (one value per row) the rows become bias + beta * old and the
 * returned sgemm beta is 1; without one the block is left alone and `beta`
 * is returned for the sgemm to apply.
 */
static inline float ck_conv_prepare_block(int avx2, float *block, int64_t ld, int64_t rows, int64_t n,
                                          const float *bias, float beta) {
    if (!bias) return beta;
    for (int64_t r = 0; r < rows; r++) ck_conv_store_row(avx2, (size_t)n, NULL, bias[r], beta, block + r * ld);
    return 1.0f;
}

/**
 * The fused activation of ck_conv2d_forward_fused on a rows x n block just
 * written (row stride ld), in place while it is still in cache; nothing
 * when `epilogue` is NULL or has no activation.
 */
static inline void ck_conv_activate_rows(int avx2, const ck_conv2d_epilogue *epilogue, float *block, int64_t ld,
                                         int64_t rows, int64_t n) {
    if (!epilogue || !epilogue->has_activation) return;
    for (int64_t r = 0; r < rows; r++)
        ck_cpu_activate(avx2, epilogue->activation, epilogue->alpha, block + r * ld, block + r * ld, (size_t)n);
}

#endif
