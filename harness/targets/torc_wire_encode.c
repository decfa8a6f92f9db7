/*
 * torc_wire_encode.c - building messages of the wire protocol: the growable
 * output buffer, its little-endian fields, and the composite fields (buffer
 * chains, offload state, segments, stats).
 *
 * Where it sits: the proxy (host side) and the runner (target side) build
 * every message they send with these, then hand it to the channel
 * (torc_wire_chan.c); torc_wire_decode.c reads what they write.
 */
#include "torc_wire_int.h"

#include <stdlib.h>
#include <string.h>

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

void torc_wire_put_stats(torc_wbuf *b, const torc_target_stats *s) {
  torc_wbuf_u64(b, s->segments_in);
  torc_wbuf_u64(b, s->dropped_out_of_window);
  torc_wbuf_u64(b, s->dropped_duplicate);
  torc_wbuf_u64(b, s->queued_out_of_order);
  torc_wbuf_u64(b, s->bytes_trimmed);
}
