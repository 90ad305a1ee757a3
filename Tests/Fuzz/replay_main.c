/*
 * replay_main.c — runs the fuzz target once on each input file, without
 * libFuzzer: the cheap regression test of the committed corpus (built with
 * any compiler, under ASan/UBSan in scripts/check-sanitizers.sh).
 *
 *   ck_fuzz_replay PATH...   each PATH a file, or a folder whose files are read
 *
 * A violated property aborts (fuzz_exec.c prints the finding first), as does
 * a sanitizer report. Exit status: 0 when every input ran, 1 when an input
 * could not be read or no input was found.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/** Inputs longer than this are not fuzz inputs (libFuzzer runs with a far smaller -max_len). */
#define MAX_INPUT_BYTES (1 << 20)

/* Runs the target on one file; returns 1 when it ran. */
static int replay_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "ck_fuzz_replay: cannot open %s\n", path);
        return 0;
    }
    uint8_t *data = malloc(MAX_INPUT_BYTES);
    size_t size = data ? fread(data, 1, MAX_INPUT_BYTES, f) : 0;
    int ok = data && !ferror(f);
    fclose(f);
    if (ok) LLVMFuzzerTestOneInput(data, size);
    else fprintf(stderr, "ck_fuzz_replay: cannot read %s\n", path);
    free(data);
    return ok;
}

static int compare_names(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Runs every regular file of a folder, in name order; adds to *ran and *failed. */
static void replay_folder(const char *folder, int *ran, int *failed) {
    DIR *dir = opendir(folder);
    if (!dir) {
        fprintf(stderr, "ck_fuzz_replay: cannot open folder %s\n", folder);
        (*failed)++;
        return;
    }
    char **names = NULL;
    size_t count = 0, capacity = 0;
    for (struct dirent *e; (e = readdir(dir));) {
        if (e->d_name[0] == '.') continue;
        if (count == capacity) {
            capacity = capacity ? 2 * capacity : 64;
            char **grown = realloc(names, capacity * sizeof *names);
            if (!grown) break;
            names = grown;
        }
        size_t length = strlen(folder) + strlen(e->d_name) + 2;
        names[count] = malloc(length);
        if (!names[count]) break;
        snprintf(names[count++], length, "%s/%s", folder, e->d_name);
    }
    closedir(dir);
    qsort(names, count, sizeof *names, compare_names);
    for (size_t i = 0; i < count; i++) {
        struct stat st;
        if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode)) {
            if (replay_file(names[i])) (*ran)++;
            else (*failed)++;
        }
        free(names[i]);
    }
    free(names);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: ck_fuzz_replay PATH...   (files, or folders of inputs)\n");
        return 1;
    }
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    int ran = 0, failed = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            replay_folder(argv[i], &ran, &failed);
        } else if (replay_file(argv[i])) {
            ran++;
        } else {
            failed++;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    double seconds = (double)(end.tv_sec - start.tv_sec) + 1e-9 * (double)(end.tv_nsec - start.tv_nsec);
    printf("ck_fuzz_replay: %d inputs replayed in %.1f s, %d unreadable\n", ran, seconds, failed);
    return failed || ran == 0 ? 1 : 0;
}
