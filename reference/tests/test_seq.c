/*
 * test_seq.c - Check tests of the sequence-number macros (torc_seq.h).
 *
 * Every comparison the reference makes on RcvNxt, segment edges and the
 * window goes through these macros, so the out-of-order queue (RCV-062) and
 * the window test (DEC-15) are only right across the 2^32 wrap if they are.
 * Expected values are worked out by hand on the 2^32 circle.
 */
#include <check.h>
#include <stdint.h>

#include "torc_seq.h"

/* covers: RCV-062 */
START_TEST(test_seq_order_plain) {
  ck_assert(TORC_SEQ_LT(1u, 2u));
  ck_assert(!TORC_SEQ_LT(2u, 1u));
  ck_assert(!TORC_SEQ_LT(7u, 7u));
  ck_assert(TORC_SEQ_LEQ(7u, 7u));
  ck_assert(TORC_SEQ_GT(1000u, 999u));
  ck_assert(!TORC_SEQ_GT(7u, 7u));
  ck_assert(TORC_SEQ_GEQ(7u, 7u));
  ck_assert(!TORC_SEQ_GEQ(6u, 7u));
}
END_TEST

/* covers: RCV-062 */
START_TEST(test_seq_order_across_wrap) {
  /* 0xFFFFFFF0 + 0x20 = 0x10 (mod 2^32): 0x10 is 32 ahead of 0xFFFFFFF0. */
  ck_assert(TORC_SEQ_LT(0xFFFFFFF0u, 0x10u));
  ck_assert(TORC_SEQ_GT(0x10u, 0xFFFFFFF0u));
  ck_assert(TORC_SEQ_LEQ(0xFFFFFFFFu, 0u));
  ck_assert(TORC_SEQ_GEQ(0u, 0xFFFFFFFFu));
  ck_assert(!TORC_SEQ_GT(0xFFFFFFFFu, 0u));
  ck_assert_int_eq(TORC_SEQ_DIFF(0x10u, 0xFFFFFFF0u), 32);
  ck_assert_int_eq(TORC_SEQ_DIFF(0xFFFFFFF0u, 0x10u), -32);
}
END_TEST

/* covers: RCV-062 */
START_TEST(test_seq_half_circle_limit) {
  /* Up to 2^31 - 1 ahead counts as "after"; exactly 2^31 is the wrap
   * point, where the signed distance is INT32_MIN ("before"). */
  ck_assert(TORC_SEQ_GT(0x7FFFFFFFu, 0u));
  ck_assert_int_eq(TORC_SEQ_DIFF(0x7FFFFFFFu, 0u), INT32_MAX);
  ck_assert(TORC_SEQ_LT(0x80000000u, 0u));
  ck_assert_int_eq(TORC_SEQ_DIFF(0x80000000u, 0u), INT32_MIN);
  ck_assert(TORC_SEQ_GT(0x80000000u, 0x00000001u));
}
END_TEST

/* covers: RCV-062 RCV-067 */
START_TEST(test_seq_add_sub_wrap) {
  ck_assert_uint_eq(TORC_SEQ_ADD(0xFFFFFFFFu, 1u), 0u);
  ck_assert_uint_eq(TORC_SEQ_ADD(0xFFFFFF00u, 0x200u), 0x100u);
  /* From 0xFFFFFFFB forward to 5: 4 steps to 0xFFFFFFFF, 1 to 0, 5 to 5. */
  ck_assert_uint_eq(TORC_SEQ_SUB(5u, 0xFFFFFFFBu), 10u);
  ck_assert_uint_eq(TORC_SEQ_SUB(0x100u, 0x100u), 0u);
}
END_TEST

/* covers: RCV-062 */
START_TEST(test_seq_in_window_across_wrap) {
  /* Window [0xFFFFFFF0, 0x10): 32 sequence numbers across 0. */
  ck_assert(TORC_SEQ_IN(0xFFFFFFF0u, 0xFFFFFFF0u, 0x10u));
  ck_assert(TORC_SEQ_IN(0xFFFFFFFFu, 0xFFFFFFF0u, 0x10u));
  ck_assert(TORC_SEQ_IN(0u, 0xFFFFFFF0u, 0x10u));
  ck_assert(TORC_SEQ_IN(0xFu, 0xFFFFFFF0u, 0x10u));
  ck_assert(!TORC_SEQ_IN(0x10u, 0xFFFFFFF0u, 0x10u)); /* right edge open */
  ck_assert(!TORC_SEQ_IN(0xFFFFFFEFu, 0xFFFFFFF0u, 0x10u));
}
END_TEST

/* covers: RCV-062 */
START_TEST(test_seq_in_empty_window) {
  /* A zero window admits nothing, not even its own left edge. */
  ck_assert(!TORC_SEQ_IN(5u, 5u, 5u));
  ck_assert(!TORC_SEQ_IN(0u, 0xFFFFFFFFu, 0xFFFFFFFFu));
}
END_TEST

/* covers: RCV-062 */
START_TEST(test_seq_max_min_across_wrap) {
  ck_assert_uint_eq(TORC_SEQ_MAX(0xFFFFFFF0u, 0x10u), 0x10u);
  ck_assert_uint_eq(TORC_SEQ_MAX(0x10u, 0xFFFFFFF0u), 0x10u);
  ck_assert_uint_eq(TORC_SEQ_MIN(0xFFFFFFF0u, 0x10u), 0xFFFFFFF0u);
  ck_assert_uint_eq(TORC_SEQ_MAX(42u, 42u), 42u);
}
END_TEST

/* covers: RCV-062 */
START_TEST(test_seq_macro_arguments_are_expressions) {
  /* Arguments are evaluated as whole expressions (parenthesised), also when
   * they are wider or narrower than 32 bits. */
  uint32_t a = 0xFFFFFFFFu;
  uint64_t wide = 0x100000005ull; /* truncates to 5 */
  uint16_t narrow = 3;
  ck_assert(TORC_SEQ_LT(a, a + 1u));
  ck_assert(TORC_SEQ_LT(narrow, wide));
  ck_assert_uint_eq(TORC_SEQ_SUB(wide, narrow), 2u);
  ck_assert(TORC_SEQ_GT(1 ? 10u : 0u, 9u));
}
END_TEST

extern Suite *seq_suite(void); /* found by reference/module.mk */
Suite *seq_suite(void) {
  Suite *s = suite_create("seq");
  TCase *tc = tcase_create("compare");
  tcase_add_test(tc, test_seq_order_plain);
  tcase_add_test(tc, test_seq_order_across_wrap);
  tcase_add_test(tc, test_seq_half_circle_limit);
  tcase_add_test(tc, test_seq_macro_arguments_are_expressions);
  suite_add_tcase(s, tc);
  tc = tcase_create("arith");
  tcase_add_test(tc, test_seq_add_sub_wrap);
  tcase_add_test(tc, test_seq_in_window_across_wrap);
  tcase_add_test(tc, test_seq_in_empty_window);
  tcase_add_test(tc, test_seq_max_min_across_wrap);
  suite_add_tcase(s, tc);
  return s;
}
