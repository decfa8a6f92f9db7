/*
 * torc_target_runner.c - torc-target-runner: serves one offload target over
 * the wire protocol (docs/wire-protocol.md), so any target torc can load in
 * process (the reference, null, or a vendor .so) can also run out of process:
 *
 *   torc run --target 'exec:torc-target-runner --target ./vendor.so' ...
 *
 * Where it sits: the child end of torc_proxy.c.  It reads operations from the
 * host, calls the loaded target (torc_load.h, in this process), and turns the
 * target's host callbacks into upcall messages, waiting for each reply while
 * dispatching the calls the host nests inside it (a post from inside a
 * completion, RCV-107).  It plays the parts of the host that must live next
 * to the target's memory:
 *  - request buffers: its own copy of each posted buffer (prefilled bytes
 *    included), between guard pages like the host's (an overrun faults here
 *    as it would in process); a completion carries the placed bytes back;
 *  - BufferedData: its own copy, poisoned with TORC_WIRE_POISON the moment
 *    the offload completes successfully (RCV-011), kept (poisoned) until the
 *    connection closes, so a target keeping pointers delivers poison here too;
 *  - host allocations (torc_runner_alloc.c): a block of its own per token
 *    the host granted (UP_ALLOC), or, under the policy the host states in
 *    advance (wire protocol 2), served here and reported (UP_ALLOCATED), so
 *    allocation faults the host injects reach the target unchanged;
 *  - segment frames (torc_runner_frame.c): lent read-only, poisoned after.
 * A crash of the target is a crash of this process: the host sees EOF.
 *
 * Exit status: 0 host closed or destroyed, 2 usage or load error (sent as the
 * HELLO answer too), 3 protocol error.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "torc_asan.h"
#include "torc_load.h"
#include "torc_runner_alloc.h"
#include "torc_runner_contain.h"
#include "torc_runner_frame.h"
#include "torc_runner_holds.h"
#include "torc_runner_memory.h"

#include "torc_wire.h"

typedef struct rconn {
  int used;
  unsigned gen;
  void *conn;
  uint64_t handle;
  torc_offload_state st; /* valid until the offload completes, then kept */
  torc_wire_arena st_mem;
  int has_st;
  uint8_t *bd_map; /* BufferedData's bytes, read-only pages of their own */
  size_t bd_len;
} rconn;

typedef struct rreq {
  uint64_t id, handle;
  uint8_t *map; /* guard region, data pages, guard region */
  size_t maplen;
  uint8_t *buf; /* the last size bytes of the data pages */
  uint32_t size, prefilled;
} rreq;

typedef struct runner {
  torc_wire_chan chan;
  const char *spec;
  torc_host_ops host;
  torc_loaded *loaded;
  torc_target t;
  rconn *conns;
  size_t nconns;
  rreq *reqs;
  size_t nreqs, capreqs;
  size_t page;
  torc_runner_frame frame; /* the current segment's, poisoned after */
  int in_segment;
  int done;
  unsigned proto;     /* answered in HELLO */
  unsigned max_proto; /* the newest it may answer (--max-protocol) */
  torc_runner_allocs allocs;
} runner;

/* ---- Fatal paths --------------------------------------------------------- */

static void die_protocol(runner *r) {
  fprintf(stderr, "torc-target-runner: %s\n",
          r->chan.why[0] ? r->chan.why : "protocol error");
  _exit(r->chan.failed == TORC_WIRE_EOF ? 0 : 3);
}

/* Every reply to the host first says which held bytes the target changed
 * (torc_runner_holds.c): the host must know before it acts again. */
static void ret_begin(runner *r, unsigned type) {
  if (torc_runner_holds_flush(&r->chan) != 0)
    die_protocol(r);
  torc_wire_ret_begin(&r->chan, type);
}

/* An upcall made from inside the target: reply or die. */
static void upcall(runner *r, uint8_t **ret, torc_rbuf *rb) {
  if (torc_wire_call(&r->chan, ret, rb) != 0 || rb->err)
    die_protocol(r);
}

static void upcall_simple(runner *r) {
  uint8_t *ret;
  torc_rbuf rb;
  upcall(r, &ret, &rb);
  free(ret);
}

/* ---- Request buffers ----------------------------------------------------- */

/* Guard regions on both sides of a request's data pages, as the host's
 * (torc_hostsim_requests.c): a write a page or more past either end still
 * faults. */
#define GUARD_PAGES 16u

static int map_request(runner *r, rreq *q, uint32_t size) {
  size_t data = ((size_t)size + r->page - 1) / r->page * r->page;
  size_t guard = GUARD_PAGES * r->page;
  q->maplen = data + 2 * guard;
  q->map = mmap(NULL, q->maplen, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (q->map == MAP_FAILED)
    return -1;
  if (data && mprotect(q->map + guard, data, PROT_READ | PROT_WRITE) != 0) {
    munmap(q->map, q->maplen);
    return -1;
  }
  q->buf = q->map + guard + data - size;
  q->size = size;
  return 0;
}

static long find_req(const runner *r, uint64_t id, uint64_t handle) {
  long any = -1;
  for (size_t i = 0; i < r->nreqs; i++)
    if (r->reqs[i].id == id) {
      if (r->reqs[i].handle == handle)
        return (long)i;
      if (any < 0)
        any = (long)i;
    }
  return any;
}

static void drop_req(runner *r, size_t i) {
  munmap(r->reqs[i].map, r->reqs[i].maplen);
  memmove(&r->reqs[i], &r->reqs[i + 1], (r->nreqs - i - 1) * sizeof(rreq));
  r->nreqs--;
}

/* ---- Host callbacks given to the target ---------------------------------- */

/* Allocations: torc_runner_alloc.c, on the runner's channel. */
static void *h_alloc(void *ctx, size_t size) {
  runner *r = ctx;
  void *blk = torc_runner_alloc(&r->allocs, size);
  if (r->chan.failed)
    die_protocol(r);
  return blk;
}

static void h_free(void *ctx, void *ptr) {
  runner *r = ctx;
  torc_runner_free(&r->allocs, ptr);
  if (r->chan.failed)
    die_protocol(r);
}

static void h_log(void *ctx, int level, const char *msg) {
  runner *r = ctx;
  torc_wbuf_begin(&r->chan.tx, TORC_MSG_UP_LOG);
  torc_wbuf_u32(&r->chan.tx, (uint32_t)level);
  torc_wbuf_str(&r->chan.tx, msg);
  if (torc_wire_send(&r->chan) != 0)
    die_protocol(r);
}

static void drop_buffered(rconn *c) {
  torc_runner_unprotect(c->bd_map, c->bd_len);
  c->bd_map = NULL;
  c->bd_len = 0;
  torc_arena_free(&c->st_mem);
  c->has_st = 0;
}

static void h_offload_complete(void *ctx, uint64_t handle, uint32_t status) {
  runner *r = ctx;
  if (status == TORC_STATUS_SUCCESS)
    for (size_t i = 0; i < r->nconns; i++)
      if (r->conns[i].used && r->conns[i].has_st &&
          r->conns[i].handle == handle)
        torc_runner_poison(r->conns[i].bd_map,
                           r->conns[i].bd_len); /* RCV-011 */
  torc_wbuf_begin(&r->chan.tx, TORC_MSG_UP_OFFLOAD_COMPLETE);
  torc_wbuf_u64(&r->chan.tx, handle);
  torc_wbuf_u32(&r->chan.tx, status);
  upcall_simple(r);
}

static void h_receive_complete(void *ctx, uint64_t handle,
                               const torc_completion *c, uint32_t count) {
  runner *r = ctx;
  torc_wbuf *b = &r->chan.tx;
  torc_wbuf_begin(b, TORC_MSG_UP_RECEIVE_COMPLETE);
  torc_wbuf_u64(b, handle);
  torc_wbuf_u32(b, count);
  for (uint32_t i = 0; i < count; i++) {
    torc_wbuf_u64(b, c[i].id);
    torc_wbuf_u32(b, c[i].status);
    torc_wbuf_u32(b, c[i].bytes);
    long k = find_req(r, c[i].id, handle);
    if (k < 0) {
      torc_wbuf_u32(b, 0); /* unknown or already completed: no bytes */
      continue;
    }
    /* The front of the buffer: the prefilled bytes (so the host sees any
     * change to them) and what the target placed, never past the size. */
    const rreq *q = &r->reqs[k];
    uint32_t room = q->size - q->prefilled;
    uint32_t len = q->prefilled + (c[i].bytes < room ? c[i].bytes : room);
    torc_wbuf_u32(b, len);
    torc_wbuf_bytes(b, q->buf, len);
    drop_req(r, (size_t)k);
  }
  upcall_simple(r);
}

static uint32_t h_receive_indicate(void *ctx, uint64_t handle, uint64_t ind_id,
                                   uint32_t status, const torc_fragment *frags,
                                   uint32_t nfrags, uint32_t *bytes_consumed) {
  runner *r = ctx;
  torc_wbuf *b = &r->chan.tx;
  torc_wbuf_begin(b, TORC_MSG_UP_RECEIVE_INDICATE);
  torc_wbuf_u64(b, handle);
  torc_wbuf_u64(b, ind_id);
  torc_wbuf_u32(b, status);
  torc_wbuf_u32(b, nfrags);
  for (uint32_t i = 0; i < nfrags; i++) {
    uint32_t len = frags[i].data ? frags[i].len : 0;
    torc_wbuf_u32(b, len);
    torc_wbuf_bytes(b, frags[i].data, len);
  }
  uint8_t *ret;
  torc_rbuf rb;
  upcall(r, &ret, &rb);
  uint32_t answer = torc_rbuf_u32(&rb);
  uint32_t consumed = torc_rbuf_u32(&rb);
  free(ret);
  if (answer == TORC_STATUS_SUCCESS ||
      answer == TORC_STATUS_OFFLOAD_DATA_PARTIALLY_ACCEPTED)
    torc_runner_hold_indicated(handle, ind_id, frags, nfrags); /* RCV-133 */
  if (bytes_consumed)
    *bytes_consumed = consumed;
  return answer;
}

static void h_event(void *ctx, uint64_t handle, uint32_t event, uint32_t info) {
  runner *r = ctx;
  torc_wbuf_begin(&r->chan.tx, TORC_MSG_UP_EVENT);
  torc_wbuf_u64(&r->chan.tx, handle);
  torc_wbuf_u32(&r->chan.tx, event);
  torc_wbuf_u32(&r->chan.tx, info);
  upcall_simple(r);
}

static void h_terminate_complete(void *ctx, uint64_t handle, uint32_t status,
                                 const torc_upload_state *st) {
  runner *r = ctx;
  torc_wbuf *b = &r->chan.tx;
  torc_wbuf_begin(b, TORC_MSG_UP_TERMINATE_COMPLETE);
  torc_wbuf_u64(b, handle);
  torc_wbuf_u32(b, status);
  torc_wbuf_u8(b, st != NULL);
  if (st) {
    torc_wbuf_u32(b, st->rcv_nxt);
    torc_wbuf_u32(b, st->rcv_wnd);
    torc_wbuf_u64(b, st->buffered_id);
    torc_wbuf_chain(b, st->buffered_data);
    if (st->buffered_data) /* RCV-212: unchanged until returned */
      torc_runner_hold_handed_back(handle, st->buffered_id, st->buffered_data);
  }
  upcall_simple(r);
}

/* ---- Operations from the host -------------------------------------------- */

static int protocol_error(runner *r, const char *what) {
  torc_wire_fail(&r->chan, TORC_WIRE_PROTOCOL, "protocol error: %s", what);
  return -1;
}

static uint64_t conn_token(const runner *r, size_t i) {
  return ((uint64_t)r->conns[i].gen << 32) | (uint64_t)(i + 1);
}

static rconn *find_conn(runner *r, uint64_t token) {
  uint64_t i = (token & 0xFFFFFFFFu);
  if (i == 0 || i > r->nconns)
    return NULL;
  rconn *c = &r->conns[i - 1];
  return c->used && c->gen == (uint32_t)(token >> 32) ? c : NULL;
}

static int op_hello(runner *r, torc_rbuf *rb) {
  uint32_t magic = torc_rbuf_u32(rb);
  unsigned proto = torc_rbuf_u16(rb);
  uint32_t host_abi = torc_rbuf_u32(rb);
  char err[TORC_ERRBUF_SIZE] = "";
  if (r->loaded)
    return protocol_error(r, "second HELLO");
  if (magic != TORC_WIRE_MAGIC) {
    snprintf(err, sizeof err,
             "HELLO: field 'magic' (u32 at offset 1) is 0x%08x, expected "
             "0x%08x (\"TORC\")",
             magic, TORC_WIRE_MAGIC);
    return protocol_error(r, err);
  }
  /* The host offers the newest protocol it speaks; the runner answers the
   * newest both speak (an older torc's 1 is served the old way). */
  r->proto = proto < r->max_proto ? proto : r->max_proto;
  if (proto < TORC_WIRE_PROTO_MIN)
    snprintf(err, sizeof(err), "host speaks wire protocol %u, runner %u to %u",
             proto, TORC_WIRE_PROTO_MIN, TORC_WIRE_PROTO_VERSION);
  else if (host_abi < TORC_TARGET_ABI_VERSION)
    snprintf(err, sizeof(err),
             "host ABI %u is older than the runner's (ABI %u)", host_abi,
             TORC_TARGET_ABI_VERSION);
  else
    torc_load(r->spec, &r->host, r, &r->loaded, &r->t, err);
  ret_begin(r, TORC_MSG_HELLO);
  torc_wbuf *b = &r->chan.tx;
  if (!r->loaded) {
    torc_wbuf_u8(b, 0);
    torc_wbuf_str(b, err);
    torc_wire_send(&r->chan);
    fprintf(stderr, "torc-target-runner: %s\n", err);
    _exit(2);
  }
  torc_wbuf_u8(b, 1);
  torc_wbuf_u16(b, (uint16_t)r->proto);
  torc_wbuf_u32(b, r->t.abi_version);
  torc_wbuf_u32(b, r->t.struct_size);
  torc_wbuf_u64(b, r->t.capabilities);
  torc_wbuf_str(b, r->t.name);
  torc_wbuf_str(b, r->t.version);
  /* The declared limits (0: none), an optional tail since issue 14. */
  torc_wbuf_u32(b, r->t.max_initial_rcv_wnd);
  torc_wbuf_u32(b, r->t.max_buffered_bytes);
  /* What the adapter reports of its device, a further tail (issue 17). */
  torc_wbuf_str(b, r->t.driver ? r->t.driver : "");
  torc_wbuf_str(b, r->t.firmware ? r->t.firmware : "");
  return torc_wire_send(&r->chan);
}

static int op_conn_open(runner *r, torc_rbuf *rb) {
  uint64_t handle = torc_rbuf_u64(rb);
  size_t i = 0;
  while (i < r->nconns && r->conns[i].used)
    i++;
  if (i == r->nconns) {
    rconn *n = realloc(r->conns, (r->nconns + 1) * sizeof(*n));
    if (!n)
      return protocol_error(r, "out of memory");
    r->conns = n;
    memset(&r->conns[r->nconns++], 0, sizeof(*n));
  }
  rconn *c = &r->conns[i];
  void *conn = NULL;
  int rc = r->t.conn_open(r->t.user_data, handle, &conn);
  if (rc == 0) {
    unsigned gen = c->gen + 1;
    memset(c, 0, sizeof(*c));
    c->used = 1;
    c->gen = gen;
    c->conn = conn;
    c->handle = handle;
  }
  ret_begin(r, TORC_MSG_OP_CONN_OPEN);
  torc_wbuf_u32(&r->chan.tx, (uint32_t)rc);
  torc_wbuf_u64(&r->chan.tx, rc == 0 ? conn_token(r, i) : 0);
  return torc_wire_send(&r->chan);
}

static int op_conn_close(runner *r, rconn *c) {
  r->t.conn_close(r->t.user_data, c->conn);
  torc_runner_holds_drop(c->handle);
  drop_buffered(c);
  c->used = 0;
  for (size_t i = r->nreqs; i-- > 0;)
    if (r->reqs[i].handle == c->handle)
      drop_req(r, i);
  ret_begin(r, TORC_MSG_OP_CONN_CLOSE);
  return torc_wire_send(&r->chan);
}

static int op_initiate_offload(runner *r, rconn *c, torc_rbuf *rb) {
  /* A new offload replaces the previous copy (its lifetime ended with the
   * previous completion). */
  drop_buffered(c);
  if (torc_wire_get_offload_state(rb, &c->st_mem, &c->st) != 0)
    return protocol_error(r, "malformed offload state");
  c->has_st = 1;
  if (torc_runner_protect_chain(c->st.buffered_data, r->page, &c->bd_map,
                                &c->bd_len) != 0)
    return protocol_error(r, "out of memory");
  r->t.initiate_offload(r->t.user_data, c->conn, &c->st);
  ret_begin(r, TORC_MSG_OP_INITIATE_OFFLOAD);
  return torc_wire_send(&r->chan);
}

static int op_receive(runner *r, rconn *c, torc_rbuf *rb) {
  uint32_t count = torc_rbuf_u32(rb); /* validated: count * 17 <= left */
  torc_recv_request *reqs = calloc(count ? count : 1, sizeof(*reqs));
  if (!reqs)
    return protocol_error(r, "out of memory");
  for (uint32_t i = 0; i < count; i++) {
    torc_recv_request *q = &reqs[i];
    q->id = torc_rbuf_u64(rb);
    q->size = torc_rbuf_u32(rb);
    q->prefilled = torc_rbuf_u32(rb);
    q->push = torc_rbuf_u8(rb);
    const uint8_t *pre = torc_rbuf_bytes(rb, q->prefilled);
    if (rb->err || q->prefilled > q->size) {
      free(reqs);
      return protocol_error(r, "malformed OP_RECEIVE");
    }
    if (r->nreqs == r->capreqs) {
      size_t cap = r->capreqs ? r->capreqs * 2 : 16;
      rreq *n = realloc(r->reqs, cap * sizeof(*n));
      if (!n) {
        free(reqs);
        return protocol_error(r, "out of memory");
      }
      r->reqs = n;
      r->capreqs = cap;
    }
    rreq *rq = &r->reqs[r->nreqs];
    if (map_request(r, rq, q->size) != 0) {
      free(reqs);
      return protocol_error(r, "cannot map a request buffer");
    }
    rq->id = q->id;
    rq->handle = c->handle;
    rq->prefilled = q->prefilled;
    if (q->prefilled)
      memcpy(rq->buf, pre, q->prefilled);
    q->buf = rq->buf;
    r->nreqs++;
  }
  uint32_t status = r->t.receive(r->t.user_data, c->conn, reqs, count);
  free(reqs);
  ret_begin(r, TORC_MSG_OP_RECEIVE);
  torc_wbuf_u32(&r->chan.tx, status);
  return torc_wire_send(&r->chan);
}

static int op_receive_return(runner *r, rconn *c, torc_rbuf *rb) {
  uint32_t count = torc_rbuf_u32(rb); /* validated: count * 8 <= left */
  uint64_t *ids = calloc(count ? count : 1, sizeof(*ids));
  if (!ids)
    return protocol_error(r, "out of memory");
  for (uint32_t i = 0; i < count; i++) {
    ids[i] = torc_rbuf_u64(rb);
    torc_runner_hold_returned(c->handle, ids[i]); /* the target's again */
  }
  r->t.receive_return(r->t.user_data, c->conn, ids, count);
  free(ids);
  ret_begin(r, TORC_MSG_OP_RECEIVE_RETURN);
  return torc_wire_send(&r->chan);
}

static int op_segment(runner *r, rconn *c, torc_rbuf *rb) {
  torc_segment seg;
  if (torc_wire_get_segment(rb, &seg) != 0)
    return protocol_error(r, "malformed segment");
  /* The frame is borrowed for the call: like the host, copy it to a scratch
   * buffer and poison that afterwards, so a target keeping pointers into it
   * delivers poison in and out of process alike. */
  size_t need = (size_t)seg.frame_len + seg.payload_len;
  if (r->in_segment) /* a segment from inside this segment's call */
    return protocol_error(r, "OP_SEGMENT nested in OP_SEGMENT");
  torc_runner_frame *f = &r->frame;
  if (torc_runner_frame_reserve(f, need, r->page) != 0)
    return protocol_error(r, "out of memory");
  if (seg.frame) {
    memcpy(f->rw, seg.frame, seg.frame_len);
    if (seg.payload >= seg.frame && seg.payload <= seg.frame + seg.frame_len)
      seg.payload = f->ro + (seg.payload - seg.frame);
    else if (seg.payload) {
      memcpy(f->rw + seg.frame_len, seg.payload, seg.payload_len);
      seg.payload = f->ro + seg.frame_len;
    }
    seg.frame = f->ro;
  } else if (seg.payload) {
    memcpy(f->rw, seg.payload, seg.payload_len);
    seg.payload = f->ro;
  }
  /* Read-only to the target: a write is the frame rule broken (on_segv of
   * torc_runner_memory.c), not a silent change to what the host lent. */
  r->in_segment = 1;
  torc_runner_frame_lend(f);
  r->t.segment(r->t.user_data, c->conn, &seg);
  r->in_segment = 0;
  torc_runner_frame_back(f);
  if (need)
    memset(f->rw, TORC_WIRE_POISON, need);
  ret_begin(r, TORC_MSG_OP_SEGMENT);
  return torc_wire_send(&r->chan);
}

static int op_get_stats(runner *r, rconn *c) {
  torc_target_stats s;
  memset(&s, 0, sizeof(s));
  s.struct_size = sizeof(s);
  int rc = r->t.get_stats ? r->t.get_stats(r->t.user_data, c->conn, &s) : -1;
  ret_begin(r, TORC_MSG_OP_GET_STATS);
  torc_wbuf_u32(&r->chan.tx, (uint32_t)rc);
  torc_wire_put_stats(&r->chan.tx, &s);
  return torc_wire_send(&r->chan);
}

static int dispatch(void *ctx, const uint8_t *body, size_t len) {
  runner *r = ctx;
  torc_rbuf rb;
  torc_rbuf_init(&rb, body, len);
  unsigned type = torc_rbuf_u8(&rb);
  if (type == TORC_MSG_HELLO)
    return op_hello(r, &rb);
  if (type == TORC_MSG_OP_ALLOC_POLICY && r->loaded && r->proto >= 2) {
    r->allocs.policy = torc_rbuf_u8(&rb); /* validated: 0..2; no RET */
    return 0;
  }
  if (!r->loaded || type < TORC_MSG_OP_DESTROY || type > TORC_MSG_OP_RESET) {
    char what[64];
    snprintf(what, sizeof(what), "unexpected %s%s", torc_wire_type_name(type),
             r->loaded ? "" : " before HELLO");
    return protocol_error(r, what);
  }
  if (type == TORC_MSG_OP_DESTROY) {
    torc_unload(r->loaded); /* calls destroy */
    r->loaded = NULL;
    r->done = 1;
    ret_begin(r, TORC_MSG_OP_DESTROY);
    return torc_wire_send(&r->chan);
  }
  if (type == TORC_MSG_OP_RESET) {
    /* A fresh instance for the next vector: nothing of the previous one
     * (clock, counters, connections) survives, as with a fork in process. */
    for (size_t i = r->nreqs; i-- > 0;)
      drop_req(r, i);
    torc_runner_alloc_reset(&r->allocs); /* the host's quotas start again */
    for (size_t i = 0; i < r->nconns; i++) {
      drop_buffered(&r->conns[i]);
      r->conns[i].used = 0;
      torc_runner_holds_drop(r->conns[i].handle);
    }
    torc_unload(r->loaded);
    char err[TORC_ERRBUF_SIZE] = "";
    int rc = torc_load(r->spec, &r->host, r, &r->loaded, &r->t, err);
    ret_begin(r, TORC_MSG_OP_RESET);
    torc_wbuf_u32(&r->chan.tx, (uint32_t)rc);
    torc_wbuf_str(&r->chan.tx, err);
    if (torc_wire_send(&r->chan) != 0 || rc != 0)
      die_protocol(r);
    return 0;
  }
  if (type == TORC_MSG_OP_ADVANCE_TIME) {
    r->t.advance_time(r->t.user_data, torc_rbuf_u64(&rb));
    ret_begin(r, TORC_MSG_OP_ADVANCE_TIME);
    return torc_wire_send(&r->chan);
  }
  if (type == TORC_MSG_OP_CONN_OPEN)
    return op_conn_open(r, &rb);
  rconn *c = find_conn(r, torc_rbuf_u64(&rb));
  if (!c)
    return protocol_error(r, "unknown connection");
  switch (type) {
  case TORC_MSG_OP_CONN_CLOSE:
    return op_conn_close(r, c);
  case TORC_MSG_OP_INITIATE_OFFLOAD:
    return op_initiate_offload(r, c, &rb);
  case TORC_MSG_OP_RECEIVE:
    return op_receive(r, c, &rb);
  case TORC_MSG_OP_RECEIVE_RETURN:
    return op_receive_return(r, c, &rb);
  case TORC_MSG_OP_SEGMENT:
    return op_segment(r, c, &rb);
  case TORC_MSG_OP_TERMINATE_OFFLOAD:
    r->t.terminate_offload(r->t.user_data, c->conn);
    ret_begin(r, TORC_MSG_OP_TERMINATE_OFFLOAD);
    return torc_wire_send(&r->chan);
  default: /* TORC_MSG_OP_GET_STATS */
    return op_get_stats(r, c);
  }
}

/* ---- main ---------------------------------------------------------------- */

static void usage(FILE *f) {
  fprintf(f, "usage: torc-target-runner [--target reference|null|PATH.so] "
             "[--fd N] [--mem-limit MB] [--max-protocol N] [--contain]\n"
             "\n"
             "Serves one offload target over the torc wire protocol\n"
             "(docs/wire-protocol.md) on stdin/stdout, or on the inherited\n"
             "descriptor N.  Run it from torc as\n"
             "  torc run --target 'exec:torc-target-runner --target PATH.so'\n"
             "\n"
             "  --target T      what to serve (default: reference)\n"
             "  --fd N          speak on descriptor N instead of stdin/stdout\n"
             "  --mem-limit MB  address-space limit of this process (default "
             "2048, 0: none)\n"
             "  --max-protocol N  answer HELLO with wire protocol N at most "
             "(1 or 2,\n"
             "                  default 2; 1: every allocation asked of the "
             "host)\n"
             "  --contain       sandbox this process before loading the "
             "target:\n"
             "                  no capabilities, a seccomp filter against "
             "signalling,\n"
             "                  tracing or writing into other processes, "
             "subreaper of\n"
             "                  whatever the target starts (how torc runs a "
             ".so)\n"
             "\n"
             "Exit status: 0 done, 2 usage or load error, 3 protocol error.\n");
}

int main(int argc, char **argv) {
  runner r;
  memset(&r, 0, sizeof(r));
  r.spec = "reference";
  r.max_proto = TORC_WIRE_PROTO_VERSION;
  long fd = -1;
  int contain = 0;
  long mem_mb = TORC_ASAN ? 0 : 2048;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    char *end;
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
      usage(stdout);
      return 0;
    } else if (!strcmp(a, "--version")) {
      printf("torc-target-runner %s (wire protocol %u, ABI %u)\n",
             TORC_VERSION_STRING, TORC_WIRE_PROTO_VERSION,
             TORC_TARGET_ABI_VERSION);
      return 0;
    } else if (!strcmp(a, "--contain")) {
      contain = 1;
    } else if (!strcmp(a, "--target") && i + 1 < argc) {
      r.spec = argv[++i];
    } else if (!strcmp(a, "--fd") && i + 1 < argc) {
      fd = strtol(argv[++i], &end, 10);
      if (*end || fd < 0 || fcntl((int)fd, F_GETFD) < 0) {
        fprintf(stderr,
                "torc-target-runner: --fd %s: not an open "
                "descriptor\n",
                argv[i]);
        return 2;
      }
    } else if (!strcmp(a, "--max-protocol") && i + 1 < argc) {
      long v = strtol(argv[++i], &end, 10);
      if (*end || v < (long)TORC_WIRE_PROTO_MIN ||
          v > (long)TORC_WIRE_PROTO_VERSION) {
        fprintf(stderr, "torc-target-runner: --max-protocol %s: not %u to %u\n",
                argv[i], TORC_WIRE_PROTO_MIN, TORC_WIRE_PROTO_VERSION);
        return 2;
      }
      r.max_proto = (unsigned)v;
    } else if (!strcmp(a, "--mem-limit") && i + 1 < argc) {
      mem_mb = strtol(argv[++i], &end, 10);
      if (*end || mem_mb < 0) {
        fprintf(stderr,
                "torc-target-runner: --mem-limit %s: not a number of "
                "MB\n",
                argv[i]);
        return 2;
      }
    } else {
      fprintf(stderr,
              "torc-target-runner: unknown or incomplete option "
              "'%s'\n",
              a);
      usage(stderr);
      return 2;
    }
  }
  if (TORC_ASAN)
    mem_mb = 0;
  if (mem_mb > 0) {
    struct rlimit rl = {(rlim_t)mem_mb << 20, (rlim_t)mem_mb << 20};
    setrlimit(RLIMIT_AS, &rl);
  }
  signal(SIGPIPE, SIG_IGN);
  torc_runner_catch_writes();
  /* The protocol gets private descriptors; whatever the target prints on
   * stdout goes to stderr instead of corrupting the stream. */
  int in = fd >= 0 ? (int)fd : dup(0);
  int out = fd >= 0 ? (int)fd : dup(1);
  if (in < 0 || out < 0) {
    perror("torc-target-runner: dup");
    return 2;
  }
  if (fd < 0) {
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) {
      dup2(devnull, 0);
      close(devnull);
    }
  }
  dup2(2, 1);
  fcntl(in, F_SETFD, FD_CLOEXEC);
  fcntl(out, F_SETFD, FD_CLOEXEC);
  long page = sysconf(_SC_PAGESIZE);
  r.page = page > 0 ? (size_t)page : 4096;
  r.host.struct_size = sizeof(r.host);
  r.host.alloc = h_alloc;
  r.host.free = h_free;
  r.host.log = h_log;
  r.host.initiate_offload_complete = h_offload_complete;
  r.host.receive_complete = h_receive_complete;
  r.host.receive_indicate = h_receive_indicate;
  r.host.event_indicate = h_event;
  r.host.terminate_offload_complete = h_terminate_complete;
  torc_wire_chan_init(&r.chan, in, out, dispatch, &r);
  r.allocs.chan = &r.chan;
  if (contain) {
    char err[256];
    if (torc_runner_contain(err, sizeof err) != 0) {
      fprintf(stderr, "torc-target-runner: --contain: %s\n", err);
      return 2;
    }
  }
  while (!r.done) {
    uint8_t *body;
    size_t len;
    if (torc_wire_recv(&r.chan, &body, &len) != 0) {
      if (r.chan.failed == TORC_WIRE_EOF)
        break; /* the host went away: nothing more to serve */
      die_protocol(&r);
    }
    int rc = body[0] == TORC_MSG_RET
                 ? protocol_error(&r, "RET with no call outstanding")
                 : dispatch(&r, body, len);
    free(body);
    if (rc != 0 || r.chan.failed)
      die_protocol(&r);
  }
  if (r.loaded)
    torc_unload(r.loaded);
  for (size_t i = r.nreqs; i-- > 0;)
    drop_req(&r, i);
  for (size_t i = 0; i < r.nconns; i++)
    drop_buffered(&r.conns[i]);
  free(r.conns);
  free(r.reqs);
  torc_runner_blocks_free();
  torc_runner_holds_free();
  torc_runner_frame_free(&r.frame);
  torc_wire_chan_free(&r.chan);
  return 0;
}
