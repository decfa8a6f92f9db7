/*
 * test_offload.c - the "offload" suite: initiate offload with host-buffered
 * receive data (RCV-001..RCV-034 where a host can observe them).
 *
 * The test host hands BufferedData as a real chain of torc_buffer_list /
 * torc_fragment over its own copy of the stream, and poisons (0xA5) and frees
 * that copy as soon as the target completes the offload (RCV-011): any byte
 * the target did not copy before completing shows up as a wrong delivered
 * byte or an ASan/valgrind error.  Allocation failures go through the host's
 * alloc hook (DEC-05, STYLE R16).  Expected traces are worked out by hand;
 * trace letters as in test_deliver.c.
 */
#include <check.h>
#include <stdio.h>

#include "torc_test_host.h"

#define PUSH_US 500000u

/* ---- copy of BufferedData -------------------------------------------------
 */

/* covers: RCV-003 RCV-004 RCV-007 RCV-008 RCV-011 RCV-012 RCV-016 */
START_TEST(test_offload_buffered_copied_before_completion) {
  /* seqno: 0..99 buffered in one fragment; the host poisons it inside the
   * completion; post 100 -> C[100] must still carry stream 0..99. */
  torc_test_host *h = th_new();
  ck_assert_uint_eq(th_offload(h, 100), TORC_STATUS_SUCCESS);
  ck_assert_str_eq(th_trace(h), "O");
  th_post(h, 100, 1);
  ck_assert_str_eq(th_trace(h), "O C[100]");
  th_assert_delivered_stream(h, 0, 100);
  th_free(h);
}
END_TEST

/* Chain shapes: fragment sizes and fragments per list. */
typedef struct shape {
  uint32_t frag[8];
  uint32_t nfrags, per_list;
} shape;

static const shape shapes[] = {
    {{100}, 1, 1},                     /* one list, one fragment */
    {{10, 20, 30, 40}, 4, 0},          /* one list, four fragments */
    {{10, 20, 30, 40}, 4, 1},          /* four lists of one */
    {{1, 1, 1, 1, 1, 1, 1, 93}, 8, 3}, /* 3+3+2 */
    {{0, 50, 0, 50}, 4, 2},            /* zero-length fragments */
    {{50, 0, 0, 50}, 4, 1},            /* lists holding only empty frags */
    {{0, 0, 0, 100}, 4, 4},            /* leading empty fragments */
    {{99, 1}, 2, 1},                   /* last byte in its own list */
    {{1000, 3000, 96}, 3, 2},          /* larger */
};
#define NSHAPES ((int)(sizeof shapes / sizeof shapes[0]))

static uint32_t shape_total(const shape *s) {
  uint32_t t = 0;
  for (uint32_t i = 0; i < s->nfrags; i++)
    t += s->frag[i];
  return t;
}

/* covers: RCV-004 RCV-005 RCV-006 RCV-007 RCV-033 RCV-036 */
START_TEST(test_offload_chain_shapes) {
  /* Every shape: bytes are the stream's first `total` bytes in list and
   * fragment order; one push request of exactly total -> C[total]. */
  const shape *s = &shapes[_i];
  uint32_t total = shape_total(s);
  torc_test_host *h = th_new();
  ck_assert_uint_eq(th_offload_frags(h, s->frag, s->nfrags, s->per_list),
                    TORC_STATUS_SUCCESS);
  th_post(h, total, 1);
  char want[32];
  snprintf(want, sizeof want, "O C[%u]", total);
  ck_assert_str_eq(th_trace(h), want);
  th_assert_delivered_stream(h, 0, total);
  th_free(h);
}
END_TEST

/* covers: RCV-006 RCV-036 RCV-037 RCV-060 */
START_TEST(test_offload_chain_shapes_split_delivery) {
  /* Same shapes, delivered through two requests of 1/3 and 1/3 of the data
   * and an indication of the rest: the fragment boundaries must not show. */
  const shape *s = &shapes[_i];
  uint32_t total = shape_total(s);
  uint32_t a = total / 3, b = total / 3;
  torc_test_host *h = th_new();
  ck_assert_uint_eq(th_offload_frags(h, s->frag, s->nfrags, s->per_list),
                    TORC_STATUS_SUCCESS);
  const uint32_t sizes[] = {a, b};
  th_post_batch(h, sizes, 2, 1);
  char want[48];
  snprintf(want, sizeof want, "O C[%u,%u] I%u", a, b, total - a - b);
  ck_assert_str_eq(th_trace(h), want);
  th_assert_delivered_stream(h, 0, total);
  th_return_indications(h);
  th_free(h);
}
END_TEST

/* covers: RCV-009 RCV-035 RCV-065 */
START_TEST(test_offload_no_buffered_data) {
  /* buffered_data NULL: offload succeeds; a post finds nothing (D2 No) ->
   * no upcall, even after the push interval. */
  torc_test_host *h = th_new();
  ck_assert_uint_eq(th_offload(h, 0), TORC_STATUS_SUCCESS);
  th_post(h, 10, 1);
  th_advance(h, 2 * PUSH_US);
  ck_assert_str_eq(th_trace(h), "O");
  ck_assert_uint_eq(th_delivered_len(h), 0);
  th_free(h);
}
END_TEST

/* covers: RCV-004 RCV-009 RCV-035 */
START_TEST(test_offload_only_empty_fragments) {
  /* A chain of two lists holding only zero-length fragments: 0 bytes
   * buffered; rcv_nxt = isn.  A post finds nothing; segment 0..9 with PSH
   * is in sequence and fills... a 10-byte request -> C[10]. */
  static const uint32_t frags[] = {0, 0, 0};
  torc_test_host *h = th_new();
  ck_assert_uint_eq(th_offload_frags(h, frags, 3, 2), TORC_STATUS_SUCCESS);
  th_post(h, 10, 1);
  ck_assert_str_eq(th_trace(h), "O");
  th_segment(h, 0, 10, TORC_TCP_PSH);
  ck_assert_str_eq(th_trace(h), "O C[10]");
  th_assert_delivered_stream(h, 0, 10);
  th_free(h);
}
END_TEST

/* ---- buffered data ends at rcv_nxt (RCV-005, RCV-006) --------------------
 */

/* covers: RCV-005 RCV-006 RCV-038 RCV-070 */
START_TEST(test_offload_segment_at_rcv_nxt_follows_buffered) {
  /* seqno: 0..99 buffered, rcv_nxt = isn + 100; segment 100..149 is in
   * sequence -> appended (DEC-16); post 150 nonpush -> C[150]. */
  torc_test_host *h = th_new();
  ck_assert_uint_eq(th_offload(h, 100), TORC_STATUS_SUCCESS);
  th_segment(h, 100, 50, 0);
  th_post(h, 150, 0);
  ck_assert_str_eq(th_trace(h), "O C[150]");
  th_assert_delivered_stream(h, 0, 150);
  th_free(h);
}
END_TEST

/* covers: RCV-005 RCV-006 RCV-057 */
START_TEST(test_offload_old_segment_not_delivered_twice) {
  /* seqno: 0..99 buffered; a retransmission of 80..99 (left of rcv_nxt)
   * is a duplicate: dropped; a segment 90..119 overlapping rcv_nxt gives
   * only 100..119.  Post 120 -> C[120], each byte once. */
  torc_test_host *h = th_new();
  ck_assert_uint_eq(th_offload(h, 100), TORC_STATUS_SUCCESS);
  th_segment(h, 80, 20, 0);
  th_segment(h, 90, 30, 0);
  th_post(h, 120, 1);
  ck_assert_str_eq(th_trace(h), "O C[120]");
  th_assert_delivered_stream(h, 0, 120);
  th_free(h);
}
END_TEST

/* covers: RCV-006 RCV-057 */
START_TEST(test_offload_isn_sweep_wrap) {
  /* rcv_nxt = isn + 100 for isn around 2^32 and 2^31: buffered data and
   * the following segment straddle the wrap in some runs; post 300 ->
   * C[300]. */
  static const uint32_t isn[] = {0, 0xFFFFFF00u, 0xFFFFFFFFu - 49, 0x7FFFFFF0u,
                                 0xFFFFFF9Cu};
  torc_test_host *h = th_new();
  th_set_isn(h, isn[_i]);
  ck_assert_uint_eq(th_offload(h, 100), TORC_STATUS_SUCCESS);
  th_segment(h, 100, 200, 0);
  th_post(h, 300, 1);
  ck_assert_str_eq(th_trace(h), "O C[300]");
  th_assert_delivered_stream(h, 0, 300);
  th_free(h);
}
END_TEST

/* ---- completion order (RCV-027, RCV-032) ----------------------------------
 */

/* covers: RCV-015 RCV-027 RCV-032 DEC-22 */
START_TEST(test_offload_completion_first_and_once) {
  /* The offload completes once (DEC-22: inside initiate_offload is fine),
   * before any other upcall; the first data upcall comes after it. */
  torc_test_host *h = th_new();
  ck_assert_uint_eq(th_offload(h, 0), TORC_STATUS_SUCCESS);
  th_segment(h, 0, 10, 0);
  ck_assert_str_eq(th_trace(h), "O I10");
  ck_assert_int_eq(th_count(h, TH_EV_OFFLOAD_DONE), 1);
  ck_assert_int_eq(th_event_get(h, 0)->type, TH_EV_OFFLOAD_DONE);
  th_return_indications(h);
  th_free(h);
}
END_TEST

/* covers: RCV-002 RCV-035 RCV-033 */
START_TEST(test_offload_buffered_not_indicated_at_offload) {
  /* Host-buffered data is never indicated by itself: 500 bytes buffered,
   * segments of new data appended, time passing -> no upcall at all
   * (RCV-035, DEC-16). */
  torc_test_host *h = th_new();
  ck_assert_uint_eq(th_offload(h, 500), TORC_STATUS_SUCCESS);
  th_segment(h, 500, 100, TORC_TCP_PSH);
  th_advance(h, 5 * PUSH_US);
  ck_assert_str_eq(th_trace(h), "O");
  th_free(h);
}
END_TEST

/* covers: RCV-033 RCV-171 DEC-07 */
START_TEST(test_offload_then_terminate_hands_buffered_back) {
  /* seqno: 0..99 buffered, never posted for; terminate -> handed back 100
   * bytes (DEC-07) with rcv_nxt = isn + 100. */
  torc_test_host *h = th_new();
  ck_assert_uint_eq(th_offload(h, 100), TORC_STATUS_SUCCESS);
  th_terminate(h);
  ck_assert_str_eq(th_trace(h), "O T100");
  ck_assert_uint_eq(th_event_get(h, 1)->rcv_nxt, th_seq(h, 100));
  ck_assert_uint_eq(th_handback_len(h), 100);
  th_free(h); /* checks the handed-back bytes are stream 0..99 */
}
END_TEST

/* ---- receive window with buffered data (DEC-15) ---------------------------
 */

/* covers: RCV-006 DEC-15 */
START_TEST(test_offload_window_counts_buffered) {
  /* rcv_wnd 1000, 100 buffered: right edge = rcv_nxt + 1000 (DEC-15:
   * RcvWnd = 1000 + 100 - 100 held).  Segment 100..1199 -> 100..1099
   * accepted, 1100..1199 trimmed.  Post 1100 -> C[1100]; the edge then moves
   * to isn + 2200 and the retransmitted 1100..1199 is indicated: I100. */
  torc_test_host *h = th_new();
  th_set_rcv_wnd(h, 1000);
  th_set_initial_rcv_wnd(h, 0); /* not given: DEC-15's W, not DEC-23's */
  ck_assert_uint_eq(th_offload(h, 100), TORC_STATUS_SUCCESS);
  th_segment(h, 100, 1100, 0);
  th_post(h, 1100, 0);
  ck_assert_str_eq(th_trace(h), "O C[1100]");
  th_segment(h, 1100, 100, 0);
  ck_assert_str_eq(th_trace(h), "O C[1100] I100");
  th_assert_delivered_stream(h, 0, 1200);
  th_return_indications(h);
  th_free(h);
}
END_TEST

/* ---- allocation failures (DEC-05) ----------------------------------------
 */

/* covers: RCV-010 RCV-019 RCV-023 DEC-05 */
START_TEST(test_offload_copy_alloc_failure_status) {
  /* The offload with 100 buffered bytes, failing the i-th allocation the
   * target makes during initiate_offload for every i that happens: the
   * offload fails with NDIS_STATUS_FAILURE (DEC-05, RCV-010) and nothing is
   * ever delivered afterwards (RCV-017). */
  torc_test_host *h = th_new();
  uint64_t base = th_alloc_count(h);
  ck_assert_uint_eq(th_offload(h, 100), TORC_STATUS_SUCCESS);
  uint64_t n = th_alloc_count(h) - base;
  th_free(h);
  ck_assert_msg(n >= 1, "the target copied BufferedData without allocating");
  for (uint64_t i = 1; i <= n; i++) {
    h = th_new();
    th_fail_alloc_at(h, i);
    uint32_t st = th_offload(h, 100);
    ck_assert_msg(st == TORC_STATUS_FAILURE,
                  "allocation %llu of %llu failed: offload status expected "
                  "0x%x vs actual 0x%x",
                  (unsigned long long)i, (unsigned long long)n,
                  TORC_STATUS_FAILURE, st);
    ck_assert_int_eq(th_alloc_failed(h), 1);
    th_segment(h, 100, 50, TORC_TCP_PSH);
    th_advance(h, 2 * PUSH_US);
    ck_assert_str_eq(th_trace(h), "O!");
    ck_assert_uint_eq(th_delivered_len(h), 0);
    th_free(h); /* no leak after the failed offload */
  }
}
END_TEST

/* covers: RCV-017 RCV-027 DEC-05 */
START_TEST(test_offload_failed_is_silent) {
  /* After a failed offload (first allocation fails) the target makes no
   * upcall for the connection: segments and time give nothing. */
  torc_test_host *h = th_new();
  th_fail_alloc_at(h, 1);
  ck_assert_uint_eq(th_offload(h, 64), TORC_STATUS_FAILURE);
  for (uint32_t i = 0; i < 4; i++)
    th_segment(h, 64 + 16u * i, 16, 0);
  th_advance(h, 3 * PUSH_US);
  ck_assert_str_eq(th_trace(h), "O!");
  ck_assert_int_eq(th_violations(h), 0);
  th_free(h);
}
END_TEST

/* A scenario run by TH_FAILMALLOC_RUN: it asserts only what holds with or
 * without an allocation failure.  seqno: 0..199 buffered in 4 fragments;
 * post 50; segment 200..299; post 300 nonpush; segment 300..349. */
static void scenario_offload_and_deliver(torc_test_host *h) {
  static const uint32_t frags[] = {50, 50, 0, 100};
  uint32_t st = th_offload_frags(h, frags, 4, 2);
  if (st != TORC_STATUS_SUCCESS) {
    ck_assert_uint_eq(st, TORC_STATUS_FAILURE); /* DEC-05 */
    th_segment(h, 200, 100, 0);
    ck_assert_str_eq(th_trace(h), "O!");
    return;
  }
  th_set_auto_return(h, 1);
  th_post(h, 50, 1);
  th_segment(h, 200, 100, 0);
  th_post(h, 300, 0);
  th_segment(h, 300, 50, TORC_TCP_PSH);
  if (!th_alloc_failed(h)) {
    /* C[50] I150; segment 200..299: held data? no (indicated and
     * accepted) -> I100; post 300 nonpush: nothing held -> queued; segment
     * 300..349 -> 50 placed, non-push -> waits. */
    ck_assert_str_eq(th_trace(h), "O C[50] I150 I100");
    th_assert_delivered_stream(h, 0, 300);
  }
  /* In every run th_free checks: no violation, delivered bytes are a
   * prefix of the stream (no byte lost inside, duplicated or reordered),
   * no leak. */
}

/* covers: RCV-010 DEC-05 RCV-057 */
START_TEST(test_offload_failmalloc_scenario) {
  uint64_t n = TH_FAILMALLOC_RUN(scenario_offload_and_deliver);
  ck_assert_uint_ge(n, 1);
}
END_TEST

/* A scenario with many small allocations: 40 segments appended to held
 * data, then a terminate. */
static void scenario_append_and_terminate(torc_test_host *h) {
  if (th_offload(h, 10) != TORC_STATUS_SUCCESS)
    return;
  for (uint32_t i = 0; i < 40; i++)
    th_segment(h, 10 + 5u * i, 5, 0);
  th_terminate(h);
  if (!th_alloc_failed(h))
    ck_assert_str_eq(th_trace(h), "O T210");
  /* else: a segment the target could not store is dropped (never
   * acknowledged); th_free checks delivered + handed back == stream up to
   * the reported rcv_nxt (DEC-07). */
}

/* covers: RCV-010 DEC-05 DEC-07 */
START_TEST(test_offload_failmalloc_append_terminate) {
  uint64_t n = TH_FAILMALLOC_RUN(scenario_append_and_terminate);
  ck_assert_uint_ge(n, 1);
}
END_TEST

extern Suite *offload_suite(void); /* found by reference/module.mk */
Suite *offload_suite(void) {
  Suite *s = suite_create("offload");
  TCase *tc = tcase_create("buffered_copy");
  tcase_add_test(tc, test_offload_buffered_copied_before_completion);
  tcase_add_loop_test(tc, test_offload_chain_shapes, 0, NSHAPES);
  tcase_add_loop_test(tc, test_offload_chain_shapes_split_delivery, 0, NSHAPES);
  tcase_add_test(tc, test_offload_no_buffered_data);
  tcase_add_test(tc, test_offload_only_empty_fragments);
  tcase_add_test(tc, test_offload_buffered_not_indicated_at_offload);
  tcase_add_test(tc, test_offload_then_terminate_hands_buffered_back);
  suite_add_tcase(s, tc);

  tc = tcase_create("rcv_nxt");
  tcase_add_test(tc, test_offload_segment_at_rcv_nxt_follows_buffered);
  tcase_add_test(tc, test_offload_old_segment_not_delivered_twice);
  tcase_add_loop_test(tc, test_offload_isn_sweep_wrap, 0, 5);
  tcase_add_test(tc, test_offload_window_counts_buffered);
  suite_add_tcase(s, tc);

  tc = tcase_create("completion");
  tcase_add_test(tc, test_offload_completion_first_and_once);
  suite_add_tcase(s, tc);

  tc = tcase_create("alloc_failure");
  tcase_add_test(tc, test_offload_copy_alloc_failure_status);
  tcase_add_test(tc, test_offload_failed_is_silent);
  tcase_add_test(tc, test_offload_failmalloc_scenario);
  tcase_add_test(tc, test_offload_failmalloc_append_terminate);
  suite_add_tcase(s, tc);
  return s;
}
