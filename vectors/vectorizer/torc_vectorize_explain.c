/*
 * torc_vectorize_explain.c - `torc explain`: why the reference expects what
 * a vector expects.
 *
 * Runs one vector through the built-in reference with explanations on
 * (torc_vectorize_reference.c, torc_reference_explain()), checks that the
 * reference still PASSes it, and prints each expected event with its
 * because.  With write set it also rewrites the vector file: each expected
 * event gets the reference's because, the vector's requirements become
 * the testable rules that decided its events (the catalogue's testable
 * rows), and the content id is recomputed.  This is how the hand-written
 * vectors carry their reasons; `torc vectorize` does the same for the ones
 * it derives.
 */
#include "torc_vectorize_int.h"

#include <stdio.h>
#include <string.h>

#include "torc_load.h"
#include "torc_vector_int.h"

/* The vector file as JSON, or NULL with the reason in err. */
static json_t *load_doc(const char *path, char *err, size_t n) {
  json_error_t je;
  json_t *doc = json_load_file(path, 0, &je);
  if (!doc)
    snprintf(err, n, "%s: line %d: %s", path, je.line, je.text);
  return doc;
}

int torc_vz_explain_file(const char *path, const unsigned char *testable,
                         int write, FILE *out, char *err, size_t n) {
  vz_ctx c;
  torc_engine *eng = NULL;
  json_t *doc = NULL, *trace = NULL, *exp, *body = NULL, *fixed = NULL, *x;
  torc_verdict verdict = TORC_ERROR;
  char why[512], eb[TORC_ERRBUF_SIZE];
  size_t i;
  int rc = -1;

  memset(&c, 0, sizeof c);
  if (torc_vz_reference_open(&eng, eb) != 0) {
    snprintf(err, n, "reference: %s", eb);
    return -1;
  }
  c.eng = eng;
  c.cache = torc_capture_cache_new();
  if (!c.cache) {
    snprintf(err, n, "out of memory");
    goto out;
  }
  if (torc_vz_run_reference(&c, path, &trace, &verdict, why, sizeof why) != 0) {
    snprintf(err, n, "%s: %s", path, why);
    goto out;
  }
  if (verdict != TORC_PASS) {
    snprintf(err, n, "%s: the reference does not pass it (%s: %s)", path,
             torc_verdict_name(verdict), why);
    goto out;
  }
  if (!(doc = load_doc(path, err, n)))
    goto out;
  exp = json_object_get(json_object_get(doc, "expected"), "trace");
  if (json_array_size(exp) != json_array_size(trace)) {
    snprintf(err, n,
             "%s: the reference made %zu host calls, the vector expects %zu "
             "(an allowance hides the difference: explain needs the exact "
             "trace)",
             path, json_array_size(trace), json_array_size(exp));
    goto out;
  }
  json_array_foreach(exp, i, x) {
    json_t *got = json_array_get(trace, i),
           *b = json_object_get(got, "because");
    const char *ev = json_string_value(json_object_get(x, "ev"));
    size_t k;
    json_t *t;
    if (!ev ||
        !json_equal(json_object_get(x, "ev"), json_object_get(got, "ev")))
      break;
    fprintf(out, "%s: event %zu (%s at %d):", path, i, ev,
            (int)json_integer_value(json_object_get(x, "at")));
    json_array_foreach(b, k, t) {
      fprintf(out, " %s", json_string_value(t));
    }
    fputc('\n', out);
    if (b)
      json_object_set(x, "because", b);
    else
      json_object_del(x, "because");
  }
  if (i < json_array_size(exp)) {
    snprintf(err, n,
             "%s: $.expected.trace[%zu]: the reference made another "
             "call there",
             path, i);
    goto out;
  }
  if (!write) {
    rc = 0;
    goto out;
  }
  if (torc_vz_decided_requirements(exp, testable,
                                   json_object_get(doc, "requirements")) == 0) {
    snprintf(err, n, "%s: no testable rule decides any of its events", path);
    goto out;
  }
  {
    /* The other readings' traces, where they differ (DECISIONS.md): the
     * alternatives are the reference's, like the because lists. */
    json_t *xo = json_object_get(doc, "expected"), *al, *alts = NULL;
    const char *rn;
    uint32_t bit;
    unsigned r;
    size_t k;
    if (!(al = json_object_get(xo, "allowances"))) {
      json_object_set_new(xo, "allowances", json_array());
      al = json_object_get(xo, "allowances");
    }
    /* A reading is allowed where its trace differs, nowhere else. */
    for (r = 0; (rn = torc_reading(r, &bit)) != NULL; r++)
      for (k = json_array_size(al); k-- > 0;)
        if (strcmp(json_string_value(json_array_get(al, k)), rn) == 0)
          json_array_remove(al, k);
    if (torc_vz_alternatives(&c, path, trace, al, &alts, why, sizeof why) !=
        0) {
      snprintf(err, n, "%s: %s", path, why);
      goto out;
    }
    if (json_array_size(alts))
      json_object_set_new(xo, "alternatives", alts);
    else {
      json_decref(alts);
      json_object_del(xo, "alternatives");
    }
    if (json_array_size(al) == 0)
      json_object_del(xo, "allowances");
  }
  body = json_deep_copy(doc);
  json_object_del(body, "id");
  if (!body || !(fixed = torc_vz_with_id(body)) ||
      torc_vz_write_vector(path, fixed) != 0) {
    snprintf(err, n, "%s: cannot write", path);
    goto out;
  }
  fprintf(out, "%s: rewritten as %s, citing %zu requirements\n", path,
          json_string_value(json_object_get(fixed, "id")),
          json_array_size(json_object_get(fixed, "requirements")));
  rc = 0;
out:
  json_decref(fixed);
  json_decref(body);
  json_decref(doc);
  json_decref(trace);
  if (c.cache)
    torc_capture_cache_free(c.cache);
  torc_engine_free(eng);
  return rc;
}

int torc_vectorize_explain(const char *path, const char *catalogue, int write,
                           FILE *out, char *err, size_t n) {
  unsigned char testable[1000];
  memset(testable, 0, sizeof testable);
  if (torc_vz_load_testable(catalogue, testable) != 0) {
    snprintf(err, n, "%s: cannot read the catalogue", catalogue);
    return -1;
  }
  return torc_vz_explain_file(path, testable, write, out, err, n);
}
