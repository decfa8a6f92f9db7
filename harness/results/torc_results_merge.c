/*
 * torc_results_merge.c - the shards of one run merged into one document
 * (`torc merge`).
 *
 * CI runs `torc run --shard i/N` as N jobs and merges their results.  A
 * merge is a claim about one target over one set, so inputs are refused
 * unless they agree on what they judged: the same torc version, vector set
 * and suite, the same target (name, version, ABI) with the same declared
 * capabilities, the same selection and --strict, shards of the same count
 * and none twice, no vector twice.  The merged scope says what the shards
 * cover together; the claim is computed from it when the document is
 * written (torc_claim.c), so merging shard 1 of 2 alone is a PARTIAL RUN.
 */
#include "torc_results_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const json_t *scope_of(const torc_results *rs) {
  return json_object_get(rs->doc, "scope");
}

/* NULL when input k agrees with input 0 on what they judged, else what
 * differs (a phrase). */
static const char *differs(const torc_results *a, const torc_results *b) {
  const json_t *ta = json_object_get(a->doc, "target");
  const json_t *tb = json_object_get(b->doc, "target");
  if (strcmp(torcint_results_str(a->doc, "torc_version"),
             torcint_results_str(b->doc, "torc_version")) != 0)
    return "torc version";
  if (strcmp(torcint_results_str(a->doc, "vector_set_digest"),
             torcint_results_str(b->doc, "vector_set_digest")) != 0)
    return "vector set (vector_set_digest)";
  if (!json_equal(json_object_get(a->doc, "suite"),
                  json_object_get(b->doc, "suite")))
    return "suite digest";
  if (!torcint_results_same_target(ta, tb))
    return "target (name, version, ABI)";
  if (json_integer_value(json_object_get(ta, "capabilities")) !=
      json_integer_value(json_object_get(tb, "capabilities")))
    return "declared capabilities";
  if (!json_equal(json_object_get(scope_of(a), "selection"),
                  json_object_get(scope_of(b), "selection")))
    return "selection (--id, --requirement, --tag, --exclude)";
  if (!json_equal(json_object_get(scope_of(a), "set_size"),
                  json_object_get(scope_of(b), "set_size")))
    return "set size";
  if (!json_equal(json_object_get(scope_of(a), "strict"),
                  json_object_get(scope_of(b), "strict")))
    return "--strict";
  return NULL;
}

static int cmp_shard(const void *x, const void *y) {
  json_int_t a =
      json_integer_value(json_object_get(*(json_t *const *)x, "index"));
  json_int_t b =
      json_integer_value(json_object_get(*(json_t *const *)y, "index"));
  return a < b ? -1 : a > b;
}

/* The shards of every input, sorted; -1 (message set) when two inputs are
 * the same shard or shards of different counts. */
static int merge_shards(torc_results *const *in, size_t n, json_t *out,
                        char *errbuf, size_t errlen) {
  json_t **all = NULL, *s;
  size_t k, i, m = 0, cap = 0;
  json_int_t count = 0;
  int rc = -1;
  for (k = 0; k < n; k++)
    cap += json_array_size(json_object_get(scope_of(in[k]), "shards"));
  all = calloc(cap ? cap : 1, sizeof *all);
  if (!all) {
    torcint_results_set_err(errbuf, errlen, "out of memory");
    return -1;
  }
  for (k = 0; k < n; k++) {
    json_array_foreach(json_object_get(scope_of(in[k]), "shards"), i, s) {
      json_int_t c = json_integer_value(json_object_get(s, "count"));
      if (count && c != count) {
        torcint_results_set_err(errbuf, errlen,
                                "input %zu: shard of %lld differs from the "
                                "other inputs' shards of %lld",
                                k + 1, (long long)c, (long long)count);
        goto done;
      }
      count = c;
      all[m++] = s;
    }
  }
  qsort(all, m, sizeof *all, cmp_shard);
  for (i = 0; i < m; i++) {
    if (i > 0 && cmp_shard(&all[i - 1], &all[i]) == 0) {
      torcint_results_set_err(
          errbuf, errlen, "shard %lld/%lld is in two inputs",
          (long long)json_integer_value(json_object_get(all[i], "index")),
          (long long)count);
      goto done;
    }
    json_array_append(out, all[i]);
  }
  rc = 0;
done:
  free(all);
  return rc;
}

/* The key of a waiver entry: "vector:ID" or "requirement:RCV-nnn". */
static void waiver_key(const json_t *w, char *out, size_t n) {
  const char *v = json_string_value(json_object_get(w, "vector"));
  const char *r = json_string_value(json_object_get(w, "requirement"));
  snprintf(out, n, "%s:%s", v ? "vector" : "requirement", v ? v : (r ? r : ""));
}

/* applied: every waiver applied in some input, with the vectors of all;
 * unmatched: those applied in none. */
static json_t *merge_waivers(torc_results *const *in, size_t n) {
  json_t *applied = json_object(), *unmatched = json_object(), *out, *w, *v;
  const char *key;
  size_t k, i, j;
  int any = 0;
  char kb[512];
  for (k = 0; k < n; k++) {
    const json_t *ws = json_object_get(in[k]->doc, "waivers");
    any |= ws != NULL;
    json_array_foreach(json_object_get(ws, "applied"), i, w) {
      json_t *have;
      waiver_key(w, kb, sizeof kb);
      have = json_object_get(applied, kb);
      if (!have) {
        json_object_set_new(applied, kb, json_deep_copy(w));
        continue;
      }
      json_array_foreach(json_object_get(w, "vectors"), j, v) {
        json_array_append(json_object_get(have, "vectors"), v);
      }
    }
    json_array_foreach(json_object_get(ws, "unmatched"), i, w) {
      waiver_key(w, kb, sizeof kb);
      json_object_set(unmatched, kb, w);
    }
  }
  if (!any) {
    json_decref(applied);
    json_decref(unmatched);
    return NULL;
  }
  out = json_pack("{s:[], s:[]}", "applied", "unmatched");
  json_object_foreach(applied, key, w) {
    json_array_append(json_object_get(out, "applied"), w);
  }
  json_object_foreach(unmatched, key, w) {
    if (!json_object_get(applied, key))
      json_array_append(json_object_get(out, "unmatched"), w);
  }
  json_decref(applied);
  json_decref(unmatched);
  return out;
}

/* The merged scope: what the inputs cover together. */
static json_t *merge_scope(torc_results *const *in, size_t n, int strict,
                           char *errbuf, size_t errlen) {
  json_t *scope = json_deep_copy(scope_of(in[0])), *shards = json_array();
  json_int_t selected = 0;
  const json_t *stop = NULL;
  int finished = 1;
  size_t k;
  if (!scope || !shards || merge_shards(in, n, shards, errbuf, errlen) != 0) {
    json_decref(scope);
    json_decref(shards);
    return NULL;
  }
  for (k = 0; k < n; k++) {
    const json_t *s = scope_of(in[k]);
    selected += json_integer_value(json_object_get(s, "selected"));
    finished &= json_is_true(json_object_get(s, "finished"));
    if (!stop && json_is_string(json_object_get(s, "stopped_by")))
      stop = json_object_get(s, "stopped_by");
  }
  json_object_set_new(scope, "selected", json_integer(selected));
  json_object_set_new(scope, "shards", shards);
  json_object_set_new(scope, "finished", json_boolean(finished));
  json_object_set_new(scope, "stopped_by",
                      stop ? json_string(json_string_value(stop))
                           : json_null());
  if (strict)
    json_object_set_new(scope, "strict", json_true());
  return scope;
}

int torc_results_merge(torc_results *const *in, size_t n, int strict,
                       torc_results **out, char *errbuf, size_t errlen) {
  torc_results *m;
  const char *started = NULL, *finished = NULL, *what;
  json_t *scope, *waivers, *rec;
  size_t k, i;

  *out = NULL;
  if (n == 0) {
    torcint_results_set_err(errbuf, errlen, "nothing to merge");
    return -1;
  }
  for (k = 1; k < n; k++) {
    if ((what = differs(in[0], in[k])) != NULL) {
      torcint_results_set_err(errbuf, errlen,
                              "input %zu: its %s differs from input 1's: "
                              "results of different runs cannot be merged",
                              k + 1, what);
      return -1;
    }
  }
  scope = merge_scope(in, n, strict, errbuf, errlen);
  if (!scope)
    return -1;
  m = calloc(1, sizeof *m);
  if (!m || !(m->doc = json_deep_copy(in[0]->doc)) ||
      !(m->results = json_array())) {
    json_decref(scope);
    torc_results_free(m);
    torcint_results_set_err(errbuf, errlen, "out of memory");
    return -1;
  }
  json_object_set_new(m->doc, "scope", scope);
  waivers = merge_waivers(in, n);
  if (waivers)
    json_object_set_new(m->doc, "waivers", waivers);
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

int torc_results_merge_files(const char *const *paths, size_t n, int strict,
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
  rc = torc_results_merge(in, n, strict, out, errbuf, errlen);
done:
  for (i = 0; i < loaded; i++)
    torc_results_free(in[i]);
  free(in);
  return rc;
}
