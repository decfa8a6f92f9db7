/*
 * torc_run_scope.c - what a run's claim covers, recorded in its results.
 *
 * Called at the end of a run (torc_run_finish.c), before the results are
 * written: the "scope" member (the size of the full set loaded, how many
 * vectors the selection kept, the selection and shard as given, whether
 * the run finished, what stopped it and the ids of the vectors it left
 * unrun, --strict) and the "suite" member
 * (the digest of the vector set this torc ships and whether this run's set
 * is it).  The claim (harness/results/torc_claim.c) is decided from these,
 * so a filtered, sharded or interrupted run cannot pass for a full one.
 * The options part (selection, shards, --strict) is also what the journal
 * records at the start of a run (torc_run.c), so --resume can refuse a run
 * whose options differ.
 */
#include "torc_run_int.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

static json_t *list_json(const torc_strlist *l) {
  json_t *a = json_array();
  size_t i;
  for (i = 0; i < l->n; i++)
    json_array_append_new(a, torc_json_text(l->v[i], 256));
  return a;
}

static const char *stopped_by(const torc_run_ctx *c) {
  if (*c->stop)
    return torc_run_signal_name(*c->stop);
  if (c->fail_stop)
    return "fail-fast";
  /* Vectors left without a stop asked for: workers that could not be
   * started or a run loop that failed. */
  return "error";
}

json_t *torc_run_scope_options(const torc_run_ctx *c) {
  const torc_run_opts *o = c->o;
  json_t *shards = json_array();
  if (o->sel.shard_count > 1)
    json_array_append_new(shards, json_pack("{s:i, s:i}", "index",
                                            (int)o->sel.shard_index, "count",
                                            (int)o->sel.shard_count));
  return json_pack(
      "{s:{s:o, s:o, s:o, s:o}, s:o, s:b}", "selection", "ids",
      list_json(&o->sel.ids), "requirements", list_json(&o->sel.requirements),
      "tags", list_json(&o->sel.tags), "exclude", list_json(&o->sel.excludes),
      "shards", shards, "strict", o->strict != 0);
}

/* The ids of the selected vectors without a result, sorted (the selection
 * is in id order already, but a resumed run's need not be). */
static int cmp_json_str(const void *x, const void *y) {
  return strcmp(json_string_value(*(json_t *const *)x),
                json_string_value(*(json_t *const *)y));
}

static json_t *not_run_ids(const torc_run_ctx *c, size_t not_run) {
  json_t *a = json_array();
  json_t **v = not_run ? calloc(not_run, sizeof *v) : NULL;
  size_t i, n = 0;
  for (i = 0; i < c->nsel && n < not_run; i++)
    if (!c->done[i] && v)
      v[n++] = json_string(c->sel[i]->id);
  if (n)
    qsort(v, n, sizeof *v, cmp_json_str);
  for (i = 0; i < n; i++)
    json_array_append_new(a, v[i]);
  free(v);
  return a;
}

void torc_run_scope_record(torc_run_ctx *c, size_t not_run) {
  const torc_run_opts *o = c->o;
  const char *stop = not_run ? stopped_by(c) : NULL;
  const json_t *digest = torc_results_member(c->rs, "vector_set_digest");
  const char *suite = o->suite_digest ? o->suite_digest : "";
  json_t *opts = torc_run_scope_options(c);
  torc_results_set_member(
      c->rs, "scope",
      json_pack("{s:I, s:I, s:O, s:O, s:b, s:o, s:o, s:O}", "set_size",
                (json_int_t)c->nall, "selected", (json_int_t)c->nsel,
                "selection", json_object_get(opts, "selection"), "shards",
                json_object_get(opts, "shards"), "finished", not_run == 0,
                "stopped_by", stop ? json_string(stop) : json_null(), "not_run",
                not_run_ids(c, not_run), "strict",
                json_object_get(opts, "strict")));
  json_decref(opts);
  torc_results_set_member(
      c->rs, "suite",
      json_pack("{s:s, s:b}", "digest", suite, "is_suite",
                *suite && strcmp(json_string_value(digest), suite) == 0));
}
