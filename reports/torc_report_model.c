/*
 * torc_report_model.c - the report's model: a results document checked
 * shape by shape, and the requirement matrix built from it and the
 * catalogue.
 *
 * First step of `torc report` (torc_report.c loads the files): every other
 * part of the report reads the document and the rows built here, and never
 * re-checks the document's shape.
 */
#include "torc_report_int.h"

#include <stdint.h>
#include <stdlib.h>

static int cmp_row(const void *a, const void *b) {
  return strcmp(((const reqrow *)a)->id, ((const reqrow *)b)->id);
}

static reqrow *find_row(report *R, const char *id) {
  reqrow key;
  memset(&key, 0, sizeof key);
  key.id = id;
  return bsearch(&key, R->rows, R->nrows, sizeof *R->rows, cmp_row);
}

static reqrow *add_row(report *R, const char *id) {
  reqrow *r;
  if (R->nrows == R->caprows) {
    size_t cap = R->caprows ? 2 * R->caprows : 512;
    reqrow *t = realloc(R->rows, cap * sizeof *t);
    if (!t)
      return NULL;
    R->rows = t;
    R->caprows = cap;
  }
  r = &R->rows[R->nrows++];
  memset(r, 0, sizeof *r);
  r->id = id;
  r->group = r->strength = r->summary = r->interp = r->why = "";
  r->failing = json_array();
  return r;
}

/* The row's status (reqrow.status): worst first, UNTESTED last. */
static int row_status(const reqrow *r) {
  static const int worst[] = {TORC_FAIL,  TORC_CRASH,   TORC_TIMEOUT,
                              TORC_ERROR, TORC_WAIVED,  TORC_PASS_NONSTRICT,
                              TORC_PASS,  TORC_UNTESTED};
  size_t k;
  if (r->missing)
    return TORC_FAIL;
  for (k = 0; k < sizeof worst / sizeof worst[0]; k++)
    if (r->counts[worst[k]])
      return worst[k];
  return -1;
}

/* Marks the rows a missing mandatory feature's requirements name, then
 * gives every row its status. */
static void mark_missing(report *R) {
  const json_t *miss =
      json_object_get(json_object_get(R->doc, "target"), "missing_mandatory");
  const json_t *m, *x;
  size_t i, k;
  json_array_foreach(miss, i, m) {
    json_array_foreach(json_object_get(m, "requirements"), k, x) {
      reqrow *r = json_is_string(x) ? find_row(R, json_string_value(x)) : NULL;
      if (!r) {
        r = json_is_string(x) ? add_row(R, json_string_value(x)) : NULL;
        if (r)
          qsort(R->rows, R->nrows, sizeof *R->rows, cmp_row);
        r = json_is_string(x) ? find_row(R, json_string_value(x)) : NULL;
      }
      if (r && !r->missing)
        r->missing = str(m, "capability");
    }
  }
  for (i = 0; i < R->nrows; i++)
    R->rows[i].status = row_status(&R->rows[i]);
}

void torcint_report_build_matrix(report *R) {
  const json_t *reqs = json_object_get(R->cat, "requirements"), *q, *rec;
  size_t i, k;
  json_array_foreach(reqs, i, q) {
    reqrow *r;
    if (!json_is_string(json_object_get(q, "id")) ||
        !(r = add_row(R, str(q, "id"))))
      continue;
    r->group = str(q, "group");
    r->strength = str(q, "strength");
    r->summary = str(q, "summary");
    r->interp = str(q, "interpretation");
    r->why = str(q, "why_not_testable");
    r->testable = json_is_true(json_object_get(q, "testable"));
    r->in_catalogue = 1;
  }
  qsort(R->rows, R->nrows, sizeof *R->rows, cmp_row);
  /* Requirements the results cite that the catalogue lacks. */
  json_array_foreach(json_object_get(R->doc, "results"), i, rec) {
    const json_t *x;
    json_array_foreach(json_object_get(rec, "requirements"), k, x) {
      const char *id = json_string_value(x);
      if (id && !find_row(R, id)) {
        reqrow *r = add_row(R, id);
        if (r)
          r->testable = 1;
        qsort(R->rows, R->nrows, sizeof *R->rows, cmp_row);
      }
    }
  }
  json_array_foreach(json_object_get(R->doc, "results"), i, rec) {
    int v = vparse(str(rec, "verdict"));
    const json_t *x;
    R->counts[v]++;
    R->total++;
    json_array_foreach(json_object_get(rec, "requirements"), k, x) {
      reqrow *r = find_row(R, json_string_value(x));
      if (!r)
        continue;
      r->counts[v]++;
      r->nvectors++;
      if (is_failure(v))
        json_array_append_new(r->failing, json_string(str(rec, "id")));
    }
    if (is_failure(v)) {
      /* Distinct requirements a specific violation names. */
      const char *seen[TORC_MAX_VIOLATIONS * 2];
      size_t nseen = 0, j;
      json_array_foreach(json_object_get(rec, "violations"), k, x) {
        const char *id = str(x, "requirement");
        reqrow *r;
        if (!is_specific(x) || !(r = find_row(R, id)))
          continue;
        for (j = 0; j < nseen && strcmp(seen[j], id) != 0; j++)
          ;
        if (j < nseen || nseen == sizeof seen / sizeof seen[0])
          continue;
        seen[nseen++] = id;
        r->nviolated++;
      }
    }
  }
  mark_missing(R);
}

void torcint_report_free(report *R) {
  size_t i;
  for (i = 0; i < R->nrows; i++)
    json_decref(R->rows[i].failing);
  free(R->rows);
  json_decref(R->doc);
  json_decref(R->claim);
  json_decref(R->cat);
}

/* Checks the shape of a results document.  Returns 0, or -1 with
 * "FILE: $.path: problem" in err. */
int torcint_report_check_doc(const char *path, const json_t *doc, char *err,
                             size_t n) {
  const json_t *results, *rec, *t;
  size_t i, k;
  if (!json_is_object(doc))
    return snprintf(err, n, "%s: $: expected an object", path), -1;
  if (json_integer_value(json_object_get(doc, "format")) == 1)
    return snprintf(err, n,
                    "%s: $.format: results of an older torc (format 1); "
                    "re-run",
                    path),
           -1;
  if (json_integer_value(json_object_get(doc, "format")) != 2)
    return snprintf(err, n, "%s: $.format: expected 2", path), -1;
  if (!json_is_object(json_object_get(doc, "scope")))
    return snprintf(err, n, "%s: $.scope: expected an object", path), -1;
  if (!json_is_object(json_object_get(doc, "suite")))
    return snprintf(err, n, "%s: $.suite: expected an object", path), -1;
  if (!json_is_string(json_object_get(doc, "vector_set_digest")))
    return snprintf(err, n, "%s: $.vector_set_digest: expected a string", path),
           -1;
  t = json_object_get(doc, "target");
  if (!json_is_object(t) || !json_is_string(json_object_get(t, "name")))
    return snprintf(err, n, "%s: $.target.name: expected a string", path), -1;
  results = json_object_get(doc, "results");
  if (!json_is_array(results))
    return snprintf(err, n, "%s: $.results: expected an array", path), -1;
  json_array_foreach(results, i, rec) {
    const json_t *x;
    if (!json_is_object(rec))
      return snprintf(err, n, "%s: $.results[%zu]: expected an object", path,
                      i),
             -1;
    if (!json_is_string(json_object_get(rec, "id")))
      return snprintf(err, n, "%s: $.results[%zu].id: expected a string", path,
                      i),
             -1;
    if (vparse(str(rec, "verdict")) < 0)
      return snprintf(err, n,
                      "%s: $.results[%zu].verdict: expected one of PASS, "
                      "PASS-NONSTRICT, FAIL, UNTESTED, WAIVED, CRASH, "
                      "TIMEOUT, ERROR",
                      path, i),
             -1;
    if (!json_is_array(json_object_get(rec, "requirements")))
      return snprintf(err, n,
                      "%s: $.results[%zu].requirements: expected an array",
                      path, i),
             -1;
    json_array_foreach(json_object_get(rec, "requirements"), k, x) {
      if (!json_is_string(x))
        return snprintf(err, n,
                        "%s: $.results[%zu].requirements[%zu]: expected a "
                        "string",
                        path, i, k),
               -1;
    }
    x = json_object_get(rec, "violations");
    if (x && !json_is_array(x))
      return snprintf(err, n,
                      "%s: $.results[%zu].violations: expected an array", path,
                      i),
             -1;
  }
  return 0;
}

/* The claim decides (harness/results/torc_claim.c); the report only shows
 * it. */
int torcint_report_status(const report *R) {
  return torc_claim_exit_status(R->claim);
}

const char *torcint_report_headline(const report *R) {
  return torc_claim_headline(R->claim);
}

/* The first specific violation of a record, else its detail. */
const char *torcint_report_first_reason(const json_t *rec, const char **req) {
  const json_t *x;
  const char *att = json_string_value(
      json_array_get(json_object_get(rec, "attributed_to"), 0));
  size_t i;
  *req = "";
  /* The rule the failure is attributed to (issue 12) first. */
  json_array_foreach(json_object_get(rec, "violations"), i, x) {
    if (att && strcmp(str(x, "requirement"), att) == 0) {
      *req = att;
      return str(x, "message");
    }
  }
  json_array_foreach(json_object_get(rec, "violations"), i, x) {
    if (is_specific(x)) {
      *req = str(x, "requirement");
      return str(x, "message");
    }
  }
  return str(rec, "detail");
}

const reqrow *torcint_report_row(const report *R, const char *id) {
  return find_row((report *)(uintptr_t)R, id);
}
