/*
 * torc_wire.c - messages of the out-of-process target protocol and the
 * channel that carries them (docs/wire-protocol.md).
 *
 * Where it sits: below torc_proxy.c (host side) and the torc-target-runner
 * (target side).  It knows the byte layout of every message and how calls
 * nest; it knows nothing of what an operation means.  Everything read from
 * the peer is untrusted: every count is checked against the bytes left in the
 * message before it sizes an allocation, and a message longer than
 * TORC_WIRE_MAX_MSG is refused before it is read.
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

const char *torc_wire_type_name(unsigned type) {
  switch (type) {
  case TORC_MSG_HELLO:
    return "HELLO";
  case TORC_MSG_OP_DESTROY:
    return "OP_DESTROY";
  case TORC_MSG_OP_CONN_OPEN:
    return "OP_CONN_OPEN";
  case TORC_MSG_OP_CONN_CLOSE:
    return "OP_CONN_CLOSE";
  case TORC_MSG_OP_INITIATE_OFFLOAD:
    return "OP_INITIATE_OFFLOAD";
  case TORC_MSG_OP_RECEIVE:
    return "OP_RECEIVE";
  case TORC_MSG_OP_RECEIVE_RETURN:
    return "OP_RECEIVE_RETURN";
  case TORC_MSG_OP_SEGMENT:
    return "OP_SEGMENT";
  case TORC_MSG_OP_ADVANCE_TIME:
    return "OP_ADVANCE_TIME";
  case TORC_MSG_OP_TERMINATE_OFFLOAD:
    return "OP_TERMINATE_OFFLOAD";
  case TORC_MSG_OP_GET_STATS:
    return "OP_GET_STATS";
  case TORC_MSG_OP_RESET:
    return "OP_RESET";
  case TORC_MSG_UP_ALLOC:
    return "UP_ALLOC";
  case TORC_MSG_UP_FREE:
    return "UP_FREE";
  case TORC_MSG_UP_LOG:
    return "UP_LOG";
  case TORC_MSG_UP_OFFLOAD_COMPLETE:
    return "UP_OFFLOAD_COMPLETE";
  case TORC_MSG_UP_RECEIVE_COMPLETE:
    return "UP_RECEIVE_COMPLETE";
  case TORC_MSG_UP_RECEIVE_INDICATE:
    return "UP_RECEIVE_INDICATE";
  case TORC_MSG_UP_EVENT:
    return "UP_EVENT";
  case TORC_MSG_UP_TERMINATE_COMPLETE:
    return "UP_TERMINATE_COMPLETE";
  case TORC_MSG_RET:
    return "RET";
  default:
    return "?";
  }
}

int torc_wire_type_wants_reply(unsigned type) {
  return type != TORC_MSG_UP_FREE && type != TORC_MSG_UP_LOG &&
         type != TORC_MSG_RET && strcmp(torc_wire_type_name(type), "?") != 0;
}

/* ---- Building ------------------------------------------------------------ */

static void wbuf_reserve(torc_wbuf *b, size_t more) {
  if (b->oom)
    return;
  if (more > SIZE_MAX / 2 - b->len) {
    b->oom = 1;
    return;
  }
  if (b->len + more <= b->cap)
    return;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < b->len + more)
    cap *= 2;
  uint8_t *p = realloc(b->p, cap);
  if (!p) {
    b->oom = 1;
    return;
  }
  b->p = p;
  b->cap = cap;
}

void torc_wbuf_begin(torc_wbuf *b, unsigned type) {
  b->len = 0;
  b->oom = 0;
  wbuf_reserve(b, 5);
  if (b->oom)
    return;
  memset(b->p, 0, 4);
  b->p[4] = (uint8_t)type;
  b->len = 5;
}

void torc_wbuf_bytes(torc_wbuf *b, const void *p, size_t n) {
  wbuf_reserve(b, n);
  if (b->oom || n == 0)
    return;
  memcpy(b->p + b->len, p, n);
  b->len += n;
}

void torc_wbuf_u8(torc_wbuf *b, uint8_t v) {
  torc_wbuf_bytes(b, &v, 1);
}

void torc_wbuf_u16(torc_wbuf *b, uint16_t v) {
  uint8_t x[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
  torc_wbuf_bytes(b, x, 2);
}

void torc_wbuf_u32(torc_wbuf *b, uint32_t v) {
  uint8_t x[4];
  for (int i = 0; i < 4; i++)
    x[i] = (uint8_t)(v >> (8 * i));
  torc_wbuf_bytes(b, x, 4);
}

void torc_wbuf_u64(torc_wbuf *b, uint64_t v) {
  uint8_t x[8];
  for (int i = 0; i < 8; i++)
    x[i] = (uint8_t)(v >> (8 * i));
  torc_wbuf_bytes(b, x, 8);
}

void torc_wbuf_str(torc_wbuf *b, const char *s) {
  size_t n = s ? strnlen(s, TORC_WIRE_MAX_STR) : 0;
  torc_wbuf_u32(b, (uint32_t)n);
  torc_wbuf_bytes(b, s, n);
}

void torc_wbuf_chain(torc_wbuf *b, const torc_buffer_list *chain) {
  uint32_t n = 0;
  for (const torc_buffer_list *l = chain; l; l = l->next)
    n++;
  torc_wbuf_u32(b, n);
  for (const torc_buffer_list *l = chain; l; l = l->next) {
    torc_wbuf_u32(b, l->frags ? l->nfrags : 0);
    for (uint32_t i = 0; l->frags && i < l->nfrags; i++) {
      uint32_t len = l->frags[i].data ? l->frags[i].len : 0;
      torc_wbuf_u32(b, len);
      torc_wbuf_bytes(b, l->frags[i].data, len);
    }
  }
}

int torc_wbuf_finish(torc_wbuf *b) {
  if (b->oom || b->len < 5 || b->len - 4 > TORC_WIRE_MAX_MSG)
    return -1;
  uint32_t n = (uint32_t)(b->len - 4);
  for (int i = 0; i < 4; i++)
    b->p[i] = (uint8_t)(n >> (8 * i));
  return 0;
}

void torc_wbuf_free(torc_wbuf *b) {
  free(b->p);
  memset(b, 0, sizeof(*b));
}

/* ---- Parsing ------------------------------------------------------------- */

void torc_rbuf_init(torc_rbuf *r, const uint8_t *p, size_t len) {
  r->p = p;
  r->len = len;
  r->pos = 0;
  r->err = 0;
}

size_t torc_rbuf_left(const torc_rbuf *r) {
  return r->err ? 0 : r->len - r->pos;
}

const uint8_t *torc_rbuf_bytes(torc_rbuf *r, size_t n) {
  if (r->err || n > r->len - r->pos) {
    r->err = 1;
    return NULL;
  }
  const uint8_t *p = r->p + r->pos;
  r->pos += n;
  return p;
}

static uint64_t rbuf_le(torc_rbuf *r, int n) {
  const uint8_t *p = torc_rbuf_bytes(r, (size_t)n);
  uint64_t v = 0;
  for (int i = 0; p && i < n; i++)
    v |= (uint64_t)p[i] << (8 * i);
  return v;
}

uint8_t torc_rbuf_u8(torc_rbuf *r) {
  return (uint8_t)rbuf_le(r, 1);
}

uint16_t torc_rbuf_u16(torc_rbuf *r) {
  return (uint16_t)rbuf_le(r, 2);
}

uint32_t torc_rbuf_u32(torc_rbuf *r) {
  return (uint32_t)rbuf_le(r, 4);
}

uint64_t torc_rbuf_u64(torc_rbuf *r) {
  return rbuf_le(r, 8);
}

void torc_rbuf_str(torc_rbuf *r, char *out, size_t n) {
  uint32_t len = torc_rbuf_u32(r);
  if (len > TORC_WIRE_MAX_STR)
    r->err = 1;
  const uint8_t *p = torc_rbuf_bytes(r, len);
  if (!n)
    return;
  size_t k = p ? (len < n - 1 ? len : n - 1) : 0;
  if (k)
    memcpy(out, p, k);
  out[k] = '\0';
}

void *torc_arena_alloc(torc_wire_arena *a, size_t size) {
  if (a->n == a->cap) {
    size_t cap = a->cap ? a->cap * 2 : 8;
    void **b = realloc(a->blocks, cap * sizeof(*b));
    if (!b)
      return NULL;
    a->blocks = b;
    a->cap = cap;
  }
  void *p = calloc(1, size ? size : 1);
  if (p)
    a->blocks[a->n++] = p;
  return p;
}

void torc_arena_free(torc_wire_arena *a) {
  for (size_t i = 0; i < a->n; i++)
    free(a->blocks[i]);
  free(a->blocks);
  memset(a, 0, sizeof(*a));
}

int torc_wire_get_chain(torc_rbuf *r, torc_wire_arena *a, int copy_bytes,
                        const torc_buffer_list **out, uint64_t *total) {
  *out = NULL;
  *total = 0;
  uint32_t nlists = torc_rbuf_u32(r);
  /* each list needs at least its 4-byte fragment count */
  if (r->err || nlists > torc_rbuf_left(r) / 4) {
    r->err = 1;
    return -1;
  }
  if (nlists == 0)
    return 0;
  torc_buffer_list *lists = torc_arena_alloc(a, nlists * sizeof(*lists));
  if (!lists) {
    r->err = 1;
    return -1;
  }
  for (uint32_t i = 0; i < nlists; i++) {
    uint32_t nfrags = torc_rbuf_u32(r);
    if (r->err || nfrags > torc_rbuf_left(r) / 4) {
      r->err = 1;
      return -1;
    }
    torc_fragment *frags = NULL;
    if (nfrags) {
      frags = torc_arena_alloc(a, nfrags * sizeof(*frags));
      if (!frags) {
        r->err = 1;
        return -1;
      }
    }
    for (uint32_t j = 0; j < nfrags; j++) {
      uint32_t len = torc_rbuf_u32(r);
      const uint8_t *p = torc_rbuf_bytes(r, len);
      if (r->err)
        return -1;
      if (copy_bytes) {
        uint8_t *q = torc_arena_alloc(a, len);
        if (!q) {
          r->err = 1;
          return -1;
        }
        if (len)
          memcpy(q, p, len);
        p = q;
      }
      frags[j].data = p;
      frags[j].len = len;
      *total += len;
    }
    lists[i].frags = frags;
    lists[i].nfrags = nfrags;
    lists[i].next = i + 1 < nlists ? &lists[i + 1] : NULL;
  }
  *out = lists;
  return 0;
}

void torc_wire_put_offload_state(torc_wbuf *b, const torc_offload_state *st) {
  torc_wbuf_u32(b, st->rcv_nxt);
  torc_wbuf_u32(b, st->rcv_wnd);
  torc_wbuf_u32(b, st->snd_una);
  torc_wbuf_u32(b, st->snd_nxt);
  torc_wbuf_u32(b, st->snd_wnd);
  torc_wbuf_u32(b, st->ticks_per_second);
  torc_wbuf_u32(b, st->push_ticks);
  torc_wbuf_u32(b, st->rcv_indication_size);
  torc_wbuf_u32(b, st->initial_rcv_wnd);
  torc_wbuf_u16(b, st->mss);
  torc_wbuf_u8(b, st->snd_wscale);
  torc_wbuf_u8(b, st->rcv_wscale);
  torc_wbuf_u8(b, st->conn_state);
  torc_wbuf_u8(b, st->ip_version);
  torc_wbuf_u16(b, st->local_port);
  torc_wbuf_u16(b, st->remote_port);
  torc_wbuf_bytes(b, st->local_addr, 16);
  torc_wbuf_bytes(b, st->remote_addr, 16);
  torc_wbuf_chain(b, st->buffered_data);
}

int torc_wire_get_offload_state(torc_rbuf *r, torc_wire_arena *a,
                                torc_offload_state *st) {
  memset(st, 0, sizeof(*st));
  st->struct_size = sizeof(*st);
  st->rcv_nxt = torc_rbuf_u32(r);
  st->rcv_wnd = torc_rbuf_u32(r);
  st->snd_una = torc_rbuf_u32(r);
  st->snd_nxt = torc_rbuf_u32(r);
  st->snd_wnd = torc_rbuf_u32(r);
  st->ticks_per_second = torc_rbuf_u32(r);
  st->push_ticks = torc_rbuf_u32(r);
  st->rcv_indication_size = torc_rbuf_u32(r);
  st->initial_rcv_wnd = torc_rbuf_u32(r);
  st->mss = torc_rbuf_u16(r);
  st->snd_wscale = torc_rbuf_u8(r);
  st->rcv_wscale = torc_rbuf_u8(r);
  st->conn_state = torc_rbuf_u8(r);
  st->ip_version = torc_rbuf_u8(r);
  st->local_port = torc_rbuf_u16(r);
  st->remote_port = torc_rbuf_u16(r);
  const uint8_t *la = torc_rbuf_bytes(r, 16);
  const uint8_t *ra = torc_rbuf_bytes(r, 16);
  if (r->err)
    return -1;
  memcpy(st->local_addr, la, 16);
  memcpy(st->remote_addr, ra, 16);
  uint64_t total;
  /* The target gets its own copy: it may keep pointers into it, and the
   * runner poisons this copy as the host poisons its own (RCV-011). */
  return torc_wire_get_chain(r, a, 1, &st->buffered_data, &total);
}

/* Payload kinds of a segment. */
enum { SEG_PAYLOAD_NONE = 0, SEG_PAYLOAD_IN_FRAME = 1, SEG_PAYLOAD_OWN = 2 };

void torc_wire_put_segment(torc_wbuf *b, const torc_segment *seg) {
  torc_wbuf_u32(b, seg->link_type);
  torc_wbuf_u32(b, seg->ip_offset);
  torc_wbuf_u32(b, seg->tcp_offset);
  torc_wbuf_u32(b, seg->seq);
  torc_wbuf_u32(b, seg->ack);
  torc_wbuf_u16(b, seg->window);
  torc_wbuf_u8(b, seg->flags);
  torc_wbuf_u8(b, seg->reserved);
  uint32_t flen = seg->frame ? seg->frame_len : 0;
  torc_wbuf_u8(b, seg->frame != NULL);
  torc_wbuf_u32(b, flen);
  torc_wbuf_bytes(b, seg->frame, flen);
  uintptr_t f = (uintptr_t)seg->frame, p = (uintptr_t)seg->payload;
  if (!seg->payload) {
    torc_wbuf_u8(b, SEG_PAYLOAD_NONE);
    torc_wbuf_u32(b, seg->payload_len);
  } else if (seg->frame && p >= f && p - f <= flen &&
             seg->payload_len <= flen - (p - f)) {
    torc_wbuf_u8(b, SEG_PAYLOAD_IN_FRAME);
    torc_wbuf_u32(b, (uint32_t)(p - f));
    torc_wbuf_u32(b, seg->payload_len);
  } else {
    torc_wbuf_u8(b, SEG_PAYLOAD_OWN);
    torc_wbuf_u32(b, seg->payload_len);
    torc_wbuf_bytes(b, seg->payload, seg->payload_len);
  }
}

int torc_wire_get_segment(torc_rbuf *r, torc_segment *seg) {
  memset(seg, 0, sizeof(*seg));
  seg->link_type = torc_rbuf_u32(r);
  seg->ip_offset = torc_rbuf_u32(r);
  seg->tcp_offset = torc_rbuf_u32(r);
  seg->seq = torc_rbuf_u32(r);
  seg->ack = torc_rbuf_u32(r);
  seg->window = torc_rbuf_u16(r);
  seg->flags = torc_rbuf_u8(r);
  seg->reserved = torc_rbuf_u8(r);
  uint8_t has_frame = torc_rbuf_u8(r);
  uint32_t flen = torc_rbuf_u32(r);
  const uint8_t *frame = torc_rbuf_bytes(r, flen);
  if (r->err || has_frame > 1 || (!has_frame && flen)) {
    r->err = 1;
    return -1;
  }
  seg->frame = has_frame ? frame : NULL;
  seg->frame_len = flen;
  uint8_t kind = torc_rbuf_u8(r);
  if (kind == SEG_PAYLOAD_NONE) {
    seg->payload_len = torc_rbuf_u32(r);
  } else if (kind == SEG_PAYLOAD_IN_FRAME) {
    uint32_t off = torc_rbuf_u32(r);
    uint32_t len = torc_rbuf_u32(r);
    if (!has_frame || off > flen || len > flen - off)
      r->err = 1;
    else {
      seg->payload = frame + off;
      seg->payload_len = len;
    }
  } else if (kind == SEG_PAYLOAD_OWN) {
    seg->payload_len = torc_rbuf_u32(r);
    seg->payload = torc_rbuf_bytes(r, seg->payload_len);
  } else {
    r->err = 1;
  }
  return r->err ? -1 : 0;
}

void torc_wire_put_stats(torc_wbuf *b, const torc_target_stats *s) {
  torc_wbuf_u64(b, s->segments_in);
  torc_wbuf_u64(b, s->dropped_out_of_window);
  torc_wbuf_u64(b, s->dropped_duplicate);
  torc_wbuf_u64(b, s->queued_out_of_order);
  torc_wbuf_u64(b, s->bytes_trimmed);
}

void torc_wire_get_stats(torc_rbuf *r, torc_target_stats *s) {
  s->segments_in = torc_rbuf_u64(r);
  s->dropped_out_of_window = torc_rbuf_u64(r);
  s->dropped_duplicate = torc_rbuf_u64(r);
  s->queued_out_of_order = torc_rbuf_u64(r);
  s->bytes_trimmed = torc_rbuf_u64(r);
}

/* Skips count items of a fixed part plus a u32-length-prefixed byte run at
 * len_at within each (len_at < 0: none). */
static void skip_items(torc_rbuf *r, uint32_t count, size_t fixed, int len_at) {
  if (count > torc_rbuf_left(r) / (fixed + (len_at >= 0 ? 4 : 0))) {
    r->err = 1;
    return;
  }
  for (uint32_t i = 0; i < count && !r->err; i++) {
    if (len_at < 0) {
      torc_rbuf_bytes(r, fixed);
      continue;
    }
    torc_rbuf_bytes(r, (size_t)len_at);
    uint32_t n = torc_rbuf_u32(r);
    torc_rbuf_bytes(r, fixed - (size_t)len_at);
    torc_rbuf_bytes(r, n);
  }
}

static void validate_ret(torc_rbuf *r, unsigned call) {
  char s[8];
  switch (call) {
  case TORC_MSG_HELLO:
    if (torc_rbuf_u8(r)) {
      torc_rbuf_u16(r);
      torc_rbuf_u32(r);
      torc_rbuf_u32(r);
      torc_rbuf_u64(r);
      torc_rbuf_str(r, s, sizeof(s));
    }
    torc_rbuf_str(r, s, sizeof(s));
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
    torc_rbuf_bytes(r, 40);
    break;
  case TORC_MSG_OP_RESET:
    torc_rbuf_u32(r);
    torc_rbuf_str(r, s, sizeof(s));
    break;
  case TORC_MSG_UP_ALLOC:
    torc_rbuf_u64(r);
    break;
  case TORC_MSG_UP_RECEIVE_INDICATE:
    torc_rbuf_u32(r);
    torc_rbuf_u32(r);
    break;
  default:
    if (!torc_wire_type_wants_reply(call))
      r->err = 1;
    break;
  }
}

int torc_wire_validate(const uint8_t *body, size_t len, char *why, size_t n) {
  torc_rbuf r;
  torc_wire_arena a = {0};
  torc_rbuf_init(&r, body, len);
  unsigned type = torc_rbuf_u8(&r);
  const torc_buffer_list *chain;
  uint64_t total;
  torc_offload_state st;
  torc_segment seg;
  char s[8];
  uint32_t count;
  switch (type) {
  case TORC_MSG_HELLO:
    torc_rbuf_u32(&r);
    torc_rbuf_u16(&r);
    torc_rbuf_u32(&r);
    break;
  case TORC_MSG_OP_DESTROY:
  case TORC_MSG_OP_RESET:
    break;
  case TORC_MSG_OP_CONN_OPEN:
  case TORC_MSG_OP_CONN_CLOSE:
  case TORC_MSG_OP_ADVANCE_TIME:
  case TORC_MSG_OP_TERMINATE_OFFLOAD:
  case TORC_MSG_OP_GET_STATS:
  case TORC_MSG_UP_ALLOC:
  case TORC_MSG_UP_FREE:
    torc_rbuf_u64(&r);
    break;
  case TORC_MSG_OP_INITIATE_OFFLOAD:
    torc_rbuf_u64(&r);
    torc_wire_get_offload_state(&r, &a, &st);
    break;
  case TORC_MSG_OP_RECEIVE:
    torc_rbuf_u64(&r);
    count = torc_rbuf_u32(&r);
    if (count > torc_rbuf_left(&r) / 17) {
      r.err = 1;
      break;
    }
    for (uint32_t i = 0; i < count && !r.err; i++) {
      torc_rbuf_u64(&r);
      uint32_t size = torc_rbuf_u32(&r);
      uint32_t pre = torc_rbuf_u32(&r);
      torc_rbuf_u8(&r);
      if (pre > size)
        r.err = 1;
      torc_rbuf_bytes(&r, pre);
    }
    break;
  case TORC_MSG_OP_RECEIVE_RETURN:
    torc_rbuf_u64(&r);
    count = torc_rbuf_u32(&r);
    skip_items(&r, count, 8, -1);
    break;
  case TORC_MSG_OP_SEGMENT:
    torc_rbuf_u64(&r);
    torc_wire_get_segment(&r, &seg);
    break;
  case TORC_MSG_UP_LOG:
    torc_rbuf_u32(&r);
    torc_rbuf_str(&r, s, sizeof(s));
    break;
  case TORC_MSG_UP_OFFLOAD_COMPLETE:
    torc_rbuf_u64(&r);
    torc_rbuf_u32(&r);
    break;
  case TORC_MSG_UP_RECEIVE_COMPLETE:
    torc_rbuf_u64(&r);
    count = torc_rbuf_u32(&r);
    skip_items(&r, count, 16, 16);
    break;
  case TORC_MSG_UP_RECEIVE_INDICATE:
    torc_rbuf_u64(&r);
    torc_rbuf_u64(&r);
    torc_rbuf_u32(&r);
    count = torc_rbuf_u32(&r);
    skip_items(&r, count, 0, 0);
    break;
  case TORC_MSG_UP_EVENT:
    torc_rbuf_u64(&r);
    torc_rbuf_u32(&r);
    torc_rbuf_u32(&r);
    break;
  case TORC_MSG_UP_TERMINATE_COMPLETE: {
    torc_rbuf_u64(&r);
    torc_rbuf_u32(&r);
    uint8_t has = torc_rbuf_u8(&r);
    if (has > 1)
      r.err = 1;
    if (has == 1) {
      torc_rbuf_u32(&r);
      torc_rbuf_u32(&r);
      torc_rbuf_u64(&r);
      torc_wire_get_chain(&r, &a, 0, &chain, &total);
    }
    break;
  }
  case TORC_MSG_RET:
    validate_ret(&r, torc_rbuf_u8(&r));
    break;
  default:
    snprintf(why, n, "unknown message type 0x%02x", type);
    return -1;
  }
  torc_arena_free(&a);
  if (r.err) {
    snprintf(why, n, "malformed %s message (%zu bytes)",
             torc_wire_type_name(type), len);
    return -1;
  }
  if (r.pos != r.len) {
    snprintf(why, n, "%s message has %zu trailing bytes",
             torc_wire_type_name(type), r.len - r.pos);
    return -1;
  }
  return 0;
}

/* ---- The channel --------------------------------------------------------- */

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

int torc_wire_send(torc_wire_chan *c) {
  if (c->failed)
    return -1;
  if (torc_wbuf_finish(&c->tx) != 0) {
    torc_wire_fail(c, TORC_WIRE_PROTOCOL, "cannot build %s message",
                   c->tx.len > 4 ? torc_wire_type_name(c->tx.p[4]) : "?");
    return -1;
  }
  size_t off = 0;
  while (off < c->tx.len) {
    ssize_t n;
    if (c->is_socket)
      n = send(c->fd_out, c->tx.p + off, c->tx.len - off,
               MSG_NOSIGNAL | MSG_DONTWAIT);
    else
      n = write(c->fd_out, c->tx.p + off, c->tx.len - off);
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
                   "bad message length %u (allowed 1..%u)", n,
                   TORC_WIRE_MAX_MSG);
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
  char why[128];
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
                       "protocol error: RET for %s while waiting for %s",
                       torc_wire_type_name(body[1]), torc_wire_type_name(type));
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
