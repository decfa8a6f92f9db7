/*
 * torc_results_shape.c - the shape of a results document (format 2),
 * checked member by member before anything trusts it.
 *
 * torc_results_load (torc_results_read.c) parses the file and refuses other
 * formats, then calls torcint_results_check_shape for the members that
 * scope a claim: the suite, the target and its declared and missing
 * features, the scope (set size, selection, shards, finished, strict), the
 * waivers when present, and the claim.  `torc merge`, `torc diff` and the
 * report then read those members without checking again.  Every problem is
 * "FILE: $.path: problem".
 */
#include "torc_results_int.h"

#include <stdio.h>

typedef struct shape {
  const char *file;
  char *err;
  size_t errlen;
} shape;

static int bad(const shape *s, const char *jpath, const char *problem) {
  torcint_results_set_err(s->err, s->errlen, "%s: %s: %s", s->file, jpath,
                          problem);
  return -1;
}

/* o[key] must be a string ("$<base>.<key>"). */
static int str(const shape *s, const json_t *o, const char *base,
               const char *key) {
  char p[128];
  if (json_is_string(json_object_get(o, key)))
    return 0;
  snprintf(p, sizeof p, "%s.%s", base, key);
  return bad(s, p, "missing or not a string");
}

static int count(const shape *s, const json_t *o, const char *base,
                 const char *key) {
  char p[128];
  const json_t *v = json_object_get(o, key);
  if (json_is_integer(v) && json_integer_value(v) >= 0)
    return 0;
  snprintf(p, sizeof p, "%s.%s", base, key);
  return bad(s, p, "missing or not a count (an integer >= 0)");
}

static int boolean(const shape *s, const json_t *o, const char *base,
                   const char *key) {
  char p[128];
  if (json_is_boolean(json_object_get(o, key)))
    return 0;
  snprintf(p, sizeof p, "%s.%s", base, key);
  return bad(s, p, "missing or not true/false");
}

static int object(const shape *s, const json_t *o, const char *jpath) {
  return json_is_object(o) ? 0 : bad(s, jpath, "missing or not an object");
}

/* o[key] must be an array of strings. */
static int strings(const shape *s, const json_t *o, const char *base,
                   const char *key) {
  const json_t *a = json_object_get(o, key), *x;
  char p[160];
  size_t i;
  snprintf(p, sizeof p, "%s.%s", base, key);
  if (!json_is_array(a))
    return bad(s, p, "missing or not an array");
  json_array_foreach(a, i, x) {
    if (!json_is_string(x)) {
      snprintf(p, sizeof p, "%s.%s[%zu]", base, key, i);
      return bad(s, p, "not a string");
    }
  }
  return 0;
}

/* o[key] must be an array; each element is checked by each(). */
static int objects(const shape *s, const json_t *o, const char *base,
                   const char *key,
                   int (*each)(const shape *, const json_t *, const char *)) {
  const json_t *a = json_object_get(o, key), *x;
  char p[160];
  size_t i;
  snprintf(p, sizeof p, "%s.%s", base, key);
  if (!json_is_array(a))
    return bad(s, p, "missing or not an array");
  json_array_foreach(a, i, x) {
    snprintf(p, sizeof p, "%s.%s[%zu]", base, key, i);
    if (object(s, x, p) || each(s, x, p))
      return -1;
  }
  return 0;
}

static int missing_feature(const shape *s, const json_t *o, const char *p) {
  return str(s, o, p, "capability") || strings(s, o, p, "requirements") ||
         str(s, o, p, "what");
}

static int absent_feature(const shape *s, const json_t *o, const char *p) {
  return str(s, o, p, "capability") || str(s, o, p, "because");
}

static int check_target(const shape *s, const json_t *t) {
  const json_t *caps = json_object_get(t, "capabilities");
  if (object(s, t, "$.target") || str(s, t, "$.target", "name") ||
      str(s, t, "$.target", "version"))
    return -1;
  if (!json_is_integer(json_object_get(t, "abi_version")))
    return bad(s, "$.target.abi_version", "missing or not an integer");
  if (!json_is_integer(caps) || json_integer_value(caps) < 0)
    return bad(s, "$.target.capabilities",
               "missing or not a capability mask (an integer >= 0)");
  return strings(s, t, "$.target", "capability_names") ||
         objects(s, t, "$.target", "missing_mandatory", missing_feature) ||
         objects(s, t, "$.target", "absent_optional", absent_feature);
}

static int shard(const shape *s, const json_t *o, const char *p) {
  json_int_t i = json_integer_value(json_object_get(o, "index"));
  json_int_t n = json_integer_value(json_object_get(o, "count"));
  if (!json_is_integer(json_object_get(o, "index")) ||
      !json_is_integer(json_object_get(o, "count")) || n < 1 || i < 1 || i > n)
    return bad(s, p, "not a shard {\"index\": i, \"count\": n}, 1 <= i <= n");
  return 0;
}

static int check_scope(const shape *s, const json_t *sc) {
  static const char *const lists[] = {"ids", "requirements", "tags", "exclude"};
  const json_t *sel = json_object_get(sc, "selection");
  const json_t *stop = json_object_get(sc, "stopped_by");
  size_t i;
  if (object(s, sc, "$.scope") || count(s, sc, "$.scope", "set_size") ||
      count(s, sc, "$.scope", "selected") ||
      object(s, sel, "$.scope.selection"))
    return -1;
  for (i = 0; i < sizeof lists / sizeof lists[0]; i++)
    if (strings(s, sel, "$.scope.selection", lists[i]))
      return -1;
  if (objects(s, sc, "$.scope", "shards", shard) ||
      boolean(s, sc, "$.scope", "finished") ||
      boolean(s, sc, "$.scope", "strict"))
    return -1;
  if (!json_is_null(stop) && !json_is_string(stop))
    return bad(s, "$.scope.stopped_by", "missing or not null or a string");
  /* not_run: the ids a stopped run left; absent in results written before
   * it was recorded. */
  if (json_object_get(sc, "not_run") && strings(s, sc, "$.scope", "not_run"))
    return -1;
  return 0;
}

/* One waiver: exactly one of "vector" and "requirement", with its reason,
 * owner and expiry (and "link" when present). */
static int waiver(const shape *s, const json_t *w, const char *p) {
  int has_v = json_object_get(w, "vector") != NULL;
  int has_r = json_object_get(w, "requirement") != NULL;
  if (has_v == has_r)
    return bad(s, p, "needs exactly one of \"vector\" and \"requirement\"");
  if (str(s, w, p, has_v ? "vector" : "requirement") ||
      str(s, w, p, "reason") || str(s, w, p, "owner") ||
      str(s, w, p, "expires"))
    return -1;
  if (json_object_get(w, "link") && str(s, w, p, "link"))
    return -1;
  return 0;
}

static int applied_waiver(const shape *s, const json_t *w, const char *p) {
  return waiver(s, w, p) || strings(s, w, p, "vectors");
}

static int check_waivers(const shape *s, const json_t *w) {
  return object(s, w, "$.waivers") ||
         objects(s, w, "$.waivers", "applied", applied_waiver) ||
         objects(s, w, "$.waivers", "unmatched", waiver);
}

static int check_claim(const shape *s, const json_t *c) {
  if (object(s, c, "$.claim") || str(s, c, "$.claim", "headline"))
    return -1;
  if (!json_is_integer(json_object_get(c, "exit_status")))
    return bad(s, "$.claim.exit_status", "missing or not an integer");
  return strings(s, c, "$.claim", "reasons") ||
         strings(s, c, "$.claim", "untested_requirements") ||
         strings(s, c, "$.claim", "missing_mandatory");
}

int torcint_results_check_shape(const json_t *doc, const char *file,
                                char *errbuf, size_t errlen) {
  shape s = {file, errbuf, errlen};
  const json_t *suite = json_object_get(doc, "suite");
  const json_t *waivers = json_object_get(doc, "waivers");
  if (str(&s, doc, "$", "torc_version") ||
      str(&s, doc, "$", "vector_set_digest") || object(&s, suite, "$.suite") ||
      str(&s, suite, "$.suite", "digest") ||
      boolean(&s, suite, "$.suite", "is_suite") ||
      check_target(&s, json_object_get(doc, "target")) ||
      check_scope(&s, json_object_get(doc, "scope")) ||
      (waivers && check_waivers(&s, waivers)) ||
      check_claim(&s, json_object_get(doc, "claim")))
    return -1;
  return 0;
}
