/*
 * op_tensors.h — the tensors of an op's arguments, as one list (generated
 * for every op of CK_OP_LIST; op_tensors.c names them per op). The CPU
 * fallback copies all of their buffers to the host before it runs an op.
 */
#ifndef CK_CORE_OP_TENSORS_H
#define CK_CORE_OP_TENSORS_H

#include "core/backend.h"

/** The most tensors one op takes (batch norm: eight). */
#define CK_MAX_OP_TENSORS 10

/* int ck_<name>_tensors(args, out): fills out[] with the op's non-NULL tensors, returns their count. */
#define CK_OP_TENSORS_DECL(ID, name) int ck_##name##_tensors(const ck_##name##_args *a, const ck_tensor **out);
CK_OP_LIST(CK_OP_TENSORS_DECL)
#undef CK_OP_TENSORS_DECL

#endif
