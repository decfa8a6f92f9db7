/*
 * torc_test_host_wire.c - the segments the test host sends.
 *
 * th_segment and th_segment_raw build a real IPv4/TCP frame (link type 101)
 * on the heap, pass it to the target's segment operation, then poison and
 * free it.  Segments queued for inside the next completion or indication
 * (RCV-068) are sent by th_send_queued from those callbacks
 * (torc_test_host_requests.c, torc_test_host_indicate.c).
 */
#include "torc_test_host_int.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

/* ---- the wire --------------------------------------------------------------
 */

static uint16_t th_csum(const uint8_t *p, size_t n, uint32_t sum) {
  for (size_t i = 0; i + 1 < n; i += 2)
    sum += (uint32_t)(p[i] << 8 | p[i + 1]);
  if (n & 1)
    sum += (uint32_t)p[n - 1] << 8;
  while (sum >> 16)
    sum = (sum & 0xFFFF) + (sum >> 16);
  return (uint16_t)~sum;
}

static void th_put16(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
}

static void th_put32(uint8_t *p, uint32_t v) {
  th_put16(p, v >> 16);
  th_put16(p + 2, v & 0xFFFF);
}

static void th_send(torc_test_host *h, uint32_t seq, const uint8_t *payload,
                    uint32_t len, uint8_t flags) {
  ck_assert_msg(len <= 65495, "segment too long");
  flags |= TORC_TCP_ACK;
  uint32_t flen = 40 + len;
  uint8_t *f = th_xcalloc(flen, 1);
  /* IPv4 10.0.0.2 > 10.0.0.1, proto 6, ttl 64 */
  f[0] = 0x45;
  th_put16(f + 2, flen);
  f[8] = 64;
  f[9] = 6;
  f[12] = 10;
  f[15] = 2;
  f[16] = 10;
  f[19] = 1;
  th_put16(f + 10, th_csum(f, 20, 0));
  uint8_t *t = f + 20;
  th_put16(t, TH_REMOTE_PORT);
  th_put16(t + 2, TH_LOCAL_PORT);
  th_put32(t + 4, seq);
  th_put32(t + 8, TH_SND_NXT);
  t[12] = 5 << 4;
  t[13] = flags;
  th_put16(t + 14, 65535);
  if (len)
    memcpy(t + 20, payload, len);
  uint32_t pseudo = (10u << 8) + 2 + (10u << 8) + 1 + 6 + 20 + len;
  th_put16(t + 16, th_csum(t, 20 + len, pseudo));
  torc_segment s;
  memset(&s, 0, sizeof s);
  s.frame = f;
  s.frame_len = flen;
  s.link_type = 101;
  s.ip_offset = 0;
  s.tcp_offset = 20;
  s.seq = seq;
  s.ack = TH_SND_NXT;
  s.window = 65535;
  s.flags = flags;
  s.payload = len ? t + 20 : NULL;
  s.payload_len = len;
  h->t.segment(h->t.user_data, h->conn, &s);
  memset(f, TH_POISON, flen); /* borrowed for the call only */
  free(f);
  th_after(h);
}

void th_segment(torc_test_host *h, uint64_t off, uint32_t len, uint8_t flags) {
  uint8_t *p = th_xcalloc(len ? len : 1, 1);
  th_stream_fill(p, off, len);
  if (off + len > h->stream_end)
    h->stream_end = off + len;
  if ((flags & TORC_TCP_FIN) && h->fin_at == UINT64_MAX)
    h->fin_at = off + len;
  th_send(h, th_seq(h, off), p, len, flags);
  free(p);
}

void th_segment_in_next_completion(torc_test_host *h, uint64_t off,
                                   uint32_t len, uint8_t flags) {
  ck_assert_msg(h->nseg_compl < TH_MAX_PENDING_POSTS, "too many queued");
  h->seg_compl[h->nseg_compl++] = (th_seg_rec){off, len, flags};
}

void th_segment_in_next_indication(torc_test_host *h, uint64_t off,
                                   uint32_t len, uint8_t flags) {
  ck_assert_msg(h->nseg_ind < TH_MAX_PENDING_POSTS, "too many queued");
  h->seg_ind[h->nseg_ind++] = (th_seg_rec){off, len, flags};
}

void th_segment_raw(torc_test_host *h, uint32_t seq, const uint8_t *payload,
                    uint32_t len, uint8_t flags) {
  h->pure = 0;
  th_send(h, seq, payload, len, flags);
}

/* Sends the segments queued for inside a callback (RCV-068). */
void th_send_queued(torc_test_host *h, th_seg_rec *q, uint32_t *n) {
  th_seg_rec segs[TH_MAX_PENDING_POSTS];
  uint32_t k = *n;
  memcpy(segs, q, sizeof segs[0] * k);
  *n = 0;
  for (uint32_t i = 0; i < k; i++)
    th_segment(h, segs[i].off, segs[i].len, segs[i].flags);
}
