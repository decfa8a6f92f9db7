/*
 * torc_sha256.h - interface for a module to compute SHA-256 digests.
 *
 * Used for content-derived vector ids, the vector-set digest and the capture
 * checksums vectors carry (FIPS 180-4).  Pure computation, no I/O.
 */
#ifndef TORC_SHA256_H
#define TORC_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct torc_sha256 {
  uint32_t h[8];
  uint64_t len; /* bytes hashed so far */
  uint8_t buf[64];
  size_t nbuf;
} torc_sha256;

void torc_sha256_init(torc_sha256 *s);
void torc_sha256_update(torc_sha256 *s, const void *data, size_t n);
void torc_sha256_final(torc_sha256 *s, uint8_t out[32]);
/* One-shot digest as 64 lowercase hex digits and a NUL. */
void torc_sha256_hex(const void *data, size_t n, char out[65]);
/* on = 1: the portable C loop from now on, even where the processor has
 * the SHA extensions; 0: those again when it has them (for tests and
 * comparisons; not thread-safe against a running digest). */
void torc_sha256_portable(int on);
/* Lowercase hex of a 32-byte digest into out (65 bytes). */
void torc_sha256_to_hex(const uint8_t d[32], char out[65]);

#endif /* TORC_SHA256_H */
