/*
 * bench_stream.c - throughput of the reference target's receive path.
 *
 * Streams bytes through the reference via its torc_target table, with a
 * minimal in-bench host: non-push requests of REQ_SIZE bytes, two posted at
 * a time, each completion reposting its request from inside the completion
 * (RCV-107); segments of MSS bytes in order, with a pure ACK now and then
 * and the virtual clock advanced every few segments.  In the same run it
 * copies the same bytes with plain memcpy (segment-sized pieces into
 * request-sized buffers) as a baseline.  The payloads come from a source
 * four times the last-level cache, so neither side reads them from the
 * cache.  Each comparison is paired, alternating runs (bench_ratio.h): the
 * median and spread of reference/memcpy throughput (the reference should
 * reach >= 0.4 of memcpy) and of the cost per byte at 256 MiB against
 * 64 MiB (flatness: ~1.0 means no growth with volume).
 * Usage: bench_stream [MIB [PAIRS]]   (defaults 256, 7)
 * Exit status 1 when a check on the delivered bytes fails.  The wall clock
 * is read here only, never by the reference.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench_ratio.h"

#include "torc/target.h"
#include "torc_reference.h"

#define MSS 1448u
#define REQ_SIZE (64u * 1024u)
#define NREQ 2u
#define PAIRS 7 /* paired, alternating runs of each comparison */

/* The source the segments' payloads come from, re-read cyclically: at least
 * four times the last-level cache (and 64 MiB), so that neither side reads
 * its bytes from the cache (set in main). */
static uint64_t src_size;

typedef struct bench_host {
  torc_target t;
  void *conn;
  uint8_t *bufs[NREQ];
  uint64_t next_id;
  uint64_t delivered;
  uint64_t completions;
  uint64_t checksum;
  int errors;
} bench_host;

static void *h_alloc(void *ctx, size_t n) {
  (void)ctx;
  return malloc(n);
}

static void h_free(void *ctx, void *p) {
  (void)ctx;
  free(p);
}

static void h_log(void *ctx, int level, const char *msg) {
  (void)ctx;
  (void)level;
  (void)msg;
}

static void h_offload_complete(void *ctx, uint64_t h, uint32_t status) {
  bench_host *b = ctx;
  (void)h;
  if (status != TORC_STATUS_SUCCESS)
    b->errors++;
}

static void post(bench_host *b, uint32_t slot) {
  torc_recv_request q;
  memset(&q, 0, sizeof(q));
  q.id = ((b->next_id++) << 8) | slot;
  q.buf = b->bufs[slot];
  q.size = REQ_SIZE;
  q.push = 0;
  b->t.receive(b->t.user_data, b->conn, &q, 1);
}

static void h_receive_complete(void *ctx, uint64_t h, const torc_completion *c,
                               uint32_t n) {
  bench_host *b = ctx;
  (void)h;
  for (uint32_t i = 0; i < n; i++) {
    uint32_t slot = (uint32_t)(c[i].id & 0xff);
    if (c[i].status != TORC_STATUS_SUCCESS || c[i].bytes != REQ_SIZE ||
        slot >= NREQ) {
      b->errors++;
      continue;
    }
    /* Touch the data as an application would: one word per request. */
    b->checksum += b->bufs[slot][0] + b->bufs[slot][REQ_SIZE - 1];
    b->delivered += c[i].bytes;
    b->completions++;
    post(b, slot); /* re-entrant post from inside the completion */
  }
}

static uint32_t h_receive_indicate(void *ctx, uint64_t h, uint64_t id,
                                   uint32_t status, const torc_fragment *f,
                                   uint32_t nf, uint32_t *consumed) {
  bench_host *b = ctx;
  (void)h;
  (void)id;
  (void)status;
  (void)f;
  (void)nf;
  (void)consumed;
  b->errors++; /* requests are always posted: no indication expected */
  return TORC_STATUS_OFFLOAD_DATA_NOT_ACCEPTED;
}

static void h_event(void *ctx, uint64_t h, uint32_t ev, uint32_t info) {
  bench_host *b = ctx;
  (void)h;
  (void)ev;
  (void)info;
  b->errors++;
}

static void h_terminate_complete(void *ctx, uint64_t h, uint32_t status,
                                 const torc_upload_state *st) {
  (void)ctx;
  (void)h;
  (void)status;
  (void)st;
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Streams total bytes through a fresh reference connection.  Returns the
 * seconds taken, or a negative value on error. */
static double run_reference(const uint8_t *src, uint64_t total) {
  static const torc_host_ops ops = {sizeof(torc_host_ops),
                                    h_alloc,
                                    h_free,
                                    h_log,
                                    h_offload_complete,
                                    h_receive_complete,
                                    h_receive_indicate,
                                    h_event,
                                    h_terminate_complete};
  bench_host b;
  memset(&b, 0, sizeof(b));
  char err[TORC_ERRBUF_SIZE];
  if (torc_reference_target_init(TORC_TARGET_ABI_VERSION, &ops, &b, &b.t,
                                 err) != 0) {
    fprintf(stderr, "bench: init: %s\n", err);
    return -1;
  }
  for (uint32_t i = 0; i < NREQ; i++)
    b.bufs[i] = malloc(REQ_SIZE);
  if (b.t.conn_open(b.t.user_data, 1, &b.conn) != 0)
    return -1;
  torc_offload_state st;
  memset(&st, 0, sizeof(st));
  st.struct_size = sizeof(st);
  st.rcv_nxt = 0xfff00000u; /* wraps early in the run */
  st.rcv_wnd = 256u * 1024u;
  st.ticks_per_second = 1000;
  st.mss = MSS;
  b.t.initiate_offload(b.t.user_data, b.conn, &st);
  for (uint32_t i = 0; i < NREQ; i++)
    post(&b, i);

  uint8_t frame[MSS];
  torc_segment seg;
  memset(&seg, 0, sizeof(seg));
  seg.frame = frame;
  seg.link_type = 101;
  seg.flags = TORC_TCP_ACK;
  seg.window = 65535;
  uint32_t seq = st.rcv_nxt;
  uint64_t off = 0, sent = 0, nseg = 0;
  double t0 = now_s();
  while (sent < total) {
    uint32_t n = (uint32_t)(total - sent < MSS ? total - sent : MSS);
    if (off + n > src_size)
      off = 0;
    seg.seq = seq;
    seg.payload = src + off;
    seg.payload_len = n;
    seg.frame_len = n;
    b.t.segment(b.t.user_data, b.conn, &seg);
    seq += n;
    sent += n;
    off += n;
    if ((++nseg & 63) == 0)
      b.t.advance_time(b.t.user_data, nseg * 10);
  }
  double dt = now_s() - t0;
  torc_target_stats stats;
  memset(&stats, 0, sizeof(stats));
  stats.struct_size = sizeof(stats);
  b.t.get_stats(b.t.user_data, b.conn, &stats);
  b.t.conn_close(b.t.user_data, b.conn);
  b.t.destroy(b.t.user_data);
  for (uint32_t i = 0; i < NREQ; i++)
    free(b.bufs[i]);
  uint64_t expect = total / REQ_SIZE * REQ_SIZE;
  if (b.errors != 0 || b.delivered != expect || stats.segments_in != nseg ||
      stats.dropped_out_of_window != 0) {
    fprintf(stderr,
            "bench: reference run wrong: errors %d, delivered %llu of %llu, "
            "segments %llu of %llu\n",
            b.errors, (unsigned long long)b.delivered,
            (unsigned long long)expect, (unsigned long long)stats.segments_in,
            (unsigned long long)nseg);
    return -1;
  }
  return dt;
}

/* The baseline: the same pieces copied with memcpy into request buffers. */
static double run_memcpy(const uint8_t *src, uint64_t total, uint64_t *sum) {
  uint8_t *bufs[NREQ];
  for (uint32_t i = 0; i < NREQ; i++)
    bufs[i] = malloc(REQ_SIZE);
  uint64_t off = 0, sent = 0;
  uint32_t slot = 0, fill = 0;
  double t0 = now_s();
  while (sent < total) {
    uint32_t n = (uint32_t)(total - sent < MSS ? total - sent : MSS);
    if (off + n > src_size)
      off = 0;
    const uint8_t *p = src + off;
    uint32_t left = n;
    while (left > 0) {
      uint32_t take = REQ_SIZE - fill < left ? REQ_SIZE - fill : left;
      memcpy(bufs[slot] + fill, p, take);
      fill += take;
      p += take;
      left -= take;
      if (fill == REQ_SIZE) {
        *sum += bufs[slot][0] + bufs[slot][REQ_SIZE - 1];
        slot = (slot + 1) % NREQ;
        fill = 0;
      }
    }
    sent += n;
    off += n;
  }
  double dt = now_s() - t0;
  for (uint32_t i = 0; i < NREQ; i++)
    free(bufs[i]);
  return dt;
}

/* The size of the last-level cache of CPU 0 as sysfs gives it (the largest
 * level of /sys/devices/system/cpu/cpu0/cache/index*), else sysconf's
 * (which some virtual machines report ten times too large), else 0. */
static uint64_t llc_size(void) {
  uint64_t best = 0;
  int best_level = 0;
  for (int i = 0; i < 16; i++) {
    char path[96];
    int level = 0;
    unsigned long long kib = 0;
    snprintf(path, sizeof path,
             "/sys/devices/system/cpu/cpu0/cache/index%d/level", i);
    FILE *f = fopen(path, "r");
    if (f == NULL)
      continue;
    int ok = fscanf(f, "%d", &level) == 1;
    fclose(f);
    snprintf(path, sizeof path,
             "/sys/devices/system/cpu/cpu0/cache/index%d/size", i);
    if (!ok || (f = fopen(path, "r")) == NULL)
      continue;
    ok = fscanf(f, "%lluK", &kib) == 1;
    fclose(f);
    if (ok && level >= best_level) {
      best_level = level;
      best = kib << 10;
    }
  }
  if (best == 0) {
    long n = sysconf(_SC_LEVEL3_CACHE_SIZE);
    best = n > 0 ? (uint64_t)n : 0;
  }
  return best;
}

/* The source's size: four times the last-level cache, at least 64 MiB. */
static uint64_t source_size(void) {
  uint64_t n = 4 * llc_size();
  return n < (64ull << 20) ? 64ull << 20 : n;
}

int main(int argc, char **argv) {
  uint64_t mib = argc > 1 ? strtoull(argv[1], NULL, 10) : 256;
  int pairs = argc > 2 ? atoi(argv[2]) : PAIRS;
  if (mib < 64)
    mib = 64;
  if (pairs < 1 || pairs > 100)
    pairs = PAIRS;
  src_size = source_size();
  uint8_t *src = malloc(src_size);
  if (src == NULL)
    return 1;
  uint32_t x = 12345;
  for (uint64_t i = 0; i < src_size; i++) {
    x = x * 1103515245u + 12345u;
    src[i] = (uint8_t)(x >> 16);
  }
  uint64_t sum = 0;
  uint64_t small = 64ull << 20, big = mib << 20;
  /* Warm up the allocator and the code. */
  if (run_reference(src, 8ull << 20) < 0)
    return 1;
  run_memcpy(src, 8ull << 20, &sum);
  /* Pairs, the side that goes first alternating: the reference against
   * memcpy over the same bytes (throughput ratio), and the reference at
   * 64 MiB against mib MiB (cost per byte ratio). */
  double speed[100], flat[100], ref_sum = 0, cpy_sum = 0;
  for (int i = 0; i < pairs; i++) {
    double a, b, c, d;
    if (i % 2 == 0) {
      a = run_reference(src, big);
      b = run_memcpy(src, big, &sum);
      c = run_reference(src, small);
      d = run_reference(src, big);
    } else {
      b = run_memcpy(src, big, &sum);
      a = run_reference(src, big);
      d = run_reference(src, big);
      c = run_reference(src, small);
    }
    if (a < 0 || c < 0 || d < 0)
      return 1;
    speed[i] = b / a; /* reference MB/s over memcpy MB/s */
    flat[i] = (d / (double)big) / (c / (double)small);
    ref_sum += a;
    cpy_sum += b;
  }
  double mb = (double)big / 1e6;
  printf("bench_stream: %llu MiB from a %llu MiB source (last-level cache "
         "%llu MiB), MSS %u, non-push requests of %u bytes\n",
         (unsigned long long)mib, (unsigned long long)(src_size >> 20),
         (unsigned long long)(llc_size() >> 20), MSS, REQ_SIZE);
  printf("  reference  %10.1f MB/s (mean of the pairs)\n",
         mb * pairs / ref_sum);
  printf("  memcpy     %10.1f MB/s (mean of the pairs)\n",
         mb * pairs / cpy_sum);
  bench_ratio_print("reference / memcpy", bench_ratio_of(speed, pairs),
                    "throughput, target >= 0.4");
  bench_ratio_print("per byte, big / 64 MiB", bench_ratio_of(flat, pairs),
                    "flat is 1.0");
  printf("  (checksum %llu)\n", (unsigned long long)(sum & 0xffff));
  free(src);
  return 0;
}
