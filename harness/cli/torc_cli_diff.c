/*
 * torc_cli_diff.c - `torc diff OLD.json NEW.json`: what changed between two
 * runs.
 *
 * Parses the options and calls torc_diff_files (harness/results/torc_diff.c),
 * which prints both claims, the verdict changes of the vectors both runs
 * have, the lost coverage and the vectors added to or removed from the set.
 * Exit status, highest first: 2 usage or input error, 1 a vector present
 * in both runs newly fails (FAIL, CRASH, TIMEOUT or ERROR where it did not
 * before), 4 lost coverage (a vector PASS or PASS-NONSTRICT in OLD is
 * UNTESTED or absent in NEW), 0 neither.  New vectors that fail are listed
 * but are not regressions of the target.
 */
#include "torc_cli.h"

#include <getopt.h>
#include <stdio.h>

#include "torc_diff.h"

static const char diff_help[] =
    "Usage: torc diff OLD.json NEW.json\n"
    "Compare the results of two runs: both claims, newly failing and newly\n"
    "passing vectors, lost coverage (passing in OLD, UNTESTED or absent in\n"
    "NEW), told apart from vectors added to or removed from the set; a\n"
    "note when the runs judged different targets or vector sets.\n"
    "\n"
    "Exit status (highest first): 2 usage or input error, 1 a vector\n"
    "present in both runs newly fails, 4 lost coverage, 0 neither.\n";

int torc_cmd_diff(int argc, char **argv) {
  static const struct option lo[] = {{"help", no_argument, NULL, 'h'},
                                     {NULL, 0, NULL, 0}};
  torc_diff_counts n;
  char err[1024];
  int c;
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
  if (torc_diff_files(argv[optind], argv[optind + 1], stdout, &n, err,
                      sizeof err) != 0) {
    fprintf(stderr, "torc diff: %s\n", err);
    return TORC_EXIT_USAGE;
  }
  return n.newly_failing   ? TORC_EXIT_FAIL
         : n.lost_coverage ? TORC_EXIT_LOST_COVERAGE
                           : TORC_EXIT_OK;
}
