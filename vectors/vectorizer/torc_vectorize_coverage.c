/*
 * torc_vectorize_coverage.c - the coverage table of `torc list --coverage`:
 * per catalogue row, in how many vectors the requirement decides an
 * expected event (is named by its because, issue 12) and from how many
 * distinct flows (capture digest, addresses, ports); then the same per
 * flowchart box and decision outcome (E1..E3, D1..D20 yes/no, J1..J8, P1,
 * A, B) the reference went through.
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

#include "torc_because.h"
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
  /* Indexed by because code (torc_because.h): rules 1000+n, boxes < 200. */
  enum { NCODES = 2100 };
  static size_t vec_count[NCODES], flow_count[NCODES];
  unsigned char *seen = NULL, *in_vec = NULL;
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
  memset(vec_count, 0, sizeof vec_count);
  memset(flow_count, 0, sizeof flow_count);
  seen = calloc((size_t)NCODES * (nflows + 1), 1);
  in_vec = calloc(NCODES, 1);
  if (!seen || !in_vec) {
    rc = TORC_COVERAGE_ERROR;
    goto done;
  }
  for (i = 0; i < n; i++) {
    const torc_trace *t = &vs[i]->body->expected;
    memset(in_vec, 0, NCODES);
    for (k = 0; k < t->nwhy; k++)
      if (t->why[k] < NCODES)
        in_vec[t->why[k]] = 1;
    for (k = 1; k < NCODES; k++) {
      if (!in_vec[k])
        continue;
      vec_count[k]++;
      if (!seen[k * (nflows + 1) + flowof[i]]) {
        seen[k * (nflows + 1) + flowof[i]] = 1;
        flow_count[k]++;
      }
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
           t ? "yes" : "no", vec_count[1000 + num], flow_count[1000 + num]);
    if (t && group && group[0] >= 'A' && group[0] <= 'I' && !group[1]) {
      testable_ai++;
      if (flow_count[1000 + num] >= 3)
        covered_ai++;
      else {
        fprintf(stderr,
                "torc list: %s (group %s) decides events in vectors from %zu "
                "flow%s (%zu vectors); at least 3 flows are needed\n",
                id, group, flow_count[1000 + num],
                flow_count[1000 + num] == 1 ? "" : "s", vec_count[1000 + num]);
        rc = TORC_COVERAGE_GAPS;
      }
    }
  }
  /* The flowchart boxes and decision outcomes, each once per code. */
  printf("# box\tkind\t-\tvectors\tflows\n");
  for (k = 1; k < 200; k++) {
    char nm[16];
    torc_because_name((torc_because)k, nm, sizeof nm);
    if (!*nm)
      continue;
    printf("%s\t%s\t-\t%zu\t%zu\n", nm,
           nm[0] == 'D'   ? "decision"
           : nm[0] == 'E' ? "entry"
                          : "box",
           vec_count[k], flow_count[k]);
  }
  fprintf(stderr,
          "torc list: coverage: %zu of %zu testable requirements of groups "
          "A-I decide events in vectors from at least 3 flows (%zu vectors, "
          "%zu flows)\n",
          covered_ai, testable_ai, n, nflows);
  (void)j;
done:
  free(seen);
  free(in_vec);
  free(fid);
  free(flowof);
  json_decref(root);
  return rc;
}
