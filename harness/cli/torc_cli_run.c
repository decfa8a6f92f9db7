/*
 * torc_cli_run.c - `torc run`: the suite against one target.
 *
 * Parses the options into a torc_run_opts, loads the vectors
 * (torc_cli_load_vectors) and hands them to the run (harness/run/torc_run.h:
 * selection, waivers, the target, the journal, the loop over vectors with
 * isolation or worker processes, the result files, the summary and the
 * exit status).
 */
#include "torc_cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "torc_results.h"
#include "torc_run.h"

static const char run_help[] =
    "Usage: torc run --target SPEC [--vectors DIR|FILE]... [OPTIONS] "
    "[DIR|FILE]...\n"
    "Run test vectors against an offload target and judge it.\n"
    "\n"
    "Target:\n"
    "  --target SPEC        reference | null | PATH.so | exec:COMMAND\n"
    "Vectors and selection:\n"
    "  --vectors DIR|FILE   vector files or directories (repeatable; default\n"
    "                       $TORC_VECTORS, ./vectors, or the installed set)\n"
    "  --id GLOB            keep vectors whose id matches (repeatable)\n"
    "  --requirement RCV    keep vectors exercising RCV-nnn (repeatable)\n"
    "  --tag TAG            keep vectors carrying TAG (repeatable)\n"
    "  --exclude GLOB       drop vectors whose id matches (repeatable)\n"
    "  --shard I/N          keep shard I of N (1 <= I <= N, by sorted id)\n"
    "Running:\n"
    "  --jobs N             N worker processes (default 1)\n"
    "  --timeout MS         per-vector watchdog (default 10000)\n"
    "  --memory-limit MB    per-vector address-space limit (default 1024, 0:\n"
    "                       none)\n"
    "  --in-process         load a PATH.so into torc's own process instead of\n"
    "                       torc-target-runner's sandbox: a development run,\n"
    "                       never a conformance claim\n"
    "  --target-log FILE    the target's own stdout and stderr, never torc's\n"
    "                       (default: a temporary file, named at the end if\n"
    "                       not empty)\n"
    "  --isolate MODE       in-process targets: batch (default: a forked\n"
    "                       child runs vectors, each on a fresh target\n"
    "                       instance, until one crashes or hangs; then a new\n"
    "                       child goes on), vector (a forked child per\n"
    "                       vector: also resets a .so's global variables),\n"
    "                       none (debugging: a crash ends the run)\n"
    "  --no-isolate         same as --isolate none\n"
    "  --strict             PASS-NONSTRICT counts as a failure\n"
    "  --fail-fast          stop after the first failing vector\n"
    "  --verify-ids         re-derive every vector's id from its content\n"
    "                       (as torc lint does; a run trusts them)\n"
    "  --waivers FILE       JSON list of waivers; an expired one is exit 2\n"
    "  --resume             continue an interrupted run from FILE.journal\n"
    "                       (needs --json FILE)\n"
    "Output:\n"
    "  --json FILE          results as JSON (written atomically)\n"
    "  --junit FILE         results as JUnit XML\n"
    "  --tap                TAP version 13 on stdout\n"
    "  --quiet              no progress or summary on stderr\n"
    "  --traces             record event traces and the script for every\n"
    "                       vector (always done for vectors that do not PASS;\n"
    "                       `torc report` draws them)\n"
    "  --bundle DIR         per failing vector, a self-contained repro folder\n"
    "                       DIR/ID (vector, sliced capture, traces, target "
    "log,\n"
    "                       replay command)\n"
    "\n"
    "Exit status: 0 conformant, 1 non-conformant (a FAIL), 2 usage, input or\n"
    "target-load error, 3 incomplete (CRASH, TIMEOUT, ERROR or interrupted\n"
    "by SIGINT, SIGTERM, SIGHUP or SIGQUIT), 5 an output (JSON, journal,\n"
    "JUnit, TAP) could not be written.  When several apply the\n"
    "highest-priority one wins: 5, then 2, then 3, then 1.\n";

enum {
  OPT_TARGET = 256,
  OPT_VECTORS,
  OPT_ID,
  OPT_REQ,
  OPT_TAG,
  OPT_EXCLUDE,
  OPT_SHARD,
  OPT_JOBS,
  OPT_JSON,
  OPT_JUNIT,
  OPT_TAP,
  OPT_STRICT,
  OPT_FAILFAST,
  OPT_VERIFYIDS,
  OPT_TIMEOUT,
  OPT_WAIVERS,
  OPT_RESUME,
  OPT_QUIET,
  OPT_MEMLIMIT,
  OPT_NOISOLATE,
  OPT_ISOLATE,
  OPT_BUNDLE,
  OPT_TRACES,
  OPT_INPROCESS,
  OPT_TARGETLOG,
  OPT_HELP
};

static const struct option run_longopts[] = {
    {"target", required_argument, NULL, OPT_TARGET},
    {"vectors", required_argument, NULL, OPT_VECTORS},
    {"id", required_argument, NULL, OPT_ID},
    {"requirement", required_argument, NULL, OPT_REQ},
    {"tag", required_argument, NULL, OPT_TAG},
    {"exclude", required_argument, NULL, OPT_EXCLUDE},
    {"shard", required_argument, NULL, OPT_SHARD},
    {"jobs", required_argument, NULL, OPT_JOBS},
    {"json", required_argument, NULL, OPT_JSON},
    {"junit", required_argument, NULL, OPT_JUNIT},
    {"tap", no_argument, NULL, OPT_TAP},
    {"strict", no_argument, NULL, OPT_STRICT},
    {"fail-fast", no_argument, NULL, OPT_FAILFAST},
    {"verify-ids", no_argument, NULL, OPT_VERIFYIDS},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"waivers", required_argument, NULL, OPT_WAIVERS},
    {"resume", no_argument, NULL, OPT_RESUME},
    {"quiet", no_argument, NULL, OPT_QUIET},
    {"memory-limit", required_argument, NULL, OPT_MEMLIMIT},
    {"no-isolate", no_argument, NULL, OPT_NOISOLATE},
    {"isolate", required_argument, NULL, OPT_ISOLATE},
    {"bundle", required_argument, NULL, OPT_BUNDLE},
    {"traces", no_argument, NULL, OPT_TRACES},
    {"in-process", no_argument, NULL, OPT_INPROCESS},
    {"target-log", required_argument, NULL, OPT_TARGETLOG},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0}};

/* Returns -1 to go on, else an exit status. */
static int parse_run(int argc, char **argv, torc_run_opts *o,
                     torc_strlist *vectors) {
  int c;
  unsigned long u;
  o->jobs = 1;
  o->timeout_ms = 10000;
  o->memory_mb = 1024;
  o->isolate = TORC_RUN_ISO_BATCH; /* as isolating as ..._VECTOR via target.h */
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, "", run_longopts, NULL)) != -1) {
    switch (c) {
    case OPT_TARGET:
      o->target = optarg;
      break;
    case OPT_VECTORS:
      torc_strlist_add(vectors, optarg);
      break;
    case OPT_ID:
      torc_strlist_add(&o->sel.ids, optarg);
      break;
    case OPT_REQ:
      torc_strlist_add(&o->sel.requirements, optarg);
      break;
    case OPT_TAG:
      torc_strlist_add(&o->sel.tags, optarg);
      break;
    case OPT_EXCLUDE:
      torc_strlist_add(&o->sel.excludes, optarg);
      break;
    case OPT_SHARD:
      if (torc_cli_parse_shard(optarg, &o->sel.shard_index,
                               &o->sel.shard_count) != 0)
        return torc_cli_usage_error("run",
                                    "--shard '%s': expected I/N with "
                                    "1 <= I <= N",
                                    optarg);
      break;
    case OPT_JOBS:
      if (torc_cli_parse_uint(optarg, 1, TORC_RUN_MAX_JOBS, &u) != 0)
        return torc_cli_usage_error("run", "--jobs '%s': expected 1..%d",
                                    optarg, TORC_RUN_MAX_JOBS);
      o->jobs = (unsigned)u;
      break;
    case OPT_JSON:
      o->json = optarg;
      break;
    case OPT_JUNIT:
      o->junit = optarg;
      break;
    case OPT_TAP:
      o->tap = 1;
      break;
    case OPT_STRICT:
      o->strict = 1;
      break;
    case OPT_FAILFAST:
      o->fail_fast = 1;
      break;
    case OPT_VERIFYIDS:
      o->verify_ids = 1;
      break;
    case OPT_TIMEOUT:
      if (torc_cli_parse_uint(optarg, 1, 86400000, &u) != 0)
        return torc_cli_usage_error(
            "run", "--timeout '%s': expected milliseconds, 1..86400000",
            optarg);
      o->timeout_ms = (unsigned)u;
      break;
    case OPT_WAIVERS:
      o->waivers = optarg;
      break;
    case OPT_RESUME:
      o->resume = 1;
      break;
    case OPT_QUIET:
      o->quiet = 1;
      break;
    case OPT_MEMLIMIT:
      if (torc_cli_parse_uint(optarg, 0, 1u << 20, &u) != 0)
        return torc_cli_usage_error(
            "run", "--memory-limit '%s': expected MB, 0..1048576", optarg);
      o->memory_mb = u;
      break;
    case OPT_NOISOLATE:
      o->isolate = TORC_RUN_ISO_NONE;
      break;
    case OPT_ISOLATE:
      if (strcmp(optarg, "vector") == 0)
        o->isolate = TORC_RUN_ISO_VECTOR;
      else if (strcmp(optarg, "batch") == 0)
        o->isolate = TORC_RUN_ISO_BATCH;
      else if (strcmp(optarg, "none") == 0)
        o->isolate = TORC_RUN_ISO_NONE;
      else
        return torc_cli_usage_error(
            "run", "--isolate '%s': expected vector, batch or none", optarg);
      break;
    case OPT_BUNDLE:
      o->bundle = optarg;
      break;
    case OPT_TRACES:
      o->traces = 1;
      break;
    case OPT_INPROCESS:
      o->in_process = 1;
      break;
    case OPT_TARGETLOG:
      o->target_log = optarg;
      break;
    case OPT_HELP:
      fputs(run_help, stdout);
      return TORC_EXIT_OK;
    default:
      if (optopt)
        return torc_cli_usage_error("run", "option '%s' needs a value",
                                    argv[optind - 1]);
      return torc_cli_usage_error("run", "unknown option '%s'",
                                  argv[optind - 1]);
    }
  }
  for (; optind < argc; optind++)
    torc_strlist_add(vectors, argv[optind]);
  if (!o->target)
    return torc_cli_usage_error("run", "--target SPEC is required");
  if (o->resume && !o->json)
    return torc_cli_usage_error(
        "run", "--resume needs --json FILE (the journal is FILE.journal)");
  return -1;
}

int torc_cmd_run(int argc, char **argv) {
  torc_run_opts o;
  torc_strlist vectors;
  torc_vector **all = NULL;
  size_t nall = 0;
  char started[32];
  int rc;

  /* First: a signal from here on (while the vectors load too) stops the
   * run with exit 3 instead of killing torc. */
  torc_run_catch_signals();
  memset(&o, 0, sizeof o);
  memset(&vectors, 0, sizeof vectors);
  o.suite_digest = torc_cli_suite_digest();
  rc = parse_run(argc, argv, &o, &vectors);
  if (rc < 0) {
    rc = TORC_EXIT_USAGE;
    torc_results_now(started);
    /* --jobs N: N CPUs, for loading too. */
    if (torc_cli_load_vectors("run", vectors.v, vectors.n,
                              o.verify_ids ? TORC_VECTOR_VERIFY_IDS : 0,
                              o.jobs > 1 ? (unsigned)o.jobs : 1, &all,
                              &nall) == 0)
      rc = torc_run(&o, started, all, nall);
  }
  torc_vector_free_at_exit(all, nall); /* torc exits next */
  torc_selection_free(&o.sel);
  torc_strlist_free(&vectors);
  fflush(stdout);
  return rc;
}
