/*
 * test_flow.c - Check tests of the flow table's entry points (torc_flow.h):
 * frame counts and checksums, bad input files, the streaming callbacks.
 *
 * Each test writes frames to a temporary pcap (torc_test_pcap.h) and
 * reassembles it with torc_flow_collect or torc_flow_read_file.  The
 * literal frames of the counting tests were built by an independent script
 * (checksums included) and carry a tcpdump-style line each.  Behaviours
 * pinned: issue 4 "counted and reported per capture" and its bad-input
 * cases.  The reassembly itself is tested in test_flow_reasm.c, the
 * committed captures in test_flow_collect.c.
 */
#include <check.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "torc_flow.h"
#include "torc_test_pcap.h"

static tp_writer w;
static torc_flow_capture *cap;
static char err[512];

static void w_tcp(int rev, uint32_t seq, uint8_t flags, uint64_t s0,
                  uint32_t len, int alt) {
  tp_tcp(&w, rev, seq, flags, s0, len, alt);
}

static void w_frame(const uint8_t *p, uint32_t caplen, uint32_t wirelen) {
  tp_frame(&w, p, caplen, wirelen);
}

static void w_open(int dlt) {
  tp_open(&w, dlt);
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
  unlink(w.path);
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
  fp = fopen(w.path, "wb");
  ck_assert_ptr_nonnull(fp);
  fputs("this is not a capture file, just text\n", fp);
  fclose(fp);
  ck_assert_int_eq(collect(0), TORC_FLOW_ERR_FORMAT);
  ck_assert_ptr_null(cap);
  ck_assert_msg(starts_with(err, w.path), "%s", err);
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
  ck_assert_int_eq(truncate(w.path, 200), 0);
  ck_assert_int_eq(collect(0), TORC_FLOW_ERR_FORMAT);
  snprintf(want, sizeof want, "%s: frame 3: ", w.path);
  ck_assert_msg(starts_with(err, want), "%s", err);
  /* Cut inside frame 2's record header: 24 + 16 + 40 + 8. */
  ck_assert_int_eq(truncate(w.path, 88), 0);
  ck_assert_int_eq(collect(0), TORC_FLOW_ERR_FORMAT);
  snprintf(want, sizeof want, "%s: frame 2: ", w.path);
  ck_assert_msg(starts_with(err, want), "%s", err);
}
END_TEST

/* covers: issue 4 bad input: unknown link type (802.11 = DLT 105) */
START_TEST(test_flow_unknown_linktype) {
  w_close();
  unlink(w.path);
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
  ck_assert_int_eq(torc_flow_read_file(w.path, NULL, &cb, &st, err, sizeof err),
                   TORC_FLOW_ERR_STOPPED);
  ck_assert_int_eq(calls, 1);
  ck_assert_uint_eq(st.frames, 2);
}
END_TEST

/* covers: issue 16 memory bounded with many flows: want and max_dirs */
/* A raw IPv4 frame 10.0.0.1:sport > 10.0.0.2:dport, seq 1000, PSH|ACK, len
 * payload bytes 'a' (checksums left 0: collected without checking). */
static void w_port_frame(uint16_t sport, uint16_t dport, uint32_t len) {
  uint8_t p[80];
  uint32_t tot = 40 + len;
  memset(p, 0, sizeof p);
  p[0] = 0x45;
  p[2] = (uint8_t)(tot >> 8);
  p[3] = (uint8_t)tot;
  p[6] = 0x40; /* DF */
  p[8] = 64;
  p[9] = 6;
  p[12] = 10, p[15] = 1; /* 10.0.0.1 */
  p[16] = 10, p[19] = 2; /* 10.0.0.2 */
  if (sport == 80)       /* the reverse: 10.0.0.2 > 10.0.0.1 */
    p[15] = 2, p[19] = 1;
  p[20] = (uint8_t)(sport >> 8), p[21] = (uint8_t)sport;
  p[22] = (uint8_t)(dport >> 8), p[23] = (uint8_t)dport;
  p[26] = 0x03, p[27] = 0xE8; /* seq 1000 */
  p[32] = 5 << 4;
  p[33] = PSH | ACK;
  p[34] = 0xFF, p[35] = 0xFF;
  memset(p + 40, 'a', len);
  w_frame(p, tot, tot);
}

static int want_1002(const void *u, const torc_flow_key *k) {
  return k->sport == 1002 || k->dport == 1002;
}

START_TEST(test_flow_want_and_max_dirs) {
  torc_flow_options o;
  char want[160];
  w_port_frame(1001, 80, 10); /* 1: 10.0.0.1.1001 > 10.0.0.2.80: P 10 */
  w_port_frame(1002, 80, 10); /* 2: 10.0.0.1.1002 > 10.0.0.2.80: P 10 */
  w_port_frame(80, 1002, 0);  /* 3: 10.0.0.2.80 > 10.0.0.1.1002: . ack */
  w_port_frame(1003, 80, 10); /* 4: 10.0.0.1.1003 > 10.0.0.2.80: P 10 */
  w_close();
  memset(&o, 0, sizeof o);
  o.no_checksums = 1;
  /* want: only flow 1002's two directions are reassembled. */
  o.want = want_1002;
  ck_assert_int_eq(torc_flow_collect(w.path, &o, 0, &cap, err, sizeof err), 0);
  ck_assert_uint_eq(cap->ndirs, 2);
  ck_assert_uint_eq(cap->stats.tcp_frames, 4);
  ck_assert_uint_eq(cap->stats.directions, 2);
  ck_assert_uint_eq(cap->dirs[0].info.key.sport, 1002);
  ck_assert_uint_eq(cap->dirs[0].len, 10);
  ck_assert_uint_eq(cap->dirs[0].info.reverse_id, 1);
  ck_assert_uint_eq(cap->dirs[1].info.key.sport, 80);
  torc_flow_capture_free(cap);
  cap = NULL;
  /* max_dirs 3: frame 4 opens a fourth direction. */
  o.want = NULL;
  o.max_dirs = 3;
  ck_assert_int_eq(torc_flow_collect(w.path, &o, 0, &cap, err, sizeof err),
                   TORC_FLOW_ERR_DIRS);
  ck_assert_ptr_null(cap);
  snprintf(want, sizeof want,
           "%s: frame 4: more TCP directions at once than the reassembler "
           "may hold",
           w.path);
  ck_assert_str_eq(err, want);
  /* max_dirs 4 holds them all. */
  o.max_dirs = 4;
  ck_assert_int_eq(torc_flow_collect(w.path, &o, 0, &cap, err, sizeof err), 0);
  ck_assert_uint_eq(cap->ndirs, 4);
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
  CASE("counts", tcase_add_test(tc, test_flow_counts);
       tcase_add_test(tc, test_flow_counts_no_checksums);
       tcase_add_test(tc, test_flow_vlan));
  CASE("bad_input", tcase_add_test(tc, test_flow_missing_file);
       tcase_add_test(tc, test_flow_garbage_file);
       tcase_add_test(tc, test_flow_truncated_file);
       tcase_add_test(tc, test_flow_unknown_linktype);
       tcase_add_test(tc, test_flow_callback_stops);
       tcase_add_test(tc, test_flow_want_and_max_dirs));
#undef CASE
  return su;
}
