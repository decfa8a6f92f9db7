/*
 * torc_progress.c - what a run prints while it goes.
 *
 * Called by the run after each vector (torc_run_record.c).  One line per
 * failing vector (FAIL, CRASH, TIMEOUT, ERROR, and PASS-NONSTRICT with
 * --strict), its verdict, id and why; on a terminal (isatty(stderr)) also
 * one live line redrawn with \r at most ten times a second: done/total,
 * failures, rate and time left.  What is not a failure of the target's
 * doing is never listed vector by vector, so the failures are not buried:
 * a FAIL because the target lacks a mandatory feature (torc_gate.c: nothing
 * was played) and an UNTESTED vector are counted per missing feature or
 * cause and said in a few lines at the end (torc_progress_causes, from the
 * results, so a --resume or --jobs run counts every vector); WAIVED and a
 * non-strict PASS-NONSTRICT are in the summary's counts only.  The claim
 * and the summary, the last line, end the run (torc_run_finish.c); the
 * summary's time and rate are the whole process's, from its start.
 * Everything goes to stderr: stdout is kept for --tap, and a target's own
 * output goes to its log (torc_run_target.c), never here.
 */
#include "torc_progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "torc_claim.h"
#include "torc_isolate.h"

static double boottime_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_BOOTTIME, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* When this process started, on CLOCK_BOOTTIME: field 22 of /proc/self/stat
 * (clock ticks since boot).  The run's summary counts from there, so its
 * rate is the whole process's: loading, running, writing the results.  Now
 * when /proc cannot be read. */
static double process_start_s(void) {
  char buf[1024], *p;
  FILE *f = fopen("/proc/self/stat", "r");
  size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
  unsigned long long ticks;
  int field;
  long hz = sysconf(_SC_CLK_TCK);
  if (f)
    fclose(f);
  buf[n] = '\0';
  p = strrchr(buf, ')'); /* the command name may hold spaces */
  if (!p || hz <= 0)
    return boottime_s();
  for (field = 2; field < 22 && p; field++)
    p = strchr(p + 1, ' ');
  if (!p || sscanf(p + 1, "%llu", &ticks) != 1)
    return boottime_s();
  return (double)ticks / (double)hz;
}

void torc_progress_init(torc_progress *p, size_t total, size_t already,
                        int quiet, int strict) {
  memset(p, 0, sizeof *p);
  p->tty = isatty(2);
  p->quiet = quiet;
  p->strict = strict;
  p->total = total;
  p->done = already;
  p->t0_ns = torc_isolate_now_ns();
  p->started_s = process_start_s();
}

static int is_failure(const torc_progress *p, torc_verdict v) {
  return v == TORC_FAIL || v == TORC_CRASH || v == TORC_TIMEOUT ||
         v == TORC_ERROR || (p->strict && v == TORC_PASS_NONSTRICT);
}

/* The detail torc_gate.c gives a FAIL for missing mandatory features or
 * operations: "missing mandatory feature: A, B". */
static const char missing_prefix[] = "missing mandatory feature: ";

static int is_missing(torc_verdict v, const char *detail) {
  return v == TORC_FAIL && detail &&
         strncmp(detail, missing_prefix, sizeof missing_prefix - 1) == 0;
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
  if (is_failure(p, v) && !is_missing(v, detail)) {
    fprintf(stderr, "%s%-14s %s%s%s\n", p->tty ? "\r\033[K" : "",
            torc_verdict_name(v), id, detail && *detail ? ": " : "",
            detail ? detail : "");
    if (p->tty)
      draw(p, now);
  } else if (p->tty &&
             (now - p->last_draw_ns > 100000000u || p->done == p->total)) {
    draw(p, now);
  }
}

/* A tally of vectors per cause, in order of first appearance. */
#define MAX_CAUSES 64
typedef struct tally {
  size_t n, vectors;
  char name[MAX_CAUSES][80];
  size_t count[MAX_CAUSES];
} tally;

static void tally_add(tally *t, const char *name, size_t len) {
  size_t i;
  if (len >= sizeof t->name[0])
    len = sizeof t->name[0] - 1;
  for (i = 0; i < t->n; i++)
    if (strlen(t->name[i]) == len && strncmp(t->name[i], name, len) == 0)
      break;
  if (i == t->n) {
    if (t->n == MAX_CAUSES) {
      i = MAX_CAUSES - 1; /* the last slot takes every further cause */
      snprintf(t->name[i], sizeof t->name[i], "other causes");
    } else {
      memcpy(t->name[i], name, len);
      t->name[i][len] = '\0';
      t->n++;
    }
  }
  t->count[i]++;
}

/* The cause of an UNTESTED vector, without what differs from one vector to
 * the next (sizes, event numbers): "target lacks NAME", "beyond a declared
 * limit", ... the detail up to its first ':', ',', '(' or digit. */
static size_t untested_cause(const char *d, const char **start) {
  static const char pre[] = "untested: ";
  size_t n;
  if (strncmp(d, pre, sizeof pre - 1) == 0)
    d += sizeof pre - 1;
  *start = d;
  n = strcspn(d, ":,(0123456789");
  while (n > 0 && d[n - 1] == ' ')
    n--;
  return n ? n : strlen(d);
}

static void tally_print(const tally *t, const char *what) {
  size_t i;
  if (!t->vectors)
    return;
  fprintf(stderr, "torc: %zu vector%s %s:", t->vectors,
          t->vectors == 1 ? "" : "s", what);
  for (i = 0; i < t->n; i++)
    fprintf(stderr, "%s %s %zu", i ? "," : "", t->name[i], t->count[i]);
  fputc('\n', stderr);
}

void torc_progress_causes(torc_progress *p, const torc_results *rs) {
  tally *missing, *untested;
  size_t i;
  if (p->quiet)
    return;
  missing = calloc(2, sizeof *missing);
  if (!missing)
    return;
  untested = missing + 1;
  for (i = 0; i < torc_results_count(rs); i++) {
    const json_t *rec = torc_results_get(rs, i);
    const char *d = json_string_value(json_object_get(rec, "detail"));
    int v = torc_results_verdict(rec);
    if (v < 0)
      continue;
    d = d ? d : "";
    if (is_missing((torc_verdict)v, d)) {
      /* Each missing piece counts the vector once. */
      const char *s = d + sizeof missing_prefix - 1;
      missing->vectors++;
      while (*s) {
        size_t len = strcspn(s, ",");
        tally_add(missing, s, len);
        s += len;
        s += strspn(s, ", ");
      }
    } else if (v == TORC_UNTESTED) {
      const char *start;
      size_t len = untested_cause(d, &start);
      untested->vectors++;
      tally_add(untested, start, len);
    }
  }
  if (p->tty && (missing->vectors || untested->vectors))
    fputs("\r\033[K", stderr);
  tally_print(missing, "not played, a mandatory feature missing (FAIL)");
  tally_print(untested, "UNTESTED");
  free(missing);
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
  double secs = boottime_s() - p->started_s; /* the whole process */
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
