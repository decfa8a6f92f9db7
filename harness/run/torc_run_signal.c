/*
 * torc_run_signal.c - how a run is interrupted: SIGINT, SIGTERM, SIGHUP and
 * SIGQUIT set a flag that the loops (torc_run.c, torc_run_workers.c) and
 * the isolation (torc_isolate.c) read between vectors; the run then writes
 * what is done, keeps the journal for --resume and exits 3.
 *
 * The command catches them before it loads the vectors
 * (harness/cli/torc_cli_run.c), so a signal while loading stops the run
 * as soon as the vectors are loaded, like one between vectors, instead of
 * killing torc.  SIGPIPE is ignored: a closed --tap pipe is a write error
 * (exit 5), not a death.
 *
 * The flag is the one piece of process-wide state of a run: a signal
 * handler can reach nothing else.
 */
#include "torc_run_int.h"

#include <string.h>

static volatile sig_atomic_t g_stop; /* the signal that stopped the run */

static const int caught[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

static void on_signal(int sig) {
  g_stop = sig;
}

volatile sig_atomic_t *torc_run_stop_flag(void) {
  return &g_stop;
}

void torc_run_catch_signals(void) {
  struct sigaction sa;
  size_t i;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  for (i = 0; i < sizeof caught / sizeof caught[0]; i++)
    sigaddset(&sa.sa_mask, caught[i]);
  for (i = 0; i < sizeof caught / sizeof caught[0]; i++)
    sigaction(caught[i], &sa, NULL);
  signal(SIGPIPE, SIG_IGN);
}

void torc_run_ignore_signals(void) {
  size_t i;
  for (i = 0; i < sizeof caught / sizeof caught[0]; i++)
    signal(caught[i], SIG_IGN);
}

const char *torc_run_signal_name(int sig) {
  switch (sig) {
  case SIGINT:
    return "SIGINT";
  case SIGTERM:
    return "SIGTERM";
  case SIGHUP:
    return "SIGHUP";
  case SIGQUIT:
    return "SIGQUIT";
  }
  return "signal";
}
