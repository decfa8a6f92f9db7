/*
 * torc_cli_diff.c - `torc diff OLD.json NEW.json`: what changed between two
 * runs.
 *
 * Vector ids are derived from the vectors' content, so an id present in
 * both files names the same vector: a verdict change there was caused by
 * the target (or the harness), never by the vectors.  Ids present in only
 * one file are vectors added to or removed from the set (a different
 * vector_set_digest says the same at a glance).  The two kinds are printed
 * apart.  Exit status: 0 no regression, 1 a vector present in both runs
 * newly fails (FAIL, CRASH, TIMEOUT or ERROR where it did not before), 2
 * usage or input error.  New vectors that fail are listed but are not
 * regressions of the target.
 */
#include "torc_cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "torc_results.h"

static const char diff_help[] =
    "Usage: torc diff OLD.json NEW.json\n"
    "Compare the results of two runs: newly failing and newly passing\n"
    "vectors, told apart from vectors added to or removed from the set.\n"
    "\n"
    "Exit status: 0 no regression, 1 a vector present in both runs newly\n"
    "fails, 2 usage or input error.\n";

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

int torc_cmd_diff(int argc, char **argv) {
  static const struct option lo[] = {{"help", no_argument, NULL, 'h'},
                                     {NULL, 0, NULL, 0}};
  torc_results *a = NULL, *b = NULL;
  json_t *ia = NULL, *ib = NULL, *rec;
  char err[1024];
  const char *id;
  size_t nfail = 0, npass = 0, nchg = 0, nadd = 0, naddfail = 0, nrem = 0;
  int c, rc = TORC_EXIT_USAGE, same_set;
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
    if (c == 'h') {
      fputs(diff_help, stdout);
      return TORC_EXIT_OK;
    }
    return torc_cli_usage_error("diff", "unknown option '%s'",
                                argv[optind - 1]);
  }
  if (argc - optind != 2)
    return torc_cli_usage_error("diff", "expected OLD.json NEW.json");
  if (torc_results_load(argv[optind], &a, err, sizeof err) != 0 ||
      torc_results_load(argv[optind + 1], &b, err, sizeof err) != 0) {
    fprintf(stderr, "torc diff: %s\n", err);
    goto out;
  }
  ia = index_of(a);
  ib = index_of(b);
  if (!ia || !ib) {
    fprintf(stderr, "torc diff: out of memory\n");
    goto out;
  }
  {
    /* The documents' headers: the loader keeps them out of the records;
     * reload them cheaply through the file for the digest and target. */
    json_t *da = json_load_file(argv[optind], 0, NULL);
    json_t *db = json_load_file(argv[optind + 1], 0, NULL);
    const json_t *ta = json_object_get(da, "target"),
                 *tb = json_object_get(db, "target");
    same_set = strcmp(sval(da, "vector_set_digest"),
                      sval(db, "vector_set_digest")) == 0;
    printf("old: %s (target %s %s, torc %s)\nnew: %s (target %s %s, torc "
           "%s)\n",
           argv[optind], sval(ta, "name"), sval(ta, "version"),
           sval(da, "torc_version"), argv[optind + 1], sval(tb, "name"),
           sval(tb, "version"), sval(db, "torc_version"));
    printf("vector set: %s\n", same_set
                                   ? "unchanged (same digest)"
                                   : "CHANGED (different vector_set_digest)");
    json_decref(da);
    json_decref(db);
  }
  printf("\nIn both runs (changes caused by the target or the harness):\n");
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
      printf("  NEWLY FAILING  %s  %s -> %s: %s\n", id, sval(old, "verdict"),
             sval(rec, "verdict"), why(rec));
    } else if (!failing(vn) && failing(vo)) {
      npass++;
      printf("  newly passing  %s  %s -> %s\n", id, sval(old, "verdict"),
             sval(rec, "verdict"));
    } else {
      printf("  changed        %s  %s -> %s\n", id, sval(old, "verdict"),
             sval(rec, "verdict"));
    }
  }
  if (!nchg)
    printf("  no verdict changed\n");
  printf("\nOnly in one run (changes caused by the vector set):\n");
  json_object_foreach(ib, id, rec) {
    if (json_object_get(ia, id))
      continue;
    nadd++;
    naddfail += failing(torc_results_verdict(rec));
    printf("  added          %s  %s%s%s\n", id, sval(rec, "verdict"),
           failing(torc_results_verdict(rec)) ? ": " : "",
           failing(torc_results_verdict(rec)) ? why(rec) : "");
  }
  json_object_foreach(ia, id, rec) {
    if (json_object_get(ib, id))
      continue;
    nrem++;
    printf("  removed        %s  (was %s)\n", id, sval(rec, "verdict"));
  }
  if (!nadd && !nrem)
    printf("  none\n");
  printf("\n%zu newly failing, %zu newly passing, %zu other changes; %zu "
         "vectors added (%zu failing), %zu removed\n",
         nfail, npass, nchg - nfail - npass, nadd, naddfail, nrem);
  rc = nfail ? TORC_EXIT_FAIL : TORC_EXIT_OK;
out:
  json_decref(ia);
  json_decref(ib);
  torc_results_free(a);
  torc_results_free(b);
  return rc;
}
