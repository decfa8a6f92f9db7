/*
 * torc_results_merge.c - the shards of one run joined into one results
 * document, refusing anything that is not a shard of the same run.
 *
 * `torc merge` (harness/cli/torc_cli_merge.c) calls
 * torc_results_merge_files, which loads each document (torc_results_read.c)
 * and merges them here.  Documents are shards of one run only when the same
 * torc wrote them over the same vector set, for the same target declaring
 * the same capabilities, with the same --strict, selection and waivers, and
 * each holds different shards i/N of one N; anything else is refused with a
 * message naming both files and what differs, as is a vector in two
 * inputs.  The merged scope is the shards' together (selected summed, the
 * shards listed in order, finished only when every shard finished, the
 * first stop); the claim is recomputed from it (torc_claim.c), so shards
 * short of the set merge to a PARTIAL RUN and an interrupted shard to
 * INCOMPLETE.
 */
#include "torc_results_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "torc_claim.h"
#include "torc_features.h"

typedef struct merge_ctx {
  torc_results *const *in;
  const char *const *names; /* NULL: "input K" */
  char *err;
  size_t errlen;
  char lab[2][32];
} merge_ctx;

/* The name of input k in messages (slot: 0 or 1, for two in one message). */
static const char *name_of(merge_ctx *c, size_t k, int slot) {
  if (c->names)
    return c->names[k];
  snprintf(c->lab[slot], sizeof c->lab[slot], "input %zu", k + 1);
  return c->lab[slot];
}

static const json_t *get(const torc_results *rs, const char *a, const char *b) {
  const json_t *o = json_object_get(rs->doc, a);
  return b ? json_object_get(o, b) : o;
}

static json_int_t num(const torc_results *rs, const char *a, const char *b) {
  return json_integer_value(get(rs, a, b));
}

/* "BUFFERED_DATA, PUSH_MODE" for the feature bits of caps, or "none". */
static void cap_names(uint64_t caps, char *out, size_t n) {
  size_t nf, i, used = 0;
  const torc_feature *f = torc_features(&nf);
  out[0] = '\0';
  for (i = 0; i < nf && used < n; i++)
    if (caps & f[i].cap)
      used += (size_t)snprintf(out + used, n - used, "%s%s", used ? ", " : "",
                               f[i].name);
  if (!used)
    snprintf(out, n, "none");
}

static int same_capabilities(merge_ctx *c, size_t k) {
  uint64_t a = (uint64_t)num(c->in[0], "target", "capabilities");
  uint64_t b = (uint64_t)num(c->in[k], "target", "capabilities");
  char only_a[256], only_b[256];
  if (a == b)
    return 0;
  cap_names(a & ~b, only_a, sizeof only_a);
  cap_names(b & ~a, only_b, sizeof only_b);
  torcint_results_set_err(
      c->err, c->errlen,
      "%s and %s declare different capabilities (only %s: %s; only %s: "
      "%s): results of different capabilities",
      name_of(c, 0, 0), name_of(c, k, 1), name_of(c, 0, 0), only_a,
      name_of(c, k, 1), only_b);
  return -1;
}

static int same_selection(merge_ctx *c, size_t k) {
  const json_t *a = get(c->in[0], "scope", "selection");
  const json_t *b = get(c->in[k], "scope", "selection");
  char *ja, *jb;
  if (json_equal(a, b))
    return 0;
  ja = json_dumps(a, JSON_COMPACT | JSON_SORT_KEYS);
  jb = json_dumps(b, JSON_COMPACT | JSON_SORT_KEYS);
  torcint_results_set_err(
      c->err, c->errlen,
      "%s selected %s, %s selected %s: shards of different selections",
      name_of(c, 0, 0), ja ? ja : "?", name_of(c, k, 1), jb ? jb : "?");
  free(ja);
  free(jb);
  return -1;
}

/* A waiver without the vectors it matched: what the waiver file said. */
static json_t *waiver_identity(const json_t *w) {
  json_t *id = json_deep_copy(w);
  json_object_del(id, "vectors");
  return id;
}

/* The entry of the array ws that is the same waiver as w, or NULL. */
static json_t *find_waiver(const json_t *ws, const json_t *w) {
  json_t *id = waiver_identity(w), *x, *found = NULL;
  size_t i;
  json_array_foreach(ws, i, x) {
    json_t *xid = waiver_identity(x);
    if (json_equal(xid, id))
      found = x;
    json_decref(xid);
    if (found)
      break;
  }
  json_decref(id);
  return found;
}

static int holds(const json_t *ws, const json_t *w) {
  return find_waiver(ws, w) != NULL;
}

/* The identities of the waivers of one document (applied and unmatched). */
static json_t *waiver_identities(const json_t *w) {
  static const char *const lists[] = {"applied", "unmatched"};
  json_t *ids = json_array(), *x;
  size_t l, i;
  for (l = 0; l < 2; l++)
    json_array_foreach(json_object_get(w, lists[l]), i, x) {
      if (!holds(ids, x))
        json_array_append_new(ids, waiver_identity(x));
    }
  return ids;
}

static int same_waivers(merge_ctx *c, size_t k) {
  const json_t *a = get(c->in[0], "waivers", NULL);
  const json_t *b = get(c->in[k], "waivers", NULL);
  json_t *ia, *ib, *x;
  size_t i;
  int same;
  if (!a && !b)
    return 0;
  if (!a || !b) {
    torcint_results_set_err(
        c->err, c->errlen,
        "%s was run with --waivers, %s without: results of different waivers",
        name_of(c, a ? 0 : k, 0), name_of(c, a ? k : 0, 1));
    return -1;
  }
  ia = waiver_identities(a);
  ib = waiver_identities(b);
  same = json_array_size(ia) == json_array_size(ib);
  json_array_foreach(ib, i, x) {
    if (same && !holds(ia, x))
      same = 0;
  }
  json_decref(ia);
  json_decref(ib);
  if (same)
    return 0;
  torcint_results_set_err(c->err, c->errlen,
                          "%s and %s were run with different waivers: results "
                          "of different waivers",
                          name_of(c, 0, 0), name_of(c, k, 1));
  return -1;
}

/* Input k is a shard of the same run as input 1 (all but the shards). */
static int same_run(merge_ctx *c, size_t k) {
  const torc_results *a = c->in[0], *b = c->in[k];
  const json_t *ta = get(a, "target", NULL), *tb = get(b, "target", NULL);
  if (strcmp(torcint_results_str(a->doc, "torc_version"),
             torcint_results_str(b->doc, "torc_version")) != 0) {
    torcint_results_set_err(
        c->err, c->errlen,
        "%s was written by torc %s, %s by torc %s: results of different "
        "torc versions",
        name_of(c, 0, 0), torcint_results_str(a->doc, "torc_version"),
        name_of(c, k, 1), torcint_results_str(b->doc, "torc_version"));
    return -1;
  }
  if (strcmp(torcint_results_str(a->doc, "vector_set_digest"),
             torcint_results_str(b->doc, "vector_set_digest")) != 0 ||
      num(a, "scope", "set_size") != num(b, "scope", "set_size")) {
    torcint_results_set_err(
        c->err, c->errlen,
        "%s ran vector set %.16s... (%" JSON_INTEGER_FORMAT
        " vectors), %s vector set %.16s... (%" JSON_INTEGER_FORMAT
        "): results of different vector sets (vector_set_digest)",
        name_of(c, 0, 0), torcint_results_str(a->doc, "vector_set_digest"),
        num(a, "scope", "set_size"), name_of(c, k, 1),
        torcint_results_str(b->doc, "vector_set_digest"),
        num(b, "scope", "set_size"));
    return -1;
  }
  if (!torcint_results_same_target(ta, tb)) {
    torcint_results_set_err(
        c->err, c->errlen,
        "%s judged target %s %s (ABI %" JSON_INTEGER_FORMAT "), %s target %s "
        "%s (ABI %" JSON_INTEGER_FORMAT "): results of different targets",
        name_of(c, 0, 0), torcint_results_str(ta, "name"),
        torcint_results_str(ta, "version"), num(a, "target", "abi_version"),
        name_of(c, k, 1), torcint_results_str(tb, "name"),
        torcint_results_str(tb, "version"), num(b, "target", "abi_version"));
    return -1;
  }
  if (same_capabilities(c, k) != 0)
    return -1;
  if (json_is_true(get(a, "scope", "strict")) !=
      json_is_true(get(b, "scope", "strict"))) {
    int sa = json_is_true(get(a, "scope", "strict"));
    torcint_results_set_err(c->err, c->errlen,
                            "%s was run with --strict, %s without: results "
                            "of different strictness",
                            name_of(c, sa ? 0 : k, 0),
                            name_of(c, sa ? k : 0, 1));
    return -1;
  }
  return same_selection(c, k) || same_waivers(c, k);
}

static int cmp_shard(const void *x, const void *y) {
  const json_t *a = *(json_t *const *)x, *b = *(json_t *const *)y;
  json_int_t ia = json_integer_value(json_object_get(a, "index"));
  json_int_t ib = json_integer_value(json_object_get(b, "index"));
  return ia < ib ? -1 : ia > ib;
}

/* The shards of every input, each once, of one count; sorted by index. */
static json_t *merged_shards(merge_ctx *c, size_t n) {
  json_t *all = json_array(), *owner = json_object(), *sorted, *s;
  json_t **v = NULL;
  json_int_t count = 0;
  size_t k, i, m;
  for (k = 0; k < n; k++) {
    const json_t *shards = get(c->in[k], "scope", "shards");
    if (n > 1 && json_array_size(shards) == 0) {
      torcint_results_set_err(c->err, c->errlen,
                              "%s is not a shard (its scope lists no "
                              "--shard): only the shards of one run merge",
                              name_of(c, k, 0));
      goto fail;
    }
    json_array_foreach(shards, i, s) {
      json_int_t si = json_integer_value(json_object_get(s, "index"));
      json_int_t sn = json_integer_value(json_object_get(s, "count"));
      char key[48];
      const json_t *prev;
      if (!count)
        count = sn;
      if (sn != count) {
        torcint_results_set_err(
            c->err, c->errlen,
            "%s is shard %" JSON_INTEGER_FORMAT "/%" JSON_INTEGER_FORMAT
            " but %s's are of %" JSON_INTEGER_FORMAT
            ": shards of different counts",
            name_of(c, k, 0), si, sn, name_of(c, 0, 1), count);
        goto fail;
      }
      snprintf(key, sizeof key, "%" JSON_INTEGER_FORMAT, si);
      if ((prev = json_object_get(owner, key)) != NULL) {
        torcint_results_set_err(
            c->err, c->errlen,
            "%s is shard %" JSON_INTEGER_FORMAT "/%" JSON_INTEGER_FORMAT
            ", and so is %s: the same shard twice",
            name_of(c, k, 0), si, sn,
            name_of(c, (size_t)json_integer_value(prev), 1));
        goto fail;
      }
      json_object_set_new(owner, key, json_integer((json_int_t)k));
      json_array_append(all, s);
    }
  }
  m = json_array_size(all);
  v = m ? malloc(m * sizeof *v) : NULL;
  sorted = json_array();
  for (i = 0; v && i < m; i++)
    v[i] = json_array_get(all, i);
  if (v)
    qsort(v, m, sizeof *v, cmp_shard);
  for (i = 0; v && i < m; i++)
    json_array_append(sorted, v[i]);
  free(v);
  json_decref(all);
  json_decref(owner);
  return sorted;
fail:
  json_decref(all);
  json_decref(owner);
  return NULL;
}

static int cmp_str(const void *x, const void *y) {
  return strcmp(json_string_value(*(json_t *const *)x),
                json_string_value(*(json_t *const *)y));
}

/* Sorts an array of strings in place. */
static void sort_strings(json_t *a) {
  size_t i, n = json_array_size(a);
  json_t **v = n > 1 ? malloc(n * sizeof *v) : NULL;
  if (!v)
    return;
  for (i = 0; i < n; i++)
    v[i] = json_incref(json_array_get(a, i));
  qsort(v, n, sizeof *v, cmp_str);
  json_array_clear(a);
  for (i = 0; i < n; i++)
    json_array_append_new(a, v[i]);
  free(v);
}

/* The merged scope: input 1's with selected summed, the shards, finished
 * when all finished, the first stop, the vectors not run of all, sorted. */
static json_t *merged_scope(merge_ctx *c, size_t n, json_t *shards) {
  json_t *scope = json_deep_copy(get(c->in[0], "scope", NULL));
  json_t *not_run = json_array();
  json_int_t selected = 0;
  const json_t *stop = NULL;
  int finished = 1;
  size_t k;
  for (k = 0; k < n; k++) {
    const json_t *s = get(c->in[k], "scope", "stopped_by");
    selected += num(c->in[k], "scope", "selected");
    finished &= json_is_true(get(c->in[k], "scope", "finished"));
    const json_t *left = get(c->in[k], "scope", "not_run");
    size_t j;
    for (j = 0; j < json_array_size(left); j++)
      json_array_append_new(
          not_run, json_string(json_string_value(json_array_get(left, j))));
    if (!stop && json_is_string(s))
      stop = s;
  }
  json_object_set_new(scope, "selected", json_integer(selected));
  json_object_set_new(scope, "shards", shards);
  json_object_set_new(scope, "finished", json_boolean(finished));
  json_object_set_new(scope, "stopped_by",
                      stop ? json_string(json_string_value(stop))
                           : json_null());
  sort_strings(not_run);
  json_object_set_new(scope, "not_run", not_run);
  return scope;
}

/* Adds the vectors of src missing from dst. */
static void union_vectors(json_t *dst, const json_t *src) {
  size_t i, j;
  json_t *x, *y;
  json_array_foreach(src, i, x) {
    int found = 0;
    json_array_foreach(dst, j, y) {
      if (json_equal(x, y))
        found = 1;
    }
    if (!found)
      json_array_append(dst, x);
  }
}

/* The waivers of all inputs: one entry per waiver applied anywhere (its
 * vectors together); unmatched only when no input applied it. */
static json_t *merged_waivers(merge_ctx *c, size_t n) {
  json_t *applied = json_array(), *unmatched = json_array(), *w;
  size_t k, i;
  for (k = 0; k < n; k++) {
    json_array_foreach(
        json_object_get(get(c->in[k], "waivers", NULL), "applied"), i, w) {
      json_t *into = find_waiver(applied, w);
      if (into)
        union_vectors(json_object_get(into, "vectors"),
                      json_object_get(w, "vectors"));
      else
        json_array_append_new(applied, json_deep_copy(w));
    }
  }
  for (k = 0; k < n; k++) {
    json_array_foreach(
        json_object_get(get(c->in[k], "waivers", NULL), "unmatched"), i, w) {
      if (!holds(applied, w) && !holds(unmatched, w))
        json_array_append_new(unmatched, waiver_identity(w));
    }
  }
  json_array_foreach(applied, i, w) {
    sort_strings(json_object_get(w, "vectors"));
  }
  return json_pack("{s:o, s:o}", "applied", applied, "unmatched", unmatched);
}

/* The records of all inputs; refuses a vector in two inputs. */
static int merged_records(merge_ctx *c, size_t n, torc_results *m) {
  json_t *owner = json_object(), *rec;
  size_t k, i;
  for (k = 0; k < n; k++) {
    json_array_foreach(c->in[k]->results, i, rec) {
      const char *id = torcint_results_rec_id(rec);
      const json_t *prev = json_object_get(owner, id);
      if (prev) {
        torcint_results_set_err(
            c->err, c->errlen,
            "%s: vector %s is also in %s (overlapping shards)",
            name_of(c, k, 0), id,
            name_of(c, (size_t)json_integer_value(prev), 1));
        json_decref(owner);
        return -1;
      }
      json_object_set_new(owner, id, json_integer((json_int_t)k));
      json_array_append(m->results, rec);
    }
  }
  json_decref(owner);
  return 0;
}

static void merged_times(merge_ctx *c, size_t n, torc_results *m) {
  const char *started = NULL, *finished = NULL;
  size_t k;
  for (k = 0; k < n; k++) {
    const char *s = torcint_results_str(c->in[k]->doc, "started");
    const char *f = torcint_results_str(c->in[k]->doc, "finished");
    if (*s && (!started || strcmp(s, started) < 0))
      started = s;
    if (*f && (!finished || strcmp(f, finished) > 0))
      finished = f;
  }
  torc_results_set_times(m, started ? started : "", finished ? finished : "");
}

static int merge_named(torc_results *const *in, const char *const *names,
                       size_t n, torc_results **out, char *errbuf,
                       size_t errlen) {
  merge_ctx c = {in, names, errbuf, errlen, {{0}}};
  torc_results *m;
  json_t *shards;
  size_t k;

  *out = NULL;
  if (n == 0) {
    torcint_results_set_err(errbuf, errlen, "nothing to merge");
    return -1;
  }
  for (k = 1; k < n; k++)
    if (same_run(&c, k) != 0)
      return -1;
  if (!(shards = merged_shards(&c, n)))
    return -1;
  m = calloc(1, sizeof *m);
  if (!m || !(m->doc = json_deep_copy(in[0]->doc)) ||
      !(m->results = json_array())) {
    torc_results_free(m);
    json_decref(shards);
    torcint_results_set_err(errbuf, errlen, "out of memory");
    return -1;
  }
  json_object_set_new(m->doc, "scope", merged_scope(&c, n, shards));
  /* One shard run inside torc's process makes the whole a development run
   * (torc_claim.c). */
  for (k = 0; k < n; k++) {
    const char *where = torcint_results_str(
        json_object_get(in[k]->doc, "target"), "containment");
    json_t *target = json_object_get(m->doc, "target");
    if (strcmp(where, "in-process") == 0 && json_is_object(target))
      json_object_set_new(target, "containment", json_string(where));
  }
  if (json_object_get(in[0]->doc, "waivers"))
    json_object_set_new(m->doc, "waivers", merged_waivers(&c, n));
  if (merged_records(&c, n, m) != 0) {
    torc_results_free(m);
    return -1;
  }
  merged_times(&c, n, m);
  json_object_set_new(m->doc, "claim", torc_results_claim(m));
  *out = m;
  return 0;
}

int torc_results_merge(torc_results *const *in, size_t n, torc_results **out,
                       char *errbuf, size_t errlen) {
  return merge_named(in, NULL, n, out, errbuf, errlen);
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
  rc = merge_named(in, paths, n, out, errbuf, errlen);
done:
  for (i = 0; i < loaded; i++)
    torc_results_free(in[i]);
  free(in);
  return rc;
}
