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
 * flow tests' pcap writer (torc_test_pcap.h).
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

Suite *capture_suite(void); /* collected by harness/module.mk */

Suite *capture_suite(void) {
  Suite *su = suite_create("capture");
  TCase *tc = tcase_create("hostile");
  tcase_add_test(tc, test_capture_first_frame_caplen_zero_bug);
  tcase_add_test(tc, test_capture_not_a_regular_file);
  suite_add_tcase(su, tc);
  return su;
}
