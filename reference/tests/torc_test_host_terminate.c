/*
 * torc_test_host_terminate.c - the test host's side of events, terminate and
 * handed-back data.
 *
 * th_cb_event records event_indicate upcalls.  th_terminate calls
 * terminate_offload; th_cb_terminate_complete records the completion, checks
 * no request is left posted (RCV-230) and copies the handed-back chain,
 * which th_return_handback (from th_after, torc_test_host.c) checks unchanged
 * and returns through receive_return (RCV-212).
 */
#include "torc_test_host_int.h"

#include <check.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* ---- events and terminate ------------------------------------------------
 */

void th_cb_event(void *ctx, uint64_t handle, uint32_t event, uint32_t info) {
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

void th_cb_terminate_complete(void *ctx, uint64_t handle, uint32_t status,
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
void th_return_handback(torc_test_host *h) {
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
