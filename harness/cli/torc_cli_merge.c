/*
 * torc_cli_merge.c - `torc merge`: one result set from the shards of a run.
 *
 * CI runs `torc run --shard i/N --json shard-i.json` as N jobs; this joins
 * them.  Shards of different runs (vector sets, targets, capabilities,
 * selections) and overlapping shards are refused (exit 2).  The merged
 * document is the one a full run would have written (results sorted by id,
 * summary recounted; started/finished are the earliest and latest), and the
 * exit status is the merged claim's, so a CI gate can run on the merge.
 * The reading and merging is torc_results_merge_files
 * (harness/results/torc_results_merge.c).
 */
#include "torc_cli.h"

#include <getopt.h>
#include <stdio.h>

#include "torc_claim.h"
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
    "Refuses results of different torc versions, vector sets, targets,\n"
    "capabilities, selections or --strict, one shard twice, or a vector in\n"
    "two inputs (exit 2).  Otherwise the exit status is the merged claim's:\n"
    "0 conformant (or a partial run: shards short of the set), 1 not\n"
    "conformant, 3 incomplete.\n";

int torc_cmd_merge(int argc, char **argv) {
  static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
                                       {"output", required_argument, NULL, 'o'},
                                       {"junit", required_argument, NULL, 'j'},
                                       {"strict", no_argument, NULL, 's'},
                                       {NULL, 0, NULL, 0}};
  const char *outp = NULL, *junit = NULL;
  torc_results *m = NULL;
  json_t *claim;
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
  if (torc_results_merge_files((const char *const *)(argv + optind),
                               (size_t)(argc - optind), strict, &m, err,
                               sizeof err) != 0 ||
      torc_results_write_json(m, outp, err, sizeof err) != 0 ||
      (junit && torc_results_write_junit(m, junit, strict, err, sizeof err))) {
    fprintf(stderr, "torc merge: %s\n", err);
    goto done;
  }
  claim = torc_results_claim(m);
  rc = claim ? torc_claim_exit_status(claim) : TORC_EXIT_INCOMPLETE;
  fprintf(stderr, "torc merge: claim: %s\n", torc_claim_headline(claim));
  fprintf(stderr, "torc merge: %zu results from %zu files -> %s\n",
          torc_results_count(m), (size_t)(argc - optind), outp);
  json_decref(claim);
done:
  torc_results_free(m);
  return rc;
}
