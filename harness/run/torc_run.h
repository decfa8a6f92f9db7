/*
 * torc_run.h - interface for running the suite against one target: the
 * logic behind `torc run`.
 *
 * The command (harness/cli/torc_cli_run.c) parses its options into a
 * torc_run_opts, loads the vectors and calls torc_run(), which selects the
 * vectors (torc_select.c), loads the waivers (torc_waivers.c) and the
 * target, opens the journal (keeping what it holds with --resume), runs
 * every selected vector (torc_run_target.c serially, torc_run_workers.c
 * with --jobs), records each result (torc_run_record.c) and ends with the
 * result files, the summary and the exit status (torc_run_finish.c).
 */
#ifndef TORC_RUN_H
#define TORC_RUN_H

#include <stddef.h>

#include "torc_exit.h"
#include "torc_select.h"
#include "torc_vector.h"

#define TORC_RUN_MAX_JOBS 256

/* How in-process targets are isolated (--isolate). */
enum { TORC_RUN_ISO_VECTOR, TORC_RUN_ISO_BATCH, TORC_RUN_ISO_NONE };

typedef struct torc_run_opts {
  const char *target; /* reference | null | PATH.so | exec:COMMAND */
  torc_selection sel;
  unsigned jobs; /* 1..TORC_RUN_MAX_JOBS */
  const char *json, *junit, *waivers;
  const char *bundle; /* --bundle DIR (H14) */
  int traces;         /* --traces: event traces for every vector */
  int tap, strict, fail_fast, resume, quiet;
  int verify_ids; /* load with TORC_VECTOR_VERIFY_IDS (the CLI's concern) */
  int isolate;    /* TORC_RUN_ISO_* */
  unsigned timeout_ms;
  unsigned long memory_mb;
  int in_process;           /* --in-process: a .so in torc's own process */
  const char *target_log;   /* --target-log FILE (NULL: a temporary file) */
  const char *suite_digest; /* the set this torc ships (torc_cli_suite.c) */
} torc_run_opts;

/* Catches SIGINT, SIGTERM, SIGHUP and SIGQUIT (each stops the run between
 * vectors: what is done is written, the journal kept, exit 3) and ignores
 * SIGPIPE.  The command calls it first, before loading the vectors;
 * torc_run calls it again. */
void torc_run_catch_signals(void);

/* Runs the vectors of all (nall, owned by the caller) that o->sel keeps
 * against o->target.  started: when the command began (torc_results_now),
 * before the vectors were loaded.  Prints errors, progress and the summary
 * on stderr (TAP on stdout with o->tap) and returns the exit status. */
int torc_run(const torc_run_opts *o, const char *started, torc_vector **all,
             size_t nall);

#endif /* TORC_RUN_H */
