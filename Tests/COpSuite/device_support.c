/* device_support.c — helpers of the device suites (see device_support.h). */
#define _POSIX_C_SOURCE 200809L /* setenv, strdup */
#include "device_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ckt_env_apply(const ckt_env *env, int count, char **saved) {
    for (int i = 0; i < count; i++) {
        const char *old = getenv(env[i].name);
        saved[i] = old ? strdup(old) : NULL;
        if (env[i].value) setenv(env[i].name, env[i].value, 1);
        else unsetenv(env[i].name);
    }
}

void ckt_env_restore(const ckt_env *env, int count, char **saved) {
    for (int i = count - 1; i >= 0; i--) {
        if (saved[i]) setenv(env[i].name, saved[i], 1);
        else unsetenv(env[i].name);
        free(saved[i]);
        saved[i] = NULL;
    }
}

ck_context *ckt_context_with_env(ckt_run *run, ck_backend_kind backend, const ckt_env *env, int count) {
    char *saved[8] = {0};
    if (count > 8) count = 8;
    ckt_env_apply(env, count, saved);
    ck_context_options options;
    ck_context_options_init(&options);
    options.backend = backend;
    ck_context *ctx = NULL;
    ck_status status = ck_context_create(&options, &ctx);
    ckt_env_restore(env, count, saved);
    ckt_expect_ok(run, status, NULL, "ck_context_create");
    return status == CK_OK ? ctx : NULL;
}

void ckt_device_name_in(const char *description, char *name, size_t capacity) {
    const char *begin = strstr(description, ": ");
    begin = begin ? begin + 2 : description;
    const char *end = strstr(begin, " (");
    size_t length = end ? (size_t)(end - begin) : strlen(begin);
    snprintf(name, capacity, "%.*s", (int)length, begin);
}

void ckt_context_device_name(const ck_context *ctx, char *name, size_t capacity) {
    const char *device = strstr(ck_context_describe(ctx), ", ");
    ckt_device_name_in(device ? device + 2 : "", name, capacity);
}

int ckt_expect_message(ckt_run *run, const ck_context *ctx, const char *const *texts, int count) {
    const char *message = ck_last_error(ctx);
    int ok = 1;
    for (int i = 0; i < count; i++)
        ok &= ckt_expect(run, strstr(message, texts[i]) != NULL, "the error does not mention '%s': %s", texts[i],
                         message);
    return ok;
}
