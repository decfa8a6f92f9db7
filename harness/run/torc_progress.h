/*
 * torc_progress.h - interface for what a run prints on stderr while it
 * goes: a line per failing vector, a live line on a terminal, and at the
 * end the counts per cause of what was not played or not tested, the claim
 * with its reasons, then the summary (the last line).
 *
 * Fed by the run after each vector (torc_run_record.c) and closed at the
 * end of the run (torc_run_finish.c).
 */
#ifndef TORC_PROGRESS_H
#define TORC_PROGRESS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "torc_engine.h"
#include "torc_results.h"

typedef struct torc_progress {
  int tty;   /* redraw one line with \r on stderr */
  int quiet; /* print nothing but errors and the claim's headline */
  int strict;
  size_t total, done, failures;
  uint64_t t0_ns, last_draw_ns;
  double started_s; /* CLOCK_BOOTTIME seconds when the process started */
  size_t ran;       /* vectors run by this process (for the rate) */
} torc_progress;

/* total: vectors selected; already: those kept from a journal. */
void torc_progress_init(torc_progress *p, size_t total, size_t already,
                        int quiet, int strict);
/* One finished vector: a line when it failed (FAIL, CRASH, TIMEOUT, ERROR,
 * PASS-NONSTRICT with strict) unless it FAILed only for a missing mandatory
 * feature (detail "missing mandatory feature: ..."), then on a terminal
 * the live line redrawn. */
void torc_progress_add(torc_progress *p, const char *id, torc_verdict v,
                       const char *detail);
/* Clears the live line and says in a line each, from the results, how many
 * vectors FAILed because the target lacks a mandatory feature, with the
 * count per missing feature or operation, and how many are UNTESTED, with
 * the count per cause (neither is listed vector by vector).  Nothing when
 * quiet or when there are none. */
void torc_progress_causes(torc_progress *p, const torc_results *rs);
/* Clears the live line and prints the claim (torc_claim.h): "torc: claim:
 * HEADLINE", then each reason on a "torc:   - ..." line (the headline only
 * when quiet). */
void torc_progress_claim(torc_progress *p, const json_t *claim);
/* Clears the live line and prints the summary from counts (per verdict). */
void torc_progress_finish(torc_progress *p, const size_t *counts,
                          int interrupted, size_t not_run);

#endif /* TORC_PROGRESS_H */
