/*
 * torc_claim.c - what a results document claims: the headline, its exit
 * status and every reason, decided from the document alone.
 *
 * Sits at the end of the flow, after the verdicts: torc_results.c calls it
 * whenever it writes a document (a run, a merge), the report and `torc diff`
 * when they read one.  The rules are DESIGN.md's list of claims and issue
 * 11's order: INCOMPLETE, NOT CONFORMANT, DEVELOPMENT RUN (issue 16: a .so
 * in torc's process), PARTIAL RUN, CONFORMANT WITH
 * UNTESTED REQUIREMENTS, CONFORMANT.  Which features are mandatory, and by
 * which requirement, is the catalogue's (torc_features.h).
 */
#include "torc_claim.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <torc/target.h>

#include "torc_features.h"
#include "torc_verdict.h"

typedef struct claim_facts {
  size_t n[TORC_VERDICT_COUNT];
  size_t nresults, set_size, selected;
  int finished, strict, is_suite, selection, sharded;
  const char *stopped_by;
  uint64_t missing; /* mandatory features not declared */
  uint64_t absent;  /* optional features not declared */
  json_t *untested; /* RCV ids cited by UNTESTED and by no PASS (sorted) */
} claim_facts;

static size_t count_of(const json_t *o, const char *key) {
  json_int_t v = json_integer_value(json_object_get(o, key));
  return v > 0 ? (size_t)v : 0;
}

static int any_listed(const json_t *selection) {
  static const char *const keys[] = {"ids", "requirements", "tags", "exclude"};
  size_t i;
  for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
    if (json_array_size(json_object_get(selection, keys[i])) > 0)
      return 1;
  return 0;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The ids cited by UNTESTED records that no PASS or PASS-NONSTRICT record
 * cites, sorted. */
static json_t *untested_requirements(const json_t *results) {
  json_t *untested = json_object(), *out;
  const char **ids = NULL;
  const char *key;
  json_t *rec, *val, *req;
  size_t i, j, n = 0;
  /* First the requirements of the UNTESTED results (usually none: then
   * the judged ones, about 50 requirements each, are never walked; issue
   * 15), then those a PASS or PASS-NONSTRICT judged struck off. */
  json_array_foreach(results, i, rec) {
    if (torc_verdict_parse(json_string_value(
            json_object_get(rec, "verdict"))) != TORC_UNTESTED)
      continue;
    json_array_foreach(json_object_get(rec, "requirements"), j, req) {
      if (json_is_string(req))
        json_object_set(untested, json_string_value(req), json_true());
    }
  }
  if (json_object_size(untested)) {
    json_array_foreach(results, i, rec) {
      int v = torc_verdict_parse(
          json_string_value(json_object_get(rec, "verdict")));
      if (v != TORC_PASS && v != TORC_PASS_NONSTRICT)
        continue;
      json_array_foreach(json_object_get(rec, "requirements"), j, req) {
        if (json_is_string(req))
          json_object_del(untested, json_string_value(req));
      }
    }
  }
  out = json_array();
  if (json_object_size(untested))
    ids = malloc(json_object_size(untested) * sizeof *ids);
  json_object_foreach(untested, key, val) {
    (void)val;
    if (ids)
      ids[n++] = key;
  }
  if (ids)
    qsort(ids, n, sizeof *ids, cmp_str);
  for (i = 0; i < n; i++)
    json_array_append_new(out, json_string(ids[i]));
  free(ids);
  json_decref(untested);
  return out;
}

static void gather(const json_t *doc, const json_t *results, claim_facts *f) {
  const json_t *scope = json_object_get(doc, "scope");
  const json_t *target = json_object_get(doc, "target");
  const json_t *rec;
  uint64_t caps;
  size_t i;
  memset(f, 0, sizeof *f);
  json_array_foreach(results, i, rec) {
    int v =
        torc_verdict_parse(json_string_value(json_object_get(rec, "verdict")));
    f->n[v >= 0 ? v : TORC_ERROR]++;
  }
  f->nresults = json_array_size(results);
  f->finished = json_is_true(json_object_get(scope, "finished"));
  f->stopped_by = json_string_value(json_object_get(scope, "stopped_by"));
  f->strict = json_is_true(json_object_get(scope, "strict"));
  f->set_size = count_of(scope, "set_size");
  f->selected = count_of(scope, "selected");
  f->selection = any_listed(json_object_get(scope, "selection"));
  f->sharded = json_array_size(json_object_get(scope, "shards")) > 0;
  f->is_suite =
      json_is_true(json_object_get(json_object_get(doc, "suite"), "is_suite"));
  caps = (uint64_t)json_integer_value(json_object_get(target, "capabilities"));
  f->missing = torc_features_mandatory() & ~caps;
  f->absent = ~torc_features_mandatory() & ~caps & TORC_CAP_ALL;
  f->untested = untested_requirements(results);
}

static void reason(json_t *reasons, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void reason(json_t *reasons, const char *fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  json_array_append_new(reasons, json_string(buf));
}

static int incomplete(const claim_facts *f, json_t *reasons) {
  size_t lost = f->n[TORC_CRASH] + f->n[TORC_TIMEOUT] + f->n[TORC_ERROR];
  size_t judged = f->n[TORC_PASS] + f->n[TORC_PASS_NONSTRICT] +
                  f->n[TORC_FAIL] + f->n[TORC_WAIVED];
  int found = 0;
  /* --fail-fast stops on purpose at the first failure: the FAIL decides,
   * and the results short of the set make the run partial, not unknown. */
  if (!f->finished && !(f->stopped_by && !strcmp(f->stopped_by, "fail-fast"))) {
    if (f->stopped_by)
      reason(reasons,
             "the run was stopped (%s) with %zu of %zu selected vectors "
             "judged",
             f->stopped_by, f->nresults, f->selected);
    else
      reason(reasons,
             "the run did not finish: %zu of %zu selected vectors "
             "have a result",
             f->nresults, f->selected);
    found = 1;
  }
  if (lost) {
    reason(reasons,
           "%zu vector%s ended CRASH, TIMEOUT or ERROR: what the target does "
           "there is unknown",
           lost, lost == 1 ? "" : "s");
    found = 1;
  }
  if (judged == 0) {
    reason(reasons, "no vector was judged (no PASS, FAIL or WAIVED result)");
    found = 1;
  }
  return found;
}

static int not_conformant(const claim_facts *f, json_t *reasons,
                          json_t *missing_names) {
  size_t nf;
  const torc_feature *all = torc_features(&nf);
  size_t i;
  int found = 0;
  if (f->n[TORC_FAIL]) {
    reason(reasons, "%zu vector%s FAIL", f->n[TORC_FAIL],
           f->n[TORC_FAIL] == 1 ? "" : "s");
    found = 1;
  }
  if (f->strict && f->n[TORC_PASS_NONSTRICT]) {
    reason(reasons, "%zu vector%s PASS-NONSTRICT under --strict",
           f->n[TORC_PASS_NONSTRICT],
           f->n[TORC_PASS_NONSTRICT] == 1 ? "" : "s");
    found = 1;
  }
  for (i = 0; i < nf; i++) {
    char first[16];
    if (!(f->missing & all[i].cap))
      continue;
    torc_features_first_requirement(all[i].requirements, first);
    reason(reasons,
           "the target does not declare %s (%s), which %s makes mandatory",
           all[i].name, all[i].what, first);
    json_array_append_new(missing_names, json_string(all[i].name));
    found = 1;
  }
  return found;
}

static int partial(const claim_facts *f, const json_t *doc, json_t *reasons) {
  int found = 0;
  if (f->nresults < f->set_size) {
    if (f->sharded)
      reason(reasons,
             "the shards cover %zu of the set's %zu vectors: not a "
             "conformance claim",
             f->nresults, f->set_size);
    else if (f->selection)
      reason(reasons,
             "a selection (--id, --requirement, --tag, --exclude) kept %zu "
             "of the set's %zu vectors: not a conformance claim",
             f->nresults, f->set_size);
    else
      reason(reasons,
             "the results cover %zu of the set's %zu vectors: not a "
             "conformance claim",
             f->nresults, f->set_size);
    found = 1;
  }
  if (!f->is_suite) {
    const json_t *suite = json_object_get(doc, "suite");
    const char *have =
        json_string_value(json_object_get(doc, "vector_set_digest"));
    const char *want = json_string_value(json_object_get(suite, "digest"));
    reason(reasons,
           "the vectors run (set %.16s) are not the suite this torc ships "
           "(%.16s): not a conformance claim",
           have ? have : "unknown", want ? want : "unknown");
    found = 1;
  }
  return found;
}

/* A shared object run inside torc's own process (--in-process) could have
 * written its own verdicts: whatever it passed, the run claims nothing. */
static int development(const json_t *doc, json_t *reasons) {
  const char *where = json_string_value(
      json_object_get(json_object_get(doc, "target"), "containment"));
  if (!where || strcmp(where, "in-process") != 0)
    return 0;
  reason(reasons,
         "the target ran inside torc's own process (--in-process), where it "
         "can reach the verdicts: a development run, not a conformance claim");
  return 1;
}

/* UNTESTED records whose detail starts with prefix. */
static size_t untested_with(const json_t *results, const char *prefix) {
  const json_t *rec;
  size_t i, n = 0;
  json_array_foreach(results, i, rec) {
    const char *d = json_string_value(json_object_get(rec, "detail"));
    if (torc_verdict_parse(json_string_value(
            json_object_get(rec, "verdict"))) == TORC_UNTESTED &&
        d && strncmp(d, prefix, strlen(prefix)) == 0)
      n++;
  }
  return n;
}

/* Why vectors are UNTESTED, one reason per cause with its own count: a
 * testability hook the target lacks (torc_gate.c), a limit it declares
 * (torc_engine.c, RCV-020..022), an armed allocation failure it never met
 * (DEC-25).  One cause covering every UNTESTED vector makes one sentence;
 * records without details (older journals) are put down to the absent
 * hooks, as before the causes were told apart. */
static int untested(const claim_facts *f, const json_t *doc,
                    const json_t *results, json_t *reasons) {
  enum { MAXC = 16 };
  size_t nf, i, said = 0, nc = 0, k;
  const torc_feature *all = torc_features(&nf);
  size_t n = f->n[TORC_UNTESTED], nreq = json_array_size(f->untested);
  const json_t *lim =
      json_object_get(json_object_get(doc, "target"), "declared_limits");
  char prefix[96], why[MAXC][320];
  size_t cnt[MAXC];
  if (!n)
    return 0;
  for (i = 0; i < nf && nc < MAXC - 2; i++) {
    if (!(f->absent & all[i].cap))
      continue;
    snprintf(prefix, sizeof prefix, "untested: target lacks %s ", all[i].name);
    if ((k = untested_with(results, prefix)) == 0)
      continue;
    snprintf(why[nc], sizeof why[nc], "the target lacks %s: %s", all[i].name,
             all[i].because);
    cnt[nc++] = k;
  }
  if ((k = untested_with(results, "untested: beyond a declared limit")) > 0) {
    snprintf(why[nc], sizeof why[nc],
             "they go beyond a limit the target declares (InitialRcvWnd at "
             "most %" JSON_INTEGER_FORMAT " bytes, BufferedData at most "
             "%" JSON_INTEGER_FORMAT " bytes, 0 = no limit), and it refused "
             "their offload with the status RCV-020..022 name",
             json_integer_value(json_object_get(lim, "max_initial_rcv_wnd")),
             json_integer_value(json_object_get(lim, "max_buffered_bytes")));
    cnt[nc++] = k;
  }
  if ((k = untested_with(results, "untested: the vector fails every")) > 0) {
    snprintf(why[nc], sizeof why[nc],
             "the target made no allocation while the event their failure "
             "is armed for was handled (DEC-25)");
    cnt[nc++] = k;
  }
  for (i = 0; i < nc; i++)
    said += cnt[i];
  if (nc == 1 && said == n) {
    reason(reasons,
           "%zu vector%s UNTESTED, %zu requirement%s judged by no other "
           "vector, because %s",
           n, n == 1 ? "" : "s", nreq, nreq == 1 ? "" : "s", why[0]);
    return 1;
  }
  if (nc == 0) {
    for (i = 0; i < nf; i++) {
      if (!(f->absent & all[i].cap))
        continue;
      reason(reasons,
             "%zu vector%s UNTESTED, %zu requirement%s judged by no other "
             "vector, because the target lacks %s: %s",
             n, n == 1 ? "" : "s", nreq, nreq == 1 ? "" : "s", all[i].name,
             all[i].because);
      said = n;
    }
    if (!said)
      reason(reasons,
             "%zu vector%s UNTESTED, %zu requirement%s judged by no other "
             "vector",
             n, n == 1 ? "" : "s", nreq, nreq == 1 ? "" : "s");
    return 1;
  }
  reason(reasons,
         "%zu vector%s UNTESTED, %zu requirement%s judged by no other vector",
         n, n == 1 ? "" : "s", nreq, nreq == 1 ? "" : "s");
  for (i = 0; i < nc; i++)
    reason(reasons, "%zu of them because %s", cnt[i], why[i]);
  if (said < n)
    reason(reasons, "%zu of them for other reasons (see each result)",
           n - said);
  return 1;
}

json_t *torc_claim_compute(const json_t *doc, const json_t *results) {
  claim_facts f;
  json_t *claim, *reasons = json_array(), *missing = json_array();
  const char *headline = NULL;
  int status = 0;
  if (!results)
    results = json_object_get(doc, "results");
  gather(doc, results, &f);
  if (incomplete(&f, reasons)) {
    headline = TORC_CLAIM_INCOMPLETE;
    status = 3;
  }
  if (not_conformant(&f, reasons, missing) && !headline) {
    headline = TORC_CLAIM_NOT_CONFORMANT;
    status = 1;
  }
  if (development(doc, reasons) && !headline)
    headline = TORC_CLAIM_DEVELOPMENT;
  if (partial(&f, doc, reasons) && !headline)
    headline = TORC_CLAIM_PARTIAL;
  if (untested(&f, doc, results, reasons) && !headline)
    headline = TORC_CLAIM_UNTESTED;
  if (!headline)
    headline = TORC_CLAIM_CONFORMANT;
  claim = json_pack("{s:s, s:i, s:o, s:o, s:o}", "headline", headline,
                    "exit_status", status, "reasons", reasons,
                    "untested_requirements", f.untested, "missing_mandatory",
                    missing);
  return claim;
}

const char *torc_claim_headline(const json_t *claim) {
  const char *h = json_string_value(json_object_get(claim, "headline"));
  return h ? h : TORC_CLAIM_INCOMPLETE;
}

int torc_claim_exit_status(const json_t *claim) {
  const json_t *s = json_object_get(claim, "exit_status");
  return json_is_integer(s) ? (int)json_integer_value(s) : 3;
}
