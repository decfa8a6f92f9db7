/*
 * torc_results_read.c - results documents read back, and the shards of one
 * run merged into one document.
 *
 * `torc merge`, `torc diff` and the journal read what `torc run --json`
 * wrote: torc_results_load checks the document's shape before anything
 * trusts it; torc_results_merge joins the shards of a run (refusing shards
 * of different vector sets or targets, and overlapping shards).
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
  if (json_integer_value(json_object_get(doc, "format")) !=
      TORC_RESULTS_FORMAT) {
    torcint_results_set_err(errbuf, errlen, "%s: $.format: not %d", path,
                            TORC_RESULTS_FORMAT);
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
      !json_is_integer(json_object_get(target, "abi_version"))) {
    torcint_results_set_err(
        errbuf, errlen, "%s: $.target: missing name/version/abi_version", path);
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

int torc_results_merge(torc_results *const *in, size_t n, torc_results **out,
                       char *errbuf, size_t errlen) {
  torc_results *m;
  const char *digest, *started = NULL, *finished = NULL;
  const json_t *target;
  size_t k, i;
  json_t *rec;

  *out = NULL;
  if (n == 0) {
    torcint_results_set_err(errbuf, errlen, "nothing to merge");
    return -1;
  }
  digest = torcint_results_str(in[0]->doc, "vector_set_digest");
  target = json_object_get(in[0]->doc, "target");
  for (k = 1; k < n; k++) {
    if (strcmp(digest, torcint_results_str(in[k]->doc, "vector_set_digest")) !=
        0) {
      torcint_results_set_err(
          errbuf, errlen,
          "input %zu: vector-set digest %.16s... differs from input 1's "
          "%.16s...: results of different vector sets",
          k + 1, torcint_results_str(in[k]->doc, "vector_set_digest"), digest);
      return -1;
    }
    if (!torcint_results_same_target(target,
                                     json_object_get(in[k]->doc, "target"))) {
      torcint_results_set_err(
          errbuf, errlen,
          "input %zu: target %s %s differs from input 1's %s %s", k + 1,
          torcint_results_str(json_object_get(in[k]->doc, "target"), "name"),
          torcint_results_str(json_object_get(in[k]->doc, "target"), "version"),
          torcint_results_str(target, "name"),
          torcint_results_str(target, "version"));
      return -1;
    }
  }
  m = calloc(1, sizeof *m);
  if (!m || !(m->doc = json_deep_copy(in[0]->doc)) ||
      !(m->results = json_array())) {
    torc_results_free(m);
    torcint_results_set_err(errbuf, errlen, "out of memory");
    return -1;
  }
  for (k = 0; k < n; k++) {
    const char *s = torcint_results_str(in[k]->doc, "started");
    const char *f = torcint_results_str(in[k]->doc, "finished");
    if (*s && (!started || strcmp(s, started) < 0))
      started = s;
    if (*f && (!finished || strcmp(f, finished) > 0))
      finished = f;
    json_array_foreach(in[k]->results, i, rec) {
      if (torc_results_has(m, torcint_results_rec_id(rec))) {
        torcint_results_set_err(
            errbuf, errlen,
            "input %zu: vector %s is already in an earlier input "
            "(overlapping shards)",
            k + 1, torcint_results_rec_id(rec));
        torc_results_free(m);
        return -1;
      }
      json_array_append(m->results, rec);
    }
  }
  torc_results_set_times(m, started ? started : "", finished ? finished : "");
  *out = m;
  return 0;
}

int torc_results_merge_files(const char *const *paths, size_t n,
                             torc_results **out, char *errbuf, size_t errlen) {
  torc_results **in = calloc(n ? n : 1, sizeof *in);
  size_t i, loaded = 0;
  int rc = -1;
  *out = NULL;
  if (!in) {
    torcint_results_set_err(errbuf, errlen, "out of memory");
    return -1;
  }
  for (; loaded < n; loaded++)
    if (torc_results_load(paths[loaded], &in[loaded], errbuf, errlen) != 0)
      goto done;
  rc = torc_results_merge(in, n, out, errbuf, errlen);
done:
  for (i = 0; i < loaded; i++)
    torc_results_free(in[i]);
  free(in);
  return rc;
}
