/*
 * test_terminate.c - Check tests of terminate offload (upload) on the
 * receive path: every posted request completed before the terminate
 * completes (RCV-230, DEC-06), held data handed back in BufferedData with a
 * consistent RcvNxt (DEC-07, RCV-006, RCV-208, RCV-209), out-of-order data
 * discarded (RCV-220, RCV-221), the handed-back bytes left intact until
 * receive_return (RCV-212), the push timer stopped (RCV-196) and segments
 * after the terminate ignored (RCV-215).
 *
 * Most tests use the recording test host (torc_test_host.h), whose
 * th_check_invariants() also checks DEC-07's shared invariant: delivered
 * bytes followed by handed-back bytes are the stream up to RcvNxt.  The
 * RCV-212 test needs to act between the terminate completion and the
 * return of the handed-back data, which th_terminate() does not allow, so it
 * drives the reference's torc/target.h table through the small direct host
 * (torc_direct_host.h) at the end of this file.  Expectations are worked out by
 * hand from the flowcharts and docs/DECISIONS.md.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "torc_direct_host.h"
#include "torc_test_host.h"

#define ISN 0x1000u /* the test host's default isn */

static torc_test_host *term_host(uint32_t buffered) {
  torc_test_host *h = th_new();
  ck_assert_uint_eq(th_offload(h, buffered), TORC_STATUS_SUCCESS);
  return h;
}

/* The TERMINATE_DONE event (there must be exactly one, the last). */
static const th_event *term_done(torc_test_host *h) {
  ck_assert_int_eq(th_count(h, TH_EV_TERMINATE_DONE), 1);
  const th_event *e = th_event_get(h, th_nevents(h) - 1);
  ck_assert_int_eq(e->type, TH_EV_TERMINATE_DONE);
  ck_assert_uint_eq(e->status, TORC_STATUS_SUCCESS);
  return e;
}

/* Handed-back bytes must be stream [from, from + len). */
static void assert_handback(torc_test_host *h, uint64_t from, uint32_t len) {
  ck_assert_uint_eq(th_handback_len(h), len);
  const uint8_t *b = th_handback(h);
  for (uint32_t i = 0; i < len; i++)
    if (b[i] != th_stream_byte(from + i))
      ck_abort_msg("handed-back byte %u (stream %llu): expected 0x%02x vs "
                   "actual 0x%02x",
                   i, (unsigned long long)(from + i), th_stream_byte(from + i),
                   b[i]);
}

/* covers: DEC-06 RCV-230 RCV-235 RCV-061 RCV-114 */
START_TEST(test_terminate_empty_requests_upload_in_progress) {
  torc_test_host *h = term_host(0);
  th_post(h, 100, 1);
  th_post(h, 200, 0);
  th_post(h, 0, 0);
  th_terminate(h);
  /* All completed in one call, in posting order, before the terminate
   * completion; empty ones UPLOAD_IN_PROGRESS with 0 bytes. */
  ck_assert_str_eq(th_trace(h), "O C[0u,0u,0u] T0");
  ck_assert_uint_eq(term_done(h)->rcv_nxt, ISN);
  th_free(h);
}
END_TEST

/* covers: DEC-06 RCV-230 RCV-111 RCV-113 RCV-184 */
START_TEST(test_terminate_partly_filled_success_with_bytes) {
  torc_test_host *h = term_host(0);
  uint64_t a = th_post(h, 1000, 0);
  th_post(h, 500, 1);
  th_segment(h, 0, 100, 0); /* 100 bytes into the non-push request */
  ck_assert_str_eq(th_trace(h), "O");
  th_terminate(h);
  ck_assert_str_eq(th_trace(h), "O C[100,0u] T0");
  ck_assert_uint_eq(th_req_get(h, a)->status, TORC_STATUS_SUCCESS);
  ck_assert_uint_eq(term_done(h)->rcv_nxt, ISN + 100);
  th_assert_delivered_stream(h, 0, 100);
  /* A partly filled push request likewise. */
  torc_test_host *g = term_host(0);
  th_post(g, 1000, 1);
  th_segment(g, 0, 60, 0);
  th_terminate(g);
  ck_assert_str_eq(th_trace(g), "O C[60] T0");
  th_free(g);
  th_free(h);
}
END_TEST

/* covers: DEC-07 RCV-208 RCV-209 RCV-006 RCV-007 RCV-011 RCV-035 RCV-213 */
START_TEST(test_terminate_hands_back_host_buffered_data) {
  torc_test_host *h = th_new();
  /* Ten fragments (one empty), two per list: a chain of five lists. */
  const uint32_t frags[] = {100, 0, 37, 200, 1, 64, 300, 12, 50, 236};
  ck_assert_uint_eq(th_offload_frags(h, frags, 10, 2), TORC_STATUS_SUCCESS);
  th_terminate(h);
  ck_assert_str_eq(th_trace(h), "O T1000");
  ck_assert_uint_eq(term_done(h)->rcv_nxt, ISN + 1000);
  assert_handback(h, 0, 1000);
  th_free(h);
}
END_TEST

/* covers: DEC-07 RCV-136 RCV-208 RCV-006 DEC-02 */
START_TEST(test_terminate_hands_back_refused_indication) {
  torc_test_host *h = term_host(0);
  th_answer(h, TORC_STATUS_OFFLOAD_DATA_NOT_ACCEPTED, 0);
  th_segment(h, 0, 300, 0);
  ck_assert_str_eq(th_trace(h), "O I300n");
  th_terminate(h);
  ck_assert_str_eq(th_trace(h), "O I300n T300");
  ck_assert_uint_eq(term_done(h)->rcv_nxt, ISN + 300);
  assert_handback(h, 0, 300);
  th_free(h);
}
END_TEST

/* covers: DEC-03 DEC-07 RCV-139 RCV-141 RCV-208 */
START_TEST(test_terminate_hands_back_partial_tail) {
  torc_test_host *h = term_host(0);
  th_answer(h, TORC_STATUS_OFFLOAD_DATA_PARTIALLY_ACCEPTED, 100);
  th_segment(h, 0, 300, 0);
  ck_assert_str_eq(th_trace(h), "O I300p100");
  th_terminate(h);
  ck_assert_str_eq(th_trace(h), "O I300p100 T200");
  ck_assert_uint_eq(term_done(h)->rcv_nxt, ISN + 300);
  th_assert_delivered_stream(h, 0, 100);
  ck_assert_uint_eq(th_delivered_len(h), 100);
  assert_handback(h, 100, 200);
  th_free(h);
}
END_TEST

/* covers: DEC-07 DEC-16 RCV-070 RCV-038 RCV-208 */
START_TEST(test_terminate_hands_back_appended_segments) {
  torc_test_host *h = term_host(200);
  th_segment(h, 200, 300, 0);
  th_segment(h, 500, 100, 0);
  ck_assert_str_eq(th_trace(h), "O");
  th_terminate(h);
  ck_assert_str_eq(th_trace(h), "O T600");
  ck_assert_uint_eq(term_done(h)->rcv_nxt, ISN + 600);
  assert_handback(h, 0, 600);
  th_free(h);
}
END_TEST

/* covers: RCV-220 RCV-221 DEC-07 RCV-062 */
START_TEST(test_terminate_discards_out_of_order_data) {
  torc_test_host *h = term_host(200);
  th_segment(h, 400, 100, 0); /* out of order: never acknowledged */
  th_segment(h, 200, 50, 0);  /* in sequence: appended */
  th_terminate(h);
  ck_assert_str_eq(th_trace(h), "O T250");
  ck_assert_uint_eq(term_done(h)->rcv_nxt, ISN + 250);
  assert_handback(h, 0, 250);
  th_free(h);
}
END_TEST

/* covers: DEC-07 RCV-037 RCV-038 RCV-142 RCV-143 RCV-206 RCV-232 */
START_TEST(test_terminate_delivered_plus_handback_is_stream) {
  torc_test_host *h = th_new();
  const uint32_t frags[] = {200, 200, 200, 200, 200};
  ck_assert_uint_eq(th_offload_frags(h, frags, 5, 1), TORC_STATUS_SUCCESS);
  th_set_default_answer(h, TORC_STATUS_OFFLOAD_DATA_NOT_ACCEPTED, 0);
  th_post(h, 300, 0);
  /* The request fills from the buffered data; the rest is indicated
   * (RCV-037) and refused. */
  ck_assert_str_eq(th_trace(h), "O C[300] I700n");
  th_post(h, 200, 1);
  /* A post allows the refused data to be indicated again (RCV-142). */
  ck_assert_str_eq(th_trace(h), "O C[300] I700n C[200] I500n");
  th_segment(h, 1000, 200, 0); /* appended behind the held 500 (DEC-16) */
  ck_assert_str_eq(th_trace(h), "O C[300] I700n C[200] I500n");
  th_terminate(h);
  ck_assert_str_eq(th_trace(h), "O C[300] I700n C[200] I500n T700");
  ck_assert_uint_eq(term_done(h)->rcv_nxt, ISN + 1200);
  th_assert_delivered_stream(h, 0, 500);
  ck_assert_uint_eq(th_delivered_len(h), 500);
  assert_handback(h, 500, 700);
  th_free(h);
}
END_TEST

/* covers: RCV-196 DEC-10 */
START_TEST(test_terminate_stops_push_timer) {
  torc_test_host *h = term_host(0);
  th_post(h, 1000, 1);
  th_segment(h, 0, 100, 0); /* timer: deadline 500 ms */
  th_advance(h, 100000);
  th_terminate(h);
  ck_assert_str_eq(th_trace(h), "O C[100] T0");
  th_advance(h, 2000000); /* any upcall now is a violation (host) */
  ck_assert_str_eq(th_trace(h), "O C[100] T0");
  th_free(h);
}
END_TEST

/* covers: RCV-215 RCV-218 */
START_TEST(test_terminate_ignores_later_segments) {
  torc_test_host *h = term_host(100);
  th_terminate(h);
  ck_assert_str_eq(th_trace(h), "O T100");
  th_segment(h, 100, 100, TORC_TCP_PSH);
  th_segment(h, 200, 100, TORC_TCP_FIN);
  th_segment(h, 300, 0, TORC_TCP_RST);
  th_advance(h, 1000000);
  ck_assert_str_eq(th_trace(h), "O T100");
  th_check_invariants(h);
  th_free(h);
}
END_TEST

/* covers: RCV-133 RCV-154 RCV-149 */
START_TEST(test_terminate_keeps_unreturned_indications) {
  torc_test_host *h = term_host(0);
  th_segment(h, 0, 100, 0);
  th_segment(h, 100, 50, 0);
  ck_assert_str_eq(th_trace(h), "O I100 I50");
  ck_assert_uint_eq(th_outstanding_indications(h), 2);
  th_terminate(h);
  ck_assert_str_eq(th_trace(h), "O I100 I50 T0");
  ck_assert_uint_eq(term_done(h)->rcv_nxt, ISN + 150);
  /* The indicated bytes are still the host's: returned after the
   * terminate, checked unchanged by th_return_indications (RCV-133). */
  ck_assert_uint_eq(th_return_indications(h), 2);
  th_free(h);
}
END_TEST

/* ---- The direct host (RCV-212) -------------------------------------------
 * torc_direct_host.h keeps what the terminate completion hands back (the
 * chain and a copy of its bytes); the test then keeps driving the target
 * (segments, time, a receive_return of an unknown id) before it returns the
 * handed-back data, checking the bytes at every step.  The host poisons
 * every block it frees and every frame after the call.  Stream offset off
 * is seq off, byte value off & 0xFF. */

static void term_assert_intact(const torc_direct_host *d) {
  uint8_t now[DH_HB_MAX];
  ck_assert_uint_eq(dh_walk(d->c[0].hb, now, sizeof now), d->c[0].hb_len);
  ck_assert_msg(memcmp(now, d->c[0].hb_copy, d->c[0].hb_len) == 0,
                "RCV-212: handed-back bytes changed before receive_return");
}

/* covers: RCV-212 RCV-215 RCV-233 RCV-224 RCV-171 */
START_TEST(test_terminate_handback_intact_until_return) {
  static const uint64_t handle = 7;
  torc_direct_host d;
  dh_init(&d, 1, &handle);
  /* 300 buffered bytes (value = seq & 0xFF) ending just before RcvNxt. */
  uint8_t buffered[300];
  for (uint32_t i = 0; i < 300; i++)
    buffered[i] = (uint8_t)(5000 - 300 + i);
  torc_fragment fr = {buffered, 300};
  torc_buffer_list bl = {NULL, &fr, 1};
  torc_offload_state st;
  dh_state(&st, 0, 5000);
  st.buffered_data = &bl;
  dh_offload(&d, 0, &st);
  memset(buffered, 0xA5, sizeof buffered); /* RCV-011: the host's again */
  dh_segment(&d, 0, 5000, 200, 0);         /* appended: 500 held */
  d.t.terminate_offload(d.t.user_data, d.c[0].conn);
  ck_assert_int_eq(d.c[0].term_done, 1);
  ck_assert_uint_eq(d.c[0].term_status, TORC_STATUS_SUCCESS);
  ck_assert_uint_eq(d.c[0].term_rcv_nxt, 5200);
  ck_assert_uint_eq(d.c[0].hb_len, 500);
  for (uint32_t i = 0; i < 500; i++)
    ck_assert_uint_eq(d.c[0].hb_copy[i], (uint8_t)(4700 + i));
  /* Keep driving the target while the host holds the data. */
  dh_segment(&d, 0, 5200, 300, 0);
  term_assert_intact(&d);
  dh_segment(&d, 0, 4700, 500,
             0); /* a retransmission of the handed-back bytes */
  term_assert_intact(&d);
  d.t.advance_time(d.t.user_data, 5000000);
  term_assert_intact(&d);
  uint64_t unknown = d.c[0].hb_id + 12345;
  d.t.receive_return(d.t.user_data, d.c[0].conn, &unknown, 1);
  term_assert_intact(&d);
  ck_assert_int_eq(d.upcalls_after_term, 0);
  d.t.receive_return(d.t.user_data, d.c[0].conn, &d.c[0].hb_id, 1);
  dh_close(&d);
}
END_TEST

Suite *terminate_suite(void);
Suite *terminate_suite(void) {
  Suite *s = suite_create("terminate");
  TCase *tc = tcase_create("terminate");
  tcase_add_test(tc, test_terminate_empty_requests_upload_in_progress);
  tcase_add_test(tc, test_terminate_partly_filled_success_with_bytes);
  tcase_add_test(tc, test_terminate_hands_back_host_buffered_data);
  tcase_add_test(tc, test_terminate_hands_back_refused_indication);
  tcase_add_test(tc, test_terminate_hands_back_partial_tail);
  tcase_add_test(tc, test_terminate_hands_back_appended_segments);
  tcase_add_test(tc, test_terminate_discards_out_of_order_data);
  tcase_add_test(tc, test_terminate_delivered_plus_handback_is_stream);
  tcase_add_test(tc, test_terminate_stops_push_timer);
  tcase_add_test(tc, test_terminate_ignores_later_segments);
  tcase_add_test(tc, test_terminate_keeps_unreturned_indications);
  tcase_add_test(tc, test_terminate_handback_intact_until_return);
  suite_add_tcase(s, tc);
  return s;
}
