/*
 * torc_wire_validate.c - checks one whole message body of any type against
 * its layout (torc_wire_validate), and says which field broke it.
 *
 * Where it sits: the first gate on both sides of the channel
 * (torc_wire_recv, torc_wire_chan.c) and the oracle of the codec fuzz test
 * (load_smoke fuzz).  It walks the message field by field as
 * docs/wire-protocol.md lays it out, allocates nothing, and on the first
 * field that does not fit names the message, the field, its type, where it
 * starts and how long the message is:
 *   RET(OP_RECEIVE) too short: field 'status' (u32) needs 4 bytes at
 *   offset 2, message has 2 bytes
 * so whoever writes a target from the page alone can tell what to fix.
 * The decoders of torc_wire_decode.c read only what passed this gate.
 */
#include "torc_wire_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* A cursor that knows the name of what it reads.  arr/idx name the item of
 * an array being read ("requests[2].size"). */
typedef struct vcur {
  const uint8_t *p;
  size_t len, pos;
  char msg[48]; /* "OP_RECEIVE", "RET(OP_RECEIVE)" */
  const char *arr;
  unsigned long idx;
  char *why;
  size_t n;
  int bad;
} vcur;

static void field_name(const vcur *c, const char *field, char *out, size_t n) {
  if (c->arr)
    snprintf(out, n, "%s[%lu].%s", c->arr, c->idx, field);
  else
    snprintf(out, n, "%s", field);
}

/* The first failure wins; the message's name comes first. */
static void v_fail(vcur *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void v_fail(vcur *c, const char *fmt, ...) {
  if (c->bad)
    return;
  c->bad = 1;
  int k = snprintf(c->why, c->n, "%s ", c->msg);
  if (k < 0 || (size_t)k >= c->n)
    return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(c->why + k, c->n - (size_t)k, fmt, ap);
  va_end(ap);
}

/* 1 when k more bytes of field (of type ty) are present. */
static int v_need(vcur *c, const char *field, const char *ty, size_t k) {
  if (c->bad)
    return 0;
  if (k <= c->len - c->pos)
    return 1;
  char f[96];
  field_name(c, field, f, sizeof f);
  v_fail(c,
         "too short: field '%s' (%s) needs %zu bytes at offset %zu, message "
         "has %zu bytes",
         f, ty, k, c->pos, c->len);
  return 0;
}

static uint64_t v_int(vcur *c, const char *field, int k) {
  static const char *const ty[9] = {"", "u8", "u16", "",   "u32",
                                    "", "",   "",    "u64"};
  if (!v_need(c, field, ty[k], (size_t)k))
    return 0;
  uint64_t v = 0;
  for (int i = 0; i < k; i++)
    v |= (uint64_t)c->p[c->pos + (size_t)i] << (8 * i);
  c->pos += (size_t)k;
  return v;
}
static uint8_t U8(vcur *c, const char *f) {
  return (uint8_t)v_int(c, f, 1);
}
static uint16_t U16(vcur *c, const char *f) {
  return (uint16_t)v_int(c, f, 2);
}
static uint32_t U32(vcur *c, const char *f) {
  return (uint32_t)v_int(c, f, 4);
}
static uint64_t U64(vcur *c, const char *f) {
  return v_int(c, f, 8);
}

static void v_bytes(vcur *c, const char *field, size_t k) {
  char ty[32];
  snprintf(ty, sizeof ty, "bytes[%zu]", k);
  if (v_need(c, field, ty, k))
    c->pos += k;
}

static void v_str(vcur *c, const char *field) {
  char f[64];
  snprintf(f, sizeof f, "%s.n", field);
  uint32_t n = U32(c, f);
  if (!c->bad && n > TORC_WIRE_MAX_STR)
    v_fail(c, "field '%s' (str) is %u bytes long, at most %u are allowed",
           field, n, TORC_WIRE_MAX_STR);
  v_bytes(c, field, n);
}

/* A u32 count of items, each at least min bytes: refused before it sizes
 * anything when the items cannot fit in what is left. */
static uint32_t v_count(vcur *c, const char *field, size_t min) {
  size_t at = c->pos;
  uint32_t n = U32(c, field);
  if (!c->bad && min && n > (c->len - c->pos) / min) {
    char f[96];
    field_name(c, field, f, sizeof f);
    v_fail(c,
           "too short: field '%s' (u32) at offset %zu counts %u items of at "
           "least %zu bytes each, message has %zu bytes",
           f, at, n, min, c->len);
  }
  return n;
}

static void v_flag(vcur *c, const char *field, uint8_t v) {
  if (!c->bad && v > 1)
    v_fail(c, "field '%s' (u8) is %u, must be 0 or 1", field, v);
}

/* nfrags x {u32 len, bytes[len]} under the array name arr. */
static void v_frags(vcur *c, const char *arr) {
  uint32_t n = v_count(c, "nfrags", 4);
  const char *save = c->arr;
  c->arr = arr;
  for (c->idx = 0; c->idx < n && !c->bad; c->idx++)
    v_bytes(c, "data", U32(c, "len"));
  c->arr = save;
}

static void v_chain(vcur *c, const char *field) {
  char f[64];
  snprintf(f, sizeof f, "%s.nlists", field);
  uint32_t n = v_count(c, f, 4);
  for (uint32_t i = 0; i < n && !c->bad; i++) {
    snprintf(f, sizeof f, "%s.lists[%u].frags", field, i);
    v_frags(c, f);
  }
}

static void v_offload_state(vcur *c) {
  static const char *const u32s[] = {
      "rcv_nxt",        "rcv_wnd",          "snd_una",    "snd_nxt",
      "snd_wnd",        "ticks_per_second", "push_ticks", "rcv_indication_size",
      "initial_rcv_wnd"};
  for (size_t i = 0; i < sizeof u32s / sizeof *u32s; i++)
    U32(c, u32s[i]);
  U16(c, "mss");
  U8(c, "snd_wscale");
  U8(c, "rcv_wscale");
  U8(c, "conn_state");
  U8(c, "ip_version");
  U16(c, "local_port");
  U16(c, "remote_port");
  v_bytes(c, "local_addr", 16);
  v_bytes(c, "remote_addr", 16);
  v_chain(c, "buffered_data");
}

static void v_segment(vcur *c) {
  U32(c, "link_type");
  U32(c, "ip_offset");
  U32(c, "tcp_offset");
  U32(c, "seq");
  U32(c, "ack");
  U16(c, "window");
  U8(c, "flags");
  U8(c, "reserved");
  uint8_t has = U8(c, "has_frame");
  v_flag(c, "has_frame", has);
  uint32_t flen = U32(c, "frame_len");
  if (!c->bad && !has && flen)
    v_fail(c, "field 'frame_len' is %u with has_frame 0", flen);
  v_bytes(c, "frame", flen);
  uint8_t kind = U8(c, "payload_kind");
  if (kind == SEG_PAYLOAD_NONE) {
    U32(c, "payload_len");
  } else if (kind == SEG_PAYLOAD_IN_FRAME) {
    uint32_t off = U32(c, "offset"), len = U32(c, "payload_len");
    if (!c->bad && (!has || off > flen || len > flen - off))
      v_fail(c,
             "field 'offset' %u + 'payload_len' %u lie outside the %u-byte "
             "frame (payload_kind 1)",
             off, len, has ? flen : 0);
  } else if (kind == SEG_PAYLOAD_OWN) {
    v_bytes(c, "payload", U32(c, "payload_len"));
  } else if (!c->bad) {
    v_fail(c, "field 'payload_kind' (u8) is %u, must be 0, 1 or 2", kind);
  }
}

static void v_ret(vcur *c) {
  unsigned call = U8(c, "call-type");
  if (c->bad)
    return;
  snprintf(c->msg, sizeof c->msg, "RET(%s)", torc_wire_type_name(call));
  switch (call) {
  case TORC_MSG_HELLO: {
    uint8_t ok = U8(c, "ok");
    v_flag(c, "ok", ok);
    if (!ok) {
      v_str(c, "message");
      return;
    }
    U16(c, "protocol");
    U32(c, "abi_version");
    U32(c, "struct_size");
    U64(c, "capabilities");
    v_str(c, "name");
    v_str(c, "version");
    /* The optional tail: the declared limits (issue 14), then the
     * device's identity (driver, firmware; issue 17), then whatever a later
     * version appends, which this host ignores. */
    if (!c->bad && c->pos < c->len) {
      U32(c, "max_initial_rcv_wnd");
      U32(c, "max_buffered_bytes");
      if (!c->bad && c->pos < c->len) {
        v_str(c, "driver");
        v_str(c, "firmware");
      }
      c->pos = c->bad ? c->pos : c->len;
    }
    return;
  }
  case TORC_MSG_OP_CONN_OPEN:
    U32(c, "rc");
    U64(c, "conn");
    return;
  case TORC_MSG_OP_RECEIVE:
    U32(c, "status");
    return;
  case TORC_MSG_OP_GET_STATS: {
    static const char *const s[] = {"segments_in", "dropped_out_of_window",
                                    "dropped_duplicate", "queued_out_of_order",
                                    "bytes_trimmed"};
    U32(c, "rc");
    for (int i = 0; i < 5; i++)
      U64(c, s[i]);
    return;
  }
  case TORC_MSG_OP_RESET:
    U32(c, "rc");
    v_str(c, "message");
    return;
  case TORC_MSG_UP_ALLOC:
    U64(c, "token");
    return;
  case TORC_MSG_UP_RECEIVE_INDICATE:
    U32(c, "answer");
    U32(c, "bytes_consumed");
    return;
  default:
    if (!torc_wire_type_wants_reply(call))
      v_fail(c,
             "is a reply to %s (call-type 0x%02x at offset 1), which is not "
             "a call that has a reply",
             strcmp(torc_wire_type_name(call), "?") ? torc_wire_type_name(call)
                                                    : "an unknown type",
             call);
    return; /* the other calls' RETs have no fields */
  }
}

/* OP_RECEIVE after conn: the posted requests. */
static void v_requests(vcur *c) {
  uint32_t n = v_count(c, "count", 17);
  c->arr = "requests";
  for (c->idx = 0; c->idx < n && !c->bad; c->idx++) {
    U64(c, "id");
    uint32_t size = U32(c, "size"), pre = U32(c, "prefilled");
    U8(c, "push");
    if (!c->bad && pre > size)
      v_fail(c, "field 'requests[%lu].prefilled' is %u, more than its size %u",
             c->idx, pre, size);
    v_bytes(c, "data", pre);
  }
  c->arr = NULL;
}

static void v_completions(vcur *c) {
  uint32_t n = v_count(c, "count", 20);
  c->arr = "completions";
  for (c->idx = 0; c->idx < n && !c->bad; c->idx++) {
    U64(c, "id");
    U32(c, "status");
    U32(c, "bytes");
    v_bytes(c, "data", U32(c, "datalen"));
  }
  c->arr = NULL;
}

static void v_body(vcur *c, unsigned type) {
  switch (type) {
  case TORC_MSG_HELLO:
    U32(c, "magic");
    U16(c, "protocol");
    U32(c, "abi_version");
    break;
  case TORC_MSG_OP_DESTROY:
  case TORC_MSG_OP_RESET:
    break;
  case TORC_MSG_OP_ADVANCE_TIME:
    U64(c, "now_us");
    break;
  case TORC_MSG_OP_CONN_OPEN:
    U64(c, "host_handle");
    break;
  case TORC_MSG_OP_CONN_CLOSE:
  case TORC_MSG_OP_TERMINATE_OFFLOAD:
  case TORC_MSG_OP_GET_STATS:
    U64(c, "conn");
    break;
  case TORC_MSG_UP_ALLOC:
    U64(c, "size");
    break;
  case TORC_MSG_OP_ALLOC_POLICY: {
    uint8_t v = U8(c, "policy");
    if (!c->bad && v > TORC_ALLOC_REFUSE)
      v_fail(c, "field 'policy' (u8 at offset 1) is %u, allowed 0..2", v);
    break;
  }
  case TORC_MSG_UP_ALLOCATED:
    U64(c, "size");
    U64(c, "token");
    break;
  case TORC_MSG_UP_FREE:
    U64(c, "token");
    break;
  case TORC_MSG_OP_INITIATE_OFFLOAD:
    U64(c, "conn");
    v_offload_state(c);
    break;
  case TORC_MSG_OP_RECEIVE:
    U64(c, "conn");
    v_requests(c);
    break;
  case TORC_MSG_OP_RECEIVE_RETURN: {
    U64(c, "conn");
    uint32_t n = v_count(c, "count", 8);
    c->arr = "ids";
    for (c->idx = 0; c->idx < n && !c->bad; c->idx++)
      U64(c, "id");
    c->arr = NULL;
    break;
  }
  case TORC_MSG_OP_SEGMENT:
    U64(c, "conn");
    v_segment(c);
    break;
  case TORC_MSG_UP_LOG:
    U32(c, "level");
    v_str(c, "message");
    break;
  case TORC_MSG_UP_OFFLOAD_COMPLETE:
    U64(c, "host_handle");
    U32(c, "status");
    break;
  case TORC_MSG_UP_RECEIVE_COMPLETE:
    U64(c, "host_handle");
    v_completions(c);
    break;
  case TORC_MSG_UP_RECEIVE_INDICATE:
    U64(c, "host_handle");
    U64(c, "indication_id");
    U32(c, "status");
    v_frags(c, "frags");
    break;
  case TORC_MSG_UP_EVENT:
    U64(c, "host_handle");
    U32(c, "event");
    U32(c, "info");
    break;
  case TORC_MSG_UP_HOLD_CHANGED:
    U64(c, "host_handle");
    U64(c, "id");
    v_flag(c, "handback", U8(c, "handback"));
    v_frags(c, "frags");
    break;
  case TORC_MSG_UP_TERMINATE_COMPLETE: {
    U64(c, "host_handle");
    U32(c, "status");
    uint8_t has = U8(c, "has_state");
    v_flag(c, "has_state", has);
    if (has == 1) {
      U32(c, "rcv_nxt");
      U32(c, "rcv_wnd");
      U64(c, "buffered_id");
      v_chain(c, "buffered_data");
    }
    break;
  }
  case TORC_MSG_RET:
    v_ret(c);
    break;
  }
}

int torc_wire_validate(const uint8_t *body, size_t len, char *why, size_t n) {
  vcur c = {.p = body, .len = len, .why = why, .n = n};
  if (len == 0) {
    snprintf(why, n, "empty message: no type byte");
    return -1;
  }
  unsigned type = body[0];
  c.pos = 1;
  if (strcmp(torc_wire_type_name(type), "?") == 0) {
    snprintf(why, n,
             "unknown message type 0x%02x (byte 0 of a %zu-byte message; "
             "docs/wire-protocol.md lists the types)",
             type, len);
    return -1;
  }
  snprintf(c.msg, sizeof c.msg, "%s", torc_wire_type_name(type));
  v_body(&c, type);
  if (c.bad)
    return -1;
  if (c.pos != c.len) {
    snprintf(why, n, "%s has %zu bytes after its last field (offset %zu)",
             c.msg, c.len - c.pos, c.pos);
    return -1;
  }
  return 0;
}
