/*
 * torc_results_read.c - results documents read back.
 *
 * `torc merge`, `torc diff` and `torc report` read what `torc run --json`
 * wrote: torc_results_load checks the document's shape (format 2: the
 * target, scope and suite members the claim is decided from, every record)
 * before anything trusts it.  The document's own "claim" is dropped: whoever
 * needs it recomputes it (torc_claim.c).  Merging is torc_results_merge.c.
 */
#include "torc_results_int.h"

#include <stdlib.h>
#include <string.h>

/* Checks one record's shape; returns NULL or the name of the bad field. */
const char *torcint_results_check_record(const json_t *rec) {
  if (!json_is_object(rec))
    return "";
  if (!json_is_string(json_object_get(rec, "id")) ||
      !*torcint_results_rec_id(rec))
    return ".id";
  if (torc_results_verdict(rec) < 0)
    return ".verdict";
  if (!json_is_array(json_object_get(rec, "violations")))
    return ".violations";
  if (!json_is_array(json_object_get(rec, "requirements")))
    return ".requirements";
  return NULL;
}

/* Checks the members the claim is decided from; returns NULL or the JSON
 * path (after "$.") of the first bad one. */
static const char *check_scope(const json_t *doc) {
  const json_t *scope = json_object_get(doc, "scope");
  const json_t *suite = json_object_get(doc, "suite");
  const json_t *sel = json_object_get(scope, "selection");
  const json_t *w = json_object_get(doc, "waivers");
  const json_t *stop = json_object_get(scope, "stopped_by");
  static const char *const lists[] = {"ids", "requirements", "tags", "exclude"};
  size_t i;
  if (!json_is_object(scope))
    return "scope";
  if (!json_is_integer(json_object_get(scope, "set_size")))
    return "scope.set_size";
  if (!json_is_integer(json_object_get(scope, "selected")))
    return "scope.selected";
  if (!json_is_object(sel))
    return "scope.selection";
  for (i = 0; i < sizeof lists / sizeof lists[0]; i++)
    if (!json_is_array(json_object_get(sel, lists[i])))
      return "scope.selection";
  if (!json_is_array(json_object_get(scope, "shards")))
    return "scope.shards";
  if (!json_is_boolean(json_object_get(scope, "finished")))
    return "scope.finished";
  if (!json_is_boolean(json_object_get(scope, "strict")))
    return "scope.strict";
  if (!stop || !(json_is_null(stop) || json_is_string(stop)))
    return "scope.stopped_by";
  if (!json_is_object(suite) ||
      !json_is_string(json_object_get(suite, "digest")) ||
      !json_is_boolean(json_object_get(suite, "is_suite")))
    return "suite";
  if (w && (!json_is_array(json_object_get(w, "applied")) ||
            !json_is_array(json_object_get(w, "unmatched"))))
    return "waivers";
  return NULL;
}

int torc_results_load(const char *path, torc_results **out, char *errbuf,
                      size_t errlen) {
  json_error_t jerr;
  json_t *doc = json_load_file(path, 0, &jerr), *results, *rec;
  const json_t *target;
  torc_results *rs;
  const char *bad;
  size_t i;

  *out = NULL;
  if (!doc) {
    torcint_results_set_err(errbuf, errlen, "%s: line %d: %s", path, jerr.line,
                            jerr.text);
    return -1;
  }
  if (!json_is_object(doc)) {
    torcint_results_set_err(errbuf, errlen, "%s: $: not an object", path);
    goto fail;
  }
  if (json_integer_value(json_object_get(doc, "format")) == 1) {
    torcint_results_set_err(errbuf, errlen,
                            "%s: $.format: results of an older torc (format "
                            "1); re-run",
                            path);
    goto fail;
  }
  if (json_integer_value(json_object_get(doc, "format")) !=
      TORC_RESULTS_FORMAT) {
    torcint_results_set_err(errbuf, errlen, "%s: $.format: not %d", path,
                            TORC_RESULTS_FORMAT);
    goto fail;
  }
  if ((bad = check_scope(doc)) != NULL) {
    torcint_results_set_err(errbuf, errlen, "%s: $.%s: missing or invalid",
                            path, bad);
    goto fail;
  }
  if (!json_is_string(json_object_get(doc, "vector_set_digest"))) {
    torcint_results_set_err(errbuf, errlen, "%s: $.vector_set_digest: missing",
                            path);
    goto fail;
  }
  target = json_object_get(doc, "target");
  if (!json_is_object(target) ||
      !json_is_string(json_object_get(target, "name")) ||
      !json_is_string(json_object_get(target, "version")) ||
      !json_is_integer(json_object_get(target, "abi_version")) ||
      !json_is_integer(json_object_get(target, "capabilities")) ||
      !json_is_array(json_object_get(target, "capability_names"))) {
    torcint_results_set_err(errbuf, errlen,
                            "%s: $.target: missing name/version/abi_version/"
                            "capabilities/capability_names",
                            path);
    goto fail;
  }
  results = json_object_get(doc, "results");
  if (!json_is_array(results)) {
    torcint_results_set_err(errbuf, errlen, "%s: $.results: not an array",
                            path);
    goto fail;
  }
  json_array_foreach(results, i, rec) {
    if ((bad = torcint_results_check_record(rec)) != NULL) {
      torcint_results_set_err(errbuf, errlen,
                              "%s: $.results[%zu]%s: missing or invalid", path,
                              i, bad);
      goto fail;
    }
  }
  rs = calloc(1, sizeof *rs);
  if (!rs) {
    torcint_results_set_err(errbuf, errlen, "%s: out of memory", path);
    goto fail;
  }
  rs->results = json_incref(results);
  json_object_del(doc, "results");
  json_object_del(doc, "summary");
  json_object_del(doc, "claim");
  rs->doc = doc;
  *out = rs;
  return 0;
fail:
  json_decref(doc);
  return -1;
}

int torcint_results_same_target(const json_t *a, const json_t *b) {
  return strcmp(torcint_results_str(a, "name"),
                torcint_results_str(b, "name")) == 0 &&
         strcmp(torcint_results_str(a, "version"),
                torcint_results_str(b, "version")) == 0 &&
         json_integer_value(json_object_get(a, "abi_version")) ==
             json_integer_value(json_object_get(b, "abi_version"));
}
