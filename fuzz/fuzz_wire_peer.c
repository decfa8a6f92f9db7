/*
 * fuzz_wire_peer.c - libFuzzer target for the host side of the wire
 * protocol: the fuzzer is a hostile "exec:" target.
 *
 * Where it sits: in a run, torc_proxy (harness/targets/torc_proxy*.c) sends
 * an operation to the child and reads what the child answers through the
 * channel (torc_wire_chan.c: the length prefix, torc_wire_validate), serving
 * each upcall (torc_px_dispatch: allocation tokens, completions copied into
 * the host's buffers, indications and handed-back data held) until the RET,
 * which the operation then decodes.  Here the child's bytes are the input,
 * read from a memory file; no process is started.
 *
 * Input: byte 0 picks the first operation the host is waiting on (then the
 * next one after each RET); the rest is the stream the child sends.  Two
 * requests are posted before the first call, in buffers of exactly their
 * size, so a completion copying past one is an ASan report.  The fake host
 * reads every byte it is given.  Oracles: a RET that passed validation
 * decodes without error as its operation reads it; a failed wait says why;
 * nothing leaks.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "torc_proxy_int.h"
#include "torc_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const unsigned calls[] = {
    TORC_MSG_HELLO,           TORC_MSG_OP_CONN_OPEN,
    TORC_MSG_OP_RECEIVE,      TORC_MSG_OP_SEGMENT,
    TORC_MSG_OP_GET_STATS,    TORC_MSG_OP_RESET,
    TORC_MSG_OP_ADVANCE_TIME, TORC_MSG_OP_TERMINATE_OFFLOAD,
};
#define NCALLS (sizeof calls / sizeof calls[0])
/* The sizes of the two posted requests. */
#define REQ_A 7u
#define REQ_B 300u

static volatile unsigned sink;

static void touch(const void *p, size_t n) {
  const uint8_t *b = p;
  for (size_t i = 0; i < n; i++)
    sink += b[i];
}

/* ---- The host: reads what it is given, as the engine would ------------- */

static void *h_alloc(void *ctx, size_t size) {
  return size <= (1u << 20) ? malloc(size ? size : 1) : NULL;
}
/* The proxy's own stand-in for a pointer the target does not hold (UP_FREE
 * of token 0) lies inside the proxy: a real host finds it in no table. */
static const void *proxy_lo, *proxy_hi;
static void h_free(void *ctx, void *p) {
  if ((const char *)p >= (const char *)proxy_lo &&
      (const char *)p < (const char *)proxy_hi)
    return;
  free(p);
}
static void h_log(void *ctx, int level, const char *msg) {
  touch(msg, strlen(msg));
}
static void h_offload_complete(void *ctx, uint64_t h, uint32_t status) {
  sink += status;
}
static void h_receive_complete(void *ctx, uint64_t h, const torc_completion *c,
                               uint32_t count) {
  touch(c, count * sizeof *c);
}
static uint32_t h_receive_indicate(void *ctx, uint64_t h, uint64_t id,
                                   uint32_t status, const torc_fragment *frags,
                                   uint32_t nfrags, uint32_t *consumed) {
  uint32_t total = 0;
  for (uint32_t i = 0; i < nfrags; i++) {
    touch(frags[i].data, frags[i].len);
    total += frags[i].len;
  }
  switch (id % 3) {
  case 0:
    return TORC_STATUS_SUCCESS;
  case 1:
    *consumed = total / 2;
    return TORC_STATUS_OFFLOAD_DATA_PARTIALLY_ACCEPTED;
  default:
    return TORC_STATUS_OFFLOAD_DATA_NOT_ACCEPTED;
  }
}
static void h_event(void *ctx, uint64_t h, uint32_t event, uint32_t info) {
  sink += event + info;
}
static void h_terminate_complete(void *ctx, uint64_t h, uint32_t status,
                                 const torc_upload_state *st) {
  if (!st)
    return;
  for (const torc_buffer_list *l = st->buffered_data; l; l = l->next)
    for (uint32_t i = 0; i < l->nfrags; i++)
      touch(l->frags[i].data, l->frags[i].len);
}

static const torc_host_ops host = {
    .struct_size = sizeof(torc_host_ops),
    .alloc = h_alloc,
    .free = h_free,
    .log = h_log,
    .initiate_offload_complete = h_offload_complete,
    .receive_complete = h_receive_complete,
    .receive_indicate = h_receive_indicate,
    .event_indicate = h_event,
    .terminate_offload_complete = h_terminate_complete,
};

/* Decodes a RET as the operation that waited for it does
 * (torc_proxy_ops.c, torc_proxy.c); returns r->err. */
static int decode_ret(unsigned call, torc_rbuf *r) {
  char s[TORC_WIRE_MAX_STR + 1];
  torc_target_stats st;
  switch (call) {
  case TORC_MSG_HELLO:
    if (torc_rbuf_u8(r)) {
      torc_rbuf_u16(r);
      torc_rbuf_u32(r);
      torc_rbuf_u32(r);
      torc_rbuf_u64(r);
      torc_rbuf_str(r, s, sizeof s);
    }
    torc_rbuf_str(r, s, sizeof s);
    break;
  case TORC_MSG_OP_CONN_OPEN:
    torc_rbuf_u32(r);
    torc_rbuf_u64(r);
    break;
  case TORC_MSG_OP_RECEIVE:
    torc_rbuf_u32(r);
    break;
  case TORC_MSG_OP_GET_STATS:
    torc_rbuf_u32(r);
    memset(&st, 0, sizeof st);
    torc_wire_get_stats(r, &st);
    break;
  case TORC_MSG_OP_RESET:
    torc_rbuf_u32(r);
    torc_rbuf_str(r, s, sizeof s);
    break;
  default:
    break;
  }
  return r->err;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  torc_proxy p;
  size_t k = 0;
  if (size < 1)
    return 0;
  proxy_lo = &p;
  proxy_hi = &p + 1;
  int fd_in = memfd_create("torc_fuzz_wire_peer", MFD_CLOEXEC);
  int fd_out = open("/dev/null", O_WRONLY | O_CLOEXEC);
  if (fd_in < 0 || fd_out < 0)
    abort();
  if (size > 1 && write(fd_in, data + 1, size - 1) != (ssize_t)(size - 1))
    abort();
  lseek(fd_in, 0, SEEK_SET);

  memset(&p, 0, sizeof p);
  p.host = &host;
  p.fd = -1;
  p.timeout_ms = 1000;
  torc_wire_chan_init(&p.chan, fd_in, fd_out, torc_px_dispatch, &p);
  /* Two posted requests of connection 1, ids 1 and 2; each buffer is a
   * heap block of exactly its size. */
  uint8_t *a = malloc(REQ_A), *b = malloc(REQ_B);
  torc_recv_request ra = {.id = 1, .buf = a, .size = REQ_A};
  torc_recv_request rb = {.id = 2, .buf = b, .size = REQ_B};
  if (!a || !b || torc_px_add_req(&p, &ra, 1) || torc_px_add_req(&p, &rb, 1))
    abort();

  for (unsigned i = data[0];; i++) {
    unsigned call = calls[i % NCALLS];
    uint8_t *ret = NULL;
    torc_rbuf r;
    torc_wbuf_begin(&p.chan.tx, call);
    torc_wbuf_u64(&p.chan.tx, 1);
    if (torc_wire_call(&p.chan, &ret, &r) != 0) {
      if (!p.chan.failed || !p.chan.why[0])
        abort(); /* a failed wait must say why */
      free(ret);
      break;
    }
    if (decode_ret(call, &r) != 0)
      abort(); /* validated, so its operation must read it whole */
    free(ret);
    if (++k > 1000)
      break;
    /* The host gives back what it may have kept. */
    for (uint64_t id = 0; id < 4; id++)
      torc_px_release_hold(&p, id);
  }

  torc_px_drop_conn_records(&p, 0, 1);
  torc_px_drop_allocs(&p);
  free(p.allocs);
  free(p.reqs);
  torc_wire_chan_free(&p.chan);
  free(a);
  free(b);
  close(fd_in);
  close(fd_out);
  return 0;
}
