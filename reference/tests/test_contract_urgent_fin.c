/*
 * test_contract_urgent_fin.c - Check tests of urgent data and FIN as the
 * host sees them through torc/target.h: no data taken after urgent data,
 * which asks for an upload (RCV-242, DEC-08), and a FIN that never does
 * (RCV-243, DEC-18).
 *
 * One of the test_contract_*.c files (see contract_host.h for what they
 * share); its suite is named "contract" like the others, so
 * CK_RUN_SUITE=contract runs them all.
 */
#include <check.h>

#include "contract_host.h"
#include "torc_test_host.h"

/* Number of RETRIEVE events recorded. */
static int count_retrieve(torc_test_host *h) {
  int n = 0;
  for (int i = 0; i < th_nevents(h); i++) {
    const th_event *e = th_event_get(h, i);
    n += e->type == TH_EV_EVENT && e->event == TORC_EVENT_RETRIEVE;
  }
  return n;
}

/* ---- Urgent data and FIN -------------------------------------------------
 */

/* covers: RCV-242 DEC-08 RCV-283 RCV-285 */
START_TEST(test_contract_no_data_after_urgent) {
  torc_test_host *h = contract_host(0);
  uint64_t a = th_post(h, 100, 0);
  th_segment(h, 0, 50, 0);
  ck_assert_str_eq(th_trace(h), "O");
  /* Urgent data: the target asks for an upload (mandatory reason) ... */
  th_segment(h, 50, 20, TORC_TCP_URG);
  ck_assert_str_eq(th_trace(h), "O Er5");
  /* ... and takes no more data: neither the bytes after it, nor the same
   * bytes resent without URG, nor anything the timer or a post could
   * deliver. */
  th_segment(h, 70, 30, 0);
  th_segment(h, 50, 50, TORC_TCP_PSH);
  th_advance(h, 4 * PUSH_US);
  th_post(h, 100, 1);
  ck_assert_str_eq(th_trace(h), "O Er5");
  ck_assert_uint_eq(th_delivered_len(h), 0);
  /* The host uploads: A holds the 50 bytes from before the urgent data
   * (SUCCESS 50, DEC-06), the push request is empty (u); RcvNxt stops
   * before the urgent segment. */
  th_terminate(h);
  ck_assert_str_eq(th_trace(h), "O Er5 C[50,0u] T0");
  ck_assert_uint_eq(th_req_get(h, a)->bytes, 50);
  ck_assert_uint_eq(th_event_get(h, th_nevents(h) - 1)->rcv_nxt, th_seq(h, 50));
  ck_assert_int_eq(count_retrieve(h), 1);
  th_free(h);
}
END_TEST

/* covers: RCV-243 DEC-18 RCV-255 RCV-256 RCV-254 */
START_TEST(test_contract_fin_never_requests_upload) {
  torc_test_host *h = contract_host(0);
  /* 100 bytes with FIN, indicated and refused: held, so no disconnect yet
   * (DEC-18); the connection is half-closed (CLOSE_WAIT). */
  th_answer(h, TORC_STATUS_OFFLOAD_DATA_NOT_ACCEPTED, 0);
  th_segment(h, 0, 100, TORC_TCP_FIN);
  ck_assert_str_eq(th_trace(h), "O I100n");
  th_advance(h, 10 * 1000 * MS);
  ck_assert_str_eq(th_trace(h), "O I100n");
  /* A 60-byte post takes 60 (filled), the 40 left are indicated and
   * accepted; nothing held any more -> the disconnect. */
  th_post(h, 60, 1);
  ck_assert_str_eq(th_trace(h), "O I100n C[60] I40 Ed");
  /* Data beyond the FIN is dropped; a later request finds nothing:
   * INVALID_STATE at once.  A day passes. */
  th_segment(h, 101, 10, 0);
  th_post(h, 10, 1);
  th_advance(h, 86400ull * 1000 * MS);
  ck_assert_str_eq(th_trace(h), "O I100n C[60] I40 Ed C[0i]");
  /* Never a request to upload the half-closed connection. */
  ck_assert_int_eq(count_retrieve(h), 0);
  th_assert_delivered_stream(h, 0, 100);
  ck_assert_uint_eq(th_delivered_len(h), 100);
  th_free(h);
}
END_TEST

Suite *contract_urgent_fin_suite(void);
Suite *contract_urgent_fin_suite(void) {
  Suite *s = suite_create("contract");
  TCase *tc = tcase_create("contract");
  tcase_add_test(tc, test_contract_no_data_after_urgent);
  tcase_add_test(tc, test_contract_fin_never_requests_upload);
  suite_add_tcase(s, tc);
  return s;
}
