/*
 * torc_linux_target.c - the Linux adapter: Linux's own TCP receive path
 * played as an offload target, built against <torc/target.h> only, like
 * any vendor adapter (build/lib/torc-linux.so, run out of process with
 * `torc run --target 'exec:torc-target-runner --target torc-linux.so'`).
 *
 * Where it sits: torc calls the operations below; each connection is a real
 * Linux TCP socket in a network namespace of its own (torc_linux_netns.c):
 *  - initiate_offload builds the socket in TCP_REPAIR mode so that its
 *    RCV.NXT is the delegated rcv_nxt and its receive queue holds the
 *    BufferedData (RCV-003..RCV-006), SND.NXT the delegated snd_nxt, MSS and
 *    window scale from the state, the receive window's right edge at
 *    rcv_nxt + rcv_wnd (TCP_REPAIR_WINDOW), then leaves repair mode;
 *  - segment writes the captured IP packet to the namespace's tun device
 *    (torc_linux_packet.c) and the kernel receives it as the peer's;
 *  - posted requests are recv() calls: a push request is a plain
 *    non-blocking recv() (it returns whatever is queued, as a blocked
 *    reader is woken by any data), a non-push request is recv() with
 *    MSG_WAITALL semantics (bytes are copied as they come, completion when
 *    full); a zero-byte request is poll() readiness (RCV-114);
 *  - advance_time has nothing to run: Linux's receive path has no timer
 *    that changes what a reader gets (no push timer), so virtual time is
 *    not slept, the socket is only looked at again;
 *  - terminate_offload completes every request (DEC-06), then reads the
 *    unread receive queue and RCV.NXT back in repair mode and hands them
 *    back (DEC-07).
 * Linux has no receive indications (data nobody reads stays queued), hence
 * no TORC_CAP_INDICATE or TORC_CAP_PARTIAL_ACCEPT; and the kernel, not
 * host->alloc, allocates the queued data, hence no TORC_CAP_ALLOC_HOOK.
 * adapters/linux/README.md documents the mapping and its limits.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <linux/sockios.h>

#include "torc_linux_netns.h"
#include "torc_linux_packet.h"

#ifndef TCP_REPAIR_WINDOW
#define TCP_REPAIR_WINDOW 29
#endif
#ifndef TCP_REPAIR_OFF_NO_WP
#define TCP_REPAIR_OFF_NO_WP -1
#endif

/* The kernel's struct tcp_repair_window (linux/tcp.h clashes with glibc). */
typedef struct lx_repair_window {
  uint32_t snd_wl1, snd_wnd, max_window, rcv_wnd, rcv_wup;
} lx_repair_window;

/* struct tcp_info as the kernel has it, up to tcpi_segs_in (glibc's copy
 * stops at tcpi_total_retrans). */
typedef struct lx_tcp_info {
  struct tcp_info base;
  uint64_t pacing_rate, max_pacing_rate, bytes_acked, bytes_received;
  uint32_t segs_out, segs_in;
} lx_tcp_info;

#define LX_PKT_MAX 65600u
#define LX_RCVBUF (64 << 20)
#define LX_WAIT_NS 200000000L /* how long a segment may take to arrive */

/* The adapter: one per loaded target. */
typedef struct lx {
  const torc_host_ops *host; /* valid until destroy() */
  void *host_ctx;
  int home_ns; /* the namespace each connection's setup returns to */
  int debug;   /* TORC_LINUX_DEBUG set: log lines also go to stderr */
  char version[96];
} lx;

/* One posted request; buf is valid until it is completed. */
typedef struct lx_req {
  uint64_t id;
  uint8_t *buf;
  uint32_t cap;    /* bytes the target may place: size - prefilled */
  uint32_t placed; /* bytes placed so far */
  uint8_t push;
} lx_req;

enum { LX_OPEN, LX_EOF, LX_RESET };

/* One offloaded connection. */
typedef struct lx_conn {
  uint64_t handle;
  int tun_fd, sock_fd;
  int live;     /* the offload completed with SUCCESS, no terminate yet */
  int pumping;  /* inside pump(): nested posts only queue */
  int end;      /* LX_OPEN, LX_EOF (FIN read), LX_RESET */
  int end_told; /* the disconnect/abort event was indicated */
  torc_linux_rewrite rw;
  lx_req *reqs; /* FIFO: reqs[head .. head + n) */
  uint32_t head, n, capn;
  uint8_t *handback; /* terminate's handed-back bytes, until returned */
  uint64_t handback_id;
  torc_fragment hb_frag;
  torc_buffer_list hb_list;
  uint8_t pkt[LX_PKT_MAX];
} lx_conn;

static void logf_(lx *t, int level, const char *fmt, ...) {
  char msg[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  t->host->log(t->host_ctx, level, msg);
  if (t->debug)
    fprintf(stderr, "torc-linux: %s\n", msg);
}

/* ---- connections -------------------------------------------------------- */

static int lx_conn_open(void *ud, uint64_t host_handle, void **out_conn) {
  lx *t = ud;
  lx_conn *c = t->host->alloc(t->host_ctx, sizeof *c);
  if (!c)
    return -1;
  memset(c, 0, sizeof *c);
  c->handle = host_handle;
  c->tun_fd = c->sock_fd = -1;
  *out_conn = c;
  return 0;
}

static void close_fds(lx_conn *c) {
  if (c->sock_fd >= 0)
    close(c->sock_fd);
  if (c->tun_fd >= 0)
    close(c->tun_fd);
  c->sock_fd = c->tun_fd = -1;
}

static void lx_conn_close(void *ud, void *conn) {
  lx *t = ud;
  lx_conn *c = conn;
  close_fds(c);
  if (c->reqs)
    t->host->free(t->host_ctx, c->reqs);
  if (c->handback)
    t->host->free(t->host_ctx, c->handback);
  t->host->free(t->host_ctx, c);
}

/* ---- initiate offload --------------------------------------------------- */

static int is_unusable(int v, const uint8_t *a) {
  static const uint8_t v6_lo[16] = {0, 0, 0, 0, 0, 0, 0, 0,
                                    0, 0, 0, 0, 0, 0, 0, 1};
  static const uint8_t zero[16] = {0};
  if (v == 4)
    return a[0] == 127 || a[0] == 0 || a[0] >= 224;
  return memcmp(a, v6_lo, 16) == 0 || memcmp(a, zero, 16) == 0 || a[0] == 0xFF;
}

/* The namespace's addresses: the flow's, unless they cannot be a remote
 * peer and a local address on a tun device (loopback, the same address on
 * both ends, multicast): then a fixed private pair, documented in the
 * README (the packets are rewritten accordingly). */
static void choose_addresses(lx_conn *c, const torc_offload_state *st) {
  int v = st->ip_version;
  size_t len = v == 4 ? 4 : 16;
  c->rw.ip_version = (uint8_t)v;
  memcpy(c->rw.local, st->local_addr, 16);
  memcpy(c->rw.remote, st->remote_addr, 16);
  if (is_unusable(v, st->local_addr) || is_unusable(v, st->remote_addr) ||
      memcmp(st->local_addr, st->remote_addr, len) == 0) {
    static const uint8_t l4[4] = {10, 255, 0, 2}, r4[4] = {10, 255, 0, 1};
    static const uint8_t l6[16] = {0xfd, 0xff, 0, 0, 0, 0, 0, 0,
                                   0,    0,    0, 0, 0, 0, 0, 2};
    static const uint8_t r6[16] = {0xfd, 0xff, 0, 0, 0, 0, 0, 0,
                                   0,    0,    0, 0, 0, 0, 0, 1};
    memset(c->rw.local, 0, 16);
    memset(c->rw.remote, 0, 16);
    memcpy(c->rw.local, v == 4 ? l4 : l6, len);
    memcpy(c->rw.remote, v == 4 ? r4 : r6, len);
  }
}

static void fill_sockaddr(struct sockaddr_storage *ss, socklen_t *len, int v,
                          const uint8_t *addr, uint16_t port) {
  memset(ss, 0, sizeof *ss);
  if (v == 4) {
    struct sockaddr_in *sin = (struct sockaddr_in *)(void *)ss;
    sin->sin_family = AF_INET;
    sin->sin_port = htons(port);
    memcpy(&sin->sin_addr, addr, 4);
    *len = sizeof *sin;
  } else {
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)(void *)ss;
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(port);
    memcpy(&sin6->sin6_addr, addr, 16);
    *len = sizeof *sin6;
  }
}

static int sopt(int fd, int level, int name, int val) {
  return setsockopt(fd, level, name, &val, sizeof val);
}

/* Bytes of BufferedData, bounds-checked against 2^31 (the harness is
 * trusted, but a wrapped total would build a wrong RCV.NXT). */
static int64_t buffered_total(const torc_buffer_list *bl) {
  int64_t total = 0;
  for (; bl; bl = bl->next) {
    uint32_t i;
    for (i = 0; i < bl->nfrags; i++) {
      total += bl->frags[i].len;
      if (total > (int64_t)1 << 31)
        return -1;
    }
  }
  return total;
}

/* Writes BufferedData into the receive queue (repair mode, RECV queue):
 * each write is queued in sequence and advances RCV.NXT. */
static int queue_buffered(int fd, const torc_buffer_list *bl) {
  for (; bl; bl = bl->next) {
    uint32_t i;
    for (i = 0; i < bl->nfrags; i++) {
      const uint8_t *p = bl->frags[i].data;
      uint32_t left = bl->frags[i].len;
      while (left > 0) {
        size_t chunk = left > 65536u ? 65536u : left;
        ssize_t k = send(fd, p, chunk, 0);
        if (k <= 0)
          return -1;
        p += k;
        left -= (uint32_t)k;
      }
    }
  }
  return 0;
}

/* bind(), retried for up to a second while the address is not usable yet:
 * the kernel finishes an IPv6 address's setup (DAD, skipped here) from a
 * work queue, so it can be tentative for a moment after the ioctl. */
static int bind_local(int fd, const struct sockaddr_storage *ss, socklen_t sl) {
  int tries;
  for (tries = 0; tries < 10000; tries++) {
    struct timespec nap = {0, 100000};
    if (bind(fd, (const struct sockaddr *)ss, sl) == 0)
      return 0;
    if (errno != EADDRNOTAVAIL)
      return -1;
    nanosleep(&nap, NULL);
  }
  return -1;
}

/* Builds the connection in repair mode; returns 0 or -1 with why set. */
static int build_socket(lx_conn *c, const torc_offload_state *st,
                        int64_t buffered, const char **why) {
  int fd = c->sock_fd;
  struct sockaddr_storage ss;
  socklen_t sl;
  struct tcp_repair_opt opts[2];
  int nopts = 0;
  lx_repair_window w;
  socklen_t wl = sizeof w;
  uint32_t seq;

  /* Room for the whole window and the out-of-order queue. */
  if (sopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, LX_RCVBUF) < 0)
    return *why = "SO_RCVBUFFORCE", -1;
  if (sopt(fd, IPPROTO_TCP, TCP_REPAIR, 1) < 0)
    return *why = "TCP_REPAIR on", -1;
  /* RCV.NXT before the buffered bytes: queueing them moves it to rcv_nxt. */
  seq = st->rcv_nxt - (uint32_t)buffered;
  if (sopt(fd, IPPROTO_TCP, TCP_REPAIR_QUEUE, TCP_RECV_QUEUE) < 0 ||
      setsockopt(fd, IPPROTO_TCP, TCP_QUEUE_SEQ, &seq, sizeof seq) < 0)
    return *why = "TCP_QUEUE_SEQ (receive)", -1;
  seq = st->snd_nxt;
  if (sopt(fd, IPPROTO_TCP, TCP_REPAIR_QUEUE, TCP_SEND_QUEUE) < 0 ||
      setsockopt(fd, IPPROTO_TCP, TCP_QUEUE_SEQ, &seq, sizeof seq) < 0)
    return *why = "TCP_QUEUE_SEQ (send)", -1;
  fill_sockaddr(&ss, &sl, st->ip_version, c->rw.local, st->local_port);
  if (bind_local(fd, &ss, sl) < 0)
    return *why = "bind", -1;
  fill_sockaddr(&ss, &sl, st->ip_version, c->rw.remote, st->remote_port);
  /* In repair mode connect() sends nothing: the socket is ESTABLISHED. */
  if (connect(fd, (struct sockaddr *)&ss, sl) < 0)
    return *why = "connect (repair)", -1;
  if (st->mss) {
    opts[nopts].opt_code = TCPOPT_MAXSEG;
    opts[nopts++].opt_val = st->mss;
  }
  if (st->snd_wscale || st->rcv_wscale) {
    if (st->snd_wscale > 14 || st->rcv_wscale > 14)
      return *why = "window scale above 14", -1;
    opts[nopts].opt_code = TCPOPT_WINDOW;
    opts[nopts++].opt_val = (uint32_t)st->snd_wscale | (uint32_t)st->rcv_wscale
                                                           << 16;
  }
  if (nopts && setsockopt(fd, IPPROTO_TCP, TCP_REPAIR_OPTIONS, opts,
                          (socklen_t)(nopts * (int)sizeof opts[0])) < 0)
    return *why = "TCP_REPAIR_OPTIONS", -1;
  if (sopt(fd, IPPROTO_TCP, TCP_REPAIR_QUEUE, TCP_RECV_QUEUE) < 0 ||
      queue_buffered(fd, st->buffered_data) < 0)
    return *why = "queueing BufferedData", -1;
  /* The right edge of the receive window: rcv_nxt + rcv_wnd (DEC-15). */
  if (getsockopt(fd, IPPROTO_TCP, TCP_REPAIR_WINDOW, &w, &wl) < 0)
    return *why = "TCP_REPAIR_WINDOW (get)", -1;
  w.rcv_wup = st->rcv_nxt;
  w.rcv_wnd = st->rcv_wnd;
  w.snd_wnd = st->snd_wnd ? st->snd_wnd : w.snd_wnd;
  if (w.max_window < w.snd_wnd)
    w.max_window = w.snd_wnd;
  w.snd_wl1 = st->rcv_nxt;
  if (setsockopt(fd, IPPROTO_TCP, TCP_REPAIR_WINDOW, &w, sizeof w) < 0)
    return *why = "TCP_REPAIR_WINDOW (set)", -1;
  if (sopt(fd, IPPROTO_TCP, TCP_REPAIR, TCP_REPAIR_OFF_NO_WP) < 0)
    return *why = "TCP_REPAIR off", -1;
  c->rw.ack = st->snd_nxt;
  return 0;
}

static void lx_initiate_offload(void *ud, void *conn,
                                const torc_offload_state *st) {
  lx *t = ud;
  lx_conn *c = conn;
  torc_linux_ns ns;
  char why[160];
  const char *step = NULL;
  int64_t buffered = buffered_total(st->buffered_data);

  if (st->ip_version != 4 && st->ip_version != 6) {
    logf_(t, TORC_LOG_ERROR, "linux: IP version %u", st->ip_version);
    goto fail;
  }
  if (buffered < 0) {
    logf_(t, TORC_LOG_ERROR, "linux: BufferedData larger than 2 GiB");
    goto fail;
  }
  choose_addresses(c, st);
  if (torc_linux_ns_open(t->home_ns, st->ip_version, c->rw.local, c->rw.remote,
                         &ns, why, sizeof why) < 0) {
    logf_(t, TORC_LOG_ERROR, "linux: namespace: %s", why);
    goto fail;
  }
  c->tun_fd = ns.tun_fd;
  c->sock_fd = ns.sock_fd;
  if (build_socket(c, st, buffered, &step) < 0) {
    logf_(t, TORC_LOG_ERROR, "linux: %s: %s", step, strerror(errno));
    goto fail;
  }
  c->live = 1;
  /* The kernel holds its own copy of BufferedData (RCV-007): complete. */
  t->host->initiate_offload_complete(t->host_ctx, c->handle,
                                     TORC_STATUS_SUCCESS);
  return;
fail:
  close_fds(c);
  /* A failed offload delivers nothing (RCV-017); DEC-05's status. */
  t->host->initiate_offload_complete(t->host_ctx, c->handle,
                                     TORC_STATUS_FAILURE);
}

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
static void complete_head(lx *t, lx_conn *c, uint32_t k, const uint32_t *st) {
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
        logf_(t, TORC_LOG_DEBUG, "complete id %llu status %#x bytes %u",
              (unsigned long long)out[i].id, out[i].status, out[i].bytes);
    t->host->receive_complete(t->host_ctx, c->handle, out, m);
    st += m;
    k -= m;
  }
}

/* Bytes queued for a reader, or -1. */
static int unread(lx_conn *c) {
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
static void pump(lx *t, lx_conn *c) {
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
        if (unread(c) > 0) {
          st[k++] = TORC_STATUS_SUCCESS;
          continue;
        }
        break;
      }
      got = recv(c->sock_fd, r->buf + r->placed, r->cap - r->placed,
                 MSG_DONTWAIT);
      if (got > 0)
        r->placed += (uint32_t)got;
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
      complete_head(t, c, k, st);
      continue;
    }
    if (partial_push) {
      st[0] = TORC_STATUS_SUCCESS;
      complete_head(t, c, 1, st);
      continue;
    }
    check_end(c);
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
      complete_head(t, c, m, st);
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

static uint32_t lx_receive(void *ud, void *conn, const torc_recv_request *reqs,
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
      complete_head(t, c, m, st);
    }
    return TORC_STATUS_PENDING;
  }
  pump(t, c);
  return TORC_STATUS_PENDING;
}

static void lx_receive_return(void *ud, void *conn, const uint64_t *ids,
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

static void lx_segment(void *ud, void *conn, const torc_segment *seg) {
  lx *t = ud;
  lx_conn *c = conn;
  const char *why = NULL;
  int len;
  uint32_t before;
  struct timespec t0, now;

  if (!c->live)
    return;
  if (t->debug)
    logf_(t, TORC_LOG_DEBUG, "segment seq %u len %u flags %#x", seg->seq,
          seg->payload_len, seg->flags);
  len = torc_linux_packet_build(seg, &c->rw, c->pkt, sizeof c->pkt, &why);
  if (len < 0) {
    logf_(t, TORC_LOG_WARN, "linux: segment not injected: %s", why);
    return;
  }
  before = segs_in(c);
  if (write(c->tun_fd, c->pkt, (size_t)len) != len) {
    logf_(t, TORC_LOG_WARN, "linux: tun write: %s", strerror(errno));
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
      logf_(t, TORC_LOG_WARN, "linux: the socket did not see a segment");
      break;
    }
    nanosleep(&nap, NULL);
  }
  drain_tun(c);
  pump(t, c);
}

static void lx_advance_time(void *ud, uint64_t now_us) {
  /* Virtual time is not slept: Linux's receive path has no timer that
   * changes what a reader gets (no push timer; delayed ACK, keepalive and
   * window probes only affect what the socket sends).  Requests are
   * looked at again when a segment or post arrives. */
  (void)ud;
  (void)now_us;
}

/* ---- terminate ---------------------------------------------------------- */

static void lx_terminate_offload(void *ud, void *conn) {
  lx *t = ud;
  lx_conn *c = conn;
  torc_upload_state up;
  uint32_t st[64], i, rcv_nxt = 0;
  socklen_t l = sizeof rcv_nxt;
  lx_repair_window w;
  socklen_t wl = sizeof w;
  int left;
  uint32_t status = TORC_STATUS_SUCCESS;

  memset(&up, 0, sizeof up);
  up.struct_size = (uint32_t)sizeof up;
  if (c->live)
    pump(t, c);
  /* Every request first (RCV-230): a partly filled one with its bytes, an
   * empty one with UPLOAD_IN_PROGRESS (DEC-06). */
  c->pumping = 1;
  while (c->n > 0) {
    uint32_t m = c->n < 64 ? c->n : 64;
    for (i = 0; i < m; i++)
      st[i] = c->reqs[c->head + i].placed ? TORC_STATUS_SUCCESS
                                          : TORC_STATUS_UPLOAD_IN_PROGRESS;
    complete_head(t, c, m, st);
  }
  c->pumping = 0;
  if (!c->live) {
    t->host->terminate_offload_complete(t->host_ctx, c->handle,
                                        TORC_STATUS_FAILURE, &up);
    return;
  }
  c->live = 0;
  /* Read the queue and RCV.NXT back in repair mode (DEC-07). */
  if (sopt(c->sock_fd, IPPROTO_TCP, TCP_REPAIR, 1) < 0 ||
      sopt(c->sock_fd, IPPROTO_TCP, TCP_REPAIR_QUEUE, TCP_RECV_QUEUE) < 0 ||
      getsockopt(c->sock_fd, IPPROTO_TCP, TCP_QUEUE_SEQ, &rcv_nxt, &l) < 0 ||
      (left = unread(c)) < 0) {
    logf_(t, TORC_LOG_ERROR, "linux: reading the connection back: %s",
          strerror(errno));
    status = TORC_STATUS_FAILURE;
    goto out;
  }
  up.rcv_nxt = rcv_nxt;
  if (getsockopt(c->sock_fd, IPPROTO_TCP, TCP_REPAIR_WINDOW, &w, &wl) == 0 &&
      (int32_t)(w.rcv_wup + w.rcv_wnd - rcv_nxt) > 0)
    up.rcv_wnd = w.rcv_wup + w.rcv_wnd - rcv_nxt;
  if (left > 0) {
    ssize_t got;
    c->handback = t->host->alloc(t->host_ctx, (size_t)left);
    if (!c->handback) {
      status = TORC_STATUS_FAILURE;
      goto out;
    }
    got = recv(c->sock_fd, c->handback, (size_t)left, MSG_PEEK | MSG_DONTWAIT);
    if (got != left) {
      logf_(t, TORC_LOG_ERROR, "linux: peeked %zd of %d unread bytes", got,
            left);
      status = TORC_STATUS_FAILURE;
      goto out;
    }
    c->handback_id = 0x4C58000000000000ull | c->handle;
    c->hb_frag.data = c->handback;
    c->hb_frag.len = (uint32_t)left;
    c->hb_list.next = NULL;
    c->hb_list.frags = &c->hb_frag;
    c->hb_list.nfrags = 1;
    up.buffered_data = &c->hb_list;
    up.buffered_id = c->handback_id;
  }
out:
  /* Closing in repair mode sends nothing to the peer. */
  close_fds(c);
  if (status != TORC_STATUS_SUCCESS && c->handback) {
    t->host->free(t->host_ctx, c->handback);
    c->handback = NULL;
    up.buffered_data = NULL;
  }
  t->host->terminate_offload_complete(t->host_ctx, c->handle, status, &up);
}

/* ---- the target --------------------------------------------------------- */

static void lx_destroy(void *ud) {
  lx *t = ud;
  if (t->home_ns >= 0)
    close(t->home_ns);
  t->host->free(t->host_ctx, t);
}

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf);

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  lx *t;
  struct utsname u;
  if (host_abi_version < TORC_TARGET_ABI_VERSION) {
    snprintf(errbuf, TORC_ERRBUF_SIZE, "linux adapter needs torc ABI %u",
             TORC_TARGET_ABI_VERSION);
    return -1;
  }
  t = host->alloc(host_ctx, sizeof *t);
  if (!t) {
    snprintf(errbuf, TORC_ERRBUF_SIZE, "linux adapter: out of memory");
    return -1;
  }
  memset(t, 0, sizeof *t);
  t->host = host;
  t->host_ctx = host_ctx;
  t->debug = getenv("TORC_LINUX_DEBUG") != NULL;
  t->home_ns = torc_linux_ns_home();
  if (t->home_ns < 0) {
    snprintf(errbuf, TORC_ERRBUF_SIZE,
             "linux adapter: cannot open /proc/thread-self/ns/net: %s",
             strerror(errno));
    host->free(host_ctx, t);
    return -1;
  }
  if (uname(&u) == 0)
    snprintf(t->version, sizeof t->version, "0.1.0 (kernel %s)", u.release);
  else
    snprintf(t->version, sizeof t->version, "0.1.0");
  out->abi_version = TORC_TARGET_ABI_VERSION;
  out->struct_size = (uint32_t)sizeof *out;
  out->user_data = t;
  out->name = "linux";
  out->version = t->version;
  out->capabilities = TORC_CAP_BUFFERED_DATA | TORC_CAP_PUSH_MODE |
                      TORC_CAP_NONPUSH_MODE | TORC_CAP_ZERO_BYTE_REQUEST |
                      TORC_CAP_PREFILLED_REQUEST | TORC_CAP_REENTRANT_POST |
                      TORC_CAP_TERMINATE | TORC_CAP_FIN | TORC_CAP_RST |
                      TORC_CAP_VIRTUAL_TIME | TORC_CAP_OUT_OF_ORDER;
  out->destroy = lx_destroy;
  out->conn_open = lx_conn_open;
  out->conn_close = lx_conn_close;
  out->initiate_offload = lx_initiate_offload;
  out->receive = lx_receive;
  out->receive_return = lx_receive_return;
  out->segment = lx_segment;
  out->advance_time = lx_advance_time;
  out->terminate_offload = lx_terminate_offload;
  out->get_stats = NULL;
  return 0;
}
