/*
 * fault.h — fault injection, a test hook for the error paths of device
 * backends.
 *
 * The environment variable CONVKIT_FAULT, read once when a context is
 * created, arms one fault on that context:
 *
 *   CONVKIT_FAULT=KIND[:OP]     KIND = build | alloc | enqueue
 *
 * The first event of KIND (on behalf of op OP when one is named) then fails
 * as the device would have failed it, once; later events succeed, so a test
 * can check that the context stays usable:
 *   build    building an OpenCL program (a real build error: the program is
 *            built with a define that trips an #error in common/common.cl);
 *   alloc    allocating device memory (CL_MEM_OBJECT_ALLOCATION_FAILURE): a
 *            buffer, an op's scratch, a host copy for the CPU fallback; with
 *            OP named, also the op's kernel launch (drivers that allocate
 *            lazily report a failed allocation there);
 *   enqueue  enqueuing a kernel or a copy (CL_OUT_OF_RESOURCES).
 * OP is an op name ("conv2d_forward") or "ck_buffer_create". Unset, empty or
 * malformed: no fault. Messages of injected failures say so.
 */
#ifndef CK_CORE_FAULT_H
#define CK_CORE_FAULT_H

#include <pthread.h>

typedef enum ck_fault_kind { CK_FAULT_NONE, CK_FAULT_BUILD, CK_FAULT_ALLOC, CK_FAULT_ENQUEUE } ck_fault_kind;

typedef struct ck_fault {
    pthread_mutex_t lock;
    ck_fault_kind kind; /* CK_FAULT_NONE once fired */
    char op[64];        /* "" = any op */
} ck_fault;

/** Arms the fault CONVKIT_FAULT names, if any. */
void ck_fault_init(ck_fault *fault);
void ck_fault_destroy(ck_fault *fault);

/**
 * 1 (and disarms) when the armed fault is `kind` and names `op` or no op;
 * with `named_only`, only when it names `op`. 0 otherwise.
 */
int ck_fault_take(ck_fault *fault, ck_fault_kind kind, const char *op, int named_only);

#endif
