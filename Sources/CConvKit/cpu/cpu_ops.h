/*
 * cpu_ops.h — the CPU backend's op functions (cpu/cpu_backend.c puts them in
 * the table) and the state they share.
 */
#ifndef CK_CPU_OPS_H
#define CK_CPU_OPS_H

#include "core/backend.h"
#include "cpu/thread_pool.h"

/** Which conv algorithm runs (CONVKIT_CPU_CONV, read at context creation; cpu_conv.c). */
typedef enum ck_cpu_conv_choice {
    CK_CPU_CONV_AUTO = 0,  /* the first that fits: depthwise, direct, im2col + sgemm */
    CK_CPU_CONV_GEMM,      /* im2col + sgemm for every conv */
    CK_CPU_CONV_DIRECT,    /* the few-channel direct kernels only; others are unsupported */
    CK_CPU_CONV_DEPTHWISE  /* the depthwise kernels only; others are unsupported */
} ck_cpu_conv_choice;

typedef struct ck_cpu_state {
    ck_thread_pool *pool;
    int has_avx2_fma; /* chosen once at context creation (cpuid) */
    ck_cpu_conv_choice conv_choice;
} ck_cpu_state;

static inline ck_cpu_state *ck_cpu(ck_backend *backend) { return (ck_cpu_state *)backend->state; }

#define CK_CPU_OP_DECL(ID, name) ck_status ck_cpu_##name(ck_backend *backend, const ck_##name##_args *args);
CK_OP_LIST(CK_CPU_OP_DECL)
#undef CK_CPU_OP_DECL

/** y[i] = f(x[i]) for i < n (cpu_activation.c; y may be x), on AVX2 when `avx2` for ReLU and LeakyReLU. */
void ck_cpu_activate(int avx2, ck_activation act, float alpha, const float *x, float *y, size_t n);

#endif
