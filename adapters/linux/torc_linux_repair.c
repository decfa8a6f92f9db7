/*
 * torc_linux_repair.c - the Linux adapter's TCP_REPAIR side: building a
 * connection's socket from the delegated state at initiate_offload, and
 * reading its queue and RCV.NXT back at terminate_offload.
 *
 * Where it sits: initiate_offload opens the connection's namespace
 * (torc_linux_netns.c) and builds the socket in repair mode so that its
 * RCV.NXT is the delegated rcv_nxt and its receive queue holds the
 * BufferedData (RCV-003..RCV-006); terminate_offload completes every request
 * through the delivery (torc_linux_deliver.c, DEC-06), then hands back the
 * unread queue (DEC-07).
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "torc_linux_target_int.h"

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

int lx_sopt(int fd, int level, int name, int val) {
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
  if (lx_sopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, LX_RCVBUF) < 0)
    return *why = "SO_RCVBUFFORCE", -1;
  if (lx_sopt(fd, IPPROTO_TCP, TCP_REPAIR, 1) < 0)
    return *why = "TCP_REPAIR on", -1;
  /* RCV.NXT before the buffered bytes: queueing them moves it to rcv_nxt. */
  seq = st->rcv_nxt - (uint32_t)buffered;
  if (lx_sopt(fd, IPPROTO_TCP, TCP_REPAIR_QUEUE, TCP_RECV_QUEUE) < 0 ||
      setsockopt(fd, IPPROTO_TCP, TCP_QUEUE_SEQ, &seq, sizeof seq) < 0)
    return *why = "TCP_QUEUE_SEQ (receive)", -1;
  seq = st->snd_nxt;
  if (lx_sopt(fd, IPPROTO_TCP, TCP_REPAIR_QUEUE, TCP_SEND_QUEUE) < 0 ||
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
  if (lx_sopt(fd, IPPROTO_TCP, TCP_REPAIR_QUEUE, TCP_RECV_QUEUE) < 0 ||
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
  if (lx_sopt(fd, IPPROTO_TCP, TCP_REPAIR, TCP_REPAIR_OFF_NO_WP) < 0)
    return *why = "TCP_REPAIR off", -1;
  c->rw.ack = st->snd_nxt;
  return 0;
}

void lx_initiate_offload(void *ud, void *conn, const torc_offload_state *st) {
  lx *t = ud;
  lx_conn *c = conn;
  torc_linux_ns ns;
  char why[160];
  const char *step = NULL;
  int64_t buffered = buffered_total(st->buffered_data);

  if (st->ip_version != 4 && st->ip_version != 6) {
    lx_logf(t, TORC_LOG_ERROR, "linux: IP version %u", st->ip_version);
    goto fail;
  }
  if (buffered < 0) {
    lx_logf(t, TORC_LOG_ERROR, "linux: BufferedData larger than 2 GiB");
    goto fail;
  }
  choose_addresses(c, st);
  if (torc_linux_ns_open(t->home_ns, st->ip_version, c->rw.local, c->rw.remote,
                         &ns, why, sizeof why) < 0) {
    lx_logf(t, TORC_LOG_ERROR, "linux: namespace: %s", why);
    goto fail;
  }
  c->tun_fd = ns.tun_fd;
  c->sock_fd = ns.sock_fd;
  if (build_socket(c, st, buffered, &step) < 0) {
    lx_logf(t, TORC_LOG_ERROR, "linux: %s: %s", step, strerror(errno));
    goto fail;
  }
  c->live = 1;
  /* The kernel holds its own copy of BufferedData (RCV-007): complete. */
  t->host->initiate_offload_complete(t->host_ctx, c->handle,
                                     TORC_STATUS_SUCCESS);
  return;
fail:
  lx_close_fds(c);
  /* A failed offload delivers nothing (RCV-017); DEC-05's status. */
  t->host->initiate_offload_complete(t->host_ctx, c->handle,
                                     TORC_STATUS_FAILURE);
}

/* ---- terminate ---------------------------------------------------------- */

void lx_terminate_offload(void *ud, void *conn) {
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
    lx_pump(t, c);
  /* Every request first (RCV-230): a partly filled one with its bytes, an
   * empty one with UPLOAD_IN_PROGRESS (DEC-06). */
  c->pumping = 1;
  while (c->n > 0) {
    uint32_t m = c->n < 64 ? c->n : 64;
    for (i = 0; i < m; i++)
      st[i] = c->reqs[c->head + i].placed ? TORC_STATUS_SUCCESS
                                          : TORC_STATUS_UPLOAD_IN_PROGRESS;
    lx_complete_head(t, c, m, st);
  }
  c->pumping = 0;
  if (!c->live) {
    t->host->terminate_offload_complete(t->host_ctx, c->handle,
                                        TORC_STATUS_FAILURE, &up);
    return;
  }
  c->live = 0;
  /* Read the queue and RCV.NXT back in repair mode (DEC-07). */
  if (lx_sopt(c->sock_fd, IPPROTO_TCP, TCP_REPAIR, 1) < 0 ||
      lx_sopt(c->sock_fd, IPPROTO_TCP, TCP_REPAIR_QUEUE, TCP_RECV_QUEUE) < 0 ||
      getsockopt(c->sock_fd, IPPROTO_TCP, TCP_QUEUE_SEQ, &rcv_nxt, &l) < 0 ||
      (left = lx_unread(c)) < 0) {
    lx_logf(t, TORC_LOG_ERROR, "linux: reading the connection back: %s",
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
      lx_logf(t, TORC_LOG_ERROR, "linux: peeked %zd of %d unread bytes", got,
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
  lx_close_fds(c);
  if (status != TORC_STATUS_SUCCESS && c->handback) {
    t->host->free(t->host_ctx, c->handback);
    c->handback = NULL;
    up.buffered_data = NULL;
  }
  t->host->terminate_offload_complete(t->host_ctx, c->handle, status, &up);
}
