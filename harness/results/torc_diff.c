/*
 * torc_diff.c - what changed between the results of two runs.
 *
 * Reads both documents through torc_results_load, indexes their records by
 * id, and prints the verdict changes of the vectors both runs have (caused
 * by the target or the harness) apart from the vectors only one run has
 * (caused by the vector set).  `torc diff` (harness/cli/torc_cli_diff.c)
 * turns the count of newly failing vectors into its exit status.
 */
#include "torc_diff.h"

#include <jansson.h>
#include <stdint.h>
#include <string.h>

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

/* The documents' headers: the loader keeps them out of the records; reload
 * them cheaply through the files for the digest and target. */
static void print_headers(FILE *out, const char *old_path,
                          const char *new_path) {
  json_t *da = json_load_file(old_path, 0, NULL);
  json_t *db = json_load_file(new_path, 0, NULL);
  const json_t *ta = json_object_get(da, "target"),
               *tb = json_object_get(db, "target");
  int same_set =
      strcmp(sval(da, "vector_set_digest"), sval(db, "vector_set_digest")) == 0;
  fprintf(out,
          "old: %s (target %s %s, torc %s)\nnew: %s (target %s %s, torc "
          "%s)\n",
          old_path, sval(ta, "name"), sval(ta, "version"),
          sval(da, "torc_version"), new_path, sval(tb, "name"),
          sval(tb, "version"), sval(db, "torc_version"));
  fprintf(out, "vector set: %s\n",
          same_set ? "unchanged (same digest)"
                   : "CHANGED (different vector_set_digest)");
  json_decref(da);
  json_decref(db);
}

long torc_diff_files(const char *old_path, const char *new_path, FILE *out,
                     char *errbuf, size_t errlen) {
  torc_results *a = NULL, *b = NULL;
  json_t *ia = NULL, *ib = NULL, *rec;
  const char *id;
  size_t nfail = 0, npass = 0, nchg = 0, nadd = 0, naddfail = 0, nrem = 0;
  long rc = -1;
  if (torc_results_load(old_path, &a, errbuf, errlen) != 0 ||
      torc_results_load(new_path, &b, errbuf, errlen) != 0)
    goto out;
  ia = index_of(a);
  ib = index_of(b);
  if (!ia || !ib) {
    snprintf(errbuf, errlen, "out of memory");
    goto out;
  }
  print_headers(out, old_path, new_path);
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
    nchg++;
    if (failing(vn) && !failing(vo)) {
      nfail++;
      fprintf(out, "  NEWLY FAILING  %s  %s -> %s: %s\n", id,
              sval(old, "verdict"), sval(rec, "verdict"), why(rec));
    } else if (!failing(vn) && failing(vo)) {
      npass++;
      fprintf(out, "  newly passing  %s  %s -> %s\n", id, sval(old, "verdict"),
              sval(rec, "verdict"));
    } else {
      fprintf(out, "  changed        %s  %s -> %s\n", id, sval(old, "verdict"),
              sval(rec, "verdict"));
    }
  }
  if (!nchg)
    fprintf(out, "  no verdict changed\n");
  fprintf(out, "\nOnly in one run (changes caused by the vector set):\n");
  json_object_foreach(ib, id, rec) {
    if (json_object_get(ia, id))
      continue;
    nadd++;
    naddfail += failing(torc_results_verdict(rec));
    fprintf(out, "  added          %s  %s%s%s\n", id, sval(rec, "verdict"),
            failing(torc_results_verdict(rec)) ? ": " : "",
            failing(torc_results_verdict(rec)) ? why(rec) : "");
  }
  json_object_foreach(ia, id, rec) {
    if (json_object_get(ib, id))
      continue;
    nrem++;
    fprintf(out, "  removed        %s  (was %s)\n", id, sval(rec, "verdict"));
  }
  if (!nadd && !nrem)
    fprintf(out, "  none\n");
  fprintf(out,
          "\n%zu newly failing, %zu newly passing, %zu other changes; %zu "
          "vectors added (%zu failing), %zu removed\n",
          nfail, npass, nchg - nfail - npass, nadd, naddfail, nrem);
  rc = (long)nfail;
out:
  json_decref(ia);
  json_decref(ib);
  torc_results_free(a);
  torc_results_free(b);
  return rc;
}
