/*
 * torc_proxy_upcalls.c - the child's upcalls served as calls of the host's
 * callbacks.
 *
 * Where it sits: the channel (torc_wire.h) calls torc_px_dispatch for every
 * call the child makes while the proxy waits for a reply; each upcall is
 * bounds-checked, copied into memory the proxy owns (torc_proxy_records.c)
 * and passed to the host.  A malformed upcall is a protocol error: every
 * wait is aborted and the child is killed (torc_proxy_child.c).
 */
#include "torc_proxy_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int protocol_error(torc_proxy *p, const char *what) {
  torc_wire_fail(&p->chan, TORC_WIRE_PROTOCOL, "protocol error: %s", what);
  return -1;
}

/* The per-vector quotas on what the target holds through the host: 0, or
 * -1 after the protocol error naming the one size would break. */
static int alloc_quota(torc_proxy *p, uint64_t size) {
  char what[128];
  if (p->held_blocks >= TORC_PROXY_MAX_BLOCKS) {
    torc_wire_fmt(what, sizeof what,
                  "quota: the target holds %u blocks allocated through the "
                  "host, the most one vector may",
                  TORC_PROXY_MAX_BLOCKS);
    return protocol_error(p, what);
  }
  if (size > TORC_PROXY_MAX_HELD - p->held_bytes) {
    torc_wire_fmt(what, sizeof what,
                  "quota: the target allocated more than %llu MiB through "
                  "the host during one vector",
                  (unsigned long long)(TORC_PROXY_MAX_HELD >> 20));
    return protocol_error(p, what);
  }
  return 0;
}

static int up_alloc(torc_proxy *p, torc_rbuf *r) {
  uint64_t size = torc_rbuf_u64(r);
  void *blk = NULL;
  if (alloc_quota(p, size) != 0)
    return -1;
  if (size <= SIZE_MAX && p->host->alloc)
    blk = p->host->alloc(p->host_ctx, (size_t)size);
  uint64_t token = 0;
  if (blk) {
    size_t i = 0;
    while (i < p->nallocs && p->allocs[i])
      i++;
    if (i == p->nallocs) {
      if (p->nallocs == p->capallocs) {
        size_t cap = p->capallocs ? p->capallocs * 2 : 64;
        void **n = realloc(p->allocs, cap * sizeof(*n));
        if (!n) {
          p->host->free(p->host_ctx, blk);
          return protocol_error(p, "out of memory for an allocation token");
        }
        p->allocs = n;
        p->capallocs = cap;
      }
      p->nallocs++;
    }
    p->allocs[i] = blk;
    token = i + 1;
    p->held_blocks++;
    p->held_bytes += size;
  }
  torc_wire_ret_begin(&p->chan, TORC_MSG_UP_ALLOC);
  torc_wbuf_u64(&p->chan.tx, token);
  return torc_wire_send(&p->chan);
}

/* Version 2: the child served (token != 0) or refused (token 0) one of its
 * target's allocations under the policy the host stated (OP_ALLOC_POLICY).
 * The host's hook is asked now, as it would have been in process, so its
 * accounting (leaks, refused allocations, RCV-233) is what it would be;
 * its answer must agree with what the child did. */
static int up_allocated(torc_proxy *p, torc_rbuf *r) {
  uint64_t size = torc_rbuf_u64(r), token = torc_rbuf_u64(r);
  char what[224];
  if (p->proto < 2)
    return protocol_error(p, "UP_ALLOCATED from a target that answered "
                             "HELLO with protocol 1");
  if (p->policy_sent == TORC_ALLOC_ASK)
    return protocol_error(p, "UP_ALLOCATED while the host's allocation "
                             "policy is ASK (OP_ALLOC_POLICY): each "
                             "allocation must be asked with UP_ALLOC");
  if (alloc_quota(p, size) != 0)
    return -1;
  void *blk = NULL;
  if (size <= SIZE_MAX && p->host->alloc)
    blk = p->host->alloc(p->host_ctx, (size_t)size);
  if (!token) { /* the target got NULL: whatever the hook lent goes back */
    if (blk && p->host->free)
      p->host->free(p->host_ctx, blk);
    return 0;
  }
  if (!blk) {
    torc_wire_fmt(what, sizeof what,
                  "UP_ALLOCATED: the target side served %llu bytes (token "
                  "%llu) that the host's allocation hook refused (policy %s)",
                  (unsigned long long)size, (unsigned long long)token,
                  p->policy_sent == TORC_ALLOC_REFUSE ? "REFUSE" : "SERVE");
    return protocol_error(p, what);
  }
  int given = token <= p->nallocs && p->allocs[token - 1]; /* by UP_ALLOC */
  if (given || torc_px_blk_put(p, token, blk) != 0) {
    if (p->host->free)
      p->host->free(p->host_ctx, blk);
    torc_wire_fmt(what, sizeof what,
                  "UP_ALLOCATED: field 'token' is %llu, which already names "
                  "a block the target holds",
                  (unsigned long long)token);
    return protocol_error(p, what);
  }
  p->held_blocks++;
  p->held_bytes += size;
  return 0;
}

static int up_free(torc_proxy *p, torc_rbuf *r) {
  uint64_t token = torc_rbuf_u64(r);
  if (token && p->proto >= 2 && p->nblks) {
    void *blk = torc_px_blk_take(p, token);
    if (blk) {
      if (p->held_blocks)
        p->held_blocks--;
      if (p->host->free)
        p->host->free(p->host_ctx, blk);
      return 0;
    }
  }
  if (token == 0) {
    /* The runner's word that the target freed a pointer it was not lent
     * (twice, or forged): the host judges it as in process, with a
     * pointer of the proxy's own that it never gave (RCV-233). */
    if (p->host->free)
      p->host->free(p->host_ctx, &p->never_lent);
    return 0;
  }
  if (token > p->nallocs || !p->allocs[token - 1]) {
    char what[96];
    torc_wire_fmt(what, sizeof what,
                  "UP_FREE: field 'token' is %llu, a block the host never gave",
                  (unsigned long long)token);
    return protocol_error(p, what);
  }
  void *blk = p->allocs[token - 1];
  p->allocs[token - 1] = NULL;
  if (p->held_blocks)
    p->held_blocks--;
  if (p->host->free)
    p->host->free(p->host_ctx, blk);
  return 0;
}

static int up_log(torc_proxy *p, torc_rbuf *r) {
  int level = (int)torc_rbuf_u32(r);
  char msg[TORC_WIRE_MAX_STR + 1];
  torc_rbuf_str(r, msg, sizeof(msg));
  if (p->host->log)
    p->host->log(p->host_ctx, level, msg);
  return 0;
}

static int up_offload_complete(torc_proxy *p, torc_rbuf *r) {
  uint64_t handle = torc_rbuf_u64(r);
  uint32_t status = torc_rbuf_u32(r);
  p->host->initiate_offload_complete(p->host_ctx, handle, status);
  torc_wire_ret_begin(&p->chan, TORC_MSG_UP_OFFLOAD_COMPLETE);
  return torc_wire_send(&p->chan);
}

static int up_receive_complete(torc_proxy *p, torc_rbuf *r) {
  uint64_t handle = torc_rbuf_u64(r);
  uint32_t count = torc_rbuf_u32(r); /* validated: count * 20 <= left */
  torc_completion *c = calloc(count ? count : 1, sizeof(*c));
  if (!c)
    return protocol_error(p, "out of memory for completions");
  for (uint32_t i = 0; i < count; i++) {
    c[i].id = torc_rbuf_u64(r);
    c[i].status = torc_rbuf_u32(r);
    c[i].bytes = torc_rbuf_u32(r);
    uint32_t datalen = torc_rbuf_u32(r);
    const uint8_t *data = torc_rbuf_bytes(r, datalen);
    if (r->err)
      break;
    long k = torc_px_find_req(p, c[i].id, handle);
    if (k >= 0) {
      /* Never beyond the host's buffer, whatever the child claims. */
      proxy_req *q = &p->reqs[k];
      uint32_t n = datalen < q->size ? datalen : q->size;
      if (n)
        memcpy(q->buf, data, n);
      torc_px_remove_req(p, (size_t)k);
    }
  }
  if (r->err) {
    free(c);
    return protocol_error(p, "malformed UP_RECEIVE_COMPLETE");
  }
  p->host->receive_complete(p->host_ctx, handle, c, count);
  free(c);
  torc_wire_ret_begin(&p->chan, TORC_MSG_UP_RECEIVE_COMPLETE);
  return torc_wire_send(&p->chan);
}

static int up_receive_indicate(torc_proxy *p, torc_rbuf *r) {
  uint64_t handle = torc_rbuf_u64(r);
  uint64_t ind_id = torc_rbuf_u64(r);
  uint32_t status = torc_rbuf_u32(r);
  uint32_t nfrags = torc_rbuf_u32(r); /* validated: nfrags * 4 <= left */
  proxy_hold *h = torc_px_new_hold(ind_id, handle);
  torc_fragment *frags =
      h ? torc_arena_alloc(&h->mem, (nfrags ? nfrags : 1) * sizeof(*frags))
        : NULL;
  if (!frags) {
    if (h)
      torc_px_free_hold(h);
    return protocol_error(p, "out of memory for an indication");
  }
  for (uint32_t i = 0; i < nfrags && !r->err; i++) {
    uint32_t len = torc_rbuf_u32(r);
    const uint8_t *src = torc_rbuf_bytes(r, len);
    uint8_t *dst = src ? torc_arena_alloc(&h->mem, len) : NULL;
    if (!dst) {
      r->err = 1;
      break;
    }
    if (len)
      memcpy(dst, src, len);
    frags[i].data = dst;
    frags[i].len = len;
  }
  if (r->err) {
    torc_px_free_hold(h);
    return protocol_error(p, "malformed UP_RECEIVE_INDICATE");
  }
  h->frags = frags;
  h->nfrags = nfrags;
  /* Linked before the call: the host may return it from inside. */
  torc_px_link_hold(p, h);
  uint32_t consumed = 0;
  uint32_t answer = p->host->receive_indicate(p->host_ctx, handle, ind_id,
                                              status, frags, nfrags, &consumed);
  /* A refused indication is not kept: the bytes are the target's again
   * (RCV-135). */
  if (answer != TORC_STATUS_SUCCESS &&
      answer != TORC_STATUS_OFFLOAD_DATA_PARTIALLY_ACCEPTED &&
      torc_px_unlink_hold(p, h))
    torc_px_free_hold(h);
  torc_wire_ret_begin(&p->chan, TORC_MSG_UP_RECEIVE_INDICATE);
  torc_wbuf_u32(&p->chan.tx, answer);
  torc_wbuf_u32(&p->chan.tx, consumed);
  return torc_wire_send(&p->chan);
}

static int up_event(torc_proxy *p, torc_rbuf *r) {
  uint64_t handle = torc_rbuf_u64(r);
  uint32_t event = torc_rbuf_u32(r);
  uint32_t info = torc_rbuf_u32(r);
  p->host->event_indicate(p->host_ctx, handle, event, info);
  torc_wire_ret_begin(&p->chan, TORC_MSG_UP_EVENT);
  return torc_wire_send(&p->chan);
}

static int up_terminate_complete(torc_proxy *p, torc_rbuf *r) {
  uint64_t handle = torc_rbuf_u64(r);
  uint32_t status = torc_rbuf_u32(r);
  uint8_t has = torc_rbuf_u8(r);
  torc_upload_state st;
  memset(&st, 0, sizeof(st));
  st.struct_size = sizeof(st);
  proxy_hold *h = NULL;
  if (has) {
    st.rcv_nxt = torc_rbuf_u32(r);
    st.rcv_wnd = torc_rbuf_u32(r);
    st.buffered_id = torc_rbuf_u64(r);
    h = torc_px_new_hold(st.buffered_id, handle);
    uint64_t total;
    if (!h ||
        torc_wire_get_chain(r, &h->mem, 1, &st.buffered_data, &total) != 0) {
      if (h)
        torc_px_free_hold(h);
      return protocol_error(p, "malformed UP_TERMINATE_COMPLETE");
    }
    if (st.buffered_data) {
      h->handback = 1;
      h->lists = st.buffered_data;
      torc_px_link_hold(p, h); /* until receive_return(buffered_id), RCV-212 */
    } else {
      torc_px_free_hold(h);
      h = NULL;
    }
  }
  p->host->terminate_offload_complete(p->host_ctx, handle, status,
                                      has ? &st : NULL);
  torc_wire_ret_begin(&p->chan, TORC_MSG_UP_TERMINATE_COMPLETE);
  return torc_wire_send(&p->chan);
}

/* The runner saw the target change bytes the host still holds (RCV-133,
 * RCV-212): the host's copy takes them, so the host's own check of them
 * when they are returned sees what the target did, as in process. */
static int up_hold_changed(torc_proxy *p, torc_rbuf *r) {
  uint64_t handle = torc_rbuf_u64(r), id = torc_rbuf_u64(r);
  int handback = torc_rbuf_u8(r);
  uint32_t nfrags = torc_rbuf_u32(r), k = 0;
  proxy_hold *h = p->holds;
  while (h && !(h->id == id && h->handle == handle && h->handback == handback))
    h = h->next;
  if (!h)
    return 0; /* returned meanwhile: nothing the host holds */
  const torc_buffer_list *l = h->lists;
  uint32_t li = 0;
  for (uint32_t i = 0; i < nfrags && !r->err; i++) {
    uint32_t len = torc_rbuf_u32(r);
    const uint8_t *src = torc_rbuf_bytes(r, len);
    const torc_fragment *f = NULL;
    if (!handback && k < h->nfrags)
      f = &h->frags[k++];
    while (handback && l && li >= l->nfrags) {
      l = l->next;
      li = 0;
    }
    if (handback && l)
      f = &l->frags[li++];
    if (!src || !f || f->len != len)
      return protocol_error(p, "UP_HOLD_CHANGED does not match the hold");
    if (len) /* the fragment bytes are the hold's own arena memory */
      memcpy((void *)(uintptr_t)f->data, src, len);
  }
  return r->err ? protocol_error(p, "malformed UP_HOLD_CHANGED") : 0;
}

int torc_px_dispatch(void *ctx, const uint8_t *body, size_t len) {
  torc_proxy *p = ctx;
  torc_rbuf r;
  torc_rbuf_init(&r, body, len);
  unsigned type = torc_rbuf_u8(&r);
  if (++p->upcalls > TORC_PROXY_MAX_UPCALLS) {
    char what[128];
    torc_wire_fmt(what, sizeof what,
                  "quota: more than %u upcalls during one vector",
                  TORC_PROXY_MAX_UPCALLS);
    return protocol_error(p, what);
  }
  switch (type) {
  case TORC_MSG_UP_ALLOC:
    return up_alloc(p, &r);
  case TORC_MSG_UP_FREE:
    return up_free(p, &r);
  case TORC_MSG_UP_LOG:
    return up_log(p, &r);
  case TORC_MSG_UP_OFFLOAD_COMPLETE:
    return up_offload_complete(p, &r);
  case TORC_MSG_UP_RECEIVE_COMPLETE:
    return up_receive_complete(p, &r);
  case TORC_MSG_UP_RECEIVE_INDICATE:
    return up_receive_indicate(p, &r);
  case TORC_MSG_UP_EVENT:
    return up_event(p, &r);
  case TORC_MSG_UP_TERMINATE_COMPLETE:
    return up_terminate_complete(p, &r);
  case TORC_MSG_UP_HOLD_CHANGED:
    return up_hold_changed(p, &r);
  case TORC_MSG_UP_ALLOCATED:
    return up_allocated(p, &r);
  default: {
    char what[160];
    torc_wire_fmt(what, sizeof(what),
                  "%s (type 0x%02x) from the target: a target sends only "
                  "upcalls (0x30..0x39) and RET (0x40)",
                  torc_wire_type_name(type), type);
    return protocol_error(p, what);
  }
  }
}
