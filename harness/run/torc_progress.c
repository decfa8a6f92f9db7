/*
 * torc_progress.c - what a run prints while it goes.
 *
 * Called by the run after each vector (torc_run_record.c).  On a terminal
 * (isatty(stderr)) one live line is redrawn with \r at most ten times a
 * second: done/total, failures, rate and time left.  Otherwise one plain
 * line per finished vector that did not PASS, so CI logs stay short.  A
 * summary ends both (torc_run_finish.c).
 * Everything goes to stderr: stdout is kept for --tap.
 */
#include "torc_progress.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "torc_claim.h"
#include "torc_isolate.h"

void torc_progress_init(torc_progress *p, size_t total, size_t already,
                        int quiet, int strict) {
  memset(p, 0, sizeof *p);
  p->tty = isatty(2);
  p->quiet = quiet;
  p->strict = strict;
  p->total = total;
  p->done = already;
  p->t0_ns = torc_isolate_now_ns();
}

static int is_failure(const torc_progress *p, torc_verdict v) {
  return v == TORC_FAIL || v == TORC_CRASH || v == TORC_TIMEOUT ||
         v == TORC_ERROR || (p->strict && v == TORC_PASS_NONSTRICT);
}

static void draw(torc_progress *p, uint64_t now) {
  double secs = (double)(now - p->t0_ns) / 1e9;
  double rate = secs > 0 ? (double)p->ran / secs : 0;
  size_t left = p->total > p->done ? p->total - p->done : 0;
  unsigned eta = rate > 0 ? (unsigned)((double)left / rate + 0.5) : 0;
  fprintf(stderr, "\r[%zu/%zu] %zu failed  %.0f vectors/s  ETA %u:%02u   ",
          p->done, p->total, p->failures, rate, eta / 60, eta % 60);
  fflush(stderr);
  p->last_draw_ns = now;
}

void torc_progress_add(torc_progress *p, const char *id, torc_verdict v,
                       const char *detail) {
  uint64_t now = torc_isolate_now_ns();
  p->done++;
  p->ran++;
  if (is_failure(p, v))
    p->failures++;
  if (p->quiet)
    return;
  if (p->tty) {
    if (v != TORC_PASS && v != TORC_PASS_NONSTRICT && v != TORC_UNTESTED) {
      fprintf(stderr, "\r\033[K%-14s %s%s%s\n", torc_verdict_name(v), id,
              detail && *detail ? ": " : "", detail ? detail : "");
      draw(p, now);
    } else if (now - p->last_draw_ns > 100000000u || p->done == p->total) {
      draw(p, now);
    }
    return;
  }
  if (v != TORC_PASS)
    fprintf(stderr, "%-14s %s%s%s\n", torc_verdict_name(v), id,
            detail && *detail ? ": " : "", detail ? detail : "");
}

void torc_progress_claim(torc_progress *p, const json_t *claim) {
  const json_t *r;
  size_t i;
  if (p->tty && !p->quiet)
    fputs("\r\033[K", stderr);
  fprintf(stderr, "torc: claim: %s\n", torc_claim_headline(claim));
  if (p->quiet)
    return;
  json_array_foreach(json_object_get(claim, "reasons"), i, r) {
    fprintf(stderr, "torc:   - %s\n",
            json_string_value(r) ? json_string_value(r) : "");
  }
}

void torc_progress_finish(torc_progress *p, const size_t *counts,
                          int interrupted, size_t not_run) {
  double secs = (double)(torc_isolate_now_ns() - p->t0_ns) / 1e9;
  size_t total = 0;
  int v, first = 1;
  if (p->quiet)
    return;
  if (p->tty)
    fputs("\r\033[K", stderr);
  for (v = 0; v < TORC_VERDICT_COUNT; v++)
    total += counts[v];
  fprintf(stderr, "torc: %zu vector%s:", total, total == 1 ? "" : "s");
  for (v = 0; v < TORC_VERDICT_COUNT; v++) {
    if (!counts[v])
      continue;
    fprintf(stderr, "%s %zu %s", first ? "" : ",", counts[v],
            torc_verdict_name((torc_verdict)v));
    first = 0;
  }
  if (not_run)
    fprintf(stderr, "%s %zu not run", first ? "" : ",", not_run);
  fprintf(stderr, " in %.2f s (%.0f vectors/s)%s\n", secs,
          secs > 0 ? (double)p->ran / secs : 0.0,
          interrupted ? " - interrupted" : "");
}
