/*
 * torc_verdict.h - interface for a module to name the verdicts of a run and
 * the limits of a result's messages.
 *
 * The engine judges a vector into one of these verdicts (torc_engine.h
 * includes this header); the results document records the verdict by name
 * and the report and `torc diff` read it back by name.  Kept apart from the
 * engine so that the readers of results need nothing of the engine.
 */
#ifndef TORC_VERDICT_H
#define TORC_VERDICT_H

/* The closed set of verdicts (DESIGN.md), in order of severity for merging. */
typedef enum torc_verdict {
  TORC_PASS = 0,
  TORC_PASS_NONSTRICT,
  TORC_UNTESTED,
  TORC_WAIVED,
  TORC_FAIL,
  TORC_ERROR,
  TORC_CRASH,
  TORC_TIMEOUT,
  TORC_VERDICT_COUNT
} torc_verdict;

/* "PASS", "PASS-NONSTRICT", ... */
const char *torc_verdict_name(torc_verdict v);
/* Inverse of torc_verdict_name; -1 when unknown. */
int torc_verdict_parse(const char *name);

/* Limits of one result: violations it lists, bytes of each message. */
#define TORC_MAX_VIOLATIONS 16
#define TORC_MSG_SIZE 256

#endif /* TORC_VERDICT_H */
