/*
 * cpu_support.h — small helpers the CPU backend's non-conv ops share: the
 * float32-only check and the grain size of their parallel loops.
 */
#ifndef CK_CPU_SUPPORT_H
#define CK_CPU_SUPPORT_H

#include "cpu/cpu_ops.h"

/**
 * Fewest float elements one worker takes in a memory-bound loop: below about
 * this much work, waking another thread costs more than it saves.
 */
#define CK_CPU_MIN_ELEMENTS_PER_THREAD ((size_t)1 << 15)

/** Items per chunk so that each chunk covers at least CK_CPU_MIN_ELEMENTS_PER_THREAD elements. */
static inline size_t ck_cpu_min_chunk(size_t elements_per_item) {
    if (elements_per_item == 0) elements_per_item = 1;
    size_t items = CK_CPU_MIN_ELEMENTS_PER_THREAD / elements_per_item;
    return items > 0 ? items : 1;
}

/**
 * CK_OK when every non-NULL tensor of tensors[0 .. count) is float32;
 * otherwise records that the CPU backend computes in float32 only and
 * returns CK_ERR_UNSUPPORTED.
 */
static inline ck_status ck_cpu_require_f32(ck_backend *backend, const char *op, const ck_tensor *const *tensors,
                                           size_t count) {
    for (size_t i = 0; i < count; i++)
        if (tensors[i] && tensors[i]->dtype != CK_F32)
            return ck_set_error(backend->ctx, CK_ERR_UNSUPPORTED,
                                "%s: the cpu backend computes in float32 only (tensor %zu has dtype %d)", op, i,
                                (int)tensors[i]->dtype);
    return CK_OK;
}

/** Returns CK_ERR_UNSUPPORTED from the calling op unless every listed (non-NULL) tensor is float32. */
#define CK_CPU_REQUIRE_F32(backend, op, ...)                                                              \
    do {                                                                                                  \
        const ck_tensor *const ck_f32_list_[] = {__VA_ARGS__};                                           \
        ck_status ck_f32_status_ =                                                                        \
            ck_cpu_require_f32((backend), (op), ck_f32_list_, sizeof ck_f32_list_ / sizeof ck_f32_list_[0]); \
        if (ck_f32_status_ != CK_OK) return ck_f32_status_;                                               \
    } while (0)

#endif
