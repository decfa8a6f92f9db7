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
 * host/host_ctx must stay valid until torc_proxy_stop().  Returns 0, or -1
 * with "exec:COMMAND: reason" in errbuf (TORC_ERRBUF_SIZE bytes). */
int torc_proxy_start(const char *command, const torc_host_ops *host,
                     void *host_ctx, unsigned timeout_ms, torc_proxy **out,
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

/* Reply timeout in ms for each outermost operation (default 10000). */
void torc_proxy_set_timeout(torc_proxy *p, unsigned ms);

/* Process id of the running child (0 if none); for tests. */
int torc_proxy_child_pid(const torc_proxy *p);

/* Sends DESTROY if the child is alive, stops it (SIGTERM, then SIGKILL to its
 * process group), reaps it and frees everything.  p may be NULL. */
void torc_proxy_stop(torc_proxy *p);

#endif /* TORC_PROXY_H */
