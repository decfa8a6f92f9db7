/*
 * test_sha256.c - Check tests of SHA-256 (harness/results/torc_sha256.c),
 * which gives vectors their ids and the vector set its digest.
 *
 * The digests expected are the examples of FIPS 180-4 (NIST's "SHA256.pdf"
 * worked examples: "abc", the 448-bit two-block message, one million 'a')
 * and the digest of the empty message.  Where the processor has the SHA
 * extensions, torc hashes with them (issue 15); each case runs both that
 * path and the portable loop, and one case checks that the two agree on
 * every length from 0 to 300 bytes and on data fed in uneven pieces.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "torc_sha256.h"

static void hex_of(const void *p, size_t n, char out[65]) {
  torc_sha256_hex(p, n, out);
}

/* The digest of msg on both paths. */
static void expect(const char *msg, size_t n, const char *want) {
  char got[65];
  int portable;
  for (portable = 0; portable <= 1; portable++) {
    torc_sha256_portable(portable);
    hex_of(msg, n, got);
    ck_assert_msg(strcmp(got, want) == 0, "portable=%d: %s", portable, got);
  }
  torc_sha256_portable(0);
}

START_TEST(fips_examples) {
  expect("", 0,
         "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  expect("abc", 3,
         "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  expect("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}
END_TEST

START_TEST(million_a_in_pieces) {
  static char a[1000];
  int portable, i;
  memset(a, 'a', sizeof a);
  for (portable = 0; portable <= 1; portable++) {
    torc_sha256 s;
    uint8_t d[32];
    char got[65];
    torc_sha256_portable(portable);
    torc_sha256_init(&s);
    /* 1000 pieces of 1000 bytes: most start inside a block. */
    for (i = 0; i < 1000; i++)
      torc_sha256_update(&s, a, sizeof a);
    torc_sha256_final(&s, d);
    torc_sha256_to_hex(d, got);
    ck_assert_str_eq(
        got,
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  }
  torc_sha256_portable(0);
}
END_TEST

START_TEST(both_paths_agree) {
  uint8_t buf[300];
  uint32_t x = 12345;
  size_t n, k;
  for (k = 0; k < sizeof buf; k++) {
    x = x * 1103515245u + 12345u;
    buf[k] = (uint8_t)(x >> 16);
  }
  for (n = 0; n <= sizeof buf; n++) {
    char fast[65], slow[65], pieces[65];
    torc_sha256 s;
    uint8_t d[32];
    torc_sha256_portable(0);
    hex_of(buf, n, fast);
    /* The same bytes in pieces of 1, 2, 3, ... bytes. */
    torc_sha256_init(&s);
    for (k = 0; k < n;) {
      size_t take = (k % 7) + 1 < n - k ? (k % 7) + 1 : n - k;
      torc_sha256_update(&s, buf + k, take);
      k += take;
    }
    torc_sha256_final(&s, d);
    torc_sha256_to_hex(d, pieces);
    torc_sha256_portable(1);
    hex_of(buf, n, slow);
    ck_assert_msg(strcmp(fast, slow) == 0, "length %zu", n);
    ck_assert_msg(strcmp(fast, pieces) == 0, "length %zu in pieces", n);
  }
  torc_sha256_portable(0);
}
END_TEST

Suite *sha256_suite(void);
Suite *sha256_suite(void) {
  Suite *s = suite_create("sha256");
  TCase *t = tcase_create("digests");
  tcase_add_test(t, fips_examples);
  tcase_add_test(t, million_a_in_pieces);
  tcase_add_test(t, both_paths_agree);
  suite_add_tcase(s, t);
  return s;
}
