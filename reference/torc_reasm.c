/*
 * torc_reasm.c - the out-of-order queue (RCV-062).
 *
 * torc_input.c hands here every acceptable segment that starts beyond
 * RcvNxt, already cut at the window's right edge; once a segment fills the
 * gap, torc_input.c pops the chunks that became in sequence and feeds them
 * to the delivery algorithm as in-sequence segments (flowchart 1, entry 2).
 * Positions are compared as signed distances from rcv_nxt, which is exact
 * for any window below 2^31 bytes, across the 2^32 wrap.
 */
#include "torc_reasm.h"

#include <string.h>

#include "torc_seq.h"

void torcint_reasm_init(torc_reasm *q) {
  q->head = NULL;
  q->count = 0;
  q->bytes = 0;
}

/* Position of x relative to base. */
static int64_t rel(uint32_t x, uint32_t base) {
  return (int64_t)TORC_SEQ_DIFF(x, base);
}

int torcint_reasm_insert(torc_reasm *q, const torc_mem *mem, uint32_t rcv_nxt,
                         uint32_t seq, const uint8_t *data, uint32_t len,
                         uint8_t flags, torc_reasm_result *res) {
  res->queued = res->trimmed = res->pieces = 0;
  int64_t s = rel(seq, rcv_nxt);
  int64_t e = s + len;
  int64_t cur = s < 0 ? 0 : s; /* bytes before rcv_nxt are old (RFC 9293) */
  if (cur >= e) {
    res->trimmed = len;
    return 0;
  }
  /* Pass 1: cut [cur, e) into the holes between queued chunks and allocate
   * one chunk per hole, all before touching the queue. */
  torc_chunk *pieces = NULL, **ptail = &pieces;
  for (torc_chunk *c = q->head; cur < e; c = c->next) {
    int64_t cs = c != NULL ? rel(c->seq, rcv_nxt) + c->off : e;
    int64_t ce = c != NULL ? rel(c->seq, rcv_nxt) + c->len : e;
    if (ce <= cur)
      continue;
    if (cs > cur) {
      int64_t pe = cs < e ? cs : e;
      uint32_t plen = (uint32_t)(pe - cur);
      torc_chunk *p = torcint_chunk_new(
          mem, TORC_SEQ_ADD(rcv_nxt, (uint32_t)cur), plen, flags);
      if (p == NULL) {
        while (pieces != NULL) {
          torc_chunk *n = pieces->next;
          torcint_chunk_unref(mem, pieces);
          pieces = n;
        }
        res->queued = res->pieces = 0;
        return -1;
      }
      memcpy(p->data, data + (cur - s), plen);
      *ptail = p;
      ptail = &p->next;
      res->queued += plen;
      res->pieces++;
    }
    cur = ce;
    if (c == NULL)
      break;
  }
  res->trimmed = len - res->queued;
  /* Pass 2: merge the sorted, disjoint pieces into the sorted queue. */
  torc_chunk **link = &q->head;
  while (pieces != NULL) {
    torc_chunk *p = pieces;
    pieces = p->next;
    int64_t ps = rel(p->seq, rcv_nxt);
    while (*link != NULL && rel((*link)->seq, rcv_nxt) < ps)
      link = &(*link)->next;
    p->next = *link;
    *link = p;
    link = &p->next;
    q->count++;
    q->bytes += p->len;
  }
  return 0;
}

torc_chunk *torcint_reasm_pop(torc_reasm *q, const torc_mem *mem,
                              uint32_t rcv_nxt) {
  while (q->head != NULL) {
    torc_chunk *c = q->head;
    int64_t cs = rel(c->seq, rcv_nxt);
    if (cs > 0)
      return NULL; /* a gap remains before it */
    q->head = c->next;
    q->count--;
    q->bytes -= c->len - c->off;
    c->next = NULL;
    if (cs + c->len <= 0) {
      torcint_chunk_unref(mem, c); /* wholly before rcv_nxt: duplicate */
      continue;
    }
    c->off = (uint32_t)(-cs);
    return c;
  }
  return NULL;
}

uint64_t torcint_reasm_cut(torc_reasm *q, const torc_mem *mem, uint32_t seq) {
  uint64_t dropped = 0;
  torc_chunk **link = &q->head;
  while (*link != NULL) {
    torc_chunk *c = *link;
    int64_t d = rel(seq, c->seq); /* where seq falls inside c */
    if (d <= (int64_t)c->off) {
      /* c starts at or after seq: drop it and the rest */
      *link = c->next;
      q->count--;
      q->bytes -= c->len - c->off;
      dropped += c->len - c->off;
      c->next = NULL;
      torcint_chunk_unref(mem, c);
      continue;
    }
    if (d < (int64_t)c->len) {
      dropped += c->len - (uint32_t)d;
      q->bytes -= c->len - (uint32_t)d;
      c->len = (uint32_t)d;
    }
    link = &c->next;
  }
  return dropped;
}

void torcint_reasm_clear(torc_reasm *q, const torc_mem *mem) {
  torc_chunk *c = q->head;
  while (c != NULL) {
    torc_chunk *n = c->next;
    c->next = NULL;
    torcint_chunk_unref(mem, c);
    c = n;
  }
  torcint_reasm_init(q);
}
