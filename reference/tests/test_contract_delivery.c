/*
 * test_contract_delivery.c - Check tests of the delivery algorithm as the
 * host sees it through torc/target.h: the three flowcharts walked end to end
 * with an exact event sequence (RCV-044, RCV-045, RCV-049, RCV-051),
 * delivery in sequence order whatever the arrival order (RCV-058, RCV-063),
 * segments arriving during a completion or an indication (RCV-068,
 * RCV-069), indications as one list of the stream (RCV-123, RCV-145,
 * RCV-146) and receive_return without upcalls (RCV-155).
 *
 * One of the test_contract_*.c files (see contract_host.h for what they
 * share); its suite is named "contract" like the others, so
 * CK_RUN_SUITE=contract runs them all.
 */
#include <check.h>

#include "contract_host.h"
#include "torc_test_host.h"

/* ---- The whole delivery algorithm ----------------------------------------
 */

/* covers: RCV-044 RCV-045 RCV-049 RCV-051 RCV-064 RCV-067 RCV-070 DEC-09 */
START_TEST(test_contract_all_three_flowcharts) {
  torc_test_host *h = contract_host(0);
  /* E2, D3 No, D4 No, D5 No -> (B): indicate 100, Success, D16 No. */
  th_segment(h, 0, 100, 0);
  ck_assert_str_eq(th_trace(h), "O I100");
  /* E1, D1 No, D2 No -> queue the request (J1). */
  uint64_t a = th_post(h, 300, 1);
  ck_assert_str_eq(th_trace(h), "O I100");
  /* E2, D4 Yes -> P1: 100 into A; nothing filled (D6 No); D8 Yes; D9 Yes;
   * D10 push; D11 no PSH -> D13 start the timer (deadline 500 ms). */
  th_segment(h, 100, 100, 0);
  th_advance(h, PUSH_US - 1);
  ck_assert_str_eq(th_trace(h), "O I100");
  /* Flowchart 3: D19 Yes, D20 push -> complete A with its 100 bytes. */
  th_advance(h, 1);
  ck_assert_str_eq(th_trace(h), "O I100 C[100]");
  ck_assert_uint_eq(th_req_get(h, a)->bytes, 100);
  /* E2 -> (B): indicate 50, refused: D18 No -> queue the indicated data. */
  th_answer(h, TORC_STATUS_OFFLOAD_DATA_NOT_ACCEPTED, 0);
  th_segment(h, 200, 50, 0);
  ck_assert_str_eq(th_trace(h), "O I100 C[100] I50n");
  /* E2, D4 No, D5 Yes: appended to the held data, no upcall (RCV-070). */
  th_segment(h, 250, 50, TORC_TCP_PSH);
  ck_assert_str_eq(th_trace(h), "O I100 C[100] I50n");
  /* E1, D2 Yes -> P1: 60 of the 100 held into B, filled -> complete; D8 No
   * -> (B): indicate the other 40, Success; D16 No. */
  th_post(h, 60, 1);
  ck_assert_str_eq(th_trace(h), "O I100 C[100] I50n C[60] I40");
  /* Non-push C: 10 bytes with PSH leave it partly filled (D10 No), then
   * 990 fill it. */
  th_post(h, 1000, 0);
  th_segment(h, 300, 10, TORC_TCP_PSH);
  ck_assert_str_eq(th_trace(h), "O I100 C[100] I50n C[60] I40");
  th_segment(h, 310, 990, 0);
  ck_assert_str_eq(th_trace(h), "O I100 C[100] I50n C[60] I40 C[1000]");
  /* Push D: 20 bytes with PSH -> D11 Yes: complete at once. */
  th_post(h, 500, 1);
  th_segment(h, 1300, 20, TORC_TCP_PSH);
  ck_assert_str_eq(th_trace(h), "O I100 C[100] I50n C[60] I40 C[1000] C[20]");
  /* The timer was stopped (D12 / never restarted): no late expiry. */
  th_advance(h, 2 * PUSH_US);
  ck_assert_str_eq(th_trace(h), "O I100 C[100] I50n C[60] I40 C[1000] C[20]");
  /* Every byte, in order: 100 + 100 + 60 + 40 + 1000 + 20 = 1320. */
  ck_assert_uint_eq(th_delivered_len(h), 1320);
  th_assert_delivered_stream(h, 0, 1320);
  th_free(h);
}
END_TEST

/* ---- Order of delivery ---------------------------------------------------
 */

/* covers: RCV-058 RCV-063 RCV-057 RCV-059 RCV-062 */
START_TEST(test_contract_reordered_segments_delivered_in_sequence) {
  torc_test_host *h = contract_host(0);
  th_post(h, 300, 0);
  /* "Packet 1" and "packet 2" are processed before "packet 0": they wait
   * out of order (RCV-062), nothing is placed. */
  th_segment(h, 200, 100, 0);
  th_segment(h, 100, 100, 0);
  ck_assert_str_eq(th_trace(h), "O");
  ck_assert_uint_eq(th_delivered_len(h), 0);
  /* The gap filler: 300 in-sequence bytes fill the request exactly. */
  th_segment(h, 0, 100, 0);
  ck_assert_str_eq(th_trace(h), "O C[300]");
  th_assert_delivered_stream(h, 0, 300);
  th_free(h);
}
END_TEST

/* covers: RCV-058 RCV-063 RCV-057 RCV-123 */
START_TEST(test_contract_reordered_segments_indicated_in_sequence) {
  torc_test_host *h = contract_host(0);
  th_segment(h, 150, 50, 0);
  th_segment(h, 50, 100, 0);
  ck_assert_str_eq(th_trace(h), "O");
  th_segment(h, 0, 50, 0);
  /* 200 bytes become in sequence; however the target splits them into
   * indications, they come out as the stream [0, 200) in order. */
  ck_assert_uint_eq(th_delivered_len(h), 200);
  th_assert_delivered_stream(h, 0, 200);
  ck_assert_int_eq(th_count(h, TH_EV_COMPLETE), 0);
  ck_assert_int_ge(th_count(h, TH_EV_INDICATE), 1);
  th_free(h);
}
END_TEST

/* ---- Segments during a completion ----------------------------------------
 */

/* covers: RCV-068 RCV-069 RCV-046 RCV-047 */
START_TEST(test_contract_segment_during_completion_queued) {
  torc_test_host *h = contract_host(0);
  th_post(h, 100, 1);
  th_segment_in_next_completion(h, 100, 50, 0);
  /* 100 fill the request -> C[100]; from inside that call the host sends
   * 50 more bytes: D3 Yes -> queued; after the completion returns they are
   * processed: no request, no held data -> indicate 50.  The test host
   * records a violation if the indication comes while C is in progress. */
  th_segment(h, 0, 100, 0);
  ck_assert_str_eq(th_trace(h), "O C[100] I50");
  ck_assert_int_eq(th_violations(h), 0);
  th_assert_delivered_stream(h, 0, 150);
  th_free(h);
}
END_TEST

/* covers: RCV-068 RCV-069 RCV-065 RCV-066 DEC-14 RCV-143 */
START_TEST(test_contract_segment_and_post_during_completion) {
  torc_test_host *h = contract_host(0);
  th_post(h, 100, 1);
  uint64_t b = th_post_in_next_completion(h, 100, 0);
  th_segment_in_next_completion(h, 100, 50, 0);
  /* Inside C[100] the host posts B (non-push) and then sends 50 bytes; both
   * are queued (D1, D3) and processed after the call: B is used before any
   * indication (DEC-14), 50 bytes leave it partly filled, non-push: no
   * upcall. */
  th_segment(h, 0, 100, 0);
  ck_assert_str_eq(th_trace(h), "O C[100]");
  ck_assert_int_eq(th_req_get(h, b)->completed, 0);
  /* 50 more fill B. */
  th_segment(h, 150, 50, 0);
  ck_assert_str_eq(th_trace(h), "O C[100] C[100]");
  ck_assert_uint_eq(th_req_get(h, b)->stream_off, 100);
  th_assert_delivered_stream(h, 0, 200);
  th_free(h);
}
END_TEST

/* covers: RCV-068 RCV-069 RCV-046 */
START_TEST(test_contract_segment_during_indication_queued) {
  torc_test_host *h = contract_host(0);
  th_segment_in_next_indication(h, 100, 30, 0);
  /* I100 in progress when 30 more bytes arrive: queued, then indicated on
   * their own after the first indication returned. */
  th_segment(h, 0, 100, 0);
  ck_assert_str_eq(th_trace(h), "O I100 I30");
  th_assert_delivered_stream(h, 0, 130);
  th_free(h);
}
END_TEST

/* ---- Indications -------------------------------------------------------- */

/* covers: RCV-145 RCV-146 RCV-123 RCV-124 RCV-125 DEC-21 */
START_TEST(test_contract_indication_is_one_list_of_the_stream) {
  torc_test_host *h = contract_host(0);
  th_segment(h, 0, 100, 0);
  th_answer(h, TORC_STATUS_OFFLOAD_DATA_NOT_ACCEPTED, 0);
  th_segment(h, 100, 50, 0);
  /* Three more segments appended to the refused 50 (D5). */
  th_segment(h, 150, 70, 0);
  th_segment(h, 220, 30, 0);
  th_segment(h, 250, 1, 0);
  /* A 10-byte request takes 10 of the 151 held; the other 141 (from four
   * segments' buffers) go up in ONE indication (RcvIndicationSize 0). */
  th_post(h, 10, 1);
  ck_assert_str_eq(th_trace(h), "O I100 I50n C[10] I141");
  for (int i = 0; i < th_nevents(h); i++) {
    const th_event *e = th_event_get(h, i);
    if (e->type != TH_EV_INDICATE)
      continue;
    ck_assert_uint_eq(e->status, TORC_STATUS_SUCCESS);
    ck_assert_uint_ge(e->nfrags, 1);
    ck_assert_uint_le(e->nfrags, e->length);
  }
  ck_assert_uint_eq(th_event_get(h, 4)->stream_off, 110);
  th_assert_delivered_stream(h, 0, 251);
  ck_assert_uint_eq(th_delivered_len(h), 251);
  th_free(h);
}
END_TEST

/* covers: RCV-155 RCV-149 RCV-151 */
START_TEST(test_contract_receive_return_makes_no_upcall) {
  torc_test_host *h = contract_host(0);
  th_segment(h, 0, 100, 0);
  th_segment(h, 100, 20, 0);
  th_answer(h, TORC_STATUS_OFFLOAD_DATA_NOT_ACCEPTED, 0);
  th_segment(h, 120, 30, 0);
  ck_assert_str_eq(th_trace(h), "O I100 I20 I30n");
  int n = th_nevents(h);
  /* Two accepted indications go back in one call: it completes inside the
   * call and makes no upcall, even with refused data held. */
  ck_assert_uint_eq(th_return_indications(h), 2);
  ck_assert_int_eq(th_nevents(h), n);
  ck_assert_uint_eq(th_outstanding_indications(h), 0);
  /* The connection goes on: a post takes the 30 held bytes. */
  th_post(h, 30, 1);
  ck_assert_str_eq(th_trace(h), "O I100 I20 I30n C[30]");
  th_assert_delivered_stream(h, 0, 150);
  th_free(h);
}
END_TEST

Suite *contract_delivery_suite(void);
Suite *contract_delivery_suite(void) {
  Suite *s = suite_create("contract");
  TCase *tc = tcase_create("contract");
  tcase_add_test(tc, test_contract_all_three_flowcharts);
  tcase_add_test(tc, test_contract_reordered_segments_delivered_in_sequence);
  tcase_add_test(tc, test_contract_reordered_segments_indicated_in_sequence);
  tcase_add_test(tc, test_contract_segment_during_completion_queued);
  tcase_add_test(tc, test_contract_segment_and_post_during_completion);
  tcase_add_test(tc, test_contract_segment_during_indication_queued);
  tcase_add_test(tc, test_contract_indication_is_one_list_of_the_stream);
  tcase_add_test(tc, test_contract_receive_return_makes_no_upcall);
  suite_add_tcase(s, tc);
  return s;
}
