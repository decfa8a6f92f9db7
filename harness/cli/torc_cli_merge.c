/*
 * torc_cli_merge.c - `torc merge`: one result set from the shards of a run.
 *
 * CI runs `torc run --shard i/N --json shard-i.json` as N jobs; this joins
 * them.  Shards of different vector sets or targets, and overlapping shards,
 * are refused (exit 2).  The merged document is the one a full run would
 * have written (results sorted by id, summary recounted; started/finished
 * are the earliest and latest), and the exit status is the one the merged
 * verdicts call for, so a CI gate can run on the merge.
 */
#include "torc_cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "torc_results.h"

static const char merge_help[] =
    "Usage: torc merge A.json B.json ... -o OUT.json [--junit FILE] "
    "[--strict]\n"
    "Merge the JSON results of shards of one run.\n"
    "\n"
    "  -o, --output FILE    merged JSON results (required)\n"
    "  --junit FILE         also write the merged results as JUnit XML\n"
    "  --strict             PASS-NONSTRICT counts as failure (exit status)\n"
    "\n"
    "Refuses results of different vector-set digests or targets, or with a\n"
    "vector in two inputs (exit 2).  Otherwise the exit status is that of\n"
    "the merged verdicts: 0 conformant, 1 a FAIL, 3 CRASH/TIMEOUT/ERROR.\n";

int torc_cmd_merge(int argc, char **argv) {
  static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
                                       {"output", required_argument, NULL, 'o'},
                                       {"junit", required_argument, NULL, 'j'},
                                       {"strict", no_argument, NULL, 's'},
                                       {NULL, 0, NULL, 0}};
  const char *outp = NULL, *junit = NULL;
  torc_results **in = NULL, *m = NULL;
  size_t n = 0, i;
  char err[1024];
  int c, strict = 0, rc = TORC_EXIT_USAGE;

  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
    switch (c) {
    case 'h':
      fputs(merge_help, stdout);
      return TORC_EXIT_OK;
    case 'o':
      outp = optarg;
      break;
    case 'j':
      junit = optarg;
      break;
    case 's':
      strict = 1;
      break;
    default:
      return torc_cli_usage_error("merge",
                                  "unknown option or missing value: "
                                  "'%s'",
                                  argv[optind - 1]);
    }
  }
  if (!outp)
    return torc_cli_usage_error("merge", "-o OUT.json is required");
  if (optind >= argc)
    return torc_cli_usage_error("merge", "no input files");
  in = calloc((size_t)(argc - optind), sizeof *in);
  if (!in)
    return TORC_EXIT_USAGE;
  for (; optind < argc; optind++, n++) {
    if (torc_results_load(argv[optind], &in[n], err, sizeof err) != 0) {
      fprintf(stderr, "torc merge: %s\n", err);
      goto done;
    }
  }
  if (torc_results_merge(in, n, &m, err, sizeof err) != 0) {
    fprintf(stderr, "torc merge: %s\n", err);
    goto done;
  }
  if (torc_results_write_json(m, outp, err, sizeof err) != 0 ||
      (junit && torc_results_write_junit(m, junit, strict, err, sizeof err))) {
    fprintf(stderr, "torc merge: %s\n", err);
    goto done;
  }
  rc = torc_results_status(m, strict);
  fprintf(stderr, "torc merge: %zu results from %zu files -> %s\n",
          torc_results_count(m), n, outp);
done:
  for (i = 0; i < n; i++)
    torc_results_free(in[i]);
  free(in);
  torc_results_free(m);
  return rc;
}
