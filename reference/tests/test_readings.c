/*
 * test_readings.c - Check tests of the other readings the reference can
 * take (torc_reference_read_as(), one bit per allowance of
 * docs/DECISIONS.md): each test drives the same situation under the
 * reference's own reading and under the other one, and checks both traces.
 * `torc vectorize` records the other reading's trace as an alternative the
 * judge accepts by the allowance's name, so these tests pin what each
 * allowance lets a target do.
 *
 * Sits on the recording test host (torc_test_host.h); expectations worked
 * out by hand from delivery-algorithm.md and DECISIONS.md, in th_trace()
 * notation.
 */
#include <check.h>
#include <string.h>

#include "torc_reference.h"
#include "torc_test_host.h"

#define MS 1000u

/* A host whose reference takes readings (0: its own), offloaded with
 * rcv_wnd (0 keeps the default). */
static torc_test_host *reading_host(uint32_t readings, uint32_t rcv_wnd) {
  torc_test_host *h = th_new();
  ck_assert_int_eq(torc_reference_read_as(th_conn(h), readings), 0);
  if (rcv_wnd != 0)
    th_set_rcv_wnd(h, rcv_wnd);
  ck_assert_uint_eq(th_offload(h, 0), TORC_STATUS_SUCCESS);
  return h;
}

/* covers: DEC-30 DEC-18 RCV-255 RCV-256 RCV-184 */
START_TEST(test_reading_disconnect_before_placed) {
  /* A non-push request holds 100 bytes when the FIN arrives.  Own reading:
   * no disconnect until those bytes are completed, at the terminate.
   * disconnect-before-placed: the disconnect once nothing is held
   * (RCV-256's parenthesis); the bytes still come at the terminate. */
  static const struct {
    uint32_t readings;
    const char *before, *after;
  } c[] = {
      {0, "O", "O C[100] T0"},
      {TORC_READING_DISCONNECT_BEFORE_PLACED, "O Ed", "O Ed C[100] T0"},
      {TORC_READING_FIN_NONPUSH_COMPLETE, "O C[100] Ed", "O C[100] Ed T0"},
  };
  for (unsigned i = 0; i < sizeof c / sizeof c[0]; i++) {
    torc_test_host *h = reading_host(c[i].readings, 0);
    th_post(h, 1000, 0);
    th_segment(h, 0, 100, TORC_TCP_FIN);
    ck_assert_str_eq(th_trace(h), c[i].before);
    th_terminate(h);
    ck_assert_str_eq(th_trace(h), c[i].after);
    th_assert_delivered_stream(h, 0, 100);
    th_check_invariants(h);
    th_free(h);
  }
}
END_TEST

/* covers: DEC-18 RCV-254 RCV-061 */
START_TEST(test_reading_disconnect_posts_at_once) {
  /* Request 1 (empty) was pending at the disconnect; request 2 is posted
   * after it.  Own reading: 2 waits behind 1 (posting order).
   * disconnect-posts-at-once: 2 completes INVALID_STATE at once. */
  torc_test_host *h = reading_host(TORC_READING_DISCONNECT_POSTS_AT_ONCE, 0);
  uint64_t a = th_post(h, 1000, 1);
  th_segment(h, 0, 0, TORC_TCP_FIN);
  uint64_t b = th_post(h, 50, 1);
  ck_assert_str_eq(th_trace(h), "O Ed C[0i]");
  ck_assert_uint_eq(th_req_get(h, b)->status, TORC_STATUS_INVALID_STATE);
  ck_assert_int_eq(th_req_get(h, a)->completed, 0);
  th_terminate(h);
  ck_assert_str_eq(th_trace(h), "O Ed C[0i] C[0u] T0");
  /* Out of posting order on purpose: the one violation the host saw. */
  ck_assert_int_eq(th_violations(h), 1);
  ck_assert_ptr_nonnull(strstr(th_first_violation(h), "RCV-061"));
  th_clear_violations(h);
  th_free(h);
}
END_TEST

/* covers: DEC-29 RCV-062 RCV-078 RCV-079 RCV-164 */
START_TEST(test_reading_gap_fill_per_segment) {
  /* A 1000-byte push request.  [100, 200) with PSH and [200, 300) without
   * wait beyond a gap; [0, 100) without PSH fills it.  Own reading: the
   * three are one arrival, PSH OR-ed: 300 bytes placed, PSH -> C[300].
   * gap-fill-per-segment: [0, 100) alone (no PSH: timer), then [100, 200)
   * with its PSH -> C[200]; [200, 300) finds no request and nothing held ->
   * indicated. */
  static const struct {
    uint32_t readings;
    const char *trace;
  } c[] = {
      {0, "O C[300]"},
      {TORC_READING_GAP_FILL_PER_SEGMENT, "O C[200] I100"},
  };
  for (unsigned i = 0; i < sizeof c / sizeof c[0]; i++) {
    torc_test_host *h = reading_host(c[i].readings, 0);
    th_post(h, 1000, 1);
    th_segment(h, 100, 100, TORC_TCP_PSH);
    th_segment(h, 200, 100, 0);
    ck_assert_str_eq(th_trace(h), "O");
    th_segment(h, 0, 100, 0);
    ck_assert_str_eq(th_trace(h), c[i].trace);
    th_assert_delivered_stream(h, 0, 300);
    th_check_invariants(h);
    th_free(h);
  }
}
END_TEST

/* covers: DEC-01 RCV-189 RCV-190 RCV-191 RCV-081 */
START_TEST(test_reading_ooo_restarts_timer) {
  /* 100 bytes into a push request at t = 0 start the 500 ms timer; at
   * t = 300 ms out-of-order data arrives.  Own reading: no restart, the
   * request completes at 500 ms.  ooo-restarts-timer: deadline 800 ms. */
  static const struct {
    uint32_t readings;
    uint64_t at_us;
  } c[] = {
      {0, 500 * MS},
      {TORC_READING_OOO_RESTARTS_TIMER, 800 * MS},
  };
  for (unsigned i = 0; i < sizeof c / sizeof c[0]; i++) {
    torc_test_host *h = reading_host(c[i].readings, 0);
    th_post(h, 1000, 1);
    th_segment(h, 0, 100, 0);
    th_advance(h, 300 * MS);
    th_segment(h, 200, 100, 0);
    th_advance(h, c[i].at_us - 300 * MS - 1);
    ck_assert_str_eq(th_trace(h), "O");
    th_advance(h, 1);
    ck_assert_str_eq(th_trace(h), "O C[100]");
    ck_assert_uint_eq(th_event_get(h, 1)->time_us, c[i].at_us);
    th_free(h);
  }
}
END_TEST

/* covers: DEC-31 DEC-15 RCV-167 RCV-079 RCV-080 */
START_TEST(test_reading_trimmed_psh_ignored) {
  /* A 100-byte window and a 1000-byte push request; a 150-byte segment
   * with PSH is cut at the right edge to 100.  Own reading: its PSH counts
   * -> C[100].  trimmed-psh-ignored: no PSH, the push timer runs and
   * completes it 500 ms later. */
  static const struct {
    uint32_t readings;
    const char *now, *later;
  } c[] = {
      {0, "O C[100]", "O C[100]"},
      {TORC_READING_TRIMMED_PSH_IGNORED, "O", "O C[100]"},
  };
  for (unsigned i = 0; i < sizeof c / sizeof c[0]; i++) {
    torc_test_host *h = reading_host(c[i].readings, 100);
    th_post(h, 1000, 1);
    th_segment(h, 0, 150, TORC_TCP_PSH);
    ck_assert_str_eq(th_trace(h), c[i].now);
    th_advance(h, 500 * MS);
    ck_assert_str_eq(th_trace(h), c[i].later);
    th_assert_delivered_stream(h, 0, 100);
    th_free(h);
  }
}
END_TEST

/* covers: DEC-13 */
START_TEST(test_reading_rejects_unknown_bits) {
  torc_test_host *h = th_new();
  ck_assert_int_eq(torc_reference_read_as(th_conn(h), TORC_READING_ALL + 1),
                   -1);
  ck_assert_int_eq(torc_reference_read_as(NULL, 0), -1);
  ck_assert_int_eq(torc_reference_read_as(th_conn(h), TORC_READING_ALL), 0);
  th_free(h);
}
END_TEST

Suite *readings_suite(void);
Suite *readings_suite(void) {
  Suite *s = suite_create("readings");
  TCase *tc = tcase_create("readings");
  tcase_add_test(tc, test_reading_disconnect_before_placed);
  tcase_add_test(tc, test_reading_disconnect_posts_at_once);
  tcase_add_test(tc, test_reading_gap_fill_per_segment);
  tcase_add_test(tc, test_reading_ooo_restarts_timer);
  tcase_add_test(tc, test_reading_trimmed_psh_ignored);
  tcase_add_test(tc, test_reading_rejects_unknown_bits);
  suite_add_tcase(s, tc);
  return s;
}
