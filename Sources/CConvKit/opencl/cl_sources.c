/*
 * cl_sources.c — the text of a Kernels/ file: embedded at build time, or read
 * from $CONVKIT_KERNEL_DIR for kernel work (see cl_program.h).
 */
#include "opencl/cl_program.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Reads a whole file into a NUL-terminated malloc'd string. */
static ck_status read_file(ck_backend *backend, const char *op, const char *file, char **out_text) {
    FILE *f = fopen(file, "rb");
    if (!f)
        return ck_set_error(backend->ctx, CK_ERR_INVALID_ARGUMENT,
                            "%s: cannot open kernel source %s (CONVKIT_KERNEL_DIR is set): %s", op, file,
                            strerror(errno));
    char *text = NULL;
    size_t length = 0;
    if (fseek(f, 0, SEEK_END) == 0) {
        long size = ftell(f);
        if (size >= 0 && fseek(f, 0, SEEK_SET) == 0 && (text = malloc((size_t)size + 1)) != NULL) {
            length = fread(text, 1, (size_t)size, f);
            text[length] = '\0';
        }
    }
    int failed = ferror(f) || !text;
    fclose(f);
    if (failed) {
        free(text);
        return ck_set_error(backend->ctx, CK_ERR_OUT_OF_MEMORY, "%s: cannot read kernel source %s", op, file);
    }
    *out_text = text;
    return CK_OK;
}

ck_status ck_cl_load_source(ck_backend *backend, const char *op, const char *path, char **out_text) {
    *out_text = NULL;
    const char *dir = getenv("CONVKIT_KERNEL_DIR");
    if (dir && dir[0] != '\0') {
        char file[1024];
        snprintf(file, sizeof file, "%s/%s", dir, path);
        return read_file(backend, op, file, out_text);
    }
    for (int i = 0; i < ck_cl_embedded_file_count; i++) {
        if (strcmp(ck_cl_embedded_files[i].path, path) != 0) continue;
        *out_text = strdup(ck_cl_embedded_files[i].text);
        if (!*out_text)
            return ck_set_error(backend->ctx, CK_ERR_OUT_OF_MEMORY, "%s: cannot copy kernel source %s", op, path);
        return CK_OK;
    }
    return ck_set_error(backend->ctx, CK_ERR_INTERNAL, "%s: kernel source Kernels/%s is not embedded in this build",
                        op, path);
}
