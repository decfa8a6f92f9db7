/*
 * bench_flow.c - capture reading and reassembly throughput (torc_flow.h)
 * against tcpdump and tshark, and its peak memory on 100 MiB vs >= 1 GiB.
 *
 * Where it sits: `make bench-flow` (part of `make bench`).  It synthesizes
 * two captures into OUTDIR (not committed): 4 long TCP flows interleaved,
 * Ethernet/IPv4, MSS 1448 with correct checksums, every 64th data segment
 * swapped with the next (reordering) and an ACK every second segment; one
 * of about 100 MiB and one of about 1 GiB.  Then, on the same capture in
 * the same run, in paired alternating runs after one warm-up each
 * (bench_ratio.h: median and spread of the per-pair ratios), it times
 *   torc_flow (this program re-executed with --run, so the child's peak
 *   RSS from wait4 is its own), `tcpdump -r CAP -w /dev/null`, and, where
 *   installed, `tshark -q -z follow,tcp,raw,0 -r CAP` (100 MiB only),
 * and prints the ratios: torc/tcpdump (target <= 2) and torc/tshark (target
 * well below 1), and peak RSS at 1 GiB against 100 MiB (bounded by the
 * reordering window: ~1.0).  The wall clock is read here only.
 * Usage: bench_flow OUTDIR [SMALL_MIB [LARGE_MIB]]   (defaults 100, 1024)
 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_ratio.h"
#include "bench_synth.h"
#include "torc_flow.h"

#define PAIRS 5        /* paired, alternating runs against tcpdump */
#define TSHARK_PAIRS 3 /* tshark is slow: fewer pairs */

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* --run: the measured child. */
static int on_data(void *u, const torc_flow_dir *d, uint64_t off,
                   const uint8_t *p, size_t len) {
  *(uint64_t *)u += p[len - 1];
  return 0;
}

static int run_child(const char *path) {
  torc_flow_callbacks cb;
  torc_flow_stats st;
  uint64_t sink = 0;
  char err[512];
  int rc;
  memset(&cb, 0, sizeof cb);
  cb.user = &sink;
  cb.on_data = on_data;
  rc = torc_flow_read_file(path, NULL, &cb, &st, err, sizeof err);
  if (rc != 0) {
    fprintf(stderr, "%s\n", err);
    return 2;
  }
  torc_flow_stats_print(stderr, "  torc_flow", &st);
  return 0;
}

typedef struct run_result {
  double secs;
  long maxrss_kib;
  int status;
} run_result;

/* Runs argv with stdout/stderr to /dev/null unless keep_err. */
static run_result run(char *const argv[], int keep_err) {
  run_result r = {0, 0, -1};
  struct rusage ru;
  double t0;
  int st;
  pid_t pid;
  fflush(stdout); /* the child's freopen would flush a copy of it */
  fflush(stderr);
  t0 = now_s();
  pid = fork();
  if (pid == 0) {
    if (freopen("/dev/null", "w", stdout) == NULL)
      _exit(127);
    if (!keep_err && freopen("/dev/null", "w", stderr) == NULL)
      _exit(127);
    execvp(argv[0], argv);
    _exit(127);
  }
  if (pid < 0 || wait4(pid, &st, 0, &ru) < 0)
    return r;
  r.secs = now_s() - t0;
  r.maxrss_kib = ru.ru_maxrss;
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
  return r;
}

static int have(const char *prog) {
  char cmd[256];
  snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", prog);
  return system(cmd) == 0;
}

/* Paired, alternating runs of torc_flow (a) and a baseline (b) over the
 * same capture, after one warm-up run each (the page cache holds the
 * capture for both): n ratios a/b, the peak RSS of a's runs; status of the
 * first failing run, else 0. */
static int paired(char *const a[], char *const b[], int n, double *ratio,
                  double *secs_a, double *secs_b, long *rss_a) {
  run_result ra = run(a, 1), rb = run(b, 0);
  if (ra.status != 0)
    return ra.status;
  if (rb.status != 0)
    return 1000 + rb.status;
  *secs_a = *secs_b = 0;
  *rss_a = ra.maxrss_kib;
  for (int i = 0; i < n; i++) {
    if (i % 2 == 0) {
      ra = run(a, 1);
      rb = run(b, 0);
    } else {
      rb = run(b, 0);
      ra = run(a, 1);
    }
    if (ra.status != 0)
      return ra.status;
    if (rb.status != 0)
      return 1000 + rb.status;
    ratio[i] = ra.secs / rb.secs;
    *secs_a += ra.secs / n;
    *secs_b += rb.secs / n;
    if (ra.maxrss_kib > *rss_a)
      *rss_a = ra.maxrss_kib;
  }
  return 0;
}

int main(int argc, char **argv) {
  char small[512], large[512], self[512];
  uint64_t small_mib = 100, large_mib = 1024;
  long rss[2] = {0, 0};
  int fail = 0, i;
  ssize_t sl;
  if (argc == 3 && strcmp(argv[1], "--run") == 0)
    return run_child(argv[2]);
  if (argc < 2) {
    fprintf(stderr, "usage: bench_flow OUTDIR [SMALL_MIB [LARGE_MIB]]\n");
    return 2;
  }
  if (argc > 2)
    small_mib = strtoull(argv[2], NULL, 10);
  if (argc > 3)
    large_mib = strtoull(argv[3], NULL, 10);
  sl = readlink("/proc/self/exe", self, sizeof self - 1);
  if (sl <= 0)
    return 2;
  self[sl] = '\0';
  snprintf(small, sizeof small, "%s/flow-%llumib.pcap", argv[1],
           (unsigned long long)small_mib);
  snprintf(large, sizeof large, "%s/flow-%llumib.pcap", argv[1],
           (unsigned long long)large_mib);
  for (i = 0; i < 2; i++) {
    const char *p = i ? large : small;
    uint64_t m = i ? large_mib : small_mib;
    if (bench_file_mib(p) < (long)m) {
      double t0 = now_s();
      if (bench_synthesize(p, m, 0) < 0)
        return 2;
      printf("synthesized %s (%ld MiB) in %.1f s\n", p, bench_file_mib(p),
             now_s() - t0);
    }
  }
  for (i = 0; i < 2; i++) {
    char *p = i ? large : small;
    char s_run[] = "--run", s_tcpdump[] = "tcpdump", s_r[] = "-r";
    char s_w[] = "-w", s_null[] = "/dev/null", s_tshark[] = "tshark";
    char s_q[] = "-q", s_z[] = "-z", s_follow[] = "follow,tcp,raw,0";
    char *torc[] = {self, s_run, p, NULL};
    char *tcpdump[] = {s_tcpdump, s_r, p, s_w, s_null, NULL};
    char *tshark[] = {s_tshark, s_q, s_z, s_follow, s_r, p, NULL};
    double r[PAIRS], ta, tb;
    bench_ratio q;
    int st;
    printf("capture %s: %ld MiB\n", p, bench_file_mib(p));
    fflush(stdout);
    st = paired(torc, tcpdump, PAIRS, r, &ta, &tb, &rss[i]);
    if (st != 0 && st < 1000) {
      printf("  torc_flow failed (status %d)\n", st);
      return 1;
    }
    if (st == 0) {
      q = bench_ratio_of(r, PAIRS);
      printf("  torc_flow read+reassembly: %.3f s (%.0f MiB/s), peak RSS "
             "%ld KiB; tcpdump -r CAP -w /dev/null: %.3f s (means)\n",
             ta, (double)bench_file_mib(p) / ta, rss[i], tb);
      bench_ratio_print("torc / tcpdump time", q,
                        q.median <= 2.0 ? "target <= 2.00: ok"
                                        : "target <= 2.00: OVER");
      fail |= q.median > 2.0;
    } else {
      printf("  tcpdump: not run (status %d)\n", st - 1000);
    }
    if (i == 0 && have("tshark")) {
      st = paired(torc, tshark, TSHARK_PAIRS, r, &ta, &tb, &rss[i]);
      if (st == 0) {
        q = bench_ratio_of(r, TSHARK_PAIRS);
        printf("  tshark -q -z follow,tcp,raw,0: %.3f s (mean)\n", tb);
        bench_ratio_print("torc / tshark time", q,
                          q.median < 0.5 ? "target well below 1: ok"
                                         : "target well below 1: OVER");
      } else {
        printf("  tshark: failed (status %d)\n", st);
      }
    } else if (i == 0) {
      printf("  tshark: not installed, skipped\n");
    }
    fflush(stdout);
  }
  printf("peak RSS of reassembly: %ld KiB at %llu MiB vs %ld KiB at %llu MiB:"
         " ratio %.2f (bounded by the reordering window: ~1)\n",
         rss[1], (unsigned long long)large_mib, rss[0],
         (unsigned long long)small_mib, (double)rss[1] / (double)rss[0]);
  return fail ? 1 : 0;
}
