/*
 * test_random.c - a seeded randomized model test of the whole receive path.
 *
 * Each loop iteration is one seed: a fresh host offloads a connection with
 * random parameters (isn, near the 2^32 wrap for some seeds; window; push
 * interval; indication size; BufferedData cut into random fragments and
 * lists) and then takes RND_STEPS random steps: posts (push or non-push,
 * sizes 0..4096, prefilled non-push, batches, posts from inside a
 * completion or indication), segments (in order, reordered, retransmitted
 * from the delivered edge, duplicated, out of window), time advances around
 * the push deadline, answers to indications (SUCCESS, both "not accepted"
 * values, PARTIALLY_ACCEPTED n), receive_returns and allocation failures.
 * It ends with a terminate.
 *
 * The oracle is the property every reading of the specification shares
 * (RCV-057, DEC-07): the delivered bytes (completions and consumed
 * indications, in call order) followed by the handed-back bytes are exactly
 * the stream from offset 0 up to RcvNxt, with no gap and no duplicate; no
 * host-visible rule is ever broken (the test host's violation list, checked
 * after every step); every posted request is completed exactly once
 * (RCV-230); nothing leaks (th_free).  Every failure message names the seed
 * and the step, so a run can be replayed with CK_RUN_SUITE=random and
 * CK_FORK=no.  The PRNG is a local xorshift64*, no global state.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "torc_test_host.h"

#define RND_SEEDS 20
#define RND_STEPS 2000
#define RND_RING 32
#define RND_MAX_EVENTS 3800 /* stay below the test host's event capacity */

typedef struct rnd {
  uint64_t s;
} rnd;

static uint64_t rnd_next(rnd *r) { /* xorshift64* */
  r->s ^= r->s >> 12;
  r->s ^= r->s << 25;
  r->s ^= r->s >> 27;
  return r->s * 0x2545F4914F6CDD1DULL;
}

/* Uniform in [0, n) (n > 0). */
static uint32_t rnd_below(rnd *r, uint32_t n) {
  return (uint32_t)((rnd_next(r) >> 32) % n);
}

typedef struct rnd_run {
  torc_test_host *h;
  rnd r;
  uint32_t seed, step;
  uint64_t next_new; /* lowest stream offset never sent in order */
  uint64_t checked;  /* delivered bytes already compared with the stream */
  uint64_t push_us;  /* push interval */
  struct {
    uint64_t off;
    uint32_t len;
  } ring[RND_RING]; /* recent segments, for duplicates */
  uint32_t nring;
  int queued_in_compl, queued_in_ind;
  int compl_seen, ind_seen; /* event counts when the posts were queued */
  int answer_queued_at;     /* indications seen when an answer was queued */
} rnd_run;

static void rnd_send(rnd_run *x, uint64_t off, uint32_t len, uint8_t flags) {
  th_segment(x->h, off, len, flags);
  x->ring[x->nring % RND_RING].off = off;
  x->ring[x->nring % RND_RING].len = len;
  x->nring++;
}

/* After every step: no host-rule violation and the delivered bytes are a
 * prefix of the stream (incrementally, so 2000 steps stay fast). */
static void rnd_check(rnd_run *x) {
  torc_test_host *h = x->h;
  if (th_violations(h) != 0) {
    const char *t = th_trace(h);
    size_t tl = strlen(t);
    ck_abort_msg("seed %u step %u: %d violation(s): %s; trace tail: %s",
                 x->seed, x->step, th_violations(h), th_first_violation(h),
                 tl > 300 ? t + tl - 300 : t);
  }
  uint64_t n = th_delivered_len(h);
  const uint8_t *d = th_delivered(h);
  /* Plain comparisons in the loops: Check records every ck_assert call,
   * which would make a byte-by-byte check slow. */
  for (; x->checked < n; x->checked++)
    if (d[x->checked] != th_stream_byte(x->checked))
      ck_abort_msg("seed %u step %u: delivered byte %llu: expected 0x%02x vs "
                   "actual 0x%02x (lost, duplicated or reordered)",
                   x->seed, x->step, (unsigned long long)x->checked,
                   th_stream_byte(x->checked), d[x->checked]);
}

static void rnd_post(rnd_run *x) {
  torc_test_host *h = x->h;
  rnd *r = &x->r;
  /* A host keeps a handful of requests posted, not hundreds: at most 12
   * uncompleted (queued re-entrant posts included). */
  uint32_t open = 0;
  for (uint64_t id = 1; th_req_get(h, id) != NULL; id++)
    open += th_req_get(h, id)->completed == 0;
  if (open > 12)
    return;
  uint32_t size = rnd_below(r, 10) == 0 ? 0 : rnd_below(r, 4097);
  int push = (int)rnd_below(r, 2);
  uint32_t how = rnd_below(r, 20);
  if (how < 3 && size > 1) { /* non-push with host bytes (RCV-187) */
    th_post_prefilled(h, size, 1 + rnd_below(r, size - 1), 0);
  } else if (how < 5) { /* several in one receive() call */
    uint32_t sizes[4];
    uint32_t n = 1 + rnd_below(r, 4);
    for (uint32_t i = 0; i < n; i++)
      sizes[i] = rnd_below(r, 4097);
    th_post_batch(h, sizes, n, push);
  } else if (how < 7) { /* from inside the next completion (RCV-107) */
    if (th_count(h, TH_EV_COMPLETE) != x->compl_seen)
      x->queued_in_compl = 0;
    if (x->queued_in_compl < 8) {
      if (x->queued_in_compl == 0)
        x->compl_seen = th_count(h, TH_EV_COMPLETE);
      th_post_in_next_completion(h, size, push);
      x->queued_in_compl++;
    }
  } else if (how < 9) { /* from inside the next indication */
    if (th_count(h, TH_EV_INDICATE) != x->ind_seen)
      x->queued_in_ind = 0;
    if (x->queued_in_ind < 8) {
      if (x->queued_in_ind == 0)
        x->ind_seen = th_count(h, TH_EV_INDICATE);
      th_post_in_next_indication(h, size, push);
      x->queued_in_ind++;
    }
  } else {
    th_post(h, size, push);
  }
}

static void rnd_answer(rnd_run *x) {
  static const uint32_t status[] = {
      TORC_STATUS_SUCCESS, TORC_STATUS_SUCCESS,
      TORC_STATUS_OFFLOAD_DATA_NOT_ACCEPTED, TORC_STATUS_NOT_ACCEPTED,
      TORC_STATUS_OFFLOAD_DATA_PARTIALLY_ACCEPTED};
  torc_test_host *h = x->h;
  uint32_t s = status[rnd_below(&x->r, 5)];
  uint32_t n = 1 + rnd_below(&x->r, 600);
  if (rnd_below(&x->r, 2) == 0) {
    th_set_default_answer(h, s, n);
  } else if (th_count(h, TH_EV_INDICATE) != x->answer_queued_at) {
    /* One queued answer at a time, so the queue never overflows. */
    th_answer(h, s, n);
    x->answer_queued_at = th_count(h, TH_EV_INDICATE);
  }
}

static void rnd_advance(rnd_run *x) {
  uint64_t us;
  switch (rnd_below(&x->r, 5)) {
  case 0:
    us = 1000;
    break;
  case 1:
    us = x->push_us - 1;
    break;
  case 2:
    us = x->push_us;
    break;
  case 3:
    us = 2 * x->push_us;
    break;
  default:
    us = 1 + rnd_below(&x->r, (uint32_t)x->push_us);
  }
  th_advance(x->h, us);
}

static void rnd_step(rnd_run *x) {
  torc_test_host *h = x->h;
  rnd *r = &x->r;
  uint32_t op = rnd_below(r, 100);
  uint8_t psh = rnd_below(r, 4) == 0 ? TORC_TCP_PSH : 0;
  if (op < 30) { /* new data in order */
    uint32_t len = 1 + rnd_below(r, 1500);
    rnd_send(x, x->next_new, len, psh);
    x->next_new += len;
  } else if (op < 40) { /* new data out of order */
    rnd_send(x, x->next_new + 1 + rnd_below(r, 4000), 1 + rnd_below(r, 1500),
             psh);
  } else if (op < 48) { /* retransmission from the delivered edge */
    uint64_t base = th_delivered_len(h);
    uint32_t back = rnd_below(r, 500);
    uint64_t off = base > back ? base - back : 0;
    uint32_t len = 1 + rnd_below(r, 4000);
    rnd_send(x, off, len, psh);
    if (off + len > x->next_new)
      x->next_new = off + len;
  } else if (op < 52) { /* duplicate of a recent segment */
    if (x->nring > 0) {
      uint32_t k = rnd_below(r, x->nring < RND_RING ? x->nring : RND_RING);
      rnd_send(x, x->ring[k].off, x->ring[k].len, 0);
    }
  } else if (op < 54) { /* far beyond any window */
    th_segment(h, x->next_new + 70000 + rnd_below(r, 10000),
               1 + rnd_below(r, 100), 0);
  } else if (op < 70) {
    rnd_post(x);
  } else if (op < 80) {
    rnd_advance(x);
  } else if (op < 88) {
    rnd_answer(x);
  } else if (op < 93) {
    th_return_indications(h);
  } else if (op < 96) { /* one of the next few allocations fails */
    th_fail_alloc_at(h, 1 + rnd_below(r, 4));
  } else {
    th_set_auto_return(h, (int)rnd_below(r, 2));
  }
  if (th_outstanding_indications(h) > 500)
    th_return_indications(h);
}

/* Makes the posts still queued for the next completion or indication:
 * a zero-byte request completes as soon as data reaches it (DEC-20) and
 * lets held data be indicated again (RCV-142); stream data from the
 * delivered edge, consumed by the host, reaches an indication once the
 * posted requests are full. */
static int rnd_pending(rnd_run *x) {
  /* After an allocation failure asked for an upload (DEC-25) nothing more is
   * delivered (DEC-24, RCV-242): the posts queued for a callback are never
   * made, and the requests already posted wait for the terminate. */
  if (th_upload_requested(x->h))
    return 0;
  return (x->queued_in_compl > 0 &&
          th_count(x->h, TH_EV_COMPLETE) == x->compl_seen) ||
         (x->queued_in_ind > 0 &&
          th_count(x->h, TH_EV_INDICATE) == x->ind_seen);
}

static void rnd_flush(rnd_run *x) {
  torc_test_host *h = x->h;
  uint64_t zb = 0;
  th_set_default_answer(h, TORC_STATUS_SUCCESS, 0);
  for (int k = 0; k < 200 && rnd_pending(x); k++) {
    if (zb == 0 || th_req_get(h, zb)->completed)
      zb = th_post(h, 0, 0);
    /* RcvNxt lies somewhere past the delivered edge (bytes sit in partly
     * filled requests and held data): sweep the next 72 KB. */
    uint64_t base = th_delivered_len(h);
    for (uint32_t j = 0; j < 8; j++)
      rnd_send(x, base + 9000u * j, 9000, 0);
    if (base + 72000 > x->next_new)
      x->next_new = base + 72000;
    th_advance(h, 2 * x->push_us);
    th_return_indications(h);
    rnd_check(x);
  }
  ck_assert_msg(!rnd_pending(x),
                "seed %u: no progress: posts queued for a callback were never "
                "made (delivery stalled?)",
                x->seed);
}

/* covers: RCV-057 RCV-062 RCV-046 RCV-061 RCV-230 RCV-142 RCV-143 DEC-07 */
START_TEST(test_random_model) {
  rnd_run x;
  memset(&x, 0, sizeof x);
  x.seed = 0xC0FFEEu + (uint32_t)_i * 7919u;
  x.r.s = 0x9E3779B97F4A7C15ULL ^ ((uint64_t)x.seed << 17) ^ x.seed;
  rnd *r = &x.r;
  torc_test_host *h = x.h = th_new();
  uint32_t isn = (uint32_t)rnd_next(r);
  if (_i % 4 == 0)
    isn = 0xFFFFFFFFu - rnd_below(r, 5000); /* the stream wraps 2^32 */
  th_set_isn(h, isn);
  static const uint32_t wnd[] = {3000, 8000, 65535};
  th_set_rcv_wnd(h, wnd[rnd_below(r, 3)]);
  static const uint32_t tps[] = {10, 100, 1000, 0};
  uint32_t t = tps[rnd_below(r, 4)];
  uint32_t ticks = rnd_below(r, 3) == 0 ? 0 : 1 + rnd_below(r, 50);
  th_set_ticks_per_second(h, t);
  th_set_push_ticks(h, ticks);
  x.push_us = ticks == 0 ? 500000 : (uint64_t)ticks * 1000000 / (t ? t : 1000);
  static const uint32_t isz[] = {0, 0, 100, 1000};
  th_set_rcv_indication_size(h, isz[rnd_below(r, 4)]);
  uint32_t frags[5], nfrags = rnd_below(r, 6), total = 0;
  for (uint32_t i = 0; i < nfrags; i++)
    total += frags[i] = rnd_below(r, 800);
  ck_assert_msg(th_offload_frags(h, frags, nfrags, rnd_below(r, 3)) ==
                    TORC_STATUS_SUCCESS,
                "seed %u: offload failed", x.seed);
  x.next_new = total;
  th_set_auto_return(h, (int)rnd_below(r, 2));
  for (x.step = 1; x.step <= RND_STEPS; x.step++) {
    rnd_step(&x);
    rnd_check(&x);
    if (th_nevents(h) > RND_MAX_EVENTS)
      break;
  }
  /* The end: no more injected failures, every queued post made (the host
   * posts nothing once it asked for the terminate, RCV-238), everything
   * returned, terminate. */
  th_fail_alloc_at(h, 0);
  rnd_flush(&x);
  /* Leave held data for the terminate to hand back: refuse what comes. */
  th_set_default_answer(h, TORC_STATUS_OFFLOAD_DATA_NOT_ACCEPTED, 0);
  for (uint32_t j = 0; j < 4; j++)
    rnd_send(&x, th_delivered_len(h) + 9000u * j, 9000, 0);
  th_return_indications(h);
  rnd_check(&x);
  th_terminate(h);
  rnd_check(&x);
  const th_event *e = th_event_get(h, th_nevents(h) - 1);
  ck_assert_msg(
      e->type == TH_EV_TERMINATE_DONE && e->status == TORC_STATUS_SUCCESS,
      "seed %u: terminate did not complete with SUCCESS last", x.seed);
  uint64_t upto = (uint32_t)(e->rcv_nxt - isn);
  uint64_t dl = th_delivered_len(h);
  ck_assert_msg(dl + th_handback_len(h) == upto,
                "seed %u: delivered %llu + handed back %u != RcvNxt offset "
                "%llu",
                x.seed, (unsigned long long)dl, th_handback_len(h),
                (unsigned long long)upto);
  const uint8_t *hb = th_handback(h);
  for (uint32_t i = 0; i < th_handback_len(h); i++)
    if (hb[i] != th_stream_byte(dl + i))
      ck_abort_msg("seed %u: handed-back byte %u (stream %llu) wrong", x.seed,
                   i, (unsigned long long)(dl + i));
  ck_assert_msg(upto >= total,
                "seed %u: RcvNxt went back before the "
                "BufferedData end",
                x.seed);
  for (uint64_t id = 1; th_req_get(h, id) != NULL; id++)
    if (th_req_get(h, id)->completed > 1)
      ck_abort_msg("seed %u: request %llu completed %d times", x.seed,
                   (unsigned long long)id, th_req_get(h, id)->completed);
  th_free(h);
}
END_TEST

Suite *random_suite(void);
Suite *random_suite(void) {
  Suite *s = suite_create("random");
  TCase *tc = tcase_create("random");
  tcase_set_timeout(tc, 60);
  tcase_add_loop_test(tc, test_random_model, 0, RND_SEEDS);
  suite_add_tcase(s, tc);
  return s;
}
