/*
 * test_flow.c - Check tests of TCP reassembly per direction (torc_flow.h).
 *
 * Each test writes hand-built frames to a temporary pcap (pcap_open_dead +
 * pcap_dump), reassembles it with torc_flow_collect and compares the result
 * with values worked out by hand in the comments.  Payload byte values: the
 * first copy of stream byte s is A(s); a conflicting copy carries B(s) =
 * ~A(s), so a test can see which copy was kept (the first arrived wins).
 * "seqno: a..b" is the stream range [a, b).  The literal frames of the
 * counting tests were built by an independent script (checksums included)
 * and carry a tcpdump-style line each.  The last case reassembles every
 * committed capture in vectors/captures/ and compares the receiver-direction
 * stream (to port 5001) with the stream regenerated from tcp_peer.py's
 * definition: block i = SHA-256(le64(seed) || le64(i)), seed and length
 * taken from MANIFEST.tsv.  Behaviours pinned: issue 4 "TCP flows
 * reassembled per direction" and "counted and reported per capture".
 */
#include <check.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "torc_flow.h"
#include "torc_sha256.h"

#define FIN 0x01
#define SYN 0x02
#define RST 0x04
#define PSH 0x08
#define ACK 0x10

static uint8_t A(uint64_t s) {
  return (uint8_t)(s * 31 + 7);
}
static uint8_t B(uint64_t s) {
  return (uint8_t)~A(s);
}

/* ---- A temporary pcap writer. ---- */

static char tmp_path[64];
static pcap_t *dead;
static pcap_dumper_t *dumper;
static uint32_t nframes;

static void w_open(int dlt) {
  int fd;
  strcpy(tmp_path, "/tmp/torc_flow_XXXXXX");
  fd = mkstemp(tmp_path);
  ck_assert_int_ge(fd, 0);
  close(fd);
  dead = pcap_open_dead(dlt, 65535);
  ck_assert_ptr_nonnull(dead);
  dumper = pcap_dump_open(dead, tmp_path);
  ck_assert_ptr_nonnull(dumper);
  nframes = 0;
}

static void w_frame(const uint8_t *p, uint32_t caplen, uint32_t wirelen) {
  struct pcap_pkthdr h;
  memset(&h, 0, sizeof h);
  h.ts.tv_sec = 1000 + nframes;
  h.caplen = caplen;
  h.len = wirelen;
  pcap_dump((u_char *)dumper, &h, p);
  nframes++;
}

static void w_close(void) {
  pcap_dump_close(dumper);
  pcap_close(dead);
  dumper = NULL;
  dead = NULL;
}

/* 10.0.0.1.1000 > 10.0.0.2.5001 (or the reverse when rev): IPv4 + TCP,
 * checksums left zero (tests built this way turn verification off).  The
 * payload is A(s0 .. s0 + len) or B(...) when alt. */
static void w_tcp(int rev, uint32_t seq, uint8_t flags, uint64_t s0,
                  uint32_t len, int alt) {
  uint8_t p[40 + 2048];
  uint32_t tot = 40 + len, i;
  ck_assert_uint_le(len, 2048);
  memset(p, 0, 40);
  p[0] = 0x45;
  p[2] = (uint8_t)(tot >> 8);
  p[3] = (uint8_t)tot;
  p[6] = 0x40; /* DF */
  p[8] = 64;
  p[9] = 6;
  p[12] = 10, p[15] = (uint8_t)(rev ? 2 : 1);
  p[16] = 10, p[19] = (uint8_t)(rev ? 1 : 2);
  p[20] = rev ? 0x13 : 0x03, p[21] = rev ? 0x89 : 0xE8; /* 5001 / 1000 */
  p[22] = rev ? 0x03 : 0x13, p[23] = rev ? 0xE8 : 0x89;
  p[24] = (uint8_t)(seq >> 24), p[25] = (uint8_t)(seq >> 16);
  p[26] = (uint8_t)(seq >> 8), p[27] = (uint8_t)seq;
  p[32] = 0x50;
  p[33] = flags;
  p[34] = 0xFF, p[35] = 0xFF;
  for (i = 0; i < len; i++)
    p[40 + i] = alt ? B(s0 + i) : A(s0 + i);
  w_frame(p, tot, tot);
}

static torc_flow_capture *cap;
static char err[512];

static int collect(int checksums) {
  torc_flow_options o;
  memset(&o, 0, sizeof o);
  o.no_checksums = !checksums;
  if (dumper != NULL)
    w_close();
  return torc_flow_collect(tmp_path, &o, 0, &cap, err, sizeof err);
}

static void setup(void) {
  cap = NULL;
  err[0] = '\0';
  w_open(DLT_RAW);
}

static void teardown(void) {
  if (dumper != NULL)
    w_close();
  torc_flow_capture_free(cap);
  cap = NULL;
  unlink(tmp_path);
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

/* ---- literal frames (DLT_RAW) ---- */

/* 10.0.0.1.40000 > 10.0.0.2.5001: Flags [S], seq 1000, win 65535, length 0 */
static const uint8_t pkt1[] = {0x45, 0x00, 0x00, 0x28, 0x00, 0x01, 0x40, 0x00,
                               0x40, 0x06, 0x26, 0xcd, 0x0a, 0x00, 0x00, 0x01,
                               0x0a, 0x00, 0x00, 0x02, 0x9c, 0x40, 0x13, 0x89,
                               0x00, 0x00, 0x03, 0xe8, 0x00, 0x00, 0x00, 0x00,
                               0x50, 0x02, 0xff, 0xff, 0xe8, 0x2e, 0x00, 0x00};
/* 10.0.0.1.40000 > 10.0.0.2.5001: Flags [P.], seq 1001:1006, ack 1, win 65535,
 * length 5: "hello" */
static const uint8_t pkt2[] = {
    0x45, 0x00, 0x00, 0x2d, 0x00, 0x02, 0x40, 0x00, 0x40, 0x06, 0x26, 0xc7,
    0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02, 0x9c, 0x40, 0x13, 0x89,
    0x00, 0x00, 0x03, 0xe9, 0x00, 0x00, 0x00, 0x01, 0x50, 0x18, 0xff, 0xff,
    0xa4, 0x3f, 0x00, 0x00, 0x68, 0x65, 0x6c, 0x6c, 0x6f};
/* fd00::1.40000 > fd00::2.5001: Flags [P.], seq 7:10, ack 1, win 65535, length
 * 3: "abc" (no SYN: mid-stream) */
static const uint8_t pkt3[] = {
    0x60, 0x00, 0x00, 0x00, 0x00, 0x17, 0x06, 0x40, 0xfd, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x01, 0xfd, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x9c, 0x40, 0x13, 0x89,
    0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x01, 0x50, 0x18, 0xff,
    0xff, 0x41, 0x91, 0x00, 0x00, 0x61, 0x62, 0x63};
/* 10.0.0.1 > 10.0.0.2: ICMP echo request, id 1, seq 1, length 12 */
static const uint8_t pkt4[] = {0x45, 0x00, 0x00, 0x20, 0x00, 0x03, 0x40, 0x00,
                               0x40, 0x01, 0x26, 0xd8, 0x0a, 0x00, 0x00, 0x01,
                               0x0a, 0x00, 0x00, 0x02, 0x08, 0x00, 0x19, 0x2d,
                               0x00, 0x01, 0x00, 0x01, 0x70, 0x69, 0x6e, 0x67};
/* 10.0.0.1 > 10.0.0.2: tcp (frag 4:16@0+), first fragment, MF set */
static const uint8_t pkt5[] = {
    0x45, 0x00, 0x00, 0x24, 0x00, 0x04, 0x20, 0x00, 0x40, 0x06, 0x46, 0xce,
    0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02, 0x9c, 0x40, 0x13, 0x89,
    0x00, 0x00, 0x03, 0xee, 0x00, 0x00, 0x00, 0x01, 0x50, 0x18, 0xff, 0xff};
/* 10.0.0.1.40000 > 10.0.0.2.5001: Flags [P.], seq 1006:1011, ack 1, length 5:
 * "world" [bad tcp cksum] */
static const uint8_t pkt6[] = {
    0x45, 0x00, 0x00, 0x2d, 0x00, 0x05, 0x40, 0x00, 0x40, 0x06, 0x26, 0xc4,
    0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02, 0x9c, 0x40, 0x13, 0x89,
    0x00, 0x00, 0x03, 0xee, 0x00, 0x00, 0x00, 0x01, 0x50, 0x18, 0xff, 0xff,
    0xcf, 0x65, 0x00, 0x00, 0x77, 0x6f, 0x72, 0x6c, 0x64};
/* 10.0.0.1.40000 > 10.0.0.2.5001: Flags [P.], seq 1011:1016 "xxxxx", snaplen
 * 30: captured bytes end inside the TCP header */
static const uint8_t pkt7[] = {
    0x45, 0x00, 0x00, 0x2d, 0x00, 0x06, 0x40, 0x00, 0x40, 0x06, 0x26, 0xc3,
    0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02, 0x9c, 0x40, 0x13, 0x89,
    0x00, 0x00, 0x03, 0xf3, 0x00, 0x00, 0x00, 0x01, 0x50, 0x18, 0xff, 0xff,
    0x7f, 0x16, 0x00, 0x00, 0x78, 0x78, 0x78, 0x78, 0x78};
/* IP header length 16 (< 20): malformed */
static const uint8_t pkt8[] = {0x44, 0x00, 0x00, 0x28, 0x00, 0x07, 0x40, 0x00,
                               0x40, 0x06, 0x26, 0xc7, 0x0a, 0x00, 0x00, 0x01,
                               0x0a, 0x00, 0x00, 0x02, 0x9c, 0x40, 0x13, 0x89,
                               0x00, 0x00, 0x03, 0xf8, 0x00, 0x00, 0x00, 0x01,
                               0x50, 0x10, 0xff, 0xff, 0xe8, 0x0f, 0x00, 0x00};
/* 0x10...: not an IPv4/IPv6 packet (version nibble 1) */
static const uint8_t pkt9[] = {0x10, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00,
                               0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                               0x00, 0x00, 0x00, 0x00, 0x00, 0x00};

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
  ck_assert_int_eq(torc_flow_collect(tmp_path, &o, 0, &cap, err, sizeof err),
                   0);
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

/* ---- counts: literal frames, checksums verified ---- */

/* covers: issue 4 "IP fragments, bad checksums, truncated frames and
 * non-TCP traffic are counted and reported per capture" */
START_TEST(test_flow_counts) {
  const torc_flow_stream *s;
  torc_flow_key k6;
  const torc_flow_stream *s6;
  w_frame(pkt1, sizeof pkt1, sizeof pkt1);
  w_frame(pkt2, sizeof pkt2, sizeof pkt2);
  w_frame(pkt3, sizeof pkt3, sizeof pkt3);
  w_frame(pkt4, sizeof pkt4, sizeof pkt4);
  w_frame(pkt5, sizeof pkt5, sizeof pkt5);
  w_frame(pkt6, sizeof pkt6, sizeof pkt6);
  w_frame(pkt7, 30, sizeof pkt7); /* snaplen 30 */
  w_frame(pkt8, sizeof pkt8, sizeof pkt8);
  w_frame(pkt9, sizeof pkt9, sizeof pkt9);
  ck_assert_int_eq(collect(1), 0);
  /* frames 1, 2, 3, 6 are TCP; 4 ICMP; 5 a fragment; 7 truncated; 8
   * malformed; 9 not IP.  Frame 6's TCP checksum is wrong (used anyway). */
  ck_assert_uint_eq(cap->stats.frames, 9);
  ck_assert_uint_eq(cap->stats.tcp_frames, 4);
  ck_assert_uint_eq(cap->stats.not_tcp, 1);
  ck_assert_uint_eq(cap->stats.fragments, 1);
  ck_assert_uint_eq(cap->stats.truncated, 1);
  ck_assert_uint_eq(cap->stats.malformed, 1);
  ck_assert_uint_eq(cap->stats.not_ip, 1);
  ck_assert_uint_eq(cap->stats.bad_ip_checksum, 0);
  ck_assert_uint_eq(cap->stats.bad_tcp_checksum, 1);
  ck_assert_uint_eq(cap->stats.directions, 2);
  ck_assert_uint_eq(cap->ndirs, 2);
  s = &cap->dirs[0]; /* 10.0.0.1.40000 > 10.0.0.2.5001 */
  ck_assert_uint_eq(s->info.key.sport, 40000);
  ck_assert_uint_eq(s->info.isn, 1000);
  ck_assert_uint_eq(s->len, 10);
  ck_assert_int_eq(memcmp(s->data, "helloworld", 10), 0);
  memset(&k6, 0, sizeof k6);
  k6.ip_version = 6;
  k6.src[0] = 0xfd, k6.src[15] = 1;
  k6.dst[0] = 0xfd, k6.dst[15] = 2;
  k6.sport = 40000;
  k6.dport = 5001;
  s6 = torc_flow_capture_find(cap, &k6);
  ck_assert_ptr_nonnull(s6);
  ck_assert_int_eq(s6->info.midstream, 1);
  ck_assert_uint_eq(s6->info.base_seq, 7);
  ck_assert_uint_eq(s6->len, 3);
  ck_assert_int_eq(memcmp(s6->data, "abc", 3), 0);
}
END_TEST

/* covers: issue 4 checksum verification off: nothing counted as bad */
START_TEST(test_flow_counts_no_checksums) {
  w_frame(pkt6, sizeof pkt6, sizeof pkt6);
  ck_assert_int_eq(collect(0), 0);
  ck_assert_uint_eq(cap->stats.tcp_frames, 1);
  ck_assert_uint_eq(cap->stats.bad_tcp_checksum, 0);
}
END_TEST

/* covers: issue 4 Ethernet with an 802.1Q tag, checksums good */
START_TEST(test_flow_vlan) {
  uint8_t f[18 + sizeof pkt2];
  w_close();
  unlink(tmp_path);
  w_open(DLT_EN10MB);
  memset(f, 0, 12);
  /* 00:00:00:00:00:00 > 00:00:00:00:00:00, 802.1Q vlan 100, IPv4 */
  f[12] = 0x81, f[13] = 0x00, f[14] = 0x00, f[15] = 100;
  f[16] = 0x08, f[17] = 0x00;
  memcpy(f + 18, pkt2, sizeof pkt2);
  w_frame(pkt1, 0, 0); /* an empty frame: truncated */
  w_frame(f, sizeof f, sizeof f);
  ck_assert_int_eq(collect(1), 0);
  ck_assert_uint_eq(cap->stats.truncated, 1);
  ck_assert_uint_eq(cap->stats.tcp_frames, 1);
  ck_assert_uint_eq(cap->stats.bad_ip_checksum, 0);
  ck_assert_uint_eq(cap->stats.bad_tcp_checksum, 0);
  ck_assert_uint_eq(cap->ndirs, 1);
  ck_assert_int_eq(cap->dirs[0].info.midstream, 1);
  ck_assert_int_eq(memcmp(cap->dirs[0].data, "hello", 5), 0);
}
END_TEST

/* ---- bad input ---- */

static int starts_with(const char *s, const char *p) {
  return strncmp(s, p, strlen(p)) == 0;
}

/* covers: issue 4 bad input: unreadable file */
START_TEST(test_flow_missing_file) {
  const char *p = "/nonexistent/torc/capture.pcap";
  ck_assert_int_eq(torc_flow_collect(p, NULL, 0, &cap, err, sizeof err),
                   TORC_FLOW_ERR_OPEN);
  ck_assert_ptr_null(cap);
  ck_assert_msg(starts_with(err, "/nonexistent/torc/capture.pcap: "), "%s",
                err);
}
END_TEST

/* covers: issue 4 bad input: not a capture file */
START_TEST(test_flow_garbage_file) {
  FILE *fp;
  w_close();
  fp = fopen(tmp_path, "wb");
  ck_assert_ptr_nonnull(fp);
  fputs("this is not a capture file, just text\n", fp);
  fclose(fp);
  ck_assert_int_eq(collect(0), TORC_FLOW_ERR_FORMAT);
  ck_assert_ptr_null(cap);
  ck_assert_msg(starts_with(err, tmp_path), "%s", err);
}
END_TEST

/* covers: issue 4 bad input: a capture cut inside frame 3 -> "frame 3" */
START_TEST(test_flow_truncated_file) {
  char want[128];
  w_tcp(0, 1000, SYN, 0, 0, 0);   /* 1: 40 bytes */
  w_tcp(0, 1001, ACK, 0, 10, 0);  /* 2: 50 bytes */
  w_tcp(0, 1011, ACK, 10, 10, 0); /* 3: 50 bytes, cut */
  w_close();
  /* 24 (file header) + 16 + 40 + 16 + 50 + 16 + 50 = 212; keep 200. */
  ck_assert_int_eq(truncate(tmp_path, 200), 0);
  ck_assert_int_eq(collect(0), TORC_FLOW_ERR_FORMAT);
  snprintf(want, sizeof want, "%s: frame 3: ", tmp_path);
  ck_assert_msg(starts_with(err, want), "%s", err);
  /* Cut inside frame 2's record header: 24 + 16 + 40 + 8. */
  ck_assert_int_eq(truncate(tmp_path, 88), 0);
  ck_assert_int_eq(collect(0), TORC_FLOW_ERR_FORMAT);
  snprintf(want, sizeof want, "%s: frame 2: ", tmp_path);
  ck_assert_msg(starts_with(err, want), "%s", err);
}
END_TEST

/* covers: issue 4 bad input: unknown link type (802.11 = DLT 105) */
START_TEST(test_flow_unknown_linktype) {
  w_close();
  unlink(tmp_path);
  w_open(DLT_IEEE802_11);
  w_frame(pkt1, sizeof pkt1, sizeof pkt1);
  ck_assert_int_eq(collect(0), TORC_FLOW_ERR_LINKTYPE);
  ck_assert_msg(strstr(err, ": unsupported link type 105") != NULL, "%s", err);
}
END_TEST

/* covers: issue 4 the streaming API: callbacks and stop on request */
static int stop_after_first(void *u, const torc_flow_dir *d, uint64_t off,
                            const uint8_t *p, size_t len) {
  (*(int *)u)++;
  return 1;
}

START_TEST(test_flow_callback_stops) {
  torc_flow_callbacks cb;
  torc_flow_stats st;
  int calls = 0;
  w_tcp(0, 1000, SYN, 0, 0, 0);   /* 1 */
  w_tcp(0, 1001, ACK, 0, 10, 0);  /* 2: delivered: the callback stops */
  w_tcp(0, 1011, ACK, 10, 10, 0); /* 3: never read */
  w_close();
  memset(&cb, 0, sizeof cb);
  cb.user = &calls;
  cb.on_data = stop_after_first;
  ck_assert_int_eq(
      torc_flow_read_file(tmp_path, NULL, &cb, &st, err, sizeof err),
      TORC_FLOW_ERR_STOPPED);
  ck_assert_int_eq(calls, 1);
  ck_assert_uint_eq(st.frames, 2);
}
END_TEST

/* ---- the committed captures ---- */

typedef struct manifest_row {
  char file[256];
  uint64_t seed, bytes, frames;
} manifest_row;

static const char *srcdir(void) {
  const char *d = getenv("TORC_SRCDIR");
  return d != NULL ? d : ".";
}

/* Reads MANIFEST.tsv: columns named in its header line. */
static size_t read_manifest(manifest_row *rows, size_t max) {
  char path[512], line[4096];
  int cfile = -1, cseed = -1, cbytes = -1, cframes = -1;
  size_t n = 0;
  FILE *fp;
  snprintf(path, sizeof path, "%s/vectors/captures/MANIFEST.tsv", srcdir());
  fp = fopen(path, "r");
  ck_assert_msg(fp != NULL, "cannot open %s", path);
  while (fgets(line, sizeof line, fp) != NULL) {
    char *save = NULL, *tok;
    int col = 0;
    manifest_row r;
    memset(&r, 0, sizeof r);
    line[strcspn(line, "\r\n")] = '\0';
    for (tok = strtok_r(line, "\t", &save); tok != NULL;
         tok = strtok_r(NULL, "\t", &save), col++) {
      if (cfile < 0 || cseed < 0 || cbytes < 0 || cframes < 0) {
        if (strcmp(tok, "file") == 0)
          cfile = col;
        else if (strcmp(tok, "seed") == 0)
          cseed = col;
        else if (strcmp(tok, "bytes") == 0)
          cbytes = col;
        else if (strcmp(tok, "frames") == 0)
          cframes = col;
        continue;
      }
      if (col == cfile)
        snprintf(r.file, sizeof r.file, "%s", tok);
      else if (col == cseed)
        r.seed = strtoull(tok, NULL, 10);
      else if (col == cbytes)
        r.bytes = strtoull(tok, NULL, 10);
      else if (col == cframes)
        r.frames = strtoull(tok, NULL, 10);
    }
    if (r.file[0] != '\0' && n < max)
      rows[n++] = r;
  }
  fclose(fp);
  return n;
}

/* tcp_peer.stream_bytes: block i = SHA-256(le64(seed) || le64(i)). */
static uint8_t *expected_stream(uint64_t seed, size_t n) {
  uint8_t *out = malloc(n + 32), in[16];
  size_t i, k;
  ck_assert_ptr_nonnull(out);
  for (i = 0; i * 32 < n; i++) {
    torc_sha256 h;
    for (k = 0; k < 8; k++) {
      in[k] = (uint8_t)(seed >> (8 * k));
      in[8 + k] = (uint8_t)((uint64_t)i >> (8 * k));
    }
    torc_sha256_init(&h);
    torc_sha256_update(&h, in, 16);
    torc_sha256_final(&h, out + i * 32);
  }
  return out;
}

#define NCAPTURES 19
static manifest_row rows[NCAPTURES + 4];

/* covers: issue 4 (the stream generator: FIPS 180-2 "abc", and the set of
 * committed captures is the one this suite iterates) */
START_TEST(test_flow_captures_manifest) {
  char hex[65];
  torc_sha256_hex("abc", 3, hex);
  ck_assert_str_eq(
      hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  ck_assert_uint_eq(read_manifest(rows, NCAPTURES + 4), NCAPTURES);
}
END_TEST

/* covers: issue 4 every committed capture (all link types) reassembles to
 * the stream tcp_peer.py sent, byte for byte, in the receiver direction */
START_TEST(test_flow_capture) {
  char path[512];
  const manifest_row *r;
  const torc_flow_stream *s = NULL;
  uint8_t *want;
  uint64_t newb = 0;
  size_t i, nrecv = 0;
  ck_assert_uint_eq(read_manifest(rows, NCAPTURES + 4), NCAPTURES);
  r = &rows[_i];
  snprintf(path, sizeof path, "%s/vectors/captures/%s", srcdir(), r->file);
  ck_assert_msg(torc_flow_collect(path, NULL, 0, &cap, err, sizeof err) == 0,
                "%s", err);
  ck_assert_uint_eq(cap->stats.frames, r->frames);
  /* tshark agrees (tcp.check_checksum): no IPv4 header is bad; on loopback
   * no TCP checksum is filled in (the kernel skips it), elsewhere all are
   * good. */
  ck_assert_uint_eq(cap->stats.bad_ip_checksum, 0);
  ck_assert_uint_eq(cap->stats.bad_tcp_checksum,
                    strstr(r->file, "-lo-") ? cap->stats.tcp_frames : 0);
  for (i = 0; i < cap->ndirs; i++)
    if (cap->dirs[i].info.key.dport == 5001) {
      s = &cap->dirs[i];
      nrecv++;
    }
  ck_assert_msg(nrecv == 1, "%s: %zu directions to port 5001", r->file, nrecv);
  ck_assert_int_eq(s->info.syn_seen, 1);
  ck_assert_uint_ne(s->info.fin_frame, 0);
  ck_assert_uint_eq(s->info.fin_offset, r->bytes);
  ck_assert_uint_eq(s->info.gaps, 0);
  ck_assert_uint_eq(s->info.conflicts, 0);
  ck_assert_uint_ne(s->info.reverse_id, UINT32_MAX);
  ck_assert_msg(s->len == r->bytes, "%s: %zu bytes, expected %llu", r->file,
                s->len, (unsigned long long)r->bytes);
  want = expected_stream(r->seed, (size_t)r->bytes);
  for (i = 0; i < s->len; i++)
    if (s->data[i] != want[i]) {
      free(want);
      ck_abort_msg("%s: stream byte %zu differs", r->file, i);
    }
  free(want);
  for (i = 0; i < s->nmap; i++)
    newb += s->map[i].new_bytes;
  ck_assert_uint_eq(newb, r->bytes); /* the frame map covers the stream */
}
END_TEST

Suite *flow_suite(void); /* collected by harness/module.mk */

Suite *flow_suite(void) {
  Suite *su = suite_create("flow");
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
  CASE("fin_rst", tcase_add_test(tc, test_flow_fin_rst);
       tcase_add_test(tc, test_flow_port_reuse));
  CASE("gaps", tcase_add_test(tc, test_flow_gap_at_end);
       tcase_add_test(tc, test_flow_max_held));
  CASE("counts", tcase_add_test(tc, test_flow_counts);
       tcase_add_test(tc, test_flow_counts_no_checksums);
       tcase_add_test(tc, test_flow_vlan));
  CASE("bad_input", tcase_add_test(tc, test_flow_missing_file);
       tcase_add_test(tc, test_flow_garbage_file);
       tcase_add_test(tc, test_flow_truncated_file);
       tcase_add_test(tc, test_flow_unknown_linktype);
       tcase_add_test(tc, test_flow_callback_stops));
  CASE("captures", tcase_add_test(tc, test_flow_captures_manifest);
       tcase_add_loop_test(tc, test_flow_capture, 0, NCAPTURES);
       tcase_set_timeout(tc, 60));
#undef CASE
  return su;
}
