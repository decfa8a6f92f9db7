/*
 * test_wire.c - Check tests of what a segment from the wire does to the
 * reference target: in-sequence delivery (RCV-067), the out-of-order queue
 * (RCV-062), trimming of duplicates and overlaps, the receive window
 * (DEC-15), sequence arithmetic across 2^32, FIN (DEC-18), RST (DEC-04), URG
 * (DEC-08) and zero-length segments.
 *
 * Sits on the recording test host (torc_test_host.h), which drives the
 * target only through torc/target.h.  Every expectation below was worked
 * out by hand from the flowcharts (delivery-algorithm.md) and
 * docs/DECISIONS.md, never copied from the target's output.  Traces use
 * th_trace()'s notation: "O C[100,50] I300n Ed".  Stream offsets are
 * relative: offset 0 is the first byte of the BufferedData given at offload.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "torc_test_host.h"

/* A host offloaded with rcv_wnd (0 keeps the default 65535) and buffered
 * bytes [0, buffered) of the stream. */
static torc_test_host *wire_host(uint32_t rcv_wnd, uint32_t buffered) {
  torc_test_host *h = th_new();
  if (rcv_wnd != 0)
    th_set_rcv_wnd(h, rcv_wnd);
  ck_assert_uint_eq(th_offload(h, buffered), TORC_STATUS_SUCCESS);
  return h;
}

/* Sends stream bytes [off, off + len) with every byte in [bad_lo, bad_hi)
 * inverted.  The inverted bytes are ones the target already holds (or has
 * delivered) from an earlier arrival, so a target in which the first
 * arrival wins never delivers them. */
static void seg_poisoned(torc_test_host *h, uint64_t off, uint32_t len,
                         uint64_t bad_lo, uint64_t bad_hi, uint8_t flags) {
  uint8_t *p = malloc(len ? len : 1);
  ck_assert_ptr_nonnull(p);
  th_stream_fill(p, off, len);
  for (uint32_t i = 0; i < len; i++)
    if (off + i >= bad_lo && off + i < bad_hi)
      p[i] = (uint8_t)~p[i];
  th_segment_raw(h, th_seq(h, off), p, len, flags);
  free(p);
}

/* Reads the counters; returns 0 when the target has none (optional in the
 * ABI), so the caller skips the counter checks. */
static int wire_stats(torc_test_host *h, torc_target_stats *st) {
  return th_stats(h, st) == 0;
}

/* covers: RCV-067 RCV-071 RCV-072 RCV-060 RCV-061 RCV-181 DEC-19 */
START_TEST(test_wire_in_sequence_fills_requests) {
  torc_test_host *h = wire_host(0, 0);
  th_post(h, 100, 0);
  th_post(h, 50, 0);
  th_segment(h, 0, 60, 0);
  /* 60 bytes into request 1 (non-push, partly filled): D10 No, exit. */
  ck_assert_str_eq(th_trace(h), "O");
  th_segment(h, 60, 90, 0);
  /* 40 fill request 1, 50 fill request 2: one completion call for all
   * filled requests (box "Complete all filled requests", DEC-19). */
  ck_assert_str_eq(th_trace(h), "O C[100,50]");
  th_assert_delivered_stream(h, 0, 150);
  th_free(h);
}
END_TEST

/* covers: RCV-055 RCV-083 RCV-130 RCV-133 RCV-160 DEC-21 */
START_TEST(test_wire_in_sequence_indicates_without_request) {
  torc_test_host *h = wire_host(0, 0);
  th_segment(h, 0, 300, 0);
  /* D4 No, D5 No -> flowchart 2: one indication of everything (DEC-21). */
  ck_assert_str_eq(th_trace(h), "O I300");
  ck_assert_uint_eq(th_return_indications(h), 1);
  th_segment(h, 300, 200, 0);
  ck_assert_str_eq(th_trace(h), "O I300 I200");
  th_assert_delivered_stream(h, 0, 500);
  th_free(h);
}
END_TEST

/* covers: RCV-062 RCV-057 RCV-067 */
START_TEST(test_wire_out_of_order_queued_until_gap_fills) {
  torc_test_host *h = wire_host(0, 0);
  th_post(h, 300, 0);
  th_segment(h, 100, 100, 0);
  th_segment(h, 200, 100, 0);
  /* Not in sequence: nothing may reach the request yet. */
  ck_assert_str_eq(th_trace(h), "O");
  ck_assert_uint_eq(th_delivered_len(h), 0);
  torc_target_stats st;
  if (wire_stats(h, &st))
    ck_assert_uint_ge(st.queued_out_of_order, 1);
  th_segment(h, 0, 100, 0);
  /* The gap fills: [0, 300) is in sequence and fills the request. */
  ck_assert_str_eq(th_trace(h), "O C[300]");
  th_assert_delivered_stream(h, 0, 300);
  th_free(h);
}
END_TEST

/* covers: RCV-062 RCV-055 RCV-160 RCV-164 DEC-21 */
START_TEST(test_wire_out_of_order_indicated_at_once) {
  torc_test_host *h = wire_host(0, 0);
  th_segment(h, 200, 100, 0);
  th_segment(h, 100, 100, 0);
  ck_assert_str_eq(th_trace(h), "O");
  th_segment(h, 0, 100, 0);
  /* All 300 in-sequence bytes in one indication (RcvIndicationSize 0). */
  ck_assert_str_eq(th_trace(h), "O I300");
  th_assert_delivered_stream(h, 0, 300);
  th_free(h);
}
END_TEST

/* The second arrival against a queued [100, 200): left overlap, right
 * overlap, inside, covering, exact duplicate.  Its copy of [100, 200) is
 * inverted, so delivering it would show. */
static const struct {
  uint64_t off;
  uint32_t len;
} overlap_case[] = {{50, 100}, {150, 100}, {120, 60}, {50, 200}, {100, 100}};

/* covers: RCV-062 RCV-057 RCV-059 */
START_TEST(test_wire_overlap_first_arrival_wins) {
  uint64_t off = overlap_case[_i].off;
  uint32_t len = overlap_case[_i].len;
  torc_test_host *h = wire_host(0, 0);
  th_post(h, 400, 0);
  th_segment(h, 100, 100, 0);
  seg_poisoned(h, off, len, 100, 200, 0);
  ck_assert_str_eq(th_trace(h), "O");
  /* Fill the gaps with stream bytes only: [0, lo) and [hi, 400). */
  uint64_t lo = off < 100 ? off : 100;
  uint64_t hi = off + len > 200 ? off + len : 200;
  th_segment(h, 0, (uint32_t)lo, 0);
  ck_assert_str_eq(th_trace(h), "O");
  th_segment(h, hi, (uint32_t)(400 - hi), 0);
  ck_assert_str_eq(th_trace(h), "O C[400]");
  th_assert_delivered_stream(h, 0, 400);
  th_free(h);
}
END_TEST

/* covers: RCV-057 RCV-062 RCV-061 */
START_TEST(test_wire_old_duplicate_ignored) {
  torc_test_host *h = wire_host(0, 0);
  th_post(h, 200, 0);
  th_segment(h, 0, 100, 0); /* placed; RcvNxt = 100 */
  /* Wholly old, different bytes: ignored. */
  seg_poisoned(h, 50, 50, 0, 100, 0);
  /* Left part old (different bytes), right part new (stream bytes): only
   * [100, 150) is taken. */
  seg_poisoned(h, 50, 100, 0, 100, 0);
  ck_assert_str_eq(th_trace(h), "O");
  th_segment(h, 150, 50, 0);
  ck_assert_str_eq(th_trace(h), "O C[200]");
  th_assert_delivered_stream(h, 0, 200);
  /* Data already consumed through an indication, resent altered. */
  th_segment(h, 200, 100, 0);
  ck_assert_str_eq(th_trace(h), "O C[200] I100");
  seg_poisoned(h, 150, 150, 0, 300, 0);
  ck_assert_str_eq(th_trace(h), "O C[200] I100");
  th_assert_delivered_stream(h, 0, 300);
  th_free(h);
}
END_TEST

/* covers: DEC-15 RCV-118 RCV-130 */
START_TEST(test_wire_out_of_window_dropped_counted) {
  /* RcvWnd 1000, nothing buffered: right edge = 0 + 1000 + 0 - 0 = 1000. */
  torc_test_host *h = wire_host(1000, 0);
  th_segment(h, 1000, 100, 0); /* starts at the edge: wholly outside */
  ck_assert_str_eq(th_trace(h), "O");
  torc_target_stats st;
  int have = wire_stats(h, &st);
  if (have)
    ck_assert_uint_eq(st.dropped_out_of_window, 1);
  th_segment(h, 0, 1000, 0);
  /* Accepted (fills the window), indicated and consumed: the consumed
   * bytes reopen the window, edge = 1000 + 1000 = 2000. */
  ck_assert_str_eq(th_trace(h), "O I1000");
  th_segment(h, 1000, 100, 0);
  ck_assert_str_eq(th_trace(h), "O I1000 I100");
  /* Edge now 1100 + 1000 = 2100: a segment at 2100 is outside. */
  th_segment(h, 2100, 10, 0);
  ck_assert_str_eq(th_trace(h), "O I1000 I100");
  if (have) {
    ck_assert_int_eq(wire_stats(h, &st), 1);
    ck_assert_uint_eq(st.dropped_out_of_window, 2);
  }
  th_assert_delivered_stream(h, 0, 1100);
  th_free(h);
}
END_TEST

/* covers: DEC-15 DEC-16 RCV-142 RCV-070 RCV-184 RCV-188 RCV-086 */
START_TEST(test_wire_window_trim_and_reopen_by_placement) {
  torc_test_host *h = wire_host(1000, 0);
  th_set_default_answer(h, TORC_STATUS_OFFLOAD_DATA_NOT_ACCEPTED, 0);
  th_segment(h, 0, 600, 0);
  /* Refused: 600 held, RcvWnd = 1000 - 600 = 400, edge stays 1000. */
  ck_assert_str_eq(th_trace(h), "O I600n");
  th_segment(h, 600, 600, 0);
  /* [600, 1000) accepted and appended to the held data (DEC-16, no new
   * indication, RCV-142); [1000, 1200) trimmed. */
  th_segment(h, 1000, 100, 0); /* wholly outside: dropped */
  ck_assert_str_eq(th_trace(h), "O I600n");
  torc_target_stats st;
  if (wire_stats(h, &st)) {
    ck_assert_uint_eq(st.dropped_out_of_window, 1);
    ck_assert_uint_ge(st.bytes_trimmed, 200);
  }
  th_post(h, 2000, 0);
  /* The 1000 held bytes are placed into the non-push request (not full, no
   * completion); placing reopens the window: RcvWnd = 1000 - 0, edge =
   * 1000 + 1000 = 2000, so a request larger than the window can fill. */
  ck_assert_str_eq(th_trace(h), "O I600n");
  th_segment(h, 1000, 1000, 0);
  ck_assert_str_eq(th_trace(h), "O I600n C[2000]");
  th_assert_delivered_stream(h, 0, 2000);
  th_free(h);
}
END_TEST

/* covers: DEC-23 DEC-15 RCV-166 RCV-167 RCV-003 RCV-006 RCV-035 RCV-036 */
START_TEST(test_wire_window_counts_buffered_data) {
  /* The test host offloads with InitialRcvWnd = RcvWnd = 1000, so W = 1000
   * (DEC-23 replaces DEC-15's "RcvWnd + BufferedData length").  With 500
   * buffered (held): RcvNxt = 500, edge = 500 + (1000 - 500) = 1000. */
  torc_test_host *h = wire_host(1000, 500);
  th_segment(h, 500, 500, 0); /* exactly fills the window, appended */
  th_segment(h, 1000, 1, 0);  /* just outside: dropped */
  ck_assert_str_eq(th_trace(h), "O");
  torc_target_stats st;
  int have = wire_stats(h, &st);
  if (have) {
    ck_assert_uint_eq(st.dropped_out_of_window, 1);
    ck_assert_uint_eq(st.bytes_trimmed, 0);
  }
  th_post(h, 3000, 0);
  /* 1000 held bytes placed: held 0, edge = 1000 + 1000 = 2000. */
  ck_assert_str_eq(th_trace(h), "O");
  th_segment(h, 2000, 1, 0); /* at the edge: dropped */
  th_segment(h, 1999, 1, 0); /* last byte inside: queued out of order */
  if (have) {
    ck_assert_int_eq(wire_stats(h, &st), 1);
    ck_assert_uint_eq(st.dropped_out_of_window, 2);
  }
  th_segment(h, 1000, 999, 0); /* fills the gap: 2000 placed, not full */
  ck_assert_str_eq(th_trace(h), "O");
  th_segment(h, 2000, 1000, 0); /* edge now 2000 + 1000 = 3000 */
  ck_assert_str_eq(th_trace(h), "O C[3000]");
  th_assert_delivered_stream(h, 0, 3000);
  th_free(h);
}
END_TEST

/* covers: RCV-062 RCV-005 RCV-006 RCV-007 RCV-036 */
START_TEST(test_wire_sequence_wrap_buffered) {
  torc_test_host *h = th_new();
  /* BufferedData seqs 0xFFFFFF00 .. 0x7F: the second fragment straddles
   * 2^32; RcvNxt = 0x80. */
  th_set_isn(h, 0xFFFFFF00u);
  const uint32_t frags[] = {0xC0, 0xC0};
  ck_assert_uint_eq(th_offload_frags(h, frags, 2, 1), TORC_STATUS_SUCCESS);
  th_post(h, 0x300, 0);           /* takes the 0x180 buffered bytes, not full */
  th_segment(h, 0x200, 0x100, 0); /* out of order */
  th_segment(h, 0x100, 0x80, 0);  /* old duplicate (before RcvNxt) */
  /* Far behind RcvNxt (seq 0xFFFF0080): old, ignored. */
  uint8_t junk[16];
  memset(junk, 0x3C, sizeof junk);
  th_segment_raw(h, th_seq(h, 0x180) - 0x10000u, junk, sizeof junk, 0);
  ck_assert_str_eq(th_trace(h), "O");
  th_segment(h, 0x180, 0x80, 0);
  ck_assert_str_eq(th_trace(h), "O C[768]");
  th_assert_delivered_stream(h, 0, 0x300);
  th_free(h);
}
END_TEST

/* covers: RCV-062 RCV-055 RCV-057 DEC-15 */
START_TEST(test_wire_sequence_wrap_reassembly) {
  torc_test_host *h = th_new();
  /* RcvNxt at offload = 0xFFFFFF00; the next segments cross 0. */
  th_set_isn(h, 0xFFFFFE00u);
  th_set_rcv_wnd(h, 0x400);
  ck_assert_uint_eq(th_offload(h, 0x100), TORC_STATUS_SUCCESS);
  th_post(h, 0x100, 0);
  ck_assert_str_eq(th_trace(h), "O C[256]");
  /* All buffered data placed; W = InitialRcvWnd = 0x400 (DEC-23), so the
   * edge is RcvNxt (offset 0x100) + 0x400 = offset 0x500 (seq 0x300). */
  th_segment(h, 0x500, 0x10, 0);  /* at the edge: dropped */
  th_segment(h, 0x300, 0x100, 0); /* seqs 0x100..0x1FF, queued */
  th_segment(h, 0x200, 0x100, 0); /* seqs 0..0xFF, queued */
  ck_assert_str_eq(th_trace(h), "O C[256]");
  th_segment(h, 0x100, 0x100, 0); /* seqs 0xFFFFFF00..0xFFFFFFFF */
  ck_assert_str_eq(th_trace(h), "O C[256] I768");
  th_assert_delivered_stream(h, 0, 0x400);
  torc_target_stats st;
  if (wire_stats(h, &st))
    ck_assert_uint_eq(st.dropped_out_of_window, 1);
  th_free(h);
}
END_TEST

/* covers: DEC-18 RCV-255 RCV-256 RCV-254 RCV-079 RCV-182 */
START_TEST(test_wire_fin_pushes_partly_filled_request) {
  torc_test_host *h = wire_host(0, 0);
  th_post(h, 1000, 1);
  th_segment(h, 0, 100, TORC_TCP_FIN);
  /* FIN implies PSH: the partly filled push request completes, then no
   * data is held, so the disconnect is indicated. */
  ck_assert_str_eq(th_trace(h), "O C[100] Ed");
  /* Data beyond the FIN and a retransmitted FIN change nothing: the
   * disconnect is indicated once. */
  th_segment(h, 100, 50, 0);
  th_segment(h, 0, 100, TORC_TCP_FIN);
  ck_assert_str_eq(th_trace(h), "O C[100] Ed");
  /* A post after the disconnect finds no data: INVALID_STATE, 0 bytes. */
  th_post(h, 100, 1);
  ck_assert_str_eq(th_trace(h), "O C[100] Ed C[0i]");
  th_post(h, 10, 0);
  ck_assert_str_eq(th_trace(h), "O C[100] Ed C[0i] C[0i]");
  th_assert_delivered_stream(h, 0, 100);
  th_free(h);
}
END_TEST

/* covers: DEC-18 RCV-255 RCV-256 DEC-16 RCV-035 */
START_TEST(test_wire_fin_waits_for_held_data) {
  torc_test_host *h = wire_host(0, 200);
  th_segment(h, 200, 100, TORC_TCP_FIN);
  /* 300 held (200 buffered + 100 appended): no disconnect yet. */
  ck_assert_str_eq(th_trace(h), "O");
  th_advance(h, 2000000);
  ck_assert_str_eq(th_trace(h), "O");
  th_post(h, 300, 0);
  /* The request takes all held data and fills; then nothing is held and
   * the disconnect follows. */
  ck_assert_str_eq(th_trace(h), "O C[300] Ed");
  th_assert_delivered_stream(h, 0, 300);
  th_free(h);
}
END_TEST

/* covers: DEC-18 RCV-255 RCV-142 RCV-087 RCV-137 */
START_TEST(test_wire_fin_after_refused_indication) {
  torc_test_host *h = wire_host(0, 0);
  th_answer(h, TORC_STATUS_NOT_ACCEPTED, 0);
  th_segment(h, 0, 100, TORC_TCP_FIN);
  /* Refused (DEC-02: 0x00010003 also means nothing consumed): 100 held,
   * the FIN waits behind them. */
  ck_assert_str_eq(th_trace(h), "O I100n");
  th_advance(h, 1000000);
  ck_assert_str_eq(th_trace(h), "O I100n");
  th_post(h, 100, 0);
  ck_assert_str_eq(th_trace(h), "O I100n C[100] Ed");
  th_assert_delivered_stream(h, 0, 100);
  th_free(h);
}
END_TEST

/* covers: DEC-18 RCV-255 RCV-055 */
START_TEST(test_wire_fin_after_accepted_indication) {
  torc_test_host *h = wire_host(0, 0);
  th_segment(h, 0, 100, TORC_TCP_FIN | TORC_TCP_PSH);
  ck_assert_str_eq(th_trace(h), "O I100 Ed");
  /* A bare FIN with nothing held: disconnect at once (second host). */
  torc_test_host *g = wire_host(0, 0);
  th_segment(g, 0, 0, TORC_TCP_FIN);
  ck_assert_str_eq(th_trace(g), "O Ed");
  th_post(g, 50, 0);
  ck_assert_str_eq(th_trace(g), "O Ed C[0i]");
  th_free(g);
  th_free(h);
}
END_TEST

/* covers: DEC-18 DEC-30 RCV-184 RCV-077 RCV-255 */
START_TEST(test_wire_fin_leaves_nonpush_request_pending) {
  torc_test_host *h = wire_host(0, 0);
  uint64_t id = th_post(h, 1000, 0);
  th_segment(h, 0, 100, TORC_TCP_FIN);
  /* The 100 bytes are placed (nothing held); the non-push request is not
   * completed by the FIN (RCV-184), and while its bytes are not the
   * application's the disconnect waits (DEC-30, RCV-255). */
  ck_assert_str_eq(th_trace(h), "O");
  ck_assert_int_eq(th_req_get(h, id)->completed, 0);
  th_segment(h, 100, 900, 0); /* beyond the FIN: dropped */
  th_advance(h, 5000000);
  ck_assert_str_eq(th_trace(h), "O");
  ck_assert_int_eq(th_req_get(h, id)->completed, 0);
  th_free(h);
}
END_TEST

/* covers: DEC-04 RCV-258 RCV-259 RCV-303 RCV-253 RCV-260 */
START_TEST(test_wire_rst_at_rcv_nxt_aborts_requests) {
  torc_test_host *h = wire_host(0, 0);
  uint64_t a = th_post(h, 1000, 1);
  uint64_t b = th_post(h, 500, 0);
  th_segment(h, 0, 100, 0);  /* 100 into the push request; timer runs */
  th_segment(h, 300, 50, 0); /* out-of-order data, discarded by the RST */
  ck_assert_str_eq(th_trace(h), "O");
  th_segment(h, 100, 0, TORC_TCP_RST); /* seq == RcvNxt: acceptable */
  ck_assert_int_eq(th_count(h, TH_EV_EVENT), 1);
  int evi = -1;
  for (int i = 0; i < th_nevents(h); i++)
    if (th_event_get(h, i)->type == TH_EV_EVENT)
      evi = i;
  ck_assert_uint_eq(th_event_get(h, evi)->event, TORC_EVENT_ABORT);
  const th_req *ra = th_req_get(h, a), *rb = th_req_get(h, b);
  ck_assert_int_eq(ra->completed, 1);
  ck_assert_int_eq(rb->completed, 1);
  ck_assert_uint_eq(ra->status, TORC_STATUS_REQUEST_ABORTED);
  ck_assert_uint_eq(rb->status, TORC_STATUS_REQUEST_ABORTED);
  ck_assert_uint_eq(ra->bytes, 100); /* bytes already placed (RCV-253) */
  ck_assert_uint_eq(rb->bytes, 0);
  /* The abort is indicated first, then the requests are completed. */
  ck_assert_int_gt(ra->event, evi);
  ck_assert_int_gt(rb->event, evi);
  int n = th_nevents(h);
  th_advance(h, 2000000); /* no request left: nothing may fire */
  th_segment(h, 100, 100, 0);
  ck_assert_int_eq(th_nevents(h), n);
  th_assert_delivered_stream(h, 0, 100);
  th_free(h);
}
END_TEST

/* covers: DEC-04 RCV-304 */
START_TEST(test_wire_rst_in_window_not_at_rcv_nxt_ignored) {
  torc_test_host *h = wire_host(0, 0);
  th_post(h, 300, 0);
  th_segment(h, 0, 100, 0);
  th_segment(h, 150, 0, TORC_TCP_RST); /* in window, RcvNxt is 100 */
  th_segment(h, 101, 0, TORC_TCP_RST);
  ck_assert_str_eq(th_trace(h), "O");
  th_segment(h, 100, 200, 0);
  ck_assert_str_eq(th_trace(h), "O C[300]");
  th_assert_delivered_stream(h, 0, 300);
  th_free(h);
}
END_TEST

/* covers: DEC-04 RCV-301 */
START_TEST(test_wire_rst_out_of_window_dropped) {
  torc_test_host *h = wire_host(1000, 0);
  th_post(h, 300, 0);
  th_segment(h, 0, 100, 0);
  th_segment(h, 1100, 0, TORC_TCP_RST); /* edge is 100 + 1000 = 1100 */
  th_segment(h, 50000, 0, TORC_TCP_RST);
  th_segment_raw(h, th_seq(h, 0) - 5000u, NULL, 0, TORC_TCP_RST); /* old */
  ck_assert_str_eq(th_trace(h), "O");
  th_segment(h, 100, 200, 0);
  ck_assert_str_eq(th_trace(h), "O C[300]");
  th_assert_delivered_stream(h, 0, 300);
  th_free(h);
}
END_TEST

/* covers: DEC-04 RCV-258 RCV-303 */
START_TEST(test_wire_rst_discards_held_data) {
  torc_test_host *h = wire_host(0, 300);
  th_segment(h, 300, 100, 0); /* appended: 400 held */
  th_segment(h, 400, 0, TORC_TCP_RST);
  ck_assert_str_eq(th_trace(h), "O Ea");
  th_advance(h, 1000000);
  ck_assert_str_eq(th_trace(h), "O Ea");
  ck_assert_uint_eq(th_delivered_len(h), 0);
  th_free(h);
}
END_TEST

/* covers: DEC-08 DEC-24 RCV-283 RCV-285 RCV-282 RCV-288 RCV-242 RCV-236 */
START_TEST(test_wire_urgent_segment_requests_upload) {
  torc_test_host *h = wire_host(0, 100);
  th_segment(h, 100000, 10, TORC_TCP_URG); /* out of window: discarded */
  ck_assert_str_eq(th_trace(h), "O");
  th_segment(h, 100, 100, TORC_TCP_URG);
  ck_assert_str_eq(th_trace(h), "O Er5");
  th_segment(h, 200, 100, 0); /* after the urgent data: not delivered */
  /* DEC-24: the retrieve was made, so a post made now is completed at once
   * with UPLOAD_IN_PROGRESS and 0 bytes (RCV-236); the 100 held bytes from
   * before the urgent segment are not placed (RCV-242) ... */
  th_post(h, 100, 0);
  ck_assert_str_eq(th_trace(h), "O Er5 C[0u]");
  th_advance(h, 10000000); /* no timer, no indication either */
  ck_assert_str_eq(th_trace(h), "O Er5 C[0u]");
  ck_assert_uint_eq(th_delivered_len(h), 0);
  /* ... they go back in BufferedData at the terminate (DEC-07), RcvNxt
   * just after them: offset 100. */
  th_terminate(h);
  ck_assert_str_eq(th_trace(h), "O Er5 C[0u] T100");
  const th_event *e = th_event_get(h, th_nevents(h) - 1);
  ck_assert_uint_eq(e->rcv_nxt, th_seq(h, 100));
  ck_assert_uint_eq(th_handback_len(h), 100);
  th_free(h);
}
END_TEST

/* A request posted before the urgent segment keeps waiting: it is not
 * filled any more (RCV-242) and a later post lines up behind it (posting
 * order, RCV-061); both complete at the terminate (DEC-06, DEC-24). */
/* covers: DEC-24 RCV-242 RCV-236 RCV-230 */
START_TEST(test_wire_urgent_older_request_waits_for_terminate) {
  torc_test_host *h = wire_host(0, 0);
  uint64_t a = th_post(h, 300, 0); /* non-push, waits for 300 bytes */
  th_segment(h, 0, 100, 0);        /* 100 placed into it */
  th_segment(h, 100, 50, TORC_TCP_URG);
  ck_assert_str_eq(th_trace(h), "O Er5");
  th_segment(h, 150, 200, 0); /* not processed */
  uint64_t b = th_post(h, 50, 1);
  ck_assert_str_eq(th_trace(h), "O Er5"); /* b waits behind a */
  ck_assert_int_eq(th_req_get(h, a)->completed, 0);
  ck_assert_int_eq(th_req_get(h, b)->completed, 0);
  th_terminate(h);
  /* a: SUCCESS with its 100 bytes; b: UPLOAD_IN_PROGRESS, 0 bytes; nothing
   * handed back; RcvNxt = offset 100 (the urgent segment was not taken). */
  ck_assert_str_eq(th_trace(h), "O Er5 C[100,0u] T0");
  const th_event *e = th_event_get(h, th_nevents(h) - 1);
  ck_assert_uint_eq(e->rcv_nxt, th_seq(h, 100));
  th_free(h);
}
END_TEST

/* covers: DEC-01 RCV-189 RCV-088 */
START_TEST(test_wire_zero_length_ack_changes_nothing) {
  torc_test_host *h = wire_host(0, 0);
  th_segment(h, 0, 0, 0); /* nothing to indicate: no empty indication */
  ck_assert_str_eq(th_trace(h), "O");
  th_post(h, 1000, 1);
  th_segment(h, 0, 100, 0); /* push timer: deadline 500 ms */
  th_advance(h, 300000);
  th_segment(h, 100, 0, 0); /* ACK only: no data, no restart */
  ck_assert_str_eq(th_trace(h), "O");
  th_advance(h, 199999);
  ck_assert_str_eq(th_trace(h), "O");
  th_advance(h, 1);
  ck_assert_str_eq(th_trace(h), "O C[100]");
  ck_assert_uint_eq(th_event_get(h, 1)->time_us, 500000);
  th_assert_delivered_stream(h, 0, 100);
  th_free(h);
}
END_TEST

/* ---- DEC-15 without InitialRcvWnd ----------------------------------------
 * By default the test host offloads with InitialRcvWnd = RcvWnd (so DEC-23
 * applies); DEC-15's own formula, W = RcvWnd + BufferedData length, needs
 * InitialRcvWnd = 0, which th_set_initial_rcv_wnd(h, 0) gives. */

/* covers: DEC-15 RCV-118 RCV-003 RCV-006 RCV-035 */
START_TEST(test_wire_window_without_initial_rcv_wnd) {
  torc_test_host *h = th_new();
  th_set_rcv_wnd(h, 1000);
  th_set_initial_rcv_wnd(h, 0); /* not given: DEC-15 as written */
  ck_assert_uint_eq(th_offload(h, 500), TORC_STATUS_SUCCESS);
  /* W = 1000 + 500 = 1500; held 500: edge = 500 + (1500 - 500) = 1500. */
  th_segment(h, 500, 1000, 0); /* all of it fits (DEC-23 would trim) */
  th_segment(h, 1500, 1, 0);   /* at the edge: dropped */
  torc_target_stats ts;
  int have = th_stats(h, &ts) == 0;
  if (have) {
    ck_assert_uint_eq(ts.dropped_out_of_window, 1);
    ck_assert_uint_eq(ts.bytes_trimmed, 0);
  }
  uint64_t id = th_post(h, 3000, 0);
  /* 1500 held bytes placed: held 0, edge = 1500 + 1500 = 3000. */
  ck_assert_int_eq(th_count(h, TH_EV_COMPLETE), 0);
  th_segment(h, 3000, 1, 0); /* at the edge: dropped */
  th_segment(h, 1500, 1500, 0);
  ck_assert_int_eq(th_count(h, TH_EV_COMPLETE), 1);
  const th_req *r = th_req_get(h, id);
  ck_assert_ptr_nonnull(r);
  ck_assert_int_eq(r->completed, 1);
  ck_assert_uint_eq(th_event_get(h, r->event)->count, 1);
  ck_assert_uint_eq(r->status, TORC_STATUS_SUCCESS);
  ck_assert_uint_eq(r->bytes, 3000);
  th_assert_delivered_stream(h, 0, 3000);
  if (have) {
    ck_assert_int_eq(th_stats(h, &ts), 0);
    ck_assert_uint_eq(ts.dropped_out_of_window, 2);
  }
  ck_assert_int_eq(th_count(h, TH_EV_INDICATE) + th_count(h, TH_EV_EVENT), 0);
  th_free(h);
}
END_TEST

Suite *wire_suite(void);
Suite *wire_suite(void) {
  Suite *s = suite_create("wire");
  TCase *tc = tcase_create("wire");
  tcase_add_test(tc, test_wire_in_sequence_fills_requests);
  tcase_add_test(tc, test_wire_in_sequence_indicates_without_request);
  tcase_add_test(tc, test_wire_out_of_order_queued_until_gap_fills);
  tcase_add_test(tc, test_wire_out_of_order_indicated_at_once);
  tcase_add_loop_test(tc, test_wire_overlap_first_arrival_wins, 0,
                      (int)(sizeof overlap_case / sizeof overlap_case[0]));
  tcase_add_test(tc, test_wire_old_duplicate_ignored);
  tcase_add_test(tc, test_wire_out_of_window_dropped_counted);
  tcase_add_test(tc, test_wire_window_trim_and_reopen_by_placement);
  tcase_add_test(tc, test_wire_window_counts_buffered_data);
  tcase_add_test(tc, test_wire_window_without_initial_rcv_wnd);
  tcase_add_test(tc, test_wire_sequence_wrap_buffered);
  tcase_add_test(tc, test_wire_sequence_wrap_reassembly);
  tcase_add_test(tc, test_wire_fin_pushes_partly_filled_request);
  tcase_add_test(tc, test_wire_fin_waits_for_held_data);
  tcase_add_test(tc, test_wire_fin_after_refused_indication);
  tcase_add_test(tc, test_wire_fin_after_accepted_indication);
  tcase_add_test(tc, test_wire_fin_leaves_nonpush_request_pending);
  tcase_add_test(tc, test_wire_rst_at_rcv_nxt_aborts_requests);
  tcase_add_test(tc, test_wire_rst_in_window_not_at_rcv_nxt_ignored);
  tcase_add_test(tc, test_wire_rst_out_of_window_dropped);
  tcase_add_test(tc, test_wire_rst_discards_held_data);
  tcase_add_test(tc, test_wire_urgent_segment_requests_upload);
  tcase_add_test(tc, test_wire_urgent_older_request_waits_for_terminate);
  tcase_add_test(tc, test_wire_zero_length_ack_changes_nothing);
  suite_add_tcase(s, tc);
  return s;
}
