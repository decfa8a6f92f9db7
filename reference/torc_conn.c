/*
 * torc_conn.c - per-connection state: window, push timer, lent chunks.
 *
 * Small helpers shared by the wire side (torc_input.c), the delivery
 * algorithm (torc_deliver.c) and the ops-table glue (torc_reference.c).
 */
#include "torc_conn.h"

#include "torc_seq.h"

void torcint_conn_update_window(torc_conn *c) {
  /* DEC-15: RcvWnd = (RcvWnd at offload + BufferedData length) - held;
   * the right edge RcvNxt + RcvWnd never moves left (RFC 9293 §3.8.6.2.2). */
  uint64_t held = c->held.bytes + c->pending.bytes;
  uint64_t wnd = held < c->window_total ? c->window_total - held : 0;
  uint32_t edge = TORC_SEQ_ADD(c->rcv_nxt, (uint32_t)wnd);
  c->right_edge = TORC_SEQ_MAX(c->right_edge, edge);
}

uint32_t torcint_conn_rcv_wnd(const torc_conn *c) {
  if (TORC_SEQ_GT(c->rcv_nxt, c->right_edge))
    return 0;
  return TORC_SEQ_SUB(c->right_edge, c->rcv_nxt);
}

void torcint_conn_timer_start(torc_conn *c) {
  c->timer_running = 1;
  c->timer_deadline = c->ref->now_us + c->push_interval_us;
}

void torcint_conn_timer_stop(torc_conn *c) {
  c->timer_running = 0;
  c->timer_deadline = 0;
}

void torcint_conn_want_upload(torc_conn *c, uint32_t reason) {
  if (c->state != TORC_CONN_OFFLOADED || c->pending_terminate ||
      c->pending_abort || c->upload_wanted)
    return;
  c->upload_wanted = 1;
  /* RCV-243: no upload is initiated on a half-closed connection; the
   * connection still stops processing (RCV-242). */
  if (c->fin_rcvd)
    return;
  c->pending_retrieve = 1;
  c->retrieve_reason = reason;
}

static void lent_free(const torc_mem *mem, torc_lent *l) {
  for (uint32_t i = 0; i < l->nchunks; i++)
    torcint_chunk_unref(mem, l->chunks[i]);
  mem->free(mem->ctx, l);
}

void torcint_conn_release(torc_conn *c) {
  const torc_mem *mem = &c->ref->mem;
  torcint_held_clear(mem, &c->held);
  torcint_held_clear(mem, &c->pending);
  torcint_reasm_clear(&c->ooo, mem);
  torcint_reqq_free(mem, &c->reqs);
  while (c->lent != NULL) {
    torc_lent *l = c->lent;
    c->lent = l->next;
    lent_free(mem, l);
  }
}

int torcint_conn_return(torc_conn *c, uint64_t id) {
  for (torc_lent **link = &c->lent; *link != NULL; link = &(*link)->next) {
    torc_lent *l = *link;
    if (l->id == id) {
      *link = l->next;
      lent_free(&c->ref->mem, l);
      return 0;
    }
  }
  return -1;
}
