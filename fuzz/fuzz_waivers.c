/*
 * fuzz_waivers.c - libFuzzer target for the waiver file of
 * `torc run --waivers`.
 *
 * Where it sits: torc_waivers_load (harness/run/torc_waivers.c) reads the
 * waiver file before any vector runs; after each failing vector the run
 * asks torc_waivers_match for the waiver covering it and records
 * torc_waiver_json; at the end torc_waivers_summary lists what each waiver
 * waived.  Input: the bytes of a waiver file, written to a private temporary
 * file (the loader takes a path); "today" is fixed ($TORC_TODAY) so that
 * expiry is deterministic.  Every waiver loaded is then matched against a
 * FAIL of its vector or attributed to its requirement, recorded, and
 * summarised.  Oracles: a failed load says why; a waiver matches the FAIL
 * it names; nothing leaks.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_input.h"
#include "torc_results.h"
#include "torc_waivers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A FAIL of vector id, attributed to requirement (either may be NULL). */
static void failing(torc_vector *v, torc_result *r, char *id, const char *req) {
  memset(v, 0, sizeof *v);
  memset(r, 0, sizeof *r);
  v->id = id;
  r->verdict = TORC_FAIL;
  if (req) {
    snprintf(r->attributed[0], sizeof r->attributed[0], "%s", req);
    r->nattributed = 1;
  }
}

static void exercise(const torc_waivers *w) {
  static const char digest[] =
      "0000000000000000000000000000000000000000000000000000000000000000";
  torc_target_info ti;
  memset(&ti, 0, sizeof ti);
  ti.name = "fuzz";
  ti.version = "0";
  torc_results *rs = torc_results_new(digest, &ti);
  unsigned char *unmatched = calloc(w->n ? w->n : 1, 1);
  if (!rs || !unmatched)
    abort();
  for (size_t i = 0; i < w->n; i++) {
    const torc_waiver *x = &w->v[i];
    torc_vector v;
    torc_result r;
    char id[] = "rcv-0000000000000000";
    const torc_waiver *m;
    if (x->vector) {
      failing(&v, &r, x->vector, NULL);
      m = torc_waivers_match(w, &v, &r, 0);
    } else {
      failing(&v, &r, id, x->requirement);
      m = torc_waivers_match(w, &v, &r, 1);
    }
    if (!m)
      abort(); /* the FAIL a waiver names is covered */
    json_t *rec = json_pack("{s:s, s:s}", "id", v.id, "verdict", "WAIVED");
    if (!rec)
      abort();
    json_object_set_new(rec, "waiver", torc_waiver_json(m, "FAIL"));
    torc_results_add(rs, rec);
  }
  json_t *sum = torc_waivers_summary(w, rs, unmatched);
  json_decref(sum);
  free(unmatched);
  torc_results_free(rs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char err[1024];
  torc_waivers w;
  const char *path;
  static int today_fixed;
  if (!today_fixed) { /* once: the expiry dates are judged against it */
    setenv("TORC_TODAY", "2026-01-01", 1);
    today_fixed = 1;
  }
  path = fuzz_input_file("/tmp/torc_fuzz_waivers_XXXXXX.json", data, size);
  err[0] = '\0';
  memset(&w, 0, sizeof w);
  int rc = torc_waivers_load(path, &w, err, sizeof err);
  if (rc == 0)
    exercise(&w);
  else if (err[0] == '\0')
    abort(); /* an error must say what went wrong */
  torc_waivers_free(&w);
  return 0;
}
