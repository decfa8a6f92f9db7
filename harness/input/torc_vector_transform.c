/*
 * torc_vector_transform.c - wire edge cases made from real frames: the
 * vector's "provenance.transform" (a sequence-number rebase and derived
 * segments), and the one function that turns a script's frame event into
 * the bytes the target receives.
 *
 * torc_vector.c calls torcint_vector_parse_transform after the state (it
 * needs isn) and before the stream is built (the rebase moves every listed
 * frame).  The engine (torc_hostsim.c), the judge and the bundle writer call
 * torc_vector_frame_info / torc_vector_build_segment for every frame event,
 * so a transformed vector is replayed exactly as the vectorizer recorded it.
 * A derived segment is a real frame of the flow with its payload cut to a
 * sub-range (same sequence numbers), or emptied and moved to any sequence
 * number, and its flags replaced; lengths, the IPv4 header checksum and the
 * TCP checksum are recomputed, so every transformed frame is a consistent
 * one (RFC 791, RFC 9293 3.1).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <torc/target.h>

#include "torc_vector_parse_int.h"

#define MAX_DERIVED 4096u

static const struct {
  const char *name;
  uint8_t bit;
} flag_names[] = {{"fin", TORC_TCP_FIN}, {"syn", TORC_TCP_SYN},
                  {"rst", TORC_TCP_RST}, {"psh", TORC_TCP_PSH},
                  {"ack", TORC_TCP_ACK}, {"urg", TORC_TCP_URG}};

/* $.provenance.transform: {seq_shift, derived: [{from, offset, len,
 * flags}]}.  Absent: nothing is transformed. */
int torcint_vector_parse_transform(ld *L, json_t *root, torc_vector_body *b,
                                   const frameset *fs) {
  static const char *const keys[] = {"seq_shift", "derived", NULL};
  static const char *const dkeys[] = {"from", "offset", "len", "flags", NULL};
  json_t *p = json_object_get(root, "provenance");
  json_t *t = json_object_get(p, "transform"), *a, *d;
  size_t o, o2, i;
  uint64_t u;
  if (!t)
    return 0;
  o = torcint_vector_push_key(L, "provenance");
  o2 = torcint_vector_push_key(L, "transform");
  if (!json_is_object(t)) {
    torcint_vector_fail(L, "expected an object {seq_shift, derived}");
    return -1;
  }
  if (torcint_vector_check_keys(L, t, keys) < 0)
    return -1;
  if (torcint_vector_get_int(L, t, "seq_shift", 0, 0, UINT32_MAX, 0, &u) < 0)
    return -1;
  b->seq_shift = (uint32_t)u;
  a = json_object_get(t, "derived");
  if (a && (!json_is_array(a) || json_array_size(a) > MAX_DERIVED)) {
    torcint_vector_push_key(L, "derived");
    torcint_vector_fail(L, "expected an array of at most %u derived segments",
                        MAX_DERIVED);
    return -1;
  }
  if (a && json_array_size(a)) {
    b->derived = calloc(json_array_size(a), sizeof *b->derived);
    if (!b->derived) {
      torcint_vector_fail(L, "out of memory");
      return -1;
    }
  }
  torcint_vector_push_key(L, "derived");
  json_array_foreach(a, i, d) {
    torc_derived *x = &b->derived[i];
    const torc_frame *f;
    json_t *fl, *off, *nm;
    uint32_t from, len;
    int64_t src_off;
    size_t o3 = torcint_vector_push_idx(L, i), k, j;
    if (!json_is_object(d)) {
      torcint_vector_fail(L, "expected object {from, offset, len, flags}");
      return -1;
    }
    if (torcint_vector_check_keys(L, d, dkeys) < 0 ||
        torcint_vector_get_u32(L, d, "from", 1, 1, UINT32_MAX, 0, &from) < 0 ||
        torcint_vector_get_u32(L, d, "len", 1, 0, 65535, 0, &len) < 0)
      return -1;
    if (from > b->cap->file_frames || !fs->listed[from]) {
      torcint_vector_push_key(L, "from");
      torcint_vector_fail(L, "frame %u is not listed in $.provenance.frames",
                          from);
      return -1;
    }
    off = json_object_get(d, "offset");
    if (!json_is_integer(off) || json_integer_value(off) < -(1ll << 31) ||
        json_integer_value(off) >= (1ll << 31)) {
      torcint_vector_push_key(L, "offset");
      torcint_vector_fail(L, "expected an integer stream offset in "
                             "[-2^31, 2^31)");
      return -1;
    }
    f = torc_capture_frame(b->cap, from);
    x->from = (uint32_t)(f - b->cap->frames); /* its index */
    x->offset = (int64_t)json_integer_value(off);
    x->len = len;
    /* The payload is a sub-range of the source frame's, at the same
     * sequence numbers: no byte is made up. */
    src_off = (int32_t)(f->seq + b->seq_shift - b->isn);
    if (len && (x->offset < src_off ||
                x->offset + len > src_off + (int64_t)f->payload_len)) {
      torcint_vector_push_key(L, "len");
      torcint_vector_fail(L,
                          "[%" PRId64 ", %" PRId64 ") is not inside frame %u's "
                          "payload [%" PRId64 ", %" PRId64 ")",
                          x->offset, x->offset + len, from, src_off,
                          src_off + (int64_t)f->payload_len);
      return -1;
    }
    x->payload_skip = len ? (uint32_t)(x->offset - src_off) : 0;
    fl = json_object_get(d, "flags");
    if (!json_is_array(fl)) {
      torcint_vector_push_key(L, "flags");
      torcint_vector_fail(L, "expected an array of flag names");
      return -1;
    }
    json_array_foreach(fl, k, nm) {
      const char *s = json_string_value(nm);
      for (j = 0; s && j < sizeof flag_names / sizeof flag_names[0]; j++)
        if (strcmp(s, flag_names[j].name) == 0)
          break;
      if (!s || j == sizeof flag_names / sizeof flag_names[0] ||
          (x->flags & flag_names[j].bit)) {
        torcint_vector_push_key(L, "flags");
        torcint_vector_push_idx(L, k);
        torcint_vector_fail(L, "expected one of fin, syn, rst, psh, ack, urg, "
                               "each once");
        return -1;
      }
      x->flags |= flag_names[j].bit;
    }
    b->nderived++;
    torcint_vector_pop(L, o3);
  }
  torcint_vector_pop(L, o2);
  torcint_vector_pop(L, o);
  return 0;
}

void torc_vector_frame_info(const torc_vector_body *b, const torc_event *ev,
                            torc_frame *out) {
  const torc_frame *f = &b->cap->frames[ev->frame];
  *out = *f;
  out->seq = f->seq + b->seq_shift;
  if (ev->derived) {
    const torc_derived *x = &b->derived[ev->derived - 1];
    out->seq = b->isn + (uint32_t)x->offset;
    out->flags = x->flags;
    out->payload_len = x->len;
    out->caplen = f->payload_offset + x->len;
    out->wirelen = out->caplen;
  }
}

/* ---- Checksums (RFC 1071) ------------------------------------------------ */

static uint32_t sum16(uint32_t s, const uint8_t *p, size_t n) {
  size_t i;
  for (i = 0; i + 1 < n; i += 2)
    s += (uint32_t)p[i] << 8 | p[i + 1];
  if (n & 1)
    s += (uint32_t)p[n - 1] << 8;
  return s;
}

static uint16_t fold(uint32_t s) {
  while (s >> 16)
    s = (s & 0xFFFFu) + (s >> 16);
  return (uint16_t)~s;
}

static void put16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
}

/* Rewrites the IP lengths and both checksums of the frame in buf. */
static void fix_headers(uint8_t *buf, const torc_frame *f) {
  uint8_t *ip = buf + f->ip_offset, *tcp = buf + f->tcp_offset;
  uint32_t tcplen = f->payload_offset + f->payload_len - f->tcp_offset, s = 0;
  uint8_t ph[4];
  if (f->ip_version == 4) {
    size_t ihl = (size_t)(ip[0] & 15) * 4;
    put16(ip + 2, (uint16_t)(f->tcp_offset - f->ip_offset + tcplen));
    put16(ip + 10, 0);
    put16(ip + 10, fold(sum16(0, ip, ihl)));
    s = sum16(s, ip + 12, 8); /* source and destination */
  } else {
    put16(ip + 4, (uint16_t)(f->tcp_offset - f->ip_offset - 40 + tcplen));
    s = sum16(s, ip + 8, 32);
  }
  ph[0] = (uint8_t)(tcplen >> 24);
  ph[1] = (uint8_t)(tcplen >> 16);
  ph[2] = (uint8_t)(tcplen >> 8);
  ph[3] = (uint8_t)tcplen;
  s = sum16(s, ph, 4);
  s += 6; /* next header: TCP */
  put16(tcp + 16, 0);
  put16(tcp + 16, fold(sum16(s, tcp, tcplen)));
}

uint32_t torc_vector_build_segment(const torc_vector_body *b,
                                   const torc_event *ev, uint8_t *buf,
                                   size_t cap, torc_segment *seg) {
  const torc_frame *src = &b->cap->frames[ev->frame];
  const uint8_t *in = torc_capture_bytes(b->cap, src);
  torc_frame f;
  uint32_t len;
  torc_vector_frame_info(b, ev, &f);
  len = ev->derived ? f.caplen : src->caplen;
  if (cap < src->caplen)
    return 0;
  if (!ev->derived) {
    memcpy(buf, in, src->caplen);
  } else {
    const torc_derived *x = &b->derived[ev->derived - 1];
    memcpy(buf, in, src->payload_offset);
    memcpy(buf + src->payload_offset,
           in + src->payload_offset + x->payload_skip, x->len);
  }
  if (ev->derived || b->seq_shift) {
    uint8_t *tcp = buf + f.tcp_offset;
    tcp[4] = (uint8_t)(f.seq >> 24);
    tcp[5] = (uint8_t)(f.seq >> 16);
    tcp[6] = (uint8_t)(f.seq >> 8);
    tcp[7] = (uint8_t)f.seq;
    tcp[13] = (uint8_t)((tcp[13] & 0xC0u) | f.flags);
    /* A captured frame's trailing link padding goes with the cut. */
    if (ev->derived || src->caplen > src->payload_offset + src->payload_len)
      len = f.payload_offset + f.payload_len;
    fix_headers(buf, &f);
  }
  memset(seg, 0, sizeof *seg);
  seg->frame = buf;
  seg->frame_len = len;
  seg->link_type = b->cap->link_type;
  seg->ip_offset = f.ip_offset;
  seg->tcp_offset = f.tcp_offset;
  seg->seq = f.seq;
  seg->ack = f.ack;
  seg->window = f.window;
  seg->flags = f.flags;
  seg->payload = buf + f.payload_offset;
  seg->payload_len = f.payload_len;
  return len;
}
