/*
 * main.c - the Check runner for the harness library's unit tests.
 *
 * Every test file here defines "Suite *<module>_suite(void)"; the build
 * collects them into harness_suites.h (see harness/module.mk), so this file
 * never changes when a suite is added.  Select with CK_RUN_SUITE /
 * CK_RUN_CASE and debug with CK_FORK=no.  Writes TAP to $TORC_TAP and XML to
 * $TORC_XML when set.  Exit status: 0 when every test passed.
 */
#include <check.h>
#include <stdlib.h>

#define SUITE(name) Suite *name##_suite(void);
#include "harness_suites.h"
#undef SUITE

int main(void) {
  SRunner *sr = srunner_create(NULL);
#define SUITE(name) srunner_add_suite(sr, name##_suite());
#include "harness_suites.h"
#undef SUITE
  const char *tap = getenv("TORC_TAP");
  const char *xml = getenv("TORC_XML");
  if (tap != NULL)
    srunner_set_tap(sr, tap);
  if (xml != NULL)
    srunner_set_xml(sr, xml);
  srunner_run_all(sr, CK_ENV);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
