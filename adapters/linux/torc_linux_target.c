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
 * The parts: this file is the target's table and its connections,
 * torc_linux_repair.c the TCP_REPAIR side (building the socket at
 * initiate_offload, reading it back at terminate_offload),
 * torc_linux_deliver.c the delivery (requests, segments, time); they share
 * torc_linux_target_int.h.
 * adapters/linux/README.md documents the mapping and its limits.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "torc_linux_target_int.h"

void lx_logf(lx *t, int level, const char *fmt, ...) {
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

void lx_close_fds(lx_conn *c) {
  if (c->sock_fd >= 0)
    close(c->sock_fd);
  if (c->tun_fd >= 0)
    close(c->tun_fd);
  c->sock_fd = c->tun_fd = -1;
}

static void lx_conn_close(void *ud, void *conn) {
  lx *t = ud;
  lx_conn *c = conn;
  lx_close_fds(c);
  if (c->reqs)
    t->host->free(t->host_ctx, c->reqs);
  if (c->handback)
    t->host->free(t->host_ctx, c->handback);
  t->host->free(t->host_ctx, c);
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
