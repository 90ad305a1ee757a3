/* cl_disk_cache.c — the on-disk program cache (see cl_disk_cache.h). */
#include "opencl/cl_disk_cache.h"
#include "opencl/cl_backend.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char magic[8] = {'C', 'K', 'P', 'R', 'O', 'G', '0', '1'};

uint64_t ck_cl_fnv1a(const void *data, size_t size) {
    uint64_t hash = 0xcbf29ce484222325ull;
    for (const unsigned char *p = data; size--; p++) hash = (hash ^ *p) * 0x100000001b3ull;
    return hash;
}

/* Creates `path` and its missing parents (mode 0700); 1 on success. */
static int make_dirs(char *path) {
    for (char *p = path + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        int ok = mkdir(path, 0700) == 0 || errno == EEXIST;
        *p = '/';
        if (!ok) return 0;
    }
    return mkdir(path, 0700) == 0 || errno == EEXIST;
}

int ck_cl_make_dirs(char *path) { return make_dirs(path); }

void ck_cl_convkit_cache_root(char *dir, size_t capacity, int create) {
    dir[0] = '\0';
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    int length;
    if (xdg && xdg[0] == '/') /* the XDG spec ignores relative paths */
        length = snprintf(dir, capacity, "%s/convkit", xdg);
    else if (home && home[0] == '/')
        length = snprintf(dir, capacity, "%s/.cache/convkit", home);
    else
        return;
    if (length < 0 || (size_t)length >= capacity || (create && !make_dirs(dir))) dir[0] = '\0';
}

void ck_cl_disk_cache_dir(char *dir, size_t capacity) {
    const char *setting = getenv("CONVKIT_PROGRAM_CACHE");
    if (setting && strcmp(setting, "off") == 0) {
        dir[0] = '\0';
        return;
    }
    ck_cl_convkit_cache_root(dir, capacity, 1);
}

/* dir/<hash of key>.clbin */
static int entry_path(const char *dir, const char *key, char *path, size_t capacity) {
    int length = snprintf(path, capacity, "%s/%016llx.clbin", dir, (unsigned long long)ck_cl_fnv1a(key, strlen(key)));
    return length > 0 && (size_t)length < capacity;
}

/* The binary stored under `key` in `path` (malloc'd, *size set), or NULL when absent or not intact. */
static unsigned char *read_entry(const char *path, const char *key, size_t *size) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char head[sizeof magic];
    uint64_t key_length = 0, binary_length = 0, checksum = 0;
    size_t want = strlen(key);
    char *stored_key = NULL;
    unsigned char *binary = NULL;
    int ok = fread(head, 1, sizeof head, f) == sizeof head && memcmp(head, magic, sizeof magic) == 0 &&
             fread(&key_length, sizeof key_length, 1, f) == 1 && key_length == want &&
             (stored_key = malloc(want + 1)) != NULL && fread(stored_key, 1, want, f) == want &&
             memcmp(stored_key, key, want) == 0 && fread(&binary_length, sizeof binary_length, 1, f) == 1 &&
             fread(&checksum, sizeof checksum, 1, f) == 1 && binary_length > 0 && binary_length < ((uint64_t)1 << 31) &&
             (binary = malloc((size_t)binary_length)) != NULL &&
             fread(binary, 1, (size_t)binary_length, f) == binary_length && fgetc(f) == EOF &&
             ck_cl_fnv1a(binary, (size_t)binary_length) == checksum;
    fclose(f);
    free(stored_key);
    if (!ok) {
        free(binary);
        return NULL;
    }
    *size = (size_t)binary_length;
    return binary;
}

cl_program ck_cl_disk_cache_load(ck_cl_state *state, const char *dir, const char *key, const char *options) {
    char path[1200];
    size_t size = 0;
    unsigned char *binary = dir[0] && entry_path(dir, key, path, sizeof path) ? read_entry(path, key, &size) : NULL;
    if (!binary) return NULL;
    const unsigned char *binaries[1] = {binary};
    cl_int code, binary_status = CL_SUCCESS;
    cl_program program = clCreateProgramWithBinary(state->context, 1, &state->device, &size, binaries, &binary_status, &code);
    free(binary);
    if (code != CL_SUCCESS || binary_status != CL_SUCCESS) {
        if (code == CL_SUCCESS) clReleaseProgram(program);
        return NULL;
    }
    if (clBuildProgram(program, 1, &state->device, options, NULL, NULL) != CL_SUCCESS) {
        clReleaseProgram(program);
        return NULL;
    }
    return program;
}

void ck_cl_disk_cache_store(const char *dir, const char *key, cl_program program) {
    char path[1200], temporary[1300];
    size_t size = 0;
    if (!dir[0] || !entry_path(dir, key, path, sizeof path) ||
        clGetProgramInfo(program, CL_PROGRAM_BINARY_SIZES, sizeof size, &size, NULL) != CL_SUCCESS || size == 0)
        return;
    unsigned char *binary = malloc(size);
    unsigned char *binaries[1] = {binary};
    if (!binary || clGetProgramInfo(program, CL_PROGRAM_BINARIES, sizeof binaries, binaries, NULL) != CL_SUCCESS) {
        free(binary);
        return;
    }
    snprintf(temporary, sizeof temporary, "%s.XXXXXX", path);
    int fd = mkstemp(temporary);
    FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;
    if (fd >= 0 && !f) close(fd);
    if (f) {
        uint64_t key_length = strlen(key), binary_length = size, checksum = ck_cl_fnv1a(binary, size);
        int ok = fwrite(magic, 1, sizeof magic, f) == sizeof magic &&
                 fwrite(&key_length, sizeof key_length, 1, f) == 1 && fwrite(key, 1, key_length, f) == key_length &&
                 fwrite(&binary_length, sizeof binary_length, 1, f) == 1 &&
                 fwrite(&checksum, sizeof checksum, 1, f) == 1 && fwrite(binary, 1, size, f) == size &&
                 fflush(f) == 0 && fsync(fileno(f)) == 0;
        ok = fclose(f) == 0 && ok;
        if (!ok || rename(temporary, path) != 0) remove(temporary);
    }
    free(binary);
}
