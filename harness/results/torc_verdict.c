/*
 * torc_verdict.c - the names of the verdicts.
 *
 * Used by the engine when it reports a verdict, by the results when they
 * write one into a record, and by every reader of results (report, diff,
 * merge) when it reads one back.
 */
#include "torc_verdict.h"

#include <string.h>

static const char *const verdict_names[TORC_VERDICT_COUNT] = {
    "PASS", "PASS-NONSTRICT", "UNTESTED", "WAIVED",
    "FAIL", "ERROR",          "CRASH",    "TIMEOUT"};

const char *torc_verdict_name(torc_verdict v) {
  return (unsigned)v < TORC_VERDICT_COUNT ? verdict_names[v] : "?";
}

int torc_verdict_parse(const char *name) {
  int i;
  for (i = 0; name && i < TORC_VERDICT_COUNT; i++)
    if (strcmp(verdict_names[i], name) == 0)
      return i;
  return -1;
}
