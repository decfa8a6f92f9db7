/*
 * test_disconnect.c - Check tests of what the reference does around the
 * disconnect indication: when it is made (DEC-30: not while bytes the
 * target placed sit in a request it has not completed), what becomes of
 * requests posted before and after it (DEC-18: RCV-254 names INVALID_STATE
 * for the later ones only, in posting order, RCV-061), and the RcvNxt the
 * terminate hands back once a FIN was accepted (DEC-28).
 *
 * Sits on the recording test host (torc_test_host.h).  Every expectation
 * was worked out by hand from delivery-algorithm.md and docs/DECISIONS.md;
 * traces use th_trace()'s notation ("O C[100] Ed T0").
 */
#include <check.h>

#include "torc_test_host.h"

static torc_test_host *offloaded(void) {
  torc_test_host *h = th_new();
  ck_assert_uint_eq(th_offload(h, 0), TORC_STATUS_SUCCESS);
  return h;
}

/* The terminate's event (the last one) and its RcvNxt. */
static uint32_t terminate_rcv_nxt(torc_test_host *h) {
  const th_event *e = th_event_get(h, th_nevents(h) - 1);
  return e->rcv_nxt;
}

/* covers: DEC-30 RCV-255 RCV-184 RCV-077 DEC-06 DEC-28 */
START_TEST(test_disconnect_waits_for_placed_bytes) {
  torc_test_host *h = offloaded();
  uint64_t id = th_post(h, 1000, 0);
  /* 100 bytes and the FIN: the bytes go straight into the non-push
   * request, which the FIN does not complete (RCV-184).  Those bytes are
   * not yet the application's (RCV-255), so no disconnect. */
  th_segment(h, 0, 100, TORC_TCP_FIN);
  th_advance(h, 5000000); /* a non-push request has no push timer */
  ck_assert_str_eq(th_trace(h), "O");
  ck_assert_int_eq(th_req_get(h, id)->completed, 0);
  /* The terminate completes it with its 100 bytes (DEC-06); RcvNxt counts
   * the FIN (DEC-28): 100 data bytes and the FIN after them. */
  th_terminate(h);
  ck_assert_str_eq(th_trace(h), "O C[100] T0");
  ck_assert_uint_eq(terminate_rcv_nxt(h), th_seq(h, 101));
  th_assert_delivered_stream(h, 0, 100);
  th_check_invariants(h);
  th_free(h);
}
END_TEST

/* covers: DEC-18 RCV-254 RCV-061 DEC-06 RCV-230 */
START_TEST(test_disconnect_later_post_waits_behind_earlier) {
  torc_test_host *h = offloaded();
  uint64_t a = th_post(h, 1000, 1);
  /* A bare FIN at RcvNxt: nothing held, nothing placed -> disconnect.
   * Request a was posted before it and stays pending. */
  th_segment(h, 0, 0, TORC_TCP_FIN);
  ck_assert_str_eq(th_trace(h), "O Ed");
  /* b is posted after the disconnect: INVALID_STATE (RCV-254), but not
   * ahead of a (RCV-061). */
  uint64_t b = th_post(h, 50, 0);
  ck_assert_str_eq(th_trace(h), "O Ed");
  /* The terminate: a as DEC-06 says (empty -> UPLOAD_IN_PROGRESS), then b
   * with the status it was owed. */
  th_terminate(h);
  ck_assert_str_eq(th_trace(h), "O Ed C[0u] C[0i] T0");
  ck_assert_uint_eq(th_req_get(h, a)->status, TORC_STATUS_UPLOAD_IN_PROGRESS);
  ck_assert_uint_eq(th_req_get(h, b)->status, TORC_STATUS_INVALID_STATE);
  ck_assert_uint_eq(terminate_rcv_nxt(h), th_seq(h, 1));
  th_check_invariants(h);
  th_free(h);
}
END_TEST

/* covers: DEC-18 RCV-254 */
START_TEST(test_disconnect_post_with_none_pending_completes_at_once) {
  torc_test_host *h = offloaded();
  th_segment(h, 0, 0, TORC_TCP_FIN);
  th_post(h, 50, 1);
  th_post(h, 0, 0);
  ck_assert_str_eq(th_trace(h), "O Ed C[0i] C[0i]");
  th_check_invariants(h);
  th_free(h);
}
END_TEST

/* covers: DEC-28 DEC-07 RCV-208 RCV-125 */
START_TEST(test_terminate_rcv_nxt_counts_fin_not_indicated) {
  torc_test_host *h = offloaded();
  /* 100 bytes, no request: indicated and refused -> held. */
  th_set_default_answer(h, TORC_STATUS_OFFLOAD_DATA_NOT_ACCEPTED, 0);
  th_segment(h, 0, 100, 0);
  ck_assert_str_eq(th_trace(h), "O I100n");
  /* A bare FIN at RcvNxt: accepted (RcvNxt passes it) but not indicated,
   * held data remains (RCV-255). */
  th_segment(h, 100, 0, TORC_TCP_FIN);
  ck_assert_str_eq(th_trace(h), "O I100n");
  /* The held bytes go back in BufferedData, [0, 100); RcvNxt is one past
   * the FIN, so the host learns of it from the RcvNxt alone. */
  th_terminate(h);
  ck_assert_str_eq(th_trace(h), "O I100n T100");
  ck_assert_uint_eq(terminate_rcv_nxt(h), th_seq(h, 101));
  th_check_invariants(h);
  th_free(h);
}
END_TEST

/* covers: DEC-18 DEC-28 RCV-255 */
START_TEST(test_terminate_rcv_nxt_counts_indicated_fin) {
  torc_test_host *h = offloaded();
  th_segment(h, 0, 0, TORC_TCP_FIN);
  th_terminate(h);
  ck_assert_str_eq(th_trace(h), "O Ed T0");
  ck_assert_uint_eq(terminate_rcv_nxt(h), th_seq(h, 1));
  th_free(h);
}
END_TEST

Suite *disconnect_suite(void);
Suite *disconnect_suite(void) {
  Suite *s = suite_create("disconnect");
  TCase *tc = tcase_create("disconnect");
  tcase_add_test(tc, test_disconnect_waits_for_placed_bytes);
  tcase_add_test(tc, test_disconnect_later_post_waits_behind_earlier);
  tcase_add_test(tc, test_disconnect_post_with_none_pending_completes_at_once);
  tcase_add_test(tc, test_terminate_rcv_nxt_counts_fin_not_indicated);
  tcase_add_test(tc, test_terminate_rcv_nxt_counts_indicated_fin);
  suite_add_tcase(s, tc);
  return s;
}
