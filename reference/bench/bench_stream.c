/*
 * bench_stream.c - throughput of the reference target's receive path.
 *
 * Streams bytes through the reference via its torc_target table, with a
 * minimal in-bench host: non-push requests of REQ_SIZE bytes, two posted at
 * a time, each completion reposting its request from inside the completion
 * (RCV-107); segments of MSS bytes in order, with a pure ACK now and then
 * and the virtual clock advanced every few segments.  In the same run it
 * copies the same bytes with plain memcpy (segment-sized pieces into
 * request-sized buffers) as a baseline, and prints both throughputs, their
 * ratio (the reference should reach >= 0.4 of memcpy) and the cost per byte
 * at 64 MiB against 256 MiB (flatness: ~1.0 means no growth with volume).
 * Exit status 1 when a check on the delivered bytes fails.  The wall clock
 * is read here only, never by the reference.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "torc/target.h"
#include "torc_reference.h"

#define MSS 1448u
#define REQ_SIZE (64u * 1024u)
#define NREQ 2u
#define SRC_SIZE (1u << 20) /* source pattern, re-read cyclically */
#define REPEAT 5

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
    if (off + n > SRC_SIZE)
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
    if (off + n > SRC_SIZE)
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

int main(int argc, char **argv) {
  uint64_t mib = argc > 1 ? strtoull(argv[1], NULL, 10) : 256;
  if (mib < 64)
    mib = 64;
  uint8_t *src = malloc(SRC_SIZE);
  if (src == NULL)
    return 1;
  uint32_t x = 12345;
  for (uint32_t i = 0; i < SRC_SIZE; i++) {
    x = x * 1103515245u + 12345u;
    src[i] = (uint8_t)(x >> 16);
  }
  uint64_t sum = 0;
  uint64_t small = 64ull << 20, big = mib << 20;
  /* Warm up caches and the allocator. */
  if (run_reference(src, 8ull << 20) < 0)
    return 1;
  run_memcpy(src, 8ull << 20, &sum);
  /* Best of REPEAT runs each, interleaved, to damp scheduling noise. */
  double ref_small = 1e30, ref_big = 1e30, cpy_big = 1e30;
  for (int i = 0; i < REPEAT; i++) {
    double a = run_reference(src, small);
    double b = run_reference(src, big);
    double c = run_memcpy(src, big, &sum);
    if (a < 0 || b < 0)
      return 1;
    ref_small = a < ref_small ? a : ref_small;
    ref_big = b < ref_big ? b : ref_big;
    cpy_big = c < cpy_big ? c : cpy_big;
  }
  double mb = (double)big / 1e6;
  double ref_mbs = mb / ref_big, cpy_mbs = mb / cpy_big;
  double ns_small = ref_small * 1e9 / (double)small;
  double ns_big = ref_big * 1e9 / (double)big;
  printf("bench_stream: %llu MiB, MSS %u, non-push requests of %u bytes\n",
         (unsigned long long)mib, MSS, REQ_SIZE);
  printf("  reference  %10.1f MB/s\n", ref_mbs);
  printf("  memcpy     %10.1f MB/s\n", cpy_mbs);
  printf("  ratio      %10.3f   (reference / memcpy, target >= 0.4)\n",
         ref_mbs / cpy_mbs);
  printf("  cost/byte  %.3f ns at 64 MiB, %.3f ns at %llu MiB, "
         "flatness %.3f (checksum %llu)\n",
         ns_small, ns_big, (unsigned long long)mib, ns_big / ns_small,
         (unsigned long long)(sum & 0xffff));
  free(src);
  return 0;
}
