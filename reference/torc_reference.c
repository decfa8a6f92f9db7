/*
 * torc_reference.c - the reference target's ops table.
 *
 * The harness (or a unit test, or the .so wrapper) calls these functions
 * through torc_target.  Each one records the event in the connection and
 * hands over: segments to torc_input.c, everything else to the delivery
 * pump in torc_deliver.c.  This file also owns the life of connections: a
 * connection closed from inside one of its own callbacks is freed only when
 * the outermost operation on it returns (busy / close_pending).
 */
#include "torc_reference.h"

#include <stdio.h>
#include <string.h>

#include "torc_conn.h"
#include "torc_deliver.h"
#include "torc_input.h"
#include "torc_seq.h"
#include "torc_why.h"

/* Largest BufferedData the reference copies (and largest window total). */
#define TORC_MAX_BUFFERED (1u << 30)
#define TORC_MAX_WINDOW (1u << 30)

static void conn_free(torc_conn *c) {
  torc_ref *r = c->ref;
  for (torc_conn **link = &r->conns; *link != NULL; link = &(*link)->next) {
    if (*link == c) {
      *link = c->next;
      break;
    }
  }
  torcint_conn_release(c);
  r->mem.free(r->mem.ctx, c);
}

/* Brackets every operation on a connection (see the file head). */
static void conn_enter(torc_conn *c) {
  c->busy++;
}

static void conn_leave(torc_conn *c) {
  if (--c->busy == 0 && c->close_pending)
    conn_free(c);
}

/* ---- Ops ------------------------------------------------------------------
 */

static void op_destroy(void *user_data) {
  torc_ref *r = user_data;
  if (r == NULL)
    return;
  while (r->conns != NULL)
    conn_free(r->conns);
  r->mem.free(r->mem.ctx, r);
}

static int op_conn_open(void *user_data, uint64_t host_handle,
                        void **out_conn) {
  torc_ref *r = user_data;
  if (r == NULL || out_conn == NULL)
    return -1;
  torc_conn *c = r->mem.alloc(r->mem.ctx, sizeof(*c));
  if (c == NULL)
    return -1;
  memset(c, 0, sizeof(*c));
  c->ref = r;
  c->handle = host_handle;
  c->state = TORC_CONN_IDLE;
  c->next_id = 1;
  torcint_held_init(&c->held);
  torcint_held_init(&c->pending);
  torcint_reasm_init(&c->ooo);
  torcint_reqq_init(&c->reqs);
  c->next = r->conns;
  r->conns = c;
  *out_conn = c;
  return 0;
}

static void op_conn_close(void *user_data, void *conn) {
  torc_conn *c = conn;
  (void)user_data;
  if (c == NULL)
    return;
  if (c->busy > 0) {
    c->close_pending = 1; /* freed when the outer operation returns */
    return;
  }
  conn_free(c);
}

/* Length of a BufferedData chain, or -1 when it is malformed or too long. */
static int64_t buffered_length(const torc_buffer_list *bl) {
  uint64_t total = 0;
  uint32_t lists = 0;
  for (; bl != NULL; bl = bl->next) {
    if (++lists > (1u << 20) || (bl->nfrags > 0 && bl->frags == NULL))
      return -1;
    for (uint32_t i = 0; i < bl->nfrags; i++) {
      if (bl->frags[i].len > 0 && bl->frags[i].data == NULL)
        return -1;
      total += bl->frags[i].len;
      if (total > TORC_MAX_BUFFERED)
        return -1;
    }
  }
  return (int64_t)total;
}

static void op_initiate_offload(void *user_data, void *conn,
                                const torc_offload_state *st_in) {
  torc_ref *r = user_data;
  torc_conn *c = conn;
  if (c == NULL)
    return;
  conn_enter(c);
  uint32_t status = TORC_STATUS_FAILURE;
  torc_offload_state st;
  memset(&st, 0, sizeof(st));
  if (st_in != NULL) {
    size_t n =
        st_in->struct_size < sizeof(st) ? st_in->struct_size : sizeof(st);
    memcpy(&st, st_in, n);
  }
  int64_t total = st_in != NULL ? buffered_length(st.buffered_data) : -1;
  torc_chunk *ch = NULL;
  if (c->state == TORC_CONN_IDLE && total >= 0) {
    /* RCV-007: copy BufferedData into target memory before completing;
     * its bytes are [rcv_nxt - total, rcv_nxt) (RCV-006). */
    if (total > 0) {
      TORC_WHY(c, "RCV-007", "RCV-008", "RCV-009");
      ch = torcint_chunk_new(&r->mem, TORC_SEQ_SUB(st.rcv_nxt, total),
                             (uint32_t)total, 0);
      if (ch != NULL) {
        uint8_t *dst = ch->data;
        for (const torc_buffer_list *bl = st.buffered_data; bl != NULL;
             bl = bl->next)
          for (uint32_t i = 0; i < bl->nfrags; i++) {
            if (bl->frags[i].len > 0)
              memcpy(dst, bl->frags[i].data, bl->frags[i].len);
            dst += bl->frags[i].len;
          }
      }
    }
    if (total == 0 || ch != NULL) {
      c->rcv_nxt = st.rcv_nxt;
      /* DEC-15: W = RcvWnd at offload + BufferedData length; DEC-23: a
       * non-zero InitialRcvWnd replaces it. */
      uint64_t wt = st.initial_rcv_wnd != 0
                        ? (uint64_t)st.initial_rcv_wnd
                        : (uint64_t)st.rcv_wnd + (uint64_t)total;
      c->window_total = wt < TORC_MAX_WINDOW ? wt : TORC_MAX_WINDOW;
      c->right_edge = c->rcv_nxt;
      if (ch != NULL) {
        torcint_held_append(&r->mem, &c->held, ch); /* waits (RCV-035) */
        c->has_buffered = 1;
        c->buffered_end = st.rcv_nxt;
      }
      torcint_conn_update_window(c);
      /* DEC-10: interval = TcpPushTicks / TicksPerSecond; 0 ticks means
       * 500 ms (RCV-193), 0 ticks per second means 1000 (RCV-198). */
      uint64_t tps = st.ticks_per_second != 0 ? st.ticks_per_second : 1000;
      c->push_interval_us = st.push_ticks != 0
                                ? (uint64_t)st.push_ticks * 1000000u / tps
                                : 500000u;
      c->indication_size = st.rcv_indication_size; /* DEC-21 */
      c->state = TORC_CONN_OFFLOADED;
      status = TORC_STATUS_SUCCESS;
      TORC_WHY(c, "RCV-015", "RCV-018", "RCV-019", "RCV-268", "DEC-22");
    } else {
      /* DEC-05, RCV-010: no memory for the copy -> FAILURE; nothing is
       * delivered, ever, and the host's state is not written (RCV-017). */
      TORC_WHY(c, "RCV-010", "DEC-05");
      c->state = TORC_CONN_FAILED;
    }
  } else if (c->state == TORC_CONN_IDLE) {
    c->state = TORC_CONN_FAILED; /* malformed BufferedData */
  }
  /* DEC-22: complete from inside the call.  The host's buffers are never
   * touched after this (RCV-011). */
  torcint_why_emit(c);
  c->in_progress = 1;
  r->host->initiate_offload_complete(r->host_ctx, c->handle, status);
  c->in_progress = 0;
  torcint_deliver_pump(c);
  conn_leave(c);
}

static uint32_t op_receive(void *user_data, void *conn,
                           const torc_recv_request *reqs, uint32_t count) {
  torc_ref *r = user_data;
  torc_conn *c = conn;
  if (c == NULL || (reqs == NULL && count > 0))
    return TORC_STATUS_PENDING;
  conn_enter(c);
  for (uint32_t i = 0; i < count; i++) {
    torc_recv_request q = reqs[i];
    if (q.buf == NULL)
      q.size = q.prefilled = 0; /* nothing can be written there */
    /* Once a request was refused, later ones line up behind it so that
     * completions stay in posting order (RCV-061). */
    if (c->nrejected > 0 || torcint_reqq_push(&r->mem, &c->reqs, &q) < 0) {
      /* No memory to queue it: completed with REQUEST_ABORTED and 0 bytes
       * once every request before it is completed (counted).  Beyond the
       * fixed room for such requests it is lost (counted too). */
      c->ctr.priv.requests_rejected++;
      /* DEC-25, RCV-237: an allocation failure after the offload. */
      torcint_conn_want_upload(c, TORC_UPLOAD_UPLOAD_REQUESTED);
      if (c->nrejected < sizeof(c->rejected) / sizeof(c->rejected[0])) {
        torc_completion *v = &c->rejected[c->nrejected++];
        v->id = q.id;
        v->status = TORC_STATUS_REQUEST_ABORTED;
        v->bytes = 0;
      }
      continue;
    }
    /* DEC-12, RCV-180: a push request arriving partly filled starts the
     * push timer at once. */
    if (c->state == TORC_CONN_OFFLOADED && q.push && q.prefilled > 0 &&
        !c->timer_running) {
      TORC_WHY_TIMER(c, "RCV-180", "DEC-12");
      torcint_conn_timer_start(c);
    }
  }
  /* Entry 1 (E1); D1 = Yes keeps them queued until the callback returns
   * (RCV-065, RCV-066); no completion call is made from inside one
   * (RCV-108). */
  if (c->in_progress)
    TORC_WHY(c, "E1", "D1=yes", "J1", "RCV-065", "RCV-066", "RCV-108");
  c->reqs_new = 1;
  torcint_deliver_pump(c);
  conn_leave(c);
  return TORC_STATUS_PENDING; /* RCV-091 */
}

static void op_receive_return(void *user_data, void *conn, const uint64_t *ids,
                              uint32_t count) {
  torc_ref *r = user_data;
  torc_conn *c = conn;
  if (c == NULL || ids == NULL)
    return;
  conn_enter(c);
  for (uint32_t i = 0; i < count; i++) {
    if (ids[i] != 0 && ids[i] == c->upload_id) {
      /* The handed-back upload data (RCV-212). */
      torcint_held_clear(&r->mem, &c->held);
      c->upload_id = 0;
    } else if (ids[i] == 0 || torcint_conn_return(c, ids[i]) < 0) {
      c->ctr.priv.unknown_returns++;
    }
  }
  conn_leave(c);
}

static void op_segment(void *user_data, void *conn, const torc_segment *seg) {
  torc_conn *c = conn;
  (void)user_data;
  if (c == NULL || seg == NULL)
    return;
  conn_enter(c);
  torcint_input_segment(c, seg);
  conn_leave(c);
}

static void op_advance_time(void *user_data, uint64_t now_us) {
  torc_ref *r = user_data;
  if (r == NULL)
    return;
  if (now_us > r->now_us)
    r->now_us = now_us;
  /* Timers due fire now, except on a connection with a callback in flight,
   * where the pump below it fires them when it returns (DEC-17). */
  torc_conn *c = r->conns;
  while (c != NULL) {
    conn_enter(c);
    torcint_deliver_pump(c);
    torc_conn *next = c->next;
    conn_leave(c);
    c = next;
  }
}

static void op_terminate_offload(void *user_data, void *conn) {
  torc_conn *c = conn;
  (void)user_data;
  if (c == NULL)
    return;
  conn_enter(c);
  c->pending_terminate = 1;
  torcint_deliver_pump(c);
  conn_leave(c);
}

static int op_get_stats(void *user_data, void *conn, torc_target_stats *out) {
  const torc_conn *c = conn;
  (void)user_data;
  if (c == NULL || out == NULL || out->struct_size < sizeof(uint32_t))
    return -1;
  size_t n = out->struct_size < sizeof(*out) ? out->struct_size : sizeof(*out);
  uint32_t size = out->struct_size;
  memcpy(out, &c->ctr.pub, n);
  out->struct_size = size;
  return 0;
}

int torc_reference_counters_get(const void *conn,
                                torc_reference_counters *out) {
  const torc_conn *c = conn;
  if (c == NULL || out == NULL)
    return -1;
  *out = c->ctr.priv;
  return 0;
}

int torc_reference_explain(void *conn, torc_reference_explain_fn fn,
                           void *ctx) {
  torc_conn *c = conn;
  if (c == NULL)
    return -1;
  c->explain = fn;
  c->explain_ctx = ctx;
  torcint_why_clear(c);
  return 0;
}

int torc_reference_read_as(void *conn, uint32_t readings) {
  torc_conn *c = conn;
  if (c == NULL || (readings & ~TORC_READING_ALL) != 0)
    return -1;
  c->readings = readings;
  return 0;
}

int torc_reference_target_init(uint32_t host_abi_version,
                               const torc_host_ops *host, void *host_ctx,
                               torc_target *out, char *errbuf) {
  char scratch[TORC_ERRBUF_SIZE];
  if (errbuf == NULL)
    errbuf = scratch;
  errbuf[0] = '\0';
  if (host_abi_version < TORC_TARGET_ABI_VERSION) {
    snprintf(errbuf, TORC_ERRBUF_SIZE,
             "reference: host ABI %u is older than %u", host_abi_version,
             TORC_TARGET_ABI_VERSION);
    return -1;
  }
  if (host == NULL || out == NULL ||
      host->struct_size < sizeof(torc_host_ops) || host->alloc == NULL ||
      host->free == NULL || host->initiate_offload_complete == NULL ||
      host->receive_complete == NULL || host->receive_indicate == NULL ||
      host->event_indicate == NULL ||
      host->terminate_offload_complete == NULL) {
    snprintf(errbuf, TORC_ERRBUF_SIZE,
             "reference: host ops missing or incomplete");
    return -1;
  }
  torc_ref *r = host->alloc(host_ctx, sizeof(*r));
  if (r == NULL) {
    snprintf(errbuf, TORC_ERRBUF_SIZE, "reference: out of memory");
    return -2;
  }
  memset(r, 0, sizeof(*r));
  r->host = host;
  r->host_ctx = host_ctx;
  r->mem.ctx = host_ctx;
  r->mem.alloc = host->alloc;
  r->mem.free = host->free;
  memset(out, 0, sizeof(*out));
  out->abi_version = TORC_TARGET_ABI_VERSION;
  out->struct_size = sizeof(*out);
  out->user_data = r;
  out->name = "reference";
  out->version = TORC_VERSION_STRING;
  out->driver = "reference"; /* no device: the model is its own driver */
  out->firmware = "none";
  out->capabilities = TORC_CAP_ALL;
  out->destroy = op_destroy;
  out->conn_open = op_conn_open;
  out->conn_close = op_conn_close;
  out->initiate_offload = op_initiate_offload;
  out->receive = op_receive;
  out->receive_return = op_receive_return;
  out->segment = op_segment;
  out->advance_time = op_advance_time;
  out->terminate_offload = op_terminate_offload;
  out->get_stats = op_get_stats;
  return 0;
}
