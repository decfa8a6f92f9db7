/*
 * torc_proxy.h - interface for a module to run an offload target in a child
 * process ("exec:COMMAND") behind an ordinary torc_target table.
 *
 * The proxy starts COMMAND (through /bin/sh -c, in its own process group)
 * with a socketpair on its stdin and stdout, speaks the wire protocol of
 * docs/wire-protocol.md (torc_wire.h) and forwards every operation of the
 * table it fills to the child; the child's upcalls come back as calls of the
 * host callbacks, nested exactly as they were made.  What the child sends is
 * untrusted: request bytes are copied into the host's buffers only within the
 * request's size, and the host only ever sees memory the proxy owns.
 *
 * When the child dies, breaks the protocol or does not answer within the
 * timeout, the proxy marks itself CRASHED or TIMEOUT, kills the child, and
 * every operation becomes a harmless no-op until torc_proxy_restart().
 */
#ifndef TORC_PROXY_H
#define TORC_PROXY_H

#include <stddef.h>
#include <torc/target.h>

typedef struct torc_proxy torc_proxy;

/* Starts command, exchanges HELLO, and fills *ops with the proxy's table
 * (name, version, abi_version and capabilities as the child declared them).
 * The command's stderr is log_fd (the target's log), or torc's own when
 * log_fd is -1; its stdin and stdout are the protocol.
 * host/host_ctx must stay valid until torc_proxy_stop().  Returns 0, or -1
 * with "exec:COMMAND: reason" in errbuf (TORC_ERRBUF_SIZE bytes). */
int torc_proxy_start(const char *command, int log_fd, const torc_host_ops *host,
                     void *host_ctx, unsigned timeout_ms, torc_proxy **out,
                     torc_target *ops, char *errbuf);

/* Quotas per vector (between two resets) of any child; beyond one the
 * child is killed and the vector is a CRASH naming the quota. */
#define TORC_PROXY_MAX_UPCALLS 4000000u     /* upcall messages */
#define TORC_PROXY_MAX_BLOCKS 16384u        /* blocks allocated, not freed */
#define TORC_PROXY_MAX_HELD (1024ull << 20) /* bytes allocated */

/* A contained child (torc_load_contained): argv executed as is (no shell)
 * with the protocol on descriptor 3, stdin on /dev/null, stdout and stderr
 * on log_fd (-1: /dev/null), no other descriptor of torc's, files it writes
 * limited to log_limit bytes (0: no limit), and its descendants killed at
 * every reset and when it stops.  label names it in messages. */
typedef struct torc_proxy_spawn {
  const char *const *argv;
  const char *label;
  int log_fd;
  uint64_t log_limit;
} torc_proxy_spawn;

int torc_proxy_start_contained(const torc_proxy_spawn *sp,
                               const torc_host_ops *host, void *host_ctx,
                               unsigned timeout_ms, torc_proxy **out,
                               torc_target *ops, char *errbuf);

/* 0 while usable, else TORC_LOAD_CRASHED / TORC_LOAD_TIMEOUT (torc_load.h)
 * with the reason in why (n bytes). */
int torc_proxy_status(const torc_proxy *p, char *why, size_t n);

/* Stops the child if it still runs and starts a fresh one.  Connections of
 * the old child stay no-ops (the caller closes them).  Returns 0 or -1 with a
 * message in errbuf. */
int torc_proxy_restart(torc_proxy *p, char *errbuf);

/* Destroys the child's target instance and creates a fresh one in the same
 * process (no fork/exec).  Connections must be closed first; any still open
 * become no-ops.  Returns 0 or -1 with a message in errbuf. */
int torc_proxy_reset(torc_proxy *p, char *errbuf);

/* The host's word about its allocation hook from the next operation on
 * (TORC_ALLOC_* of torc_wire.h): SERVE, it grants every allocation;
 * REFUSE, it refuses every one; ASK (the default), it decides each.  A
 * child speaking version 2 then serves or refuses allocations itself and
 * reports them (UP_ALLOCATED), which the proxy replays through the hook, so
 * the host's accounting is the same as if it had been asked. */
void torc_proxy_alloc_policy(torc_proxy *p, int policy);

/* Reply timeout in ms for each outermost operation (default 10000). */
void torc_proxy_set_timeout(torc_proxy *p, unsigned ms);

/* Process id of the running child (0 if none); for tests. */
int torc_proxy_child_pid(const torc_proxy *p);

/* Sends DESTROY if the child is alive, stops it (SIGTERM, then SIGKILL to its
 * process group), reaps it and frees everything.  p may be NULL. */
void torc_proxy_stop(torc_proxy *p);

#endif /* TORC_PROXY_H */
