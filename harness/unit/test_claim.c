/*
 * test_claim.c - Check tests of the claim a results document makes
 * (torc_claim.c), on documents built here by hand.
 *
 * Each case writes the few members the claim reads (verdicts, the target's
 * capabilities, the scope, the suite) and states the headline and exit
 * status that DESIGN.md's list of claims and issue 11's order call for:
 * INCOMPLETE (3) before NOT CONFORMANT (1) before PARTIAL RUN, CONFORMANT
 * WITH UNTESTED REQUIREMENTS and CONFORMANT (0).  Which features are
 * mandatory comes from the catalogue: every one but ALLOC_HOOK (RCV-176 for
 * push and non-push requests, RCV-007 for BufferedData, ...).
 */
#include <check.h>
#include <jansson.h>
#include <string.h>
#include <torc/target.h>

#include "torc_claim.h"

#define SUITE_DIGEST "aaaa"

/* A document of a finished full run of `set` vectors, the suite, a target
 * declaring caps; the records are added by the cases. */
static json_t *doc_new(unsigned long long caps, size_t set) {
  return json_pack("{s:s, s:{s:s, s:b}, s:{s:I}, s:{s:I, s:I, s:{}, s:[], "
                   "s:b, s:n, s:b}, s:[]}",
                   "vector_set_digest", SUITE_DIGEST, "suite", "digest",
                   SUITE_DIGEST, "is_suite", 1, "target", "capabilities",
                   (json_int_t)caps, "scope", "set_size", (json_int_t)set,
                   "selected", (json_int_t)set, "selection", "shards",
                   "finished", 1, "stopped_by", "strict", 0, "results");
}

static void add(json_t *doc, const char *verdict, const char *req) {
  json_array_append_new(
      json_object_get(doc, "results"),
      json_pack("{s:s, s:[s]}", "verdict", verdict, "requirements", req));
}

static json_t *claim_of(json_t *doc) {
  json_t *c = torc_claim_compute(doc, NULL);
  ck_assert_ptr_nonnull(c);
  return c;
}

static void expect(json_t *doc, const char *headline, int status) {
  json_t *c = claim_of(doc);
  ck_assert_str_eq(torc_claim_headline(c), headline);
  ck_assert_int_eq(torc_claim_exit_status(c), status);
  json_decref(c);
  json_decref(doc);
}

START_TEST(all_pass_with_every_feature_is_conformant) {
  json_t *d = doc_new(TORC_CAP_ALL, 2);
  add(d, "PASS", "RCV-007");
  add(d, "PASS-NONSTRICT", "RCV-048");
  expect(d, TORC_CLAIM_CONFORMANT, 0);
}
END_TEST

/* Issue 11: the null target (nothing declared) must not be CONFORMANT even
 * if no vector failed: every mandatory feature is missing. */
START_TEST(missing_mandatory_feature_is_not_conformant) {
  json_t *d = doc_new(TORC_CAP_ALL & ~TORC_CAP_NONPUSH_MODE, 1);
  json_t *c;
  add(d, "PASS", "RCV-007");
  c = claim_of(d);
  ck_assert_str_eq(torc_claim_headline(c), TORC_CLAIM_NOT_CONFORMANT);
  ck_assert_int_eq(torc_claim_exit_status(c), 1);
  ck_assert_uint_eq(json_array_size(json_object_get(c, "missing_mandatory")),
                    1);
  ck_assert_str_eq(json_string_value(json_array_get(
                       json_object_get(c, "missing_mandatory"), 0)),
                   "NONPUSH_MODE");
  /* The reason cites the requirement that makes it mandatory (RCV-176). */
  ck_assert_ptr_nonnull(strstr(
      json_string_value(json_array_get(json_object_get(c, "reasons"), 0)),
      "RCV-176"));
  json_decref(c);
  json_decref(d);
}
END_TEST

START_TEST(a_fail_is_not_conformant) {
  json_t *d = doc_new(TORC_CAP_ALL, 2);
  add(d, "PASS", "RCV-007");
  add(d, "FAIL", "RCV-046");
  expect(d, TORC_CLAIM_NOT_CONFORMANT, 1);
}
END_TEST

START_TEST(nonstrict_fails_only_under_strict) {
  json_t *d = doc_new(TORC_CAP_ALL, 1);
  add(d, "PASS-NONSTRICT", "RCV-048");
  json_object_set_new(json_object_get(d, "scope"), "strict", json_true());
  expect(d, TORC_CLAIM_NOT_CONFORMANT, 1);
}
END_TEST

/* Only ALLOC_HOOK absent: its vectors UNTESTED, the claim says so and lists
 * the requirement no other vector judged (RCV-009 here), not RCV-007 which
 * a PASS judged. */
START_TEST(absent_testability_hook_is_conformant_with_untested) {
  json_t *d = doc_new(TORC_CAP_ALL & ~TORC_CAP_ALLOC_HOOK, 3);
  json_t *c, *u;
  add(d, "PASS", "RCV-007");
  add(d, "UNTESTED", "RCV-007");
  add(d, "UNTESTED", "RCV-009");
  c = claim_of(d);
  ck_assert_str_eq(torc_claim_headline(c), TORC_CLAIM_UNTESTED);
  ck_assert_int_eq(torc_claim_exit_status(c), 0);
  u = json_object_get(c, "untested_requirements");
  ck_assert_uint_eq(json_array_size(u), 1);
  ck_assert_str_eq(json_string_value(json_array_get(u, 0)), "RCV-009");
  ck_assert_ptr_nonnull(strstr(
      json_string_value(json_array_get(json_object_get(c, "reasons"), 0)),
      "ALLOC_HOOK"));
  json_decref(c);
  json_decref(d);
}
END_TEST

static void add_untested(json_t *doc, const char *req, const char *detail) {
  json_array_append_new(json_object_get(doc, "results"),
                        json_pack("{s:s, s:[s], s:s}", "verdict", "UNTESTED",
                                  "requirements", req, "detail", detail));
}

/* The reason at index i of c's claim. */
static const char *reason_at(json_t *c, size_t i) {
  const char *s =
      json_string_value(json_array_get(json_object_get(c, "reasons"), i));
  ck_assert_ptr_nonnull(s);
  return s;
}

/* Issue 14: UNTESTED vectors of two causes (a hook the target lacks, a
 * limit it declares, DEC-32) get one count per cause, each naming its
 * cause; the limits are read from the target's declared_limits. */
START_TEST(untested_causes_are_counted_apart) {
  json_t *d = doc_new(TORC_CAP_ALL & ~TORC_CAP_ALLOC_HOOK, 4);
  json_t *c;
  add(d, "PASS", "RCV-007");
  json_object_set_new(json_object_get(d, "target"), "declared_limits",
                      json_pack("{s:i, s:i}", "max_initial_rcv_wnd", 65535,
                                "max_buffered_bytes", 0));
  add_untested(d, "RCV-009", "untested: target lacks ALLOC_HOOK (x)");
  add_untested(d, "RCV-022",
               "untested: beyond a declared limit: its InitialRcvWnd ...");
  add_untested(d, "RCV-023",
               "untested: beyond a declared limit: its InitialRcvWnd ...");
  c = claim_of(d);
  ck_assert_str_eq(torc_claim_headline(c), TORC_CLAIM_UNTESTED);
  ck_assert_uint_eq(json_array_size(json_object_get(c, "reasons")), 3);
  ck_assert_str_eq(reason_at(c, 0), "3 vectors UNTESTED, 3 requirements "
                                    "judged by no other vector");
  ck_assert_ptr_nonnull(
      strstr(reason_at(c, 1), "1 of them because the target lacks ALLOC_HOOK"));
  ck_assert_ptr_nonnull(strstr(reason_at(c, 2),
                               "2 of them because they go beyond a limit the "
                               "target declares (InitialRcvWnd at most 65535 "
                               "bytes, BufferedData at most 0 bytes"));
  json_decref(c);
  json_decref(d);
}
END_TEST

/* One cause behind every UNTESTED vector: one sentence, as before. */
START_TEST(one_untested_cause_is_one_sentence) {
  json_t *d = doc_new(TORC_CAP_ALL, 2);
  json_t *c;
  add(d, "PASS", "RCV-007");
  add_untested(d, "RCV-010",
               "untested: the vector fails every allocation made while "
               "event 2 is handled, and the target made none");
  c = claim_of(d);
  ck_assert_uint_eq(json_array_size(json_object_get(c, "reasons")), 1);
  ck_assert_str_eq(reason_at(c, 0),
                   "1 vector UNTESTED, 1 requirement judged by no other "
                   "vector, because the target made no allocation while the "
                   "event their failure is armed for was handled (DEC-25)");
  json_decref(c);
  json_decref(d);
}
END_TEST

START_TEST(interrupted_run_is_incomplete_even_with_fails) {
  json_t *d = doc_new(TORC_CAP_ALL, 4);
  json_t *scope = json_object_get(d, "scope");
  add(d, "FAIL", "RCV-046");
  json_object_set_new(scope, "finished", json_false());
  json_object_set_new(scope, "stopped_by", json_string("SIGINT"));
  expect(d, TORC_CLAIM_INCOMPLETE, 3);
}
END_TEST

/* --fail-fast stops on purpose: the FAIL it stopped at decides. */
START_TEST(fail_fast_stop_is_not_conformant) {
  json_t *d = doc_new(TORC_CAP_ALL, 4);
  json_t *scope = json_object_get(d, "scope");
  add(d, "FAIL", "RCV-046");
  json_object_set_new(scope, "finished", json_false());
  json_object_set_new(scope, "stopped_by", json_string("fail-fast"));
  expect(d, TORC_CLAIM_NOT_CONFORMANT, 1);
}
END_TEST

START_TEST(crash_is_incomplete) {
  json_t *d = doc_new(TORC_CAP_ALL, 2);
  add(d, "PASS", "RCV-007");
  add(d, "CRASH", "RCV-007");
  expect(d, TORC_CLAIM_INCOMPLETE, 3);
}
END_TEST

START_TEST(nothing_judged_is_incomplete) {
  json_t *d = doc_new(TORC_CAP_ALL & ~TORC_CAP_ALLOC_HOOK, 1);
  add(d, "UNTESTED", "RCV-009");
  expect(d, TORC_CLAIM_INCOMPLETE, 3);
}
END_TEST

START_TEST(empty_run_is_incomplete) {
  expect(doc_new(TORC_CAP_ALL, 0), TORC_CLAIM_INCOMPLETE, 3);
}
END_TEST

START_TEST(one_shard_is_partial) {
  json_t *d = doc_new(TORC_CAP_ALL, 2);
  json_array_append_new(json_object_get(json_object_get(d, "scope"), "shards"),
                        json_pack("{s:i, s:i}", "index", 1, "count", 2));
  add(d, "PASS", "RCV-007");
  expect(d, TORC_CLAIM_PARTIAL, 0);
}
END_TEST

START_TEST(selection_is_partial) {
  json_t *d = doc_new(TORC_CAP_ALL, 5);
  json_object_set_new(json_object_get(json_object_get(d, "scope"), "selection"),
                      "requirements", json_pack("[s]", "RCV-007"));
  add(d, "PASS", "RCV-007");
  expect(d, TORC_CLAIM_PARTIAL, 0);
}
END_TEST

START_TEST(other_vectors_than_the_suite_are_partial) {
  json_t *d = doc_new(TORC_CAP_ALL, 1);
  json_object_set_new(json_object_get(d, "suite"), "is_suite", json_false());
  add(d, "PASS", "RCV-007");
  expect(d, TORC_CLAIM_PARTIAL, 0);
}
END_TEST

/* Issue 16: a .so run inside torc's process (--in-process) could have
 * written its own verdicts.  Every vector of the suite passed, yet the run
 * claims nothing; a FAIL it found still stands (NOT CONFORMANT first), and
 * a target that ran in a process of its own claims as usual. */
START_TEST(in_process_so_is_a_development_run) {
  json_t *d = doc_new(TORC_CAP_ALL, 1);
  json_object_set_new(json_object_get(d, "target"), "containment",
                      json_string("in-process"));
  add(d, "PASS", "RCV-007");
  expect(d, TORC_CLAIM_DEVELOPMENT, 0);
  d = doc_new(TORC_CAP_ALL, 1);
  json_object_set_new(json_object_get(d, "target"), "containment",
                      json_string("in-process"));
  add(d, "FAIL", "RCV-046");
  expect(d, TORC_CLAIM_NOT_CONFORMANT, 1);
  d = doc_new(TORC_CAP_ALL, 1);
  json_object_set_new(json_object_get(d, "target"), "containment",
                      json_string("process"));
  add(d, "PASS", "RCV-007");
  expect(d, TORC_CLAIM_CONFORMANT, 0);
}
END_TEST

/* A failure found in a subset is still a definite finding. */
START_TEST(fail_in_a_partial_run_is_not_conformant) {
  json_t *d = doc_new(TORC_CAP_ALL, 9);
  add(d, "FAIL", "RCV-046");
  expect(d, TORC_CLAIM_NOT_CONFORMANT, 1);
}
END_TEST

START_TEST(missing_scope_is_incomplete) {
  json_t *d = doc_new(TORC_CAP_ALL, 1);
  add(d, "PASS", "RCV-007");
  json_object_del(d, "scope");
  expect(d, TORC_CLAIM_INCOMPLETE, 3);
}
END_TEST

Suite *claim_suite(void); /* collected by harness/module.mk */

Suite *claim_suite(void) {
  Suite *s = suite_create("claim");
  TCase *tc = tcase_create("claim");
  tcase_add_test(tc, all_pass_with_every_feature_is_conformant);
  tcase_add_test(tc, missing_mandatory_feature_is_not_conformant);
  tcase_add_test(tc, a_fail_is_not_conformant);
  tcase_add_test(tc, nonstrict_fails_only_under_strict);
  tcase_add_test(tc, absent_testability_hook_is_conformant_with_untested);
  tcase_add_test(tc, untested_causes_are_counted_apart);
  tcase_add_test(tc, one_untested_cause_is_one_sentence);
  tcase_add_test(tc, interrupted_run_is_incomplete_even_with_fails);
  tcase_add_test(tc, fail_fast_stop_is_not_conformant);
  tcase_add_test(tc, crash_is_incomplete);
  tcase_add_test(tc, nothing_judged_is_incomplete);
  tcase_add_test(tc, empty_run_is_incomplete);
  tcase_add_test(tc, one_shard_is_partial);
  tcase_add_test(tc, selection_is_partial);
  tcase_add_test(tc, other_vectors_than_the_suite_are_partial);
  tcase_add_test(tc, fail_in_a_partial_run_is_not_conformant);
  tcase_add_test(tc, in_process_so_is_a_development_run);
  tcase_add_test(tc, missing_scope_is_incomplete);
  suite_add_tcase(s, tc);
  return s;
}
