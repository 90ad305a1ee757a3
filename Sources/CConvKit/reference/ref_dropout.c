/*
 * ref_dropout.c — dropout forward of the reference backend: the mask from
 * Philox-4x32-10 (core/philox.h documents the element-to-counter mapping and
 * the keep rule, which every backend shares), y = x * mask.
 *
 * x, y, mask: same shape. Element i uses counter params->offset + i;
 * mask[i] = keep ? 1.0f / (1.0f - rate) : 0 (the float32 value, also in a
 * float64 tensor). y may be x.
 */
#include "core/philox.h"
#include "reference/reference_ops.h"
#include "reference/ref_tensor.h"

ck_status ck_ref_dropout_forward(ck_backend *backend, const ck_dropout_forward_args *args) {
    const ck_dropout_params *p = args->params;
    ck_ref_arena arena;
    ck_ref_arena_init(&arena, backend, "dropout_forward");
    size_t n = ck_tensor_numel(args->x);
    double *x = ck_ref_load(&arena, args->x);
    double *mask = ck_ref_zeros(&arena, n);
    ck_status status = ck_ref_arena_status(&arena);
    if (status == CK_OK) {
        float scale = ck_dropout_scale(p->rate);
        for (size_t i = 0; i < n; i++) {
            uint32_t bits = ck_philox_bits(p->seed, p->offset + (uint64_t)i);
            mask[i] = ck_dropout_keep(bits, p->rate) ? (double)scale : 0.0;
            x[i] *= mask[i]; /* a float32 product is exact in double: rounding once gives x * mask in float32 */
        }
        ck_ref_store(args->y, x);
        ck_ref_store(args->mask, mask);
    }
    ck_ref_arena_free(&arena);
    return status;
}
