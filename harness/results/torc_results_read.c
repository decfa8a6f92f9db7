/*
 * torc_results_read.c - results documents read back.
 *
 * `torc merge`, `torc diff` and the report read what `torc run --json` (or
 * `torc merge`) wrote: torc_results_load refuses any format but 2 (format 1
 * is an older torc's: re-run), checks the shape of the members that scope
 * the claim (torc_results_shape.c) and of every record, and only then hands
 * the document on; the journal shares the record check.  The claim of a
 * document read back is recomputed (torc_results_claim), never trusted.
 * Merging the documents read is torc_results_merge.c.
 */
#include "torc_results_int.h"

#include <stdlib.h>
#include <string.h>

#include "torc_claim.h"

/* The format read (torc_results.h's TORC_RESULTS_FORMAT once the run
 * writes format 2). */
#define READ_FORMAT 2

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

/* The format member: 2 is read; 1 is an older torc's. */
static int check_format(const json_t *doc, const char *path, char *errbuf,
                        size_t errlen) {
  const json_t *f = json_object_get(doc, "format");
  json_int_t v = json_integer_value(f);
  if (!json_is_integer(f)) {
    torcint_results_set_err(errbuf, errlen,
                            "%s: $.format: missing or not an integer", path);
    return -1;
  }
  if (v == READ_FORMAT)
    return 0;
  if (v < READ_FORMAT)
    torcint_results_set_err(errbuf, errlen,
                            "%s: $.format: results of an older torc (format "
                            "%" JSON_INTEGER_FORMAT "); re-run",
                            path, v);
  else
    torcint_results_set_err(errbuf, errlen,
                            "%s: $.format: results of a newer torc (format "
                            "%" JSON_INTEGER_FORMAT "); this torc reads %d",
                            path, v, READ_FORMAT);
  return -1;
}

int torc_results_load(const char *path, torc_results **out, char *errbuf,
                      size_t errlen) {
  json_error_t jerr;
  json_t *doc = json_load_file(path, 0, &jerr), *results, *rec;
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
  if (check_format(doc, path, errbuf, errlen) != 0 ||
      torcint_results_check_shape(doc, path, errbuf, errlen) != 0)
    goto fail;
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
  json_object_del(doc, "claim"); /* recomputed by whoever needs it */
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
