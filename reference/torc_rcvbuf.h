/*
 * torc_rcvbuf.h - Interface for a module to keep the receive path's queues:
 * target-owned data chunks, the FIFO of held data, and the FIFO of posted
 * receive requests.
 *
 * Held data (docs/DECISIONS.md vocabulary) is every in-sequence byte the
 * reference accepted and has not yet delivered: the copy of BufferedData
 * (RCV-007), data refused by an indication (RCV-136) and segments appended to
 * them (RCV-070).  It is a FIFO of chunks, oldest first (RCV-038, RCV-057),
 * with O(1) append and O(1) amortised consume.  A chunk may be shared with an
 * outstanding indication or an upload hand-back, so chunks are reference
 * counted and freed when the last owner lets go.
 *
 * Posted requests (RCV-093) sit in a growable ring in posting order; the
 * reference fills and completes them from the head (RCV-060, RCV-061).
 *
 * Every allocation goes through a torc_mem (the host's allocator).
 */
#ifndef TORC_RCVBUF_H
#define TORC_RCVBUF_H

#include <stddef.h>
#include <stdint.h>

#include "torc/target.h"

/* The host's allocator, as handed to torc_target_init(). */
typedef struct torc_mem {
  void *ctx;
  void *(*alloc)(void *ctx, size_t size);
  void (*free)(void *ctx, void *ptr);
} torc_mem;

/* One target-owned piece of stream data.  Bytes [off, len) of data are still
 * undelivered; bytes before off were delivered but may still be lent to the
 * host (an accepted indication, RCV-133).  refs counts owners: the held FIFO,
 * the out-of-order queue, the pending queue, each indication and the upload
 * hand-back.  The chunk is freed when refs drops to zero. */
typedef struct torc_chunk {
  struct torc_chunk *next; /* link in whichever queue owns it */
  uint32_t seq;            /* sequence number of data[0] */
  uint32_t len;            /* bytes in data */
  uint32_t off;            /* delivered prefix, off <= len */
  uint32_t refs;
  uint8_t flags; /* TORC_TCP_PSH / TORC_TCP_FIN of the segment,
                    TORC_CHUNK_CONT */
  /* Storage for handing the chunk back at terminate (DEC-07), so that the
   * upload never needs to allocate. */
  torc_buffer_list ul;
  torc_fragment uf;
  uint8_t data[];
} torc_chunk;

/* In the pending queue: this chunk became in sequence in the same event as
 * the one before it (a gap-filler and the out-of-order data it released), so
 * entry 2 of the delivery algorithm takes them together. */
#define TORC_CHUNK_CONT 0x80u

/* Allocates a chunk of len bytes with refs = 1, or returns NULL. */
torc_chunk *torcint_chunk_new(const torc_mem *mem, uint32_t seq, uint32_t len,
                              uint8_t flags);
/* Drops one reference; frees the chunk at zero. */
void torcint_chunk_unref(const torc_mem *mem, torc_chunk *c);

/* FIFO of chunks.  bytes == sum of (len - off) over the chunks; every chunk
 * in it has len > off.  The FIFO owns one reference of each chunk. */
typedef struct torc_held {
  torc_chunk *head;
  torc_chunk *tail;
  uint64_t bytes;
  uint32_t count; /* chunks in the FIFO */
} torc_held;

void torcint_held_init(torc_held *h);
/* Appends c (ownership of one reference transfers to the FIFO).  A chunk
 * with nothing undelivered is released instead. */
void torcint_held_append(const torc_mem *mem, torc_held *h, torc_chunk *c);
/* Copies the first n bytes (n <= h->bytes) to dst (when dst is not NULL) and
 * removes them from the FIFO, releasing emptied chunks. */
void torcint_held_consume(const torc_mem *mem, torc_held *h, uint8_t *dst,
                          uint64_t n);
/* Moves every chunk of src to the end of dst (src becomes empty). */
void torcint_held_splice(torc_held *dst, torc_held *src);
/* Releases every chunk. */
void torcint_held_clear(const torc_mem *mem, torc_held *h);

/* A posted request as the reference keeps it. */
typedef struct torc_req {
  torc_recv_request r; /* copy of the host's descriptor (buf stays host's) */
  uint32_t placed;     /* bytes the target wrote at buf + prefilled */
} torc_req;

/* Room left in a request (0 for a zero-byte or fully prefilled one). */
static inline uint32_t torcint_req_room(const torc_req *q) {
  uint32_t cap = q->r.size > q->r.prefilled ? q->r.size - q->r.prefilled : 0;
  return cap - q->placed;
}

/* Ring of posted requests, oldest at head. */
typedef struct torc_reqq {
  torc_req *ring; /* cap entries (owned) */
  uint32_t cap;   /* a power of two, or 0 */
  uint32_t head;
  uint32_t count;
} torc_reqq;

void torcint_reqq_init(torc_reqq *q);
/* Appends a request, growing the ring (early, at half full).  Returns 0,
 * or -1 when the ring is full and memory for growing it cannot be had (the
 * queue is unchanged). */
int torcint_reqq_push(const torc_mem *mem, torc_reqq *q,
                      const torc_recv_request *r);
/* The i-th request from the head (i < count). */
static inline torc_req *torcint_reqq_at(torc_reqq *q, uint32_t i) {
  return &q->ring[(q->head + i) & (q->cap - 1)];
}
/* Removes n requests from the head. */
void torcint_reqq_drop(torc_reqq *q, uint32_t n);
/* Removes the n requests from index from on (from + n <= count), keeping
 * the order of the others. */
void torcint_reqq_cut(torc_reqq *q, uint32_t from, uint32_t n);
void torcint_reqq_free(const torc_mem *mem, torc_reqq *q);

#endif /* TORC_RCVBUF_H */
