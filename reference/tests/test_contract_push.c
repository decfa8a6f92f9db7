/*
 * test_contract_push.c - Check tests of push and non-push requests as the
 * host sees them through torc/target.h: both kinds in one connection
 * (RCV-176, RCV-177), the push timer after weeks of virtual time (RCV-200)
 * and counted from the first byte placed, not from the offload (RCV-195,
 * DEC-10).
 *
 * One of the test_contract_*.c files (see contract_host.h for what they
 * share); its suite is named "contract" like the others, so
 * CK_RUN_SUITE=contract runs them all.
 */
#include <check.h>

#include "contract_host.h"
#include "torc_test_host.h"

/* ---- Push and non-push ---------------------------------------------------
 */

/* covers: RCV-177 RCV-176 RCV-178 RCV-183 RCV-184 */
START_TEST(test_contract_push_and_nonpush_in_one_connection) {
  torc_test_host *h = contract_host(0);
  th_post(h, 100, 0); /* A: non-push */
  th_post(h, 100, 1); /* B: push */
  /* 50 with PSH into A: non-push, stays (D10 No). */
  th_segment(h, 0, 50, TORC_TCP_PSH);
  ck_assert_str_eq(th_trace(h), "O");
  /* 80 more: A filled -> C[100]; 30 into B, push, no PSH -> timer. */
  th_segment(h, 50, 80, 0);
  ck_assert_str_eq(th_trace(h), "O C[100]");
  th_advance(h, PUSH_US);
  ck_assert_str_eq(th_trace(h), "O C[100] C[30]");
  /* Non-push C: neither PSH nor time completes it. */
  th_post(h, 100, 0);
  th_segment(h, 130, 10, TORC_TCP_PSH);
  th_advance(h, 10 * PUSH_US);
  ck_assert_str_eq(th_trace(h), "O C[100] C[30]");
  th_segment(h, 140, 90, 0);
  ck_assert_str_eq(th_trace(h), "O C[100] C[30] C[100]");
  th_assert_delivered_stream(h, 0, 230);
  th_free(h);
}
END_TEST

/* ---- Timers after weeks --------------------------------------------------
 */

/* Posts a push request, sends 10 bytes (timer starts now) and checks it
 * fires exactly one interval later. */
static void push_round(torc_test_host *h, uint64_t off, int round) {
  th_post(h, 100, 1);
  th_segment(h, off, 10, 0);
  th_advance(h, PUSH_US - 1);
  ck_assert_int_eq(th_count(h, TH_EV_COMPLETE), round - 1);
  th_advance(h, 1);
  ck_assert_int_eq(th_count(h, TH_EV_COMPLETE), round);
  const th_event *e = th_event_get(h, th_nevents(h) - 1);
  ck_assert_int_eq(e->type, TH_EV_COMPLETE);
  ck_assert_uint_eq(e->c[0].bytes, 10);
}

/* covers: RCV-200 RCV-199 RCV-197 DEC-10 */
START_TEST(test_contract_push_timer_after_weeks) {
  torc_test_host *h = contract_host(0);
  /* A 32-bit microsecond clock wraps at 2^32 us (71.6 minutes): start the
   * timer 200 ms before, the deadline lies after it. */
  th_advance(h, (1ull << 32) - 200 * MS);
  push_round(h, 0, 1);
  /* 30 days. */
  th_advance(h, 2592000000000ull - th_now(h));
  push_round(h, 10, 2);
  /* A 32-bit millisecond clock wraps at 2^32 ms (49.7 days). */
  th_advance(h, (1ull << 32) * MS - 200 * MS - th_now(h));
  push_round(h, 20, 3);
  /* And 2^32 seconds (136 years) of virtual time. */
  th_advance(h, (1ull << 32) * 1000000ull - 100 * MS - th_now(h));
  push_round(h, 30, 4);
  ck_assert_str_eq(th_trace(h), "O C[10] C[10] C[10] C[10]");
  th_assert_delivered_stream(h, 0, 40);
  th_free(h);
}
END_TEST

/* covers: RCV-195 RCV-179 RCV-197 DEC-10 */
START_TEST(test_contract_push_timer_counts_from_first_byte_not_offload) {
  /* DEC-10 reads RCV-195 together with RCV-179/RCV-197: the interval starts
   * when the first byte is placed into a push request, not at the offload.
   * Offload 100 buffered at t = 0; at t = 400 ms post push 1000: the 100
   * bytes are placed (entry 1, D2 yes, D11 no by DEC-09) and the timer
   * starts, deadline 900 ms.  A timer started at the offload would have
   * completed the request at 500 ms. */
  torc_test_host *h = th_new();
  ck_assert_uint_eq(th_offload(h, 100), TORC_STATUS_SUCCESS);
  th_advance(h, 400000);
  th_post(h, 1000, 1);
  ck_assert_str_eq(th_trace(h), "O");
  th_advance(h, 499999); /* 899.999 ms */
  ck_assert_str_eq(th_trace(h), "O");
  th_advance(h, 1); /* 900 ms */
  ck_assert_str_eq(th_trace(h), "O C[100]");
  th_assert_delivered_stream(h, 0, 100);
  th_free(h);
}
END_TEST

Suite *contract_push_suite(void);
Suite *contract_push_suite(void) {
  Suite *s = suite_create("contract");
  TCase *tc = tcase_create("contract");
  tcase_add_test(tc, test_contract_push_and_nonpush_in_one_connection);
  tcase_add_test(tc, test_contract_push_timer_after_weeks);
  tcase_add_test(tc,
                 test_contract_push_timer_counts_from_first_byte_not_offload);
  suite_add_tcase(s, tc);
  return s;
}
