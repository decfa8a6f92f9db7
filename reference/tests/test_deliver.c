/*
 * test_deliver.c - the "deliver" suite: flowchart 1 of the delivery algorithm
 * (spec/delivery-algorithm.md), entry 1 (requests posted) and entry 2
 * (in-sequence segment), box by box D1..D13, with DEC-09, DEC-12, DEC-14,
 * DEC-16, DEC-19 and DEC-20.
 *
 * Every test drives the target only through the recording test host
 * (torc_test_host.h) and compares th_trace() with an event sequence worked
 * out by hand from the flowcharts and docs/DECISIONS.md; the "seqno" comments
 * give the derivation.  Trace letters: O offload done, C[..] one completion
 * call with the bytes of each request, I<n> indication of n bytes
 * (n suffix refused, p<k> partly accepted).  Stream offsets are relative to
 * the first buffered byte; the default push interval is 500 ms (RCV-193).
 * th_free() checks the host invariants (RCV-046, RCV-061, RCV-091, RCV-122,
 * RCV-125, canaries, stream order) and that nothing leaked.
 */
#include <check.h>
#include <stdio.h>

#include "torc_test_host.h"

#define PUSH_US 500000u /* TcpPushTicks 0 -> 500 ms (RCV-193, DEC-10) */

/* A host whose connection is offloaded with `buffered` bytes. */
static torc_test_host *offloaded(uint32_t buffered) {
  torc_test_host *h = th_new();
  ck_assert_uint_eq(th_offload(h, buffered), TORC_STATUS_SUCCESS);
  return h;
}

/* ---- entry1: requests posted, buffered data present (D1 No, D2 Yes) ---- */

/* covers: RCV-035 RCV-001 RCV-003 */
START_TEST(test_deliver_buffered_waits_for_post) {
  /* seqno: 0..99 buffered; nothing posted -> nothing delivered, even after
   * time passes and the push interval elapses many times (RCV-035). */
  torc_test_host *h = offloaded(100);
  th_advance(h, 10 * PUSH_US);
  ck_assert_str_eq(th_trace(h), "O");
  ck_assert_uint_eq(th_delivered_len(h), 0);
  th_free(h);
}
END_TEST

/* covers: RCV-036 RCV-064 RCV-071 RCV-072 RCV-074 RCV-075 */
START_TEST(test_deliver_post_exact_fills) {
  /* seqno: 0..99 buffered; post 100 push -> filled, complete(100); D8 all
   * placed, D9 none partial -> exit. */
  torc_test_host *h = offloaded(100);
  uint64_t id = th_post(h, 100, 1);
  ck_assert_str_eq(th_trace(h), "O C[100]");
  const th_req *r = th_req_get(h, id);
  ck_assert_int_eq(r->completed, 1);
  ck_assert_uint_eq(r->status, TORC_STATUS_SUCCESS);
  th_assert_delivered_stream(h, 0, 100);
  th_advance(h, 2 * PUSH_US); /* no timer left running */
  ck_assert_str_eq(th_trace(h), "O C[100]");
  th_free(h);
}
END_TEST

/* covers: RCV-037 RCV-038 RCV-074 RCV-083 DEC-14 */
START_TEST(test_deliver_post_smaller_then_indicate_rest) {
  /* seqno: 0..99 buffered; post 60 push -> fills, complete(60); D8 No:
   * 40 left -> (B) indicate 40 (only after the completion, RCV-037). */
  torc_test_host *h = offloaded(100);
  th_post(h, 60, 1);
  ck_assert_str_eq(th_trace(h), "O C[60] I40");
  th_assert_delivered_stream(h, 0, 100);
  ck_assert_uint_eq(th_event_get(h, 2)->stream_off, 60);
  th_return_indications(h);
  th_free(h);
}
END_TEST

/* covers: RCV-060 RCV-061 RCV-093 RCV-072 DEC-19 */
START_TEST(test_deliver_batch_fifo_one_completion) {
  /* seqno: 0..99 buffered; one receive() with 30,30,30 push -> all three
   * filled in FIFO order by one placement -> ONE completion C[30,30,30]
   * (DEC-19), then 10 left -> indicate 10. */
  torc_test_host *h = offloaded(100);
  const uint32_t sizes[] = {30, 30, 30};
  uint64_t first = th_post_batch(h, sizes, 3, 1);
  ck_assert_str_eq(th_trace(h), "O C[30,30,30] I10");
  const th_event *e = th_event_get(h, 1);
  for (uint32_t i = 0; i < 3; i++) {
    ck_assert_uint_eq(e->c[i].id, first + i);
    ck_assert_uint_eq(th_req_get(h, first + i)->stream_off, 30u * i);
  }
  th_assert_delivered_stream(h, 0, 100);
  th_return_indications(h);
  th_free(h);
}
END_TEST

/* covers: RCV-060 RCV-061 RCV-036 */
START_TEST(test_deliver_fifo_across_posts) {
  /* seqno: offload 0; post 40 nonpush, post 40 nonpush (queued, D2 No);
   * segment 0..99 -> fills both in posting order: C[40,40]; 20 left, no
   * request -> indicate 20. */
  torc_test_host *h = offloaded(0);
  uint64_t a = th_post(h, 40, 0);
  uint64_t b = th_post(h, 40, 0);
  ck_assert_str_eq(th_trace(h), "O");
  th_segment(h, 0, 100, 0);
  ck_assert_str_eq(th_trace(h), "O C[40,40] I20");
  ck_assert_uint_eq(th_req_get(h, a)->stream_off, 0);
  ck_assert_uint_eq(th_req_get(h, b)->stream_off, 40);
  th_assert_delivered_stream(h, 0, 100);
  th_return_indications(h);
  th_free(h);
}
END_TEST

/* covers: RCV-075 RCV-078 RCV-080 RCV-179 DEC-09 DEC-10 */
START_TEST(test_deliver_entry1_partial_push_starts_timer) {
  /* seqno: 0..99 buffered; post 150 push -> 100 placed, partly filled,
   * push mode, D11 = No on entry 1 (DEC-09) -> D13 start timer at t=0;
   * expires at 500 ms -> complete(100). */
  torc_test_host *h = offloaded(100);
  th_post(h, 150, 1);
  ck_assert_str_eq(th_trace(h), "O");
  th_advance(h, PUSH_US - 1);
  ck_assert_str_eq(th_trace(h), "O");
  th_advance(h, 1);
  ck_assert_str_eq(th_trace(h), "O C[100]");
  ck_assert_uint_eq(th_event_get(h, 1)->time_us, PUSH_US);
  th_assert_delivered_stream(h, 0, 100);
  th_free(h);
}
END_TEST

/* covers: RCV-076 RCV-077 RCV-176 RCV-184 RCV-183 */
START_TEST(test_deliver_entry1_partial_nonpush_waits) {
  /* seqno: 0..99 buffered; post 150 nonpush -> 100 placed; D10 No -> exit,
   * no timer.  Time passes: nothing.  Segment 100..149 fills it -> C[150]. */
  torc_test_host *h = offloaded(100);
  th_post(h, 150, 0);
  th_advance(h, 10 * PUSH_US);
  ck_assert_str_eq(th_trace(h), "O");
  th_segment(h, 100, 50, 0);
  ck_assert_str_eq(th_trace(h), "O C[150]");
  th_assert_delivered_stream(h, 0, 150);
  th_free(h);
}
END_TEST

/* covers: RCV-035 RCV-036 RCV-037 RCV-074 */
START_TEST(test_deliver_buffered_sweep_request_size) {
  /* 300 bytes buffered, one push request of size s:
   *  s < 300:  C[s] I(300-s)
   *  s == 300: C[300]
   *  s > 300:  nothing until the push timer, then C[300]. */
  static const uint32_t sz[] = {1, 50, 299, 300, 301, 1000};
  uint32_t s = sz[_i];
  torc_test_host *h = offloaded(300);
  th_post(h, s, 1);
  char want[64];
  if (s < 300)
    snprintf(want, sizeof want, "O C[%u] I%u", s, 300 - s);
  else if (s == 300)
    snprintf(want, sizeof want, "O C[300]");
  else
    snprintf(want, sizeof want, "O");
  ck_assert_str_eq(th_trace(h), want);
  if (s > 300) {
    th_advance(h, PUSH_US);
    ck_assert_str_eq(th_trace(h), "O C[300]");
  }
  th_assert_delivered_stream(h, 0, 300);
  th_return_indications(h);
  th_free(h);
}
END_TEST

/* ---- entry1: no buffered data (D2 No) and D1 Yes ------------------------ */

/* covers: RCV-065 RCV-035 */
START_TEST(test_deliver_post_without_data_is_queued) {
  /* seqno: offload 0; post 100 push -> D2 No -> J1 queue, no upcall; a
   * segment 0..29 with PSH then finds it: D4 Yes -> place 30 -> partly
   * filled, push, PSH set (D11 Yes) -> complete(30). */
  torc_test_host *h = offloaded(0);
  th_post(h, 100, 1);
  th_advance(h, 2 * PUSH_US);
  ck_assert_str_eq(th_trace(h), "O");
  th_segment(h, 0, 30, TORC_TCP_PSH);
  ck_assert_str_eq(th_trace(h), "O C[30]");
  th_assert_delivered_stream(h, 0, 30);
  th_free(h);
}
END_TEST

/* covers: RCV-107 RCV-108 RCV-065 RCV-066 RCV-046 DEC-14 */
START_TEST(test_deliver_reentrant_post_takes_leftover) {
  /* seqno: 0..99 buffered; host posts 40 from inside the completion of the
   * 60 request (RCV-107): D1 Yes -> queued; when the completion returns
   * DEC-14 places the 40 left into it before any indication:
   * C[60] C[40], no indication. */
  torc_test_host *h = offloaded(100);
  uint64_t inner = th_post_in_next_completion(h, 40, 1);
  th_post(h, 60, 1);
  ck_assert_str_eq(th_trace(h), "O C[60] C[40]");
  ck_assert_int_eq(th_req_get(h, inner)->reentrant, 1);
  ck_assert_uint_eq(th_count(h, TH_EV_INDICATE), 0);
  th_assert_delivered_stream(h, 0, 100);
  th_free(h);
}
END_TEST

/* covers: RCV-107 RCV-143 DEC-14 RCV-037 */
START_TEST(test_deliver_reentrant_post_smaller_then_indicate) {
  /* seqno: 0..99 buffered; post 60 -> C[60], inside it the host posts 20;
   * DEC-14: 20 placed -> C[20]; 20 still left, no request -> I20. */
  torc_test_host *h = offloaded(100);
  th_post_in_next_completion(h, 20, 1);
  th_post(h, 60, 1);
  ck_assert_str_eq(th_trace(h), "O C[60] C[20] I20");
  th_assert_delivered_stream(h, 0, 100);
  th_return_indications(h);
  th_free(h);
}
END_TEST

/* covers: RCV-107 RCV-108 DEC-14 DEC-09 RCV-179 */
START_TEST(test_deliver_reentrant_post_larger_waits_push_timer) {
  /* seqno: 0..99 buffered; post 60 -> C[60], inside it the host posts 50
   * push; DEC-14 places 40 into it -> partly filled, PSH = No (connector A
   * after a completion, DEC-09) -> timer from t=0 -> C[40] at 500 ms. */
  torc_test_host *h = offloaded(100);
  th_post_in_next_completion(h, 50, 1);
  th_post(h, 60, 1);
  ck_assert_str_eq(th_trace(h), "O C[60]");
  th_advance(h, PUSH_US);
  ck_assert_str_eq(th_trace(h), "O C[60] C[40]");
  th_assert_delivered_stream(h, 0, 100);
  th_free(h);
}
END_TEST

/* covers: RCV-107 RCV-108 RCV-046 RCV-065 */
START_TEST(test_deliver_reentrant_post_without_data) {
  /* seqno: offload 0; post 50 nonpush; segment 0..49 fills it -> C[50];
   * inside it the host posts 30 push: queued (D1 Yes), no data left ->
   * nothing.  Segment 50..79 with PSH -> C[30]. */
  torc_test_host *h = offloaded(0);
  th_post(h, 50, 0);
  th_post_in_next_completion(h, 30, 1);
  th_segment(h, 0, 50, 0);
  ck_assert_str_eq(th_trace(h), "O C[50]");
  th_segment(h, 50, 30, TORC_TCP_PSH);
  ck_assert_str_eq(th_trace(h), "O C[50] C[30]");
  th_assert_delivered_stream(h, 0, 80);
  th_free(h);
}
END_TEST

/* ---- entry2: in-sequence segment (D3..D5) ------------------------------- */

/* covers: RCV-055 RCV-083 RCV-029 */
START_TEST(test_deliver_entry2_no_request_no_held_indicates) {
  /* seqno: offload 0; segment 0..49 -> D4 No, D5 No -> (B) indicate 50. */
  torc_test_host *h = offloaded(0);
  th_segment(h, 0, 50, 0);
  ck_assert_str_eq(th_trace(h), "O I50");
  th_assert_delivered_stream(h, 0, 50);
  th_return_indications(h);
  th_free(h);
}
END_TEST

/* covers: RCV-070 RCV-035 RCV-038 DEC-16 */
START_TEST(test_deliver_entry2_held_data_appends) {
  /* seqno: 0..99 buffered; segment 100..149 -> D4 No, D5 Yes -> appended,
   * NOT indicated (DEC-16).  Post 150 push -> C[150] with the buffered bytes
   * first (RCV-038). */
  torc_test_host *h = offloaded(100);
  th_segment(h, 100, 50, TORC_TCP_PSH);
  ck_assert_str_eq(th_trace(h), "O");
  th_post(h, 150, 1);
  ck_assert_str_eq(th_trace(h), "O C[150]");
  th_assert_delivered_stream(h, 0, 150);
  th_free(h);
}
END_TEST

/* covers: RCV-070 RCV-038 RCV-057 DEC-16 RCV-037 */
START_TEST(test_deliver_entry2_appended_then_partial_post) {
  /* seqno: 0..99 buffered; segments 100..139, 140..199 appended; post 120
   * -> C[120], 80 left -> I80 (stream offsets 120..199, in order). */
  torc_test_host *h = offloaded(100);
  th_segment(h, 100, 40, 0);
  th_segment(h, 140, 60, 0);
  ck_assert_str_eq(th_trace(h), "O");
  th_post(h, 120, 1);
  ck_assert_str_eq(th_trace(h), "O C[120] I80");
  ck_assert_uint_eq(th_event_get(h, 2)->stream_off, 120);
  th_assert_delivered_stream(h, 0, 200);
  th_return_indications(h);
  th_free(h);
}
END_TEST

/* covers: RCV-038 RCV-057 RCV-037 */
START_TEST(test_deliver_new_data_after_leftover_indication) {
  /* seqno: 0..99 buffered; post 60 -> C[60] I40 (buffered rest first);
   * segment 100..129 -> no request, no held data -> I30. */
  torc_test_host *h = offloaded(100);
  th_post(h, 60, 1);
  th_segment(h, 100, 30, 0);
  ck_assert_str_eq(th_trace(h), "O C[60] I40 I30");
  th_assert_delivered_stream(h, 0, 130);
  th_return_indications(h);
  th_free(h);
}
END_TEST

/* covers: RCV-038 RCV-057 RCV-142 RCV-070 DEC-16 */
START_TEST(test_deliver_refused_leftover_not_overtaken) {
  /* seqno: 0..99 buffered; post 60 -> C[60] I40n (host refuses);
   * segment 100..129 -> held data exists -> appended (DEC-16), no
   * indication; post 70 -> C[70] with 60..129 in order. */
  torc_test_host *h = offloaded(100);
  th_answer(h, TORC_STATUS_OFFLOAD_DATA_NOT_ACCEPTED, 0);
  th_post(h, 60, 1);
  ck_assert_str_eq(th_trace(h), "O C[60] I40n");
  th_segment(h, 100, 30, TORC_TCP_PSH);
  ck_assert_str_eq(th_trace(h), "O C[60] I40n");
  th_post(h, 70, 1);
  ck_assert_str_eq(th_trace(h), "O C[60] I40n C[70]");
  th_assert_delivered_stream(h, 0, 130);
  th_free(h);
}
END_TEST

/* ---- main path: place, complete, partial (D6..D13) ------------------------
 */

/* covers: RCV-078 RCV-079 RCV-182 RCV-071 */
START_TEST(test_deliver_entry2_psh_completes_partial) {
  /* seqno: offload 0; post 100 push; segment 0..29 no PSH -> partly filled,
   * D11 No -> timer; segment 30..59 PSH -> D11 Yes -> complete(60). */
  torc_test_host *h = offloaded(0);
  th_post(h, 100, 1);
  th_segment(h, 0, 30, 0);
  ck_assert_str_eq(th_trace(h), "O");
  th_segment(h, 30, 30, TORC_TCP_PSH);
  ck_assert_str_eq(th_trace(h), "O C[60]");
  th_advance(h, 2 * PUSH_US); /* D12: timer stopped, no second completion */
  ck_assert_str_eq(th_trace(h), "O C[60]");
  th_assert_delivered_stream(h, 0, 60);
  th_free(h);
}
END_TEST

/* covers: RCV-073 RCV-080 RCV-179 DEC-10 */
START_TEST(test_deliver_completion_stops_timer_next_request_restarts) {
  /* seqno: offload 0; post 100 push, post 100 push; t=0 segment 0..29 ->
   * req1 partly filled, timer started (deadline 500 ms); t=400 ms segment
   * 30..129 -> req1 filled -> C[100], D7 timer stopped; req2 gets 30, was
   * empty -> D13 starts the timer (deadline 900 ms, DEC-10).  Nothing at
   * 899.999 ms, C[30] at 900 ms. */
  torc_test_host *h = offloaded(0);
  th_post(h, 100, 1);
  th_post(h, 100, 1);
  th_segment(h, 0, 30, 0);
  th_advance(h, 400000);
  th_segment(h, 30, 100, 0);
  ck_assert_str_eq(th_trace(h), "O C[100]");
  th_advance(h, 499999);
  ck_assert_str_eq(th_trace(h), "O C[100]");
  th_advance(h, 1);
  ck_assert_str_eq(th_trace(h), "O C[100] C[30]");
  th_assert_delivered_stream(h, 0, 130);
  th_free(h);
}
END_TEST

/* covers: RCV-184 RCV-185 RCV-183 RCV-188 RCV-176 */
START_TEST(test_deliver_nonpush_completes_only_when_full) {
  /* seqno: offload 0; post 100 nonpush; segment 0..49 WITH PSH -> ignored
   * (RCV-185), no timer; 10 s pass; segment 50..99 fills -> C[100]. */
  torc_test_host *h = offloaded(0);
  th_post(h, 100, 0);
  th_segment(h, 0, 50, TORC_TCP_PSH);
  th_advance(h, 20 * PUSH_US);
  ck_assert_str_eq(th_trace(h), "O");
  th_segment(h, 50, 50, 0);
  ck_assert_str_eq(th_trace(h), "O C[100]");
  th_assert_delivered_stream(h, 0, 100);
  th_free(h);
}
END_TEST

/* covers: RCV-072 RCV-079 DEC-19 RCV-048 */
START_TEST(test_deliver_filled_then_partial_push_two_calls) {
  /* seqno: offload 0; post 100 nonpush, post 100 push; segment 0..149 PSH
   * -> req1 filled -> C[100]; req2 has 50, push, PSH -> completed in a
   * separate call (DEC-19): C[100] C[50]. */
  torc_test_host *h = offloaded(0);
  th_post(h, 100, 0);
  th_post(h, 100, 1);
  th_segment(h, 0, 150, TORC_TCP_PSH);
  ck_assert_str_eq(th_trace(h), "O C[100] C[50]");
  th_assert_delivered_stream(h, 0, 150);
  th_free(h);
}
END_TEST

/* covers: RCV-075 RCV-181 RCV-074 */
START_TEST(test_deliver_all_placed_none_partial_no_timer) {
  /* seqno: offload 0; post 50 push; segment 0..49 -> filled -> C[50]; D9
   * No -> exit, no timer: nothing more after time passes. */
  torc_test_host *h = offloaded(0);
  th_post(h, 50, 1);
  th_segment(h, 0, 50, 0);
  th_advance(h, 3 * PUSH_US);
  ck_assert_str_eq(th_trace(h), "O C[50]");
  th_assert_delivered_stream(h, 0, 50);
  th_free(h);
}
END_TEST

/* covers: RCV-072 RCV-060 RCV-037 */
START_TEST(test_deliver_segment_spans_many_requests) {
  /* seqno: offload 0; batch 10,20,30 push; segment 0..99 -> all filled,
   * C[10,20,30]; 40 left -> I40. */
  torc_test_host *h = offloaded(0);
  const uint32_t sizes[] = {10, 20, 30};
  th_post_batch(h, sizes, 3, 1);
  th_segment(h, 0, 100, 0);
  ck_assert_str_eq(th_trace(h), "O C[10,20,30] I40");
  th_assert_delivered_stream(h, 0, 100);
  th_return_indications(h);
  th_free(h);
}
END_TEST

/* covers: RCV-057 RCV-059 RCV-071 */
START_TEST(test_deliver_segmentation_sweep) {
  /* The same 1000 bytes under segment sizes 1+7i into one 1000-byte
   * non-push request: no upcall before the last byte, then C[1000]. */
  uint32_t seg = 1 + 7u * (uint32_t)_i;
  torc_test_host *h = offloaded(0);
  th_post(h, 1000, 0);
  for (uint32_t off = 0; off < 1000; off += seg) {
    uint32_t n = 1000 - off < seg ? 1000 - off : seg;
    ck_assert_str_eq(th_trace(h), "O");
    th_segment(h, off, n, TORC_TCP_PSH);
  }
  ck_assert_str_eq(th_trace(h), "O C[1000]");
  th_assert_delivered_stream(h, 0, 1000);
  th_free(h);
}
END_TEST

/* covers: RCV-057 RCV-036 RCV-070 */
START_TEST(test_deliver_sequence_wrap) {
  /* isn near 2^32: offload 0x80 buffered (rcv_nxt = isn + 0x80); segment
   * 0x80..0x17F crosses 2^32 for every isn of the sweep; appended; post
   * 0x180 push -> C[384]. */
  static const uint32_t isn[] = {0xFFFFFF00u, 0xFFFFFF80u, 0xFFFFFFFFu,
                                 0xFFFFFE90u};
  torc_test_host *h = th_new();
  th_set_isn(h, isn[_i]);
  ck_assert_uint_eq(th_offload(h, 0x80), TORC_STATUS_SUCCESS);
  th_segment(h, 0x80, 0x100, 0);
  th_post(h, 0x180, 1);
  ck_assert_str_eq(th_trace(h), "O C[384]");
  th_assert_delivered_stream(h, 0, 0x180);
  th_free(h);
}
END_TEST

/* ---- zero-byte and prefilled requests (DEC-20, DEC-12) ------------------ */

/* covers: RCV-114 RCV-115 RCV-116 RCV-117 DEC-20 */
START_TEST(test_deliver_zero_byte_with_buffered) {
  /* seqno: 0..99 buffered; post 0 -> full from the start, placement reaches
   * it with data to place -> C[0]; it consumed nothing -> I100. */
  torc_test_host *h = offloaded(100);
  uint64_t id = th_post(h, 0, 1);
  ck_assert_str_eq(th_trace(h), "O C[0] I100");
  ck_assert_uint_eq(th_req_get(h, id)->status, TORC_STATUS_SUCCESS);
  th_assert_delivered_stream(h, 0, 100);
  th_return_indications(h);
  th_free(h);
}
END_TEST

/* covers: RCV-114 RCV-117 DEC-20 RCV-065 */
START_TEST(test_deliver_zero_byte_waits_for_data) {
  /* seqno: offload 0; post 0 -> no data: queued; segment 0..49 -> C[0],
   * then 50 left, no request -> I50. */
  torc_test_host *h = offloaded(0);
  th_post(h, 0, 0);
  ck_assert_str_eq(th_trace(h), "O");
  th_segment(h, 0, 50, 0);
  ck_assert_str_eq(th_trace(h), "O C[0] I50");
  th_assert_delivered_stream(h, 0, 50);
  th_return_indications(h);
  th_free(h);
}
END_TEST

/* covers: RCV-117 DEC-20 DEC-19 RCV-061 */
START_TEST(test_deliver_zero_byte_first_in_batch) {
  /* seqno: 0..99 buffered; batch 0,50 -> zero-byte reached with data:
   * complete; 50 filled: one call C[0,50]; 50 left -> I50. */
  torc_test_host *h = offloaded(100);
  const uint32_t sizes[] = {0, 50};
  th_post_batch(h, sizes, 2, 1);
  ck_assert_str_eq(th_trace(h), "O C[0,50] I50");
  th_assert_delivered_stream(h, 0, 100);
  th_return_indications(h);
  th_free(h);
}
END_TEST

/* covers: RCV-117 DEC-20 RCV-061 */
START_TEST(test_deliver_zero_byte_after_exact_fill) {
  /* seqno: 0..49 buffered; batch 50,0 -> 50 filled: C[50]; the zero-byte
   * request is reached with no data left -> stays; segment 50..59 -> C[0]
   * then I10. */
  torc_test_host *h = offloaded(50);
  const uint32_t sizes[] = {50, 0};
  uint64_t first = th_post_batch(h, sizes, 2, 1);
  ck_assert_str_eq(th_trace(h), "O C[50]");
  ck_assert_int_eq(th_req_get(h, first + 1)->completed, 0);
  th_segment(h, 50, 10, 0);
  ck_assert_str_eq(th_trace(h), "O C[50] C[0] I10");
  th_assert_delivered_stream(h, 0, 60);
  th_return_indications(h);
  th_free(h);
}
END_TEST

/* covers: RCV-187 RCV-113 DEC-12 RCV-112 */
START_TEST(test_deliver_prefilled_nonpush) {
  /* seqno: 0..99 buffered; non-push request of 50 with 20 prefilled: room
   * 30 -> filled -> C[30] (bytes placed, not counting prefilled); 70 left
   * -> I70.  The host checks the 20 prefilled bytes are untouched. */
  torc_test_host *h = offloaded(100);
  uint64_t id = th_post_prefilled(h, 50, 20, 0);
  ck_assert_str_eq(th_trace(h), "O C[30] I70");
  ck_assert_uint_eq(th_req_get(h, id)->bytes, 30);
  th_assert_delivered_stream(h, 0, 100);
  th_return_indications(h);
  th_free(h);
}
END_TEST

/* covers: RCV-187 RCV-188 DEC-12 */
START_TEST(test_deliver_prefilled_nonpush_filled_by_segments) {
  /* seqno: offload 0; non-push 100 with 60 prefilled; segment 0..29 -> not
   * full; segment 30..39 -> 40 placed = room -> C[40]. */
  torc_test_host *h = offloaded(0);
  th_post_prefilled(h, 100, 60, 0);
  th_segment(h, 0, 30, TORC_TCP_PSH);
  ck_assert_str_eq(th_trace(h), "O");
  th_segment(h, 30, 10, 0);
  ck_assert_str_eq(th_trace(h), "O C[40]");
  th_assert_delivered_stream(h, 0, 40);
  th_free(h);
}
END_TEST

/* covers: RCV-180 DEC-12 DEC-10 RCV-088 */
START_TEST(test_deliver_prefilled_push_starts_timer_at_once) {
  /* Robustness (the host never does this, RCV-186): offload 0; push request
   * 50 with 20 prefilled -> timer starts at post (DEC-12); it is partly
   * filled -> expiry at 500 ms completes it with 0 target bytes: C[0]. */
  torc_test_host *h = offloaded(0);
  th_post_prefilled(h, 50, 20, 1);
  th_advance(h, PUSH_US - 1);
  ck_assert_str_eq(th_trace(h), "O");
  th_advance(h, 1);
  ck_assert_str_eq(th_trace(h), "O C[0]");
  th_free(h);
}
END_TEST

/* covers: RCV-091 RCV-092 RCV-122 RCV-046 */
START_TEST(test_deliver_host_rules_hold_in_mixed_run) {
  /* A longer run mixing every entry: the host invariants (PENDING, handle,
   * serialization, FIFO) must hold and the stream arrive whole.
   * seqno: 0..199 buffered; post 50 -> C[50] I150; segment 200..299 -> I100;
   * post 30 push, 30 nonpush; segment 300..359 -> C[30,30]; segment
   * 360..399 -> I40. */
  torc_test_host *h = offloaded(200);
  th_set_auto_return(h, 1);
  th_post(h, 50, 1);
  th_segment(h, 200, 100, 0);
  th_post(h, 30, 1);
  th_post(h, 30, 0);
  th_segment(h, 300, 60, 0);
  th_segment(h, 360, 40, TORC_TCP_PSH);
  ck_assert_str_eq(th_trace(h), "O C[50] I150 I100 C[30,30] I40");
  ck_assert_uint_eq(th_outstanding_indications(h), 0);
  th_check_invariants(h);
  th_assert_delivered_stream(h, 0, 400);
  th_free(h);
}
END_TEST

extern Suite *deliver_suite(void); /* found by reference/module.mk */
Suite *deliver_suite(void) {
  Suite *s = suite_create("deliver");
  TCase *tc = tcase_create("entry1");
  tcase_add_test(tc, test_deliver_buffered_waits_for_post);
  tcase_add_test(tc, test_deliver_post_exact_fills);
  tcase_add_test(tc, test_deliver_post_smaller_then_indicate_rest);
  tcase_add_test(tc, test_deliver_batch_fifo_one_completion);
  tcase_add_test(tc, test_deliver_fifo_across_posts);
  tcase_add_test(tc, test_deliver_entry1_partial_push_starts_timer);
  tcase_add_test(tc, test_deliver_entry1_partial_nonpush_waits);
  tcase_add_loop_test(tc, test_deliver_buffered_sweep_request_size, 0, 6);
  tcase_add_test(tc, test_deliver_post_without_data_is_queued);
  suite_add_tcase(s, tc);

  tc = tcase_create("reentrant");
  tcase_add_test(tc, test_deliver_reentrant_post_takes_leftover);
  tcase_add_test(tc, test_deliver_reentrant_post_smaller_then_indicate);
  tcase_add_test(tc, test_deliver_reentrant_post_larger_waits_push_timer);
  tcase_add_test(tc, test_deliver_reentrant_post_without_data);
  suite_add_tcase(s, tc);

  tc = tcase_create("entry2");
  tcase_add_test(tc, test_deliver_entry2_no_request_no_held_indicates);
  tcase_add_test(tc, test_deliver_entry2_held_data_appends);
  tcase_add_test(tc, test_deliver_entry2_appended_then_partial_post);
  tcase_add_test(tc, test_deliver_new_data_after_leftover_indication);
  tcase_add_test(tc, test_deliver_refused_leftover_not_overtaken);
  suite_add_tcase(s, tc);

  tc = tcase_create("main_path");
  tcase_add_test(tc, test_deliver_entry2_psh_completes_partial);
  tcase_add_test(tc, test_deliver_completion_stops_timer_next_request_restarts);
  tcase_add_test(tc, test_deliver_nonpush_completes_only_when_full);
  tcase_add_test(tc, test_deliver_filled_then_partial_push_two_calls);
  tcase_add_test(tc, test_deliver_all_placed_none_partial_no_timer);
  tcase_add_test(tc, test_deliver_segment_spans_many_requests);
  tcase_add_loop_test(tc, test_deliver_segmentation_sweep, 0, 8);
  tcase_add_loop_test(tc, test_deliver_sequence_wrap, 0, 4);
  tcase_add_test(tc, test_deliver_host_rules_hold_in_mixed_run);
  suite_add_tcase(s, tc);

  tc = tcase_create("special_requests");
  tcase_add_test(tc, test_deliver_zero_byte_with_buffered);
  tcase_add_test(tc, test_deliver_zero_byte_waits_for_data);
  tcase_add_test(tc, test_deliver_zero_byte_first_in_batch);
  tcase_add_test(tc, test_deliver_zero_byte_after_exact_fill);
  tcase_add_test(tc, test_deliver_prefilled_nonpush);
  tcase_add_test(tc, test_deliver_prefilled_nonpush_filled_by_segments);
  tcase_add_test(tc, test_deliver_prefilled_push_starts_timer_at_once);
  suite_add_tcase(s, tc);
  return s;
}
