/*
 * torc_diff.c - what changed between the results of two runs.
 *
 * Reads both documents through torc_results_load, indexes their records by
 * id, and prints: who judged what (targets, capabilities, vector sets, each
 * difference as a "note:"), both claims (torc_results_claim, recomputed
 * from each document), the verdict changes of the vectors both runs have
 * (caused by the target or the harness), the lost coverage (passing before,
 * UNTESTED or absent now), and the vectors only one run has (caused by the
 * vector set).  `torc diff` (harness/cli/torc_cli_diff.c) turns the counts
 * into its exit status.
 */
#include "torc_diff.h"

#include <jansson.h>
#include <stdint.h>
#include <string.h>

#include "torc_claim.h"
#include "torc_features.h"
#include "torc_results.h"

static int failing(int v) {
  return v == TORC_FAIL || v == TORC_CRASH || v == TORC_TIMEOUT ||
         v == TORC_ERROR;
}

static const char *sval(const json_t *o, const char *k) {
  const char *s = json_string_value(json_object_get(o, k));
  return s ? s : "";
}

/* id -> record. */
static json_t *index_of(const torc_results *rs) {
  json_t *ix = json_object();
  size_t i;
  for (i = 0; ix && i < torc_results_count(rs); i++) {
    const json_t *rec = torc_results_get(rs, i);
    json_object_set(ix, sval(rec, "id"), (json_t *)(uintptr_t)rec);
  }
  return ix;
}

static const char *why(const json_t *rec) {
  const json_t *x;
  size_t i;
  json_array_foreach(json_object_get(rec, "violations"), i, x) {
    if (strcmp(sval(x, "message"), "requirement exercised by this vector"))
      return sval(x, "message");
  }
  return sval(rec, "detail");
}

/* "BUFFERED_DATA, PUSH_MODE" for the feature bits of caps, or "none". */
static void cap_names(uint64_t caps, char *out, size_t n) {
  size_t nf, i, used = 0;
  const torc_feature *f = torc_features(&nf);
  out[0] = '\0';
  for (i = 0; i < nf && used < n; i++)
    if (caps & f[i].cap)
      used += (size_t)snprintf(out + used, n - used, "%s%s", used ? ", " : "",
                               f[i].name);
  if (!used)
    snprintf(out, n, "none");
}

/* Who judged what: the targets, the vector sets, the claims, and a note
 * for each way the two runs are not of the same target and set. */
static int print_headers(FILE *out, const char *old_path, const torc_results *a,
                         const char *new_path, const torc_results *b) {
  const json_t *ta = torc_results_member(a, "target");
  const json_t *tb = torc_results_member(b, "target");
  const char *da =
      json_string_value(torc_results_member(a, "vector_set_digest"));
  const char *db =
      json_string_value(torc_results_member(b, "vector_set_digest"));
  uint64_t ca =
      (uint64_t)json_integer_value(json_object_get(ta, "capabilities"));
  uint64_t cb =
      (uint64_t)json_integer_value(json_object_get(tb, "capabilities"));
  json_t *claim_a = torc_results_claim(a), *claim_b = torc_results_claim(b);
  int same_set = strcmp(da, db) == 0;
  if (!claim_a || !claim_b) {
    json_decref(claim_a);
    json_decref(claim_b);
    return -1;
  }
  fprintf(out,
          "old: %s (target %s %s, torc %s)\nnew: %s (target %s %s, torc "
          "%s)\n",
          old_path, sval(ta, "name"), sval(ta, "version"),
          json_string_value(torc_results_member(a, "torc_version")), new_path,
          sval(tb, "name"), sval(tb, "version"),
          json_string_value(torc_results_member(b, "torc_version")));
  fprintf(out, "vector set: %s\n",
          same_set ? "unchanged (same digest)"
                   : "CHANGED (different vector_set_digest)");
  if (strcmp(sval(ta, "name"), sval(tb, "name")) ||
      strcmp(sval(ta, "version"), sval(tb, "version")))
    fprintf(out,
            "note: the two runs judged different targets (old: %s %s, new: "
            "%s %s)\n",
            sval(ta, "name"), sval(ta, "version"), sval(tb, "name"),
            sval(tb, "version"));
  if (ca != cb) {
    char dropped[256], added[256];
    cap_names(ca & ~cb, dropped, sizeof dropped);
    cap_names(cb & ~ca, added, sizeof added);
    fprintf(out,
            "note: the two runs judged targets declaring different "
            "capabilities (dropped: %s; added: %s)\n",
            dropped, added);
  }
  if (!same_set)
    fprintf(out,
            "note: the two runs judged different vector sets (old %.16s..., "
            "new %.16s...): vectors only one run has are not changes of the "
            "target\n",
            da, db);
  fprintf(out, "claim: %s -> %s\n", torc_claim_headline(claim_a),
          torc_claim_headline(claim_b));
  json_decref(claim_a);
  json_decref(claim_b);
  return 0;
}

static int judged_passing(int v) {
  return v == TORC_PASS || v == TORC_PASS_NONSTRICT;
}

/* Vectors both runs have: verdict changes other than lost coverage. */
static void print_changes(FILE *out, json_t *ia, json_t *ib,
                          torc_diff_counts *c) {
  const char *id;
  json_t *rec;
  size_t nchg = 0, nlost = 0;
  fprintf(out, "\nIn both runs (changes caused by the target or the "
               "harness):\n");
  json_object_foreach(ib, id, rec) {
    const json_t *old = json_object_get(ia, id);
    int vo, vn;
    if (!old)
      continue;
    vo = torc_results_verdict(old);
    vn = torc_results_verdict(rec);
    if (vo == vn)
      continue;
    if (judged_passing(vo) && vn == TORC_UNTESTED) {
      nlost++;
      continue;
    }
    nchg++;
    if (failing(vn) && !failing(vo)) {
      c->newly_failing++;
      fprintf(out, "  NEWLY FAILING  %s  %s -> %s: %s\n", id,
              sval(old, "verdict"), sval(rec, "verdict"), why(rec));
    } else if (!failing(vn) && failing(vo)) {
      c->newly_passing++;
      fprintf(out, "  newly passing  %s  %s -> %s\n", id, sval(old, "verdict"),
              sval(rec, "verdict"));
    } else {
      fprintf(out, "  changed        %s  %s -> %s\n", id, sval(old, "verdict"),
              sval(rec, "verdict"));
    }
  }
  if (!nchg)
    fprintf(out, nlost ? "  no other verdict changed (lost coverage below)\n"
                       : "  no verdict changed\n");
}

/* PASS or PASS-NONSTRICT in OLD, UNTESTED or absent in NEW. */
static void print_lost(FILE *out, json_t *ia, json_t *ib, torc_diff_counts *c) {
  const char *id;
  json_t *rec;
  json_object_foreach(ia, id, rec) {
    const json_t *now = json_object_get(ib, id);
    if (!judged_passing(torc_results_verdict(rec)) ||
        (now && torc_results_verdict(now) != TORC_UNTESTED))
      continue;
    c->lost_coverage++;
  }
  fprintf(out,
          "\nLost coverage (passing in the old run, not judged in the new "
          "one): %zu\n",
          c->lost_coverage);
  json_object_foreach(ia, id, rec) {
    const json_t *now = json_object_get(ib, id);
    if (!judged_passing(torc_results_verdict(rec)) ||
        (now && torc_results_verdict(now) != TORC_UNTESTED))
      continue;
    if (now)
      fprintf(out, "  LOST COVERAGE  %s  %s -> UNTESTED: %s\n", id,
              sval(rec, "verdict"), sval(now, "detail"));
    else
      fprintf(out, "  LOST COVERAGE  %s  %s -> absent from the new run\n", id,
              sval(rec, "verdict"));
  }
}

/* Vectors only one run has. */
static void print_set_changes(FILE *out, json_t *ia, json_t *ib,
                              torc_diff_counts *c) {
  const char *id;
  json_t *rec;
  fprintf(out, "\nOnly in one run (changes caused by the vector set):\n");
  json_object_foreach(ib, id, rec) {
    int f = failing(torc_results_verdict(rec));
    if (json_object_get(ia, id))
      continue;
    c->added++;
    c->added_failing += (size_t)f;
    fprintf(out, "  added          %s  %s%s%s\n", id, sval(rec, "verdict"),
            f ? ": " : "", f ? why(rec) : "");
  }
  json_object_foreach(ia, id, rec) {
    if (json_object_get(ib, id))
      continue;
    c->removed++;
    fprintf(out, "  removed        %s  (was %s)\n", id, sval(rec, "verdict"));
  }
  if (!c->added && !c->removed)
    fprintf(out, "  none\n");
}

int torc_diff_files(const char *old_path, const char *new_path, FILE *out,
                    torc_diff_counts *counts, char *errbuf, size_t errlen) {
  torc_results *a = NULL, *b = NULL;
  json_t *ia = NULL, *ib = NULL;
  int rc = -1;
  memset(counts, 0, sizeof *counts);
  if (torc_results_load(old_path, &a, errbuf, errlen) != 0 ||
      torc_results_load(new_path, &b, errbuf, errlen) != 0)
    goto out;
  ia = index_of(a);
  ib = index_of(b);
  if (!ia || !ib || print_headers(out, old_path, a, new_path, b) != 0) {
    snprintf(errbuf, errlen, "out of memory");
    goto out;
  }
  print_changes(out, ia, ib, counts);
  print_lost(out, ia, ib, counts);
  print_set_changes(out, ia, ib, counts);
  fprintf(out,
          "\n%zu newly failing, %zu newly passing, %zu lost coverage; %zu "
          "vectors added (%zu failing), %zu removed\n",
          counts->newly_failing, counts->newly_passing, counts->lost_coverage,
          counts->added, counts->added_failing, counts->removed);
  rc = 0;
out:
  json_decref(ia);
  json_decref(ib);
  torc_results_free(a);
  torc_results_free(b);
  return rc;
}
