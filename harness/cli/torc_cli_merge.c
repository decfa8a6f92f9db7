/*
 * torc_cli_merge.c - `torc merge`: one result set from the shards of a run.
 *
 * CI runs `torc run --shard i/N --json shard-i.json` as N jobs; this joins
 * them.  Anything but the different shards of one run (other torc, vector
 * set, target, capabilities, --strict, selection or waivers; the same
 * shard or vector twice) is refused (exit 2).  The merged document is the
 * one a full run would have written (results sorted by id, summary
 * recounted, the scope the shards' together, the claim recomputed), and the
 * exit status is the merged claim's, so a CI gate can run on the merge:
 * shards short of the set are a PARTIAL RUN.  The reading and merging is
 * torc_results_merge_files (harness/results/torc_results_merge.c).
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
    "  --strict             judge the merge as if run with --strict\n"
    "                       (PASS-NONSTRICT counts as failure)\n"
    "\n"
    "Refuses (exit 2) results of different torc versions, vector sets,\n"
    "targets, capabilities, --strict, selections or waivers, inputs that\n"
    "are not shards, the same shard twice and a vector in two inputs.\n"
    "Otherwise the exit status is the merged claim's: 0 CONFORMANT (with\n"
    "untested requirements), PARTIAL RUN (shards short of the set) or\n"
    "DEVELOPMENT RUN (a shard run --in-process), 1 NOT CONFORMANT,\n"
    "3 INCOMPLETE; 5 when OUT.json or the JUnit file cannot be written.\n";

int torc_cmd_merge(int argc, char **argv) {
  static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
                                       {"output", required_argument, NULL, 'o'},
                                       {"junit", required_argument, NULL, 'j'},
                                       {"strict", no_argument, NULL, 's'},
                                       {NULL, 0, NULL, 0}};
  const char *outp = NULL, *junit = NULL;
  torc_results *m = NULL;
  const json_t *claim, *reason;
  char err[1024];
  size_t i;
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
                               (size_t)(argc - optind), &m, err,
                               sizeof err) != 0) {
    fprintf(stderr, "torc merge: %s\n", err);
    goto done;
  }
  if (strict) { /* the scope says how the merge is judged */
    json_t *scope = json_deep_copy(torc_results_member(m, "scope"));
    json_object_set_new(scope, "strict", json_true());
    torc_results_set_member(m, "scope", scope);
  }
  torc_results_set_member(m, "claim", torc_results_claim(m));
  if (torc_results_write_json(m, outp, err, sizeof err) != 0 ||
      (junit && torc_results_write_junit(m, junit, strict, err, sizeof err))) {
    fprintf(stderr, "torc merge: %s\n", err);
    rc = TORC_EXIT_OUTPUT; /* as torc run: an output that cannot be written */
    goto done;
  }
  claim = torc_results_member(m, "claim");
  rc = torc_claim_exit_status(claim);
  fprintf(stderr, "torc merge: %zu results from %zu files -> %s\n",
          torc_results_count(m), (size_t)(argc - optind), outp);
  fprintf(stderr, "torc merge: claim: %s\n", torc_claim_headline(claim));
  json_array_foreach(json_object_get(claim, "reasons"), i, reason) {
    fprintf(stderr, "torc merge:   - %s\n", json_string_value(reason));
  }
done:
  torc_results_free(m);
  return rc;
}
