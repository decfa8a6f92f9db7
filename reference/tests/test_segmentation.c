/*
 * test_segmentation.c - Check tests that the bytes a target delivers do not
 * depend on how the peer cut the stream into segments.
 *
 * One stream (1000 bytes of BufferedData at offload, then 20000 bytes from
 * the wire) is fed under seven segmentations: one byte per segment, MSS 536,
 * MSS 1448, random sizes, overlapping retransmissions, reordered windows and
 * duplicated segments.  Each is run under three posting patterns (non-push
 * requests, push requests with the timer, no requests so indications), as
 * Check loop tests.  Whatever the segmentation, the delivered bytes followed
 * by the bytes handed back at terminate must be the stream [0, 21000) and
 * RcvNxt at terminate must be its end (RCV-057, RCV-062, DEC-07); for the
 * non-push pattern even the bytes of every request are fixed (RCV-184).
 *
 * Sits on the recording test host (torc_test_host.h), which also checks
 * every host-visible rule (serialization, FIFO, canaries) at th_free().
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "torc_test_host.h"

#define SEG_BUFFERED 1000u
#define SEG_END 21000u /* stream end: BufferedData + 20000 wire bytes */
#define SEG_KINDS 7
#define SEG_TICK_BYTES 2500u /* a timer-sized pause every 2500 sent bytes */

typedef struct seg_piece {
  uint32_t off, len;
} seg_piece;

typedef struct seg_plan {
  seg_piece *p;
  uint32_t n, cap;
} seg_plan;

static const char *const seg_kind_name[SEG_KINDS] = {
    "one-byte", "mss-536",   "mss-1448",  "random",
    "overlap",  "reordered", "duplicated"};

static void plan_add(seg_plan *pl, uint32_t off, uint32_t len) {
  if (off >= SEG_END || len == 0)
    return;
  if (off + len > SEG_END)
    len = SEG_END - off;
  if (pl->n == pl->cap) {
    pl->cap = pl->cap ? pl->cap * 2 : 256;
    pl->p = realloc(pl->p, sizeof *pl->p * pl->cap);
    ck_assert_ptr_nonnull(pl->p);
  }
  pl->p[pl->n++] = (seg_piece){off, len};
}

static uint32_t seg_rand(uint32_t *s) { /* xorshift32 */
  uint32_t x = *s;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return *s = x;
}

/* The segments of one kind, covering [SEG_BUFFERED, SEG_END). */
static void plan_build(seg_plan *pl, int kind) {
  uint32_t rs = 0x9E3779B9u ^ (uint32_t)kind;
  uint32_t off = SEG_BUFFERED;
  switch (kind) {
  case 0: /* one byte per segment */
  case 1: /* MSS 536 */
  case 2: /* MSS 1448 */ {
    uint32_t mss = kind == 0 ? 1 : kind == 1 ? 536 : 1448;
    for (; off < SEG_END; off += mss)
      plan_add(pl, off, mss);
    break;
  }
  case 3: /* random sizes 1..3000 */
    while (off < SEG_END) {
      uint32_t len = 1 + seg_rand(&rs) % 3000;
      plan_add(pl, off, len);
      off += len;
    }
    break;
  case 4: /* 1000-byte segments every 700 (300 overlap), and every fifth
             one resent after the next */
    for (uint32_t i = 0; off < SEG_END; off += 700, i++) {
      plan_add(pl, off, 1000);
      if (i % 5 == 4)
        plan_add(pl, off - 700, 1000);
    }
    break;
  case 5: /* MSS 1448 in windows of four sent last first */
    for (; off < SEG_END; off += 4 * 1448)
      for (int k = 3; k >= 0; k--)
        plan_add(pl, off + (uint32_t)k * 1448, 1448);
    break;
  case 6: /* 1000-byte segments each sent twice; every third step also
             resends the one from two steps back, late */
    for (uint32_t i = 0; off < SEG_END; off += 1000, i++) {
      plan_add(pl, off, 1000);
      plan_add(pl, off, 1000);
      if (i % 3 == 2)
        plan_add(pl, off - 2000, 1000);
    }
    break;
  default:
    ck_abort_msg("unknown segmentation %d", kind);
  }
  /* Every byte of the stream is covered. */
  uint8_t *seen = calloc(SEG_END, 1);
  ck_assert_ptr_nonnull(seen);
  for (uint32_t i = 0; i < pl->n; i++)
    memset(seen + pl->p[i].off, 1, pl->p[i].len);
  for (uint32_t i = SEG_BUFFERED; i < SEG_END; i++)
    if (!seen[i])
      ck_abort_msg("plan %d misses byte %u", kind, i);
  free(seen);
}

/* Requests [first, last] of the host not yet completed. */
static uint32_t outstanding(torc_test_host *h, uint64_t first, uint64_t last) {
  uint32_t n = 0;
  for (uint64_t id = first; id <= last; id++)
    n += th_req_get(h, id)->completed == 0;
  return n;
}

/* Ends a run: terminate, then the shared invariant of every segmentation:
 * delivered + handed back == stream [0, SEG_END) and RcvNxt at its end. */
static void seg_finish(torc_test_host *h, int kind) {
  th_terminate(h);
  const th_event *e = th_event_get(h, th_nevents(h) - 1);
  ck_assert_int_eq(e->type, TH_EV_TERMINATE_DONE);
  ck_assert_uint_eq(e->status, TORC_STATUS_SUCCESS);
  ck_assert_msg(e->rcv_nxt == th_seq(h, SEG_END),
                "%s: RcvNxt at terminate is stream offset %u, expected %u",
                seg_kind_name[kind], e->rcv_nxt - th_seq(h, 0), SEG_END);
  uint64_t d = th_delivered_len(h);
  ck_assert_msg(d + th_handback_len(h) == SEG_END,
                "%s: delivered %llu + handed back %u != %u",
                seg_kind_name[kind], (unsigned long long)d, th_handback_len(h),
                SEG_END);
  if (d > 0)
    th_assert_delivered_stream(h, 0, d);
  const uint8_t *hb = th_handback(h);
  for (uint32_t i = 0; i < th_handback_len(h); i++)
    if (hb[i] != th_stream_byte(d + i))
      ck_abort_msg("%s: handed-back byte at stream %llu wrong",
                   seg_kind_name[kind], (unsigned long long)(d + i));
}

/* covers: RCV-057 RCV-062 RCV-184 RCV-188 RCV-060 RCV-061 RCV-036 DEC-06 */
START_TEST(test_segmentation_nonpush_requests) {
  int kind = _i;
  seg_plan pl = {0};
  plan_build(&pl, kind);
  torc_test_host *h = th_new();
  ck_assert_uint_eq(th_offload(h, SEG_BUFFERED), TORC_STATUS_SUCCESS);
  uint64_t first = 0, last = 0;
  for (uint32_t i = 0; i <= pl.n; i++) {
    while (last == 0 || outstanding(h, first, last) < 3) {
      last = th_post(h, 4000, 0);
      if (first == 0)
        first = last;
    }
    if (i < pl.n)
      th_segment(h, pl.p[i].off, pl.p[i].len,
                 (uint8_t)(i % 7 == 0 ? TORC_TCP_PSH : 0));
  }
  ck_assert_int_eq(th_count(h, TH_EV_INDICATE), 0);
  seg_finish(h, kind);
  /* 21000 bytes in 4000-byte non-push requests: five filled, the sixth
   * holds 1000 and is completed SUCCESS at terminate, the rest empty
   * (DEC-06), whatever the segmentation and PSH bits (RCV-185). */
  ck_assert_uint_eq(last - first + 1, 8);
  for (uint64_t id = first; id <= last; id++) {
    const th_req *r = th_req_get(h, id);
    uint32_t want = id - first < 5 ? 4000 : id - first == 5 ? 1000 : 0;
    uint32_t st =
        id - first <= 5 ? TORC_STATUS_SUCCESS : TORC_STATUS_UPLOAD_IN_PROGRESS;
    ck_assert_int_eq(r->completed, 1);
    ck_assert_msg(r->bytes == want && r->status == st,
                  "%s: request %llu: %u bytes status 0x%x, expected %u 0x%x",
                  seg_kind_name[kind], (unsigned long long)id, r->bytes,
                  r->status, want, st);
  }
  th_free(h);
  free(pl.p);
}
END_TEST

/* covers: RCV-057 RCV-062 RCV-179 RCV-182 RCV-088 DEC-01 DEC-09 */
START_TEST(test_segmentation_push_requests_with_timer) {
  int kind = _i;
  seg_plan pl = {0};
  plan_build(&pl, kind);
  torc_test_host *h = th_new();
  ck_assert_uint_eq(th_offload(h, SEG_BUFFERED), TORC_STATUS_SUCCESS);
  uint64_t first = 0, last = 0, sent = 0, next_pause = SEG_TICK_BYTES;
  for (uint32_t i = 0; i <= pl.n; i++) {
    while (last == 0 || outstanding(h, first, last) < 3) {
      last = th_post(h, 3000, 1);
      if (first == 0)
        first = last;
    }
    if (i == pl.n)
      break;
    th_segment(h, pl.p[i].off, pl.p[i].len, 0);
    th_advance(h, 1000); /* 1 ms between segments: the timer keeps running */
    sent += pl.p[i].len;
    if (sent >= next_pause) {
      next_pause += SEG_TICK_BYTES;
      th_advance(h, 600000); /* the push timer expires */
    }
  }
  th_advance(h, 600000);
  ck_assert_int_eq(th_count(h, TH_EV_INDICATE), 0);
  seg_finish(h, kind);
  ck_assert_uint_eq(th_handback_len(h), 0);
  for (uint64_t id = first; id <= last; id++) {
    const th_req *r = th_req_get(h, id);
    ck_assert_int_eq(r->completed, 1);
    ck_assert_uint_le(r->bytes, 3000);
    if (r->status == TORC_STATUS_UPLOAD_IN_PROGRESS)
      ck_assert_uint_eq(r->bytes, 0);
    else
      ck_assert_uint_eq(r->status, TORC_STATUS_SUCCESS);
  }
  th_free(h);
  free(pl.p);
}
END_TEST

/* covers: RCV-057 RCV-062 RCV-142 RCV-115 RCV-117 DEC-16 DEC-20 DEC-07 */
START_TEST(test_segmentation_indications) {
  int kind = _i;
  seg_plan pl = {0};
  plan_build(&pl, kind);
  torc_test_host *h = th_new();
  ck_assert_uint_eq(th_offload(h, SEG_BUFFERED), TORC_STATUS_SUCCESS);
  th_set_auto_return(h, 1);
  th_set_default_answer(h, TORC_STATUS_OFFLOAD_DATA_NOT_ACCEPTED, 0);
  /* A zero-byte request completes as data reaches it and lets the held
   * data be indicated (DEC-20, RCV-115); that one is accepted. */
  th_answer(h, TORC_STATUS_SUCCESS, 0);
  th_post(h, 0, 0);
  ck_assert_str_eq(th_trace(h), "O C[0] I1000");
  uint64_t sent = 0, next_pause = SEG_TICK_BYTES;
  for (uint32_t i = 0; i < pl.n; i++) {
    th_segment(h, pl.p[i].off, pl.p[i].len, 0);
    sent += pl.p[i].len;
    if (sent >= next_pause) {
      next_pause += SEG_TICK_BYTES;
      th_answer(h, TORC_STATUS_SUCCESS, 0);
      th_post(h, 0, 0);
    }
  }
  seg_finish(h, kind);
  th_free(h);
  free(pl.p);
}
END_TEST

Suite *segmentation_suite(void);
Suite *segmentation_suite(void) {
  Suite *s = suite_create("segmentation");
  TCase *tc = tcase_create("segmentation");
  tcase_set_timeout(tc, 60);
  tcase_add_loop_test(tc, test_segmentation_nonpush_requests, 0, SEG_KINDS);
  tcase_add_loop_test(tc, test_segmentation_push_requests_with_timer, 0,
                      SEG_KINDS);
  tcase_add_loop_test(tc, test_segmentation_indications, 0, SEG_KINDS);
  suite_add_tcase(s, tc);
  return s;
}
