/*
 * torc_proxy_ops.c - the table of operations the engine calls: each one a
 * call over the wire to the child.
 *
 * Where it sits: the life cycle (torc_proxy.c) fills the engine's
 * torc_target with these (torc_px_fill_ops) after HELLO.  Each operation
 * arms the reply watchdog at the outermost level, sends its message and
 * waits for the RET, serving the child's upcalls meanwhile
 * (torc_proxy_upcalls.c); a failure marks the proxy and makes every later
 * operation a no-op.
 */
#include "torc_proxy_int.h"

#include <stdlib.h>
#include <string.h>

int torc_px_usable(const torc_proxy *p) {
  return p->status == 0 && p->pid > 0 && !p->destroyed;
}

static int conn_ok(const torc_proxy *p, const proxy_conn *c) {
  return torc_px_usable(p) && c && c->gen == p->gen;
}

/* Starts a message for an operation; arms the watchdog at the outermost
 * level. */
void torc_px_op_begin(torc_proxy *p, unsigned type) {
  if (p->chan.depth == 0) {
    p->chan.deadline = torc_wire_now_ms() + (int64_t)p->timeout_ms;
    p->op_type = type;
  }
  /* Version 2: the child learns a new allocation policy before the
   * operation it holds for (one-way, in the same write). */
  if (p->proto >= 2 && p->policy != p->policy_sent && !p->chan.failed) {
    torc_wbuf_begin(&p->chan.tx, TORC_MSG_OP_ALLOC_POLICY);
    torc_wbuf_u8(&p->chan.tx, (uint8_t)p->policy);
    if (torc_wire_post(&p->chan) == 0)
      p->policy_sent = p->policy;
  }
  torc_wbuf_begin(&p->chan.tx, type);
}

/* Makes the call; on success ret and r hold the RET.  Disarms at the outermost
 * level, and handles a failure. */
int torc_px_op_call(torc_proxy *p, uint8_t **ret, torc_rbuf *r) {
  int rc = torc_wire_call(&p->chan, ret, r);
  if (rc == 0 && r->err)
    rc = -1;
  if (rc != 0) {
    free(*ret);
    *ret = NULL;
    torc_px_on_failure(p);
  }
  if (p->chan.depth == 0)
    p->chan.deadline = -1;
  return rc;
}

void torc_px_op_simple(torc_proxy *p) {
  uint8_t *ret;
  torc_rbuf r;
  if (torc_px_op_call(p, &ret, &r) == 0)
    free(ret);
}

static void px_destroy(void *ud) {
  torc_proxy *p = ud;
  if (!torc_px_usable(p))
    return;
  torc_px_op_begin(p, TORC_MSG_OP_DESTROY);
  torc_px_op_simple(p);
  p->destroyed = 1;
}

static int px_conn_open(void *ud, uint64_t host_handle, void **out_conn) {
  torc_proxy *p = ud;
  if (!torc_px_usable(p))
    return -1;
  torc_px_op_begin(p, TORC_MSG_OP_CONN_OPEN);
  torc_wbuf_u64(&p->chan.tx, host_handle);
  uint8_t *ret;
  torc_rbuf r;
  if (torc_px_op_call(p, &ret, &r) != 0)
    return -1;
  int32_t rc = (int32_t)torc_rbuf_u32(&r);
  uint64_t token = torc_rbuf_u64(&r);
  free(ret);
  if (rc != 0)
    return rc < 0 ? rc : -1;
  proxy_conn *c = calloc(1, sizeof(*c));
  if (!c)
    return -1;
  c->token = token;
  c->handle = host_handle;
  c->gen = p->gen;
  *out_conn = c;
  return 0;
}

static void px_conn_close(void *ud, void *conn) {
  torc_proxy *p = ud;
  proxy_conn *c = conn;
  if (!c)
    return;
  if (conn_ok(p, c)) {
    torc_px_op_begin(p, TORC_MSG_OP_CONN_CLOSE);
    torc_wbuf_u64(&p->chan.tx, c->token);
    torc_px_op_simple(p);
  }
  torc_px_drop_conn_records(p, c->handle, 0);
  free(c);
}

static void px_initiate_offload(void *ud, void *conn,
                                const torc_offload_state *st) {
  torc_proxy *p = ud;
  proxy_conn *c = conn;
  if (!conn_ok(p, c) || !st)
    return;
  torc_px_op_begin(p, TORC_MSG_OP_INITIATE_OFFLOAD);
  torc_wbuf_u64(&p->chan.tx, c->token);
  torc_wire_put_offload_state(&p->chan.tx, st);
  torc_px_op_simple(p);
}

static uint32_t px_receive(void *ud, void *conn, const torc_recv_request *reqs,
                           uint32_t count) {
  torc_proxy *p = ud;
  proxy_conn *c = conn;
  if (!conn_ok(p, c) || (count && !reqs))
    return TORC_STATUS_PENDING;
  torc_px_op_begin(p, TORC_MSG_OP_RECEIVE);
  torc_wbuf_u64(&p->chan.tx, c->token);
  torc_wbuf_u32(&p->chan.tx, count);
  for (uint32_t i = 0; i < count; i++) {
    const torc_recv_request *q = &reqs[i];
    uint32_t size = q->buf ? q->size : 0;
    uint32_t pre = q->prefilled <= size ? q->prefilled : size;
    torc_wbuf_u64(&p->chan.tx, q->id);
    torc_wbuf_u32(&p->chan.tx, q->size);
    torc_wbuf_u32(&p->chan.tx, pre);
    torc_wbuf_u8(&p->chan.tx, q->push);
    torc_wbuf_bytes(&p->chan.tx, q->buf, pre);
    if (torc_px_add_req(p, q, c->handle) != 0) {
      torc_wire_fail(&p->chan, TORC_WIRE_PROTOCOL, "out of memory");
      torc_px_on_failure(p);
      return TORC_STATUS_PENDING;
    }
  }
  uint8_t *ret;
  torc_rbuf r;
  if (torc_px_op_call(p, &ret, &r) != 0)
    return TORC_STATUS_PENDING;
  uint32_t status = torc_rbuf_u32(&r);
  free(ret);
  return status;
}

static void px_receive_return(void *ud, void *conn, const uint64_t *ids,
                              uint32_t count) {
  torc_proxy *p = ud;
  proxy_conn *c = conn;
  if (count && !ids)
    return;
  /* The host is done with these bytes whatever happens next. */
  for (uint32_t i = 0; i < count; i++)
    torc_px_release_hold(p, ids[i]);
  if (!conn_ok(p, c))
    return;
  torc_px_op_begin(p, TORC_MSG_OP_RECEIVE_RETURN);
  torc_wbuf_u64(&p->chan.tx, c->token);
  torc_wbuf_u32(&p->chan.tx, count);
  for (uint32_t i = 0; i < count; i++)
    torc_wbuf_u64(&p->chan.tx, ids[i]);
  torc_px_op_simple(p);
}

static void px_segment(void *ud, void *conn, const torc_segment *seg) {
  torc_proxy *p = ud;
  proxy_conn *c = conn;
  if (!conn_ok(p, c) || !seg)
    return;
  torc_px_op_begin(p, TORC_MSG_OP_SEGMENT);
  torc_wbuf_u64(&p->chan.tx, c->token);
  torc_wire_put_segment(&p->chan.tx, seg);
  torc_px_op_simple(p);
}

static void px_advance_time(void *ud, uint64_t now_us) {
  torc_proxy *p = ud;
  if (!torc_px_usable(p))
    return;
  torc_px_op_begin(p, TORC_MSG_OP_ADVANCE_TIME);
  torc_wbuf_u64(&p->chan.tx, now_us);
  torc_px_op_simple(p);
}

static void px_terminate_offload(void *ud, void *conn) {
  torc_proxy *p = ud;
  proxy_conn *c = conn;
  if (!conn_ok(p, c))
    return;
  torc_px_op_begin(p, TORC_MSG_OP_TERMINATE_OFFLOAD);
  torc_wbuf_u64(&p->chan.tx, c->token);
  torc_px_op_simple(p);
}

static int px_get_stats(void *ud, void *conn, torc_target_stats *out) {
  torc_proxy *p = ud;
  proxy_conn *c = conn;
  if (!conn_ok(p, c) || !out)
    return -1;
  torc_px_op_begin(p, TORC_MSG_OP_GET_STATS);
  torc_wbuf_u64(&p->chan.tx, c->token);
  uint8_t *ret;
  torc_rbuf r;
  if (torc_px_op_call(p, &ret, &r) != 0)
    return -1;
  int32_t rc = (int32_t)torc_rbuf_u32(&r);
  torc_target_stats s;
  memset(&s, 0, sizeof(s));
  torc_wire_get_stats(&r, &s);
  free(ret);
  /* At most out->struct_size bytes, as target.h says. */
  size_t n = out->struct_size < sizeof(s) ? out->struct_size : sizeof(s);
  uint32_t keep = out->struct_size;
  if (n > sizeof(s.struct_size))
    memcpy((char *)out + sizeof(s.struct_size),
           (char *)&s + sizeof(s.struct_size), n - sizeof(s.struct_size));
  out->struct_size = keep;
  return rc;
}

void torc_px_fill_ops(torc_target *ops) {
  ops->destroy = px_destroy;
  ops->conn_open = px_conn_open;
  ops->conn_close = px_conn_close;
  ops->initiate_offload = px_initiate_offload;
  ops->receive = px_receive;
  ops->receive_return = px_receive_return;
  ops->segment = px_segment;
  ops->advance_time = px_advance_time;
  ops->terminate_offload = px_terminate_offload;
  ops->get_stats = px_get_stats;
}
