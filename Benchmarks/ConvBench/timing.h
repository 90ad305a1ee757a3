/*
 * timing.h — a monotonic clock and the summary of repeated timings
 * (median, minimum, maximum, and how many runs).
 */
#ifndef CK_BENCH_TIMING_H
#define CK_BENCH_TIMING_H

typedef struct bench_timing {
    double median_s, min_s, max_s;
    int runs;
    int cut_short; /* set by bench_case_measure: one run, far slower than the alternative */
} bench_timing;

/** A monotonic clock, in seconds. */
double bench_now_seconds(void);

/** Summarizes count >= 1 samples (seconds); sorts them in place. */
bench_timing bench_summarize(double *samples, int count);

#endif
