/*
 * torc_sha256.c - SHA-256 (FIPS 180-4), used by the vector loader for
 * content-derived ids and by the capture reader for capture checksums.
 * A small self-contained implementation so that the harness needs no crypto
 * library.  On x86-64 processors with the SHA extensions (asked once, with
 * CPUID) the blocks go through those instructions, about five times the
 * portable loop's speed: a run hashes every vector file's bytes for the set
 * digest (issue 15).  Both paths give the same digests
 * (harness/unit/test_sha256.c checks them against each other and against
 * FIPS 180-4's examples).
 */
#include "torc_sha256.h"

#include <stdio.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <cpuid.h>
#include <immintrin.h>
#define TORC_SHA_NI 1
#endif

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
    0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
    0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
    0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
    0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
    0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void block(torc_sha256 *s, const uint8_t *p) {
  uint32_t w[64], a, b, c, d, e, f, g, h;
  int i;
  for (i = 0; i < 16; i++)
    w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
           (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
  for (i = 16; i < 64; i++) {
    uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
    uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  a = s->h[0], b = s->h[1], c = s->h[2], d = s->h[3];
  e = s->h[4], f = s->h[5], g = s->h[6], h = s->h[7];
  for (i = 0; i < 64; i++) {
    uint32_t t1 = h + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) +
                  ((e & f) ^ (~e & g)) + K[i] + w[i];
    uint32_t t2 =
        (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
    h = g, g = f, f = e, e = d + t1, d = c, c = b, b = a, a = t1 + t2;
  }
  s->h[0] += a, s->h[1] += b, s->h[2] += c, s->h[3] += d;
  s->h[4] += e, s->h[5] += f, s->h[6] += g, s->h[7] += h;
}

#ifdef TORC_SHA_NI
/* n blocks of p into h with the SHA extensions.  The state is kept as the
 * instructions want it, ABEF and CDGH; the message schedule as four groups
 * of four words, group i (i >= 4) made from groups i-4 .. i-1. */
__attribute__((target("sha,sse4.1,ssse3"))) static void
blocks_ni(uint32_t h[8], const uint8_t *p, size_t n) {
  const __m128i swap =
      _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
  __m128i st0, st1, tmp, w[4];
  tmp = _mm_loadu_si128((const __m128i *)&h[0]);
  st1 = _mm_loadu_si128((const __m128i *)&h[4]);
  tmp = _mm_shuffle_epi32(tmp, 0xB1);    /* CDAB */
  st1 = _mm_shuffle_epi32(st1, 0x1B);    /* EFGH */
  st0 = _mm_alignr_epi8(tmp, st1, 8);    /* ABEF */
  st1 = _mm_blend_epi16(st1, tmp, 0xF0); /* CDGH */
  for (; n; n--, p += 64) {
    __m128i abef = st0, cdgh = st1, m;
    int i;
    for (i = 0; i < 16; i++) {
      if (i < 4)
        w[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * i)),
                                swap);
      else
        w[i & 3] = _mm_sha256msg2_epu32(
            _mm_add_epi32(_mm_sha256msg1_epu32(w[i & 3], w[(i + 1) & 3]),
                          _mm_alignr_epi8(w[(i + 3) & 3], w[(i + 2) & 3], 4)),
            w[(i + 3) & 3]);
      m = _mm_add_epi32(w[i & 3], _mm_loadu_si128((const __m128i *)&K[4 * i]));
      st1 = _mm_sha256rnds2_epu32(st1, st0, m);
      m = _mm_shuffle_epi32(m, 0x0E);
      st0 = _mm_sha256rnds2_epu32(st0, st1, m);
    }
    st0 = _mm_add_epi32(st0, abef);
    st1 = _mm_add_epi32(st1, cdgh);
  }
  tmp = _mm_shuffle_epi32(st0, 0x1B);    /* FEBA */
  st1 = _mm_shuffle_epi32(st1, 0xB1);    /* DCHG */
  st0 = _mm_blend_epi16(tmp, st1, 0xF0); /* DCBA */
  st1 = _mm_alignr_epi8(st1, tmp, 8);    /* HGFE */
  _mm_storeu_si128((__m128i *)&h[0], st0);
  _mm_storeu_si128((__m128i *)&h[4], st1);
}

/* 1 when the processor has SHA, SSSE3 and SSE4.1 (CPUID leaves 7 and 1),
 * asked once; 0 when torc_sha256_portable turned them off. */
static int ni_state = -1;

static int have_ni(void) {
  if (ni_state < 0) {
    unsigned a, b, c, d, ok = 0;
    if (__get_cpuid(1, &a, &b, &c, &d) && (c & bit_SSSE3) && (c & bit_SSE4_1) &&
        __get_cpuid_count(7, 0, &a, &b, &c, &d))
      ok = (b & bit_SHA) != 0;
    ni_state = (int)ok;
  }
  return ni_state;
}
#endif

/* n whole blocks of p. */
static void blocks(torc_sha256 *s, const uint8_t *p, size_t n) {
#ifdef TORC_SHA_NI
  if (have_ni()) {
    blocks_ni(s->h, p, n);
    return;
  }
#endif
  for (; n; n--, p += 64)
    block(s, p);
}

void torc_sha256_portable(int on) {
#ifdef TORC_SHA_NI
  if (on)
    ni_state = 0;
  else {
    ni_state = -1;
    have_ni();
  }
#else
  (void)on;
#endif
}

void torc_sha256_init(torc_sha256 *s) {
  static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372,
                                 0xa54ff53a, 0x510e527f, 0x9b05688c,
                                 0x1f83d9ab, 0x5be0cd19};
  memcpy(s->h, iv, sizeof iv);
  s->len = 0;
  s->nbuf = 0;
}

void torc_sha256_update(torc_sha256 *s, const void *data, size_t n) {
  const uint8_t *p = data;
  s->len += n;
  if (s->nbuf) {
    size_t take = 64 - s->nbuf < n ? 64 - s->nbuf : n;
    memcpy(s->buf + s->nbuf, p, take);
    s->nbuf += take, p += take, n -= take;
    if (s->nbuf < 64)
      return;
    blocks(s, s->buf, 1);
    s->nbuf = 0;
  }
  blocks(s, p, n / 64);
  p += n - n % 64;
  n %= 64;
  memcpy(s->buf, p, n);
  s->nbuf = n;
}

void torc_sha256_final(torc_sha256 *s, uint8_t out[32]) {
  uint64_t bits = s->len * 8;
  uint8_t pad[72] = {0x80};
  size_t padlen = (s->nbuf < 56 ? 56 : 120) - s->nbuf;
  int i;
  for (i = 0; i < 8; i++)
    pad[padlen + (size_t)i] = (uint8_t)(bits >> (56 - 8 * i));
  torc_sha256_update(s, pad, padlen + 8);
  for (i = 0; i < 8; i++) {
    out[4 * i] = (uint8_t)(s->h[i] >> 24);
    out[4 * i + 1] = (uint8_t)(s->h[i] >> 16);
    out[4 * i + 2] = (uint8_t)(s->h[i] >> 8);
    out[4 * i + 3] = (uint8_t)s->h[i];
  }
}

void torc_sha256_to_hex(const uint8_t d[32], char out[65]) {
  static const char hx[] = "0123456789abcdef";
  int i;
  for (i = 0; i < 32; i++) {
    out[2 * i] = hx[d[i] >> 4];
    out[2 * i + 1] = hx[d[i] & 15];
  }
  out[64] = '\0';
}

void torc_sha256_hex(const void *data, size_t n, char out[65]) {
  torc_sha256 s;
  uint8_t d[32];
  torc_sha256_init(&s);
  torc_sha256_update(&s, data, n);
  torc_sha256_final(&s, d);
  torc_sha256_to_hex(d, out);
}
