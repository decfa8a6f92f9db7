/*
 * torc_cli_diff.c - `torc diff OLD.json NEW.json`: what changed between two
 * runs.
 *
 * Parses the options and calls torc_diff_files (harness/results/torc_diff.c),
 * which prints the verdict changes of the vectors both runs have apart from
 * the vectors added to or removed from the set.  Exit status: 0 no
 * regression, 1 a vector present in both runs newly fails (FAIL, CRASH,
 * TIMEOUT or ERROR where it did not before), 2 usage or input error.  New
 * vectors that fail are listed but are not regressions of the target.
 */
#include "torc_cli.h"

#include <getopt.h>
#include <stdio.h>

#include "torc_diff.h"

static const char diff_help[] =
    "Usage: torc diff OLD.json NEW.json\n"
    "Compare the results of two runs: newly failing and newly passing\n"
    "vectors, told apart from vectors added to or removed from the set.\n"
    "\n"
    "Exit status: 0 no regression, 1 a vector present in both runs newly\n"
    "fails, 2 usage or input error.\n";

int torc_cmd_diff(int argc, char **argv) {
  static const struct option lo[] = {{"help", no_argument, NULL, 'h'},
                                     {NULL, 0, NULL, 0}};
  char err[1024];
  long nfail;
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
  nfail =
      torc_diff_files(argv[optind], argv[optind + 1], stdout, err, sizeof err);
  if (nfail < 0) {
    fprintf(stderr, "torc diff: %s\n", err);
    return TORC_EXIT_USAGE;
  }
  return nfail ? TORC_EXIT_FAIL : TORC_EXIT_OK;
}
