/*
 * torc_linux_deliver.c - the Linux adapter's delivery: posted requests as
 * recv() calls on the connection's socket, segments written to its tun
 * device, and (nothing to do for) virtual time.
 *
 * Where it sits: receive queues requests and pumps; segment injects the
 * captured packet (torc_linux_packet.c), waits until the socket counted it
 * and pumps.  The pump places what the socket has into the requests in FIFO
 * order, completes them as recv() would return (a push request at once, a
 * non-push one when full, a zero-byte one on readiness) and indicates the
 * end of the stream.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/sockios.h>

#include "torc_linux_target_int.h"

/* ---- requests ----------------------------------------------------------- */

static void drain_tun(lx_conn *c) {
  uint8_t sink[2048];
  while (c->tun_fd >= 0 && read(c->tun_fd, sink, sizeof sink) > 0) {
    /* the socket's ACKs and window updates: nobody plays the peer */
  }
}

/* Takes the first k requests off the FIFO into out and reports them in one
 * receive_complete call (the requests leave the queue before the upcall,
 * which may post more, RCV-107). */
void lx_complete_head(lx *t, lx_conn *c, uint32_t k, const uint32_t *st) {
  torc_completion out[64];
  uint32_t i;
  while (k > 0) {
    uint32_t m = k < 64 ? k : 64;
    for (i = 0; i < m; i++) {
      lx_req *r = &c->reqs[c->head + i];
      out[i].id = r->id;
      out[i].status = st[i];
      out[i].bytes = r->placed;
    }
    c->head += m;
    c->n -= m;
    if (t->debug)
      for (i = 0; i < m; i++)
        lx_logf(t, TORC_LOG_DEBUG, "complete id %llu status %#x bytes %u",
                (unsigned long long)out[i].id, out[i].status, out[i].bytes);
    t->host->receive_complete(t->host_ctx, c->handle, out, m);
    st += m;
    k -= m;
  }
}

/* Bytes queued for a reader, or -1. */
int lx_unread(lx_conn *c) {
  int v = 0;
  if (ioctl(c->sock_fd, SIOCINQ, &v) < 0)
    return -1;
  return v;
}

/* Looks at the end of the stream: a RST (the socket is closed with
 * ECONNRESET) or a FIN with nothing left to read (recv() would return 0). */
static void check_end(lx_conn *c) {
  uint8_t b;
  ssize_t k;
  if (c->end != LX_OPEN)
    return;
  k = recv(c->sock_fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
  if (k == 0)
    c->end = LX_EOF;
  else if (k < 0 && (errno == ECONNRESET || errno == EPIPE))
    c->end = LX_RESET;
}

/* Places what the socket has into the posted requests, in FIFO order, and
 * completes them as recv() would return (see the file comment); then
 * indicates the end of the stream.  Loops until nothing changes, taking
 * requests posted from inside a completion (DEC-14). */
void lx_pump(lx *t, lx_conn *c) {
  uint32_t st[64];
  if (c->pumping || !c->live)
    return;
  c->pumping = 1;
  for (;;) {
    uint32_t k = 0, i;
    int partial_push = 0;
    /* Filled requests from this placement, then a partly filled push one
     * in a call of its own (DEC-19's grouping). */
    for (i = 0; i < c->n && k < 64; i++) {
      lx_req *r = &c->reqs[c->head + i];
      ssize_t got;
      if (r->cap == 0) { /* zero-byte request: poll() readiness */
        if (lx_unread(c) > 0) {
          st[k++] = TORC_STATUS_SUCCESS;
          continue;
        }
        break;
      }
      got = recv(c->sock_fd, r->buf + r->placed, r->cap - r->placed,
                 MSG_DONTWAIT);
      if (got > 0)
        r->placed += (uint32_t)got;
      else if (got < 0 && (errno == ECONNRESET || errno == EPIPE)) {
        /* recv() reports a RST once and clears it (sock_error()); the
         * peek in check_end() would then see only the closed stream and
         * call it a FIN. */
        if (c->end == LX_OPEN)
          c->end = LX_RESET;
        break;
      }
      if (r->placed == r->cap) {
        st[k++] = TORC_STATUS_SUCCESS;
        continue;
      }
      if (got > 0 && r->push) {
        partial_push = 1; /* recv() returns what was there */
        break;
      }
      break; /* non-push (MSG_WAITALL) keeps waiting; or no data */
    }
    if (k > 0) {
      lx_complete_head(t, c, k, st);
      continue;
    }
    if (partial_push) {
      st[0] = TORC_STATUS_SUCCESS;
      lx_complete_head(t, c, 1, st);
      continue;
    }
    check_end(c);
    if (c->end == LX_EOF && !c->end_told && c->n > 0 &&
        c->reqs[c->head].placed > 0) {
      /* A MSG_WAITALL recv() stopped by the FIN returns the bytes it has;
       * the reader sees the end of the stream only at its next recv():
       * the partly filled request completes before the disconnect. */
      st[0] = TORC_STATUS_SUCCESS;
      lx_complete_head(t, c, 1, st);
      continue;
    }
    if (c->end != LX_OPEN && !c->end_told) {
      c->end_told = 1;
      t->host->event_indicate(
          t->host_ctx, c->handle,
          c->end == LX_EOF ? TORC_EVENT_DISCONNECT : TORC_EVENT_ABORT, 0);
      continue;
    }
    if (c->end != LX_OPEN && c->n > 0) {
      /* recv() returns at the end of the stream: a partly filled request
       * with its bytes (MSG_WAITALL stops at EOF), an empty one with
       * nothing (INVALID_STATE, RCV-254; REQUEST_ABORTED after a RST,
       * DEC-04). */
      uint32_t m = c->n < 64 ? c->n : 64;
      for (i = 0; i < m; i++) {
        lx_req *r = &c->reqs[c->head + i];
        if (c->end == LX_RESET)
          st[i] = TORC_STATUS_REQUEST_ABORTED;
        else
          st[i] = r->placed ? TORC_STATUS_SUCCESS : TORC_STATUS_INVALID_STATE;
      }
      lx_complete_head(t, c, m, st);
      continue;
    }
    break;
  }
  c->pumping = 0;
}

static int grow(lx *t, lx_conn *c, uint32_t more) {
  uint32_t need, ncap;
  lx_req *nr;
  if (c->head > 0) { /* compact the FIFO */
    memmove(c->reqs, c->reqs + c->head, c->n * sizeof *c->reqs);
    c->head = 0;
  }
  need = c->n + more;
  if (need <= c->capn)
    return 0;
  ncap = c->capn ? c->capn : 16;
  while (ncap < need)
    ncap *= 2;
  nr = t->host->alloc(t->host_ctx, ncap * sizeof *nr);
  if (!nr)
    return -1;
  if (c->n)
    memcpy(nr, c->reqs, c->n * sizeof *nr);
  if (c->reqs)
    t->host->free(t->host_ctx, c->reqs);
  c->reqs = nr;
  c->capn = ncap;
  return 0;
}

uint32_t lx_receive(void *ud, void *conn, const torc_recv_request *reqs,
                    uint32_t count) {
  lx *t = ud;
  lx_conn *c = conn;
  uint32_t i;
  if (!c->pumping && c->head + c->n + count > c->capn) {
    if (grow(t, c, count) < 0) {
      /* No room to remember them: complete them at once, empty. */
      for (i = 0; i < count; i++) {
        torc_completion cc = {reqs[i].id, TORC_STATUS_FAILURE, 0};
        t->host->receive_complete(t->host_ctx, c->handle, &cc, 1);
      }
      return TORC_STATUS_PENDING;
    }
  } else if (c->pumping && c->head + c->n + count > c->capn) {
    /* Inside a completion the FIFO's head is being consumed: appending
     * only, without compaction, is safe. */
    uint32_t ncap = c->capn ? c->capn : 16;
    lx_req *nr;
    while (ncap < c->head + c->n + count)
      ncap *= 2;
    nr = t->host->alloc(t->host_ctx, ncap * sizeof *nr);
    if (!nr) {
      for (i = 0; i < count; i++) {
        torc_completion cc = {reqs[i].id, TORC_STATUS_FAILURE, 0};
        t->host->receive_complete(t->host_ctx, c->handle, &cc, 1);
      }
      return TORC_STATUS_PENDING;
    }
    if (c->reqs) {
      memcpy(nr, c->reqs, (c->head + c->n) * sizeof *nr);
      t->host->free(t->host_ctx, c->reqs);
    }
    c->reqs = nr;
    c->capn = ncap;
  }
  for (i = 0; i < count; i++) {
    lx_req *r = &c->reqs[c->head + c->n++];
    uint32_t pre =
        reqs[i].prefilled <= reqs[i].size ? reqs[i].prefilled : reqs[i].size;
    r->id = reqs[i].id;
    r->buf = reqs[i].buf + pre; /* bytes before are the host's (DEC-12) */
    r->cap = reqs[i].size - pre;
    r->placed = 0;
    r->push = reqs[i].push ? 1 : 0;
  }
  if (!c->live) {
    /* After a terminate or a failed offload there is no socket. */
    uint32_t st[64];
    while (c->n > 0) {
      uint32_t m = c->n < 64 ? c->n : 64;
      for (i = 0; i < m; i++)
        st[i] = TORC_STATUS_INVALID_STATE;
      lx_complete_head(t, c, m, st);
    }
    return TORC_STATUS_PENDING;
  }
  lx_pump(t, c);
  return TORC_STATUS_PENDING;
}

void lx_receive_return(void *ud, void *conn, const uint64_t *ids,
                       uint32_t count) {
  lx *t = ud;
  lx_conn *c = conn;
  uint32_t i;
  for (i = 0; i < count; i++) {
    if (c->handback && ids[i] == c->handback_id) {
      t->host->free(t->host_ctx, c->handback);
      c->handback = NULL;
    }
  }
}

/* ---- segments and time -------------------------------------------------- */

static uint32_t segs_in(lx_conn *c) {
  lx_tcp_info ti;
  socklen_t l = sizeof ti;
  memset(&ti, 0, sizeof ti);
  if (getsockopt(c->sock_fd, IPPROTO_TCP, TCP_INFO, &ti, &l) < 0)
    return 0;
  return ti.segs_in;
}

void lx_segment(void *ud, void *conn, const torc_segment *seg) {
  lx *t = ud;
  lx_conn *c = conn;
  const char *why = NULL;
  int len;
  uint32_t before;
  struct timespec t0, now;

  if (!c->live)
    return;
  if (t->debug)
    lx_logf(t, TORC_LOG_DEBUG, "segment seq %u len %u flags %#x", seg->seq,
            seg->payload_len, seg->flags);
  len = torc_linux_packet_build(seg, &c->rw, c->pkt, sizeof c->pkt, &why);
  if (len < 0) {
    lx_logf(t, TORC_LOG_WARN, "linux: segment not injected: %s", why);
    return;
  }
  before = segs_in(c);
  if (write(c->tun_fd, c->pkt, (size_t)len) != len) {
    lx_logf(t, TORC_LOG_WARN, "linux: tun write: %s", strerror(errno));
    return;
  }
  /* The kernel processes a tun write in the writer's context; wait (at
   * most LX_WAIT_NS) until the socket has counted the segment, so that what
   * follows never races it. */
  clock_gettime(CLOCK_MONOTONIC, &t0);
  while (segs_in(c) == before) {
    struct timespec nap = {0, 20000};
    clock_gettime(CLOCK_MONOTONIC, &now);
    if ((now.tv_sec - t0.tv_sec) * 1000000000L + (now.tv_nsec - t0.tv_nsec) >
        LX_WAIT_NS) {
      lx_logf(t, TORC_LOG_WARN, "linux: the socket did not see a segment");
      break;
    }
    nanosleep(&nap, NULL);
  }
  drain_tun(c);
  lx_pump(t, c);
}

void lx_advance_time(void *ud, uint64_t now_us) {
  /* Virtual time is not slept: Linux's receive path has no timer that
   * changes what a reader gets (no push timer; delayed ACK, keepalive and
   * window probes only affect what the socket sends).  Requests are
   * looked at again when a segment or post arrives. */
  (void)ud;
  (void)now_us;
}
