/*
 * bench_flow.c - capture reading and reassembly throughput (torc_flow.h)
 * against tcpdump and tshark, and its peak memory on 100 MiB vs >= 1 GiB.
 *
 * Where it sits: `make bench-flow` (part of `make bench`).  It synthesizes
 * two captures into OUTDIR (not committed): 4 long TCP flows interleaved,
 * Ethernet/IPv4, MSS 1448 with correct checksums, every 64th data segment
 * swapped with the next (reordering) and an ACK every second segment; one
 * of about 100 MiB and one of about 1 GiB.  Then, on the same capture in
 * the same run, it times
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

#include "torc_flow.h"

#define MSS 1448u
#define NFLOWS 4u
#define PATTERN (1u << 20)

static uint8_t pattern[PATTERN + MSS];

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint32_t sum16(const uint8_t *p, size_t n, uint32_t s) {
  size_t i;
  for (i = 0; i + 1 < n; i += 2)
    s += (uint32_t)(p[i] << 8 | p[i + 1]);
  if (n & 1)
    s += (uint32_t)p[n - 1] << 8;
  return s;
}

static uint16_t fold(uint32_t s) {
  while (s >> 16)
    s = (s & 0xFFFF) + (s >> 16);
  return (uint16_t)~s;
}

/* One Ethernet/IPv4/TCP frame of flow f into buf; returns its length. */
static uint32_t frame(uint8_t *buf, unsigned f, int rev, uint32_t seq,
                      uint32_t ack, uint8_t flags, const uint8_t *pl,
                      uint32_t len) {
  uint8_t *ip = buf + 14, *tcp = ip + 20;
  uint32_t tot = 40 + len, s;
  uint8_t ph[12];
  memset(buf, 0, 54);
  buf[5] = rev ? 1 : 2, buf[11] = rev ? 2 : 1;
  buf[12] = 0x08;
  ip[0] = 0x45;
  ip[2] = (uint8_t)(tot >> 8), ip[3] = (uint8_t)tot;
  ip[6] = 0x40, ip[8] = 64, ip[9] = 6;
  ip[12] = 10, ip[14] = (uint8_t)f, ip[15] = (uint8_t)(rev ? 2 : 1);
  ip[16] = 10, ip[18] = (uint8_t)f, ip[19] = (uint8_t)(rev ? 1 : 2);
  ip[10] = 0, ip[11] = 0;
  s = fold(sum16(ip, 20, 0));
  ip[10] = (uint8_t)(s >> 8), ip[11] = (uint8_t)s;
  tcp[0] = rev ? 0x13 : 0x9C, tcp[1] = rev ? 0x89 : (uint8_t)(0x40 + f);
  tcp[2] = rev ? 0x9C : 0x13, tcp[3] = rev ? (uint8_t)(0x40 + f) : 0x89;
  tcp[4] = (uint8_t)(seq >> 24), tcp[5] = (uint8_t)(seq >> 16);
  tcp[6] = (uint8_t)(seq >> 8), tcp[7] = (uint8_t)seq;
  tcp[8] = (uint8_t)(ack >> 24), tcp[9] = (uint8_t)(ack >> 16);
  tcp[10] = (uint8_t)(ack >> 8), tcp[11] = (uint8_t)ack;
  tcp[12] = 0x50, tcp[13] = flags, tcp[14] = 0xFF, tcp[15] = 0xFF;
  memcpy(tcp + 20, pl, len);
  memcpy(ph, ip + 12, 8);
  ph[8] = 0, ph[9] = 6, ph[10] = (uint8_t)((20 + len) >> 8);
  ph[11] = (uint8_t)(20 + len);
  s = fold(sum16(tcp, 20 + len, sum16(ph, 12, 0)));
  tcp[16] = (uint8_t)(s >> 8), tcp[17] = (uint8_t)s;
  return 14 + tot;
}

static void put(pcap_dumper_t *d, const uint8_t *buf, uint32_t len,
                uint64_t *t) {
  struct pcap_pkthdr h;
  (*t)++;
  h.ts.tv_sec = (time_t)(1700000000 + *t / 1000000);
  h.ts.tv_usec = (suseconds_t)(*t % 1000000);
  h.caplen = h.len = len;
  pcap_dump((u_char *)d, &h, buf);
}

/* Writes about mib MiB of capture to path. */
static int synthesize(const char *path, uint64_t mib) {
  pcap_t *dead = pcap_open_dead(DLT_EN10MB, 65535);
  pcap_dumper_t *d = pcap_dump_open(dead, path);
  uint8_t a[2048], b[2048];
  uint32_t seq[NFLOWS], isn = 0xFFF00000u; /* wraps inside the flow */
  uint64_t off[NFLOWS], t = 0, bytes = 0, target = mib << 20, n = 0;
  unsigned f;
  uint32_t la, lb;
  if (d == NULL) {
    fprintf(stderr, "%s: %s\n", path, pcap_geterr(dead));
    return -1;
  }
  for (f = 0; f < NFLOWS; f++) {
    seq[f] = isn + f * 0x1000000u;
    off[f] = 0;
    la = frame(a, f, 0, seq[f], 0, 0x02, pattern, 0); /* SYN */
    put(d, a, la, &t);
    la = frame(a, f, 1, 7000, seq[f] + 1, 0x12, pattern, 0); /* SYN-ACK */
    put(d, a, la, &t);
    seq[f]++;
  }
  while (bytes < target) {
    for (f = 0; f < NFLOWS; f++) {
      /* two data segments; every 64th pair is written swapped */
      la = frame(a, f, 0, seq[f], 7001, 0x10, pattern + off[f] % PATTERN, MSS);
      lb = frame(b, f, 0, seq[f] + MSS, 7001, 0x18,
                 pattern + (off[f] + MSS) % PATTERN, MSS);
      if (n % 32 == 31) {
        put(d, b, lb, &t);
        put(d, a, la, &t);
      } else {
        put(d, a, la, &t);
        put(d, b, lb, &t);
      }
      seq[f] += 2 * MSS;
      off[f] += 2 * MSS;
      la = frame(a, f, 1, 7001, seq[f], 0x10, pattern, 0); /* ACK */
      put(d, a, la, &t);
      bytes += la + lb * 2 + 48;
    }
    n++;
  }
  pcap_dump_close(d);
  pcap_close(dead);
  return 0;
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

static long file_mib(const char *path) {
  struct stat sb;
  return stat(path, &sb) == 0 ? (long)(sb.st_size >> 20) : -1;
}

/* Best of n runs (the page cache is warm after the first). */
static run_result best(char *const argv[], int n, int keep_err) {
  run_result b = run(argv, keep_err), r;
  int i;
  for (i = 1; i < n; i++) {
    r = run(argv, 0);
    if (r.status == b.status && r.secs < b.secs)
      b = r;
  }
  return b;
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
  for (i = 0; i < (int)sizeof pattern; i++)
    pattern[i] = (uint8_t)(i * 131u + (unsigned)(i >> 9));
  snprintf(small, sizeof small, "%s/flow-%llumib.pcap", argv[1],
           (unsigned long long)small_mib);
  snprintf(large, sizeof large, "%s/flow-%llumib.pcap", argv[1],
           (unsigned long long)large_mib);
  for (i = 0; i < 2; i++) {
    const char *p = i ? large : small;
    uint64_t m = i ? large_mib : small_mib;
    if (file_mib(p) < (long)m) {
      double t0 = now_s();
      if (synthesize(p, m) < 0)
        return 2;
      printf("synthesized %s (%ld MiB) in %.1f s\n", p, file_mib(p),
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
    run_result rt, rd, rs;
    printf("capture %s: %ld MiB\n", p, file_mib(p));
    fflush(stdout);
    rt = best(torc, 3, 1);
    if (rt.status != 0) {
      printf("  torc_flow failed (status %d)\n", rt.status);
      return 1;
    }
    rd = best(tcpdump, 3, 0);
    rss[i] = rt.maxrss_kib;
    printf("  torc_flow read+reassembly: %.3f s (%.0f MiB/s), peak RSS "
           "%ld KiB\n",
           rt.secs, (double)file_mib(p) / rt.secs, rt.maxrss_kib);
    if (rd.status == 0) {
      printf("  tcpdump -r CAP -w /dev/null: %.3f s, peak RSS %ld KiB\n",
             rd.secs, rd.maxrss_kib);
      printf("  ratio torc/tcpdump time: %.2f (target <= 2.00) %s\n",
             rt.secs / rd.secs, rt.secs / rd.secs <= 2.0 ? "ok" : "OVER");
      fail |= rt.secs / rd.secs > 2.0;
    } else {
      printf("  tcpdump: not run (status %d)\n", rd.status);
    }
    if (i == 0 && have("tshark")) {
      rs = run(tshark, 0);
      if (rs.status == 0)
        printf("  tshark -q -z follow,tcp,raw,0: %.3f s, peak RSS %ld KiB\n"
               "  ratio torc/tshark time: %.3f (target well below 1) %s\n",
               rs.secs, rs.maxrss_kib, rt.secs / rs.secs,
               rt.secs / rs.secs < 0.5 ? "ok" : "OVER");
      else
        printf("  tshark: failed (status %d)\n", rs.status);
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
