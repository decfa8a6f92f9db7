/*
 * fuzz_manifest.c - libFuzzer target for the MANIFEST of a submission
 * package (`torc verify`).
 *
 * Where it sits: torc_package_verify (harness/results/torc_package_verify.c)
 * reads a package's MANIFEST with torc_manifest_parse
 * (harness/results/torc_manifest.c) before it trusts any member.  Input:
 * the bytes of a MANIFEST.  Oracles: a refused manifest names
 * "MANIFEST:LINE:"; an accepted one holds only valid member paths in
 * strictly increasing order, each found again by torc_manifest_find, and
 * is written back by torc_manifest_format byte for byte (the format has
 * one spelling); nothing leaks.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "torc_manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  torc_manifest m;
  char err[512];
  if (torc_manifest_parse("MANIFEST", (const char *)data, size, &m, err,
                          sizeof err) != 0) {
    if (strncmp(err, "MANIFEST:", 9) != 0 || err[9] < '1' || err[9] > '9')
      abort();
    return 0;
  }
  for (size_t i = 0; i < m.n; i++) {
    if (!torc_manifest_path_ok(m.v[i].path) ||
        torc_manifest_find(&m, m.v[i].path) != &m.v[i])
      abort();
    if (i && strcmp(m.v[i - 1].path, m.v[i].path) >= 0)
      abort();
  }
  char *text = torc_manifest_format(&m);
  if (!text || strlen(text) != size || memcmp(text, data, size) != 0)
    abort();
  free(text);
  torc_manifest_free(&m);
  return 0;
}
