/*
 * torc_waivers.c - the waiver file of `torc run --waivers FILE`.
 *
 * Loaded before any vector runs: a JSON list of
 *   {"vector": "rcv-3f0c1d2e4a5b6c7d" | "requirement": "RCV-167",
 *    "reason": "...", "owner": "...", "expires": "YYYY-MM-DD",
 *    "link": "..."}
 * A waiver names one whole vector id or one requirement id: wildcards are
 * refused, so that a waiver cannot grow to cover failures nobody looked
 * at.  A waiver waives a violation, not a vector: a requirement waiver
 * covers a FAIL only when the judge attributed the failure to rules that
 * are all waived (torc_result.attributed), never because the vector merely
 * cites the requirement.  A waiver whose expiry date is before today fails
 * the run (exit 2) so that waivers cannot outlive their reason silently.
 * Today is the system clock's date (the only wall-clock use in torc
 * besides report timestamps) or $TORC_TODAY for tests.  After each vector,
 * a result a waiver covers becomes WAIVED (torc_run_record.c); at the end
 * the run lists what each waiver waived and warns of those that matched
 * nothing (torc_run_finish.c).
 */
#include "torc_waivers.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void err(char *e, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void err(char *e, size_t n, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(e, n, fmt, ap);
  va_end(ap);
}

/* 1 when s is a real calendar date YYYY-MM-DD. */
static int valid_date(const char *s) {
  static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int y, m, d, i;
  for (i = 0; i < 10; i++) {
    if (i == 4 || i == 7) {
      if (s[i] != '-')
        return 0;
    } else if (s[i] < '0' || s[i] > '9') {
      return 0;
    }
  }
  if (s[10] != '\0')
    return 0;
  y = atoi(s);
  m = atoi(s + 5);
  d = atoi(s + 8);
  if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
    return 0;
  if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
    return 0;
  return 1;
}

static int today(char out[11], char *e, size_t n) {
  const char *env = getenv("TORC_TODAY");
  if (env && *env) {
    if (!valid_date(env)) {
      err(e, n, "TORC_TODAY: '%s' is not a date YYYY-MM-DD", env);
      return -1;
    }
    memcpy(out, env, 11);
    return 0;
  } else {
    time_t t = time(NULL);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
  }
  return 0;
}

static char *opt_str(const json_t *o, const char *k) {
  const char *s = json_string_value(json_object_get(o, k));
  return s ? strdup(s) : NULL;
}

/* 1 when s is "rcv-" and 16 lowercase hex digits. */
static int valid_vector_id(const char *s) {
  size_t i;
  if (strncmp(s, "rcv-", 4) != 0 || strlen(s) != 20)
    return 0;
  for (i = 4; i < 20; i++)
    if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
      return 0;
  return 1;
}

/* 1 when s is "RCV-" and three digits. */
static int valid_requirement_id(const char *s) {
  return strlen(s) == 7 && strncmp(s, "RCV-", 4) == 0 && s[4] >= '0' &&
         s[4] <= '9' && s[5] >= '0' && s[5] <= '9' && s[6] >= '0' &&
         s[6] <= '9';
}

static const char *const known_fields[] = {"vector", "requirement", "reason",
                                           "owner",  "link",        "expires"};

/* 0 when the string member k of o is present and not empty, else -1 with
 * the problem in e. */
static int need_text(const json_t *o, const char *k, const char *why,
                     const char *path, size_t i, char *e, size_t n) {
  const json_t *x = json_object_get(o, k);
  if (json_is_string(x) && *json_string_value(x))
    return 0;
  err(e, n, "%s: $[%zu].%s: %s", path, i, k,
      x ? "not a non-empty string" : why);
  return -1;
}

/* Checks waiver $[i] (o); 0 or -1 with the problem in e. */
static int check_one(json_t *o, const char *path, size_t i, char *e, size_t n) {
  const json_t *vec, *req, *ex;
  json_t *val;
  const char *k, *id;
  size_t f;
  if (!json_is_object(o)) {
    err(e, n, "%s: $[%zu]: not an object", path, i);
    return -1;
  }
  json_object_foreach(o, k, val) {
    for (f = 0; f < sizeof known_fields / sizeof *known_fields; f++)
      if (strcmp(k, known_fields[f]) == 0)
        break;
    if (f == sizeof known_fields / sizeof *known_fields) {
      err(e, n, "%s: $[%zu].%s: unknown field", path, i, k);
      return -1;
    }
  }
  vec = json_object_get(o, "vector");
  req = json_object_get(o, "requirement");
  if (!!vec == !!req) {
    err(e, n, "%s: $[%zu]: needs exactly one of \"vector\" or \"requirement\"",
        path, i);
    return -1;
  }
  if (need_text(o, vec ? "vector" : "requirement", "", path, i, e, n) != 0)
    return -1;
  id = json_string_value(vec ? vec : req);
  if (strpbrk(id, "*?[")) {
    err(e, n,
        "%s: $[%zu].%s: '%s': wildcards are refused; name one %s per waiver",
        path, i, vec ? "vector" : "requirement", id,
        vec ? "vector id" : "requirement id");
    return -1;
  }
  if (vec ? !valid_vector_id(id) : !valid_requirement_id(id)) {
    err(e, n, "%s: $[%zu].%s: '%s' is not a %s", path, i,
        vec ? "vector" : "requirement", id,
        vec ? "vector id (rcv- and 16 hex digits)"
            : "requirement id (RCV- and 3 digits)");
    return -1;
  }
  if (need_text(o, "reason", "missing (every waiver says why)", path, i, e,
                n) != 0 ||
      need_text(o, "owner", "missing (every waiver says who answers for it)",
                path, i, e, n) != 0)
    return -1;
  if (json_object_get(o, "link") &&
      !json_is_string(json_object_get(o, "link"))) {
    err(e, n, "%s: $[%zu].link: not a string", path, i);
    return -1;
  }
  ex = json_object_get(o, "expires");
  if (!json_is_string(ex) || !valid_date(json_string_value(ex))) {
    err(e, n, "%s: $[%zu].expires: missing or not a date YYYY-MM-DD", path, i);
    return -1;
  }
  return 0;
}

int torc_waivers_load(const char *path, torc_waivers *w, char *e, size_t n) {
  json_error_t jerr;
  json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr), *o;
  char now[11];
  size_t i;
  int rc = 0;

  memset(w, 0, sizeof *w);
  if (!doc) {
    err(e, n, "%s: line %d: %s", path, jerr.line, jerr.text);
    return -1;
  }
  if (!json_is_array(doc)) {
    err(e, n, "%s: $: not a list of waivers", path);
    json_decref(doc);
    return -1;
  }
  if (today(now, e, n) != 0) {
    json_decref(doc);
    return -1;
  }
  w->v = calloc(json_array_size(doc) + 1, sizeof *w->v);
  if (!w->v) {
    json_decref(doc);
    err(e, n, "%s: out of memory", path);
    return -1;
  }
  json_array_foreach(doc, i, o) {
    torc_waiver *x = &w->v[i];
    if (check_one(o, path, i, e, n) != 0) {
      rc = -1;
      break;
    }
    x->vector = opt_str(o, "vector");
    x->requirement = opt_str(o, "requirement");
    x->reason = opt_str(o, "reason");
    x->owner = opt_str(o, "owner");
    x->link = opt_str(o, "link");
    memcpy(x->expires, json_string_value(json_object_get(o, "expires")), 11);
    w->n = i + 1;
    if (strcmp(x->expires, now) < 0) {
      err(e, n,
          "%s: $[%zu]: waiver for %s %s (owner %s) expired on %s (today is "
          "%s): renew it or fix the target",
          path, i, x->vector ? "vector" : "requirement",
          x->vector ? x->vector : x->requirement, x->owner, x->expires, now);
      rc = -2;
      break;
    }
  }
  json_decref(doc);
  if (rc)
    torc_waivers_free(w);
  return rc;
}

/* The requirement waiver of w for requirement id, or NULL. */
static const torc_waiver *requirement_waiver(const torc_waivers *w,
                                             const char *id) {
  size_t i;
  for (i = 0; i < w->n; i++)
    if (w->v[i].requirement && strcmp(w->v[i].requirement, id) == 0)
      return &w->v[i];
  return NULL;
}

const torc_waiver *torc_waivers_match(const torc_waivers *w,
                                      const torc_vector *v,
                                      const torc_result *r, int strict) {
  const torc_waiver *first = NULL;
  size_t i, n;
  int failing = r->verdict == TORC_FAIL || r->verdict == TORC_CRASH ||
                r->verdict == TORC_TIMEOUT ||
                (strict && r->verdict == TORC_PASS_NONSTRICT);
  if (!failing)
    return NULL;
  for (i = 0; i < w->n; i++)
    if (w->v[i].vector && strcmp(w->v[i].vector, v->id) == 0)
      return &w->v[i];
  /* By requirement: a FAIL whose every attributed rule is waived; the
   * waiver reported is the one of its first attributed rule. */
  n = r->nattributed < TORC_MAX_VIOLATIONS ? r->nattributed
                                           : TORC_MAX_VIOLATIONS;
  if (r->verdict != TORC_FAIL || n == 0)
    return NULL;
  for (i = 0; i < n; i++) {
    char id[sizeof r->attributed[0]];
    const torc_waiver *x;
    snprintf(id, sizeof id, "%.*s", (int)sizeof id - 1, r->attributed[i]);
    if ((x = requirement_waiver(w, id)) == NULL)
      return NULL;
    if (!first)
      first = x;
  }
  return first;
}

/* The waiver as the waiver file said it (without what it matched). */
static json_t *identity(const torc_waiver *x) {
  json_t *o = json_pack("{s:s, s:s, s:s}", "reason", x->reason, "owner",
                        x->owner, "expires", x->expires);
  if (!o)
    return NULL;
  json_object_set_new(o, x->vector ? "vector" : "requirement",
                      json_string(x->vector ? x->vector : x->requirement));
  if (x->link)
    json_object_set_new(o, "link", json_string(x->link));
  return o;
}

json_t *torc_waiver_json(const torc_waiver *x, const char *was) {
  json_t *o = identity(x);
  if (o)
    json_object_set_new(o, "verdict", json_string(was));
  return o;
}

/* 1 when a record's waiver object (the waiver and the verdict it waived)
 * is the waiver id. */
static int same_waiver(const json_t *got, json_t *id) {
  const char *k;
  json_t *v;
  if (!json_is_object(got) || json_object_size(got) != json_object_size(id) + 1)
    return 0;
  json_object_foreach(id, k, v) {
    if (!json_equal(json_object_get(got, k), v))
      return 0;
  }
  return 1;
}

json_t *torc_waivers_summary(const torc_waivers *w, const torc_results *rs,
                             unsigned char *unmatched_out) {
  json_t *applied = json_array(), *unmatched = json_array();
  size_t i, k;
  for (i = 0; i < w->n; i++) {
    json_t *id = identity(&w->v[i]), *vectors = json_array();
    for (k = 0; k < torc_results_count(rs); k++) {
      const json_t *rec = torc_results_get(rs, k);
      if (same_waiver(json_object_get(rec, "waiver"), id))
        json_array_append(vectors, json_object_get(rec, "id"));
    }
    if (unmatched_out)
      unmatched_out[i] = json_array_size(vectors) == 0;
    if (json_array_size(vectors) == 0) {
      json_array_append_new(unmatched, id);
      json_decref(vectors);
    } else {
      json_object_set_new(id, "vectors", vectors);
      json_array_append_new(applied, id);
    }
  }
  return json_pack("{s:o, s:o}", "applied", applied, "unmatched", unmatched);
}

void torc_waivers_free(torc_waivers *w) {
  size_t i;
  if (!w->v)
    return;
  for (i = 0; i < w->n; i++) {
    free(w->v[i].vector);
    free(w->v[i].requirement);
    free(w->v[i].reason);
    free(w->v[i].owner);
    free(w->v[i].link);
  }
  free(w->v);
  memset(w, 0, sizeof *w);
}
