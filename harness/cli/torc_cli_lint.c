/*
 * torc_cli_lint.c - `torc lint`: check vector files without running them.
 *
 * Loads every named file or directory through the vector loader (the same
 * checks `torc run` applies: the schema's rules plus cross-field ones and
 * the capture bytes each vector points to).  The first malformed vector
 * stops it with "FILE: $.path: problem" and exit 2.  Then every vector's
 * citations must decide something (torc_vector_check_citations: each
 * requirement it cites is named by the because of one of its events); each
 * that does not is printed the same way, exit 2.  Otherwise it prints
 * "N vectors ok" and exits 0.
 */
#include "torc_cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const char lint_help[] =
    "Usage: torc lint [DIR|FILE]...\n"
    "Check vector files (schema and cross-field rules, capture references)\n"
    "and that each requirement a vector cites decides one of its events.\n"
    "With no argument: $TORC_VECTORS, ./vectors, or the installed set.\n"
    "\n"
    "Exit status: 0 all vectors well-formed (prints \"N vectors ok\"),\n"
    "2 the first malformed vector, printed as FILE: $.json.path: problem,\n"
    "or a vector citing a requirement none of its events' because names.\n";

int torc_cmd_lint(int argc, char **argv) {
  static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  torc_vector **vs = NULL;
  size_t n = 0;
  int c;
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    if (c == 'h') {
      fputs(lint_help, stdout);
      return TORC_EXIT_OK;
    }
    return torc_cli_usage_error("lint", "unknown option '%s'",
                                argv[optind - 1]);
  }
  if (torc_cli_load_vectors("lint", (const char *const *)argv + optind,
                            (size_t)(argc - optind), TORC_VECTOR_VERIFY_IDS, 1,
                            &vs, &n) != 0)
    return TORC_EXIT_USAGE;
  {
    size_t i, bad = 0;
    char err[1024];
    for (i = 0; i < n; i++)
      if (torc_vector_check_citations(vs[i], err, sizeof err) != 0) {
        fprintf(stderr, "torc lint: %s\n", err);
        bad++;
      }
    if (bad) {
      fprintf(stderr,
              "torc lint: %zu of %zu vectors cite rules that decide "
              "none of their events\n",
              bad, n);
      torc_vector_free_all(vs, n);
      return TORC_EXIT_USAGE;
    }
  }
  printf("%zu vector%s ok\n", n, n == 1 ? "" : "s");
  torc_vector_free_all(vs, n);
  return TORC_EXIT_OK;
}
