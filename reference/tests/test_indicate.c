/*
 * test_indicate.c - the "indicate" suite: flowchart 2 of the delivery
 * algorithm (D14..D18), the host's answers to an indication (SUCCESS, both
 * "not accepted" values, PARTIALLY_ACCEPTED), receive_return, the indication
 * size and the serialization of indications with completions.
 *
 * Decisions pinned: DEC-02 (either "not accepted" value, and any other
 * non-SUCCESS answer, means nothing consumed), DEC-03 (a partial acceptance
 * keeps the tail first in line, BytesConsumed 0 / >= length read
 * defensively), DEC-14, DEC-16, DEC-20, DEC-21.  Expected traces are worked
 * out by hand from spec/delivery-algorithm.md and docs/DECISIONS.md (see the
 * "seqno" comments); trace letters as in test_deliver.c.
 */
#include <check.h>
#include <stdio.h>

#include "torc_test_host.h"

static torc_test_host *offloaded(uint32_t buffered) {
  torc_test_host *h = th_new();
  ck_assert_uint_eq(th_offload(h, buffered), TORC_STATUS_SUCCESS);
  return h;
}

/* The three answers DEC-02 reads as "nothing consumed". */
static const uint32_t refusals[] = {TORC_STATUS_OFFLOAD_DATA_NOT_ACCEPTED,
                                    TORC_STATUS_NOT_ACCEPTED,
                                    TORC_STATUS_FAILURE};

/* ---- accepted: SUCCESS and receive_return --------------------------------
 */

/* covers: RCV-083 RCV-084 RCV-125 RCV-127 RCV-130 RCV-134 */
START_TEST(test_indicate_success_then_return) {
  /* seqno: offload 0; segment 0..39 -> (B) D14 No -> indicate 40, status
   * SUCCESS (RCV-125); host accepts; D16 no more data -> exit. */
  torc_test_host *h = offloaded(0);
  th_segment(h, 0, 40, 0);
  ck_assert_str_eq(th_trace(h), "O I40");
  const th_event *e = th_event_get(h, 1);
  ck_assert_uint_eq(e->status, TORC_STATUS_SUCCESS);
  ck_assert_uint_eq(e->consumed, 40);
  ck_assert_uint_eq(th_outstanding_indications(h), 1);
  ck_assert_uint_eq(th_return_indications(h), 1);
  ck_assert_uint_eq(th_outstanding_indications(h), 0);
  th_assert_delivered_stream(h, 0, 40);
  th_free(h);
}
END_TEST

/* covers: RCV-133 RCV-126 RCV-149 RCV-150 */
START_TEST(test_indicate_bytes_intact_until_return) {
  /* seqno: offload 0; segments 0..39, 40..99, 100..119 -> I40 I60 I20,
   * none returned; then a post and a segment 120..169 filling it -> C[50];
   * only then return all three: their bytes must be unchanged (RCV-133;
   * checked by th_return_indications). */
  torc_test_host *h = offloaded(0);
  th_segment(h, 0, 40, 0);
  th_segment(h, 40, 60, TORC_TCP_PSH);
  th_segment(h, 100, 20, 0);
  th_post(h, 50, 1);
  th_segment(h, 120, 50, 0);
  ck_assert_str_eq(th_trace(h), "O I40 I60 I20 C[50]");
  ck_assert_uint_eq(th_outstanding_indications(h), 3);
  ck_assert_uint_eq(th_return_indications(h), 3);
  th_check_invariants(h);
  th_assert_delivered_stream(h, 0, 170);
  th_free(h);
}
END_TEST

/* covers: RCV-149 RCV-133 */
START_TEST(test_indicate_ids_distinct_while_outstanding) {
  /* Two accepted indications not yet returned must carry different ids
   * (receive_return names them). */
  torc_test_host *h = offloaded(0);
  th_segment(h, 0, 10, 0);
  th_segment(h, 10, 10, 0);
  ck_assert_str_eq(th_trace(h), "O I10 I10");
  ck_assert(th_event_get(h, 1)->indication_id !=
            th_event_get(h, 2)->indication_id);
  th_return_indications(h);
  th_free(h);
}
END_TEST

/* covers: RCV-125 RCV-127 RCV-128 RCV-123 RCV-124 */
START_TEST(test_indicate_status_success_and_fragments_cover_length) {
  /* Buffered data offloaded as 5 fragments in 3 lists, post 10 -> C[10]
   * and the remaining 90 in ONE stand-alone indication (as many fragments
   * as needed), status SUCCESS. */
  static const uint32_t frags[] = {20, 20, 20, 20, 20};
  torc_test_host *h = th_new();
  ck_assert_uint_eq(th_offload_frags(h, frags, 5, 2), TORC_STATUS_SUCCESS);
  th_post(h, 10, 1);
  ck_assert_str_eq(th_trace(h), "O C[10] I90");
  const th_event *e = th_event_get(h, 2);
  ck_assert_uint_eq(e->status, TORC_STATUS_SUCCESS);
  ck_assert_uint_ge(e->nfrags, 1);
  th_assert_delivered_stream(h, 0, 100);
  th_return_indications(h);
  th_free(h);
}
END_TEST

/* ---- refused: NOT_ACCEPTED (DEC-02) --------------------------------------
 */

/* covers: RCV-131 RCV-135 RCV-136 RCV-085 RCV-086 RCV-087 DEC-02 */
START_TEST(test_indicate_refused_then_post_takes_it) {
  /* seqno: offload 0; host refuses (loop: 0xC023100E, 0x00010003, FAILURE);
   * segment 0..39 -> I40n; nothing to return (RCV-085); post 40 -> the
   * queued data fills it -> C[40]. */
  torc_test_host *h = offloaded(0);
  th_answer(h, refusals[_i], 0);
  th_segment(h, 0, 40, 0);
  ck_assert_str_eq(th_trace(h), "O I40n");
  ck_assert_uint_eq(th_event_get(h, 1)->consumed, 0);
  ck_assert_uint_eq(th_outstanding_indications(h), 0);
  th_post(h, 40, 1);
  ck_assert_str_eq(th_trace(h), "O I40n C[40]");
  th_assert_delivered_stream(h, 0, 40);
  th_free(h);
}
END_TEST

/* covers: RCV-142 RCV-086 RCV-087 DEC-02 DEC-16 */
START_TEST(test_indicate_refused_not_reindicated_until_post) {
  /* seqno: offload 0; refuse; segment 0..39 -> I40n; segment 40..79 ->
   * held data, no request -> appended, no indication (RCV-142, DEC-16);
   * time passes: nothing; post 100 push -> 80 placed, partly filled, D11
   * No -> timer -> C[80] at +500 ms. */
  torc_test_host *h = offloaded(0);
  th_answer(h, refusals[_i], 0);
  th_segment(h, 0, 40, 0);
  th_segment(h, 40, 40, TORC_TCP_PSH);
  th_advance(h, 2000000);
  ck_assert_str_eq(th_trace(h), "O I40n");
  th_post(h, 100, 1);
  ck_assert_str_eq(th_trace(h), "O I40n");
  th_advance(h, 500000);
  ck_assert_str_eq(th_trace(h), "O I40n C[80]");
  th_assert_delivered_stream(h, 0, 80);
  th_free(h);
}
END_TEST

/* covers: RCV-142 RCV-115 RCV-117 DEC-20 RCV-143 */
START_TEST(test_indicate_zero_byte_post_reenables) {
  /* seqno: offload 0; refuse once; segment 0..39 -> I40n; segment 40..79
   * appended; post 0 -> zero-byte reached with data -> C[0] (RCV-143: the
   * completion before any indication); 80 left -> I80, accepted. */
  torc_test_host *h = offloaded(0);
  th_answer(h, TORC_STATUS_OFFLOAD_DATA_NOT_ACCEPTED, 0);
  th_segment(h, 0, 40, 0);
  th_segment(h, 40, 40, 0);
  th_post(h, 0, 0);
  ck_assert_str_eq(th_trace(h), "O I40n C[0] I80");
  ck_assert_uint_eq(th_event_get(h, 3)->stream_off, 0);
  th_assert_delivered_stream(h, 0, 80);
  th_return_indications(h);
  th_free(h);
}
END_TEST

/* covers: RCV-137 RCV-143 RCV-037 DEC-02 */
START_TEST(test_indicate_refused_then_smaller_post) {
  /* seqno: offload 0; refuse; segment 0..99 -> I100n; post 30 -> C[30];
   * 70 left, no request -> indicate again (a post came, RCV-142) -> I70. */
  torc_test_host *h = offloaded(0);
  th_answer(h, TORC_STATUS_NOT_ACCEPTED, 0);
  th_segment(h, 0, 100, 0);
  th_post(h, 30, 1);
  ck_assert_str_eq(th_trace(h), "O I100n C[30] I70");
  th_assert_delivered_stream(h, 0, 100);
  th_return_indications(h);
  th_free(h);
}
END_TEST

/* covers: RCV-142 RCV-038 DEC-02 DEC-16 */
START_TEST(test_indicate_refused_twice) {
  /* seqno: offload 0; refuse twice; segment 0..49 -> I50n; post 20 ->
   * C[20], I30n (refused again); segment 50..59 appended; post 40 -> C[40]
   * with 20..59 in order. */
  torc_test_host *h = offloaded(0);
  th_answer(h, TORC_STATUS_OFFLOAD_DATA_NOT_ACCEPTED, 0);
  th_answer(h, TORC_STATUS_OFFLOAD_DATA_NOT_ACCEPTED, 0);
  th_segment(h, 0, 50, 0);
  th_post(h, 20, 1);
  th_segment(h, 50, 10, 0);
  ck_assert_str_eq(th_trace(h), "O I50n C[20] I30n");
  th_post(h, 40, 1);
  ck_assert_str_eq(th_trace(h), "O I50n C[20] I30n C[40]");
  th_assert_delivered_stream(h, 0, 60);
  th_free(h);
}
END_TEST

/* covers: RCV-136 RCV-035 DEC-07 */
START_TEST(test_indicate_refused_data_handed_back_at_terminate) {
  /* seqno: offload 0; refuse; segment 0..29 -> I30n; terminate -> the 30
   * held bytes are handed back (DEC-07): T30, rcv_nxt = isn + 30. */
  torc_test_host *h = offloaded(0);
  th_answer(h, TORC_STATUS_OFFLOAD_DATA_NOT_ACCEPTED, 0);
  th_segment(h, 0, 30, 0);
  th_terminate(h);
  ck_assert_str_eq(th_trace(h), "O I30n T30");
  ck_assert_uint_eq(th_event_get(h, 2)->rcv_nxt, th_seq(h, 30));
  th_free(h); /* checks delivered + handed back == stream to rcv_nxt */
}
END_TEST

/* ---- partly accepted (DEC-03) --------------------------------------------
 */

/* covers: RCV-132 RCV-139 RCV-140 RCV-141 DEC-03 RCV-142 */
START_TEST(test_indicate_partial_tail_first_in_line) {
  /* seqno: offload 0; answer PARTIAL 30; segment 0..99 -> I100p30: 0..29
   * delivered, 30..99 held at the head; segment 100..119 -> appended, no
   * indication (DEC-16, RCV-142); post 90 -> C[90] = 30..119. */
  torc_test_host *h = offloaded(0);
  th_answer(h, TORC_STATUS_OFFLOAD_DATA_PARTIALLY_ACCEPTED, 30);
  th_segment(h, 0, 100, 0);
  ck_assert_str_eq(th_trace(h), "O I100p30");
  ck_assert_uint_eq(th_outstanding_indications(h), 0);
  th_segment(h, 100, 20, 0);
  ck_assert_str_eq(th_trace(h), "O I100p30");
  uint64_t id = th_post(h, 90, 1);
  ck_assert_str_eq(th_trace(h), "O I100p30 C[90]");
  ck_assert_uint_eq(th_req_get(h, id)->stream_off, 30);
  th_assert_delivered_stream(h, 0, 120);
  th_free(h);
}
END_TEST

/* covers: RCV-141 DEC-03 RCV-082 */
START_TEST(test_indicate_partial_twice) {
  /* seqno: offload 0; PARTIAL 30 on segment 0..99 -> I100p30; post 0 ->
   * C[0], indicate the 70 left -> PARTIAL 20 -> I70p20; post 50 -> C[50]
   * = 50..99. */
  torc_test_host *h = offloaded(0);
  th_answer(h, TORC_STATUS_OFFLOAD_DATA_PARTIALLY_ACCEPTED, 30);
  th_answer(h, TORC_STATUS_OFFLOAD_DATA_PARTIALLY_ACCEPTED, 20);
  th_segment(h, 0, 100, 0);
  th_post(h, 0, 1);
  ck_assert_str_eq(th_trace(h), "O I100p30 C[0] I70p20");
  th_post(h, 50, 1);
  ck_assert_str_eq(th_trace(h), "O I100p30 C[0] I70p20 C[50]");
  th_assert_delivered_stream(h, 0, 100);
  th_free(h);
}
END_TEST

/* covers: RCV-141 RCV-107 DEC-03 DEC-14 */
START_TEST(test_indicate_partial_with_post_inside_goes_to_requests) {
  /* seqno: offload 0; PARTIAL 30; the host posts 70 push from inside the
   * indication (queued, D1 Yes); on return D18 "preposted requests
   * available" Yes -> (A) place the 70 left -> C[70]. */
  torc_test_host *h = offloaded(0);
  th_answer(h, TORC_STATUS_OFFLOAD_DATA_PARTIALLY_ACCEPTED, 30);
  th_post_in_next_indication(h, 70, 1);
  th_segment(h, 0, 100, 0);
  ck_assert_str_eq(th_trace(h), "O I100p30 C[70]");
  th_assert_delivered_stream(h, 0, 100);
  th_free(h);
}
END_TEST

/* covers: RCV-136 RCV-107 DEC-02 DEC-14 */
START_TEST(test_indicate_refused_with_post_inside) {
  /* seqno: offload 0; refuse; host posts 60 nonpush inside the indication;
   * D18 Yes -> (A): 40 placed, non-push partly filled -> waits; segment
   * 40..59 fills -> C[60]. */
  torc_test_host *h = offloaded(0);
  th_answer(h, TORC_STATUS_OFFLOAD_DATA_NOT_ACCEPTED, 0);
  th_post_in_next_indication(h, 60, 0);
  th_segment(h, 0, 40, 0);
  ck_assert_str_eq(th_trace(h), "O I40n");
  th_segment(h, 40, 20, 0);
  ck_assert_str_eq(th_trace(h), "O I40n C[60]");
  th_assert_delivered_stream(h, 0, 60);
  th_free(h);
}
END_TEST

/* covers: DEC-03 RCV-140 */
START_TEST(test_indicate_partial_zero_is_refusal) {
  /* Robustness: PARTIAL with BytesConsumed 0 is read as NOT_ACCEPTED
   * (DEC-03): nothing consumed, data held; segment 50..59 appended; post 60
   * -> C[60] = 0..59. */
  torc_test_host *h = offloaded(0);
  th_answer(h, TORC_STATUS_OFFLOAD_DATA_PARTIALLY_ACCEPTED, 0);
  th_segment(h, 0, 50, 0);
  th_segment(h, 50, 10, 0);
  ck_assert_str_eq(th_trace(h), "O I50p0");
  th_post(h, 60, 1);
  ck_assert_str_eq(th_trace(h), "O I50p0 C[60]");
  th_assert_delivered_stream(h, 0, 60);
  th_free(h);
}
END_TEST

/* covers: DEC-03 RCV-140 */
START_TEST(test_indicate_partial_full_length_is_success) {
  /* Robustness: PARTIAL with BytesConsumed = length is read as SUCCESS
   * (DEC-03): nothing held, so segment 50..59 is indicated at once. */
  torc_test_host *h = offloaded(0);
  th_answer(h, TORC_STATUS_OFFLOAD_DATA_PARTIALLY_ACCEPTED, 50);
  th_segment(h, 0, 50, 0);
  th_segment(h, 50, 10, 0);
  ck_assert_str_eq(th_trace(h), "O I50p50 I10");
  th_assert_delivered_stream(h, 0, 60);
  th_return_indications(h);
  th_free(h);
}
END_TEST

/* ---- indication size (DEC-21) -------------------------------------------
 */

/* covers: RCV-160 RCV-163 RCV-164 DEC-21 */
START_TEST(test_indicate_size_zero_all_at_once) {
  /* RcvIndicationSize 0: 0..299 buffered, post 100 -> C[100], the other
   * 200 in one indication; segment 300..1299 -> I1000. */
  torc_test_host *h = offloaded(300);
  th_post(h, 100, 1);
  th_segment(h, 300, 1000, 0);
  ck_assert_str_eq(th_trace(h), "O C[100] I200 I1000");
  th_assert_delivered_stream(h, 0, 1300);
  th_return_indications(h);
  th_free(h);
}
END_TEST

/* covers: RCV-156 RCV-157 RCV-159 DEC-21 */
START_TEST(test_indicate_size_sweep) {
  /* RcvIndicationSize n: a 100-byte segment is indicated n bytes at a time
   * while the host accepts (flowchart 2 loop D16 Yes, D17 No -> D14):
   * ceil(100/n) indications, all of n bytes but the last. */
  static const uint32_t sizes[] = {1, 7, 40, 99, 100, 150};
  uint32_t n = sizes[_i];
  torc_test_host *h = th_new();
  th_set_rcv_indication_size(h, n);
  ck_assert_uint_eq(th_offload(h, 0), TORC_STATUS_SUCCESS);
  th_segment(h, 0, 100, 0);
  uint32_t want = (100 + n - 1) / n;
  ck_assert_int_eq(th_nevents(h), 1 + (int)want);
  for (uint32_t i = 0; i < want; i++) {
    const th_event *e = th_event_get(h, 1 + (int)i);
    ck_assert_int_eq(e->type, TH_EV_INDICATE);
    uint32_t len = i + 1 < want ? n : 100 - n * (want - 1);
    ck_assert_uint_eq(e->length, len);
    ck_assert_uint_eq(e->stream_off, (uint64_t)n * i);
  }
  th_assert_delivered_stream(h, 0, 100);
  th_return_indications(h);
  th_free(h);
}
END_TEST

/* covers: RCV-159 RCV-142 DEC-21 DEC-02 */
START_TEST(test_indicate_size_loop_stops_at_refusal) {
  /* RcvIndicationSize 40; segment 0..99: I40 accepted, I40 refused -> the
   * loop stops (D15 No, D18 No: queue), 20 bytes are never offered;
   * post 60 -> C[60] = 40..99. */
  torc_test_host *h = th_new();
  th_set_rcv_indication_size(h, 40);
  ck_assert_uint_eq(th_offload(h, 0), TORC_STATUS_SUCCESS);
  th_answer(h, TORC_STATUS_SUCCESS, 0);
  th_answer(h, TORC_STATUS_OFFLOAD_DATA_NOT_ACCEPTED, 0);
  th_segment(h, 0, 100, 0);
  ck_assert_str_eq(th_trace(h), "O I40 I40n");
  th_post(h, 60, 1);
  ck_assert_str_eq(th_trace(h), "O I40 I40n C[60]");
  th_assert_delivered_stream(h, 0, 100);
  th_return_indications(h);
  th_free(h);
}
END_TEST

/* covers: RCV-159 DEC-21 DEC-14 RCV-143 */
START_TEST(test_indicate_size_loop_post_inside_goes_to_requests) {
  /* RcvIndicationSize 40; host posts 30 from inside the first indication;
   * segment 0..99: I40; D16 more data Yes, D17 requests Yes -> (A) C[30];
   * 30 left -> I30. */
  torc_test_host *h = th_new();
  th_set_rcv_indication_size(h, 40);
  ck_assert_uint_eq(th_offload(h, 0), TORC_STATUS_SUCCESS);
  th_post_in_next_indication(h, 30, 1);
  th_segment(h, 0, 100, 0);
  ck_assert_str_eq(th_trace(h), "O I40 C[30] I30");
  th_assert_delivered_stream(h, 0, 100);
  th_return_indications(h);
  th_free(h);
}
END_TEST

/* ---- serialization (RCV-046) ----------------------------------------------
 */

/* covers: RCV-046 RCV-047 RCV-082 RCV-065 RCV-066 */
START_TEST(test_indicate_post_inside_accepted_indication_is_queued) {
  /* seqno: offload 0; host posts 20 push from inside the indication of
   * segment 0..49: the target must not complete from inside the indication
   * (RCV-046, checked by the host); after it returns there is no data ->
   * the request waits; segment 50..69 fills it -> C[20]. */
  torc_test_host *h = offloaded(0);
  uint64_t id = th_post_in_next_indication(h, 20, 1);
  th_segment(h, 0, 50, 0);
  ck_assert_str_eq(th_trace(h), "O I50");
  ck_assert_int_eq(th_req_get(h, id)->completed, 0);
  th_segment(h, 50, 20, 0);
  ck_assert_str_eq(th_trace(h), "O I50 C[20]");
  th_assert_delivered_stream(h, 0, 70);
  th_return_indications(h);
  th_free(h);
}
END_TEST

/* covers: RCV-046 RCV-108 RCV-143 DEC-14 */
START_TEST(test_indicate_never_nested_in_completion) {
  /* seqno: 0..99 buffered; post 10 -> C[10]; inside, the host posts 0 (a
   * zero-byte request; it would make data "indicatable"): queued; after the
   * completion returns DEC-14 takes it -> C[0], then I90.  No callback may
   * start inside another (host check). */
  torc_test_host *h = offloaded(100);
  th_post_in_next_completion(h, 0, 1);
  th_post(h, 10, 1);
  ck_assert_str_eq(th_trace(h), "O C[10] C[0] I90");
  th_check_invariants(h);
  th_assert_delivered_stream(h, 0, 100);
  th_return_indications(h);
  th_free(h);
}
END_TEST

/* covers: RCV-154 RCV-133 */
START_TEST(test_indicate_close_with_unreturned_indication) {
  /* The host closes the connection while an accepted indication is still
   * out: conn_close must free everything (no leak, checked by th_free). */
  torc_test_host *h = offloaded(0);
  th_segment(h, 0, 64, 0);
  ck_assert_str_eq(th_trace(h), "O I64");
  ck_assert_uint_eq(th_outstanding_indications(h), 1);
  th_free(h);
}
END_TEST

/* covers: RCV-133 RCV-149 */
START_TEST(test_indicate_auto_return_each_step) {
  /* With auto-return the host gives each indication back right after the
   * call: five segments -> five indications, none outstanding. */
  torc_test_host *h = offloaded(0);
  th_set_auto_return(h, 1);
  for (uint32_t i = 0; i < 5; i++)
    th_segment(h, 20u * i, 20, 0);
  ck_assert_str_eq(th_trace(h), "O I20 I20 I20 I20 I20");
  ck_assert_uint_eq(th_outstanding_indications(h), 0);
  th_assert_delivered_stream(h, 0, 100);
  th_free(h);
}
END_TEST

extern Suite *indicate_suite(void); /* found by reference/module.mk */
Suite *indicate_suite(void) {
  Suite *s = suite_create("indicate");
  TCase *tc = tcase_create("accepted");
  tcase_add_test(tc, test_indicate_success_then_return);
  tcase_add_test(tc, test_indicate_bytes_intact_until_return);
  tcase_add_test(tc, test_indicate_ids_distinct_while_outstanding);
  tcase_add_test(tc, test_indicate_status_success_and_fragments_cover_length);
  tcase_add_test(tc, test_indicate_close_with_unreturned_indication);
  tcase_add_test(tc, test_indicate_auto_return_each_step);
  suite_add_tcase(s, tc);

  tc = tcase_create("refused");
  tcase_add_loop_test(tc, test_indicate_refused_then_post_takes_it, 0, 3);
  tcase_add_loop_test(tc, test_indicate_refused_not_reindicated_until_post, 0,
                      3);
  tcase_add_test(tc, test_indicate_zero_byte_post_reenables);
  tcase_add_test(tc, test_indicate_refused_then_smaller_post);
  tcase_add_test(tc, test_indicate_refused_twice);
  tcase_add_test(tc, test_indicate_refused_data_handed_back_at_terminate);
  tcase_add_test(tc, test_indicate_refused_with_post_inside);
  suite_add_tcase(s, tc);

  tc = tcase_create("partial");
  tcase_add_test(tc, test_indicate_partial_tail_first_in_line);
  tcase_add_test(tc, test_indicate_partial_twice);
  tcase_add_test(tc, test_indicate_partial_with_post_inside_goes_to_requests);
  tcase_add_test(tc, test_indicate_partial_zero_is_refusal);
  tcase_add_test(tc, test_indicate_partial_full_length_is_success);
  suite_add_tcase(s, tc);

  tc = tcase_create("size");
  tcase_add_test(tc, test_indicate_size_zero_all_at_once);
  tcase_add_loop_test(tc, test_indicate_size_sweep, 0, 6);
  tcase_add_test(tc, test_indicate_size_loop_stops_at_refusal);
  tcase_add_test(tc, test_indicate_size_loop_post_inside_goes_to_requests);
  suite_add_tcase(s, tc);

  tc = tcase_create("serialize");
  tcase_add_test(tc, test_indicate_post_inside_accepted_indication_is_queued);
  tcase_add_test(tc, test_indicate_never_nested_in_completion);
  suite_add_tcase(s, tc);
  return s;
}
