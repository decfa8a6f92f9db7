/*
 * test_why.c - the "why" suite: the reference explains each host call
 * (torc_reference_explain(), reference/torc_why.h).
 *
 * Each case drives the reference through the recording test host, with an
 * explain hook that keeps, per host call, the notes handed to it.  The
 * expected notes are worked out by hand from the flowcharts
 * (spec/delivery-algorithm.md: entries E1-E3, decisions D1-D20 with their
 * outcome, junctions J1-J8, P1) and the rules applied on the way, in the
 * order the algorithm takes them; the "path" comments give the derivation.
 * Call 0 is always the offload completion.  The path (boxes and decisions)
 * is compared exactly; of the rules, those the case is about are required
 * and some that must not appear are refused.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "torc_reference.h"
#include "torc_test_host.h"

#define PUSH_US 500000u /* TcpPushTicks 0 -> 500 ms (RCV-193, DEC-10) */
#define MAX_CALLS 16

/* The notes of each host call, space-separated. */
typedef struct notes {
  char call[MAX_CALLS][512];
  int n;
} notes;

static void record(void *ctx, const char *const *because, uint32_t n) {
  notes *w = ctx;
  char *out;
  size_t used = 0;
  ck_assert_int_lt(w->n, MAX_CALLS);
  out = w->call[w->n++];
  out[0] = '\0';
  for (uint32_t i = 0; i < n; i++)
    used += (size_t)snprintf(out + used, sizeof w->call[0] - used, "%s%s",
                             i ? " " : "", because[i]);
}

/* The notes of a call of one sort, in order: wire 0 for the flowchart
 * boxes and decisions, 1 for the wire-path branches (W1..W24); rules are
 * left out. */
static const char *notes_of(const char *call, int wire) {
  static char out[512];
  char buf[512], *tok, *save = NULL;
  size_t used = 0;
  snprintf(buf, sizeof buf, "%s", call);
  out[0] = '\0';
  for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
    if (strncmp(tok, "RCV-", 4) != 0 && strncmp(tok, "DEC-", 4) != 0 &&
        (tok[0] == 'W') == wire)
      used += (size_t)snprintf(out + used, sizeof out - used, "%s%s",
                               used ? " " : "", tok);
  return out;
}
static const char *boxes(const char *call) {
  return notes_of(call, 0);
}
static const char *wire(const char *call) {
  return notes_of(call, 1);
}

/* 1 when the notes of call name tag. */
static int names(const char *call, const char *tag) {
  char buf[512], *tok, *save = NULL;
  snprintf(buf, sizeof buf, "%s", call);
  for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
    if (strcmp(tok, tag) == 0)
      return 1;
  return 0;
}

/* Every tag of the space-separated list is named by call. */
static void names_all(const char *call, const char *list) {
  char buf[512], *tok, *save = NULL;
  snprintf(buf, sizeof buf, "%s", list);
  for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
    ck_assert_msg(names(call, tok), "'%s' does not name %s", call, tok);
}

/* A test host whose connection explains itself into *w. */
static torc_test_host *explained(notes *w) {
  torc_test_host *h = th_new();
  memset(w, 0, sizeof *w);
  ck_assert_int_eq(torc_reference_explain(th_conn(h), record, w), 0);
  return h;
}

/* covers: RCV-015 DEC-22 */
START_TEST(test_why_offload_completion) {
  /* path: no BufferedData; the offload completes from inside the call. */
  notes w;
  torc_test_host *h = explained(&w);
  ck_assert_uint_eq(th_offload(h, 0), TORC_STATUS_SUCCESS);
  ck_assert_int_eq(w.n, 1);
  ck_assert_str_eq(boxes(w.call[0]), "");
  names_all(w.call[0], "RCV-015 RCV-019 DEC-22");
  ck_assert(!names(w.call[0], "RCV-007")); /* nothing to copy */
  th_free(h);
}
END_TEST

/* covers: RCV-007 RCV-009 RCV-015 */
START_TEST(test_why_offload_with_buffered_data) {
  notes w;
  torc_test_host *h = explained(&w);
  ck_assert_uint_eq(th_offload(h, 100), TORC_STATUS_SUCCESS);
  names_all(w.call[0], "RCV-007 RCV-008 RCV-009 RCV-015 DEC-22");
  th_free(h);
}
END_TEST

/* covers: RCV-067 RCV-052 RCV-071 RCV-078 RCV-079 RCV-182 */
START_TEST(
    test_why_psh_completes_a_partly_filled_push_request) { /* path: the post: E1
                                                            * -> D1 No -> D2 No
                                                            * -> J1 (queued,
                                                            * nothing held);
                                                            * then the segment:
                                                            * E2 -> D3 No -> D4
                                                            * Yes -> J3 -> P1
                                                            * (100 bytes into
                                                            * the 1000-byte
                                                            * request: none
                                                            * filled) -> D6 No
                                                            * -> D8 Yes (all
                                                            * placed) -> D9 Yes
                                                            * (partly filled) ->
                                                            * D10 Yes (push) ->
                                                            * D11 Yes (PSH) ->
                                                            * complete -> D12 No
                                                            * (no timer
                                                            * running).  The
                                                            * post made no call,
                                                            * so its notes
                                                            * explain this one
                                                            * too. */
  notes w;
  torc_test_host *h = explained(&w);
  th_offload(h, 0);
  th_post(h, 1000, 1);
  ck_assert_int_eq(w.n, 1);
  th_segment(h, 0, 100, TORC_TCP_PSH);
  ck_assert_str_eq(th_trace(h), "O C[100]");
  ck_assert_int_eq(w.n, 2);
  ck_assert_str_eq(boxes(w.call[1]),
                   "E1 D1=no D2=no J1 E2 D3=no D4=yes J3 "
                   "P1 D6=no J4 D8=yes D9=yes D10=yes D11=yes "
                   "D12=no J6");
  names_all(w.call[1], "RCV-064 RCV-065 RCV-067 RCV-052 RCV-071 RCV-078 "
                       "RCV-079 RCV-182 RCV-112");
  /* Nothing filled the request and no timer ran: neither RCV-072 (filled
   * requests) nor RCV-073 (stop the timer) decided it. */
  ck_assert(!names(w.call[1], "RCV-072") && !names(w.call[1], "RCV-073"));
  th_free(h);
}
END_TEST

/* covers: RCV-055 RCV-083 RCV-125 RCV-164 */
START_TEST(test_why_no_request_indicates) {
  /* path: E2 -> D3 No -> D4 No -> D5 No -> J5 -> (B) -> D14 No -> indicate
   * all 200 bytes (RcvIndicationSize 0: as much as possible). */
  notes w;
  torc_test_host *h = explained(&w);
  th_offload(h, 0);
  th_segment(h, 0, 200, 0);
  ck_assert_str_eq(th_trace(h), "O I200");
  ck_assert_int_eq(w.n, 2);
  ck_assert_str_eq(boxes(w.call[1]), "E2 D3=no D4=no D5=no J5 B D14=no");
  names_all(w.call[1], "RCV-055 RCV-083 RCV-125 RCV-164 RCV-122");
  ck_assert(!names(w.call[1], "RCV-167")); /* the window cut nothing */
  th_return_indications(h);
  th_free(h);
}
END_TEST

/* covers: RCV-072 RCV-181 RCV-077 RCV-185 */
START_TEST(test_why_full_non_push_request_completes_alone) {
  /* path: E2 -> D3 No -> D4 Yes -> J3 -> P1 (150 bytes: request 1 full,
   * request 2 holds 50) -> D6 Yes -> complete request 1 -> D7 No.  Then D8
   * Yes -> D9 Yes -> D10 No: request 2 waits, PSH notwithstanding
   * (RCV-185), and no further call is made. */
  notes w;
  torc_test_host *h = explained(&w);
  th_offload(h, 0);
  th_post(h, 100, 0);
  th_post(h, 100, 0);
  th_segment(h, 0, 150, TORC_TCP_PSH);
  ck_assert_str_eq(th_trace(h), "O C[100]");
  ck_assert_int_eq(w.n, 2);
  ck_assert_str_eq(boxes(w.call[1]),
                   "E1 D1=no D2=no J1 E1 D1=no D2=no J1 E2 D3=no D4=yes J3 P1 "
                   "D6=yes D7=no"); /* two posts: two passes of entry 1 */
  names_all(w.call[1], "RCV-071 RCV-072 RCV-181");
  /* D10 came after this call: its rules belong to no call. */
  ck_assert(!names(w.call[1], "RCV-185"));
  th_free(h);
}
END_TEST

/* covers: RCV-088 RCV-197 RCV-081 RCV-182 */
START_TEST(test_why_push_timer_completes) {
  /* path (segment): ... D10 Yes -> D11 No -> D13 No -> start the timer; no
   * call.  path (expiry): E3 -> D19 Yes -> D20 Yes -> complete. */
  notes w;
  torc_test_host *h = explained(&w);
  th_offload(h, 0);
  th_post(h, 1000, 1);
  th_segment(h, 0, 100, 0);
  ck_assert_int_eq(w.n, 1);
  th_advance(h, PUSH_US);
  ck_assert_str_eq(th_trace(h), "O C[100]");
  ck_assert_int_eq(w.n, 2);
  /* Everything since the offload completion: the post queued (J1), the
   * segment placed without PSH, the timer started at D13 (RCV-080,
   * RCV-179), then the expiry with the default interval (RCV-193). */
  ck_assert_str_eq(boxes(w.call[1]), "E1 D1=no D2=no J1 E2 D3=no D4=yes J3 P1 "
                                     "D6=no J4 D8=yes D9=yes D10=yes D11=no "
                                     "D13=no J7 E3 D19=yes D20=yes");
  names_all(w.call[1], "RCV-088 RCV-081 RCV-182 RCV-080 RCV-179 RCV-193");
  th_free(h);
}
END_TEST

/* covers: RCV-167 DEC-15 */
START_TEST(test_why_window_trims_the_indication) {
  /* A 100-byte window and a 150-byte segment at RcvNxt: the 50 bytes past
   * the right edge are cut (RCV-167, DEC-15) before the segment takes
   * entry 2; then as test_why_no_request_indicates. */
  notes w;
  torc_test_host *h = th_new();
  memset(&w, 0, sizeof w);
  th_set_rcv_wnd(h, 100);
  ck_assert_int_eq(torc_reference_explain(th_conn(h), record, &w), 0);
  th_offload(h, 0);
  th_segment(h, 0, 150, 0);
  ck_assert_str_eq(th_trace(h), "O I100");
  ck_assert_str_eq(boxes(w.call[1]), "E2 D3=no D4=no D5=no J5 B D14=no");
  /* The cut is noted first: it happened as the segment arrived (W14),
   * then the rest taken in sequence (W17). */
  ck_assert(strncmp(w.call[1], "W14 RCV-167 DEC-15 W17 E2", 25) == 0);
  th_return_indications(h);
  th_free(h);
}
END_TEST

/* covers: RCV-255 RCV-256 DEC-18 */
START_TEST(test_why_fin_indicates_the_disconnect) {
  /* A bare FIN at RcvNxt with nothing held: RcvNxt passes it (DEC-18), no
   * request waits for it, and every earlier byte is delivered, so the
   * disconnect is indicated (RCV-255, RCV-256). */
  notes w;
  torc_test_host *h = explained(&w);
  th_offload(h, 0);
  th_segment(h, 0, 0, TORC_TCP_FIN);
  ck_assert_str_eq(th_trace(h), "O Ed");
  ck_assert_str_eq(boxes(w.call[1]), "");
  /* The FIN fixes the end (W21) and RcvNxt passes it at once (W23). */
  ck_assert_str_eq(wire(w.call[1]), "W21 W23");
  names_all(w.call[1], "DEC-18 RCV-255 RCV-256 RCV-122");
  th_free(h);
}
END_TEST

/* covers: RCV-057 RCV-062 */
START_TEST(test_why_wire_in_sequence_and_out_of_order) {
  /* A 1000-byte non-push request.  [0, 100) fits with room to spare: the
   * fast path (W1).  [200, 300) lies beyond a gap: queued (W19).
   * [100, 200) fills the gap: taken in sequence (W17), and the queued
   * [200, 300) is released behind it (W22).  [300, 1000) fills the request
   * exactly (no room left over: not the fast path, W17 again, noted once).
   * Only the last makes a call, so its notes carry all four. */
  notes w;
  torc_test_host *h = explained(&w);
  th_offload(h, 0);
  th_post(h, 1000, 0);
  th_segment(h, 0, 100, 0);
  th_segment(h, 200, 100, 0);
  th_segment(h, 100, 100, 0);
  ck_assert_int_eq(w.n, 1);
  th_segment(h, 300, 700, 0);
  ck_assert_str_eq(th_trace(h), "O C[1000]");
  ck_assert_int_eq(w.n, 2);
  ck_assert_str_eq(wire(w.call[1]), "W1 W19 W17 W22");
  th_free(h);
}
END_TEST

/* covers: RCV-301 RCV-303 DEC-04 */
START_TEST(test_why_wire_rst_acceptability) {
  /* 100 bytes into a 1000-byte push request (no PSH: it waits, W17).  An
   * RST before RcvNxt and one far beyond the window are unacceptable (W5,
   * noted once); one inside the window but not at RcvNxt is challenged
   * (W9); only the one at RcvNxt is acted on (W8): the abort is the first
   * call after the offload, and its notes name all three branches in the
   * order taken. */
  notes w;
  torc_test_host *h = explained(&w);
  th_offload(h, 0);
  th_post(h, 1000, 1);
  th_segment(h, 0, 100, 0);
  th_segment(h, 50, 0, TORC_TCP_RST);
  th_segment(h, 100 + (1u << 30), 0, TORC_TCP_RST);
  th_segment(h, 150, 0, TORC_TCP_RST);
  ck_assert_int_eq(w.n, 1);
  th_segment(h, 100, 0, TORC_TCP_RST);
  ck_assert_int_ge(w.n, 2);
  ck_assert_str_eq(wire(w.call[1]), "W17 W5 W9 W8");
  names_all(w.call[1], "RCV-301 DEC-04 RCV-303");
  th_free(h);
}
END_TEST

/* covers: RCV-079 RCV-182 */
START_TEST(test_why_wire_retransmissions_are_trimmed) {
  /* [0, 50) into a 1000-byte push request (W17; no PSH, it waits).  The
   * same segment again lies wholly before RcvNxt: unacceptable, a
   * retransmission (W7).  [25, 75) with PSH overlaps RcvNxt: its first 25
   * bytes are trimmed (W13), the other 25 taken, and the PSH completes the
   * request with 75 bytes. */
  notes w;
  torc_test_host *h = explained(&w);
  th_offload(h, 0);
  th_post(h, 1000, 1);
  th_segment(h, 0, 50, 0);
  th_segment(h, 0, 50, 0);
  ck_assert_int_eq(w.n, 1);
  th_segment(h, 25, 50, TORC_TCP_PSH);
  ck_assert_str_eq(th_trace(h), "O C[75]");
  ck_assert_str_eq(wire(w.call[1]), "W17 W7 W13");
  th_free(h);
}
END_TEST

/* covers: RCV-055 RCV-083 */
START_TEST(test_why_nothing_without_a_hook) {
  /* No hook: nothing is handed out; a hook removed stops the notes; a NULL
   * connection is refused. */
  notes w;
  torc_test_host *h = explained(&w);
  th_offload(h, 0);
  ck_assert_int_eq(torc_reference_explain(th_conn(h), NULL, NULL), 0);
  th_segment(h, 0, 200, 0);
  ck_assert_str_eq(th_trace(h), "O I200");
  ck_assert_int_eq(w.n, 1);
  ck_assert_int_eq(torc_reference_explain(NULL, record, &w), -1);
  th_return_indications(h);
  th_free(h);
}
END_TEST

Suite *why_suite(void);
Suite *why_suite(void) {
  Suite *s = suite_create("why");
  TCase *t = tcase_create("why");
  tcase_add_test(t, test_why_offload_completion);
  tcase_add_test(t, test_why_offload_with_buffered_data);
  tcase_add_test(t, test_why_psh_completes_a_partly_filled_push_request);
  tcase_add_test(t, test_why_no_request_indicates);
  tcase_add_test(t, test_why_full_non_push_request_completes_alone);
  tcase_add_test(t, test_why_push_timer_completes);
  tcase_add_test(t, test_why_window_trims_the_indication);
  tcase_add_test(t, test_why_fin_indicates_the_disconnect);
  tcase_add_test(t, test_why_wire_in_sequence_and_out_of_order);
  tcase_add_test(t, test_why_wire_rst_acceptability);
  tcase_add_test(t, test_why_wire_retransmissions_are_trimmed);
  tcase_add_test(t, test_why_nothing_without_a_hook);
  suite_add_tcase(s, t);
  return s;
}
