/*
 * torc_run_int.h - what the files of a run share (not for the commands):
 * the state of one run, the loaded target vectors are sent to, and the
 * steps torc_run.c strings together.
 *
 *   torc_run.c          the flow: select, waivers, target, journal, loop
 *   torc_run_signal.c   SIGINT/SIGTERM/SIGHUP/SIGQUIT set the stop flag
 *   torc_run_target.c   one vector on the loaded target, isolated
 *   torc_run_workers.c  --jobs N: worker processes over pipes
 *   torc_run_record.c   one finished vector: waiver, journal, TAP, progress
 *   torc_run_scope.c    what the claim covers: selection, shards, suite
 *   torc_run_finish.c   the end: claim, exit status, files, summary
 */
#ifndef TORC_RUN_INT_H
#define TORC_RUN_INT_H

#include <signal.h>
#include <stddef.h>

#include "torc_engine.h"
#include "torc_isolate.h"
#include "torc_load.h"
#include "torc_progress.h"
#include "torc_results.h"
#include "torc_run.h"
#include "torc_waivers.h"

/* ---- torc_run_signal.c --------------------------------------------------- */

/* The flag SIGINT, SIGTERM, SIGHUP and SIGQUIT set to their number (the
 * run stops between vectors; torc_run_catch_signals in torc_run.h). */
volatile sig_atomic_t *torc_run_stop_flag(void);
/* In a worker process: the signals the run catches are ignored (the
 * parent stops its workers itself). */
void torc_run_ignore_signals(void);
/* "SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT" or "signal". */
const char *torc_run_signal_name(int sig);

/* ---- The state of one run ------------------------------------------------ */

typedef struct torc_run_ctx {
  const torc_run_opts *o;
  volatile sig_atomic_t *stop; /* torc_run_stop_flag() */
  size_t nall;                 /* vectors loaded, before the selection */
  torc_vector **sel;
  size_t nsel;
  unsigned char *done; /* done[i]: sel[i] has a result */
  torc_results *rs;
  torc_journal *journal;
  torc_waivers waivers;
  torc_progress prog;
  size_t tap_n;
  int fail_stop;      /* --fail-fast saw a failure */
  char *journal_path; /* FILE.journal (owned), NULL without --json */
  int journal_warned; /* an append failed (said once) */
  int tap_err;        /* errno of the first failed TAP write, else 0 */
} torc_run_ctx;

/* --tap: notes (once, on stderr) that writing TAP failed with errno err;
 * the run goes on and exits 5 (torc_run_finish.c). */
void torc_run_tap_failed(torc_run_ctx *c, int err);

/* ---- torc_run_target.c --------------------------------------------------- */

/* The target loaded once, and how each vector of the selection runs on it. */
typedef struct torc_run_target {
  torc_engine *e;
  torc_loaded *loaded;
  int remote;
  char dead[TORC_ERRBUF_SIZE]; /* remote target could not restart */
  torc_isolate_opts iso;
  int isolate;
  torc_vector *const *vs; /* the selection (borrowed) */
  size_t nvs;
  torc_isolate_server *server; /* TORC_RUN_ISO_BATCH */
  torc_contain contain;        /* how a .so runs (unless --in-process) */
  int log_fd;                  /* the target's stdout and stderr */
  /* --in-process (redirect set): torc's own stdout and stderr (dups; -1
   * for one torc was started without), while fds 1 and 2 point at the log
   * whenever target code runs in this process. */
  int redirect;
  int torc_fd[2];
  char log_path[4096];
  int log_is_temp; /* removed at close when the target wrote nothing */
} torc_run_target;

/* Loads o->target for the selection vs (nvs).  Returns 0, or -1 with the
 * reason in errbuf (TORC_ERRBUF_SIZE). */
int torc_run_target_open(torc_run_target *t, const torc_run_opts *o,
                         torc_vector *const *vs, size_t nvs,
                         volatile sig_atomic_t *stop, char *errbuf);
/* Runs vector idx of the selection; returns 1 when interrupted (no
 * verdict), else 0. */
int torc_run_target_run(torc_run_target *t, size_t idx, torc_result *r);
void torc_run_target_close(torc_run_target *t);

/* ---- torc_run_record.c --------------------------------------------------- */

/* 1 when verdict v fails the run (PASS-NONSTRICT too with --strict). */
int torc_run_failing(const torc_run_opts *o, torc_verdict v);
/* Vector idx of the selection finished with r: waives it or not, appends
 * it to the journal and the results, prints it (TAP, progress) and notes a
 * --fail-fast stop. */
void torc_run_record(torc_run_ctx *c, size_t idx, torc_result *r);

/* ---- torc_run_workers.c -------------------------------------------------- */

/* --jobs N: runs what is not done in N worker processes.  Returns 1 when
 * interrupted, else 0. */
int torc_run_parallel(torc_run_ctx *c);

/* ---- torc_run_scope.c ---------------------------------------------------- */

/* The run's options that scope its claim, {"selection", "shards",
 * "strict"}, as its results record them (new reference; NULL when out of
 * memory).  The journal's header holds them too (--resume checks them). */
json_t *torc_run_scope_options(const torc_run_ctx *c);
/* Records the run's "scope" and "suite" in its results (not_run: selected
 * vectors without a result). */
void torc_run_scope_record(torc_run_ctx *c, size_t not_run);

/* ---- torc_run_finish.c --------------------------------------------------- */

/* The end of a run: times, the exit status, the JSON and JUnit files, the
 * repro bundles, the journal and the summary.  Returns the exit status. */
int torc_run_finish(torc_run_ctx *c, const char *started, int interrupted);

#endif /* TORC_RUN_INT_H */
