/*
 * reference_ops.h — the reference backend's op functions: naive loops with
 * double accumulation, float32 and float64 tensors. The oracle; never fast.
 */
#ifndef CK_REFERENCE_OPS_H
#define CK_REFERENCE_OPS_H

#include "core/backend.h"

#define CK_REF_OP_DECL(ID, name) ck_status ck_ref_##name(ck_backend *backend, const ck_##name##_args *args);
CK_OP_LIST(CK_REF_OP_DECL)
#undef CK_REF_OP_DECL

/** f(x) for activation `act` (ref_activation.c: PyTorch's definitions); conv2d's fused epilogue uses it too. */
double ck_ref_activate(ck_activation act, double alpha, double x);

#endif
