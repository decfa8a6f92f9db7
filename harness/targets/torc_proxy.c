/*
 * torc_proxy.c - the "exec:COMMAND" flavour of target: a torc_target table
 * whose every operation is a call over the wire protocol to a child process,
 * and whose child's upcalls become calls of the host's callbacks.
 *
 * Where it sits: torc_load.c hands "exec:" specs here; the engine then sees
 * an ordinary table.  The child is usually torc-target-runner serving a .so,
 * but any program speaking docs/wire-protocol.md will do.
 *
 * What the proxy keeps on the host side, and why:
 *  - posted requests (id, host buffer, size): a completion carries the bytes
 *    the child placed; they are copied into the host's real buffer, never
 *    more than the request's size, and the completion itself is passed to
 *    the host exactly as the child claimed it so the engine judges it
 *    (RCV-112, RCV-113);
 *  - indicated data and handed-back upload data ("holds"): the host may keep
 *    pointing at them until it gives them back with receive_return
 *    (RCV-133, RCV-212), so the proxy owns a copy until then;
 *  - blocks the child allocated through the host's alloc hook: the host's
 *    pointer stays here, the child only sees a token, so a forged free can
 *    never reach the host.
 * The parts: torc_proxy_child.c starts and stops the child process,
 * torc_proxy_records.c keeps the host-side records above,
 * torc_proxy_upcalls.c serves the child's upcalls, torc_proxy_ops.c is the
 * table of operations, and this file the life cycle (HELLO, start, restart,
 * reset, stop); their shared state is in torc_proxy_int.h.
 * Nothing the child says is believed without a bounds check.  A malformed
 * message, EOF or a reply timeout kills the child and turns every operation
 * into a no-op until torc_proxy_restart().
 */
#include "torc_proxy_int.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

/* ---- Life cycle ---------------------------------------------------------- */

static int hello(torc_proxy *p, torc_target *ops, char *errbuf) {
  torc_px_op_begin(p, TORC_MSG_HELLO);
  torc_wbuf_u32(&p->chan.tx, TORC_WIRE_MAGIC);
  torc_wbuf_u16(&p->chan.tx, TORC_WIRE_PROTO_VERSION);
  torc_wbuf_u32(&p->chan.tx, TORC_TARGET_ABI_VERSION);
  uint8_t *ret;
  torc_rbuf r;
  if (torc_px_op_call(p, &ret, &r) != 0) {
    torc_wire_fmt(errbuf, TORC_ERRBUF_SIZE, "%s: no HELLO from the target: %s",
                  p->label, p->why);
    return -1;
  }
  int ok = torc_rbuf_u8(&r);
  if (!ok) {
    char msg[TORC_ERRBUF_SIZE];
    torc_rbuf_str(&r, msg, sizeof(msg));
    free(ret);
    torc_wire_fmt(errbuf, TORC_ERRBUF_SIZE, "%s: %s", p->label, msg);
    return -1;
  }
  unsigned proto = torc_rbuf_u16(&r);
  uint32_t abi = torc_rbuf_u32(&r);
  torc_rbuf_u32(&r); /* the target's struct_size, informative */
  uint64_t caps = torc_rbuf_u64(&r);
  torc_rbuf_str(&r, p->name, sizeof(p->name));
  torc_rbuf_str(&r, p->version, sizeof(p->version));
  /* The declared limits: an optional tail (a target that sends none
   * declares none). */
  uint32_t max_wnd = 0, max_buf = 0;
  if (!r.err && r.len - r.pos >= 8) {
    max_wnd = torc_rbuf_u32(&r);
    max_buf = torc_rbuf_u32(&r);
  }
  /* The device's identity (issue 17): a further optional tail. */
  p->driver[0] = p->firmware[0] = '\0';
  if (!r.err && r.len - r.pos >= 8) {
    torc_rbuf_str(&r, p->driver, sizeof(p->driver));
    torc_rbuf_str(&r, p->firmware, sizeof(p->firmware));
  }
  free(ret);
  const char *bad = NULL;
  char tmp[96];
  if (proto < TORC_WIRE_PROTO_MIN || proto > TORC_WIRE_PROTO_VERSION) {
    torc_wire_fmt(tmp, sizeof(tmp),
                  "wire protocol %u, this torc speaks %u to %u", proto,
                  TORC_WIRE_PROTO_MIN, TORC_WIRE_PROTO_VERSION);
    bad = tmp;
  } else if (abi == 0) {
    bad = "target declares ABI version 0";
  } else if (abi > TORC_TARGET_ABI_VERSION) {
    torc_wire_fmt(tmp, sizeof(tmp),
                  "target ABI %u is newer than this torc (ABI %u)", abi,
                  TORC_TARGET_ABI_VERSION);
    bad = tmp;
  } else if (caps & ~(uint64_t)TORC_CAP_ALL) {
    torc_wire_fmt(tmp, sizeof(tmp), "unknown capability bits 0x%llx",
                  (unsigned long long)(caps & ~(uint64_t)TORC_CAP_ALL));
    bad = tmp;
  } else if (!p->name[0]) {
    bad = "target has no name";
  }
  if (bad) {
    torc_wire_fmt(errbuf, TORC_ERRBUF_SIZE, "%s: %s", p->label, bad);
    return -1;
  }
  p->proto = proto;
  if (ops) {
    memset(ops, 0, sizeof(*ops));
    ops->abi_version = abi;
    ops->struct_size = sizeof(*ops);
    ops->user_data = p;
    ops->name = p->name;
    ops->version = p->version;
    ops->capabilities = caps;
    ops->max_initial_rcv_wnd = max_wnd;
    ops->max_buffered_bytes = max_buf;
    ops->driver = p->driver[0] ? p->driver : NULL;
    ops->firmware = p->firmware[0] ? p->firmware : NULL;
    torc_px_fill_ops(ops);
  }
  return 0;
}

static void shutdown_child(torc_proxy *p) {
  if (torc_px_usable(p)) {
    torc_px_op_begin(p, TORC_MSG_OP_DESTROY);
    torc_px_op_simple(p);
    p->destroyed = 1;
  }
  torc_px_close_channel(p); /* the child sees EOF and exits */
  torc_px_reap_child(p, 200, NULL, 0);
  torc_px_drop_conn_records(p, 0, 1);
  torc_px_drop_allocs(p);
}

static torc_proxy *new_proxy(const char *command, const char *label,
                             const torc_host_ops *host, void *host_ctx,
                             unsigned timeout_ms) {
  torc_proxy *p = calloc(1, sizeof(*p));
  if (!p)
    return NULL;
  p->command = strdup(command);
  p->label = strdup(label);
  p->host = host;
  p->host_ctx = host_ctx;
  p->timeout_ms = timeout_ms ? timeout_ms : 10000;
  p->fd = -1;
  p->log_fd = -1;
  if (!p->command || !p->label) {
    free(p->command);
    free(p->label);
    free(p);
    return NULL;
  }
  return p;
}

static int start(torc_proxy *p, torc_proxy **out, torc_target *ops,
                 char *errbuf) {
  if (torc_px_spawn(p, errbuf) != 0 || hello(p, ops, errbuf) != 0) {
    torc_proxy_stop(p);
    return -1;
  }
  *out = p;
  return 0;
}

int torc_proxy_start(const char *command, int log_fd, const torc_host_ops *host,
                     void *host_ctx, unsigned timeout_ms, torc_proxy **out,
                     torc_target *ops, char *errbuf) {
  char label[TORC_ERRBUF_SIZE];
  *out = NULL;
  torc_wire_fmt(label, sizeof label, "exec:%s", command);
  torc_proxy *p = new_proxy(command, label, host, host_ctx, timeout_ms);
  if (!p) {
    torc_wire_fmt(errbuf, TORC_ERRBUF_SIZE, "exec:%s: out of memory", command);
    return -1;
  }
  p->log_fd = log_fd; /* stderr only: argv is NULL, so not contained */
  return start(p, out, ops, errbuf);
}

int torc_proxy_start_contained(const torc_proxy_spawn *sp,
                               const torc_host_ops *host, void *host_ctx,
                               unsigned timeout_ms, torc_proxy **out,
                               torc_target *ops, char *errbuf) {
  size_t n = 0;
  *out = NULL;
  while (sp->argv[n])
    n++;
  torc_proxy *p = new_proxy(sp->argv[0], sp->label, host, host_ctx, timeout_ms);
  if (p && (p->argv = calloc(n + 1, sizeof(char *))) != NULL)
    for (size_t i = 0; i < n; i++)
      if (!(p->argv[i] = strdup(sp->argv[i]))) {
        torc_proxy_stop(p);
        p = NULL;
        break;
      }
  if (!p || !p->argv) {
    torc_proxy_stop(p);
    torc_wire_fmt(errbuf, TORC_ERRBUF_SIZE, "%s: out of memory", sp->label);
    return -1;
  }
  p->log_fd = sp->log_fd;
  p->log_limit = sp->log_limit;
  return start(p, out, ops, errbuf);
}

int torc_proxy_status(const torc_proxy *p, char *why, size_t n) {
  if (why && n)
    torc_wire_fmt(why, n, "%s", p->status ? p->why : "");
  return p->status;
}

int torc_proxy_restart(torc_proxy *p, char *errbuf) {
  if (p->pid > 0) {
    kill(-p->pid, SIGKILL);
    torc_px_close_channel(p);
    torc_px_reap_child(p, 0, NULL, 0);
  }
  torc_px_close_channel(p);
  torc_px_drop_conn_records(p, 0, 1);
  torc_px_drop_allocs(p);
  if (torc_px_spawn(p, errbuf) != 0)
    return -1;
  char name[sizeof(p->name)];
  memcpy(name, p->name, sizeof(name));
  if (hello(p, NULL, errbuf) != 0) {
    if (p->status == 0)
      p->status = TORC_LOAD_CRASHED;
    torc_wire_fmt(p->why, sizeof(p->why), "%s", errbuf);
    return -1;
  }
  if (strcmp(name, p->name) != 0) {
    torc_wire_fmt(errbuf, TORC_ERRBUF_SIZE,
                  "%s: restarted target is \"%s\", was \"%s\"", p->label,
                  p->name, name);
    memcpy(p->name, name, sizeof(name));
    return -1;
  }
  return 0;
}

int torc_proxy_reset(torc_proxy *p, char *errbuf) {
  if (!torc_px_usable(p)) {
    torc_wire_fmt(errbuf, TORC_ERRBUF_SIZE, "%s: target not running%s%s",
                  p->label, p->why[0] ? ": " : "", p->why);
    return -1;
  }
  /* The end of a vector: nothing the target started outlives it. */
  torc_px_kill_descendants(p);
  p->upcalls = 0;
  p->held_bytes = 0;
  p->held_blocks = 0;
  torc_px_op_begin(p, TORC_MSG_OP_RESET);
  uint8_t *ret;
  torc_rbuf r;
  if (torc_px_op_call(p, &ret, &r) != 0) {
    torc_wire_fmt(errbuf, TORC_ERRBUF_SIZE, "%s: reset: %s", p->label, p->why);
    return -1;
  }
  int32_t rc = (int32_t)torc_rbuf_u32(&r);
  char msg[TORC_ERRBUF_SIZE];
  torc_rbuf_str(&r, msg, sizeof(msg));
  free(ret);
  /* Connections of the old instance become no-ops; its records go.  Its
   * allocation tokens stay: blocks it leaked are leaks as in process, and
   * the new instance already holds tokens of its own. */
  p->gen++;
  torc_px_drop_conn_records(p, 0, 1);
  if (rc != 0) {
    torc_wire_fmt(errbuf, TORC_ERRBUF_SIZE, "%s: reset: %s", p->label, msg);
    return -1;
  }
  return 0;
}

void torc_proxy_alloc_policy(torc_proxy *p, int policy) {
  p->policy = policy;
}

void torc_proxy_set_timeout(torc_proxy *p, unsigned ms) {
  p->timeout_ms = ms ? ms : 10000;
}

int torc_proxy_child_pid(const torc_proxy *p) {
  return p->pid;
}

void torc_proxy_stop(torc_proxy *p) {
  if (!p)
    return;
  shutdown_child(p);
  free(p->reqs);
  free(p->allocs);
  free(p->blks);
  if (p->argv)
    for (size_t i = 0; p->argv[i]; i++)
      free(p->argv[i]);
  free(p->argv);
  free(p->command);
  free(p->label);
  free(p);
}
