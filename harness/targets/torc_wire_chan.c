/*
 * torc_wire_chan.c - the channel that carries wire-protocol messages over one
 * stream (a socketpair or a pipe pair), and calls nested like a call stack.
 *
 * Where it sits: the proxy (host side) and the runner (target side) each own
 * one.  Sending and receiving wait with a deadline (the proxy's reply
 * watchdog); torc_wire_call dispatches the peer's calls while it waits for
 * its own RET.  A message longer than TORC_WIRE_MAX_MSG is refused before it
 * is read.
 */
#include "torc_wire.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int64_t torc_wire_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void torc_wire_chan_init(torc_wire_chan *c, int fd_in, int fd_out,
                         torc_wire_dispatch_fn fn, void *ctx) {
  memset(c, 0, sizeof(*c));
  c->fd_in = fd_in;
  c->fd_out = fd_out;
  c->deadline = -1;
  c->dispatch = fn;
  c->dispatch_ctx = ctx;
  int type;
  socklen_t tl = sizeof(type);
  c->is_socket =
      getsockopt(fd_out, SOL_SOCKET, SO_TYPE, &type, &tl) == 0 ? 1 : 0;
}

void torc_wire_chan_free(torc_wire_chan *c) {
  free(c->rbuf);
  torc_wbuf_free(&c->tx);
  torc_wbuf_free(&c->pend);
  c->rbuf = NULL;
  c->rcap = c->rlen = c->rpos = 0;
}

void torc_wire_fmt(char *dst, size_t n, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(dst, n, fmt, ap);
  va_end(ap);
}

void torc_wire_fail(torc_wire_chan *c, int kind, const char *fmt, ...) {
  if (c->failed)
    return;
  c->failed = kind;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(c->why, sizeof(c->why), fmt, ap);
  va_end(ap);
}

/* Waits until fd is ready for events or the deadline passes: 1 ready,
 * 0 timeout, -1 error. */
static int wait_fd(torc_wire_chan *c, int fd, short events) {
  for (;;) {
    int ms = -1;
    if (c->deadline >= 0) {
      int64_t left = c->deadline - torc_wire_now_ms();
      if (left <= 0)
        return 0;
      ms = left > 1000000 ? 1000000 : (int)left;
    }
    struct pollfd p = {.fd = fd, .events = events};
    int rc = poll(&p, 1, ms);
    if (rc > 0)
      return 1;
    if (rc == 0 && ms >= 0 && c->deadline - torc_wire_now_ms() <= 0)
      return 0;
    if (rc < 0 && errno != EINTR)
      return -1;
  }
}

/* Writes len bytes of p (messages of which the first is of type first). */
static int write_all(torc_wire_chan *c, const uint8_t *p, size_t len,
                     unsigned first) {
  size_t off = 0;
  while (off < len) {
    ssize_t n;
    if (c->is_socket)
      n = send(c->fd_out, p + off, len - off, MSG_NOSIGNAL | MSG_DONTWAIT);
    else
      n = write(c->fd_out, p + off, len - off);
    if (n > 0) {
      off += (size_t)n;
      continue;
    }
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      int w = wait_fd(c, c->fd_out, POLLOUT);
      if (w == 0) {
        torc_wire_fail(c, TORC_WIRE_TIMEOUT, "peer did not read for %s",
                       torc_wire_type_name(c->tx.p[4]));
        return -1;
      }
      if (w > 0)
        continue;
    }
    torc_wire_fail(c, TORC_WIRE_EOF, "peer closed the connection (%s)",
                   n < 0 ? strerror(errno) : "write returned 0");
    return -1;
  }
  return 0;
}

static int finish_tx(torc_wire_chan *c) {
  if (c->failed)
    return -1;
  if (torc_wbuf_finish(&c->tx) != 0) {
    torc_wire_fail(c, TORC_WIRE_PROTOCOL, "cannot build %s message",
                   c->tx.len > 4 ? torc_wire_type_name(c->tx.p[4]) : "?");
    return -1;
  }
  return 0;
}

int torc_wire_flush(torc_wire_chan *c) {
  if (c->failed)
    return -1;
  if (c->pend.len == 0)
    return 0;
  if (c->pend.oom) {
    torc_wire_fail(c, TORC_WIRE_PROTOCOL, "out of memory for queued messages");
    return -1;
  }
  int rc = write_all(c, c->pend.p, c->pend.len, c->pend.p[4]);
  c->pend.len = 0;
  return rc;
}

/* One-way messages wait in pend for the next send: the peer reads them
 * with that message (one wake-up) and serves them, in order, first. */
int torc_wire_post(torc_wire_chan *c) {
  if (finish_tx(c) != 0)
    return -1;
  torc_wbuf_bytes(&c->pend, c->tx.p, c->tx.len);
  c->tx.len = 0;
  return c->pend.len >= 65536 || c->pend.oom ? torc_wire_flush(c) : 0;
}

int torc_wire_send(torc_wire_chan *c) {
  if (finish_tx(c) != 0)
    return -1;
  if (c->pend.len == 0)
    return write_all(c, c->tx.p, c->tx.len, c->tx.p[4]);
  torc_wbuf_bytes(&c->pend, c->tx.p, c->tx.len);
  return torc_wire_flush(c);
}

/* Reads exactly n bytes into dst through the read buffer. */
static int read_exact(torc_wire_chan *c, uint8_t *dst, size_t n,
                      const char *what) {
  while (n) {
    if (c->rpos < c->rlen) {
      size_t k = c->rlen - c->rpos < n ? c->rlen - c->rpos : n;
      memcpy(dst, c->rbuf + c->rpos, k);
      c->rpos += k;
      dst += k;
      n -= k;
      continue;
    }
    if (!c->rbuf) {
      c->rcap = 65536;
      c->rbuf = malloc(c->rcap);
      if (!c->rbuf) {
        torc_wire_fail(c, TORC_WIRE_PROTOCOL, "out of memory");
        return -1;
      }
    }
    c->rpos = c->rlen = 0;
    if (c->deadline >= 0) {
      int w = wait_fd(c, c->fd_in, POLLIN);
      if (w == 0) {
        torc_wire_fail(c, TORC_WIRE_TIMEOUT, "no %s within the timeout", what);
        return -1;
      }
    }
    ssize_t k = read(c->fd_in, c->rbuf, c->rcap);
    if (k > 0) {
      c->rlen = (size_t)k;
      continue;
    }
    if (k < 0 && errno == EINTR)
      continue;
    if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      int w = wait_fd(c, c->fd_in, POLLIN);
      if (w == 0) {
        torc_wire_fail(c, TORC_WIRE_TIMEOUT, "no %s within the timeout", what);
        return -1;
      }
      if (w > 0)
        continue;
    }
    torc_wire_fail(c, TORC_WIRE_EOF, "connection closed while reading %s%s%s",
                   what, k < 0 ? ": " : "", k < 0 ? strerror(errno) : "");
    return -1;
  }
  return 0;
}

int torc_wire_recv(torc_wire_chan *c, uint8_t **body, size_t *len) {
  *body = NULL;
  *len = 0;
  if (c->failed)
    return -1;
  uint8_t h[4];
  if (read_exact(c, h, 4, "message") != 0)
    return -1;
  uint32_t n = (uint32_t)h[0] | (uint32_t)h[1] << 8 | (uint32_t)h[2] << 16 |
               (uint32_t)h[3] << 24;
  if (n == 0 || n > TORC_WIRE_MAX_MSG) {
    torc_wire_fail(c, TORC_WIRE_PROTOCOL,
                   "protocol error: message length field (u32, the 4 bytes "
                   "before the type) is %u, allowed 1..%u; nothing of the "
                   "message was read",
                   n, TORC_WIRE_MAX_MSG);
    return -1;
  }
  uint8_t *b = malloc(n);
  if (!b) {
    torc_wire_fail(c, TORC_WIRE_PROTOCOL, "out of memory for %u bytes", n);
    return -1;
  }
  if (read_exact(c, b, n, "message body") != 0) {
    free(b);
    return -1;
  }
  char why[TORC_ERRBUF_SIZE - 16];
  if (torc_wire_validate(b, n, why, sizeof(why)) != 0) {
    torc_wire_fail(c, TORC_WIRE_PROTOCOL, "protocol error: %s", why);
    free(b);
    return -1;
  }
  *body = b;
  *len = n;
  return 0;
}

void torc_wire_ret_begin(torc_wire_chan *c, unsigned type) {
  torc_wbuf_begin(&c->tx, TORC_MSG_RET);
  torc_wbuf_u8(&c->tx, (uint8_t)type);
}

int torc_wire_call(torc_wire_chan *c, uint8_t **ret, torc_rbuf *r) {
  *ret = NULL;
  if (c->failed || c->tx.len < 5)
    return -1;
  unsigned type = c->tx.p[4];
  if (c->depth >= TORC_WIRE_MAX_DEPTH) {
    torc_wire_fail(c, TORC_WIRE_PROTOCOL, "calls nested deeper than %d",
                   TORC_WIRE_MAX_DEPTH);
    return -1;
  }
  if (torc_wire_send(c) != 0)
    return -1;
  c->depth++;
  int rc = -1;
  for (;;) {
    uint8_t *body;
    size_t len;
    if (torc_wire_recv(c, &body, &len) != 0)
      break;
    if (body[0] == TORC_MSG_RET) {
      if (body[1] != type) {
        torc_wire_fail(c, TORC_WIRE_PROTOCOL,
                       "protocol error: RET(%s) while waiting for RET(%s): "
                       "field 'call-type' (u8 at offset 1) is 0x%02x, "
                       "expected 0x%02x",
                       torc_wire_type_name(body[1]), torc_wire_type_name(type),
                       body[1], type);
        free(body);
        break;
      }
      *ret = body;
      torc_rbuf_init(r, body, len);
      r->pos = 2;
      rc = 0;
      break;
    }
    int d = c->dispatch(c->dispatch_ctx, body, len);
    free(body);
    if (d != 0 || c->failed)
      break;
  }
  c->depth--;
  return rc;
}
