/*
 * test_failmalloc.c - fail-every-allocation runs of the reference target.
 *
 * Each scenario runs through TH_FAILMALLOC_RUN: once to count the
 * allocations the target makes through the host's alloc hook, then once per
 * allocation with that one failing.  Every run must end in a clean,
 * documented outcome and leak nothing (th_free checks the hook's count):
 *  - a failure while copying BufferedData fails the offload with
 *    NDIS_STATUS_FAILURE and nothing is delivered, ever (DEC-05, RCV-010,
 *    RCV-017): segments and time that follow make no upcall;
 *  - a later failure loses at most what was not acknowledged (a dropped
 *    segment, an indication put off, a post refused) and makes the
 *    reference ask for an upload, TcpIndicateRetrieve(UploadRequested)
 *    (DEC-25, RCV-237); after it nothing more is delivered (DEC-24,
 *    RCV-242): no indication, no event, and the only completions before
 *    the terminate are of requests posted after the retrieve, with
 *    UPLOAD_IN_PROGRESS and 0 bytes (RCV-236).  The delivered stream stays
 *    a gap-free prefix of the stream (the test host checks it), and at
 *    terminate delivered + handed-back bytes == the reported RcvNxt
 *    (DEC-07), which is the stream's end when no allocation failed.
 * Without a failure (the counting run) each scenario's full trace is the
 * one worked out by hand from the flowcharts and docs/DECISIONS.md.
 */
#include <check.h>
#include <string.h>

#include "torc_test_host.h"

/* Offloads; on failure checks DEC-05 and that nothing ever follows, and
 * returns 0.  Returns 1 when the connection is offloaded. */
static int fm_offload(torc_test_host *h, const uint32_t *frags, uint32_t nfrags,
                      uint32_t per_list) {
  uint32_t st = th_offload_frags(h, frags, nfrags, per_list);
  if (st == TORC_STATUS_SUCCESS)
    return 1;
  ck_assert_uint_eq(st, TORC_STATUS_FAILURE); /* DEC-05, RCV-010 */
  ck_assert_int_eq(th_alloc_failed(h), 1);
  uint32_t total = 0;
  for (uint32_t i = 0; i < nfrags; i++)
    total += frags[i];
  /* Wire traffic may still reach the adapter: it must not be delivered
   * (the test host also counts any upcall after a failed offload). */
  th_segment(h, total, 100, TORC_TCP_PSH);
  th_advance(h, 1000000);
  ck_assert_str_eq(th_trace(h), "O!");
  ck_assert_uint_eq(th_delivered_len(h), 0);
  return 0;
}

/* The end of every offloaded scenario: terminate, then RcvNxt at stream
 * offset end (every byte was eventually received) and the trace worked out
 * by hand when no allocation failed. */
static void fm_end(torc_test_host *h, uint64_t end, const char *want) {
  int before_terminate = th_nevents(h);
  th_terminate(h);
  const th_event *e = th_event_get(h, th_nevents(h) - 1);
  ck_assert_int_eq(e->type, TH_EV_TERMINATE_DONE);
  ck_assert_uint_eq(e->status, TORC_STATUS_SUCCESS);
  int ri = th_retrieve_index(h);
  if (ri < 0) {
    ck_assert_uint_eq(e->rcv_nxt, th_seq(h, end));
    ck_assert_uint_eq(th_delivered_len(h) + th_handback_len(h), end);
  } else {
    /* DEC-25: only an injected failure asks for an upload, for reason
     * UploadRequested; DEC-24: nothing is delivered after it. */
    ck_assert_int_eq(th_alloc_failed(h), 1);
    ck_assert_uint_eq(th_event_get(h, ri)->info, TORC_UPLOAD_UPLOAD_REQUESTED);
    for (int i = ri + 1; i < before_terminate; i++) {
      const th_event *x = th_event_get(h, i);
      ck_assert_int_eq(x->type, TH_EV_COMPLETE);
      for (uint32_t k = 0; k < x->count; k++) {
        ck_assert_uint_eq(x->c[k].status, TORC_STATUS_UPLOAD_IN_PROGRESS);
        ck_assert_uint_eq(x->c[k].bytes, 0);
      }
    }
    uint64_t upto = (uint32_t)(e->rcv_nxt - th_seq(h, 0));
    ck_assert_uint_le(upto, end);
    ck_assert_uint_eq(th_delivered_len(h) + th_handback_len(h), upto);
  }
  if (!th_alloc_failed(h))
    ck_assert_str_eq(th_trace(h), want);
  th_check_invariants(h);
}

/* BufferedData of 1000 bytes in ten fragments (one empty), five lists. */
static void fm_scenario_offload_lists(torc_test_host *h) {
  const uint32_t frags[] = {100, 0, 37, 200, 1, 64, 300, 12, 50, 236};
  if (!fm_offload(h, frags, 10, 2))
    return;
  th_post(h, 600, 0);  /* fills from the buffered data; 400 indicated */
  th_post(h, 1000, 0); /* waits for data */
  th_segment(h, 1000, 500, 0);
  th_segment(h, 1000, 500, 0); /* retransmission (recovers a drop) */
  /* No failure: C[600] I400 while posting, 500 placed into request 2,
   * which terminate completes SUCCESS with its bytes (DEC-06). */
  fm_end(h, 1500, "O C[600] I400 C[500] T0");
}

/* covers: DEC-05 RCV-010 RCV-017 RCV-007 RCV-233 DEC-07 */
START_TEST(test_failmalloc_offload_buffered_lists) {
  uint64_t n = TH_FAILMALLOC_RUN(fm_scenario_offload_lists);
  ck_assert_uint_ge(n, 1); /* the BufferedData copy allocates */
}
END_TEST

/* Out-of-order segments queued, then the gap filled. */
static void fm_scenario_out_of_order(torc_test_host *h) {
  if (!fm_offload(h, NULL, 0, 0))
    return;
  th_post(h, 3000, 0);
  th_segment(h, 1000, 1000, 0);
  th_segment(h, 2000, 1000, 0);
  th_segment(h, 0, 1000, 0);
  /* Retransmission of everything, in order, recovers any dropped one. */
  th_segment(h, 0, 1000, 0);
  th_segment(h, 1000, 1000, 0);
  th_segment(h, 2000, 1000, 0);
  fm_end(h, 3000, "O C[3000] T0");
}

/* covers: RCV-062 RCV-057 RCV-220 DEC-07 */
START_TEST(test_failmalloc_out_of_order) {
  uint64_t n = TH_FAILMALLOC_RUN(fm_scenario_out_of_order);
  ck_assert_uint_ge(n, 1); /* queuing out-of-order data allocates */
}
END_TEST

/* An indication refused, then a post takes part and the rest is indicated
 * again. */
static void fm_scenario_refused_reposted(torc_test_host *h) {
  if (!fm_offload(h, NULL, 0, 0))
    return;
  th_answer(h, TORC_STATUS_OFFLOAD_DATA_NOT_ACCEPTED, 0);
  th_segment(h, 0, 500, 0);   /* refused: 500 held */
  th_post(h, 200, 0);         /* C[200], then the 300 left indicated */
  th_segment(h, 500, 300, 0); /* nothing held, no request: indicated */
  th_return_indications(h);
  th_segment(h, 0, 800, 0); /* retransmission (recovers a drop) */
  th_return_indications(h);
  fm_end(h, 800, "O I500n C[200] I300 I300 T0");
}

/* covers: RCV-136 RCV-142 RCV-137 DEC-02 DEC-14 RCV-133 */
START_TEST(test_failmalloc_refused_reposted) {
  uint64_t n = TH_FAILMALLOC_RUN(fm_scenario_refused_reposted);
  ck_assert_uint_ge(n, 1);
}
END_TEST

/* Buffered data and appended segments handed back at terminate. */
static void fm_scenario_terminate_handback(torc_test_host *h) {
  const uint32_t frags[] = {150, 150};
  if (!fm_offload(h, frags, 2, 1))
    return;
  th_segment(h, 300, 200, 0); /* appended to the held data */
  th_segment(h, 600, 100, 0); /* out of order: discarded at terminate */
  th_segment(h, 300, 200, 0); /* retransmission (recovers a drop) */
  fm_end(h, 500, "O T500");
}

/* covers: DEC-07 RCV-208 RCV-209 RCV-212 RCV-233 RCV-221 */
START_TEST(test_failmalloc_terminate_handback) {
  uint64_t n = TH_FAILMALLOC_RUN(fm_scenario_terminate_handback);
  ck_assert_uint_ge(n, 1);
}
END_TEST

/* Push requests, the timer and a re-entrant post. */
static void fm_scenario_push_reentrant(torc_test_host *h) {
  if (!fm_offload(h, NULL, 0, 0))
    return;
  th_post(h, 100, 1);
  th_post_in_next_completion(h, 1000, 1);
  th_segment(h, 0, 150, 0);  /* C[100]; the re-entrant post takes 50 */
  th_advance(h, 500000);     /* the timer completes it: C[50] */
  th_segment(h, 150, 50, 0); /* no request: indicated */
  th_segment(h, 0, 200, 0);  /* retransmission (recovers a drop) */
  th_return_indications(h);
  fm_end(h, 200, "O C[100] C[50] I50 T0");
}

/* covers: DEC-14 DEC-10 RCV-107 RCV-179 RCV-088 */
START_TEST(test_failmalloc_push_reentrant) {
  TH_FAILMALLOC_RUN(fm_scenario_push_reentrant);
}
END_TEST

/* Several posts, one in a batch, then data for all of them.  A post the
 * target cannot queue for lack of memory must still be completed in
 * posting order (RCV-061, RCV-106): the test host flags any completion
 * that overtakes an earlier request. */
static void fm_scenario_posts_fifo(torc_test_host *h) {
  if (!fm_offload(h, NULL, 0, 0))
    return;
  const uint32_t sizes[] = {100, 200};
  th_post(h, 1000, 0);
  th_post(h, 500, 1);
  th_post(h, 0, 0);
  th_post_batch(h, sizes, 2, 1);
  th_segment(h, 0, 2000, 0);
  th_segment(h, 0, 2000, 0); /* retransmission (recovers a drop) */
  th_return_indications(h);
  /* No failure: every request fills (the zero-byte one completes as data
   * reaches it with more to place, DEC-20) in one call (DEC-19); the 200
   * left over are indicated. */
  fm_end(h, 2000, "O C[1000,500,0,100,200] I200 T0");
}

/* covers: RCV-061 RCV-106 RCV-114 RCV-093 DEC-19 DEC-20 */
START_TEST(test_failmalloc_posts_fifo) {
  TH_FAILMALLOC_RUN(fm_scenario_posts_fifo);
}
END_TEST

/* A segment that cannot be held after the offload: dropped unacknowledged,
 * and the reference asks for an upload with reason UploadRequested (10),
 * the reason the resource-constraint page names (DEC-25, RCV-237).  That
 * reason is mandatory: the retransmission is not processed (RCV-242), a post
 * made now completes at once with UPLOAD_IN_PROGRESS and 0 bytes (RCV-236),
 * and the terminate hands back nothing with RcvNxt still at offset 0. */
/* covers: DEC-25 DEC-24 RCV-237 RCV-242 RCV-236 */
START_TEST(test_failmalloc_segment_requests_upload) {
  torc_test_host *h = th_new();
  ck_assert_uint_eq(th_offload(h, 0), TORC_STATUS_SUCCESS);
  th_fail_alloc_at(h, 1);
  th_segment(h, 0, 100, TORC_TCP_PSH); /* no request: must be copied */
  ck_assert_int_eq(th_alloc_failed(h), 1);
  ck_assert_str_eq(th_trace(h), "O Er10");
  th_segment(h, 0, 100, TORC_TCP_PSH); /* the peer's retransmission */
  th_advance(h, 2000000);
  ck_assert_str_eq(th_trace(h), "O Er10");
  th_post(h, 100, 1);
  ck_assert_str_eq(th_trace(h), "O Er10 C[0u]");
  th_terminate(h);
  ck_assert_str_eq(th_trace(h), "O Er10 C[0u] T0");
  const th_event *e = th_event_get(h, th_nevents(h) - 1);
  ck_assert_uint_eq(e->rcv_nxt, th_seq(h, 0));
  ck_assert_uint_eq(th_delivered_len(h), 0);
  th_free(h);
}
END_TEST

/* A post that cannot be queued (the request ring's first allocation fails):
 * completed with REQUEST_ABORTED and 0 bytes as before, then the upload
 * request (DEC-25); the data that follows is not processed (RCV-242) and
 * the terminate reports RcvNxt at offset 0. */
/* covers: DEC-25 RCV-237 RCV-242 */
START_TEST(test_failmalloc_post_requests_upload) {
  torc_test_host *h = th_new();
  ck_assert_uint_eq(th_offload(h, 0), TORC_STATUS_SUCCESS);
  th_fail_alloc_at(h, 1);
  th_post(h, 100, 0);
  ck_assert_int_eq(th_alloc_failed(h), 1);
  ck_assert_str_eq(th_trace(h), "O C[0a] Er10");
  th_segment(h, 0, 100, TORC_TCP_PSH);
  ck_assert_str_eq(th_trace(h), "O C[0a] Er10");
  th_terminate(h);
  ck_assert_str_eq(th_trace(h), "O C[0a] Er10 T0");
  ck_assert_uint_eq(th_event_get(h, th_nevents(h) - 1)->rcv_nxt, th_seq(h, 0));
  th_free(h);
}
END_TEST

Suite *failmalloc_suite(void);
Suite *failmalloc_suite(void) {
  Suite *s = suite_create("failmalloc");
  TCase *tc = tcase_create("failmalloc");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_failmalloc_offload_buffered_lists);
  tcase_add_test(tc, test_failmalloc_out_of_order);
  tcase_add_test(tc, test_failmalloc_refused_reposted);
  tcase_add_test(tc, test_failmalloc_terminate_handback);
  tcase_add_test(tc, test_failmalloc_push_reentrant);
  tcase_add_test(tc, test_failmalloc_posts_fifo);
  tcase_add_test(tc, test_failmalloc_segment_requests_upload);
  tcase_add_test(tc, test_failmalloc_post_requests_upload);
  suite_add_tcase(s, tc);
  return s;
}
