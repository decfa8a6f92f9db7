/*
 * torc_load.h - interface for a module to load an offload target by name.
 *
 * The one place where target flavours are chosen (STYLE R12): the built-in
 * reference, the built-in null target, a shared object exporting
 * torc_target_init(), or "exec:COMMAND", a child process speaking the wire
 * protocol of docs/wire-protocol.md through a proxy that presents the same
 * torc_target table.  The engine talks to every flavour through the table
 * only, via torc_call.h.
 */
#ifndef TORC_LOAD_H
#define TORC_LOAD_H

#include <stddef.h>
#include <torc/target.h>

typedef struct torc_loaded torc_loaded;

/* Loads the target named by spec ("reference", "null", "exec:COMMAND" or a
 * path to a .so; a spec containing '/' or ending in ".so" is a path) and
 * initialises it with host/host_ctx, which must stay valid until
 * torc_unload().  Fills *ops (validated: ABI version and struct size checked,
 * every mandatory operation non-NULL) and *out.
 * Returns 0 on success, or -1 with a one-line message in errbuf
 * (TORC_ERRBUF_SIZE bytes) naming the target and the reason: file not found,
 * symbol missing, ABI version mismatch, init refused, child failed to start. */
int torc_load(const char *spec, const torc_host_ops *host, void *host_ctx,
              torc_loaded **out, torc_target *ops, char *errbuf);

/* How torc_load_contained runs a shared object: in torc-target-runner, a
 * process of its own behind the wire protocol, sandboxed (--contain: a
 * seccomp filter, no capabilities, the subreaper of whatever it starts), so
 * nothing the target does reaches torc's memory, descriptors or verdicts. */
typedef struct torc_contain {
  const char *runner; /* NULL: $TORC_TARGET_RUNNER, else torc-target-runner
                         next to the running program */
  int log_fd; /* the target's stdout and stderr (exec: stderr); -1: /dev/null */
  uint64_t log_limit;  /* bytes the target may write to files, 0: no limit */
  unsigned memory_mb;  /* the runner's address space, 0: the runner's default */
  unsigned timeout_ms; /* for the load and each later call, 0: 10000 */
} torc_contain;

/* As torc_load, except that a shared object is run contained as above (the
 * other flavours load as with torc_load).  The spec recorded and shown is
 * still the .so's. */
int torc_load_contained(const char *spec, const torc_contain *c,
                        const torc_host_ops *host, void *host_ctx,
                        torc_loaded **out, torc_target *ops, char *errbuf);

/* For a .so about to be loaded into torc's own process (--in-process):
 * loads, initialises and destroys it once in a forked child under a
 * watchdog of timeout_ms (0: 10000), so that a target dying or hanging in a
 * constructor, its init or its destroy ends the load with a message
 * instead of taking torc down.  Returns 0 (also for other specs, and when
 * the child's load itself was refused: the real load says why), or -1 with
 * what happened in errbuf. */
int torc_load_preflight(const char *spec, const torc_host_ops *host,
                        void *host_ctx, unsigned timeout_ms, char *errbuf);

/* Where the target's code runs: "builtin" (torc's own reference or null
 * target), "process" (a process of its own: exec: or a contained .so) or
 * "in-process" (a .so inside torc's process: a development run). */
const char *torc_loaded_containment(const torc_loaded *l);

/* 0 while the target is usable.  For an out-of-process target, after a
 * child crash, a protocol error or a reply timeout: TORC_LOAD_CRASHED or
 * TORC_LOAD_TIMEOUT, with the reason in why (n bytes).  The next call to
 * torc_loaded_restart() starts a fresh child. */
#define TORC_LOAD_CRASHED (-2)
#define TORC_LOAD_TIMEOUT (-3)
int torc_loaded_status(const torc_loaded *l, char *why, size_t n);
int torc_loaded_restart(torc_loaded *l, char *errbuf);

/* Destroys the target instance and creates a fresh one of the same flavour
 * with the same host, refilling *ops (user_data changes).  An exec: target's
 * child process stays (cheap: no fork/exec).  Every connection must be
 * closed first.  Call it between vectors of an out-of-process target so no
 * state (the virtual clock, counters) crosses from one vector to the next,
 * as the per-vector fork guarantees in process.  Returns 0, or -1 with a
 * message in errbuf. */
int torc_loaded_reset(torc_loaded *l, torc_target *ops, char *errbuf);

/* 1 when the target runs in another process (the engine then needs no fork
 * for isolation), 0 otherwise. */
int torc_loaded_is_remote(const torc_loaded *l);

/* Reply timeout for out-of-process targets, in milliseconds (default 10000). */
void torc_loaded_set_timeout(torc_loaded *l, unsigned ms);

/* The host's word that its allocation hook, from the next call on, grants
 * every allocation (TORC_ALLOCS_GRANTED), refuses every one
 * (TORC_ALLOCS_REFUSED), or decides each (TORC_ALLOCS_ASK, the default): an
 * out-of-process target then serves its allocations inside its own process
 * (wire protocol 2, OP_ALLOC_POLICY) instead of asking for each.  The hook is
 * still called for every allocation, afterwards, and must answer as promised.
 * No effect on other flavours (l may be NULL). */
#define TORC_ALLOCS_ASK 0
#define TORC_ALLOCS_GRANTED 1
#define TORC_ALLOCS_REFUSED 2
void torc_loaded_alloc_policy(torc_loaded *l, int policy);

/* Asks the built-in reference to explain its host calls on conn to fn
 * (torc_reference_explain()).  Returns 0, or -1 for any other target:
 * only the reference can say why it did what it did. */
int torc_loaded_explain(torc_loaded *l, void *conn,
                        void (*fn)(void *ctx, const char *const *because,
                                   uint32_t n),
                        void *ctx);

/* Asks the built-in reference to take other readings on conn
 * (torc_reference_read_as(), TORC_READING_*).  Returns 0, or -1 for any
 * other target or an unknown bit. */
int torc_loaded_read_as(torc_loaded *l, void *conn, uint32_t readings);

/* The i-th reading the built-in reference can take: returns the name of
 * the allowance it is and sets *bit (for torc_loaded_read_as), or NULL
 * past the last. */
const char *torc_reading(unsigned i, uint32_t *bit);

/* Calls ops->destroy, closes the shared object or stops the child. */
void torc_unload(torc_loaded *l);

#endif /* TORC_LOAD_H */
