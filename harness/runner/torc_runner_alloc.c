/*
 * torc_runner_alloc.c - the allocation hook torc-target-runner gives its
 * target.
 *
 * Where it sits: the runner's h_alloc and h_free call these; the blocks lent
 * are kept in torc_runner_memory.c's table (pointer -> token), so a double
 * free or a forged pointer reaches the host as UP_FREE(0) without reading
 * the target's memory (RCV-233).  Under policy ASK (wire protocol 1, and
 * version 2 until the host states a policy) each allocation is a call,
 * UP_ALLOC, answered with the host's token.  Under SERVE or REFUSE
 * (OP_ALLOC_POLICY, version 2) the runner answers at once and reports it
 * with a one-way UP_ALLOCATED, queued to go with its next message; the host
 * replays it through its own hook (torc_proxy_upcalls.c).  UP_FREE is
 * queued the same way.
 */
#include "torc_runner_alloc.h"

#include <stdlib.h>

#include "torc_proxy.h"
#include "torc_runner_memory.h"

/* One-way upcalls wait for the next message (torc_wire_post): the host
 * serves them first, in order, as if they had gone at once. */
static void send_free(torc_runner_allocs *a, uint64_t token) {
  torc_wbuf_begin(&a->chan->tx, TORC_MSG_UP_FREE);
  torc_wbuf_u64(&a->chan->tx, token);
  torc_wire_post(a->chan);
}

/* SERVE or REFUSE.  The runner's tokens have the top bit set, so they never
 * meet those the host gave through UP_ALLOC (before the first policy). */
static void *serve(torc_runner_allocs *a, size_t size) {
  void *blk = NULL;
  uint64_t token = 0;
  int over = a->vec_blocks >= TORC_PROXY_MAX_BLOCKS ||
             (uint64_t)size > TORC_PROXY_MAX_HELD - a->vec_bytes;
  if (!over && a->policy == TORC_ALLOC_SERVE) {
    blk = malloc(size ? size : 1);
    token = (1ull << 63) | ++a->next_token;
    if (blk && torc_runner_block_put(blk, token) != 0) {
      free(blk);
      blk = NULL;
    }
    if (!blk)
      token = 0;
  }
  torc_wbuf_begin(&a->chan->tx, TORC_MSG_UP_ALLOCATED);
  torc_wbuf_u64(&a->chan->tx, size);
  torc_wbuf_u64(&a->chan->tx, token);
  /* Past a quota the host ends the session: it must hear so at once. */
  if (torc_wire_post(a->chan) == 0 && over)
    torc_wire_flush(a->chan);
  if (blk) {
    a->vec_bytes += size;
    a->vec_blocks++;
  }
  return blk;
}

void *torc_runner_alloc(torc_runner_allocs *a, size_t size) {
  if (a->policy != TORC_ALLOC_ASK)
    return serve(a, size);
  torc_wbuf_begin(&a->chan->tx, TORC_MSG_UP_ALLOC);
  torc_wbuf_u64(&a->chan->tx, size);
  uint8_t *ret;
  torc_rbuf rb;
  if (torc_wire_call(a->chan, &ret, &rb) != 0 || rb.err) {
    free(ret);
    if (!a->chan->failed)
      torc_wire_fail(a->chan, TORC_WIRE_PROTOCOL, "malformed RET(UP_ALLOC)");
    return NULL;
  }
  uint64_t token = torc_rbuf_u64(&rb);
  free(ret);
  if (!token)
    return NULL; /* the host refused (fault injection) */
  void *blk = malloc(size ? size : 1);
  if (!blk || torc_runner_block_put(blk, token) != 0) {
    free(blk);
    send_free(a, token);
    return NULL;
  }
  return blk;
}

void torc_runner_free(torc_runner_allocs *a, void *ptr) {
  if (!ptr)
    return;
  uint64_t token = torc_runner_block_take(ptr);
  if (token)
    free(ptr);
  if (token && a->vec_blocks)
    a->vec_blocks--;
  send_free(a, token); /* 0: not lent now, the host says which rule */
}

void torc_runner_alloc_reset(torc_runner_allocs *a) {
  a->vec_bytes = 0;
  a->vec_blocks = 0;
}
