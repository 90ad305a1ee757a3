/* timing.c — a monotonic clock and the median / min / max of repeated runs. */
#define _POSIX_C_SOURCE 200809L
#include "timing.h"

#include <stdlib.h>
#include <time.h>

double bench_now_seconds(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec * 1e-9;
}

static int compare_doubles(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median of an even count is the mean of the two middle samples. */
bench_timing bench_summarize(double *samples, int count) {
    qsort(samples, (size_t)count, sizeof *samples, compare_doubles);
    bench_timing timing = {0};
    timing.runs = count;
    timing.min_s = samples[0];
    timing.max_s = samples[count - 1];
    timing.median_s = count % 2 ? samples[count / 2] : 0.5 * (samples[count / 2 - 1] + samples[count / 2]);
    return timing;
}
