/*
 * torc_reasm.h - Interface for a module to queue out-of-order segment data
 * until the gap before it fills (RCV-062; RFC 9293 §3.10.7.4, RFC 1122
 * §4.2.2.20).
 *
 * The queue holds non-overlapping chunks sorted by sequence number.  An
 * insert trims what is already queued: the bytes that arrived first win, so a
 * retransmission can never change data the queue already holds.  A new
 * segment that spans several queued chunks is split into the pieces that fill
 * the holes between them.  Sequence arithmetic is modulo 2^32 (torc_seq.h).
 */
#ifndef TORC_REASM_H
#define TORC_REASM_H

#include <stdint.h>

#include "torc_rcvbuf.h"

typedef struct torc_reasm {
  torc_chunk *head; /* sorted by seq, pairwise disjoint; each owned (1 ref) */
  uint32_t count;   /* chunks queued */
  uint64_t bytes;   /* bytes queued */
} torc_reasm;

/* What an insert did, for the counters. */
typedef struct torc_reasm_result {
  uint32_t queued;  /* new bytes added to the queue */
  uint32_t trimmed; /* bytes discarded as already queued or before rcv_nxt */
  uint32_t pieces;  /* chunks added */
} torc_reasm_result;

void torcint_reasm_init(torc_reasm *q);

/* Queues bytes [seq, seq + len) of data, less any byte before rcv_nxt and any
 * byte already queued.  flags (PSH) are copied to every piece.  The data is
 * copied (borrowed for the call).  All or nothing: returns 0 and fills *res,
 * or returns -1 when memory for a piece cannot be had, with the queue
 * unchanged.  The caller has already cut the segment at the window's right
 * edge. */
int torcint_reasm_insert(torc_reasm *q, const torc_mem *mem, uint32_t rcv_nxt,
                         uint32_t seq, const uint8_t *data, uint32_t len,
                         uint8_t flags, torc_reasm_result *res);

/* Removes and returns the first chunk when it starts at or before rcv_nxt
 * and reaches past it; its undelivered bytes [off, len) then start exactly at
 * rcv_nxt (off counts a front already before rcv_nxt).  Chunks wholly
 * before rcv_nxt are released on the way.  Ownership of the returned chunk
 * (one reference) transfers to the caller.  NULL when nothing is in
 * sequence. */
torc_chunk *torcint_reasm_pop(torc_reasm *q, const torc_mem *mem,
                              uint32_t rcv_nxt);

/* Drops every byte at or after seq (used when a FIN or an urgent segment
 * bounds the stream, DEC-08, DEC-18).  Returns the bytes dropped. */
uint64_t torcint_reasm_cut(torc_reasm *q, const torc_mem *mem, uint32_t seq);

/* Releases everything. */
void torcint_reasm_clear(torc_reasm *q, const torc_mem *mem);

#endif /* TORC_REASM_H */
