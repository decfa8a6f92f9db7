/*
 * torc_run_finish.c - the end of a run, after the last vector or on
 * SIGINT/SIGTERM/SIGHUP/SIGQUIT.
 *
 * Stamps the times, records what the run covered (torc_run_scope.c) and
 * what each waiver waived (a waiver that matched nothing is a warning, an
 * error, exit 2, with --strict once the results are written), takes
 * the exit status from the claim (harness/results/torc_claim.c: 3 for
 * INCOMPLETE, 1 for NOT CONFORMANT, else 0; 5, outranking all, when an
 * output could not be written: the JSON or JUnit file, TAP, a repro
 * bundle, or the journal while it is still needed), the one place it is
 * decided; writes the JSON and JUnit files atomically (each with the claim)
 * and, with --bundle, one repro folder per failing vector (torc_bundle.c),
 * writes what the journal still lacks and closes it (removed once the run is
 * complete and its JSON written), ends TAP with the claim's line, and prints
 * the counts per cause of the vectors not played or not tested, the claim
 * with its reasons and the summary, the last line (torc_progress.c).
 */
#include "torc_run_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "torc_bundle.h"
#include "torc_claim.h"

/* 1 when vector id was run here (selected and finished). */
static int ran(const torc_run_ctx *c, const char *id) {
  size_t k;
  for (k = 0; k < c->nsel; k++)
    if (c->done[k] && strcmp(c->sel[k]->id, id) == 0)
      return 1;
  return 0;
}

/* --waivers: records what each waiver waived ("waivers" member) and warns,
 * on stderr, of each waiver that matched nothing.  Returns the number of
 * those that could have matched in this run: a vector waiver whose vector
 * ran, or a requirement waiver in a run that is not one shard of several
 * (with --strict they are an error). */
static size_t record_waivers(torc_run_ctx *c) {
  const torc_waivers *w = &c->waivers;
  unsigned char *unmatched = calloc(w->n + 1, 1);
  size_t i, in_scope = 0;
  json_t *summary;
  if (!unmatched) {
    fprintf(stderr, "torc run: out of memory\n");
    return 0;
  }
  summary = torc_waivers_summary(w, c->rs, unmatched);
  if (summary)
    torc_results_set_member(c->rs, "waivers", summary);
  for (i = 0; i < w->n; i++) {
    const torc_waiver *x = &w->v[i];
    int could = x->vector ? ran(c, x->vector) : c->o->sel.shard_count <= 1;
    if (!unmatched[i])
      continue;
    in_scope += could;
    fprintf(stderr, "torc: waiver $[%zu] (%s %s, owner %s) matched no %s%s\n",
            i, x->vector ? "vector" : "requirement",
            x->vector ? x->vector : x->requirement, x->owner,
            x->vector ? "failure" : "failure attributed to it",
            could ? "" : " (not in this run)");
  }
  free(unmatched);
  return in_scope;
}

/* --bundle DIR: one repro folder per failing vector (torc_bundle.c).
 * Returns the number of bundles that could not be written, each named on
 * stderr with the file and the reason. */
static size_t write_bundles(const torc_run_ctx *c) {
  torc_bundle_opts bo;
  size_t i, k, n = 0, nerr = 0;
  memset(&bo, 0, sizeof bo);
  bo.target_spec = c->o->target;
  bo.strict = c->o->strict;
  bo.timeout_ms = c->o->timeout_ms;
  bo.memory_limit = (uint64_t)c->o->memory_mb << 20;
  bo.in_process = c->o->in_process;
  for (i = 0; i < torc_results_count(c->rs); i++) {
    const json_t *rec = torc_results_get(c->rs, i);
    const char *id = json_string_value(json_object_get(rec, "id"));
    int verdict = torc_results_verdict(rec);
    char err[1024];
    if (verdict < 0 || !id || !torc_run_failing(c->o, (torc_verdict)verdict))
      continue;
    for (k = 0; k < c->nsel && strcmp(c->sel[k]->id, id) != 0; k++)
      ;
    if (k == c->nsel)
      continue;
    if (torc_bundle_write(c->o->bundle, c->sel[k], rec, &bo, err, sizeof err) !=
        0) {
      nerr++;
      fprintf(stderr, "torc run: bundle %s: %s\n", id, err);
    } else {
      n++;
    }
  }
  if (!c->o->quiet || nerr)
    fprintf(stderr, "torc run: %zu repro bundle%s in %s%s\n", n,
            n == 1 ? "" : "s", c->o->bundle, nerr ? " (some failed)" : "");
  return nerr;
}

/* The journal at the end: what is still pending written if it can be, and
 * removed once the run is complete and its JSON document written.  Returns
 * 1 when results the journal is still needed for are missing from it. */
static int end_journal(torc_run_ctx *c, size_t not_run, int json_ok,
                       int status) {
  int lost = 0;
  if (!c->journal)
    return 0;
  if (torc_journal_flush(c->journal) != 0 && (not_run || !json_ok)) {
    size_t n = torc_journal_pending(c->journal);
    fprintf(stderr,
            "torc run: %s: cannot write: %s; %zu result%s not in it (a "
            "--resume runs %s again)\n",
            c->journal_path, strerror(errno), n, n == 1 ? "" : "s",
            n == 1 ? "that vector" : "those vectors");
    lost = 1;
  }
  torc_journal_close(c->journal,
                     not_run == 0 && json_ok && status != TORC_EXIT_USAGE);
  c->journal = NULL;
  return lost;
}

int torc_run_finish(torc_run_ctx *c, const char *started, int interrupted) {
  const torc_run_opts *o = c->o;
  size_t counts[TORC_VERDICT_COUNT];
  size_t i, not_run = 0, unmatched = 0, bundle_errors = 0;
  char finished[32], err[1024];
  json_t *claim;
  int status, json_ok = 1, output_failed = 0;

  for (i = 0; i < c->nsel; i++)
    not_run += !c->done[i];
  torc_results_now(finished);
  torc_results_set_times(c->rs, started, finished);
  torc_run_scope_record(c, not_run);
  if (o->waivers)
    unmatched = record_waivers(c);
  claim = torc_results_claim(c->rs);
  status = claim ? torc_claim_exit_status(claim) : TORC_EXIT_INCOMPLETE;
  if (o->json && torc_results_write_json(c->rs, o->json, err, sizeof err)) {
    fprintf(stderr, "torc run: %s\n", err);
    json_ok = 0;
    output_failed = 1;
  }
  if (o->junit &&
      torc_results_write_junit(c->rs, o->junit, o->strict, err, sizeof err)) {
    fprintf(stderr, "torc run: %s\n", err);
    output_failed = 1;
  }
  if (unmatched && o->strict) {
    fprintf(stderr,
            "torc run: %zu waiver%s matched nothing (an error with --strict)\n",
            unmatched, unmatched == 1 ? "" : "s");
    status = TORC_EXIT_USAGE;
  }
  if (o->bundle)
    bundle_errors = write_bundles(c);
  output_failed |= end_journal(c, not_run, json_ok, status);
  if (o->tap && torc_tap_claim(stdout, ++c->tap_n, claim) != 0)
    torc_run_tap_failed(c, errno);
  if (c->tap_err || bundle_errors)
    output_failed = 1; /* a bundle that cannot be written is an output too */
  if (output_failed)
    status = TORC_EXIT_OUTPUT; /* outranks every other status */
  torc_results_counts(c->rs, counts);
  if (interrupted && !o->quiet)
    fprintf(stderr, "%storc run: interrupted; %zu vector%s not run%s\n",
            c->prog.tty ? "\r\033[K" : "", not_run, not_run == 1 ? "" : "s",
            o->json ? " (continue with --resume)" : "");
  torc_progress_causes(&c->prog, c->rs);
  torc_progress_claim(&c->prog, claim);
  json_decref(claim);
  torc_progress_finish(&c->prog, counts, interrupted, not_run);
  return status;
}
