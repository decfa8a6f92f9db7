/*
 * torc_cli_suite.c - the digest of the vector set this torc ships.
 *
 * The value is generated at build time by harness/tools/torc_suite_digest.c
 * over vectors/handwritten and vectors/corpus ($(O)/gen/torc_suite_digest.h)
 * and handed to the run, which records it as the results' "suite": a claim
 * is made only over this set.
 */
#include "torc_cli.h"

#include "torc_suite_digest.h"

const char *torc_cli_suite_digest(void) {
  return TORC_SUITE_DIGEST;
}
