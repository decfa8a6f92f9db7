/*
 * torc_vector_digest.c - a vector's canonical form, its content id, and the
 * digest of a set of vectors.
 *
 * Canonical form (for ids): the document without its "id" member, dumped by
 * jansson with JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII: keys sorted
 * bytewise, no whitespace, non-ASCII as \uXXXX.  For ASCII documents without
 * control characters in strings this equals Python's
 * json.dumps(doc, sort_keys=True, separators=(",", ":")).  Only integers are
 * allowed as numbers, so no float formatting is involved.  The id is
 * "rcv-" + the first 16 hex digits of SHA-256 of that text.  The loader
 * (torc_vector.c) checks a vector's id with it when asked (lint,
 * --verify-ids, the suite's digest at build time).  The set digest, which
 * results and reports carry, is over the files' bytes instead: as cheap as
 * reading them, and no edit, even one keeping the id, leaves it unchanged.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "torc_sha256.h"
#include "torc_vector_int.h"

char *torc_vector_canonical(json_t *root_without_id) {
  return json_dumps(root_without_id,
                    JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
}

void torc_vector_compute_id(const char *canonical, char out[21]) {
  char hex[65];
  torc_sha256_hex(canonical, strlen(canonical), hex);
  memcpy(out, "rcv-", 4);
  memcpy(out + 4, hex, 16);
  out[20] = '\0';
}

static int cmp_vec_id(const void *a, const void *b) {
  const torc_vector *x = *(torc_vector *const *)a;
  const torc_vector *y = *(torc_vector *const *)b;
  return strcmp(x->id, y->id);
}

void torc_vector_set_digest(torc_vector *const *vs, size_t n, char out[65]) {
  torc_sha256 s;
  uint8_t d[32];
  const torc_vector **sorted = malloc((n ? n : 1) * sizeof *sorted);
  size_t i;
  torc_sha256_init(&s);
  if (sorted) {
    for (i = 0; i < n; i++)
      sorted[i] = vs[i];
    qsort(sorted, n, sizeof *sorted, cmp_vec_id);
    /* Digest of "sha256(vector file)\n" lines, in id order. */
    for (i = 0; i < n; i++) {
      torc_sha256_update(&s, sorted[i]->body->sha256, 64);
      torc_sha256_update(&s, "\n", 1);
    }
    free(sorted);
  }
  torc_sha256_final(&s, d);
  torc_sha256_to_hex(d, out);
}
