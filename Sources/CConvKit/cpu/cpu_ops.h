/*
 * cpu_ops.h — the CPU backend's op functions (cpu/cpu_backend.c puts them in
 * the table) and the state they share.
 */
#ifndef CK_CPU_OPS_H
#define CK_CPU_OPS_H

#include "core/backend.h"
#include "cpu/thread_pool.h"

typedef struct ck_cpu_state {
    ck_thread_pool *pool;
    int has_avx2_fma; /* chosen once at context creation (cpuid) */
} ck_cpu_state;

static inline ck_cpu_state *ck_cpu(ck_backend *backend) { return (ck_cpu_state *)backend->state; }

#define CK_CPU_OP_DECL(ID, name) ck_status ck_cpu_##name(ck_backend *backend, const ck_##name##_args *args);
CK_OP_LIST(CK_CPU_OP_DECL)
#undef CK_CPU_OP_DECL

#endif
