/*
 * torc_run_record.c - what a finished vector of a run becomes.
 *
 * Called by the loops (torc_run.c, torc_run_workers.c) with each result:
 * a failure that a waiver covers (torc_waivers_match: a vector waiver,
 * or a requirement waiver of every rule the FAIL is attributed to) becomes
 * WAIVED; the result record (torc_results_record) gets what
 * `torc report` draws for a vector that did not PASS, is appended to the
 * journal (fsync'd; one that cannot be written, disk full, is said once
 * and kept to be written with the next) and to the results, printed as a
 * TAP line and on the progress line, and a failure stops a --fail-fast
 * run.
 */
#include "torc_run_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "torc_bundle.h"
#include "torc_results_record.h"
#include "torc_shquote.h"

int torc_run_failing(const torc_run_opts *o, torc_verdict v) {
  return v == TORC_FAIL || v == TORC_CRASH || v == TORC_TIMEOUT ||
         v == TORC_ERROR || (o->strict && v == TORC_PASS_NONSTRICT);
}

/* What `torc report` draws for a vector that did not PASS (or for every
 * vector with --traces): the expected and actual event traces, the script
 * and stream (torc_bundle_context), the vector file and the one command
 * that replays it alone, each word quoted for sh (torc_shquote.h). */
static void add_report_context(const torc_run_opts *o, json_t *rec,
                               const torc_result *r, const torc_vector *v) {
  json_error_t je;
  json_t *ex, *ac, *ctx;
  char *cmd = NULL;
  if (r->verdict == TORC_PASS && !o->traces)
    return;
  ex = r->expected_trace_json ? json_loads(r->expected_trace_json, 0, &je)
                              : NULL;
  ac = r->actual_trace_json ? json_loads(r->actual_trace_json, 0, &je) : NULL;
  if (ex || ac)
    json_object_set_new(rec, "traces",
                        json_pack("{s:o, s:o}", "expected",
                                  ex ? ex : json_null(), "actual",
                                  ac ? ac : json_null()));
  ctx = torc_bundle_context(v);
  if (ctx)
    json_object_set_new(rec, "context", ctx);
  json_object_set_new(rec, "vector", torc_json_text(v->path, 4096));
  {
    /* Every word quoted for sh: paths and specs come from outside. */
    const char *argv[7] = {"torc", "run", "--target", o->target};
    size_t n = 4;
    if (o->strict)
      argv[n++] = "--strict";
    argv[n++] = "--vectors";
    argv[n++] = v->path;
    if ((cmd = torc_sh_command(argv, n)) != NULL) {
      /* Whole, never cut: a cut would leave a quote open. */
      json_object_set_new(rec, "replay", torc_json_text(cmd, strlen(cmd)));
      free(cmd);
    }
  }
}

/* One line for humans: the detail, else the first violation, else the
 * allowances that made it PASS-NONSTRICT. */
static void progress_line(const torc_result *r, char *line, size_t n) {
  if (r->detail[0])
    snprintf(line, n, "%s", r->detail);
  else if (r->nviolations > 0 &&
           strstr(r->violations[0].message, r->violations[0].requirement))
    snprintf(line, n, "%s%s", r->violations[0].message,
             r->nviolations > 1 ? " (...)" : ""); /* it names its rule */
  else if (r->nviolations > 0)
    snprintf(line, n, "%s: %s%s", r->violations[0].requirement,
             r->violations[0].message, r->nviolations > 1 ? " (...)" : "");
  else if (r->allowances[0])
    snprintf(line, n, "allowance %s", r->allowances);
  else
    line[0] = '\0';
}

void torc_run_record(torc_run_ctx *c, size_t idx, torc_result *r) {
  const torc_vector *v = c->sel[idx];
  const torc_waiver *w = NULL;
  torc_verdict orig = r->verdict;
  json_t *rec;
  char line[2 * TORC_MSG_SIZE + 32];

  if ((unsigned)r->verdict >= TORC_VERDICT_COUNT)
    r->verdict = TORC_ERROR;
  if ((w = torc_waivers_match(&c->waivers, v, r, c->o->strict)) != NULL) {
    orig = r->verdict;
    r->verdict = TORC_WAIVED;
    snprintf(r->detail, sizeof r->detail, "was %s: %s", torc_verdict_name(orig),
             w->reason);
  }
  rec = torc_results_record(r, v);
  if (!rec) {
    fprintf(stderr, "torc run: out of memory\n");
    return;
  }
  if (w)
    json_object_set_new(rec, "waiver",
                        torc_waiver_json(w, torc_verdict_name(orig)));
  add_report_context(c->o, rec, r, v);
  if (torc_journal_append(c->journal, rec) != 0) {
    if (c->journal_warned != 1) /* first failure, or the first since */
      fprintf(stderr,
              "torc run: %s: cannot write: %s (the run goes on; results "
              "not yet in the journal are written with the next one)\n",
              c->journal_path, strerror(errno));
    c->journal_warned = 1;
  } else if (c->journal_warned == 1) {
    fprintf(stderr, "torc run: %s: written again, nothing missing\n",
            c->journal_path);
    c->journal_warned = 2;
  }
  if (c->o->tap && torc_tap_line(stdout, ++c->tap_n, rec, c->o->strict) != 0)
    torc_run_tap_failed(c, errno);
  torc_results_add(c->rs, rec);
  c->done[idx] = 1;
  progress_line(r, line, sizeof line);
  torc_progress_add(&c->prog, v->id, r->verdict, line);
  if (c->o->fail_fast && torc_run_failing(c->o, r->verdict))
    c->fail_stop = 1;
}
