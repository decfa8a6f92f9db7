/*
 * torc_vectorize_requirements.c - which requirement ids a vector cites: the
 * rules that decided at least one of its expected events.
 *
 * Runs in torc_vectorize_vector.c after the draft of a vector has been
 * through the reference with explanations on (torc_vectorize_reference.c):
 * every event of the reference's trace carries its "because", the boxes
 * and rules that produced it (torc_reference_explain()).  The vector cites
 * the testable rules among them (the catalogue, conformance/catalogue.json,
 * read once per run for torc_vectorize.c), and nothing else: no blanket
 * list per scenario kind.
 */
#include "torc_vectorize_int.h"

#include <stdio.h>
#include <string.h>

int torc_vz_load_testable(const char *path, unsigned char *testable) {
  json_error_t je;
  json_t *root = json_load_file(path, 0, &je), *rows, *row;
  size_t i;
  if (!root)
    return -1;
  rows = json_object_get(root, "requirements");
  json_array_foreach(rows, i, row) {
    const char *id = json_string_value(json_object_get(row, "id"));
    int n;
    if (id && sscanf(id, "RCV-%d", &n) == 1 && n > 0 && n < 1000)
      testable[n] = json_is_true(json_object_get(row, "testable"));
  }
  json_decref(root);
  return 0;
}

long torc_vz_trace_retrieve(json_t *trace, size_t *at, uint32_t *info) {
  size_t i;
  json_t *o;
  json_array_foreach(trace, i, o) {
    const char *ev = json_string_value(json_object_get(o, "ev"));
    const char *what = json_string_value(json_object_get(o, "event"));
    if (ev && what && strcmp(ev, "event") == 0 &&
        strcmp(what, "RETRIEVE") == 0) {
      *at = (size_t)json_integer_value(json_object_get(o, "at"));
      *info = (uint32_t)json_integer_value(json_object_get(o, "info"));
      return (long)i;
    }
  }
  return -1;
}

void torc_vz_trace_counts(json_t *trace, int *n_indicate, int *multi_complete) {
  size_t i;
  json_t *o;
  *n_indicate = 0;
  *multi_complete = 0;
  json_array_foreach(trace, i, o) {
    const char *ev = json_string_value(json_object_get(o, "ev"));
    if (!ev)
      continue;
    if (strcmp(ev, "indicate") == 0)
      (*n_indicate)++;
    else if (strcmp(ev, "complete") == 0 &&
             json_array_size(json_object_get(o, "requests")) > 1)
      *multi_complete = 1;
  }
}

size_t torc_vz_decided_requirements(json_t *trace,
                                    const unsigned char *testable, json_t *rq) {
  unsigned char on[1000];
  size_t i, k;
  json_t *o, *x;
  int n;
  memset(on, 0, sizeof on);
  json_array_foreach(trace, i, o) {
    json_array_foreach(json_object_get(o, "because"), k, x) {
      const char *s = json_string_value(x);
      if (s && strncmp(s, "RCV-", 4) == 0 && sscanf(s + 4, "%d", &n) == 1 &&
          n > 0 && n < 1000 && testable[n])
        on[n] = 1;
    }
  }
  json_array_clear(rq);
  for (n = 1; n < 1000; n++)
    if (on[n]) {
      char id[16];
      snprintf(id, sizeof id, "RCV-%03d", n);
      torc_vz_add_str(rq, id);
    }
  return json_array_size(rq);
}
