/*
 * dispatch.h — the one path every op takes: validate, run on the context's
 * backend, count. Generated for every op of CK_OP_LIST in dispatch.c.
 */
#ifndef CK_CORE_DISPATCH_H
#define CK_CORE_DISPATCH_H

#include "core/backend.h"

#define CK_EXECUTE_DECL(ID, name) ck_status ck_execute_##name(ck_context *ctx, const ck_##name##_args *args);
CK_OP_LIST(CK_EXECUTE_DECL)
#undef CK_EXECUTE_DECL

#endif
