/*
 * torc_cli_list.c - `torc list`: the vectors, one per line, or coverage.
 *
 * Loads and selects vectors like `torc run` does (same --id, --requirement,
 * --tag, --exclude and --shard, so a CI job can see what its shard holds)
 * and prints "ID<TAB>TITLE<TAB>RCV-a,RCV-b".  With --coverage it prints,
 * per requirement id, how many of the selected vectors exercise it.  With
 * --allowances it prints the judge's allowances instead (no vectors).
 */
#include "torc_cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "torc_vector_int.h" /* TORC_ALLOW_*, torc_allowance_name */

static const char list_help[] =
    "Usage: torc list [--coverage] [selection] [DIR|FILE]...\n"
    "       torc list --allowances\n"
    "List vectors: id, title and requirement ids, one vector per line.\n"
    "\n"
    "  --vectors DIR|FILE   vectors (repeatable; also as arguments)\n"
    "  --id GLOB, --requirement RCV, --tag TAG, --exclude GLOB, --shard I/N\n"
    "                       select as `torc run` does\n"
    "  --coverage           per catalogue requirement: id, strength,\n"
    "                       testable, vectors, distinct flows; exit 1 when\n"
    "                       a testable requirement of groups A-I has\n"
    "                       vectors from fewer than 3 flows\n"
    "  --catalogue FILE     (default conformance/catalogue.json)\n"
    "  --allowances         the judge's allowances: name, decision of\n"
    "                       docs/DECISIONS.md, and how the judge applies it\n"
    "                       (normalization: both traces rewritten alike;\n"
    "                       reading: the vector's alternative trace)\n"
    "\n"
    "Exit status: 0, or 2 on a usage error or a malformed vector.\n";

int torc_cmd_list(int argc, char **argv) {
  static const struct option opts[] = {
      {"help", no_argument, NULL, 'h'},
      {"coverage", no_argument, NULL, 'c'},
      {"allowances", no_argument, NULL, 'a'},
      {"catalogue", required_argument, NULL, 'C'},
      {"vectors", required_argument, NULL, 'v'},
      {"id", required_argument, NULL, 'i'},
      {"requirement", required_argument, NULL, 'r'},
      {"tag", required_argument, NULL, 't'},
      {"exclude", required_argument, NULL, 'x'},
      {"shard", required_argument, NULL, 's'},
      {NULL, 0, NULL, 0}};
  torc_selection sel;
  torc_strlist paths;
  torc_vector **vs = NULL, **out = NULL;
  size_t n = 0, nout = 0, i, k;
  int c, cov = 0, rc = TORC_EXIT_USAGE;
  const char *catalogue = "conformance/catalogue.json";

  memset(&sel, 0, sizeof sel);
  memset(&paths, 0, sizeof paths);
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (c) {
    case 'h':
      fputs(list_help, stdout);
      rc = TORC_EXIT_OK;
      goto done;
    case 'c':
      cov = 1;
      break;
    case 'a':
      for (k = 0; k < TORC_ALLOW_COUNT; k++)
        printf("%s\t%s\t%s\n", torc_allowance_name((unsigned)k),
               torc_allowance_decision((unsigned)k),
               (TORC_ALLOW_READINGS & (1u << k)) ? "reading" : "normalization");
      rc = TORC_EXIT_OK;
      goto done;
    case 'C':
      catalogue = optarg;
      break;
    case 'v':
      torc_strlist_add(&paths, optarg);
      break;
    case 'i':
      torc_strlist_add(&sel.ids, optarg);
      break;
    case 'r':
      torc_strlist_add(&sel.requirements, optarg);
      break;
    case 't':
      torc_strlist_add(&sel.tags, optarg);
      break;
    case 'x':
      torc_strlist_add(&sel.excludes, optarg);
      break;
    case 's':
      if (torc_cli_parse_shard(optarg, &sel.shard_index, &sel.shard_count)) {
        rc = torc_cli_usage_error("list", "--shard '%s': expected I/N", optarg);
        goto done;
      }
      break;
    default:
      rc = torc_cli_usage_error("list",
                                "unknown option or missing value: "
                                "'%s'",
                                argv[optind - 1]);
      goto done;
    }
  }
  for (; optind < argc; optind++)
    torc_strlist_add(&paths, argv[optind]);
  if (torc_cli_load_vectors("list", paths.v, paths.n, 0, 1, &vs, &n) != 0)
    goto done;
  out = calloc(n + 1, sizeof *out);
  if (!out)
    goto done;
  torc_cli_select(&sel, vs, n, out, &nout);
  if (cov) {
    /* H11: per catalogue row, vectors and distinct flows; exit 1 when a
     * testable requirement of groups A-I has fewer than 3 flows. */
    rc = torc_cli_coverage(out, nout, catalogue);
    goto done;
  } else {
    for (i = 0; i < nout; i++) {
      printf("%s\t%s\t", out[i]->id, out[i]->title ? out[i]->title : "");
      for (k = 0; k < out[i]->nrequirements; k++)
        printf("%s%s", k ? "," : "", out[i]->requirements[k]);
      putchar('\n');
    }
  }
  rc = TORC_EXIT_OK;
done:
  free(out);
  if (vs)
    torc_vector_free_all(vs, n);
  torc_selection_free(&sel);
  torc_strlist_free(&paths);
  return rc;
}
