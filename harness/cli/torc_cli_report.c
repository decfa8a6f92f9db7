/*
 * torc_cli_report.c - `torc report RESULTS.json -o DIR`: the results of a run
 * rendered for people.
 *
 * Parses the options, finds the requirement catalogue (--catalogue,
 * $TORC_CATALOGUE, ./conformance/catalogue.json or the installed one) and
 * calls torc_report_write (reports/torc_report.h), which writes
 * DIR/report.html, DIR/summary.md, DIR/vectors/ID.html for each vector that
 * did not pass, and a copy of --junit FILE.  Prints the
 * page's path.  Exit status: 0 written, 2 usage or input error.
 */
#include "torc_cli.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "torc_report.h"

#ifndef TORC_DATADIR
#define TORC_DATADIR "/usr/local/share"
#endif

static const char report_help[] =
    "Usage: torc report RESULTS.json -o DIR [OPTIONS]\n"
    "Render the results of a run as an offline HTML report and a Markdown\n"
    "summary.\n"
    "\n"
    "  -o, --output DIR     write DIR/report.html, DIR/summary.md and a page\n"
    "                       per vector that did not pass, DIR/vectors/ID.html\n"
    "  --catalogue FILE     requirement catalogue (default $TORC_CATALOGUE,\n"
    "                       ./conformance/catalogue.json, or the installed "
    "one)\n"
    "  --junit FILE         copy the run's JUnit XML to DIR/junit.xml\n"
    "  --max-diagrams N     draw diagrams on the first N vector pages "
    "(default\n"
    "                       0: all)\n"
    "\n"
    "Prints the report's path.  Exit status: 0 written, 2 usage or input "
    "error.\n";

/* The catalogue to use (installed: n bytes of room), or NULL when none. */
static const char *find_catalogue(const char *given, char *installed,
                                  size_t n) {
  const char *env = getenv("TORC_CATALOGUE");
  if (given)
    return given;
  if (env && *env)
    return env;
  if (access("conformance/catalogue.json", R_OK) == 0)
    return "conformance/catalogue.json";
  torc_cli_installed_path("catalogue.json", installed, n);
  if (installed[0])
    return installed;
  snprintf(installed, n, "%s/torc/catalogue.json", TORC_DATADIR);
  if (access(installed, R_OK) == 0)
    return installed;
  return NULL;
}

int torc_cmd_report(int argc, char **argv) {
  static const struct option lo[] = {
      {"output", required_argument, NULL, 'o'},
      {"catalogue", required_argument, NULL, 'c'},
      {"junit", required_argument, NULL, 'j'},
      {"max-diagrams", required_argument, NULL, 'm'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  torc_report_opts o = {NULL, NULL, NULL, NULL,
                        TORC_REPORT_DEFAULT_MAX_DIAGRAMS};
  const char *catalogue = NULL;
  char installed[PATH_MAX], page[PATH_MAX];
  unsigned long u;
  int c;

  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, "o:", lo, NULL)) != -1) {
    switch (c) {
    case 'o':
      o.out_dir = optarg;
      break;
    case 'c':
      catalogue = optarg;
      break;
    case 'j':
      o.junit = optarg;
      break;
    case 'm':
      if (torc_cli_parse_uint(optarg, 0, 1000000, &u) != 0)
        return torc_cli_usage_error(
            "report", "--max-diagrams '%s': expected 0..1000000", optarg);
      o.max_diagrams = (unsigned)u;
      break;
    case 'h':
      fputs(report_help, stdout);
      return TORC_EXIT_OK;
    default:
      if (optopt)
        return torc_cli_usage_error("report", "option '%s' needs a value",
                                    argv[optind - 1]);
      return torc_cli_usage_error("report", "unknown option '%s'",
                                  argv[optind - 1]);
    }
  }
  if (optind != argc - 1)
    return torc_cli_usage_error("report", "expected one RESULTS.json");
  if (!o.out_dir)
    return torc_cli_usage_error("report", "-o DIR is required");
  o.results_path = argv[optind];
  installed[0] = '\0';
  o.catalogue = find_catalogue(catalogue, installed, sizeof installed);
  if (torc_report_write(&o, page, sizeof page) != 0)
    return TORC_EXIT_USAGE;
  printf("%s\n", page);
  return TORC_EXIT_OK;
}
