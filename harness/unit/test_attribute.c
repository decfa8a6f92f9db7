/*
 * test_attribute.c - Check tests of the names of a because (torc_because.c)
 * and of the judge's choice of the broken rule (torc_attribute.c).
 *
 * Each case builds an expected trace entry whose because is written here
 * the way the reference notes it (boxes of spec/delivery-algorithm.md in
 * path order, each rule where it was applied) and states which rules a
 * given difference contradicts, worked out by hand: the rules of the pass
 * that made the call (from its last entry box), the decision nearest the
 * call first; the window (RCV-167, noted as the segment arrived, before
 * the pass) when the bytes differ; the pass before when the call came too
 * early; never a rule of another aspect, and rules behind every call
 * (RCV-092, RCV-122) only when nothing more particular decides.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "torc_attribute.h"
#include "torc_because.h"

/* A trace of one entry with the space-separated because. */
static void one_entry(torc_trace *t, const char *because) {
  char buf[1024], *tok, *save = NULL;
  torc_because codes[128];
  size_t n = 0;
  torc_trace_init(t);
  ck_assert_ptr_nonnull(torc_trace_add(t, TORC_TR_COMPLETE, 0));
  snprintf(buf, sizeof buf, "%s", because);
  for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
    codes[n] = torc_because_parse(tok);
    ck_assert_msg(codes[n] != 0, "%s is not a note", tok);
    n++;
  }
  ck_assert_int_eq(torc_trace_set_why(t, codes, n), 0);
}

/* The attribution as one space-separated string. */
static const char *attributed(const char *because, unsigned aspects,
                              int early) {
  static char out[512];
  char ids[16][16];
  torc_trace t;
  size_t n, i, used = 0;
  one_entry(&t, because);
  n = torc_attribute(&t, 0, aspects, early, ids, 16);
  out[0] = '\0';
  for (i = 0; i < n; i++)
    used += (size_t)snprintf(out + used, sizeof out - used, "%s%s",
                             i ? " " : "", ids[i]);
  torc_trace_free(&t);
  return out;
}

/* covers: RCV-167 DEC-15 */
START_TEST(window_cut_is_named_when_the_bytes_differ) {
  /* The segment was cut at the right edge as it arrived, then indicated
   * (E2 -> D3 No -> D4 No -> D5 No -> J5 -> D14 No). */
  const char *b = "RCV-167 DEC-15 E2 RCV-067 D3=no D4=no D5=no J5 B RCV-055 "
                  "D14=no RCV-083 RCV-125 RCV-122 RCV-164";
  ck_assert_str_eq(attributed(b, TORC_ASPECT_AMOUNT, 0),
                   "RCV-167 RCV-164 RCV-083");
  /* Another status is not the window's doing. */
  ck_assert_str_eq(attributed(b, TORC_ASPECT_STATUS, 0), "RCV-125");
}
END_TEST

/* covers: RCV-079 RCV-078 RCV-182 */
START_TEST(missing_call_names_the_last_decision_of_its_pass) {
  /* The post queued the request (J1); the segment with PSH completed it
   * (D11 Yes).  The target made no call: the PSH rules, nearest first; the
   * post's RCV-065 is context, the completion's RCV-092/RCV-122 generic. */
  const char *b = "E1 D1=no RCV-064 D2=no J1 RCV-065 E2 RCV-067 D3=no D4=yes "
                  "J3 P1 RCV-071 D6=no J4 D8=yes D9=yes D10=yes RCV-176 "
                  "D11=yes RCV-182 RCV-078 RCV-079 D12=no J6 RCV-092 RCV-122";
  ck_assert_str_eq(attributed(b, TORC_ASPECT_KIND, 0),
                   "RCV-079 RCV-078 RCV-182 RCV-176");
}
END_TEST

/* covers: RCV-077 RCV-184 */
START_TEST(early_call_names_the_decision_to_wait) {
  /* A non-push request partly filled by one segment (D10 No: it waits),
   * completed when a later segment filled it; the target completed it at
   * the first one. */
  const char *b = "E2 D3=no D4=yes P1 RCV-071 D6=no J4 D8=yes D9=yes D10=no "
                  "RCV-184 RCV-077 E2 D3=no D4=yes P1 D6=yes RCV-072 RCV-181";
  ck_assert_str_eq(attributed(b, TORC_ASPECT_TIMING | TORC_ASPECT_AMOUNT, 1),
                   "RCV-077 RCV-184 RCV-071 RCV-181 RCV-072");
}
END_TEST

START_TEST(generic_rules_only_when_nothing_else_decides) {
  ck_assert_str_eq(
      attributed("E2 RCV-067 RCV-092 RCV-122", TORC_ASPECT_KIND, 0),
      "RCV-122 RCV-092 RCV-067");
  /* No because: nothing to attribute. */
  {
    torc_trace t;
    char ids[4][16];
    torc_trace_init(&t);
    ck_assert_ptr_nonnull(torc_trace_add(&t, TORC_TR_INDICATE, 0));
    ck_assert_uint_eq(torc_attribute(&t, 0, TORC_ASPECT_KIND, 0, ids, 4), 0);
    ck_assert_uint_eq(torc_attribute(&t, -1, TORC_ASPECT_KIND, 0, ids, 4), 0);
    torc_trace_free(&t);
  }
}
END_TEST

START_TEST(because_names_parse_and_print_back) {
  static const char *const good[] = {
      "E1",    "E3",     "P1",      "A",       "B",       "J1",     "J8",
      "D1=no", "D9=yes", "D20=yes", "RCV-001", "RCV-320", "DEC-01", "DEC-26"};
  static const char *const bad[] = {
      "E0", "E4",      "J9",     "D0=no", "D21=yes", "D01=yes", "D4=maybe",
      "D4", "RCV-000", "RCV-32", "DEC-7", "P2",      "",        "rcv-001"};
  size_t i;
  for (i = 0; i < sizeof good / sizeof good[0]; i++) {
    char name[16];
    torc_because c = torc_because_parse(good[i]);
    ck_assert_msg(c != 0, "%s refused", good[i]);
    torc_because_name(c, name, sizeof name);
    ck_assert_str_eq(name, good[i]);
    ck_assert_int_eq(torc_because_is_box(c), strncmp(good[i], "RCV-", 4) &&
                                                 strncmp(good[i], "DEC-", 4));
  }
  for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
    ck_assert_msg(torc_because_parse(bad[i]) == 0, "%s accepted", bad[i]);
  ck_assert_uint_eq(torc_because_rcv(torc_because_parse("RCV-167")), 167);
  ck_assert_uint_eq(torc_because_rcv(torc_because_parse("DEC-15")), 0);
}
END_TEST

START_TEST(summaries_groups_and_pages_come_from_the_catalogue) {
  ck_assert_str_eq(torc_requirement_group("RCV-167"), "G");
  ck_assert_str_eq(torc_requirement_page("RCV-167"),
                   "updating-cached-variables.md");
  ck_assert_ptr_nonnull(
      strstr(torc_requirement_summary("RCV-167"), "receive window"));
  ck_assert_str_eq(torc_requirement_summary("RCV-999"), "");
  ck_assert_str_eq(torc_requirement_group("nonsense"), "");
}
END_TEST

Suite *attribute_suite(void); /* collected by harness/module.mk */
Suite *attribute_suite(void) {
  Suite *s = suite_create("attribute");
  TCase *t = tcase_create("attribute");
  tcase_add_test(t, window_cut_is_named_when_the_bytes_differ);
  tcase_add_test(t, missing_call_names_the_last_decision_of_its_pass);
  tcase_add_test(t, early_call_names_the_decision_to_wait);
  tcase_add_test(t, generic_rules_only_when_nothing_else_decides);
  tcase_add_test(t, because_names_parse_and_print_back);
  tcase_add_test(t, summaries_groups_and_pages_come_from_the_catalogue);
  suite_add_tcase(s, t);
  return s;
}
