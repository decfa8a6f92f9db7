/*
 * test_contract_completions.c - Check tests of the completions the host
 * sees through torc/target.h: the offload and terminate completions (exactly
 * once, allowed statuses, the terminate after every request and never while
 * an indication is outstanding, RCV-231) and the completion records of
 * requests (RCV-103, RCV-109, RCV-110, RCV-112, RCV-113).
 *
 * One of the test_contract_*.c files (see contract_host.h for what they
 * share); its suite is named "contract" like the others, so
 * CK_RUN_SUITE=contract runs them all.
 */
#include <check.h>

#include "contract_host.h"
#include "torc_test_host.h"

/* RCV-110: the statuses a completed request may carry. */
static int allowed_completion_status(uint32_t s) {
  return s == TORC_STATUS_SUCCESS || s == TORC_STATUS_REQUEST_ABORTED ||
         s == TORC_STATUS_UPLOAD_IN_PROGRESS || s == TORC_STATUS_INVALID_STATE;
}

/* Checks every completion record of h (RCV-109, RCV-110, RCV-112, RCV-113):
 * allowed status, bytes within the request's room, and the requests'
 * placed bytes, in completion order, laid end to end with the indications'
 * consumed bytes, are exactly the delivered length.  Returns the number of
 * completed requests. */
static uint32_t assert_completion_records(torc_test_host *h) {
  uint64_t at = 0;
  uint32_t n = 0;
  for (int i = 0; i < th_nevents(h); i++) {
    const th_event *e = th_event_get(h, i);
    if (e->type == TH_EV_INDICATE) {
      ck_assert_uint_eq(e->stream_off, at);
      at += e->consumed;
      continue;
    }
    if (e->type != TH_EV_COMPLETE)
      continue;
    ck_assert_uint_gt(e->count, 0);
    for (uint32_t j = 0; j < e->count; j++) {
      const torc_completion *c = &e->c[j];
      ck_assert_msg(allowed_completion_status(c->status),
                    "RCV-110: request %llu completed with status 0x%x",
                    (unsigned long long)c->id, c->status);
      const th_req *r = th_req_get(h, c->id);
      ck_assert_ptr_nonnull(r);
      ck_assert_int_eq(r->completed, 1);
      ck_assert_uint_le(c->bytes, r->size - r->prefilled);
      ck_assert_uint_eq(r->bytes, c->bytes);
      ck_assert_uint_eq(r->stream_off, at);
      at += c->bytes;
      n++;
    }
  }
  ck_assert_uint_eq(at, th_delivered_len(h));
  /* The buffers' bytes: the test host appended each request's placed bytes
   * as they were in the buffer at completion; they must be the stream. */
  th_assert_delivered_stream(h, 0, at);
  return n;
}

/* ---- Offload completion ------------------------------------------------- */

/* covers: RCV-014 RCV-015 RCV-018 RCV-019 DEC-22 */
START_TEST(test_contract_offload_completes_once_success) {
  torc_test_host *h = th_new();
  /* DEC-22: completion inside the call or later; the reference completes
   * inside it.  Either way exactly once, and before any other upcall. */
  uint32_t st = th_offload(h, 100);
  th_advance(h, 1 * MS); /* a later operation, in case it completes late */
  ck_assert_uint_eq(th_offload_status(h), TORC_STATUS_SUCCESS);
  ck_assert(st == TORC_STATUS_SUCCESS || st == TH_NO_STATUS);
  ck_assert_int_eq(th_count(h, TH_EV_OFFLOAD_DONE), 1);
  ck_assert_int_eq(th_event_get(h, 0)->type, TH_EV_OFFLOAD_DONE);
  /* Further traffic never completes it again: post 100 -> the 100 buffered
   * bytes fill it (entry 1, D2 = Yes, P1). */
  th_post(h, 100, 1);
  th_segment(h, 100, 10, TORC_TCP_PSH);
  th_terminate(h);
  ck_assert_int_eq(th_count(h, TH_EV_OFFLOAD_DONE), 1);
  /* After the post: C[100]; the segment: no request, no held data ->
   * indicate 10 (B); terminate: nothing posted, nothing held -> T0. */
  ck_assert_str_eq(th_trace(h), "O C[100] I10 T0");
  th_free(h);
}
END_TEST

/* covers: RCV-018 RCV-019 RCV-014 DEC-05 RCV-010 */
START_TEST(test_contract_offload_failure_status_allowed) {
  /* Fail, in turn, each allocation the target makes inside
   * initiate_offload with 300 buffered bytes in 3 fragments.  Whatever
   * fails, the offload completes exactly once, with SUCCESS or one of the
   * failure statuses RCV-019 lists; when an allocation failed the copy of
   * BufferedData cannot be complete, so the status is FAILURE (DEC-05). */
  static const uint32_t fl[3] = {100, 100, 100};
  torc_test_host *probe = th_new();
  uint64_t before = th_alloc_count(probe);
  ck_assert_uint_eq(th_offload_frags(probe, fl, 3, 0), TORC_STATUS_SUCCESS);
  uint64_t n = th_alloc_count(probe) - before;
  th_free(probe);
  for (uint64_t i = 1; i <= n; i++) {
    torc_test_host *h = th_new();
    th_fail_alloc_at(h, i);
    th_offload_frags(h, fl, 3, 0);
    th_advance(h, 1 * MS);
    ck_assert_int_eq(th_count(h, TH_EV_OFFLOAD_DONE), 1);
    uint32_t s = th_offload_status(h);
    ck_assert_msg(s == TORC_STATUS_SUCCESS || s == TORC_STATUS_FAILURE ||
                      s == TORC_STATUS_RESOURCES ||
                      s == TORC_STATUS_OFFLOAD_TCP_RCV_BUFFER,
                  "RCV-019: offload status 0x%x (allocation %llu failed)", s,
                  (unsigned long long)i);
    if (th_alloc_failed(h))
      ck_assert_uint_eq(s, TORC_STATUS_FAILURE);
    th_free(h);
  }
}
END_TEST

/* ---- Completion records ----------------------------------------------------
 */

/* covers: RCV-103 RCV-109 RCV-110 RCV-112 RCV-113 RCV-111 DEC-20 DEC-06 */
START_TEST(test_contract_completion_records) {
  torc_test_host *h = contract_host(0);
  uint64_t a = th_post(h, 100, 1);
  uint64_t b = th_post(h, 50, 1);
  /* 120 bytes: A filled (C[100]); 20 into B, push, no PSH -> timer. */
  th_segment(h, 0, 120, 0);
  ck_assert_str_eq(th_trace(h), "O C[100]");
  th_advance(h, PUSH_US);
  ck_assert_str_eq(th_trace(h), "O C[100] C[20]");
  /* Zero-byte C then non-push D: 30 bytes reach C first (DEC-20) -> C[0];
   * D takes the 30, partly filled non-push: stays. */
  uint64_t c = th_post(h, 0, 0);
  uint64_t d = th_post(h, 80, 0);
  th_segment(h, 120, 30, TORC_TCP_PSH);
  ck_assert_str_eq(th_trace(h), "O C[100] C[20] C[0]");
  th_segment(h, 150, 10, 0);
  uint64_t e = th_post(h, 40, 1);
  /* Terminate: D holds 40 -> SUCCESS 40; E empty -> UPLOAD_IN_PROGRESS
   * (DEC-06); nothing held -> T0. */
  th_terminate(h);
  ck_assert_str_eq(th_trace(h), "O C[100] C[20] C[0] C[40,0u] T0");
  ck_assert_uint_eq(assert_completion_records(h), 5);
  ck_assert_uint_eq(th_req_get(h, a)->stream_off, 0);
  ck_assert_uint_eq(th_req_get(h, b)->stream_off, 100);
  ck_assert_uint_eq(th_req_get(h, b)->bytes, 20);
  ck_assert_uint_eq(th_req_get(h, c)->bytes, 0);
  ck_assert_uint_eq(th_req_get(h, d)->stream_off, 120);
  ck_assert_uint_eq(th_req_get(h, d)->bytes, 40);
  ck_assert_uint_eq(th_req_get(h, d)->status, TORC_STATUS_SUCCESS);
  ck_assert_uint_eq(th_req_get(h, e)->status, TORC_STATUS_UPLOAD_IN_PROGRESS);
  ck_assert_uint_eq(th_req_get(h, e)->bytes, 0);
  th_free(h);
}
END_TEST

/* covers: RCV-110 RCV-109 RCV-112 DEC-04 DEC-18 RCV-253 RCV-254 */
START_TEST(test_contract_completion_statuses_abort_and_fin) {
  /* An acceptable RST: Ea, then the posted request completed
   * REQUEST_ABORTED with the 30 bytes already placed (DEC-04). */
  torc_test_host *h = contract_host(0);
  uint64_t a = th_post(h, 100, 0);
  th_segment(h, 0, 30, 0);
  th_segment(h, 30, 0, TORC_TCP_RST);
  ck_assert_str_eq(th_trace(h), "O Ea C[30a]");
  ck_assert_uint_eq(th_req_get(h, a)->status, TORC_STATUS_REQUEST_ABORTED);
  ck_assert_uint_eq(assert_completion_records(h), 1);
  th_free(h);
  /* A FIN with nothing held: Ed; a request posted afterwards finds no data
   * and completes at once INVALID_STATE, 0 bytes (DEC-18). */
  h = contract_host(0);
  th_segment(h, 0, 0, TORC_TCP_FIN);
  uint64_t b = th_post(h, 100, 1);
  ck_assert_str_eq(th_trace(h), "O Ed C[0i]");
  ck_assert_uint_eq(th_req_get(h, b)->status, TORC_STATUS_INVALID_STATE);
  ck_assert_uint_eq(assert_completion_records(h), 1);
  th_free(h);
}
END_TEST

/* ---- Terminate ------------------------------------------------------------
 */

/* covers: RCV-222 RCV-226 RCV-229 RCV-234 RCV-230 DEC-06 */
START_TEST(test_contract_terminate_completes_once_after_requests) {
  torc_test_host *h = contract_host(100);
  /* A takes 40 of the 100 buffered (filled); the 60 left are indicated and
   * refused (D18 No: queued). */
  th_answer(h, TORC_STATUS_OFFLOAD_DATA_NOT_ACCEPTED, 0);
  th_post(h, 40, 1);
  ck_assert_str_eq(th_trace(h), "O C[40] I60n");
  th_segment(h, 100, 5, 0); /* appended to the held 60 (D5) */
  ck_assert_str_eq(th_trace(h), "O C[40] I60n");
  /* B (non-push) takes the 65 held, partly filled (D10 No); C (push) finds
   * no data and is queued (D2 No). */
  uint64_t b = th_post(h, 100, 0);
  uint64_t c = th_post(h, 50, 1);
  ck_assert_str_eq(th_trace(h), "O C[40] I60n");
  /* Terminate: B SUCCESS 65, C UPLOAD_IN_PROGRESS (DEC-06), in one call
   * before the completion; nothing held -> T0. */
  th_terminate(h);
  th_advance(h, PUSH_US); /* later operations: no second completion */
  th_segment(h, 105, 10, 0);
  ck_assert_str_eq(th_trace(h), "O C[40] I60n C[65,0u] T0");
  ck_assert_int_eq(th_count(h, TH_EV_TERMINATE_DONE), 1);
  int last = th_nevents(h) - 1;
  const th_event *t = th_event_get(h, last);
  ck_assert_int_eq(t->type, TH_EV_TERMINATE_DONE);
  ck_assert(t->status == TORC_STATUS_SUCCESS ||
            t->status == TORC_STATUS_FAILURE);
  ck_assert_uint_eq(t->status, TORC_STATUS_SUCCESS);
  /* Every request completed once, by an event before the terminate's. */
  for (uint64_t id = 1; id <= c; id++) {
    const th_req *r = th_req_get(h, id);
    ck_assert_int_eq(r->completed, 1);
    ck_assert_int_lt(r->event, last);
  }
  ck_assert_uint_eq(th_req_get(h, b)->bytes, 65);
  ck_assert_uint_eq(t->rcv_nxt, th_seq(h, 105));
  assert_completion_records(h);
  th_free(h);
}
END_TEST

/* covers: RCV-231 RCV-229 RCV-046 */
START_TEST(test_contract_terminate_waits_for_indication_to_return) {
  /* No request, no held data: segment 0..99 is indicated (D5 no -> B).  The
   * host calls terminate from inside that indication and then refuses it.
   * The target must not complete the terminate while the indication is
   * outstanding (RCV-231); once it returns, the refused 100 bytes are held
   * and handed back (DEC-07): trace "O I100n T100", the T after the I. */
  torc_test_host *h = th_new();
  ck_assert_uint_eq(th_offload(h, 0), TORC_STATUS_SUCCESS);
  th_answer(h, TORC_STATUS_OFFLOAD_DATA_NOT_ACCEPTED, 0);
  th_terminate_in_next_indication(h);
  th_segment(h, 0, 100, 0);
  ck_assert_str_eq(th_trace(h), "O I100n T100");
  ck_assert_uint_eq(th_handback_len(h), 100);
  th_check_invariants(h);
  th_free(h);
}
END_TEST

Suite *contract_completions_suite(void);
Suite *contract_completions_suite(void) {
  Suite *s = suite_create("contract");
  TCase *tc = tcase_create("contract");
  tcase_add_test(tc, test_contract_offload_completes_once_success);
  tcase_add_test(tc, test_contract_offload_failure_status_allowed);
  tcase_add_test(tc, test_contract_completion_records);
  tcase_add_test(tc, test_contract_completion_statuses_abort_and_fin);
  tcase_add_test(tc, test_contract_terminate_completes_once_after_requests);
  tcase_add_test(tc, test_contract_terminate_waits_for_indication_to_return);
  suite_add_tcase(s, tc);
  return s;
}
