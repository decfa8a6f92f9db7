/*
 * torc_run_scope.c - what a run's claim covers, recorded in its results.
 *
 * Called at the end of a run (torc_run_finish.c), before the results are
 * written: the "scope" member (the size of the full set loaded, how many
 * vectors the selection kept, the selection and shard as given, whether
 * the run finished and what stopped it, --strict) and the "suite" member
 * (the digest of the vector set this torc ships and whether this run's set
 * is it).  The claim (harness/results/torc_claim.c) is decided from these,
 * so a filtered, sharded or interrupted run cannot pass for a full one.
 * The options part (selection, shards, --strict) is also what the journal
 * records at the start of a run (torc_run.c), so --resume can refuse a run
 * whose options differ.
 */
#include "torc_run_int.h"

#include <signal.h>
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

void torc_run_scope_record(torc_run_ctx *c, size_t not_run) {
  const torc_run_opts *o = c->o;
  const char *stop = not_run ? stopped_by(c) : NULL;
  const json_t *digest = torc_results_member(c->rs, "vector_set_digest");
  const char *suite = o->suite_digest ? o->suite_digest : "";
  json_t *opts = torc_run_scope_options(c);
  torc_results_set_member(
      c->rs, "scope",
      json_pack("{s:I, s:I, s:O, s:O, s:b, s:o, s:O}", "set_size",
                (json_int_t)c->nall, "selected", (json_int_t)c->nsel,
                "selection", json_object_get(opts, "selection"), "shards",
                json_object_get(opts, "shards"), "finished", not_run == 0,
                "stopped_by", stop ? json_string(stop) : json_null(), "strict",
                json_object_get(opts, "strict")));
  json_decref(opts);
  torc_results_set_member(
      c->rs, "suite",
      json_pack("{s:s, s:b}", "digest", suite, "is_suite",
                *suite && strcmp(json_string_value(digest), suite) == 0));
}
