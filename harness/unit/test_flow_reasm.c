/*
 * test_flow_reasm.c - Check tests of TCP reassembly per direction
 * (torc_flow_reasm.c, through torc_flow.h).
 *
 * Each test writes hand-built frames to a temporary pcap (torc_test_pcap.h),
 * reassembles it with torc_flow_collect and compares the result with values
 * worked out by hand in the comments.  Payload byte values: the first copy
 * of stream byte s is A(s); a conflicting copy carries B(s) = ~A(s), so a
 * test can see which copy was kept (the first arrived wins).  "seqno: a..b"
 * is the stream range [a, b).  Behaviours pinned: issue 4 "TCP flows
 * reassembled per direction".
 */
#include <check.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <string.h>

#include "torc_flow.h"
#include "torc_test_pcap.h"

static uint8_t A(uint64_t s) {
  return tp_byte_a(s);
}
static uint8_t B(uint64_t s) {
  return tp_byte_b(s);
}

static tp_writer w;
static torc_flow_capture *cap;
static char err[512];

static void w_tcp(int rev, uint32_t seq, uint8_t flags, uint64_t s0,
                  uint32_t len, int alt) {
  tp_tcp(&w, rev, seq, flags, s0, len, alt);
}

static void w_close(void) {
  tp_close(&w);
}

static int collect(int checksums) {
  return tp_collect(&w, checksums, &cap, err, sizeof err);
}

static void setup(void) {
  cap = NULL;
  err[0] = '\0';
  tp_open(&w, DLT_RAW);
}

static void teardown(void) {
  tp_remove(&w);
  torc_flow_capture_free(cap);
  cap = NULL;
}

/* The direction 10.0.0.1.1000 > 10.0.0.2.5001 of the collected capture. */
static const torc_flow_stream *fwd(void) {
  torc_flow_key k;
  const torc_flow_stream *s;
  memset(&k, 0, sizeof k);
  k.ip_version = 4;
  k.src[0] = 10, k.src[3] = 1;
  k.dst[0] = 10, k.dst[3] = 2;
  k.sport = 1000;
  k.dport = 5001;
  ck_assert_ptr_nonnull(cap);
  s = torc_flow_capture_find(cap, &k);
  ck_assert_ptr_nonnull(s);
  return s;
}

/* The stream is A(0 .. n). */
static void expect_stream_a(const torc_flow_stream *s, size_t n) {
  size_t i;
  ck_assert_uint_eq(s->len, n);
  for (i = 0; i < n; i++)
    if (s->data[i] != A(i))
      ck_abort_msg("stream byte %zu: expected 0x%02x vs actual 0x%02x", i, A(i),
                   s->data[i]);
}

static void expect_map(const torc_flow_map_entry *e, uint32_t frame,
                       int64_t off, uint32_t len, uint64_t new_off,
                       uint32_t new_len, uint32_t new_bytes, uint8_t flags) {
  ck_assert_uint_eq(e->frame, frame);
  ck_assert_int_eq(e->off, off);
  ck_assert_uint_eq(e->len, len);
  ck_assert_uint_eq(e->new_bytes, new_bytes);
  if (new_bytes > 0) {
    ck_assert_uint_eq(e->new_off, new_off);
    ck_assert_uint_eq(e->new_len, new_len);
  }
  ck_assert_uint_eq(e->flags, flags);
}

/* ---- in_order ---- */

/* covers: issue 4 reassembly, in-order stream, SYN/FIN frames, frame map */
START_TEST(test_flow_in_order) {
  const torc_flow_stream *s;
  w_tcp(0, 1000, SYN, 0, 0, 0);         /* 1: [S] seq 1000 (ISN) */
  w_tcp(0, 1001, ACK, 0, 10, 0);        /* 2: seqno 0..10 */
  w_tcp(0, 1011, ACK | PSH, 10, 10, 0); /* 3: seqno 10..20 */
  w_tcp(0, 1021, ACK | FIN, 20, 10, 0); /* 4: seqno 20..30, FIN at 30 */
  ck_assert_int_eq(collect(0), 0);
  s = fwd();
  ck_assert_int_eq(s->info.syn_seen, 1);
  ck_assert_int_eq(s->info.midstream, 0);
  ck_assert_uint_eq(s->info.isn, 1000);
  ck_assert_uint_eq(s->info.base_seq, 1001);
  ck_assert_uint_eq(s->info.syn_frame, 1);
  ck_assert_uint_eq(s->info.fin_frame, 4);
  ck_assert_uint_eq(s->info.fin_offset, 30);
  ck_assert_uint_eq(s->info.rst_frame, 0);
  expect_stream_a(s, 30);
  ck_assert_uint_eq(s->info.retrans_segments, 0);
  ck_assert_uint_eq(s->info.ooo_segments, 0);
  ck_assert_uint_eq(s->info.max_held_bytes, 0);
  ck_assert_uint_eq(s->nmap, 4);
  expect_map(&s->map[0], 1, 0, 0, 0, 0, 0, 0);
  expect_map(&s->map[1], 2, 0, 10, 0, 10, 10, 0);
  expect_map(&s->map[2], 3, 10, 10, 10, 10, 10, 0);
  expect_map(&s->map[3], 4, 20, 10, 20, 10, 10, 0);
  ck_assert_uint_eq(cap->stats.frames, 4);
  ck_assert_uint_eq(cap->stats.tcp_frames, 4);
  ck_assert_uint_eq(cap->stats.directions, 1);
  ck_assert_uint_eq(cap->stats.stream_bytes, 30);
}
END_TEST

/* ---- out_of_order ---- */

/* covers: RCV-062 (out-of-order segments queued until the gap fills) */
START_TEST(test_flow_reorder) {
  const torc_flow_stream *s;
  w_tcp(0, 1000, SYN, 0, 0, 0);   /* 1: [S] */
  w_tcp(0, 1001, ACK, 0, 10, 0);  /* 2: seqno 0..10, in order */
  w_tcp(0, 1021, ACK, 20, 10, 0); /* 3: seqno 20..30, held (gap 10..20) */
  w_tcp(0, 1011, ACK, 10, 10, 0); /* 4: seqno 10..20 fills: 10..30 out */
  ck_assert_int_eq(collect(0), 0);
  s = fwd();
  expect_stream_a(s, 30);
  ck_assert_uint_eq(s->info.ooo_segments, 1);
  ck_assert_uint_eq(s->info.max_held_bytes, 10);
  ck_assert_uint_eq(s->info.max_held_segments, 1);
  ck_assert_uint_eq(s->info.held_bytes, 0);
  ck_assert_uint_eq(s->info.gaps, 0);
  expect_map(&s->map[2], 3, 20, 10, 20, 10, 10, TORC_FLOW_F_OOO);
  expect_map(&s->map[3], 4, 10, 10, 10, 10, 10, 0);
}
END_TEST

/* covers: RCV-062 (several held segments, released in stream order) */
START_TEST(test_flow_reorder_many) {
  const torc_flow_stream *s;
  w_tcp(0, 1000, SYN, 0, 0, 0);   /* 1: [S] */
  w_tcp(0, 1031, ACK, 30, 10, 0); /* 2: seqno 30..40, held */
  w_tcp(0, 1011, ACK, 10, 10, 0); /* 3: seqno 10..20, held */
  w_tcp(0, 1021, ACK, 20, 10, 0); /* 4: seqno 20..30, held (3 pieces) */
  w_tcp(0, 1001, ACK, 0, 10, 0);  /* 5: seqno 0..10: all 40 bytes out */
  ck_assert_int_eq(collect(0), 0);
  s = fwd();
  expect_stream_a(s, 40);
  ck_assert_uint_eq(s->info.ooo_segments, 3);
  ck_assert_uint_eq(s->info.max_held_bytes, 30);
  ck_assert_uint_eq(s->info.max_held_segments, 3);
}
END_TEST

/* ---- retransmission ---- */

/* covers: issue 4 retransmissions (delivered and held bytes seen again) */
START_TEST(test_flow_retransmission) {
  const torc_flow_stream *s;
  w_tcp(0, 1000, SYN, 0, 0, 0);   /* 1: [S] */
  w_tcp(0, 1001, ACK, 0, 10, 0);  /* 2: seqno 0..10 */
  w_tcp(0, 1001, ACK, 0, 10, 0);  /* 3: seqno 0..10 again (delivered) */
  w_tcp(0, 1021, ACK, 20, 10, 0); /* 4: seqno 20..30, held */
  w_tcp(0, 1021, ACK, 20, 10, 0); /* 5: seqno 20..30 again (held) */
  w_tcp(0, 1011, ACK, 10, 10, 0); /* 6: seqno 10..20 */
  ck_assert_int_eq(collect(0), 0);
  s = fwd();
  expect_stream_a(s, 30);
  ck_assert_uint_eq(s->info.retrans_segments, 2);
  ck_assert_uint_eq(s->info.retrans_bytes, 20);
  ck_assert_uint_eq(s->info.conflicts, 0);
  ck_assert_uint_eq(s->info.payload_bytes, 50); /* frames 2..6 */
  expect_map(&s->map[2], 3, 0, 10, 0, 0, 0, TORC_FLOW_F_RETRANS);
  expect_map(&s->map[4], 5, 20, 10, 0, 0, 0, TORC_FLOW_F_RETRANS);
}
END_TEST

/* ---- overlap: against a held piece seqno 10..20 (frame 2) ---- */

static void held_10_20(void) {
  w_tcp(0, 1000, SYN, 0, 0, 0);   /* 1: [S] */
  w_tcp(0, 1011, ACK, 10, 10, 0); /* 2: seqno 10..20, held */
}

/* covers: issue 4 overlaps (left: new 5..10, old 10..15) */
START_TEST(test_flow_overlap_left) {
  const torc_flow_stream *s;
  held_10_20();
  w_tcp(0, 1006, ACK, 5, 10, 0); /* 3: seqno 5..15 */
  w_tcp(0, 1001, ACK, 0, 5, 0);  /* 4: seqno 0..5 */
  ck_assert_int_eq(collect(0), 0);
  s = fwd();
  expect_stream_a(s, 20);
  expect_map(&s->map[2], 3, 5, 10, 5, 5, 5,
             TORC_FLOW_F_OVERLAP | TORC_FLOW_F_OOO);
  ck_assert_uint_eq(s->info.overlap_segments, 1);
  ck_assert_uint_eq(s->info.retrans_bytes, 5);
}
END_TEST

/* covers: issue 4 overlaps (right: old 15..20, new 20..25) */
START_TEST(test_flow_overlap_right) {
  const torc_flow_stream *s;
  held_10_20();
  w_tcp(0, 1016, ACK, 15, 10, 0); /* 3: seqno 15..25 */
  w_tcp(0, 1001, ACK, 0, 10, 0);  /* 4: seqno 0..10 */
  ck_assert_int_eq(collect(0), 0);
  s = fwd();
  expect_stream_a(s, 25);
  expect_map(&s->map[2], 3, 15, 10, 20, 5, 5,
             TORC_FLOW_F_OVERLAP | TORC_FLOW_F_OOO);
  ck_assert_uint_eq(s->info.retrans_bytes, 5);
}
END_TEST

/* covers: issue 4 overlaps (inside: 12..18 all old, a retransmission) */
START_TEST(test_flow_overlap_inside) {
  const torc_flow_stream *s;
  held_10_20();
  w_tcp(0, 1013, ACK, 12, 6, 0); /* 3: seqno 12..18 */
  w_tcp(0, 1001, ACK, 0, 10, 0); /* 4: seqno 0..10 */
  ck_assert_int_eq(collect(0), 0);
  s = fwd();
  expect_stream_a(s, 20);
  expect_map(&s->map[2], 3, 12, 6, 0, 0, 0, TORC_FLOW_F_RETRANS);
  ck_assert_uint_eq(s->info.retrans_segments, 1);
  ck_assert_uint_eq(s->info.retrans_bytes, 6);
}
END_TEST

/* covers: issue 4 overlaps (covering: 5..25 adds 5..10 and 20..25) */
START_TEST(test_flow_overlap_covering) {
  const torc_flow_stream *s;
  held_10_20();
  w_tcp(0, 1006, ACK, 5, 20, 0); /* 3: seqno 5..25 */
  w_tcp(0, 1001, ACK, 0, 5, 0);  /* 4: seqno 0..5 */
  ck_assert_int_eq(collect(0), 0);
  s = fwd();
  expect_stream_a(s, 25);
  expect_map(&s->map[2], 3, 5, 20, 5, 20, 10,
             TORC_FLOW_F_OVERLAP | TORC_FLOW_F_OOO | TORC_FLOW_F_SPLIT);
  ck_assert_uint_eq(s->info.retrans_bytes, 10);
  ck_assert_uint_eq(s->info.max_held_bytes, 20);
}
END_TEST

/* covers: issue 4 overlaps with delivered bytes (5..10 old, 10..15 new) */
START_TEST(test_flow_overlap_delivered) {
  const torc_flow_stream *s;
  w_tcp(0, 1000, SYN, 0, 0, 0);  /* 1: [S] */
  w_tcp(0, 1001, ACK, 0, 10, 0); /* 2: seqno 0..10 */
  w_tcp(0, 1006, ACK, 5, 10, 0); /* 3: seqno 5..15 */
  ck_assert_int_eq(collect(0), 0);
  s = fwd();
  expect_stream_a(s, 15);
  expect_map(&s->map[2], 3, 5, 10, 10, 5, 5, TORC_FLOW_F_OVERLAP);
}
END_TEST

/* ---- conflict ---- */

/* covers: issue 4 conflicting overlaps reported with both frame numbers;
 * the first arrived copy (frame 2) is kept */
START_TEST(test_flow_conflict_held) {
  const torc_flow_stream *s;
  held_10_20();
  w_tcp(0, 1011, ACK, 10, 10, 1); /* 3: seqno 10..20 with B bytes */
  w_tcp(0, 1001, ACK, 0, 10, 0);  /* 4: seqno 0..10 */
  ck_assert_int_eq(collect(0), 0);
  s = fwd();
  expect_stream_a(s, 20);
  ck_assert_uint_eq(s->nconflicts, 1);
  ck_assert_uint_eq(s->conflicts[0].frame, 3);
  ck_assert_uint_eq(s->conflicts[0].first_frame, 2);
  ck_assert_uint_eq(s->conflicts[0].off, 10);
  ck_assert_uint_eq(s->conflicts[0].len, 10);
  ck_assert_uint_eq(s->conflicts[0].differing, 10);
  ck_assert_uint_eq(s->info.conflict_bytes, 10);
  ck_assert_uint_eq(cap->stats.conflicts, 1);
  expect_map(&s->map[2], 3, 10, 10, 0, 0, 0,
             TORC_FLOW_F_RETRANS | TORC_FLOW_F_CONFLICT);
}
END_TEST

/* covers: issue 4 conflicting overlap with bytes already delivered: 8..10
 * conflicts (kept from frame 2), 10..12 is new and its first copy is B */
START_TEST(test_flow_conflict_delivered) {
  const torc_flow_stream *s;
  w_tcp(0, 1000, SYN, 0, 0, 0);  /* 1: [S] */
  w_tcp(0, 1001, ACK, 0, 10, 0); /* 2: seqno 0..10 */
  w_tcp(0, 1005, ACK, 4, 2, 1);  /* 3: seqno 4..6, B bytes */
  w_tcp(0, 1009, ACK, 8, 4, 1);  /* 4: seqno 8..12, B bytes */
  ck_assert_int_eq(collect(0), 0);
  s = fwd();
  ck_assert_uint_eq(s->len, 12);
  ck_assert_int_eq(memcmp(s->data,
                          (uint8_t[]){A(0), A(1), A(2), A(3), A(4), A(5), A(6),
                                      A(7), A(8), A(9), B(10), B(11)},
                          12),
                   0);
  ck_assert_uint_eq(s->nconflicts, 2);
  ck_assert_uint_eq(s->conflicts[0].frame, 3);
  ck_assert_uint_eq(s->conflicts[0].first_frame, 2);
  ck_assert_uint_eq(s->conflicts[0].off, 4);
  ck_assert_uint_eq(s->conflicts[0].len, 2);
  ck_assert_uint_eq(s->conflicts[1].frame, 4);
  ck_assert_uint_eq(s->conflicts[1].first_frame, 2);
  ck_assert_uint_eq(s->conflicts[1].off, 8);
  ck_assert_uint_eq(s->conflicts[1].len, 2);
  ck_assert_uint_eq(s->conflicts[1].differing, 2);
  expect_map(&s->map[3], 4, 8, 4, 10, 2, 2,
             TORC_FLOW_F_OVERLAP | TORC_FLOW_F_CONFLICT);
}
END_TEST

/* ---- wraparound ---- */

/* covers: issue 4 sequence wraparound; ISN 0xFFFFFFF0, seqno 15 is
 * sequence number 0; the held piece lies after the wrap */
START_TEST(test_flow_wraparound) {
  const torc_flow_stream *s;
  w_tcp(0, 0xFFFFFFF0u, SYN, 0, 0, 0);        /* 1: [S] seq 4294967280 */
  w_tcp(0, 0xFFFFFFF1u, ACK, 0, 10, 0);       /* 2: seqno 0..10 */
  w_tcp(0, 0x00000005u, ACK, 20, 10, 0);      /* 3: seqno 20..30, held */
  w_tcp(0, 0xFFFFFFFBu, ACK, 10, 10, 0);      /* 4: seqno 10..20, spans 2^32 */
  w_tcp(0, 0x0000000Fu, ACK | FIN, 30, 0, 0); /* 5: [F.] at seqno 30 */
  ck_assert_int_eq(collect(0), 0);
  s = fwd();
  expect_stream_a(s, 30);
  ck_assert_uint_eq(s->info.isn, 0xFFFFFFF0u);
  ck_assert_uint_eq(s->info.ooo_segments, 1);
  ck_assert_uint_eq(s->info.fin_frame, 5);
  ck_assert_uint_eq(s->info.fin_offset, 30);
  expect_map(&s->map[2], 3, 20, 10, 20, 10, 10, TORC_FLOW_F_OOO);
}
END_TEST

/* ---- mid-stream start ---- */

/* covers: issue 4 mid-stream start: no SYN, offset 0 is the first data
 * segment's byte (seq 5000); earlier bytes are counted, not delivered */
START_TEST(test_flow_midstream) {
  const torc_flow_stream *s;
  w_tcp(0, 5000, ACK, 0, 10, 0); /* 1: seq 5000:5010 = seqno 0..10 */
  w_tcp(0, 4990, ACK, (uint64_t)-10, 10,
        0); /* 2: seq 4990:5000, before the start */
  w_tcp(0, 4995, ACK, (uint64_t)-5, 10,
        0);                       /* 3: seq 4995:5005: 5 before, 5 old */
  w_tcp(0, 5010, ACK, 10, 10, 0); /* 4: seqno 10..20 */
  ck_assert_int_eq(collect(0), 0);
  s = fwd();
  ck_assert_int_eq(s->info.syn_seen, 0);
  ck_assert_int_eq(s->info.midstream, 1);
  ck_assert_uint_eq(s->info.base_seq, 5000);
  ck_assert_uint_eq(s->info.before_start_bytes, 15);
  expect_stream_a(s, 20);
  expect_map(&s->map[1], 2, -10, 10, 0, 0, 0, TORC_FLOW_F_IGNORED);
  expect_map(&s->map[2], 3, -5, 10, 0, 0, 0,
             TORC_FLOW_F_IGNORED | TORC_FLOW_F_RETRANS);
}
END_TEST

/* ---- FIN / RST ---- */

/* covers: issue 4 FIN and RST recorded with frame numbers, both directions
 * paired */
START_TEST(test_flow_fin_rst) {
  const torc_flow_stream *s, *r;
  w_tcp(0, 1000, SYN, 0, 0, 0);        /* 1: [S] seq 1000 */
  w_tcp(1, 7000, SYN | ACK, 0, 0, 0);  /* 2: 5001 > 1000 [S.] seq 7000 */
  w_tcp(0, 1001, ACK, 0, 10, 0);       /* 3: seqno 0..10 */
  w_tcp(0, 1011, ACK | FIN, 10, 0, 0); /* 4: [F.] at seqno 10 */
  w_tcp(1, 7001, RST, 0, 0, 0);        /* 5: 5001 > 1000 [R] */
  ck_assert_int_eq(collect(0), 0);
  s = fwd();
  ck_assert_uint_eq(cap->ndirs, 2);
  r = &cap->dirs[s->info.reverse_id];
  ck_assert_uint_eq(r->info.reverse_id, s->info.id);
  ck_assert_uint_eq(s->info.fin_frame, 4);
  ck_assert_uint_eq(s->info.fin_offset, 10);
  ck_assert_uint_eq(s->info.rst_frame, 0);
  ck_assert_uint_eq(r->info.rst_frame, 5);
  ck_assert_uint_eq(r->info.syn_frame, 2);
  ck_assert_uint_eq(r->info.isn, 7000);
  ck_assert_uint_eq(r->len, 0);
  expect_stream_a(s, 10);
}
END_TEST

/* covers: issue 4 (a new SYN after FIN starts a new direction record) */
START_TEST(test_flow_port_reuse) {
  w_tcp(0, 1000, SYN, 0, 0, 0);        /* 1: [S] seq 1000 */
  w_tcp(0, 1001, ACK, 0, 10, 0);       /* 2: seqno 0..10 */
  w_tcp(0, 1011, ACK | FIN, 10, 0, 0); /* 3: [F.] */
  w_tcp(0, 9000, SYN, 0, 0, 0);        /* 4: [S] seq 9000: new connection */
  w_tcp(0, 9001, ACK, 0, 5, 0);        /* 5: seqno 0..5 of the new one */
  ck_assert_int_eq(collect(0), 0);
  ck_assert_uint_eq(cap->ndirs, 2);
  ck_assert_int_eq(cap->dirs[0].info.ended, 1);
  ck_assert_uint_eq(cap->dirs[0].info.isn, 1000);
  ck_assert_uint_eq(cap->dirs[1].info.isn, 9000);
  ck_assert_uint_eq(cap->dirs[1].info.syn_frame, 4);
  expect_stream_a(&cap->dirs[0], 10);
  expect_stream_a(&cap->dirs[1], 5);
}
END_TEST

/* ---- gaps ---- */

/* covers: issue 4 (a hole never filled: reported at the end, zero-filled
 * in the collected stream) */
START_TEST(test_flow_gap_at_end) {
  const torc_flow_stream *s;
  size_t i;
  w_tcp(0, 1000, SYN, 0, 0, 0);   /* 1: [S] */
  w_tcp(0, 1001, ACK, 0, 10, 0);  /* 2: seqno 0..10 */
  w_tcp(0, 1021, ACK, 20, 10, 0); /* 3: seqno 20..30; 10..20 never comes */
  ck_assert_int_eq(collect(0), 0);
  s = fwd();
  ck_assert_uint_eq(s->len, 30);
  for (i = 0; i < 30; i++)
    ck_assert_uint_eq(s->data[i], i >= 10 && i < 20 ? 0 : A(i));
  ck_assert_uint_eq(s->info.gaps, 1);
  ck_assert_uint_eq(s->info.gap_bytes, 10);
  ck_assert_uint_eq(cap->stats.gaps, 1);
}
END_TEST

/* covers: issue 4 memory bounded by the reordering window: with at most 15
 * held bytes, holding 20 skips the first hole */
START_TEST(test_flow_max_held) {
  torc_flow_options o;
  const torc_flow_stream *s;
  size_t i;
  w_tcp(0, 1000, SYN, 0, 0, 0);   /* 1: [S] */
  w_tcp(0, 1001, ACK, 0, 10, 0);  /* 2: seqno 0..10 */
  w_tcp(0, 1021, ACK, 20, 10, 0); /* 3: seqno 20..30, held: 10 */
  w_tcp(0, 1041, ACK, 40, 10, 0); /* 4: seqno 40..50, held: 20 > 15, so
                                     10..20 is skipped and 20..30 out */
  w_tcp(0, 1031, ACK, 30, 10, 0); /* 5: seqno 30..40 fills: 30..50 out */
  w_tcp(0, 1011, ACK, 10, 10, 0); /* 6: seqno 10..20, too late: old */
  w_close();
  memset(&o, 0, sizeof o);
  o.no_checksums = 1;
  o.max_held_bytes = 15;
  ck_assert_int_eq(torc_flow_collect(w.path, &o, 0, &cap, err, sizeof err), 0);
  s = fwd();
  ck_assert_uint_eq(s->len, 50);
  for (i = 0; i < 50; i++)
    ck_assert_uint_eq(s->data[i], i >= 10 && i < 20 ? 0 : A(i));
  ck_assert_uint_eq(s->info.gaps, 1);
  ck_assert_uint_eq(s->info.max_held_bytes, 20);
  ck_assert_uint_eq(s->info.unverified_bytes, 10);
  expect_map(&s->map[5], 6, 10, 10, 0, 0, 0, TORC_FLOW_F_RETRANS);
}
END_TEST

/* ---- SYN options, acknowledgments and windows ---- */

/* A raw IPv4 TCP frame of direction rev (0: 10.0.0.1.1000 > 10.0.0.2.5001)
 * with TCP options opt (n bytes, a multiple of 4), ack and window. */
static void w_tcp_opts(int rev, uint32_t seq, uint32_t ack, uint8_t flags,
                       uint16_t win, const uint8_t *opt, uint32_t n) {
  uint8_t p[40 + 40];
  uint32_t tot = 40 + n;
  ck_assert_uint_le(n, 40);
  ck_assert_uint_eq(n % 4, 0);
  memset(p, 0, sizeof p);
  p[0] = 0x45;
  p[2] = (uint8_t)(tot >> 8), p[3] = (uint8_t)tot;
  p[8] = 64, p[9] = 6;
  p[12] = 10, p[15] = (uint8_t)(rev ? 2 : 1);
  p[16] = 10, p[19] = (uint8_t)(rev ? 1 : 2);
  p[20] = rev ? 0x13 : 0x03, p[21] = rev ? 0x89 : 0xE8; /* 5001 / 1000 */
  p[22] = rev ? 0x03 : 0x13, p[23] = rev ? 0xE8 : 0x89;
  p[24] = (uint8_t)(seq >> 24), p[25] = (uint8_t)(seq >> 16);
  p[26] = (uint8_t)(seq >> 8), p[27] = (uint8_t)seq;
  p[28] = (uint8_t)(ack >> 24), p[29] = (uint8_t)(ack >> 16);
  p[30] = (uint8_t)(ack >> 8), p[31] = (uint8_t)ack;
  p[32] = (uint8_t)((5 + n / 4) << 4);
  p[33] = flags;
  p[34] = (uint8_t)(win >> 8), p[35] = (uint8_t)win;
  if (n)
    memcpy(p + 40, opt, n);
  tp_frame(&w, p, tot, tot);
}

/* covers: issue 14 (state carried from the capture): the SYN's MSS option
 * (kind 2, length 4) and window scale (kind 3, length 3) are recorded per
 * direction, NOPs skipped; a malformed option (length past the header)
 * ends the walk keeping what came before it; every frame-map entry keeps
 * the frame's acknowledgment number and unscaled window */
START_TEST(test_flow_syn_options) {
  /* MSS 1400 (0x0578), NOP, window scale 7. */
  static const uint8_t fwd_opt[] = {2, 4, 0x05, 0x78, 1, 3, 3, 7};
  /* Window scale 14, then an MSS option claiming 9 bytes where 5 remain. */
  static const uint8_t rev_opt[] = {3, 3, 14, 2, 9, 0, 0, 0};
  const torc_flow_stream *s, *r;
  w_tcp_opts(0, 1000, 0, SYN, 64240, fwd_opt, sizeof fwd_opt); /* 1 */
  w_tcp_opts(1, 7000, 1001, SYN | ACK, 65160, rev_opt, sizeof rev_opt);
  w_tcp_opts(0, 1001, 7001, ACK, 502, NULL, 0); /* 3 */
  ck_assert_int_eq(collect(0), 0);
  s = fwd();
  r = &cap->dirs[s->info.reverse_id];
  ck_assert_uint_eq(s->info.syn_mss, 1400);
  ck_assert_int_eq(s->info.syn_wscale, 7);
  ck_assert_uint_eq(r->info.syn_mss, 0);
  ck_assert_int_eq(r->info.syn_wscale, 14);
  ck_assert_uint_eq(s->nmap, 2);
  ck_assert_uint_eq(s->map[1].ack, 7001);
  ck_assert_uint_eq(s->map[1].window, 502);
  ck_assert_uint_eq(r->map[0].ack, 1001);
  ck_assert_uint_eq(r->map[0].window, 65160);
}
END_TEST

/* covers: issue 14: a direction whose SYN carried no options records none
 * (MSS 0, no window scale) */
START_TEST(test_flow_syn_no_options) {
  w_tcp(0, 1000, SYN, 0, 0, 0);
  ck_assert_int_eq(collect(0), 0);
  ck_assert_uint_eq(fwd()->info.syn_mss, 0);
  ck_assert_int_eq(fwd()->info.syn_wscale, -1);
}
END_TEST

/* ---- Held bytes bounded by the receive window (issue 15) ---- */

/* The capture of test_flow_window_*: a handshake whose SYN-ACK advertises
 * a window of 30 bytes, then stream bytes 0..10 and 20..100 in 10-byte
 * segments; 10..20 is never sent (a hole never filled). */
static void window_capture(void) {
  uint32_t k;
  w_tcp(0, 1000, SYN, 0, 0, 0);                      /* 1: [S] */
  w_tcp_opts(1, 7000, 1001, SYN | ACK, 30, NULL, 0); /* 2: [S.] win 30 */
  w_tcp(0, 1001, ACK, 0, 10, 0);                     /* 3: seqno 0..10 */
  for (k = 0; k < 8; k++) /* 4..11: seqno 20..30, ..., 90..100 */
    w_tcp(0, 1021 + 10 * k, ACK, 20 + 10 * k, 10, 0);
  w_close();
}

/* covers: issue 15 memory bounded by the receive window, not by a 64 MiB
 * cap: with a window of 30 and a slack of 5, the fourth held segment
 * (frame 7, held 40 > 35) skips the hole 10..20, reported with that frame,
 * and the rest arrives in order; a conforming sender cannot hold more */
START_TEST(test_flow_window_bounds_held) {
  torc_flow_options o;
  const torc_flow_stream *s;
  size_t i;
  window_capture();
  memset(&o, 0, sizeof o);
  o.no_checksums = 1;
  o.window_slack = 5;
  ck_assert_int_eq(torc_flow_collect(w.path, &o, 0, &cap, err, sizeof err), 0);
  s = fwd();
  ck_assert_uint_eq(cap->dirs[s->info.reverse_id].info.max_window, 30);
  ck_assert_uint_eq(s->len, 100);
  for (i = 0; i < 100; i++)
    ck_assert_uint_eq(s->data[i], i >= 10 && i < 20 ? 0 : A(i));
  ck_assert_uint_eq(s->info.gaps, 1);
  ck_assert_uint_eq(s->info.gap_bytes, 10);
  ck_assert_uint_eq(s->info.gap_frame, 7);
  ck_assert_uint_eq(s->info.window_cuts, 1);
  ck_assert_uint_eq(s->info.max_held_bytes, 40);
  ck_assert_uint_eq(s->info.held_bytes, 0);
}
END_TEST

/* covers: issue 15: with no_window_bound the same capture holds all 80
 * bytes beyond the hole until the end of the capture (gap_frame 0) */
START_TEST(test_flow_window_unbounded) {
  torc_flow_options o;
  const torc_flow_stream *s;
  window_capture();
  memset(&o, 0, sizeof o);
  o.no_checksums = 1;
  o.window_slack = 5;
  o.no_window_bound = 1;
  ck_assert_int_eq(torc_flow_collect(w.path, &o, 0, &cap, err, sizeof err), 0);
  s = fwd();
  ck_assert_uint_eq(s->info.gaps, 1);
  ck_assert_uint_eq(s->info.gap_frame, 0);
  ck_assert_uint_eq(s->info.window_cuts, 0);
  ck_assert_uint_eq(s->info.max_held_bytes, 80);
}
END_TEST

/* covers: issue 15 the advertised window: a SYN's window is not scaled,
 * later ones are shifted by the sender's option when both SYNs carried
 * one (3: 4 << 3 = 32 > 30), and not at all when the peer's SYN had none */
START_TEST(test_flow_window_scaled) {
  static const uint8_t ws3[] = {1, 3, 3, 3}; /* NOP, window scale 3 */
  const torc_flow_stream *s;
  w_tcp_opts(0, 1000, 0, SYN, 64240, ws3, sizeof ws3);       /* 1 */
  w_tcp_opts(1, 7000, 1001, SYN | ACK, 30, ws3, sizeof ws3); /* 2 */
  w_tcp_opts(1, 7001, 1001, ACK, 4, NULL, 0);                /* 3: 4 << 3 */
  ck_assert_int_eq(collect(0), 0);
  s = fwd();
  ck_assert_uint_eq(cap->dirs[s->info.reverse_id].info.max_window, 32);
  ck_assert_uint_eq(s->info.max_window, 64240);
  torc_flow_capture_free(cap);
  cap = NULL;
  tp_remove(&w);
  tp_open(&w, DLT_RAW);
  w_tcp_opts(0, 1000, 0, SYN, 64240, NULL, 0);               /* 1: none */
  w_tcp_opts(1, 7000, 1001, SYN | ACK, 30, ws3, sizeof ws3); /* 2 */
  w_tcp_opts(1, 7001, 1001, ACK, 4, NULL, 0);                /* 3: 4 */
  ck_assert_int_eq(collect(0), 0);
  ck_assert_uint_eq(cap->dirs[fwd()->info.reverse_id].info.max_window, 30);
}
END_TEST

Suite *flow_reasm_suite(void); /* collected by harness/module.mk */

Suite *flow_reasm_suite(void) {
  Suite *su = suite_create("flow_reasm");
  TCase *tc;
#define CASE(name, ...)                                                        \
  do {                                                                         \
    tc = tcase_create(name);                                                   \
    tcase_add_checked_fixture(tc, setup, teardown);                            \
    __VA_ARGS__;                                                               \
    suite_add_tcase(su, tc);                                                   \
  } while (0)
  CASE("in_order", tcase_add_test(tc, test_flow_in_order));
  CASE("out_of_order", tcase_add_test(tc, test_flow_reorder);
       tcase_add_test(tc, test_flow_reorder_many));
  CASE("retransmission", tcase_add_test(tc, test_flow_retransmission));
  CASE("overlap", tcase_add_test(tc, test_flow_overlap_left);
       tcase_add_test(tc, test_flow_overlap_right);
       tcase_add_test(tc, test_flow_overlap_inside);
       tcase_add_test(tc, test_flow_overlap_covering);
       tcase_add_test(tc, test_flow_overlap_delivered));
  CASE("conflict", tcase_add_test(tc, test_flow_conflict_held);
       tcase_add_test(tc, test_flow_conflict_delivered));
  CASE("wraparound", tcase_add_test(tc, test_flow_wraparound));
  CASE("midstream", tcase_add_test(tc, test_flow_midstream));
  CASE("syn_options", tcase_add_test(tc, test_flow_syn_options);
       tcase_add_test(tc, test_flow_syn_no_options));
  CASE("window", tcase_add_test(tc, test_flow_window_bounds_held);
       tcase_add_test(tc, test_flow_window_unbounded);
       tcase_add_test(tc, test_flow_window_scaled));
  CASE("fin_rst", tcase_add_test(tc, test_flow_fin_rst);
       tcase_add_test(tc, test_flow_port_reuse));
  CASE("gaps", tcase_add_test(tc, test_flow_gap_at_end);
       tcase_add_test(tc, test_flow_max_held));
#undef CASE
  return su;
}
