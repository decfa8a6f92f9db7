/*
 * torc_test_host.c - the recording host stack of the unit tests.
 *
 * Sits between a Check test and a target: test -> th_* call -> target
 * operation (torc_target) -> host callbacks (torc_host_ops, below) -> the
 * recording kept in struct torc_test_host -> test assertions.  The host side
 * is written as a conforming NDIS host would behave (it owns the buffers it
 * lends, poisons what it takes back, answers indications from a queue) and
 * as a suspicious one (nothing the target passes is believed without a
 * bounds check; rule breaks are recorded as violations, never crash).
 * Everything lives in the host struct: no global mutable state.
 */
#include "torc_test_host.h"

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__has_include)
#if __has_include("torc_reference.h")
#include "torc_reference.h"
#define TH_HAVE_REFERENCE_H 1
#endif
#endif
#ifndef TH_HAVE_REFERENCE_H
int torc_reference_target_init(uint32_t host_abi_version,
                               const torc_host_ops *host, void *host_ctx,
                               torc_target *out, char *errbuf);
#endif

#define TH_MAX_EVENTS 4096
#define TH_MAX_COMPLETIONS 8192
#define TH_MAX_REQS 4096
#define TH_MAX_PENDING_POSTS 64
#define TH_MAX_ANSWERS 256
#define TH_MAX_INDICATIONS 1024
#define TH_MAX_WALK_BYTES (64u << 20) /* bound on a chain handed back */
#define TH_MAX_WALK_FRAGS (1u << 20)
#define TH_POISON 0xA5
#define TH_CANARY 0xCC
#define TH_FRESH 0xEE /* unwritten part of a request buffer */
#define TH_ALLOC_MAGIC 0x7468616Cu

/* Local addresses of the simulated connection (RFC 5737 would be nicer but
 * any fixed pair works for a sans-I/O target). */
#define TH_LOCAL_PORT 80u
#define TH_REMOTE_PORT 40000u
#define TH_SND_NXT 0x2000u

/* One request as the host keeps it. */
typedef struct th_reqrec {
  th_req pub;
  uint8_t *buf; /* (owned) size + TH_CANARY_LEN bytes; NULL once completed */
  int posted;   /* receive() was called with it */
} th_reqrec;

/* One accepted (SUCCESS) indication the host still holds (RCV-133). */
typedef struct th_held_ind {
  uint64_t id;
  const torc_fragment *frags; /* (owned) copy of the descriptors */
  uint32_t nfrags;
  uint8_t *copy; /* (owned) the bytes as indicated */
  uint32_t len;
} th_held_ind;

/* A segment the host sends from inside a callback (RCV-068). */
typedef struct th_seg_rec {
  uint64_t off;
  uint32_t len;
  uint8_t flags;
} th_seg_rec;

typedef struct th_answer_rec {
  uint32_t status, consumed;
} th_answer_rec;

/* Block header of the alloc hook, so a bad or double free is caught. */
typedef struct th_blk {
  uint32_t magic;
  uint32_t pad;
  size_t size;
} th_blk;

struct torc_test_host {
  torc_target t;
  torc_host_ops ops;
  void *conn;
  int target_ok, conn_ok;

  /* alloc hook */
  uint64_t nalloc, fail_at, live;
  int alloc_failed;

  /* offload parameters and state */
  uint32_t isn, rcv_wnd, push_ticks, tps, ind_size;
  uint32_t initial_rcv_wnd; /* used when initial_rcv_wnd_set */
  int initial_rcv_wnd_set;
  torc_offload_state st;
  torc_buffer_list *lists; /* (owned) until the offload completes */
  uint32_t nlists;
  torc_fragment *frags; /* (owned) */
  uint32_t nfrags;
  int offload_started, offload_done;
  uint32_t offload_status;
  int terminate_done;

  uint64_t now;

  /* requests: reqs[id - 1]; order[] is posting order */
  th_reqrec *reqs;
  uint32_t nreqs;
  uint32_t *order;
  uint32_t norder, fifo; /* order[fifo] is the oldest uncompleted */
  uint32_t in_compl[TH_MAX_PENDING_POSTS], nin_compl;
  uint32_t in_ind[TH_MAX_PENDING_POSTS], nin_ind;
  th_seg_rec seg_compl[TH_MAX_PENDING_POSTS], seg_ind[TH_MAX_PENDING_POSTS];
  uint32_t nseg_compl, nseg_ind;
  int terminate_in_ind; /* th_terminate_in_next_indication() */

  /* answers */
  th_answer_rec answers[TH_MAX_ANSWERS];
  uint32_t ans_head, ans_tail;
  th_answer_rec dflt;
  th_held_ind held[TH_MAX_INDICATIONS];
  uint32_t nheld;
  int auto_return;

  /* recording */
  th_event *ev;
  int nev;
  torc_completion *comp;
  uint32_t ncomp;
  uint8_t *dlv;
  uint64_t dlv_len, dlv_cap;
  uint64_t stream_end; /* bytes of the stream ever offered */
  int pure;            /* every segment came from th_segment */
  uint8_t *handback;
  uint32_t handback_len;
  const torc_buffer_list *hb_list; /* target-owned, until returned */
  uint64_t hb_id;
  int hb_pending;
  uint32_t term_rcv_nxt;

  int depth; /* complete/indicate callbacks in progress (RCV-046) */
  int nviol;
  char viol[512];
  const char *label; /* prefix of assertion messages (failmalloc runs) */
  char *trace;
  size_t trace_cap, trace_len;
};

/* ---- small helpers --------------------------------------------------------
 */

__attribute__((format(printf, 2, 3))) static void
th_violation(torc_test_host *h, const char *fmt, ...) {
  if (h->nviol++ == 0) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(h->viol, sizeof h->viol, fmt, ap);
    va_end(ap);
  }
}

static void *th_xcalloc(size_t n, size_t size) {
  void *p = calloc(n == 0 ? 1 : n, size == 0 ? 1 : size);
  ck_assert_msg(p != NULL, "test host: out of memory");
  return p;
}

static void th_dlv_append(torc_test_host *h, const uint8_t *p, uint64_t n) {
  if (n == 0)
    return;
  if (h->dlv_len + n > h->dlv_cap) {
    uint64_t cap = h->dlv_cap ? h->dlv_cap : 4096;
    while (cap < h->dlv_len + n)
      cap *= 2;
    uint8_t *q = realloc(h->dlv, (size_t)cap);
    ck_assert_msg(q != NULL, "test host: out of memory");
    h->dlv = q;
    h->dlv_cap = cap;
  }
  memcpy(h->dlv + h->dlv_len, p, (size_t)n);
  h->dlv_len += n;
}

static th_event *th_new_event(torc_test_host *h, th_event_type type) {
  if (h->nev >= TH_MAX_EVENTS) {
    th_violation(h, "more than %d upcalls recorded", TH_MAX_EVENTS);
    return NULL;
  }
  th_event *e = &h->ev[h->nev++];
  memset(e, 0, sizeof *e);
  e->type = type;
  e->time_us = h->now;
  return e;
}

/* Common checks of an upcall that concerns the connection. */
static void th_check_upcall(torc_test_host *h, uint64_t handle,
                            const char *what) {
  if (handle != TH_HOST_HANDLE)
    th_violation(h, "RCV-122: %s with host_handle 0x%llx, expected 0x%x", what,
                 (unsigned long long)handle, TH_HOST_HANDLE);
  if (!h->offload_done)
    th_violation(h, "%s before the offload completed", what);
  else if (h->offload_status != TORC_STATUS_SUCCESS)
    th_violation(h, "%s after a failed offload", what);
  if (h->terminate_done)
    th_violation(h, "%s after terminate_offload_complete", what);
}

/* ---- alloc hook -----------------------------------------------------------
 */

static void *th_cb_alloc(void *ctx, size_t size) {
  torc_test_host *h = ctx;
  h->nalloc++;
  if (h->fail_at != 0 && h->nalloc == h->fail_at) {
    h->alloc_failed = 1;
    return NULL;
  }
  if (size > ((size_t)1 << 40))
    return NULL;
  th_blk *b = malloc(sizeof(th_blk) + (size == 0 ? 1 : size));
  if (b == NULL)
    return NULL;
  b->magic = TH_ALLOC_MAGIC;
  b->size = size;
  memset(b + 1, TH_POISON, size); /* no reliance on zeroed memory */
  h->live++;
  return b + 1;
}

static void th_cb_free(void *ctx, void *ptr) {
  torc_test_host *h = ctx;
  if (ptr == NULL)
    return;
  th_blk *b = (th_blk *)ptr - 1;
  if (b->magic != TH_ALLOC_MAGIC) {
    th_violation(h, "free of a block not from the alloc hook (or twice)");
    return;
  }
  b->magic = 0;
  memset(ptr, TH_POISON, b->size);
  h->live--;
  free(b);
}

static void th_cb_log(void *ctx, int level, const char *msg) {
  (void)ctx;
  if (getenv("TH_LOG") != NULL && msg != NULL)
    fprintf(stderr, "target[%d]: %s\n", level, msg);
}

/* ---- offload --------------------------------------------------------------
 */

static void th_free_buffered(torc_test_host *h, int poison) {
  for (uint32_t i = 0; i < h->nfrags; i++) {
    uint8_t *d = (uint8_t *)(uintptr_t)h->frags[i].data;
    if (poison && d != NULL)
      memset(d, TH_POISON, h->frags[i].len);
    free(d);
  }
  if (poison) {
    if (h->frags != NULL)
      memset(h->frags, TH_POISON, sizeof *h->frags * h->nfrags);
    if (h->lists != NULL)
      memset(h->lists, TH_POISON, sizeof *h->lists * h->nlists);
  }
  free(h->frags);
  free(h->lists);
  h->frags = NULL;
  h->lists = NULL;
  h->nfrags = h->nlists = 0;
}

static void th_cb_offload_complete(void *ctx, uint64_t handle,
                                   uint32_t status) {
  torc_test_host *h = ctx;
  if (handle != TH_HOST_HANDLE)
    th_violation(h, "RCV-122: offload completion with host_handle 0x%llx",
                 (unsigned long long)handle);
  if (!h->offload_started) {
    th_violation(h, "offload completion without initiate_offload");
    return;
  }
  if (h->offload_done) {
    th_violation(h, "second initiate_offload_complete (status 0x%x)", status);
    return;
  }
  h->offload_done = 1;
  h->offload_status = status;
  th_event *e = th_new_event(h, TH_EV_OFFLOAD_DONE);
  if (e != NULL)
    e->status = status;
  /* RCV-011: the host takes its buffers back and poisons them, and the
   * state block with them. */
  th_free_buffered(h, 1);
  memset(&h->st, TH_POISON, sizeof h->st);
}

uint32_t th_offload_frags(torc_test_host *h, const uint32_t *frag_len,
                          uint32_t nfrags, uint32_t frags_per_list) {
  ck_assert_msg(!h->offload_started, "th_offload called twice");
  uint64_t total = 0;
  for (uint32_t i = 0; i < nfrags; i++)
    total += frag_len[i];
  ck_assert_msg(total < 0x40000000u, "buffered data too large");
  if (frags_per_list == 0)
    frags_per_list = nfrags ? nfrags : 1;
  h->nfrags = nfrags;
  h->nlists = (nfrags + frags_per_list - 1) / frags_per_list;
  h->frags = th_xcalloc(nfrags, sizeof *h->frags);
  h->lists = th_xcalloc(h->nlists, sizeof *h->lists);
  uint64_t off = 0;
  for (uint32_t i = 0; i < nfrags; i++) {
    uint8_t *d = th_xcalloc(frag_len[i] ? frag_len[i] : 1, 1);
    th_stream_fill(d, off, frag_len[i]);
    h->frags[i].data = d;
    h->frags[i].len = frag_len[i];
    off += frag_len[i];
  }
  for (uint32_t l = 0; l < h->nlists; l++) {
    uint32_t first = l * frags_per_list;
    uint32_t n =
        nfrags - first < frags_per_list ? nfrags - first : frags_per_list;
    h->lists[l].frags = &h->frags[first];
    h->lists[l].nfrags = n;
    h->lists[l].next = l + 1 < h->nlists ? &h->lists[l + 1] : NULL;
  }
  memset(&h->st, 0, sizeof h->st);
  h->st.struct_size = sizeof h->st;
  h->st.rcv_nxt = th_seq(h, total);
  h->st.rcv_wnd = h->rcv_wnd;
  h->st.snd_una = TH_SND_NXT;
  h->st.snd_nxt = TH_SND_NXT;
  h->st.snd_wnd = 65535;
  h->st.buffered_data = h->nlists ? &h->lists[0] : NULL;
  h->st.ticks_per_second = h->tps;
  h->st.push_ticks = h->push_ticks;
  h->st.rcv_indication_size = h->ind_size;
  /* InitialRcvWnd: RcvWnd unless a test set it (0 = not given, DEC-15). */
  h->st.initial_rcv_wnd =
      h->initial_rcv_wnd_set ? h->initial_rcv_wnd : h->rcv_wnd;
  h->st.mss = 1460;
  h->st.conn_state = 4;
  h->st.ip_version = 4;
  h->st.local_port = TH_LOCAL_PORT;
  h->st.remote_port = TH_REMOTE_PORT;
  h->st.local_addr[0] = 10;
  h->st.local_addr[3] = 1;
  h->st.remote_addr[0] = 10;
  h->st.remote_addr[3] = 2;
  if (total > h->stream_end)
    h->stream_end = total;
  h->offload_started = 1;
  h->t.initiate_offload(h->t.user_data, h->conn, &h->st);
  return th_offload_status(h);
}

uint32_t th_offload(torc_test_host *h, uint32_t buffered_len) {
  return th_offload_frags(h, &buffered_len, buffered_len ? 1 : 0, 1);
}

uint32_t th_offload_status(const torc_test_host *h) {
  return h->offload_done ? h->offload_status : TH_NO_STATUS;
}

/* ---- requests -------------------------------------------------------------
 */

static uint8_t th_prefill_byte(uint32_t i) {
  return (uint8_t)(0x5C ^ i);
}

static uint32_t th_new_req(torc_test_host *h, uint32_t size, uint32_t prefilled,
                           int push) {
  ck_assert_msg(h->nreqs < TH_MAX_REQS, "too many requests");
  ck_assert_msg(prefilled <= size, "prefilled > size");
  uint32_t idx = h->nreqs++;
  th_reqrec *r = &h->reqs[idx];
  memset(r, 0, sizeof *r);
  r->pub.id = (uint64_t)idx + 1;
  r->pub.size = size;
  r->pub.prefilled = prefilled;
  r->pub.push = push != 0;
  r->pub.event = -1;
  r->buf = th_xcalloc((size_t)size + TH_CANARY_LEN, 1);
  for (uint32_t i = 0; i < prefilled; i++)
    r->buf[i] = th_prefill_byte(i);
  memset(r->buf + prefilled, TH_FRESH, size - prefilled);
  memset(r->buf + size, TH_CANARY, TH_CANARY_LEN);
  return idx;
}

/* Posts reqs[idx[0..n)] in one receive() call. */
static void th_do_post(torc_test_host *h, const uint32_t *idx, uint32_t n) {
  torc_recv_request *rr = th_xcalloc(n, sizeof *rr);
  for (uint32_t i = 0; i < n; i++) {
    th_reqrec *r = &h->reqs[idx[i]];
    rr[i].id = r->pub.id;
    rr[i].buf = r->buf;
    rr[i].size = r->pub.size;
    rr[i].prefilled = r->pub.prefilled;
    rr[i].push = (uint8_t)r->pub.push;
    r->posted = 1;
    r->pub.reentrant = h->depth > 0;
    h->order[h->norder++] = idx[i];
  }
  uint32_t rc = h->t.receive(h->t.user_data, h->conn, rr, n);
  if (rc != TORC_STATUS_PENDING)
    th_violation(h, "RCV-091: receive() returned 0x%x, expected PENDING", rc);
  memset(rr, TH_POISON, sizeof *rr * n); /* reqs is borrowed for the call */
  free(rr);
}

static void th_after(torc_test_host *h);

uint64_t th_post_prefilled(torc_test_host *h, uint32_t size, uint32_t prefilled,
                           int push) {
  uint32_t idx = th_new_req(h, size, prefilled, push);
  th_do_post(h, &idx, 1);
  th_after(h);
  return h->reqs[idx].pub.id;
}

uint64_t th_post(torc_test_host *h, uint32_t size, int push) {
  return th_post_prefilled(h, size, 0, push);
}

uint64_t th_post_batch(torc_test_host *h, const uint32_t *sizes, uint32_t n,
                       int push) {
  ck_assert_msg(n > 0 && n <= TH_MAX_PENDING_POSTS, "bad batch size %u", n);
  uint32_t idx[TH_MAX_PENDING_POSTS];
  for (uint32_t i = 0; i < n; i++)
    idx[i] = th_new_req(h, sizes[i], 0, push);
  th_do_post(h, idx, n);
  th_after(h);
  return h->reqs[idx[0]].pub.id;
}

uint64_t th_post_in_next_completion(torc_test_host *h, uint32_t size,
                                    int push) {
  ck_assert_msg(h->nin_compl < TH_MAX_PENDING_POSTS, "too many queued");
  uint32_t idx = th_new_req(h, size, 0, push);
  h->in_compl[h->nin_compl++] = idx;
  return h->reqs[idx].pub.id;
}

uint64_t th_post_in_next_indication(torc_test_host *h, uint32_t size,
                                    int push) {
  ck_assert_msg(h->nin_ind < TH_MAX_PENDING_POSTS, "too many queued");
  uint32_t idx = th_new_req(h, size, 0, push);
  h->in_ind[h->nin_ind++] = idx;
  return h->reqs[idx].pub.id;
}

const th_req *th_req_get(const torc_test_host *h, uint64_t id) {
  if (id == 0 || id > h->nreqs)
    return NULL;
  return &h->reqs[id - 1].pub;
}

/* One completed request: the checks of RCV-061, DEC-12 and the canary, then
 * its placed bytes join the delivered stream. */
static void th_complete_one(torc_test_host *h, const torc_completion *c,
                            int event) {
  if (c->id == 0 || c->id > h->nreqs || !h->reqs[c->id - 1].posted) {
    th_violation(h, "completion of unknown request id %llu",
                 (unsigned long long)c->id);
    return;
  }
  th_reqrec *r = &h->reqs[c->id - 1];
  if (r->pub.completed) {
    r->pub.completed++;
    th_violation(h, "request %llu completed twice", (unsigned long long)c->id);
    return;
  }
  uint32_t oldest = h->fifo < h->norder ? h->order[h->fifo] : UINT32_MAX;
  if (oldest != c->id - 1)
    th_violation(h,
                 "RCV-061: request %llu completed before request %llu "
                 "posted earlier",
                 (unsigned long long)c->id,
                 (unsigned long long)(oldest == UINT32_MAX ? 0 : oldest + 1));
  /* Advance the FIFO past every completed request. */
  r->pub.completed = 1;
  while (h->fifo < h->norder && h->reqs[h->order[h->fifo]].pub.completed)
    h->fifo++;
  r->pub.status = c->status;
  r->pub.bytes = c->bytes;
  r->pub.event = event;
  r->pub.stream_off = h->dlv_len;
  uint32_t room = r->pub.size - r->pub.prefilled;
  uint32_t n = c->bytes;
  if (n > room) {
    th_violation(h, "request %llu: %u bytes placed, room for %u",
                 (unsigned long long)c->id, c->bytes, room);
    n = room;
  }
  for (uint32_t i = 0; i < r->pub.prefilled; i++)
    if (r->buf[i] != th_prefill_byte(i)) {
      th_violation(h, "DEC-12: request %llu prefilled byte %u overwritten",
                   (unsigned long long)c->id, i);
      break;
    }
  for (uint32_t i = 0; i < TH_CANARY_LEN; i++)
    if (r->buf[r->pub.size + i] != TH_CANARY) {
      th_violation(h, "request %llu: canary byte %u after the buffer changed",
                   (unsigned long long)c->id, i);
      break;
    }
  th_dlv_append(h, r->buf + r->pub.prefilled, n);
  /* The buffer is the host's again: poison and free it. */
  memset(r->buf, TH_POISON, (size_t)r->pub.size + TH_CANARY_LEN);
  free(r->buf);
  r->buf = NULL;
}

/* Sends the segments queued for inside a callback (RCV-068). */
static void th_send_queued(torc_test_host *h, th_seg_rec *q, uint32_t *n) {
  th_seg_rec segs[TH_MAX_PENDING_POSTS];
  uint32_t k = *n;
  memcpy(segs, q, sizeof segs[0] * k);
  *n = 0;
  for (uint32_t i = 0; i < k; i++)
    th_segment(h, segs[i].off, segs[i].len, segs[i].flags);
}

static void th_cb_receive_complete(void *ctx, uint64_t handle,
                                   const torc_completion *c, uint32_t count) {
  torc_test_host *h = ctx;
  th_check_upcall(h, handle, "receive_complete");
  if (h->depth > 0)
    th_violation(h, "RCV-046: receive_complete while a completion or "
                    "indication is in progress");
  h->depth++;
  int evi = h->nev;
  th_event *e = th_new_event(h, TH_EV_COMPLETE);
  if (count == 0 || c == NULL)
    th_violation(h, "receive_complete with count %u", count);
  else if (e != NULL) {
    if (count > TH_MAX_COMPLETIONS - h->ncomp) {
      th_violation(h, "too many completions to record");
      count = TH_MAX_COMPLETIONS - h->ncomp;
    }
    memcpy(&h->comp[h->ncomp], c, sizeof *c * count);
    e->c = &h->comp[h->ncomp];
    e->count = count;
    h->ncomp += count;
    for (uint32_t i = 0; i < count; i++)
      th_complete_one(h, &c[i], evi);
  }
  if (h->nin_compl > 0) { /* RCV-107: post from inside the completion */
    uint32_t idx[TH_MAX_PENDING_POSTS];
    uint32_t n = h->nin_compl;
    memcpy(idx, h->in_compl, sizeof idx[0] * n);
    h->nin_compl = 0;
    th_do_post(h, idx, n);
  }
  if (h->nseg_compl > 0)
    th_send_queued(h, h->seg_compl, &h->nseg_compl);
  h->depth--;
}

/* ---- indications ----------------------------------------------------------
 */

static uint32_t th_cb_receive_indicate(void *ctx, uint64_t handle,
                                       uint64_t indication_id, uint32_t status,
                                       const torc_fragment *frags,
                                       uint32_t nfrags,
                                       uint32_t *bytes_consumed) {
  torc_test_host *h = ctx;
  th_check_upcall(h, handle, "receive_indicate");
  if (h->depth > 0)
    th_violation(h, "RCV-046: receive_indicate while a completion or "
                    "indication is in progress");
  h->depth++;
  if (status != TORC_STATUS_SUCCESS)
    th_violation(h, "RCV-125: indication status 0x%x", status);
  uint64_t len = 0;
  int bad = 0;
  if (nfrags > 0 && frags == NULL)
    bad = 1;
  for (uint32_t i = 0; !bad && i < nfrags; i++) {
    if (frags[i].len > 0 && frags[i].data == NULL)
      bad = 1;
    len += frags[i].len;
  }
  if (bad || nfrags > TH_MAX_WALK_FRAGS || len > TH_MAX_WALK_BYTES) {
    th_violation(h, "indication with bad fragments");
    len = 0;
    bad = 1;
  }
  if (!bad && len == 0)
    th_violation(h, "indication of 0 bytes");
  uint8_t *copy = th_xcalloc((size_t)len + 1, 1);
  uint64_t at = 0;
  for (uint32_t i = 0; !bad && i < nfrags; i++) {
    if (frags[i].len)
      memcpy(copy + at, frags[i].data, frags[i].len);
    at += frags[i].len;
  }
  th_answer_rec a = h->dflt;
  if (h->ans_head != h->ans_tail) {
    a = h->answers[h->ans_head % TH_MAX_ANSWERS];
    h->ans_head++;
  }
  uint32_t consumed; /* counted as delivered, per DEC-02/DEC-03 */
  uint32_t written;  /* *bytes_consumed */
  if (a.status == TORC_STATUS_SUCCESS) {
    consumed = written = (uint32_t)len;
  } else if (a.status == TORC_STATUS_OFFLOAD_DATA_PARTIALLY_ACCEPTED) {
    written = a.consumed;
    consumed = a.consumed > len ? (uint32_t)len : a.consumed;
  } else {
    consumed = written = 0;
  }
  if (bytes_consumed == NULL)
    th_violation(h, "receive_indicate with bytes_consumed NULL");
  else
    *bytes_consumed = written;
  th_event *e = th_new_event(h, TH_EV_INDICATE);
  if (e != NULL) {
    e->status = status;
    e->indication_id = indication_id;
    e->length = (uint32_t)len;
    e->nfrags = nfrags;
    e->answer = a.status;
    e->consumed = consumed;
    e->stream_off = h->dlv_len;
  }
  th_dlv_append(h, copy, consumed);
  if (a.status == TORC_STATUS_SUCCESS && !bad) {
    for (uint32_t i = 0; i < h->nheld; i++)
      if (h->held[i].id == indication_id)
        th_violation(h, "indication id %llu reused before its return",
                     (unsigned long long)indication_id);
    if (h->nheld >= TH_MAX_INDICATIONS) {
      th_violation(h, "too many unreturned indications");
      free(copy);
    } else {
      th_held_ind *hi = &h->held[h->nheld++];
      torc_fragment *fc = th_xcalloc(nfrags, sizeof *fc);
      if (nfrags)
        memcpy(fc, frags, sizeof *fc * nfrags);
      hi->id = indication_id;
      hi->frags = fc;
      hi->nfrags = nfrags;
      hi->copy = copy;
      hi->len = (uint32_t)len;
    }
  } else {
    free(copy);
  }
  if (h->nin_ind > 0) {
    uint32_t idx[TH_MAX_PENDING_POSTS];
    uint32_t n = h->nin_ind;
    memcpy(idx, h->in_ind, sizeof idx[0] * n);
    h->nin_ind = 0;
    th_do_post(h, idx, n);
  }
  if (h->nseg_ind > 0)
    th_send_queued(h, h->seg_ind, &h->nseg_ind);
  if (h->terminate_in_ind) {
    h->terminate_in_ind = 0;
    h->t.terminate_offload(h->t.user_data, h->conn);
  }
  h->depth--;
  return a.status;
}

void th_answer(torc_test_host *h, uint32_t status, uint32_t consumed) {
  ck_assert_msg(h->ans_tail - h->ans_head < TH_MAX_ANSWERS,
                "too many queued answers");
  h->answers[h->ans_tail % TH_MAX_ANSWERS] =
      (th_answer_rec){.status = status, .consumed = consumed};
  h->ans_tail++;
}

void th_set_default_answer(torc_test_host *h, uint32_t status,
                           uint32_t consumed) {
  h->dflt.status = status;
  h->dflt.consumed = consumed;
}

uint32_t th_return_indications(torc_test_host *h) {
  uint32_t n = h->nheld;
  if (n == 0)
    return 0;
  uint64_t *ids = th_xcalloc(n, sizeof *ids);
  for (uint32_t i = 0; i < n; i++) {
    th_held_ind *hi = &h->held[i];
    uint64_t at = 0;
    for (uint32_t f = 0; f < hi->nfrags; f++) {
      if (hi->frags[f].len &&
          memcmp(hi->frags[f].data, hi->copy + at, hi->frags[f].len) != 0) {
        th_violation(h,
                     "RCV-133: bytes of indication %llu changed before "
                     "receive_return",
                     (unsigned long long)hi->id);
        break;
      }
      at += hi->frags[f].len;
    }
    ids[i] = hi->id;
    free((void *)(uintptr_t)hi->frags);
    free(hi->copy);
  }
  h->nheld = 0;
  h->t.receive_return(h->t.user_data, h->conn, ids, n);
  free(ids);
  return n;
}

uint32_t th_outstanding_indications(const torc_test_host *h) {
  return h->nheld;
}

void th_set_auto_return(torc_test_host *h, int on) {
  h->auto_return = on;
}

/* ---- events and terminate ------------------------------------------------
 */

static void th_cb_event(void *ctx, uint64_t handle, uint32_t event,
                        uint32_t info) {
  torc_test_host *h = ctx;
  th_check_upcall(h, handle, "event_indicate");
  th_event *e = th_new_event(h, TH_EV_EVENT);
  if (e != NULL) {
    e->event = event;
    e->info = info;
  }
}

/* Walks a target-owned chain with bounds; copies its bytes to *out (owned,
 * may be NULL when len is 0).  Returns 0, or -1 when the chain is bad. */
static int th_walk_chain(const torc_buffer_list *l, uint8_t **out,
                         uint32_t *len) {
  uint64_t total = 0, nf = 0;
  for (const torc_buffer_list *p = l; p != NULL; p = p->next) {
    if (p->nfrags > 0 && p->frags == NULL)
      return -1;
    nf += p->nfrags + 1;
    if (nf > TH_MAX_WALK_FRAGS)
      return -1;
    for (uint32_t i = 0; i < p->nfrags; i++) {
      if (p->frags[i].len > 0 && p->frags[i].data == NULL)
        return -1;
      total += p->frags[i].len;
      if (total > TH_MAX_WALK_BYTES)
        return -1;
    }
  }
  uint8_t *b = th_xcalloc((size_t)total + 1, 1);
  uint64_t at = 0;
  for (const torc_buffer_list *p = l; p != NULL; p = p->next)
    for (uint32_t i = 0; i < p->nfrags; i++) {
      if (p->frags[i].len)
        memcpy(b + at, p->frags[i].data, p->frags[i].len);
      at += p->frags[i].len;
    }
  *out = b;
  *len = (uint32_t)total;
  return 0;
}

static void th_cb_terminate_complete(void *ctx, uint64_t handle,
                                     uint32_t status,
                                     const torc_upload_state *st) {
  torc_test_host *h = ctx;
  th_check_upcall(h, handle, "terminate_offload_complete");
  th_event *e = th_new_event(h, TH_EV_TERMINATE_DONE);
  h->terminate_done = 1;
  for (uint32_t i = h->fifo; i < h->norder; i++)
    if (!h->reqs[h->order[i]].pub.completed) {
      th_violation(h,
                   "RCV-230: request %llu still posted at terminate "
                   "completion",
                   (unsigned long long)h->reqs[h->order[i]].pub.id);
      break;
    }
  if (e != NULL)
    e->status = status;
  if (st == NULL || st->struct_size < offsetof(torc_upload_state, buffered_id) +
                                          sizeof st->buffered_id) {
    th_violation(h, "terminate completion without a usable upload state");
    return;
  }
  h->term_rcv_nxt = st->rcv_nxt;
  if (e != NULL) {
    e->rcv_nxt = st->rcv_nxt;
    e->rcv_wnd = st->rcv_wnd;
  }
  if (st->buffered_data != NULL) {
    uint8_t *b = NULL;
    uint32_t n = 0;
    if (th_walk_chain(st->buffered_data, &b, &n) != 0) {
      th_violation(h, "terminate completion with a bad BufferedData chain");
      return;
    }
    free(h->handback);
    h->handback = b;
    h->handback_len = n;
    h->hb_list = st->buffered_data;
    h->hb_id = st->buffered_id;
    h->hb_pending = 1;
    if (e != NULL)
      e->handback_len = n;
  }
}

void th_terminate(torc_test_host *h) {
  h->t.terminate_offload(h->t.user_data, h->conn);
  th_after(h);
}

void th_terminate_in_next_indication(torc_test_host *h) {
  h->terminate_in_ind = 1;
}

/* Returns handed-back data (RCV-212) after checking it is unchanged. */
static void th_return_handback(torc_test_host *h) {
  uint8_t *b = NULL;
  uint32_t n = 0;
  if (th_walk_chain(h->hb_list, &b, &n) != 0 || n != h->handback_len ||
      (n && memcmp(b, h->handback, n) != 0))
    th_violation(h, "RCV-212: handed-back bytes changed before their return");
  free(b);
  h->hb_pending = 0;
  h->hb_list = NULL;
  h->t.receive_return(h->t.user_data, h->conn, &h->hb_id, 1);
}

/* End of every driving call: returns what the host gives back by itself. */
static void th_after(torc_test_host *h) {
  if (h->depth != 0)
    return;
  if (h->auto_return && h->nheld > 0)
    th_return_indications(h);
  if (h->hb_pending)
    th_return_handback(h);
}

/* ---- the wire --------------------------------------------------------------
 */

static uint16_t th_csum(const uint8_t *p, size_t n, uint32_t sum) {
  for (size_t i = 0; i + 1 < n; i += 2)
    sum += (uint32_t)(p[i] << 8 | p[i + 1]);
  if (n & 1)
    sum += (uint32_t)p[n - 1] << 8;
  while (sum >> 16)
    sum = (sum & 0xFFFF) + (sum >> 16);
  return (uint16_t)~sum;
}

static void th_put16(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
}

static void th_put32(uint8_t *p, uint32_t v) {
  th_put16(p, v >> 16);
  th_put16(p + 2, v & 0xFFFF);
}

static void th_send(torc_test_host *h, uint32_t seq, const uint8_t *payload,
                    uint32_t len, uint8_t flags) {
  ck_assert_msg(len <= 65495, "segment too long");
  flags |= TORC_TCP_ACK;
  uint32_t flen = 40 + len;
  uint8_t *f = th_xcalloc(flen, 1);
  /* IPv4 10.0.0.2 > 10.0.0.1, proto 6, ttl 64 */
  f[0] = 0x45;
  th_put16(f + 2, flen);
  f[8] = 64;
  f[9] = 6;
  f[12] = 10;
  f[15] = 2;
  f[16] = 10;
  f[19] = 1;
  th_put16(f + 10, th_csum(f, 20, 0));
  uint8_t *t = f + 20;
  th_put16(t, TH_REMOTE_PORT);
  th_put16(t + 2, TH_LOCAL_PORT);
  th_put32(t + 4, seq);
  th_put32(t + 8, TH_SND_NXT);
  t[12] = 5 << 4;
  t[13] = flags;
  th_put16(t + 14, 65535);
  if (len)
    memcpy(t + 20, payload, len);
  uint32_t pseudo = (10u << 8) + 2 + (10u << 8) + 1 + 6 + 20 + len;
  th_put16(t + 16, th_csum(t, 20 + len, pseudo));
  torc_segment s;
  memset(&s, 0, sizeof s);
  s.frame = f;
  s.frame_len = flen;
  s.link_type = 101;
  s.ip_offset = 0;
  s.tcp_offset = 20;
  s.seq = seq;
  s.ack = TH_SND_NXT;
  s.window = 65535;
  s.flags = flags;
  s.payload = len ? t + 20 : NULL;
  s.payload_len = len;
  h->t.segment(h->t.user_data, h->conn, &s);
  memset(f, TH_POISON, flen); /* borrowed for the call only */
  free(f);
  th_after(h);
}

void th_segment(torc_test_host *h, uint64_t off, uint32_t len, uint8_t flags) {
  uint8_t *p = th_xcalloc(len ? len : 1, 1);
  th_stream_fill(p, off, len);
  if (off + len > h->stream_end)
    h->stream_end = off + len;
  th_send(h, th_seq(h, off), p, len, flags);
  free(p);
}

void th_segment_in_next_completion(torc_test_host *h, uint64_t off,
                                   uint32_t len, uint8_t flags) {
  ck_assert_msg(h->nseg_compl < TH_MAX_PENDING_POSTS, "too many queued");
  h->seg_compl[h->nseg_compl++] = (th_seg_rec){off, len, flags};
}

void th_segment_in_next_indication(torc_test_host *h, uint64_t off,
                                   uint32_t len, uint8_t flags) {
  ck_assert_msg(h->nseg_ind < TH_MAX_PENDING_POSTS, "too many queued");
  h->seg_ind[h->nseg_ind++] = (th_seg_rec){off, len, flags};
}

void th_segment_raw(torc_test_host *h, uint32_t seq, const uint8_t *payload,
                    uint32_t len, uint8_t flags) {
  h->pure = 0;
  th_send(h, seq, payload, len, flags);
}

void th_advance(torc_test_host *h, uint64_t us) {
  h->now += us;
  h->t.advance_time(h->t.user_data, h->now);
  th_after(h);
}

uint64_t th_now(const torc_test_host *h) {
  return h->now;
}

/* ---- stream ---------------------------------------------------------------
 */

uint8_t th_stream_byte(uint64_t off) {
  uint64_t x = off + 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  x ^= x >> 31;
  return (uint8_t)x;
}

void th_stream_fill(uint8_t *dst, uint64_t off, size_t len) {
  for (size_t i = 0; i < len; i++)
    dst[i] = th_stream_byte(off + i);
}

uint32_t th_seq(const torc_test_host *h, uint64_t off) {
  return (uint32_t)(h->isn + off);
}

void th_set_isn(torc_test_host *h, uint32_t isn) {
  h->isn = isn;
}
void th_set_rcv_wnd(torc_test_host *h, uint32_t w) {
  h->rcv_wnd = w;
}
void th_set_initial_rcv_wnd(torc_test_host *h, uint32_t w) {
  h->initial_rcv_wnd = w;
  h->initial_rcv_wnd_set = 1;
}
void th_set_push_ticks(torc_test_host *h, uint32_t p) {
  h->push_ticks = p;
}
void th_set_ticks_per_second(torc_test_host *h, uint32_t t) {
  h->tps = t;
}
void th_set_rcv_indication_size(torc_test_host *h, uint32_t s) {
  h->ind_size = s;
}

/* ---- recording accessors ----------------------------------------------------
 */

int th_nevents(const torc_test_host *h) {
  return h->nev;
}

const th_event *th_event_get(const torc_test_host *h, int i) {
  ck_assert_msg(i >= 0 && i < h->nev, "event %d of %d", i, h->nev);
  return &h->ev[i];
}

int th_count(const torc_test_host *h, th_event_type type) {
  int n = 0;
  for (int i = 0; i < h->nev; i++)
    n += h->ev[i].type == type;
  return n;
}

__attribute__((format(printf, 2, 3))) static void
th_trace_add(torc_test_host *h, const char *fmt, ...) {
  char tmp[64];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  if (n < 0)
    return;
  if ((size_t)n >= sizeof tmp)
    n = sizeof tmp - 1;
  if (h->trace_len + (size_t)n + 1 > h->trace_cap) {
    size_t cap = h->trace_cap ? h->trace_cap * 2 : 256;
    while (cap < h->trace_len + (size_t)n + 1)
      cap *= 2;
    char *p = realloc(h->trace, cap);
    ck_assert_msg(p != NULL, "test host: out of memory");
    h->trace = p;
    h->trace_cap = cap;
  }
  memcpy(h->trace + h->trace_len, tmp, (size_t)n + 1);
  h->trace_len += (size_t)n;
}

static const char *th_status_letter(uint32_t s) {
  switch (s) {
  case TORC_STATUS_SUCCESS:
    return "";
  case TORC_STATUS_REQUEST_ABORTED:
    return "a";
  case TORC_STATUS_UPLOAD_IN_PROGRESS:
    return "u";
  case TORC_STATUS_INVALID_STATE:
    return "i";
  default:
    return "?";
  }
}

const char *th_trace_from(torc_test_host *h, int from) {
  h->trace_len = 0;
  th_trace_add(h, "%s", "");
  for (int i = from < 0 ? 0 : from; i < h->nev; i++) {
    const th_event *e = &h->ev[i];
    const char *sp = h->trace_len ? " " : "";
    switch (e->type) {
    case TH_EV_OFFLOAD_DONE:
      th_trace_add(h, "%sO%s", sp, e->status == TORC_STATUS_SUCCESS ? "" : "!");
      break;
    case TH_EV_COMPLETE:
      th_trace_add(h, "%sC[", sp);
      for (uint32_t j = 0; j < e->count; j++)
        th_trace_add(h, "%s%u%s", j ? "," : "", e->c[j].bytes,
                     th_status_letter(e->c[j].status));
      th_trace_add(h, "]");
      break;
    case TH_EV_INDICATE:
      if (e->answer == TORC_STATUS_SUCCESS)
        th_trace_add(h, "%sI%u", sp, e->length);
      else if (e->answer == TORC_STATUS_OFFLOAD_DATA_PARTIALLY_ACCEPTED)
        th_trace_add(h, "%sI%up%u", sp, e->length, e->consumed);
      else
        th_trace_add(h, "%sI%un", sp, e->length);
      break;
    case TH_EV_EVENT:
      if (e->event == TORC_EVENT_DISCONNECT)
        th_trace_add(h, "%sEd", sp);
      else if (e->event == TORC_EVENT_ABORT)
        th_trace_add(h, "%sEa", sp);
      else if (e->event == TORC_EVENT_RETRIEVE)
        th_trace_add(h, "%sEr%u", sp, e->info);
      else
        th_trace_add(h, "%sE%u/%u", sp, e->event, e->info);
      break;
    case TH_EV_TERMINATE_DONE:
      if (e->status == TORC_STATUS_SUCCESS)
        th_trace_add(h, "%sT%u", sp, e->handback_len);
      else
        th_trace_add(h, "%sT!", sp);
      break;
    }
  }
  return h->trace;
}

const char *th_trace(torc_test_host *h) {
  return th_trace_from(h, 0);
}

const uint8_t *th_delivered(const torc_test_host *h) {
  return h->dlv;
}
uint64_t th_delivered_len(const torc_test_host *h) {
  return h->dlv_len;
}
const uint8_t *th_handback(const torc_test_host *h) {
  return h->handback;
}
uint32_t th_handback_len(const torc_test_host *h) {
  return h->handback_len;
}

void th_assert_delivered_stream(const torc_test_host *h, uint64_t from,
                                uint64_t len) {
  ck_assert_msg(h->dlv_len >= from + len,
                "delivered: expected at least %llu bytes vs actual %llu",
                (unsigned long long)(from + len),
                (unsigned long long)h->dlv_len);
  for (uint64_t i = from; i < from + len; i++)
    ck_assert_msg(h->dlv[i] == th_stream_byte(i),
                  "delivered byte %llu: expected 0x%02x vs actual 0x%02x",
                  (unsigned long long)i, th_stream_byte(i), h->dlv[i]);
}

int th_violations(const torc_test_host *h) {
  return h->nviol;
}
const char *th_first_violation(const torc_test_host *h) {
  return h->viol;
}

void th_check_invariants(const torc_test_host *h) {
  const char *lb = h->label ? h->label : "";
  ck_assert_msg(h->nviol == 0, "%s%d host-rule violation(s), first: %s", lb,
                h->nviol, h->viol);
  ck_assert_msg(h->depth == 0, "%scallback depth %d at rest", lb, h->depth);
  if (!h->pure)
    return;
  ck_assert_msg(h->dlv_len <= h->stream_end,
                "%sdelivered %llu bytes, only %llu ever offered", lb,
                (unsigned long long)h->dlv_len,
                (unsigned long long)h->stream_end);
  for (uint64_t i = 0; i < h->dlv_len; i++)
    ck_assert_msg(h->dlv[i] == th_stream_byte(i),
                  "%sdelivered byte %llu: expected 0x%02x vs actual 0x%02x "
                  "(lost, duplicated or reordered data)",
                  lb, (unsigned long long)i, th_stream_byte(i), h->dlv[i]);
  /* DEC-07: delivered bytes then handed-back bytes are the stream up to the
   * reported RcvNxt. */
  for (int i = 0; i < h->nev; i++) {
    const th_event *e = &h->ev[i];
    if (e->type != TH_EV_TERMINATE_DONE || e->status != TORC_STATUS_SUCCESS)
      continue;
    uint32_t upto = e->rcv_nxt - h->isn;
    ck_assert_msg((uint64_t)upto == h->dlv_len + h->handback_len,
                  "%sDEC-07: rcv_nxt at terminate is stream offset %u, "
                  "expected delivered %llu + handed back %u",
                  lb, upto, (unsigned long long)h->dlv_len, h->handback_len);
    for (uint32_t j = 0; j < h->handback_len; j++)
      ck_assert_msg(h->handback[j] == th_stream_byte(h->dlv_len + j),
                    "%shanded-back byte %u (stream %llu) wrong", lb, j,
                    (unsigned long long)(h->dlv_len + j));
  }
}

/* ---- allocation faults ------------------------------------------------------
 */

void th_fail_alloc_at(torc_test_host *h, uint64_t n) {
  h->fail_at = n ? h->nalloc + n : 0;
}
uint64_t th_alloc_count(const torc_test_host *h) {
  return h->nalloc;
}
uint64_t th_alloc_outstanding(const torc_test_host *h) {
  return h->live;
}
int th_alloc_failed(const torc_test_host *h) {
  return h->alloc_failed;
}
int th_retrieve_index(const torc_test_host *h) {
  for (int i = 0; i < h->nev; i++)
    if (h->ev[i].type == TH_EV_EVENT && h->ev[i].event == TORC_EVENT_RETRIEVE)
      return i;
  return -1;
}
int th_upload_requested(const torc_test_host *h) {
  return th_retrieve_index(h) >= 0;
}

uint64_t th_failmalloc_run(th_scenario_fn fn, const char *name) {
  char label[160];
  torc_test_host *h = th_new();
  uint64_t base = th_alloc_count(h);
  snprintf(label, sizeof label, "%s (counting run): ", name);
  h->label = label;
  fn(h);
  uint64_t n = th_alloc_count(h) - base;
  th_free(h);
  for (uint64_t i = 1; i <= n; i++) {
    h = th_new();
    snprintf(label, sizeof label, "%s failing allocation %llu of %llu: ", name,
             (unsigned long long)i, (unsigned long long)n);
    h->label = label;
    th_fail_alloc_at(h, i);
    fn(h);
    th_free(h);
  }
  return n;
}

int th_stats(torc_test_host *h, torc_target_stats *out) {
  if (h->t.get_stats == NULL)
    return -1;
  memset(out, 0, sizeof *out);
  out->struct_size = sizeof *out;
  return h->t.get_stats(h->t.user_data, h->conn, out);
}

/* ---- life cycle -------------------------------------------------------------
 */

const torc_target *th_target(const torc_test_host *h) {
  return &h->t;
}

torc_test_host *th_new(void) {
  torc_test_host *h = th_xcalloc(1, sizeof *h);
  h->ev = th_xcalloc(TH_MAX_EVENTS, sizeof *h->ev);
  h->comp = th_xcalloc(TH_MAX_COMPLETIONS, sizeof *h->comp);
  h->reqs = th_xcalloc(TH_MAX_REQS, sizeof *h->reqs);
  h->order = th_xcalloc(TH_MAX_REQS, sizeof *h->order);
  h->isn = 0x1000;
  h->rcv_wnd = 65535;
  h->tps = 1000;
  h->dflt.status = TORC_STATUS_SUCCESS;
  h->pure = 1;
  h->ops.struct_size = sizeof h->ops;
  h->ops.alloc = th_cb_alloc;
  h->ops.free = th_cb_free;
  h->ops.log = th_cb_log;
  h->ops.initiate_offload_complete = th_cb_offload_complete;
  h->ops.receive_complete = th_cb_receive_complete;
  h->ops.receive_indicate = th_cb_receive_indicate;
  h->ops.event_indicate = th_cb_event;
  h->ops.terminate_offload_complete = th_cb_terminate_complete;
  char errbuf[TORC_ERRBUF_SIZE] = "";
  int rc = torc_reference_target_init(TORC_TARGET_ABI_VERSION, &h->ops, h,
                                      &h->t, errbuf);
  errbuf[TORC_ERRBUF_SIZE - 1] = '\0';
  ck_assert_msg(rc == 0, "torc_reference_target_init: %d (%s)", rc, errbuf);
  h->target_ok = 1;
  ck_assert_msg(h->t.conn_open != NULL && h->t.conn_close != NULL &&
                    h->t.initiate_offload != NULL && h->t.receive != NULL &&
                    h->t.receive_return != NULL && h->t.segment != NULL &&
                    h->t.advance_time != NULL &&
                    h->t.terminate_offload != NULL && h->t.destroy != NULL,
                "target table lacks an operation");
  rc = h->t.conn_open(h->t.user_data, TH_HOST_HANDLE, &h->conn);
  ck_assert_msg(rc == 0, "conn_open: %d", rc);
  h->conn_ok = 1;
  return h;
}

void th_free(torc_test_host *h) {
  if (h == NULL)
    return;
  if (h->conn_ok)
    h->t.conn_close(h->t.user_data, h->conn);
  if (h->target_ok)
    h->t.destroy(h->t.user_data);
  uint64_t live = h->live;
  const char *lb = h->label ? h->label : "";
  char label[200];
  snprintf(label, sizeof label, "%s", lb);
  th_check_invariants(h);
  /* Host-owned memory. */
  th_free_buffered(h, 0);
  for (uint32_t i = 0; i < h->nreqs; i++)
    free(h->reqs[i].buf);
  for (uint32_t i = 0; i < h->nheld; i++) {
    free((void *)(uintptr_t)h->held[i].frags);
    free(h->held[i].copy);
  }
  free(h->reqs);
  free(h->order);
  free(h->ev);
  free(h->comp);
  free(h->dlv);
  free(h->handback);
  free(h->trace);
  free(h);
  ck_assert_msg(live == 0,
                "%s%llu allocation(s) of the target outstanding after "
                "conn_close and destroy",
                label, (unsigned long long)live);
}
