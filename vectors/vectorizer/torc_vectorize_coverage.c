/*
 * torc_vectorize_coverage.c - the requirement coverage table of `torc list
 * --coverage`: per catalogue row, how many vectors cite the requirement
 * and from how many distinct flows (capture digest, addresses, ports).
 *
 * Reads loaded vectors (harness/input) and the catalogue; the strict rule
 * of check-coverage: every testable requirement of groups A-I has vectors
 * from at least 3 flows.
 */
#include "torc_vectorize.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "torc_vector_int.h"

/* A flow identity: capture digest + addresses + ports. */
static void flow_ident(const torc_vector *v, char *buf, size_t n) {
  const torc_vector_body *b = v->body;
  size_t i, k = 0;
  k += (size_t)snprintf(buf, n, "%s:%u:", b->cap ? b->cap->sha256 : "",
                        b->ip_version);
  for (i = 0; i < 16 && k + 5 < n; i++)
    k += (size_t)snprintf(buf + k, n - k, "%02x%02x", b->src[i], b->dst[i]);
  snprintf(buf + k, n > k ? n - k : 0, ":%u:%u", b->sport, b->dport);
}

int torc_vectorize_coverage(torc_vector *const *vs, size_t n,
                            const char *catalogue) {
  json_error_t je;
  json_t *root = json_load_file(catalogue, 0, &je), *rows, *row;
  char(*fid)[200] = NULL;
  size_t *flowof = NULL, nflows = 0, i, k, j, r;
  size_t vec_count[1000] = {0};
  unsigned char *seen = NULL;
  size_t flow_count[1000] = {0};
  size_t testable_ai = 0, covered_ai = 0;
  int rc = TORC_COVERAGE_MET;
  if (!root) {
    fprintf(stderr, "torc list: %s: line %d: %s\n", catalogue, je.line,
            je.text);
    return TORC_COVERAGE_ERROR;
  }
  fid = calloc(n + 1, sizeof *fid);
  flowof = calloc(n + 1, sizeof *flowof);
  if (!fid || !flowof) {
    rc = TORC_COVERAGE_ERROR;
    goto done;
  }
  for (i = 0; i < n; i++) {
    char id[200];
    flow_ident(vs[i], id, sizeof id);
    for (k = 0; k < nflows && strcmp(fid[k], id) != 0; k++)
      ;
    if (k == nflows)
      snprintf(fid[nflows++], sizeof fid[0], "%s", id);
    flowof[i] = k;
  }
  seen = calloc(1000 * (nflows + 1), 1);
  if (!seen) {
    rc = TORC_COVERAGE_ERROR;
    goto done;
  }
  for (i = 0; i < n; i++)
    for (k = 0; k < vs[i]->nrequirements; k++) {
      int id;
      if (sscanf(vs[i]->requirements[k], "RCV-%d", &id) != 1 || id <= 0 ||
          id >= 1000)
        continue;
      vec_count[id]++;
      if (!seen[(size_t)id * (nflows + 1) + flowof[i]]) {
        seen[(size_t)id * (nflows + 1) + flowof[i]] = 1;
        flow_count[id]++;
      }
    }
  printf("# id\tstrength\ttestable\tvectors\tflows\n");
  rows = json_object_get(root, "requirements");
  json_array_foreach(rows, r, row) {
    const char *id = json_string_value(json_object_get(row, "id"));
    const char *strength = json_string_value(json_object_get(row, "strength"));
    const char *group = json_string_value(json_object_get(row, "group"));
    int t = json_is_true(json_object_get(row, "testable")), num;
    if (!id || sscanf(id, "RCV-%d", &num) != 1 || num <= 0 || num >= 1000)
      continue;
    printf("%s\t%s\t%s\t%zu\t%zu\n", id, strength ? strength : "?",
           t ? "yes" : "no", vec_count[num], flow_count[num]);
    if (t && group && group[0] >= 'A' && group[0] <= 'I' && !group[1]) {
      testable_ai++;
      if (flow_count[num] >= 3)
        covered_ai++;
      else {
        fprintf(stderr,
                "torc list: %s (group %s) is exercised by vectors from %zu "
                "flow%s (%zu vectors); at least 3 flows are needed\n",
                id, group, flow_count[num], flow_count[num] == 1 ? "" : "s",
                vec_count[num]);
        rc = TORC_COVERAGE_GAPS;
      }
    }
  }
  fprintf(stderr,
          "torc list: coverage: %zu of %zu testable requirements of groups "
          "A-I have vectors from at least 3 flows (%zu vectors, %zu flows)\n",
          covered_ai, testable_ai, n, nflows);
  (void)j;
done:
  free(seen);
  free(fid);
  free(flowof);
  json_decref(root);
  return rc;
}
