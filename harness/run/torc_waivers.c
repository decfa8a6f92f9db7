/*
 * torc_waivers.c - the waiver file of `torc run --waivers FILE`.
 *
 * Loaded before any vector runs: a JSON list of
 *   {"vector": "rcv-3f*" | "requirement": "RCV-038",
 *    "reason": "...", "link": "...", "expires": "YYYY-MM-DD"}
 * A waiver whose expiry date is before today fails the run (exit 2) so
 * that waivers cannot outlive their reason silently.  Today is the system
 * clock's date (the only wall-clock use in torc besides report timestamps)
 * or $TORC_TODAY for tests.  After each vector, a FAIL, CRASH or TIMEOUT
 * result that a waiver covers becomes WAIVED (torc_run_record.c).
 */
#include "torc_waivers.h"

#include <fnmatch.h>
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

int torc_waivers_load(const char *path, torc_waivers *w, char *e, size_t n) {
  json_error_t jerr;
  json_t *doc = json_load_file(path, 0, &jerr), *o;
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
    const json_t *vec, *req, *ex;
    const char *k;
    json_t *val;
    if (!json_is_object(o)) {
      err(e, n, "%s: $[%zu]: not an object", path, i);
      rc = -1;
      break;
    }
    json_object_foreach(o, k, val) {
      if (strcmp(k, "vector") && strcmp(k, "requirement") &&
          strcmp(k, "reason") && strcmp(k, "link") && strcmp(k, "expires")) {
        err(e, n, "%s: $[%zu].%s: unknown field", path, i, k);
        rc = -1;
        break;
      }
    }
    if (rc)
      break;
    vec = json_object_get(o, "vector");
    req = json_object_get(o, "requirement");
    ex = json_object_get(o, "expires");
    if (!!vec == !!req) {
      err(e, n,
          "%s: $[%zu]: needs exactly one of \"vector\" or "
          "\"requirement\"",
          path, i);
      rc = -1;
      break;
    }
    if ((vec && (!json_is_string(vec) || !*json_string_value(vec))) ||
        (req && (!json_is_string(req) || !*json_string_value(req)))) {
      err(e, n, "%s: $[%zu].%s: not a non-empty string", path, i,
          vec ? "vector" : "requirement");
      rc = -1;
      break;
    }
    if (!json_is_string(json_object_get(o, "reason")) ||
        !*json_string_value(json_object_get(o, "reason"))) {
      err(e, n, "%s: $[%zu].reason: missing (every waiver says why)", path, i);
      rc = -1;
      break;
    }
    if (json_object_get(o, "link") &&
        !json_is_string(json_object_get(o, "link"))) {
      err(e, n, "%s: $[%zu].link: not a string", path, i);
      rc = -1;
      break;
    }
    if (!json_is_string(ex) || !valid_date(json_string_value(ex))) {
      err(e, n, "%s: $[%zu].expires: missing or not a date YYYY-MM-DD", path,
          i);
      rc = -1;
      break;
    }
    x->vector = opt_str(o, "vector");
    x->requirement = opt_str(o, "requirement");
    x->reason = opt_str(o, "reason");
    x->link = opt_str(o, "link");
    memcpy(x->expires, json_string_value(ex), 11);
    w->n = i + 1;
    if (strcmp(x->expires, now) < 0) {
      err(e, n,
          "%s: $[%zu]: waiver for %s %s expired on %s (today is %s): "
          "renew it or fix the target",
          path, i, x->vector ? "vector" : "requirement",
          x->vector ? x->vector : x->requirement, x->expires, now);
      rc = -2;
      break;
    }
  }
  json_decref(doc);
  if (rc)
    torc_waivers_free(w);
  return rc;
}

const torc_waiver *torc_waivers_match(const torc_waivers *w,
                                      const torc_vector *v,
                                      const torc_result *r) {
  size_t i, k;
  for (i = 0; i < w->n; i++) {
    const torc_waiver *x = &w->v[i];
    if (x->vector && fnmatch(x->vector, v->id, 0) == 0)
      return x;
    if (!x->requirement)
      continue;
    for (k = 0; k < v->nrequirements; k++)
      if (strcmp(x->requirement, v->requirements[k]) == 0)
        return x;
    for (k = 0; r && k < r->nviolations && k < TORC_MAX_VIOLATIONS; k++)
      if (strcmp(x->requirement, r->violations[k].requirement) == 0)
        return x;
  }
  return NULL;
}

void torc_waivers_free(torc_waivers *w) {
  size_t i;
  if (!w->v)
    return;
  for (i = 0; i < w->n; i++) {
    free(w->v[i].vector);
    free(w->v[i].requirement);
    free(w->v[i].reason);
    free(w->v[i].link);
  }
  free(w->v);
  memset(w, 0, sizeof *w);
}
