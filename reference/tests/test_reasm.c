/*
 * test_reasm.c - Check tests of the out-of-order queue (torc_reasm.h).
 *
 * The queue is driven directly (not through the ops table): inserts with
 * gaps, overlaps on the left, on the right, inside and around queued data,
 * exact duplicates, data before RcvNxt, the 2^32 wrap, pops, cuts at a FIN,
 * and an allocation failure in the middle of a split insert.  Every chunk
 * is allocated through a counting allocator; teardown asserts that nothing
 * is left allocated.  Byte values: the first arrival of stream byte s is
 * A(s); a retransmission carries B(s) = ~A(s), so a test can see which copy
 * the queue kept (the first arrival wins).  Expected pieces and counts are
 * worked out by hand in the comments ("seqno: a..b" is [a, b)).
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "torc_reasm.h"
#include "torc_seq.h"

typedef struct counting_alloc {
  int live;    /* blocks allocated and not freed */
  int calls;   /* alloc calls so far */
  int fail_at; /* fail the alloc call with this number (1-based), 0 never */
} counting_alloc;

static counting_alloc ca;
static torc_mem mem;
static torc_reasm q;

static void *ca_alloc(void *ctx, size_t n) {
  counting_alloc *a = ctx;
  a->calls++;
  if (a->fail_at != 0 && a->calls == a->fail_at)
    return NULL;
  void *p = malloc(n);
  if (p != NULL)
    a->live++;
  return p;
}

static void ca_free(void *ctx, void *p) {
  counting_alloc *a = ctx;
  if (p != NULL)
    a->live--;
  free(p);
}

static void setup(void) {
  memset(&ca, 0, sizeof(ca));
  mem.ctx = &ca;
  mem.alloc = ca_alloc;
  mem.free = ca_free;
  torcint_reasm_init(&q);
}

static void teardown(void) {
  torcint_reasm_clear(&q, &mem);
  ck_assert_int_eq(ca.live, 0); /* R14: no allocation outstanding */
}

static uint8_t byte_a(uint32_t s) {
  return (uint8_t)(s * 7u + 3u);
}

/* Inserts stream bytes [seq, seq + len) as first arrival (b = 0) or
 * retransmission (b = 1) with RcvNxt = rcv_nxt. */
static torc_reasm_result ins(uint32_t rcv_nxt, uint32_t seq, uint32_t len,
                             int b, uint8_t flags) {
  uint8_t *p = malloc(len ? len : 1);
  ck_assert_ptr_nonnull(p);
  for (uint32_t i = 0; i < len; i++) {
    uint8_t v = byte_a(seq + i);
    p[i] = b ? (uint8_t)~v : v;
  }
  torc_reasm_result r;
  ck_assert_int_eq(
      torcint_reasm_insert(&q, &mem, rcv_nxt, seq, p, len, flags, &r), 0);
  free(p);
  return r;
}

/* The queue holds exactly the n ranges {seq, len} given, in that order. */
static void expect_queue(const uint32_t (*ranges)[2], uint32_t n) {
  uint64_t bytes = 0;
  const torc_chunk *c = q.head;
  for (uint32_t i = 0; i < n; i++, c = c->next) {
    ck_assert_ptr_nonnull(c);
    ck_assert_uint_eq(c->seq, ranges[i][0]);
    ck_assert_uint_eq(c->len - c->off, ranges[i][1]);
    bytes += ranges[i][1];
  }
  ck_assert_ptr_null(c);
  ck_assert_uint_eq(q.count, n);
  ck_assert_uint_eq(q.bytes, bytes);
}

/* Stream byte s, wherever it is queued, is the first arrival A(s). */
static void expect_first_arrival(uint32_t lo, uint32_t hi) {
  for (uint32_t s = lo; s != hi; s++) {
    const torc_chunk *c = q.head;
    while (c != NULL && !TORC_SEQ_IN(s, c->seq + c->off, c->seq + c->len))
      c = c->next;
    ck_assert_msg(c != NULL, "byte %u not queued", s);
    ck_assert_uint_eq(c->data[s - c->seq], byte_a(s));
  }
}

/* covers: RCV-062 */
START_TEST(test_reasm_empty_pop_is_null) {
  ck_assert_ptr_null(torcint_reasm_pop(&q, &mem, 100));
  ck_assert_uint_eq(q.count, 0);
  ck_assert_int_eq(ca.calls, 0);
}
END_TEST

/* covers: RCV-062 RCV-067 */
START_TEST(test_reasm_in_order_pops_at_once) {
  /* seqno: 100..150 at RcvNxt 100 -> poppable immediately. */
  torc_reasm_result r = ins(100, 100, 50, 0, 0);
  ck_assert_uint_eq(r.queued, 50);
  ck_assert_uint_eq(r.trimmed, 0);
  ck_assert_uint_eq(r.pieces, 1);
  torc_chunk *c = torcint_reasm_pop(&q, &mem, 100);
  ck_assert_ptr_nonnull(c);
  ck_assert_uint_eq(c->seq, 100);
  ck_assert_uint_eq(c->off, 0);
  ck_assert_uint_eq(c->len, 50);
  ck_assert_uint_eq(c->data[0], byte_a(100));
  ck_assert_uint_eq(q.count, 0);
  torcint_chunk_unref(&mem, c);
}
END_TEST

/* covers: RCV-062 */
START_TEST(test_reasm_gap_waits) {
  /* seqno: 200..300 with RcvNxt 100: a 100-byte gap stays open. */
  ins(100, 200, 100, 0, 0);
  ck_assert_ptr_null(torcint_reasm_pop(&q, &mem, 100));
  ck_assert_ptr_null(torcint_reasm_pop(&q, &mem, 199));
  const uint32_t want[][2] = {{200, 100}};
  expect_queue(want, 1);
  /* The gap fills: RcvNxt reaches 200. */
  torc_chunk *c = torcint_reasm_pop(&q, &mem, 200);
  ck_assert_ptr_nonnull(c);
  ck_assert_uint_eq(c->seq, 200);
  torcint_chunk_unref(&mem, c);
}
END_TEST

/* covers: RCV-062 RCV-057 */
START_TEST(test_reasm_sorted_when_inserted_backwards) {
  ins(100, 300, 100, 0, 0); /* seqno: 300..400 */
  ins(100, 200, 50, 0, 0);  /* seqno: 200..250 */
  ins(100, 260, 10, 0, 0);  /* seqno: 260..270 */
  const uint32_t want[][2] = {{200, 50}, {260, 10}, {300, 100}};
  expect_queue(want, 3);
}
END_TEST

/* covers: RCV-062 RCV-057 */
START_TEST(test_reasm_pops_consecutive_in_order) {
  ins(100, 150, 50, 0, 0); /* seqno: 150..200 */
  ins(100, 100, 50, 0, 0); /* seqno: 100..150 */
  torc_chunk *a = torcint_reasm_pop(&q, &mem, 100);
  ck_assert_ptr_nonnull(a);
  ck_assert_uint_eq(a->seq, 100);
  torc_chunk *b = torcint_reasm_pop(&q, &mem, 150);
  ck_assert_ptr_nonnull(b);
  ck_assert_uint_eq(b->seq, 150);
  ck_assert_ptr_null(torcint_reasm_pop(&q, &mem, 200));
  torcint_chunk_unref(&mem, a);
  torcint_chunk_unref(&mem, b);
}
END_TEST

/* covers: RCV-062 */
START_TEST(test_reasm_exact_duplicate_trimmed) {
  ins(100, 200, 100, 0, 0);                       /* seqno: 200..300 */
  torc_reasm_result r = ins(100, 200, 100, 1, 0); /* again, as B */
  ck_assert_uint_eq(r.queued, 0);
  ck_assert_uint_eq(r.trimmed, 100);
  ck_assert_uint_eq(r.pieces, 0);
  const uint32_t want[][2] = {{200, 100}};
  expect_queue(want, 1);
  expect_first_arrival(200, 300);
}
END_TEST

/* covers: RCV-062 */
START_TEST(test_reasm_overlap_left) {
  ins(100, 200, 100, 0, 0);                       /* seqno: 200..300 */
  torc_reasm_result r = ins(100, 150, 100, 1, 0); /* seqno: 150..250 */
  /* Only 150..200 is new: 50 queued, 50 trimmed. */
  ck_assert_uint_eq(r.queued, 50);
  ck_assert_uint_eq(r.trimmed, 50);
  const uint32_t want[][2] = {{150, 50}, {200, 100}};
  expect_queue(want, 2);
  expect_first_arrival(200, 300);
  ck_assert_uint_eq(q.head->data[0], (uint8_t)~byte_a(150));
}
END_TEST

/* covers: RCV-062 */
START_TEST(test_reasm_overlap_right) {
  ins(100, 200, 100, 0, 0);                       /* seqno: 200..300 */
  torc_reasm_result r = ins(100, 250, 100, 1, 0); /* seqno: 250..350 */
  /* Only 300..350 is new. */
  ck_assert_uint_eq(r.queued, 50);
  ck_assert_uint_eq(r.trimmed, 50);
  const uint32_t want[][2] = {{200, 100}, {300, 50}};
  expect_queue(want, 2);
  expect_first_arrival(200, 300);
}
END_TEST

/* covers: RCV-062 */
START_TEST(test_reasm_overlap_inside) {
  ins(100, 200, 100, 0, 0);                      /* seqno: 200..300 */
  torc_reasm_result r = ins(100, 220, 40, 1, 0); /* seqno: 220..260 */
  ck_assert_uint_eq(r.queued, 0);
  ck_assert_uint_eq(r.trimmed, 40);
  const uint32_t want[][2] = {{200, 100}};
  expect_queue(want, 1);
  expect_first_arrival(200, 300);
  ck_assert_int_eq(ca.live, 1);
}
END_TEST

/* covers: RCV-062 */
START_TEST(test_reasm_overlap_around_splits) {
  ins(100, 200, 100, 0, 0);                       /* seqno: 200..300 */
  torc_reasm_result r = ins(100, 150, 200, 1, 0); /* seqno: 150..350 */
  /* New: 150..200 and 300..350, in two pieces; 200..300 kept as A. */
  ck_assert_uint_eq(r.queued, 100);
  ck_assert_uint_eq(r.trimmed, 100);
  ck_assert_uint_eq(r.pieces, 2);
  const uint32_t want[][2] = {{150, 50}, {200, 100}, {300, 50}};
  expect_queue(want, 3);
  expect_first_arrival(200, 300);
}
END_TEST

/* covers: RCV-062 */
START_TEST(test_reasm_fills_several_holes) {
  ins(100, 200, 50, 0, 0);                        /* seqno: 200..250 */
  ins(100, 300, 50, 0, 0);                        /* seqno: 300..350 */
  ins(100, 400, 50, 0, 0);                        /* seqno: 400..450 */
  torc_reasm_result r = ins(100, 180, 290, 1, 0); /* seqno: 180..470 */
  /* Holes: 180..200 (20), 250..300 (50), 350..400 (50), 450..470 (20). */
  ck_assert_uint_eq(r.queued, 140);
  ck_assert_uint_eq(r.trimmed, 150);
  ck_assert_uint_eq(r.pieces, 4);
  const uint32_t want[][2] = {{180, 20}, {200, 50}, {250, 50}, {300, 50},
                              {350, 50}, {400, 50}, {450, 20}};
  expect_queue(want, 7);
  expect_first_arrival(200, 250);
  expect_first_arrival(300, 350);
  expect_first_arrival(400, 450);
}
END_TEST

/* covers: RCV-062 */
START_TEST(test_reasm_adjacent_not_overlapping) {
  ins(100, 200, 100, 0, 0);                       /* seqno: 200..300 */
  torc_reasm_result r = ins(100, 300, 100, 0, 0); /* seqno: 300..400 */
  ck_assert_uint_eq(r.queued, 100);
  ck_assert_uint_eq(r.trimmed, 0);
  const uint32_t want[][2] = {{200, 100}, {300, 100}};
  expect_queue(want, 2);
}
END_TEST

/* covers: RCV-062 RCV-067 */
START_TEST(test_reasm_before_rcv_nxt_trimmed) {
  /* RcvNxt 1000.  seqno: 900..1100 -> 900..1000 is old. */
  torc_reasm_result r = ins(1000, 900, 200, 0, 0);
  ck_assert_uint_eq(r.queued, 100);
  ck_assert_uint_eq(r.trimmed, 100);
  const uint32_t want[][2] = {{1000, 100}};
  expect_queue(want, 1);
  ck_assert_uint_eq(q.head->data[0], byte_a(1000));
  /* seqno: 800..900: wholly old, nothing allocated. */
  int calls = ca.calls;
  r = ins(1000, 800, 100, 0, 0);
  ck_assert_uint_eq(r.queued, 0);
  ck_assert_uint_eq(r.trimmed, 100);
  ck_assert_int_eq(ca.calls, calls);
}
END_TEST

/* covers: RCV-062 */
START_TEST(test_reasm_pop_releases_old_and_trims_partial) {
  ins(100, 200, 100, 0, 0); /* seqno: 200..300 */
  ins(100, 400, 100, 0, 0); /* seqno: 400..500 */
  /* RcvNxt jumped to 450 (the bytes came otherwise): 200..300 is wholly
   * old and released; 400..500 is returned with its first 50 bytes
   * counted as already delivered. */
  torc_chunk *c = torcint_reasm_pop(&q, &mem, 450);
  ck_assert_ptr_nonnull(c);
  ck_assert_uint_eq(c->seq, 400);
  ck_assert_uint_eq(c->off, 50);
  ck_assert_uint_eq(c->data[c->off], byte_a(450));
  ck_assert_uint_eq(q.count, 0);
  ck_assert_uint_eq(q.bytes, 0);
  ck_assert_int_eq(ca.live, 1); /* only the returned chunk is alive */
  torcint_chunk_unref(&mem, c);
}
END_TEST

/* covers: RCV-062 */
START_TEST(test_reasm_wrap_sorted_by_sequence_not_value) {
  /* RcvNxt 0xFFFFFF00.  seqno: 0x10..0x30 first, then 0xFFFFFF80..
   * 0xFFFFFF90: the latter is earlier in the stream although larger. */
  ins(0xFFFFFF00u, 0x10u, 0x20, 0, 0);
  ins(0xFFFFFF00u, 0xFFFFFF80u, 0x10, 0, 0);
  const uint32_t want[][2] = {{0xFFFFFF80u, 0x10}, {0x10u, 0x20}};
  expect_queue(want, 2);
}
END_TEST

/* covers: RCV-062 */
START_TEST(test_reasm_wrap_overlap_across_zero) {
  /* RcvNxt 0xFFFFFF00.  seqno: 0x10..0x30 queued; then 0xFFFFFFF0..0x20
   * (0x30 bytes across 0): new part 0xFFFFFFF0..0x10 (0x20 bytes),
   * 0x10..0x20 is already queued (0x10 trimmed). */
  ins(0xFFFFFF00u, 0x10u, 0x20, 0, 0);
  torc_reasm_result r = ins(0xFFFFFF00u, 0xFFFFFFF0u, 0x30, 1, 0);
  ck_assert_uint_eq(r.queued, 0x20);
  ck_assert_uint_eq(r.trimmed, 0x10);
  const uint32_t want[][2] = {{0xFFFFFFF0u, 0x20}, {0x10u, 0x20}};
  expect_queue(want, 2);
  expect_first_arrival(0x10u, 0x30u);
  /* RcvNxt reaches 0xFFFFFFF0: both pop in order across 0. */
  torc_chunk *a = torcint_reasm_pop(&q, &mem, 0xFFFFFFF0u);
  ck_assert_ptr_nonnull(a);
  ck_assert_uint_eq(a->seq, 0xFFFFFFF0u);
  torc_chunk *b = torcint_reasm_pop(&q, &mem, 0x10u);
  ck_assert_ptr_nonnull(b);
  ck_assert_uint_eq(b->seq, 0x10u);
  torcint_chunk_unref(&mem, a);
  torcint_chunk_unref(&mem, b);
}
END_TEST

/* covers: RCV-062 */
START_TEST(test_reasm_alloc_failure_leaves_queue_unchanged) {
  ins(100, 200, 50, 0, 0); /* seqno: 200..250 (alloc 1) */
  ins(100, 300, 50, 0, 0); /* seqno: 300..350 (alloc 2) */
  /* seqno: 150..400 needs pieces 150..200, 250..300, 350..400: fail the
   * second of those three allocations (call 4). */
  ca.fail_at = 4;
  uint8_t buf[250];
  memset(buf, 0xEE, sizeof(buf));
  torc_reasm_result r;
  ck_assert_int_eq(
      torcint_reasm_insert(&q, &mem, 100, 150, buf, sizeof(buf), 0, &r), -1);
  const uint32_t want[][2] = {{200, 50}, {300, 50}};
  expect_queue(want, 2);
  ck_assert_int_eq(ca.live, 2); /* the first piece was given back */
  expect_first_arrival(200, 250);
}
END_TEST

/* covers: RCV-062 DEC-18 */
START_TEST(test_reasm_cut_at_fin) {
  ins(100, 200, 100, 0, 0); /* seqno: 200..300 */
  ins(100, 400, 100, 0, 0); /* seqno: 400..500 */
  /* A FIN at 450: 450..500 goes (50 bytes). */
  ck_assert_uint_eq(torcint_reasm_cut(&q, &mem, 450), 50);
  const uint32_t want1[][2] = {{200, 100}, {400, 50}};
  expect_queue(want1, 2);
  /* A cut at 250: 250..300 and all of 400..450 go (100 bytes). */
  ck_assert_uint_eq(torcint_reasm_cut(&q, &mem, 250), 100);
  const uint32_t want2[][2] = {{200, 50}};
  expect_queue(want2, 1);
  ck_assert_int_eq(ca.live, 1);
}
END_TEST

/* covers: RCV-062 RCV-078 DEC-09 */
START_TEST(test_reasm_flags_on_every_piece) {
  ins(100, 200, 100, 0, 0);            /* seqno: 200..300, no PSH */
  ins(100, 150, 200, 1, TORC_TCP_PSH); /* seqno: 150..350 with PSH */
  const torc_chunk *c = q.head;
  ck_assert_uint_eq(c->flags, TORC_TCP_PSH);             /* 150..200 */
  ck_assert_uint_eq(c->next->flags, 0);                  /* 200..300 kept */
  ck_assert_uint_eq(c->next->next->flags, TORC_TCP_PSH); /* 300..350 */
}
END_TEST

/* covers: RCV-062 */
START_TEST(test_reasm_clear_frees_all) {
  ins(100, 200, 10, 0, 0);
  ins(100, 300, 10, 0, 0);
  ins(100, 400, 10, 0, 0);
  ck_assert_int_eq(ca.live, 3);
  torcint_reasm_clear(&q, &mem);
  ck_assert_int_eq(ca.live, 0);
  ck_assert_ptr_null(q.head);
  ck_assert_uint_eq(q.count, 0);
  ck_assert_uint_eq(q.bytes, 0);
}
END_TEST

extern Suite *reasm_suite(void); /* found by reference/module.mk */
Suite *reasm_suite(void) {
  Suite *s = suite_create("reasm");
  TCase *tc = tcase_create("in_order");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_reasm_empty_pop_is_null);
  tcase_add_test(tc, test_reasm_in_order_pops_at_once);
  tcase_add_test(tc, test_reasm_pops_consecutive_in_order);
  tcase_add_test(tc, test_reasm_clear_frees_all);
  suite_add_tcase(s, tc);
  tc = tcase_create("out_of_order");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_reasm_gap_waits);
  tcase_add_test(tc, test_reasm_sorted_when_inserted_backwards);
  tcase_add_test(tc, test_reasm_pop_releases_old_and_trims_partial);
  tcase_add_test(tc, test_reasm_flags_on_every_piece);
  tcase_add_test(tc, test_reasm_alloc_failure_leaves_queue_unchanged);
  suite_add_tcase(s, tc);
  tc = tcase_create("overlap");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_reasm_exact_duplicate_trimmed);
  tcase_add_test(tc, test_reasm_overlap_left);
  tcase_add_test(tc, test_reasm_overlap_right);
  tcase_add_test(tc, test_reasm_overlap_inside);
  tcase_add_test(tc, test_reasm_overlap_around_splits);
  tcase_add_test(tc, test_reasm_fills_several_holes);
  tcase_add_test(tc, test_reasm_adjacent_not_overlapping);
  tcase_add_test(tc, test_reasm_before_rcv_nxt_trimmed);
  suite_add_tcase(s, tc);
  tc = tcase_create("window_edge");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_reasm_wrap_sorted_by_sequence_not_value);
  tcase_add_test(tc, test_reasm_wrap_overlap_across_zero);
  suite_add_tcase(s, tc);
  tc = tcase_create("fin");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_reasm_cut_at_fin);
  suite_add_tcase(s, tc);
  return s;
}
