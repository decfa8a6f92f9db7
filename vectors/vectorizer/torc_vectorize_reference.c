/*
 * torc_vectorize_reference.c - the expected traces of `torc vectorize`:
 * what the built-in reference target does with a vector, run through the
 * engine with the trace recorded.
 *
 * The reference is reached by name through the built-in target registry
 * (torc_engine_new("reference"), harness/targets/torc_load.c), never
 * through reference/ headers.  torc_vectorize_vector.c runs each vector
 * twice: the draft for its trace, the final vector for a PASS; and the
 * draft once more under each other reading the reference can take, whose
 * differing traces become the vector's alternatives (DECISIONS.md).
 */
#include "torc_vectorize_int.h"

#include <stdio.h>
#include <string.h>

#include "torc_load.h"
#include "torc_vector_int.h"

int torc_vz_reference_open(torc_engine **eng, char *errbuf) {
  torc_engine_opts eo;
  memset(&eo, 0, sizeof eo);
  eo.record_traces = TORC_TRACES_ALL;
  eo.record_because = 1; /* each expected event says why */
  return torc_engine_new("reference", &eo, eng, errbuf);
}

int torc_vz_run_reference(vz_ctx *c, const char *path, json_t **trace,
                          torc_verdict *verdict, char *why, size_t whylen) {
  torc_vector *v = NULL;
  torc_result r;
  char err[1024];
  json_error_t je;
  if (torc_vector_load_cached(path, c->cache, &v, err, sizeof err) != 0) {
    snprintf(why, whylen, "%.400s", err);
    return -1;
  }
  if (torc_engine_run(c->eng, v, &r) != 0 && r.verdict == TORC_ERROR) {
    snprintf(why, whylen, "engine: %s", r.detail);
    torc_result_clear(&r);
    torc_vector_free(v);
    return -1;
  }
  *verdict = r.verdict;
  snprintf(why, whylen, "%.200s%s%.200s", r.detail, r.nviolations ? " / " : "",
           r.nviolations ? r.violations[0].message : "");
  if (trace) {
    *trace =
        r.actual_trace_json ? json_loads(r.actual_trace_json, 0, &je) : NULL;
    if (!*trace) {
      snprintf(why, whylen, "no trace recorded");
      torc_result_clear(&r);
      torc_vector_free(v);
      return -1;
    }
  }
  torc_result_clear(&r);
  torc_vector_free(v);
  return 0;
}

/* A copy of trace without the because lists. */
static json_t *without_because(json_t *trace) {
  json_t *t = json_deep_copy(trace), *x;
  size_t i;
  json_array_foreach(t, i, x) {
    json_object_del(x, "because");
  }
  return t;
}

int torc_vz_alternatives(vz_ctx *c, const char *path, json_t *trace,
                         json_t *allow, json_t **alts, char *why,
                         size_t whylen) {
  json_t *own = without_because(trace);
  const char *name;
  uint32_t bit;
  unsigned i;
  int rc = 0;
  *alts = json_array();
  if (!own || !*alts) {
    snprintf(why, whylen, "out of memory");
    json_decref(own);
    return -1;
  }
  for (i = 0; rc == 0 && (name = torc_reading(i, &bit)) != NULL; i++) {
    json_t *t = NULL, *other;
    torc_verdict verdict;
    size_t k;
    int listed = 0;
    torc_engine_set_readings(c->eng, bit);
    rc = torc_vz_run_reference(c, path, &t, &verdict, why, whylen);
    torc_engine_set_readings(c->eng, 0);
    if (rc != 0)
      break;
    other = without_because(t);
    json_decref(t);
    if (!other) {
      snprintf(why, whylen, "out of memory");
      rc = -1;
      break;
    }
    if (json_equal(other, own)) {
      json_decref(other);
      continue;
    }
    json_array_append_new(
        *alts, json_pack("{s:s, s:o}", "allowance", name, "trace", other));
    for (k = 0; k < json_array_size(allow); k++)
      listed |= strcmp(json_string_value(json_array_get(allow, k)), name) == 0;
    if (!listed)
      json_array_append_new(allow, json_string(name));
  }
  json_decref(own);
  if (rc != 0) {
    json_decref(*alts);
    *alts = NULL;
  }
  return rc;
}
