/*
 * torc_vectorize_reference.c - the expected traces of `torc vectorize`:
 * what the built-in reference target does with a vector, run through the
 * engine with the trace recorded.
 *
 * The reference is reached by name through the built-in target registry
 * (torc_engine_new("reference"), harness/targets/torc_load.c), never
 * through reference/ headers.  torc_vectorize_vector.c runs each vector
 * twice: the draft for its trace, the final vector for a PASS.
 */
#include "torc_vectorize_int.h"

#include <stdio.h>
#include <string.h>

#include "torc_vector_int.h"

int torc_vz_reference_open(torc_engine **eng, char *errbuf) {
  torc_engine_opts eo;
  memset(&eo, 0, sizeof eo);
  eo.record_traces = 1;
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
