/*
 * torc_cli_explain.c - `torc explain`: why the reference expects each event
 * of a vector.
 *
 * Parses the options and hands each file to torc_vectorize_explain()
 * (vectors/vectorizer/torc_vectorize_explain.c), which runs it through the
 * reference with explanations on, prints every expected event with the
 * flowchart boxes and rules behind it, and with --write rewrites the file
 * with them (because per event, requirements, id).
 */
#include "torc_cli.h"

#include <getopt.h>
#include <stdio.h>

#include "torc_vectorize.h"

static const char explain_help[] =
    "Usage: torc explain [--write] [--catalogue FILE] VECTOR.json...\n"
    "Print why the reference makes each expected call of the vectors: the\n"
    "flowchart boxes and decisions taken and the rules applied.\n"
    "\n"
    "  --write            also rewrite each file: every expected event gets\n"
    "                     its \"because\", the requirements become the\n"
    "                     testable rules that decided its events, the id is\n"
    "                     recomputed\n"
    "  --catalogue FILE   requirement catalogue (default $TORC_CATALOGUE,\n"
    "                     ./conformance/catalogue.json, or the installed one)\n"
    "\n"
    "Exit status: 0 every vector explained, 2 usage error or a vector the\n"
    "reference does not pass with exactly its expected calls.\n";

int torc_cmd_explain(int argc, char **argv) {
  static const struct option opts[] = {
      {"write", no_argument, NULL, 'w'},
      {"catalogue", required_argument, NULL, 'c'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  const char *catalogue = torc_cli_default_catalogue();
  int write = 0, c, i, rc = TORC_EXIT_OK;
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (c) {
    case 'w':
      write = 1;
      break;
    case 'c':
      catalogue = optarg;
      break;
    case 'h':
      fputs(explain_help, stdout);
      return TORC_EXIT_OK;
    default:
      return torc_cli_usage_error("explain", "unknown option '%s'",
                                  argv[optind - 1]);
    }
  }
  if (optind == argc)
    return torc_cli_usage_error("explain", "no vector file given");
  for (i = optind; i < argc; i++) {
    char err[1024];
    if (torc_vectorize_explain(argv[i], catalogue, write, stdout, err,
                               sizeof err) != 0) {
      fprintf(stderr, "torc explain: %s\n", err);
      rc = TORC_EXIT_USAGE;
    }
  }
  return rc;
}
