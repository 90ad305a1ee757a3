/*
 * reference_backend.c — the reference backend's op table and constructor.
 * It keeps no state: every op loads its tensors into doubles, computes with
 * naive loops and stores the result (reference/ref_tensor.h).
 */
#include "reference/reference_ops.h"

#include <stdio.h>

static const ck_backend_ops reference_ops = {
#define CK_REF_OP_ENTRY(ID, name) .name = ck_ref_##name,
    CK_OP_LIST(CK_REF_OP_ENTRY)
#undef CK_REF_OP_ENTRY
};

ck_status ck_reference_backend_create(ck_context *ctx, ck_backend *backend) {
    backend->kind = CK_BACKEND_REFERENCE;
    backend->ops = &reference_ops;
    backend->ctx = ctx;
    backend->state = NULL;
    backend->num_threads = 1;
    backend->destroy = NULL;
    snprintf(backend->description, sizeof backend->description, "reference: naive loops, double accumulation");
    return CK_OK;
}
