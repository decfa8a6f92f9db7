/*
 * torc_seq.h - Interface for a module to compare TCP sequence numbers.
 *
 * Sequence numbers live on a circle of 2^32 (RFC 9293 §3.4): "a < b" means b
 * lies less than 2^31 ahead of a.  Every comparison in the reference goes
 * through these macros so that a connection whose sequence space wraps past
 * 0xFFFFFFFF behaves exactly like one that does not (RCV-062).  Header only:
 * no state, no functions.
 */
#ifndef TORC_SEQ_H
#define TORC_SEQ_H

#include <stdint.h>

/* Signed distance from b to a: positive when a is ahead of b. */
#define TORC_SEQ_DIFF(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)))

#define TORC_SEQ_LT(a, b) (TORC_SEQ_DIFF(a, b) < 0)
#define TORC_SEQ_LEQ(a, b) (TORC_SEQ_DIFF(a, b) <= 0)
#define TORC_SEQ_GT(a, b) (TORC_SEQ_DIFF(a, b) > 0)
#define TORC_SEQ_GEQ(a, b) (TORC_SEQ_DIFF(a, b) >= 0)

/* a + n on the circle. */
#define TORC_SEQ_ADD(a, n) ((uint32_t)((uint32_t)(a) + (uint32_t)(n)))

/* Bytes from b forward to a, for a at or after b (a - b modulo 2^32). */
#define TORC_SEQ_SUB(a, b) ((uint32_t)((uint32_t)(a) - (uint32_t)(b)))

/* lo <= x < hi on the circle (an empty range when lo == hi). */
#define TORC_SEQ_IN(x, lo, hi) (TORC_SEQ_SUB(x, lo) < TORC_SEQ_SUB(hi, lo))

/* The later / earlier of two sequence numbers. */
#define TORC_SEQ_MAX(a, b) (TORC_SEQ_GT(a, b) ? (uint32_t)(a) : (uint32_t)(b))
#define TORC_SEQ_MIN(a, b) (TORC_SEQ_LT(a, b) ? (uint32_t)(a) : (uint32_t)(b))

#endif /* TORC_SEQ_H */
