/*
 * bench_vecmem.c - the peak memory of `torc vectorize` on a small and a
 * large capture, with and without a hole that is never filled (issue 15:
 * the vectorizer's memory must follow the reordering window and the vectors
 * in flight, not the capture).
 *
 * Where it sits: `make bench-vecmem` (part of `make bench`).  It
 * synthesizes four captures into OUTDIR with bench_synth.c (not
 * committed): SMALL and LARGE MiB (defaults 25 and 200), each plain and
 * with one data segment of flow 0 never written.  Then, for each kind, it
 * runs `TORC vectorize CAP -o OUTDIR/out --per-flow 26 -q` on the small
 * and the large capture in PAIRS pairs (default 3), alternating which runs
 * first, reads each child's peak RSS from wait4, and prints the median
 * peak RSS of each size, the ratio large/small of every pair, and the
 * median and spread (min..max) of those ratios.  Target: median ratio in
 * 0.80..1.20 (flat within 20%); the exit status is 1 when a kind is not.
 * Usage: bench_vecmem TORC CATALOGUE OUTDIR [SMALL_MIB [LARGE_MIB [PAIRS]]]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_synth.h"

#define MAX_PAIRS 15

/* Runs `torc vectorize cap`; returns the child's peak RSS in KiB, or -1
 * when it failed. */
static long vectorize_rss(const char *torc, const char *cat, const char *cap,
                          const char *out) {
  struct rusage ru;
  int st;
  pid_t pid;
  fflush(stdout);
  fflush(stderr);
  pid = fork();
  if (pid == 0) {
    if (freopen("/dev/null", "w", stdout) == NULL)
      _exit(127);
    execl(torc, torc, "vectorize", cap, "-o", out, "--per-flow", "26",
          "--catalogue", cat, "-q", (char *)NULL);
    _exit(127);
  }
  if (pid < 0 || wait4(pid, &st, 0, &ru) < 0)
    return -1;
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
    fprintf(stderr, "bench_vecmem: torc vectorize %s: status %d\n", cap, st);
    return -1;
  }
  return ru.ru_maxrss;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static int cmp_long(const void *a, const void *b) {
  long x = *(const long *)a, y = *(const long *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  char caps[2][2][512], out[512];
  uint64_t mib[2] = {25, 200};
  int pairs = 3, fail = 0, hole, i, k;
  if (argc < 4) {
    fprintf(stderr, "usage: bench_vecmem TORC CATALOGUE OUTDIR [SMALL_MIB "
                    "[LARGE_MIB [PAIRS]]]\n");
    return 2;
  }
  if (argc > 4)
    mib[0] = strtoull(argv[4], NULL, 10);
  if (argc > 5)
    mib[1] = strtoull(argv[5], NULL, 10);
  if (argc > 6)
    pairs = atoi(argv[6]);
  if (pairs < 1 || pairs > MAX_PAIRS)
    pairs = 3;
  snprintf(out, sizeof out, "%s/vecmem-out", argv[3]);
  for (hole = 0; hole < 2; hole++)
    for (k = 0; k < 2; k++) {
      snprintf(caps[hole][k], sizeof caps[hole][k], "%s/vecmem-%llumib%s.pcap",
               argv[3], (unsigned long long)mib[k], hole ? "-hole" : "");
      if (bench_file_mib(caps[hole][k]) < (long)mib[k] - 1) {
        if (bench_synthesize(caps[hole][k], mib[k], hole) < 0)
          return 2;
        printf("synthesized %s (%ld MiB)\n", caps[hole][k],
               bench_file_mib(caps[hole][k]));
      }
    }
  for (hole = 0; hole < 2; hole++) {
    long rss[2][MAX_PAIRS];
    double ratio[MAX_PAIRS], med;
    printf("torc vectorize --per-flow 26, %s:\n",
           hole ? "one hole never filled" : "no hole");
    for (i = 0; i < pairs; i++) {
      int first = i % 2; /* alternate which size runs first */
      for (k = 0; k < 2; k++) {
        int s = k ? !first : first;
        rss[s][i] = vectorize_rss(argv[1], argv[2], caps[hole][s], out);
        if (rss[s][i] < 0)
          return 2;
      }
      ratio[i] = (double)rss[1][i] / (double)rss[0][i];
      printf("  pair %d: %llu MiB %ld KiB, %llu MiB %ld KiB, ratio %.3f\n",
             i + 1, (unsigned long long)mib[0], rss[0][i],
             (unsigned long long)mib[1], rss[1][i], ratio[i]);
    }
    qsort(ratio, (size_t)pairs, sizeof *ratio, cmp_double);
    qsort(rss[0], (size_t)pairs, sizeof *rss[0], cmp_long);
    qsort(rss[1], (size_t)pairs, sizeof *rss[1], cmp_long);
    med = ratio[pairs / 2];
    printf("  median peak RSS: %ld KiB at %llu MiB, %ld KiB at %llu MiB\n",
           rss[0][pairs / 2], (unsigned long long)mib[0], rss[1][pairs / 2],
           (unsigned long long)mib[1]);
    printf("  ratio large/small: median %.3f, spread %.3f..%.3f (target "
           "0.80..1.20) %s\n",
           med, ratio[0], ratio[pairs - 1],
           med >= 0.80 && med <= 1.20 ? "ok" : "OUTSIDE");
    fail |= med < 0.80 || med > 1.20;
  }
  return fail ? 1 : 0;
}
