/*
 * torc_progress.h - interface for what a run prints on stderr while it
 * goes: a live line on a terminal, plain lines otherwise, and at the end
 * the claim with its reasons, then the summary (the last line).
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

typedef struct torc_progress {
  int tty;   /* redraw one line with \r on stderr */
  int quiet; /* print nothing but errors and the claim's headline */
  int strict;
  size_t total, done, failures;
  uint64_t t0_ns, last_draw_ns;
  size_t ran; /* vectors run by this process (for the rate) */
} torc_progress;

/* total: vectors selected; already: those kept from a journal. */
void torc_progress_init(torc_progress *p, size_t total, size_t already,
                        int quiet, int strict);
/* One finished vector: redraws the live line, or (not a terminal) prints a
 * plain line when the verdict is not PASS. */
void torc_progress_add(torc_progress *p, const char *id, torc_verdict v,
                       const char *detail);
/* Clears the live line and prints the claim (torc_claim.h): "torc: claim:
 * HEADLINE", then each reason on a "torc:   - ..." line (the headline only
 * when quiet). */
void torc_progress_claim(torc_progress *p, const json_t *claim);
/* Clears the live line and prints the summary from counts (per verdict). */
void torc_progress_finish(torc_progress *p, const size_t *counts,
                          int interrupted, size_t not_run);

#endif /* TORC_PROGRESS_H */
