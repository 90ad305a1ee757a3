/*
 * cl_disk_cache.h — built OpenCL programs kept on disk, so that a new
 * process loads a program's binary instead of compiling its source.
 *
 * Folder: $XDG_CACHE_HOME/convkit, or ~/.cache/convkit; the environment
 * variable CONVKIT_PROGRAM_CACHE=off turns the cache off (both read when a
 * context is created). One file per program, named by a hash of its key:
 * the device (name, vendor, version), the platform, the driver version, the
 * hash of the sources and the build options. A file holds its whole key and
 * a checksum of the binary; one that is short, corrupt, of another key or
 * that the device refuses is ignored (the program is built from source and
 * the file written again). Files are written to a temporary name and renamed
 * into place, so readers never see half a file; a failure to write is
 * ignored (the cache only saves time).
 */
#ifndef CK_OPENCL_DISK_CACHE_H
#define CK_OPENCL_DISK_CACHE_H

#ifndef CL_TARGET_OPENCL_VERSION
#define CL_TARGET_OPENCL_VERSION 120
#endif
#include <CL/cl.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ck_cl_state ck_cl_state;

/** Sets `dir` (capacity bytes) to the cache folder; "" when the cache is off or there is no home folder. */
void ck_cl_disk_cache_dir(char *dir, size_t capacity);

/**
 * Sets `dir` to ConvKit's folder under $XDG_CACHE_HOME or ~/.cache (made when
 * missing, with `create`), whether or not the program cache is on; "" without
 * a home folder. Saved tunings live in its "tuning" subfolder (cl_tuning.c).
 */
void ck_cl_convkit_cache_root(char *dir, size_t capacity, int create);

/** FNV-1a, 64 bits, over `size` bytes: the names of cached programs and saved tunings. */
uint64_t ck_cl_fnv1a(const void *data, size_t size);

/** Creates `path` and its missing parents (mode 0700); 1 on success. */
int ck_cl_make_dirs(char *path);

/**
 * The program cached under `key`, built for the state's device with
 * `options`; NULL when there is none or it cannot be used.
 */
cl_program ck_cl_disk_cache_load(ck_cl_state *state, const char *dir, const char *key, const char *options);

/** Writes the binary of built `program` under `key`. */
void ck_cl_disk_cache_store(const char *dir, const char *key, cl_program program);

#endif
