/*
 * device_support.h — what the device suites (suite_device*.c) share:
 * environment variables set around one call, contexts made under them, and
 * the device name inside a context's description.
 */
#ifndef CK_DEVICE_SUPPORT_H
#define CK_DEVICE_SUPPORT_H

#include "harness.h"

/** An environment variable and the value to give it (NULL: unset). */
typedef struct ckt_env {
    const char *name, *value;
} ckt_env;

/** Sets `count` variables, keeping their old values in saved[] for ckt_env_restore. */
void ckt_env_apply(const ckt_env *env, int count, char **saved);
/** Puts back the values ckt_env_apply saved (and frees them). */
void ckt_env_restore(const ckt_env *env, int count, char **saved);

/** A context on `backend` made while the variables of `env` hold their values; NULL (reported) on failure. */
ck_context *ckt_context_with_env(ckt_run *run, ck_backend_kind backend, const ckt_env *env, int count);

/** The device name inside a device description "TYPE: NAME (PLATFORM, VERSION)". */
void ckt_device_name_in(const char *description, char *name, size_t capacity);
/** The device name of an OpenCL context ("opencl: device N, TYPE: NAME (...)..."). */
void ckt_context_device_name(const ck_context *ctx, char *name, size_t capacity);

/** 1 when the last error of ctx contains every one of the `count` texts; else fails naming the missing one. */
int ckt_expect_message(ckt_run *run, const ck_context *ctx, const char *const *texts, int count);

#endif
