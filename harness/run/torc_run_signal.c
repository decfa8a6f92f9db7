/*
 * torc_run_signal.c - how a run is interrupted: SIGINT and SIGTERM set a
 * flag that the loops (torc_run.c, torc_run_workers.c) and the isolation
 * (torc_isolate.c) read between vectors; the run then writes what is done
 * and exits 3.
 *
 * The flag is the one piece of process-wide state of a run: a signal
 * handler can reach nothing else.
 */
#include "torc_run_int.h"

#include <string.h>

static volatile sig_atomic_t g_stop; /* set by SIGINT/SIGTERM */

static void on_signal(int sig) {
  g_stop = sig;
}

volatile sig_atomic_t *torc_run_stop_flag(void) {
  return &g_stop;
}

void torc_run_catch_signals(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);
}
