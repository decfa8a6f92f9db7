/*
 * torc_vectorize_write.c - vector files as `torc vectorize` writes them:
 * deterministic layout (fixed key order, one line per top-level member,
 * events and trace entries one per line), the content-derived id in front,
 * and the provenance's frame list.
 *
 * The id is the loader's (torc_vector_canonical, torc_vector_compute_id of
 * harness/input), so a written vector reloads with the same id.
 */
#include "torc_vectorize_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "torc_vector_int.h"

/* Compact JSON of v (malloc'd). */
static char *dump(json_t *v) {
  return json_dumps(v, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_ENCODE_ANY |
                           JSON_PRESERVE_ORDER);
}

/* Writes one array one element per line at the given indent. */
static int put_array(FILE *f, json_t *a, const char *ind) {
  size_t i, n = json_array_size(a);
  if (n == 0)
    return fputs("[]", f) < 0 ? -1 : 0;
  fputs("[\n", f);
  for (i = 0; i < n; i++) {
    char *t = dump(json_array_get(a, i));
    if (!t)
      return -1;
    fprintf(f, "%s  %s%s\n", ind, t, i + 1 < n ? "," : "");
    free(t);
  }
  fprintf(f, "%s]", ind);
  return 0;
}

/* The vector file: one line per top-level member, events and trace entries
 * one per line (fixed key order: insertion order). */
int torc_vz_write_vector(const char *path, json_t *doc) {
  FILE *f = fopen(path, "w");
  const char *key;
  json_t *val;
  size_t i = 0, n = json_object_size(doc);
  int rc = 0;
  if (!f)
    return -1;
  fputs("{\n", f);
  json_object_foreach(doc, key, val) {
    fprintf(f, "  \"%s\": ", key);
    if (strcmp(key, "events") == 0) {
      rc |= put_array(f, val, "  ");
    } else if (strcmp(key, "expected") == 0) {
      json_t *al = json_object_get(val, "allowances");
      fputs("{\n    \"trace\": ", f);
      rc |= put_array(f, json_object_get(val, "trace"), "    ");
      json_t *alts = json_object_get(val, "alternatives"), *x;
      size_t k;
      if (al) {
        char *t = dump(al);
        fprintf(f, ",\n    \"allowances\": %s", t ? t : "[]");
        free(t);
      }
      if (alts) {
        /* Each alternative's trace one entry per line, as the trace. */
        fputs(",\n    \"alternatives\": [", f);
        json_array_foreach(alts, k, x) {
          fprintf(f,
                  "%s\n      {\"allowance\": \"%s\", \"trace\": ", k ? "," : "",
                  json_string_value(json_object_get(x, "allowance")));
          rc |= put_array(f, json_object_get(x, "trace"), "      ");
          fputs("}", f);
        }
        fputs("\n    ]", f);
      }
      fputs("\n  }", f);
    } else {
      char *t = dump(val);
      if (!t)
        rc = -1;
      else
        fputs(t, f);
      free(t);
    }
    fputs(++i < n ? ",\n" : "\n", f);
  }
  fputs("}\n", f);
  if (ferror(f))
    rc = -1;
  if (fclose(f) != 0)
    rc = -1;
  return rc;
}

/* A copy of body with "format" and "id" first. */
json_t *torc_vz_with_id(json_t *body) {
  json_t *doc = json_object(), *v;
  const char *key;
  char *canon = torc_vector_canonical(body);
  char id[21];
  if (!canon) {
    json_decref(doc);
    return NULL;
  }
  torc_vector_compute_id(canon, id);
  free(canon);
  json_object_set_new(doc, "format", json_integer(1));
  json_object_set_new(doc, "id", json_string(id));
  json_object_foreach(body, key, v) {
    if (strcmp(key, "format") != 0)
      json_object_set(doc, key, v);
  }
  return doc;
}

/* Frame numbers as numbers and [first, last] ranges (runs of >= 3). */
json_t *torc_vz_frame_list(const uint32_t *nums, size_t n) {
  json_t *a = json_array();
  size_t i = 0, k;
  while (i < n) {
    for (k = i; k + 1 < n && nums[k + 1] == nums[k] + 1; k++)
      ;
    if (k - i >= 2) {
      json_t *r = json_array();
      json_array_append_new(r, json_integer(nums[i]));
      json_array_append_new(r, json_integer(nums[k]));
      json_array_append_new(a, r);
      i = k + 1;
    } else {
      json_array_append_new(a, json_integer(nums[i]));
      i++;
    }
  }
  return a;
}
