/*
 * test_contract.c - Check tests of the target's contract as the host sees it
 * through torc/target.h: the offload and terminate completions (exactly
 * once, allowed statuses), the three flowcharts walked end to end with an
 * exact event sequence (RCV-044, RCV-045, RCV-049, RCV-051), delivery in
 * sequence order whatever the arrival order (RCV-058, RCV-063), segments
 * arriving during a completion (RCV-068, RCV-069), completion records
 * (RCV-103, RCV-109, RCV-110, RCV-112, RCV-113), indications as one list
 * (RCV-123, RCV-145, RCV-146), receive_return without upcalls (RCV-155),
 * push and non-push requests together (RCV-176, RCV-177), the push timer
 * after weeks of virtual time (RCV-200), urgent data and FIN (RCV-242,
 * RCV-243), and, with two connections on one target, per-connection timers
 * and handles (RCV-199, RCV-250) and untouched cached state (RCV-168).
 *
 * Most tests use the recording test host (torc_test_host.h).  The
 * two-connection and the cached-state tests need a host that opens two
 * connections and keeps the offload state it handed over, so they drive the
 * reference's torc/target.h table through the small direct host
 * (torc_direct_host.h) at the end of this file ("mh_").  Expected traces are
 * worked out by hand from the flowcharts (delivery-algorithm.md, boxes D1..D20)
 * and docs/DECISIONS.md; times are virtual microseconds.  Defaults of the test
 * host: isn 0x1000, push interval 500 ms, RcvIndicationSize 0 (one indication
 * for all held data, DEC-21), indications answered SUCCESS.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "torc_direct_host.h"
#include "torc_test_host.h"

#define MS 1000ull
#define PUSH_US (500 * MS) /* the default push interval */

static torc_test_host *contract_host(uint32_t buffered) {
  torc_test_host *h = th_new();
  ck_assert_uint_eq(th_offload(h, buffered), TORC_STATUS_SUCCESS);
  return h;
}

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

/* Number of RETRIEVE events recorded. */
static int count_retrieve(torc_test_host *h) {
  int n = 0;
  for (int i = 0; i < th_nevents(h); i++) {
    const th_event *e = th_event_get(h, i);
    n += e->type == TH_EV_EVENT && e->event == TORC_EVENT_RETRIEVE;
  }
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

/* ---- A host of two connections ("mh_") -----------------------------------
 * The direct host (torc_direct_host.h) opens two connections on one
 * reference target, with handles MH_HA and MH_HB, and logs every upcall as
 * "a:..." or "b:..." ("?:" for an unknown handle, counted as a violation).
 * Each connection has its own stream (stream byte of offset off +
 * mh_base[i]) so a byte delivered on the wrong connection shows: the hooks
 * below check the bytes of every completion and indication against the
 * requests posted here.  Accepted indications are returned after every
 * driving call. */

#define MH_HA 0xA11CEull
#define MH_HB 0xB0Bull
#define MH_MAXREQ 16
#define MH_MAXIND 64

static const uint64_t mh_base[2] = {0, 1000000};
static const uint32_t mh_isn[2] = {0x1000u, 0xFFFFFF00u};

typedef struct mh_req {
  uint64_t id;
  uint8_t *buf;
  uint32_t size;
} mh_req;

/* What this file tracks of a connection beyond the direct host. */
typedef struct mh_conn {
  uint64_t delivered; /* stream offset of the next byte expected */
  mh_req req[MH_MAXREQ];
  uint32_t nreq;
  uint64_t ind[MH_MAXIND];
  uint32_t nind;
  uint32_t max_ind_len;
} mh_conn;

typedef struct mh {
  torc_direct_host d;
  mh_conn x[2];
  uint64_t next_id;
} mh;

static void mh_check_bytes(torc_direct_host *d, dh_conn *c, const uint8_t *p,
                           uint32_t n) {
  mh *m = d->user;
  int i = dh_index(d, c);
  mh_conn *x = &m->x[i];
  for (uint32_t k = 0; k < n; k++)
    if (p[k] != th_stream_byte(mh_base[i] + x->delivered + k)) {
      dh_violation(d, "conn %c: delivered byte %llu wrong", 'a' + i,
                   (unsigned long long)(x->delivered + k));
      break;
    }
  x->delivered += n;
}

static void mh_on_complete(torc_direct_host *d, dh_conn *c,
                           const torc_completion *cc, uint32_t count) {
  mh *m = d->user;
  mh_conn *x = &m->x[dh_index(d, c)];
  for (uint32_t j = 0; j < count; j++) {
    uint32_t k = 0;
    while (k < x->nreq && x->req[k].id != cc[j].id)
      k++;
    if (k == x->nreq) {
      dh_violation(d, "completion of id %llu not posted on this handle",
                   (unsigned long long)cc[j].id);
      continue;
    }
    mh_req *r = &x->req[k];
    if (r->buf == NULL || cc[j].bytes > r->size) {
      dh_violation(d, "bad completion of id %llu",
                   (unsigned long long)cc[j].id);
      continue;
    }
    mh_check_bytes(d, c, r->buf, cc[j].bytes);
    free(r->buf);
    r->buf = NULL;
  }
}

static uint32_t mh_on_indicate(torc_direct_host *d, dh_conn *c, uint64_t id,
                               uint32_t status, const torc_fragment *f,
                               uint32_t nf, uint32_t len, uint32_t *consumed) {
  mh *m = d->user;
  mh_conn *x = &m->x[dh_index(d, c)];
  if (status != TORC_STATUS_SUCCESS)
    dh_violation(d, "RCV-125: indication status 0x%x", status);
  for (uint32_t i = 0; i < nf && i < 4096; i++)
    mh_check_bytes(d, c, f[i].data, f[i].len);
  if (len > x->max_ind_len)
    x->max_ind_len = len;
  if (x->nind < MH_MAXIND)
    x->ind[x->nind++] = id;
  *consumed = len;
  return TORC_STATUS_SUCCESS;
}

/* Returns every accepted indication of both connections. */
static void mh_after(mh *m) {
  for (int i = 0; i < 2; i++) {
    mh_conn *x = &m->x[i];
    if (x->nind > 0) {
      uint32_t n = x->nind;
      uint64_t ids[MH_MAXIND];
      memcpy(ids, x->ind, sizeof ids[0] * n);
      x->nind = 0;
      m->d.t.receive_return(m->d.t.user_data, m->d.c[i].conn, ids, n);
    }
  }
}

static void mh_init(mh *m) {
  static const uint64_t handles[2] = {MH_HA, MH_HB};
  memset(m, 0, sizeof *m);
  m->next_id = 1;
  dh_init(&m->d, 2, handles);
  m->d.user = m;
  m->d.byte = th_stream_byte;
  m->d.on_complete = mh_on_complete;
  m->d.on_indicate = mh_on_indicate;
  for (int i = 0; i < 2; i++) {
    m->d.c[i].isn = mh_isn[i];
    m->d.c[i].stream_base = mh_base[i];
  }
}

static void mh_close(mh *m) {
  for (int i = 0; i < 2; i++)
    ck_assert_ptr_null(m->d.c[i].hb); /* no handed-back data expected */
  dh_close(&m->d);
  for (int i = 0; i < 2; i++)
    for (uint32_t k = 0; k < m->x[i].nreq; k++)
      free(m->x[i].req[k].buf);
}

/* The default offload state of connection i (no BufferedData). */
static void mh_state(torc_offload_state *st, int i) {
  dh_state(st, i, mh_isn[i]);
}

static void mh_offload(mh *m, int i, const torc_offload_state *st) {
  dh_offload(&m->d, i, st);
  mh_after(m);
}

static void mh_post(mh *m, int i, uint32_t size, int push) {
  mh_conn *x = &m->x[i];
  ck_assert_uint_lt(x->nreq, MH_MAXREQ);
  mh_req *r = &x->req[x->nreq++];
  r->id = m->next_id++;
  r->size = size;
  r->buf = calloc(size ? size : 1, 1);
  ck_assert_ptr_nonnull(r->buf);
  torc_recv_request rr;
  memset(&rr, 0, sizeof rr);
  rr.id = r->id;
  rr.buf = r->buf;
  rr.size = size;
  rr.push = (uint8_t)(push != 0);
  ck_assert_uint_eq(m->d.t.receive(m->d.t.user_data, m->d.c[i].conn, &rr, 1),
                    TORC_STATUS_PENDING);
  mh_after(m);
}

/* Stream bytes [off, off + len) of connection i, as a raw IPv4/TCP frame. */
static void mh_segment(mh *m, int i, uint64_t off, uint32_t len,
                       uint8_t flags) {
  dh_segment(&m->d, i, off, len, flags);
  mh_after(m);
}

static void mh_advance_to(mh *m, uint64_t now_us) {
  dh_advance_to(&m->d, now_us);
  mh_after(m);
}

/* covers: RCV-199 RCV-250 RCV-122 DEC-01 DEC-10 */
START_TEST(test_contract_two_connections_own_timers_and_handles) {
  mh m;
  mh_init(&m);
  torc_offload_state st[2];
  mh_state(&st[0], 0);
  mh_state(&st[1], 1);
  mh_offload(&m, 0, &st[0]);
  mh_offload(&m, 1, &st[1]);
  ck_assert_str_eq(m.d.log, "a:O b:O");
  mh_post(&m, 0, 100, 1);
  mh_post(&m, 1, 100, 1);
  /* t=0: a gets 10 bytes -> a's timer, deadline 500 ms. */
  mh_segment(&m, 0, 0, 10, 0);
  /* t=300 ms: b gets 10 -> b's timer, deadline 800 ms. */
  mh_advance_to(&m, 300 * MS);
  mh_segment(&m, 1, 0, 10, 0);
  /* t=400 ms: a gets 10 more -> a's timer restarts (DEC-01): 900 ms. */
  mh_advance_to(&m, 400 * MS);
  mh_segment(&m, 0, 10, 10, 0);
  mh_advance_to(&m, 800 * MS - 1);
  ck_assert_str_eq(m.d.log, "a:O b:O");
  /* b's timer alone expires at 800 ms, a's alone at 900 ms. */
  mh_advance_to(&m, 800 * MS);
  ck_assert_str_eq(m.d.log, "a:O b:O b:C[10]");
  mh_advance_to(&m, 900 * MS - 1);
  ck_assert_str_eq(m.d.log, "a:O b:O b:C[10]");
  mh_advance_to(&m, 900 * MS);
  ck_assert_str_eq(m.d.log, "a:O b:O b:C[10] a:C[20]");
  /* Events carry their own connection's handle: urgent data on a asks to
   * upload a only (RCV-250); a FIN on b disconnects b only. */
  mh_segment(&m, 0, 20, 5, TORC_TCP_URG);
  mh_segment(&m, 1, 10, 0, TORC_TCP_FIN);
  ck_assert_str_eq(m.d.log, "a:O b:O b:C[10] a:C[20] a:Er5 b:Ed");
  /* Terminate both: nothing posted or held on either. */
  m.d.t.terminate_offload(m.d.t.user_data, m.d.c[0].conn);
  m.d.t.terminate_offload(m.d.t.user_data, m.d.c[1].conn);
  ck_assert_str_eq(m.d.log, "a:O b:O b:C[10] a:C[20] a:Er5 b:Ed a:T b:T");
  ck_assert_uint_eq(m.x[0].delivered, 20);
  ck_assert_uint_eq(m.x[1].delivered, 10);
  mh_close(&m);
}
END_TEST

/* covers: RCV-250 RCV-122 RCV-046 RCV-102 */
START_TEST(test_contract_two_connections_indications_apart) {
  mh m;
  mh_init(&m);
  torc_offload_state st[2];
  mh_state(&st[0], 0);
  mh_state(&st[1], 1);
  mh_offload(&m, 0, &st[0]);
  mh_offload(&m, 1, &st[1]);
  /* No requests: each segment is indicated on its own connection, with
   * that connection's bytes (b's sequence numbers wrap 2^32 at 256). */
  mh_segment(&m, 0, 0, 100, 0);
  mh_segment(&m, 1, 0, 300, 0);
  mh_segment(&m, 0, 100, 50, 0);
  mh_post(&m, 1, 40, 1);
  mh_segment(&m, 1, 300, 60, 0);
  /* b: 60 bytes, 40 fill the request, the other 20 are indicated. */
  ck_assert_str_eq(m.d.log, "a:O b:O a:I100 b:I300 a:I50 b:C[40] b:I20");
  ck_assert_uint_eq(m.x[0].delivered, 150);
  ck_assert_uint_eq(m.x[1].delivered, 360);
  mh_close(&m);
}
END_TEST

/* covers: RCV-168 RCV-016 RCV-007 DEC-21 */
START_TEST(test_contract_offload_state_not_written) {
  mh m;
  mh_init(&m);
  /* Cached variables the target must not change: the state block (with
   * RcvIndicationSize 64, InitialRcvWnd, TcpPushTicks, TicksPerSecond) and
   * the BufferedData it points to stay byte-identical. */
  torc_offload_state st;
  mh_state(&st, 0);
  st.rcv_indication_size = 64;
  st.push_ticks = 20;
  st.ticks_per_second = 100; /* 200 ms */
  st.initial_rcv_wnd = 32768;
  uint8_t data[150];
  th_stream_fill(data, 0, sizeof data);
  st.rcv_nxt = mh_isn[0] + (uint32_t)sizeof data;
  /* Copies are byte copies (memcpy), padding included. */
  torc_fragment fr[2];
  torc_buffer_list bl;
  memset(fr, 0, sizeof fr);
  memset(&bl, 0, sizeof bl);
  fr[0].data = data;
  fr[0].len = 100;
  fr[1].data = data + 100;
  fr[1].len = 50;
  bl.frags = fr;
  bl.nfrags = 2;
  st.buffered_data = &bl;
  torc_offload_state st_copy;
  torc_fragment fr_copy[2];
  torc_buffer_list bl_copy;
  memcpy(&st_copy, &st, sizeof st);
  memcpy(fr_copy, fr, sizeof fr);
  memcpy(&bl_copy, &bl, sizeof bl);
  uint8_t data_copy[150];
  memcpy(data_copy, data, sizeof data);
  mh_offload(&m, 0, &st);
  ck_assert(memcmp(&st, &st_copy, sizeof st) == 0);
  ck_assert(memcmp(fr, fr_copy, sizeof fr) == 0);
  ck_assert(memcmp(&bl, &bl_copy, sizeof bl) == 0);
  ck_assert(memcmp(data, data_copy, sizeof data) == 0);
  /* The host's again (RCV-011): poison it.  The cached RcvIndicationSize
   * stays 64 in use: 150 held bytes + 100 from the wire go up 64 at a time
   * once a request has taken its share (DEC-21). */
  memset(data, 0xA5, sizeof data);
  memset(&st, 0xA5, sizeof st);
  mh_post(&m, 0, 6, 1);
  mh_segment(&m, 0, 150, 100, 0);
  ck_assert_str_eq(m.d.log, "a:O a:C[6] a:I64 a:I64 a:I16 a:I64 a:I36");
  ck_assert_uint_le(m.x[0].max_ind_len, 64);
  ck_assert_uint_eq(m.x[0].delivered, 250);
  mh_close(&m);
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

Suite *contract_suite(void);
Suite *contract_suite(void) {
  Suite *s = suite_create("contract");
  TCase *tc = tcase_create("contract");
  tcase_add_test(tc, test_contract_offload_completes_once_success);
  tcase_add_test(tc, test_contract_offload_failure_status_allowed);
  tcase_add_test(tc, test_contract_all_three_flowcharts);
  tcase_add_test(tc, test_contract_reordered_segments_delivered_in_sequence);
  tcase_add_test(tc, test_contract_reordered_segments_indicated_in_sequence);
  tcase_add_test(tc, test_contract_segment_during_completion_queued);
  tcase_add_test(tc, test_contract_segment_and_post_during_completion);
  tcase_add_test(tc, test_contract_segment_during_indication_queued);
  tcase_add_test(tc, test_contract_completion_records);
  tcase_add_test(tc, test_contract_completion_statuses_abort_and_fin);
  tcase_add_test(tc, test_contract_indication_is_one_list_of_the_stream);
  tcase_add_test(tc, test_contract_receive_return_makes_no_upcall);
  tcase_add_test(tc, test_contract_push_and_nonpush_in_one_connection);
  tcase_add_test(tc, test_contract_push_timer_after_weeks);
  tcase_add_test(tc, test_contract_terminate_completes_once_after_requests);
  tcase_add_test(tc, test_contract_no_data_after_urgent);
  tcase_add_test(tc, test_contract_fin_never_requests_upload);
  tcase_add_test(tc, test_contract_two_connections_own_timers_and_handles);
  tcase_add_test(tc, test_contract_two_connections_indications_apart);
  tcase_add_test(tc, test_contract_offload_state_not_written);
  tcase_add_test(tc,
                 test_contract_push_timer_counts_from_first_byte_not_offload);
  tcase_add_test(tc, test_contract_terminate_waits_for_indication_to_return);
  suite_add_tcase(s, tc);
  return s;
}
