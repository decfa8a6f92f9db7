/*
 * torc_isolate.h - interface for a module to run one vector in a forked
 * child under a watchdog and a memory limit.
 *
 * For in-process targets (the reference, a .so) a crash, hang or runaway
 * allocation in the target must end one vector, not the run.  Two ways: a
 * batch child that runs vectors until one crashes or hangs (the CLI's
 * default, below), or a fresh child per vector.  The child runs
 * torc_engine_run on the caller's engine (inherited by fork), sends the
 * torc_result back through a pipe (a compact binary form, bounds-checked on
 * read) and exits.  The parent waits with a timeout: no answer in time is
 * TIMEOUT (the child is killed with SIGKILL), death by a signal is CRASH naming
 * the signal, anything else unreadable is ERROR.  Out-of-process targets need
 * none of this (their process is the isolation; see torc_load.h).
 */
#ifndef TORC_ISOLATE_H
#define TORC_ISOLATE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "torc_engine.h"

typedef struct torc_isolate_opts {
  unsigned timeout_ms;   /* watchdog; 0 means none */
  uint64_t memory_limit; /* bytes of address space (RLIMIT_AS); 0: none */
  /* When non-NULL and set (by a signal handler) while waiting, the child is
   * killed and torc_isolate_run returns 1 without a verdict. */
  volatile sig_atomic_t *stop;
  /* When above 2, the child's stdout and stderr (fds 1 and 2) are this
   * descriptor, stdout unbuffered: an in-process target's own output goes
   * to its log, never into torc's streams.  0: the child keeps torc's. */
  int log_fd;
} torc_isolate_opts;

/* Runs v against e in a forked child.  Overwrites *r (id from v) with the
 * child's result or with CRASH/TIMEOUT/ERROR and a detail.  Returns 0 when
 * *r holds a verdict, 1 when interrupted through opts->stop (no verdict), -1
 * when the child could not be started (r->verdict = ERROR). */
int torc_isolate_run(torc_engine *e, const torc_vector *v,
                     const torc_isolate_opts *opts, torc_result *r);

/* Batch isolation: one forked child (holding the engine and the vectors by
 * fork) runs vector after vector, so a vector costs a pipe round trip
 * instead of a process.  When it crashes, hangs or exceeds the memory limit,
 * the vector in flight gets CRASH/TIMEOUT as with torc_isolate_run and the
 * next call starts a fresh child.  Each vector still gets a fresh target
 * instance (torc_engine_run replaces the instance a previous vector used),
 * so only a .so's process-global state (its statics) lives on from one
 * vector to the next within a child.  A child whose heap reaches half of
 * opts->memory_limit (a leaking target) is replaced after its answer, so
 * leaks do not add up to a CRASH of a later vector.  vs (n entries) must
 * stay valid and unchanged while s lives. */
typedef struct torc_isolate_server torc_isolate_server;
torc_isolate_server *torc_isolate_server_new(torc_engine *e,
                                             const torc_vector *const *vs,
                                             size_t n,
                                             const torc_isolate_opts *opts);
/* Runs vs[idx]; same results and return values as torc_isolate_run. */
int torc_isolate_server_run(torc_isolate_server *s, size_t idx, torc_result *r);
/* Stops the child (it exits when its task pipe closes). */
void torc_isolate_server_free(torc_isolate_server *s);

/* Serialises r into a malloc'd buffer (ownership transfers to the caller).
 * Returns its length, or 0 when out of memory. */
size_t torc_result_pack(const torc_result *r, unsigned char **out);
/* Inverse of torc_result_pack; checks every length and field.  Returns 0, or
 * -1 when the bytes are not a well-formed result (r is left cleared). */
int torc_result_unpack(const unsigned char *buf, size_t len, torc_result *r);

/* Monotonic nanoseconds (for durations only; never for judging). */
uint64_t torc_isolate_now_ns(void);

#endif /* TORC_ISOLATE_H */
