/*
 * test_push.c - Check tests of the push timer and of PSH: the interval
 * (RCV-193, RCV-197, RCV-198, RCV-204, RCV-205), when the timer starts
 * (RCV-179, RCV-180, DEC-10, DEC-12), restarts (DEC-01) and stops (D6/D7,
 * D12, RCV-073), its expiry at exactly the deadline (flowchart 3), PSH
 * completing a partly filled push-mode request (D11), non-push requests that
 * neither timer nor PSH complete (RCV-183..RCV-185), requests posted onto
 * buffered data (DEC-09) and an expiry while a completion is in progress
 * (DEC-17).
 *
 * Most tests sit on the recording test host (torc_test_host.h).  DEC-17
 * needs the host to advance time from inside a completion callback, which
 * the test host does not offer, so that test drives the reference's
 * torc/target.h table directly through the small direct host
 * (torc_direct_host.h) at the end of this file.  Expectations are worked out by
 * hand from the flowcharts and docs/DECISIONS.md; times are virtual
 * microseconds.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "torc_direct_host.h"
#include "torc_test_host.h"

#define MS 1000u

static torc_test_host *push_host(uint32_t buffered) {
  torc_test_host *h = th_new();
  ck_assert_uint_eq(th_offload(h, buffered), TORC_STATUS_SUCCESS);
  return h;
}

/* Interval = TcpPushTicks / TicksPerSecond; push_ticks 0 = 500 ms;
 * TicksPerSecond 0 = 1000 (DEC-10). */
static const struct {
  uint32_t tps, ticks;
  uint64_t us;
} interval_case[] = {
    {1000, 0, 500000},   {10, 0, 500000}, {10, 3, 300000},  {100, 25, 250000},
    {1000, 200, 200000}, {100, 1, 10000}, {0, 300, 300000},
};

/* covers: RCV-193 RCV-197 RCV-198 RCV-204 RCV-205 RCV-088 RCV-182 DEC-10 */
START_TEST(test_push_interval_from_ticks) {
  torc_test_host *h = th_new();
  th_set_ticks_per_second(h, interval_case[_i].tps);
  th_set_push_ticks(h, interval_case[_i].ticks);
  ck_assert_uint_eq(th_offload(h, 0), TORC_STATUS_SUCCESS);
  uint64_t us = interval_case[_i].us;
  th_post(h, 1000, 1);
  th_segment(h, 0, 100, 0); /* first byte placed at t = 0: timer starts */
  ck_assert_str_eq(th_trace(h), "O");
  th_advance(h, us - 1);
  ck_assert_str_eq(th_trace(h), "O");
  th_advance(h, 1);
  ck_assert_str_eq(th_trace(h), "O C[100]");
  ck_assert_uint_eq(th_event_get(h, 1)->time_us, us);
  th_assert_delivered_stream(h, 0, 100);
  th_free(h);
}
END_TEST

/* covers: RCV-179 RCV-197 DEC-10 */
START_TEST(test_push_starts_on_first_byte_not_on_post) {
  torc_test_host *h = push_host(0);
  th_post(h, 1000, 1);
  th_advance(h, 2000 * MS); /* an empty request: no timer, nothing */
  ck_assert_str_eq(th_trace(h), "O");
  th_segment(h, 0, 100, 0); /* first byte at t = 2 s */
  th_advance(h, 500 * MS - 1);
  ck_assert_str_eq(th_trace(h), "O");
  th_advance(h, 1);
  ck_assert_str_eq(th_trace(h), "O C[100]");
  ck_assert_uint_eq(th_event_get(h, 1)->time_us, 2500 * MS);
  th_free(h);
}
END_TEST

/* covers: DEC-01 RCV-189 RCV-190 RCV-191 */
START_TEST(test_push_restarts_on_in_sequence_data) {
  torc_test_host *h = push_host(0);
  th_post(h, 1000, 1);
  th_segment(h, 0, 100, 0); /* deadline 500 ms */
  th_advance(h, 300 * MS);
  th_segment(h, 100, 100, 0); /* restart: deadline 800 ms */
  th_advance(h, 200 * MS);    /* t = 500 ms: the old deadline */
  ck_assert_str_eq(th_trace(h), "O");
  th_advance(h, 300 * MS - 1);
  ck_assert_str_eq(th_trace(h), "O");
  th_advance(h, 1);
  ck_assert_str_eq(th_trace(h), "O C[200]");
  ck_assert_uint_eq(th_event_get(h, 1)->time_us, 800 * MS);
  th_assert_delivered_stream(h, 0, 200);
  th_free(h);
}
END_TEST

/* covers: DEC-01 RCV-062 RCV-088 */
START_TEST(test_push_out_of_order_data_does_not_restart) {
  torc_test_host *h = push_host(0);
  th_post(h, 1000, 1);
  th_segment(h, 0, 100, 0); /* deadline 500 ms */
  th_advance(h, 300 * MS);
  th_segment(h, 200, 100, 0); /* out of order: not received yet */
  th_advance(h, 200 * MS - 1);
  ck_assert_str_eq(th_trace(h), "O");
  th_advance(h, 1);
  ck_assert_str_eq(th_trace(h), "O C[100]");
  ck_assert_uint_eq(th_event_get(h, 1)->time_us, 500 * MS);
  th_assert_delivered_stream(h, 0, 100);
  th_free(h);
}
END_TEST

/* covers: RCV-073 RCV-089 RCV-179 RCV-181 DEC-10 */
START_TEST(test_push_completion_stops_timer) {
  torc_test_host *h = push_host(0);
  th_post(h, 1000, 1);
  th_segment(h, 0, 100, 0); /* deadline 500 ms */
  th_advance(h, 100 * MS);
  th_segment(h, 100, 900, 0); /* fills: completed, D6/D7 stop the timer */
  ck_assert_str_eq(th_trace(h), "O C[1000]");
  th_post(h, 1000, 1);
  th_advance(h, 350 * MS);    /* t = 450 ms */
  th_segment(h, 1000, 10, 0); /* first byte of the new request: 950 ms */
  th_advance(h, 50 * MS);     /* t = 500 ms, the stopped deadline */
  ck_assert_str_eq(th_trace(h), "O C[1000]");
  th_advance(h, 450 * MS - 1);
  ck_assert_str_eq(th_trace(h), "O C[1000]");
  th_advance(h, 1);
  ck_assert_str_eq(th_trace(h), "O C[1000] C[10]");
  ck_assert_uint_eq(th_event_get(h, 2)->time_us, 950 * MS);
  th_assert_delivered_stream(h, 0, 1010);
  th_free(h);
}
END_TEST

/* covers: RCV-078 RCV-079 RCV-182 RCV-073 DEC-19 */
START_TEST(test_push_psh_completes_partly_filled) {
  torc_test_host *h = push_host(0);
  th_post(h, 100, 1);
  th_post(h, 1000, 1);
  th_segment(h, 0, 150, TORC_TCP_PSH);
  /* The filled request in one call, the partly filled one completed by
   * PSH in a second call (DEC-19). */
  ck_assert_str_eq(th_trace(h), "O C[100] C[50]");
  th_post(h, 1000, 1); /* empty: the stopped timer must not touch it */
  th_advance(h, 2000 * MS);
  ck_assert_str_eq(th_trace(h), "O C[100] C[50]");
  th_assert_delivered_stream(h, 0, 150);
  th_free(h);
}
END_TEST

/* covers: RCV-183 RCV-184 RCV-185 RCV-077 RCV-076 RCV-176 RCV-188 */
START_TEST(test_push_nonpush_ignores_psh_and_timer) {
  torc_test_host *h = push_host(0);
  th_post(h, 1000, 0);
  th_segment(h, 0, 100, TORC_TCP_PSH);
  th_advance(h, 10000 * MS);
  th_segment(h, 100, 100, TORC_TCP_PSH);
  th_advance(h, 10000 * MS);
  ck_assert_str_eq(th_trace(h), "O");
  th_segment(h, 200, 800, 0);
  ck_assert_str_eq(th_trace(h), "O C[1000]");
  th_assert_delivered_stream(h, 0, 1000);
  th_free(h);
}
END_TEST

/* covers: RCV-060 RCV-179 RCV-181 RCV-184 DEC-10 */
START_TEST(test_push_after_filled_nonpush) {
  torc_test_host *h = push_host(0);
  th_post(h, 100, 0);
  th_post(h, 1000, 1);
  th_segment(h, 0, 150, 0);
  /* The non-push request fills and completes; the push request behind it
   * takes 50 bytes and its timer starts at t = 0. */
  ck_assert_str_eq(th_trace(h), "O C[100]");
  th_advance(h, 500 * MS - 1);
  ck_assert_str_eq(th_trace(h), "O C[100]");
  th_advance(h, 1);
  ck_assert_str_eq(th_trace(h), "O C[100] C[50]");
  th_assert_delivered_stream(h, 0, 150);
  th_free(h);
}
END_TEST

/* covers: RCV-089 RCV-183 RCV-142 DEC-10 */
START_TEST(test_push_expiry_without_partly_filled_is_noop) {
  torc_test_host *h = push_host(0);
  th_advance(h, 1000 * MS); /* nothing posted */
  th_post(h, 500, 1);
  th_advance(h, 1000 * MS); /* an empty push request */
  ck_assert_str_eq(th_trace(h), "O");
  torc_test_host *g = push_host(0);
  th_post(g, 500, 0);
  th_segment(g, 0, 100, 0); /* partly filled non-push: never by timer */
  th_advance(g, 1000 * MS);
  ck_assert_str_eq(th_trace(g), "O");
  torc_test_host *k = push_host(0);
  th_answer(k, TORC_STATUS_OFFLOAD_DATA_NOT_ACCEPTED, 0);
  th_segment(k, 0, 100, 0); /* refused, held, no request: no re-indication */
  th_advance(k, 1000 * MS);
  ck_assert_str_eq(th_trace(k), "O I100n");
  th_free(k);
  th_free(g);
  th_free(h);
}
END_TEST

/* covers: DEC-09 RCV-035 RCV-036 RCV-078 RCV-080 RCV-179 */
START_TEST(test_push_posted_onto_buffered_data_uses_timer) {
  torc_test_host *h = push_host(100);
  th_post(h, 1000, 1);
  /* Entry 1: D11 answers No (DEC-09): the timer starts at t = 0 instead of
   * an immediate completion. */
  ck_assert_str_eq(th_trace(h), "O");
  th_advance(h, 500 * MS - 1);
  ck_assert_str_eq(th_trace(h), "O");
  th_advance(h, 1);
  ck_assert_str_eq(th_trace(h), "O C[100]");
  th_assert_delivered_stream(h, 0, 100);
  /* A push request exactly the size of the buffered data fills and is
   * completed at once. */
  torc_test_host *g = push_host(100);
  th_post(g, 100, 1);
  ck_assert_str_eq(th_trace(g), "O C[100]");
  th_free(g);
  th_free(h);
}
END_TEST

/* covers: DEC-09 DEC-01 RCV-078 RCV-189 */
START_TEST(test_push_buffered_then_segment) {
  torc_test_host *h = push_host(100);
  th_post(h, 1000, 1); /* timer from t = 0 */
  th_advance(h, 200 * MS);
  th_segment(h, 100, 50, 0); /* restart: deadline 700 ms */
  th_advance(h, 500 * MS - 1);
  ck_assert_str_eq(th_trace(h), "O");
  th_advance(h, 1);
  ck_assert_str_eq(th_trace(h), "O C[150]");
  ck_assert_uint_eq(th_event_get(h, 1)->time_us, 700 * MS);
  /* Entry 2 uses the segment's PSH (DEC-09). */
  torc_test_host *g = push_host(100);
  th_post(g, 1000, 1);
  th_segment(g, 100, 50, TORC_TCP_PSH);
  ck_assert_str_eq(th_trace(g), "O C[150]");
  th_assert_delivered_stream(g, 0, 150);
  th_free(g);
  th_free(h);
}
END_TEST

/* covers: DEC-12 RCV-180 RCV-113 */
START_TEST(test_push_prefilled_starts_timer_at_once) {
  torc_test_host *h = push_host(0);
  uint64_t id = th_post_prefilled(h, 1000, 10, 1);
  ck_assert_str_eq(th_trace(h), "O");
  th_advance(h, 500 * MS - 1);
  ck_assert_str_eq(th_trace(h), "O");
  th_advance(h, 1);
  /* Completed by the timer; the byte count excludes the host's 10. */
  ck_assert_str_eq(th_trace(h), "O C[0]");
  ck_assert_uint_eq(th_req_get(h, id)->status, TORC_STATUS_SUCCESS);
  /* With data: restart at t = 200 ms, completion at 700 ms with 50. */
  torc_test_host *g = push_host(0);
  th_post_prefilled(g, 1000, 10, 1);
  th_advance(g, 200 * MS);
  th_segment(g, 0, 50, 0);
  th_advance(g, 500 * MS - 1);
  ck_assert_str_eq(th_trace(g), "O");
  th_advance(g, 1);
  ck_assert_str_eq(th_trace(g), "O C[50]");
  th_assert_delivered_stream(g, 0, 50);
  th_free(g);
  th_free(h);
}
END_TEST

/* covers: DEC-12 RCV-187 RCV-188 RCV-113 */
START_TEST(test_push_prefilled_nonpush_room) {
  torc_test_host *h = push_host(0);
  th_post_prefilled(h, 100, 10, 0);
  th_segment(h, 0, 89, 0);
  ck_assert_str_eq(th_trace(h), "O");
  th_segment(h, 89, 1, 0); /* room is 100 - 10 = 90 bytes */
  ck_assert_str_eq(th_trace(h), "O C[90]");
  th_assert_delivered_stream(h, 0, 90);
  th_free(h);
}
END_TEST

/* covers: DEC-14 RCV-107 RCV-143 RCV-066 RCV-108 RCV-052 */
START_TEST(test_push_reentrant_post_takes_leftover) {
  torc_test_host *h = push_host(0);
  th_post(h, 100, 1);
  uint64_t b = th_post_in_next_completion(h, 1000, 1);
  th_segment(h, 0, 150, 0);
  /* Request 1 fills; B is posted from inside its completion, queued (D1),
   * and takes the 50 left over instead of an indication (DEC-14). */
  ck_assert_str_eq(th_trace(h), "O C[100]");
  ck_assert_int_eq(th_count(h, TH_EV_INDICATE), 0);
  ck_assert_int_eq(th_req_get(h, b)->reentrant, 1);
  th_advance(h, 500 * MS);
  ck_assert_str_eq(th_trace(h), "O C[100] C[50]");
  th_assert_delivered_stream(h, 0, 150);
  th_free(h);
}
END_TEST

/* ---- The direct host (DEC-17) --------------------------------------------
 * torc_direct_host.h drives the reference's table itself so that it can call
 * advance_time() from inside receive_complete.  It records completions and
 * counts any callback entered while another is in progress (RCV-046).
 * Stream offset off has seq 1000 + off and byte value off & 0xFF. */

static void push_dh_open(torc_direct_host *d) {
  static const uint64_t handle = 1;
  dh_init(d, 1, &handle);
  d->c[0].isn = 1000;
  torc_offload_state st;
  dh_state(&st, 0, 1000);
  dh_offload(d, 0, &st);
}

/* covers: DEC-17 RCV-046 RCV-047 RCV-108 RCV-089 */
START_TEST(test_push_expiry_during_completion_deferred) {
  torc_direct_host d;
  push_dh_open(&d);
  uint8_t buf[2][1024] = {{0}};
  torc_recv_request r[2];
  memset(r, 0, sizeof r);
  r[0].id = 1;
  r[0].buf = buf[0];
  r[0].size = 100;
  r[0].push = 1;
  r[1].id = 2;
  r[1].buf = buf[1];
  r[1].size = 1000;
  r[1].push = 1;
  ck_assert_uint_eq(d.t.receive(d.t.user_data, d.c[0].conn, r, 2),
                    TORC_STATUS_PENDING);
  dh_segment(&d, 0, 0, 50, 0); /* request 1 partly filled: deadline 500 ms */
  dh_advance_to(&d, 400 * MS);
  ck_assert_uint_eq(d.ncompl, 0);
  /* Request 1 fills (50 more) and request 2 takes 50.  From inside the
   * completion of request 1 the clock jumps to 3 s, past every deadline:
   * the expiry must not complete request 2 from inside that call. */
  d.advance_in_next_completion = 3000 * MS;
  dh_segment(&d, 0, 50, 100, 0);
  ck_assert_int_eq(d.nested, 0);
  ck_assert_uint_ge(d.ncompl, 1);
  ck_assert_uint_eq(d.compl [0].id, 1);
  ck_assert_uint_eq(d.compl [0].bytes, 100);
  ck_assert_uint_eq(d.compl [0].status, TORC_STATUS_SUCCESS);
  /* Whether request 2 completed when the deferred expiry ran, or its timer
   * was restarted at D13, it completes once, with 50 bytes, by 3.5 s. */
  dh_advance_to(&d, 3500 * MS);
  ck_assert_int_eq(d.nested, 0);
  ck_assert_uint_eq(d.ncompl, 2);
  ck_assert_uint_eq(d.compl [1].id, 2);
  ck_assert_uint_eq(d.compl [1].bytes, 50);
  ck_assert_uint_eq(d.compl [1].status, TORC_STATUS_SUCCESS);
  for (uint32_t i = 0; i < 100; i++)
    ck_assert_uint_eq(buf[0][i], (uint8_t)i);
  for (uint32_t i = 0; i < 50; i++)
    ck_assert_uint_eq(buf[1][i], (uint8_t)(100 + i));
  ck_assert_uint_eq(d.nind, 0);
  dh_close(&d);
}
END_TEST

Suite *push_suite(void);
Suite *push_suite(void) {
  Suite *s = suite_create("push");
  TCase *tc = tcase_create("push");
  tcase_add_loop_test(tc, test_push_interval_from_ticks, 0,
                      (int)(sizeof interval_case / sizeof interval_case[0]));
  tcase_add_test(tc, test_push_starts_on_first_byte_not_on_post);
  tcase_add_test(tc, test_push_restarts_on_in_sequence_data);
  tcase_add_test(tc, test_push_out_of_order_data_does_not_restart);
  tcase_add_test(tc, test_push_completion_stops_timer);
  tcase_add_test(tc, test_push_psh_completes_partly_filled);
  tcase_add_test(tc, test_push_nonpush_ignores_psh_and_timer);
  tcase_add_test(tc, test_push_after_filled_nonpush);
  tcase_add_test(tc, test_push_expiry_without_partly_filled_is_noop);
  tcase_add_test(tc, test_push_posted_onto_buffered_data_uses_timer);
  tcase_add_test(tc, test_push_buffered_then_segment);
  tcase_add_test(tc, test_push_prefilled_starts_timer_at_once);
  tcase_add_test(tc, test_push_prefilled_nonpush_room);
  tcase_add_test(tc, test_push_reentrant_post_takes_leftover);
  tcase_add_test(tc, test_push_expiry_during_completion_deferred);
  suite_add_tcase(s, tc);
  return s;
}
