/*
 * bench_ratio.h - the figure every benchmark of `make bench` prints: the
 * median and the spread of the ratios of paired, alternating runs.
 *
 * A benchmark times its two sides one after the other, the side that goes
 * first alternating from pair to pair, and keeps one ratio per pair; a
 * best-of-N of either side, taken at different moments, is what these
 * noisy machines make meaningless.  Used by reference/bench/bench_stream.c
 * and harness/bench/bench_flow.c (scripts/bench_pairs.py does the same for
 * whole processes in Python).  Header-only: each benchmark is its own
 * program.
 */
#ifndef BENCH_RATIO_H
#define BENCH_RATIO_H

#include <stdio.h>
#include <stdlib.h>

typedef struct bench_ratio {
  double median, lo, hi;
  int n;
} bench_ratio;

static int bench_ratio_cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* The median (mean of the middle two for even n), lowest and highest of
 * r[0..n-1]; sorts r. */
static inline bench_ratio bench_ratio_of(double *r, int n) {
  bench_ratio s = {0, 0, 0, n};
  if (n <= 0)
    return s;
  qsort(r, (size_t)n, sizeof r[0], bench_ratio_cmp);
  s.median = n % 2 ? r[n / 2] : (r[n / 2 - 1] + r[n / 2]) / 2;
  s.lo = r[0];
  s.hi = r[n - 1];
  return s;
}

/* "  NAME  MEDIAN (LO..HI, N pairs)  NOTE" */
static inline void bench_ratio_print(const char *name, bench_ratio s,
                                     const char *note) {
  printf("  %-28s %8.3f  (%.3f..%.3f, %d pairs)  %s\n", name, s.median, s.lo,
         s.hi, s.n, note);
}

#endif /* BENCH_RATIO_H */
