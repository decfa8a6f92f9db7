/*
 * torc_direct_host.c - A small recording host that drives the reference
 * target's torc/target.h table directly, for the Check tests that need what
 * the test host (torc_test_host.c) does not offer (see torc_direct_host.h).
 * Sits between a test and torc_reference_target_init(): the test calls
 * dh_* to offload, send segments and advance time; the target's upcalls land
 * in the callbacks below, which record them and hand over to the test's
 * hooks.  Nothing is ck_asserted inside a callback (that would unwind
 * through the target): violations are counted and dh_close() asserts.
 */
#include "torc_direct_host.h"

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "torc_reference.h"

void dh_log(torc_direct_host *d, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(d->log + d->loglen, sizeof d->log - d->loglen, fmt, ap);
  va_end(ap);
  if (n > 0 && (size_t)n < sizeof d->log - d->loglen)
    d->loglen += (size_t)n;
}

void dh_violation(torc_direct_host *d, const char *fmt, ...) {
  if (d->nviol++ == 0) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->viol, sizeof d->viol, fmt, ap);
    va_end(ap);
  }
}

int dh_index(const torc_direct_host *d, const dh_conn *c) {
  return c == &d->c[0] ? 0 : 1;
}

/* The connection of a handle, with its log prefix; NULL when unknown.
 * Counts an upcall on a connection whose terminate completed. */
static dh_conn *dh_find(torc_direct_host *d, uint64_t handle,
                        const char *what) {
  const char *sp = d->loglen ? " " : "";
  for (int i = 0; i < d->nconn; i++)
    if (d->c[i].handle == handle) {
      if (d->nconn > 1)
        dh_log(d, "%s%c:", sp, 'a' + i);
      else
        dh_log(d, "%s", sp);
      return &d->c[i];
    }
  dh_log(d, "%s?:", sp);
  dh_violation(d, "RCV-250/RCV-122: %s with unknown handle 0x%llx", what,
               (unsigned long long)handle);
  return NULL;
}

static void dh_enter(torc_direct_host *d, const char *what) {
  if (d->depth++ > 0) {
    d->nested++;
    dh_violation(d, "RCV-046: nested %s", what);
  }
}

static void *dh_cb_alloc(void *ctx, size_t size) {
  torc_direct_host *d = ctx;
  size_t *p = malloc(sizeof(size_t) * 2 + (size ? size : 1));
  if (p == NULL)
    return NULL;
  p[0] = size;
  d->live++;
  return p + 2;
}

static void dh_cb_free(void *ctx, void *ptr) {
  torc_direct_host *d = ctx;
  if (ptr == NULL)
    return;
  size_t *p = (size_t *)ptr - 2;
  memset(ptr, 0xA5, p[0]); /* freed too early shows as poison */
  d->live--;
  free(p);
}

static void dh_cb_log(void *ctx, int level, const char *msg) {
  (void)ctx;
  (void)level;
  (void)msg;
}

static void dh_cb_offload_complete(void *ctx, uint64_t handle,
                                   uint32_t status) {
  torc_direct_host *d = ctx;
  dh_conn *c = dh_find(d, handle, "offload completion");
  dh_log(d, "O%s", status == TORC_STATUS_SUCCESS ? "" : "!");
  if (c == NULL)
    return;
  if (c->offload_done++)
    dh_violation(d, "second offload completion");
  c->offload_status = status;
}

static void dh_cb_receive_complete(void *ctx, uint64_t handle,
                                   const torc_completion *cc, uint32_t count) {
  torc_direct_host *d = ctx;
  dh_conn *c = dh_find(d, handle, "receive_complete");
  dh_enter(d, "receive_complete");
  if (c != NULL && c->term_done)
    d->upcalls_after_term++;
  dh_log(d, "C[");
  for (uint32_t j = 0; j < count; j++) {
    dh_log(d, "%s%u%s", j ? "," : "", cc[j].bytes,
           cc[j].status == TORC_STATUS_SUCCESS ? "" : "?");
    if (d->ncompl < DH_MAXCOMPL)
      d->compl [d->ncompl++] = cc[j];
  }
  dh_log(d, "]");
  if (c != NULL && d->on_complete != NULL)
    d->on_complete(d, c, cc, count);
  if (d->advance_in_next_completion != 0) {
    d->now = d->advance_in_next_completion;
    d->advance_in_next_completion = 0;
    d->t.advance_time(d->t.user_data, d->now); /* DEC-17: must be deferred */
  }
  d->depth--;
}

static uint32_t dh_cb_receive_indicate(void *ctx, uint64_t handle, uint64_t id,
                                       uint32_t status, const torc_fragment *f,
                                       uint32_t nf, uint32_t *consumed) {
  torc_direct_host *d = ctx;
  dh_conn *c = dh_find(d, handle, "receive_indicate");
  dh_enter(d, "receive_indicate");
  if (c != NULL && c->term_done)
    d->upcalls_after_term++;
  d->nind++;
  uint32_t len = 0;
  for (uint32_t i = 0; i < nf && i < 4096; i++)
    len += f[i].len;
  uint32_t answer = TORC_STATUS_OFFLOAD_DATA_NOT_ACCEPTED;
  *consumed = 0;
  if (c != NULL && d->on_indicate != NULL)
    answer = d->on_indicate(d, c, id, status, f, nf, len, consumed);
  dh_log(d, "I%u%s", len, answer == TORC_STATUS_SUCCESS ? "" : "n");
  d->depth--;
  return answer;
}

static void dh_cb_event(void *ctx, uint64_t handle, uint32_t ev,
                        uint32_t info) {
  torc_direct_host *d = ctx;
  dh_conn *c = dh_find(d, handle, "event_indicate");
  if (c != NULL && c->term_done)
    d->upcalls_after_term++;
  d->nevent++;
  if (ev == TORC_EVENT_DISCONNECT)
    dh_log(d, "Ed");
  else if (ev == TORC_EVENT_ABORT)
    dh_log(d, "Ea");
  else if (ev == TORC_EVENT_RETRIEVE)
    dh_log(d, "Er%u", info);
  else
    dh_log(d, "E%u/%u", ev, info);
}

uint32_t dh_walk(const torc_buffer_list *l, uint8_t *out, uint32_t cap) {
  uint32_t n = 0;
  for (int lists = 0; l != NULL && lists < 64; l = l->next, lists++)
    for (uint32_t i = 0; i < l->nfrags && i < 64; i++)
      for (uint32_t j = 0; j < l->frags[i].len; j++, n++)
        if (n < cap)
          out[n] = l->frags[i].data[j];
  return n;
}

static void dh_cb_terminate_complete(void *ctx, uint64_t handle,
                                     uint32_t status,
                                     const torc_upload_state *st) {
  torc_direct_host *d = ctx;
  dh_conn *c = dh_find(d, handle, "terminate completion");
  dh_log(d, "T%s", status == TORC_STATUS_SUCCESS ? "" : "!");
  if (c == NULL)
    return;
  c->term_done++;
  c->term_status = status;
  if (st != NULL) {
    c->term_rcv_nxt = st->rcv_nxt;
    c->hb = st->buffered_data;
    c->hb_id = st->buffered_id;
    c->hb_len = dh_walk(c->hb, c->hb_copy, sizeof c->hb_copy);
  }
}

void dh_init(torc_direct_host *d, int nconn, const uint64_t *handles) {
  ck_assert(nconn >= 1 && nconn <= DH_MAXCONN);
  memset(d, 0, sizeof *d);
  d->nconn = nconn;
  d->ops = (torc_host_ops){
      .struct_size = sizeof(torc_host_ops),
      .alloc = dh_cb_alloc,
      .free = dh_cb_free,
      .log = dh_cb_log,
      .initiate_offload_complete = dh_cb_offload_complete,
      .receive_complete = dh_cb_receive_complete,
      .receive_indicate = dh_cb_receive_indicate,
      .event_indicate = dh_cb_event,
      .terminate_offload_complete = dh_cb_terminate_complete,
  };
  char err[TORC_ERRBUF_SIZE] = "";
  ck_assert_int_eq(torc_reference_target_init(TORC_TARGET_ABI_VERSION, &d->ops,
                                              d, &d->t, err),
                   0);
  for (int i = 0; i < nconn; i++) {
    d->c[i].handle = handles[i];
    ck_assert_int_eq(
        d->t.conn_open(d->t.user_data, d->c[i].handle, &d->c[i].conn), 0);
  }
}

void dh_state(torc_offload_state *st, int i, uint32_t rcv_nxt) {
  memset(st, 0, sizeof *st);
  st->struct_size = sizeof *st;
  st->rcv_nxt = rcv_nxt;
  st->rcv_wnd = 65535;
  st->snd_una = st->snd_nxt = 0x2000;
  st->snd_wnd = 65535;
  st->ticks_per_second = 1000;
  st->initial_rcv_wnd = 65535;
  st->mss = 1460;
  st->conn_state = 4;
  st->ip_version = 4;
  st->local_port = 80;
  st->remote_port = (uint16_t)(40000 + i);
  st->local_addr[0] = st->remote_addr[0] = 10;
  st->local_addr[3] = 1;
  st->remote_addr[3] = (uint8_t)(2 + i);
}

void dh_offload(torc_direct_host *d, int i, const torc_offload_state *st) {
  d->t.initiate_offload(d->t.user_data, d->c[i].conn, st);
  ck_assert_int_eq(d->c[i].offload_done, 1);
  ck_assert_uint_eq(d->c[i].offload_status, TORC_STATUS_SUCCESS);
}

void dh_segment(torc_direct_host *d, int i, uint64_t off, uint32_t len,
                uint8_t flags) {
  uint8_t *f = calloc(40 + len, 1);
  ck_assert_ptr_nonnull(f);
  uint32_t seq = (uint32_t)(d->c[i].isn + off);
  f[0] = 0x45;
  f[2] = (uint8_t)((40 + len) >> 8);
  f[3] = (uint8_t)(40 + len);
  f[8] = 64;
  f[9] = 6;
  f[12] = 10;
  f[15] = (uint8_t)(2 + i);
  f[16] = 10;
  f[19] = 1;
  f[24] = (uint8_t)(seq >> 24);
  f[25] = (uint8_t)(seq >> 16);
  f[26] = (uint8_t)(seq >> 8);
  f[27] = (uint8_t)seq;
  f[32] = 5 << 4;
  f[33] = (uint8_t)(flags | TORC_TCP_ACK);
  for (uint32_t k = 0; k < len; k++) {
    uint64_t o = d->c[i].stream_base + off + k;
    f[40 + k] = d->byte != NULL ? d->byte(o) : (uint8_t)o;
  }
  torc_segment s;
  memset(&s, 0, sizeof s);
  s.frame = f;
  s.frame_len = 40 + len;
  s.link_type = 101;
  s.tcp_offset = 20;
  s.seq = seq;
  s.ack = 0x2000;
  s.window = 65535;
  s.flags = (uint8_t)(flags | TORC_TCP_ACK);
  s.payload = len ? f + 40 : NULL;
  s.payload_len = len;
  d->t.segment(d->t.user_data, d->c[i].conn, &s);
  memset(f, 0xA5, 40 + len);
  free(f);
}

void dh_advance_to(torc_direct_host *d, uint64_t now_us) {
  d->now = now_us;
  d->t.advance_time(d->t.user_data, now_us);
}

void dh_close(torc_direct_host *d) {
  for (int i = 0; i < d->nconn; i++)
    d->t.conn_close(d->t.user_data, d->c[i].conn);
  d->t.destroy(d->t.user_data);
  ck_assert_msg(d->nviol == 0, "%d violation(s), first: %s", d->nviol, d->viol);
  ck_assert_int_eq(d->depth, 0);
  ck_assert_int_eq(d->live, 0);
}
