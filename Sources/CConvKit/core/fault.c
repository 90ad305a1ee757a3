/* fault.c — the CONVKIT_FAULT test hook (see fault.h). */
#include "core/fault.h"

#include <stdlib.h>
#include <string.h>

void ck_fault_init(ck_fault *fault) {
    memset(fault, 0, sizeof *fault);
    pthread_mutex_init(&fault->lock, NULL);
    const char *spec = getenv("CONVKIT_FAULT");
    if (!spec || !spec[0]) return;
    static const struct { const char *name; ck_fault_kind kind; } kinds[] = {
        {"build", CK_FAULT_BUILD}, {"alloc", CK_FAULT_ALLOC}, {"enqueue", CK_FAULT_ENQUEUE}};
    const char *colon = strchr(spec, ':');
    size_t length = colon ? (size_t)(colon - spec) : strlen(spec);
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        if (strlen(kinds[i].name) != length || strncmp(spec, kinds[i].name, length) != 0) continue;
        if (colon && strlen(colon + 1) >= sizeof fault->op) return;
        fault->kind = kinds[i].kind;
        strcpy(fault->op, colon ? colon + 1 : "");
    }
}

void ck_fault_destroy(ck_fault *fault) { pthread_mutex_destroy(&fault->lock); }

int ck_fault_take(ck_fault *fault, ck_fault_kind kind, const char *op, int named_only) {
    pthread_mutex_lock(&fault->lock);
    int fire = fault->kind == kind && (fault->op[0] ? strcmp(fault->op, op) == 0 : !named_only);
    if (fire) fault->kind = CK_FAULT_NONE;
    pthread_mutex_unlock(&fault->lock);
    return fire;
}
