/*
 * torc_wire_decode.c - parsing messages of the wire protocol: the read
 * cursor, its fields, the per-message arena, and the composite fields
 * (buffer chains, offload state, segments, stats).
 *
 * Where it sits: the proxy (host side) and the runner (target side) parse
 * every message they receive with these.  What is read is the peer's and
 * untrusted: every count is checked against the bytes left in the message
 * before it sizes an allocation; a read past the end sets the cursor's err.
 */
#include "torc_wire_int.h"

#include <stdlib.h>
#include <string.h>

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

void torc_wire_get_stats(torc_rbuf *r, torc_target_stats *s) {
  s->segments_in = torc_rbuf_u64(r);
  s->dropped_out_of_window = torc_rbuf_u64(r);
  s->dropped_duplicate = torc_rbuf_u64(r);
  s->queued_out_of_order = torc_rbuf_u64(r);
  s->bytes_trimmed = torc_rbuf_u64(r);
}
