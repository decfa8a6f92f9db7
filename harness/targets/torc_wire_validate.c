/*
 * torc_wire_validate.c - checks one whole message body of any type against
 * its layout (torc_wire_validate).
 *
 * Where it sits: a first gate on both sides of the channel and the oracle of
 * the codec fuzz test (load_smoke fuzz); it reads with the cursor of
 * torc_wire_decode.c and allocates nothing.
 */
#include "torc_wire.h"

#include <stdio.h>
#include <string.h>

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
  case TORC_MSG_HELLO: {
    int ok = torc_rbuf_u8(r);
    if (ok) {
      torc_rbuf_u16(r);
      torc_rbuf_u32(r);
      torc_rbuf_u32(r);
      torc_rbuf_u64(r);
      torc_rbuf_str(r, s, sizeof(s));
    }
    torc_rbuf_str(r, s, sizeof(s));
    /* The optional tail: the declared limits, two u32 (issue 14), then
     * the device's identity, two str (driver, firmware; issue 17). */
    if (ok && !r->err && r->len - r->pos >= 8) {
      torc_rbuf_u32(r);
      torc_rbuf_u32(r);
      if (!r->err && r->len - r->pos > 0) {
        torc_rbuf_str(r, s, sizeof(s));
        torc_rbuf_str(r, s, sizeof(s));
      }
    }
    break;
  }
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
  case TORC_MSG_UP_HOLD_CHANGED:
    torc_rbuf_u64(&r);
    torc_rbuf_u64(&r);
    if (torc_rbuf_u8(&r) > 1)
      r.err = 1;
    count = torc_rbuf_u32(&r);
    skip_items(&r, count, 0, 0);
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
