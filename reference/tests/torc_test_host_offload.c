/*
 * torc_test_host_offload.c - the test host's stream, offload parameters and
 * the offload itself.
 *
 * The stream is a fixed function of the offset (th_stream_byte); sequence
 * numbers are isn + offset.  A test sets the parameters (th_set_*), then
 * th_offload hands the target a state block and BufferedData built from the
 * stream; when the target completes the offload, th_cb_offload_complete
 * records it and poisons and frees what the host had lent (RCV-011).
 */
#include "torc_test_host_int.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

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

/* ---- offload --------------------------------------------------------------
 */

void th_free_buffered(torc_test_host *h, int poison) {
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

void th_cb_offload_complete(void *ctx, uint64_t handle, uint32_t status) {
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
