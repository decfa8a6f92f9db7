/*
 * test_capture.c - Check tests of the capture reader's hostile-input cases
 * (harness/input/torc_capture.c, issue 16).
 *
 * A first frame that captured no byte (caplen 0, 60 bytes on the wire, like
 * tcpdump's olsr-oobr-2.pcap) is read, kept as TORC_FRAME_TRUNCATED and
 * copied into an arena that exists (before issue 16 the arena stayed NULL
 * and the copy was memcpy(NULL, ..., 0)); anything but a regular file is
 * refused by name before it is read (/dev/null would read as empty, a FIFO
 * would block, /dev/zero would never end).  Frames are written with the
 * flow tests' pcap writer (torc_test_pcap.h).  A capture of some frames
 * (torc_capture_open_frames, issue 15) reads back exactly the frames asked
 * for, at the file offsets the reassembler reports.
 */
#include <check.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>

#include "torc_capture.h"
#include "torc_test_pcap.h"

/* covers: issue 16 first frame of caplen 0 */
START_TEST(test_capture_first_frame_caplen_zero_bug) {
  tp_writer w;
  torc_capture *c = NULL;
  char err[512] = "";
  uint8_t frame[60];
  memset(frame, 0, sizeof frame);
  tp_open(&w, DLT_EN10MB);
  tp_frame(&w, frame, 0, 60); /* 1: caplen 0, wire 60 */
  tp_close(&w);
  ck_assert_int_eq(torc_capture_open(w.path, &c, err, sizeof err), 0);
  ck_assert_uint_eq(c->nframes, 1);
  ck_assert_uint_eq(c->frames[0].caplen, 0);
  ck_assert_uint_eq(c->frames[0].wirelen, 60);
  ck_assert_uint_eq(c->frames[0].kind, TORC_FRAME_TRUNCATED);
  ck_assert_ptr_nonnull(c->data);
  ck_assert_uint_eq(c->data_len, 0);
  torc_capture_unref(c);
  tp_remove(&w);
}
END_TEST

/* covers: issue 16 non-regular capture files */
START_TEST(test_capture_not_a_regular_file) {
  torc_capture *c = NULL;
  char err[512] = "";
  ck_assert_int_eq(torc_capture_open("/dev/null", &c, err, sizeof err), -1);
  ck_assert_ptr_null(c);
  ck_assert_str_eq(err, "/dev/null: not a regular file (a character "
                        "device): a capture must be a pcap or pcapng file");
  ck_assert_int_eq(torc_capture_open("/tmp", &c, err, sizeof err), -1);
  ck_assert_str_eq(err, "/tmp: not a regular file (a directory): a capture "
                        "must be a pcap or pcapng file");
}
END_TEST

/* covers: issue 15 a capture of some frames: frames 1 and 3 of 3, read
 * back by the file offsets the reassembler reported, are those of the whole
 * capture (numbers, bytes); frame 2 is not there, and numbers out of order
 * are refused naming the frame */
START_TEST(test_capture_open_frames) {
  tp_writer w;
  torc_flow_capture *fc = NULL;
  torc_capture *all = NULL, *c = NULL;
  const torc_flow_stream *s;
  const torc_frame *f;
  char err[512] = "";
  uint32_t nums[2] = {1, 3}, bad[2] = {3, 1};
  int64_t pos[2], badpos[2];
  tp_open(&w, DLT_RAW);
  tp_tcp(&w, 0, 1000, SYN, 0, 0, 0);  /* 1: [S] */
  tp_tcp(&w, 0, 1001, ACK, 0, 10, 0); /* 2: seqno 0..10 */
  tp_tcp(&w, 0, 1011, ACK, 10, 7, 0); /* 3: seqno 10..17 */
  ck_assert_int_eq(tp_collect(&w, 0, &fc, err, sizeof err), 0);
  s = &fc->dirs[0];
  ck_assert_uint_eq(s->nmap, 3);
  ck_assert_int_eq(s->map[0].pos, 24); /* after the 24-byte file header */
  ck_assert_int_eq(s->map[1].pos, 24 + 16 + 40);
  pos[0] = s->map[0].pos, pos[1] = s->map[2].pos;
  badpos[0] = pos[1], badpos[1] = pos[0];
  ck_assert_int_eq(torc_capture_open(w.path, &all, err, sizeof err), 0);
  ck_assert_int_eq(torc_capture_open_frames(w.path, all->sha256, nums, pos, 2,
                                            3, &c, err, sizeof err),
                   0);
  ck_assert_uint_eq(c->nframes, 2);
  ck_assert_uint_eq(c->file_frames, 3);
  ck_assert_str_eq(c->sha256, all->sha256);
  ck_assert_ptr_null(torc_capture_frame(c, 2));
  ck_assert_ptr_null(torc_capture_frame(c, 4));
  f = torc_capture_frame(c, 3);
  ck_assert_ptr_eq(f, &c->frames[1]);
  ck_assert_uint_eq(f->caplen, 47);
  ck_assert_uint_eq(f->payload_len, 7);
  ck_assert_uint_eq(f->seq, 1011);
  ck_assert_mem_eq(torc_capture_bytes(c, f),
                   torc_capture_bytes(all, torc_capture_frame(all, 3)), 47);
  ck_assert_uint_eq(torc_capture_frame(c, 1)->flags, SYN);
  torc_capture_unref(c);
  c = NULL;
  ck_assert_int_eq(torc_capture_open_frames(w.path, all->sha256, bad, badpos, 2,
                                            3, &c, err, sizeof err),
                   -1);
  ck_assert_ptr_null(c);
  ck_assert_ptr_nonnull(strstr(err, "frame 1: cannot be read"));
  torc_capture_unref(all);
  torc_flow_capture_free(fc);
  tp_remove(&w);
}
END_TEST

Suite *capture_suite(void); /* collected by harness/module.mk */

Suite *capture_suite(void) {
  Suite *su = suite_create("capture");
  TCase *tc = tcase_create("hostile");
  tcase_add_test(tc, test_capture_first_frame_caplen_zero_bug);
  tcase_add_test(tc, test_capture_not_a_regular_file);
  tcase_add_test(tc, test_capture_open_frames);
  suite_add_tcase(su, tc);
  return su;
}
