/*
 * torc_test_host_requests.c - the test host's receive requests: posting them
 * and checking their completions.
 *
 * th_post* make host-owned buffers (prefilled pattern, canary after the end)
 * and hand them over in receive() calls, now or from inside the next
 * completion or indication callback (RCV-107, th_do_post).  When the target
 * completes them, th_cb_receive_complete records the event, checks each
 * completion (RCV-061 FIFO order, DEC-12 prefilled bytes, canary, room),
 * appends the placed bytes to the delivered stream and frees the buffer.
 */
#include "torc_test_host_int.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

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
void th_do_post(torc_test_host *h, const uint32_t *idx, uint32_t n) {
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

void th_cb_receive_complete(void *ctx, uint64_t handle,
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
