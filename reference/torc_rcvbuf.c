/*
 * torc_rcvbuf.c - the reference's queues of data and requests.
 *
 * Sits under the delivery algorithm (torc_deliver.c): segments accepted in
 * sequence become chunks appended to the held FIFO, placement copies bytes
 * out of its head into the head of the request ring, and indications lend
 * chunks to the host.  No protocol decisions are taken here.
 */
#include "torc_rcvbuf.h"

#include <string.h>

torc_chunk *torcint_chunk_new(const torc_mem *mem, uint32_t seq, uint32_t len,
                              uint8_t flags) {
  torc_chunk *c = mem->alloc(mem->ctx, sizeof(*c) + (size_t)len);
  if (c == NULL)
    return NULL;
  c->next = NULL;
  c->seq = seq;
  c->len = len;
  c->off = 0;
  c->refs = 1;
  c->flags = flags;
  memset(&c->ul, 0, sizeof(c->ul));
  memset(&c->uf, 0, sizeof(c->uf));
  return c;
}

void torcint_chunk_unref(const torc_mem *mem, torc_chunk *c) {
  if (c != NULL && --c->refs == 0)
    mem->free(mem->ctx, c);
}

void torcint_held_init(torc_held *h) {
  h->head = h->tail = NULL;
  h->bytes = 0;
  h->count = 0;
}

void torcint_held_append(const torc_mem *mem, torc_held *h, torc_chunk *c) {
  if (c->off >= c->len) {
    torcint_chunk_unref(mem, c);
    return;
  }
  c->next = NULL;
  if (h->tail != NULL)
    h->tail->next = c;
  else
    h->head = c;
  h->tail = c;
  h->bytes += c->len - c->off;
  h->count++;
}

void torcint_held_consume(const torc_mem *mem, torc_held *h, uint8_t *dst,
                          uint64_t n) {
  while (n > 0 && h->head != NULL) {
    torc_chunk *c = h->head;
    uint32_t avail = c->len - c->off;
    uint32_t take = n < avail ? (uint32_t)n : avail;
    if (dst != NULL) {
      memcpy(dst, c->data + c->off, take);
      dst += take;
    }
    c->off += take;
    h->bytes -= take;
    n -= take;
    if (c->off == c->len) {
      h->head = c->next;
      if (h->head == NULL)
        h->tail = NULL;
      h->count--;
      c->next = NULL;
      torcint_chunk_unref(mem, c);
    }
  }
}

void torcint_held_splice(torc_held *dst, torc_held *src) {
  if (src->head == NULL)
    return;
  if (dst->tail != NULL)
    dst->tail->next = src->head;
  else
    dst->head = src->head;
  dst->tail = src->tail;
  dst->bytes += src->bytes;
  dst->count += src->count;
  torcint_held_init(src);
}

void torcint_held_clear(const torc_mem *mem, torc_held *h) {
  torc_chunk *c = h->head;
  while (c != NULL) {
    torc_chunk *next = c->next;
    c->next = NULL;
    torcint_chunk_unref(mem, c);
    c = next;
  }
  torcint_held_init(h);
}

void torcint_reqq_init(torc_reqq *q) {
  q->ring = NULL;
  q->cap = 0;
  q->head = 0;
  q->count = 0;
}

int torcint_reqq_push(const torc_mem *mem, torc_reqq *q,
                      const torc_recv_request *r) {
  /* Grow early, at half full, so that one failed allocation only delays the
   * growth: the ring refuses a request only when it is full and the last
   * attempt to grow failed. */
  if (q->count >= q->cap / 2) {
    uint32_t ncap = q->cap != 0 ? q->cap * 2 : 16;
    torc_req *nr =
        ncap > q->cap ? mem->alloc(mem->ctx, (size_t)ncap * sizeof(*nr)) : NULL;
    if (nr != NULL) {
      for (uint32_t i = 0; i < q->count; i++)
        nr[i] = *torcint_reqq_at(q, i);
      if (q->ring != NULL)
        mem->free(mem->ctx, q->ring);
      q->ring = nr;
      q->cap = ncap;
      q->head = 0;
    } else if (q->count == q->cap) {
      return -1;
    }
  }
  torc_req *slot = &q->ring[(q->head + q->count) & (q->cap - 1)];
  slot->r = *r;
  slot->placed = 0;
  q->count++;
  return 0;
}

void torcint_reqq_drop(torc_reqq *q, uint32_t n) {
  if (n > q->count)
    n = q->count;
  q->head = (q->head + n) & (q->cap - 1);
  q->count -= n;
}

void torcint_reqq_cut(torc_reqq *q, uint32_t from, uint32_t n) {
  uint32_t i;
  if (from >= q->count)
    return;
  if (n > q->count - from)
    n = q->count - from;
  for (i = from; i + n < q->count; i++)
    *torcint_reqq_at(q, i) = *torcint_reqq_at(q, i + n);
  q->count -= n;
}

void torcint_reqq_free(const torc_mem *mem, torc_reqq *q) {
  if (q->ring != NULL)
    mem->free(mem->ctx, q->ring);
  torcint_reqq_init(q);
}
