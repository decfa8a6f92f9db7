/*
 * torc_main.c - the torc program's entry point.
 *
 * Dispatches `torc COMMAND [OPTIONS]` to one file per command
 * (torc_cli_run.c, torc_cli_lint.c, torc_cli_list.c, torc_cli_merge.c,
 * torc_cli_package.c, ...) and
 * answers --version and --help.  Each command returns the exit status
 * documented in torc(1).
 */
#include <stdio.h>
#include <string.h>

#include "torc_cli.h"

static const char main_help[] =
    "Usage: torc COMMAND [OPTIONS]\n"
    "TCP Offload Receive Conformance: judge an offload target's receive path.\n"
    "\n"
    "Commands:\n"
    "  run      run vectors against a target (torc run --help)\n"
    "  lint     check vector files\n"
    "  list     list vectors, or requirement coverage\n"
    "  merge    merge the JSON results of shards\n"
    "  vectorize  turn captures into vectors (torc vectorize --help)\n"
    "  explain  why the reference expects each event of a vector\n"
    "  report   render results as an offline HTML report and Markdown\n"
    "  diff     compare two results files (regressions, vector-set changes)\n"
    "  package  bundle results, report, waivers and identity for submission\n"
    "  verify   check a submission package's sums and claim\n"
    "\n"
    "  torc --version     print the suite and target ABI versions\n"
    "\n"
    "Exit status: 0 conformant, 1 non-conformant, 2 usage, input or\n"
    "target-load error, 3 incomplete; torc verify: 6 tampered.  See\n"
    "torc(1).\n";

int main(int argc, char **argv) {
  const char *cmd = argc > 1 ? argv[1] : NULL;
  if (!cmd) {
    fputs(main_help, stderr);
    return TORC_EXIT_USAGE;
  }
  if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 ||
      strcmp(cmd, "help") == 0) {
    fputs(main_help, stdout);
    return TORC_EXIT_OK;
  }
  if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
    printf("torc %s (target ABI %u)\n", TORC_VERSION_STRING,
           (unsigned)TORC_TARGET_ABI_VERSION);
    return TORC_EXIT_OK;
  }
  if (strcmp(cmd, "run") == 0)
    return torc_cmd_run(argc - 1, argv + 1);
  if (strcmp(cmd, "lint") == 0)
    return torc_cmd_lint(argc - 1, argv + 1);
  if (strcmp(cmd, "list") == 0)
    return torc_cmd_list(argc - 1, argv + 1);
  if (strcmp(cmd, "merge") == 0)
    return torc_cmd_merge(argc - 1, argv + 1);
  if (strcmp(cmd, "vectorize") == 0)
    return torc_cmd_vectorize(argc - 1, argv + 1);
  if (strcmp(cmd, "explain") == 0)
    return torc_cmd_explain(argc - 1, argv + 1);
  if (strcmp(cmd, "report") == 0)
    return torc_cmd_report(argc - 1, argv + 1);
  if (strcmp(cmd, "diff") == 0)
    return torc_cmd_diff(argc - 1, argv + 1);
  if (strcmp(cmd, "package") == 0)
    return torc_cmd_package(argc - 1, argv + 1);
  if (strcmp(cmd, "verify") == 0)
    return torc_cmd_verify(argc - 1, argv + 1);
  fprintf(stderr, "torc: unknown command '%s'\nTry 'torc --help'.\n", cmd);
  return TORC_EXIT_USAGE;
}
