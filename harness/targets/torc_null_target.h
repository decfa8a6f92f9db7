/*
 * torc_null_target.h - interface for a module to get the built-in "null"
 * target: one that implements nothing.
 *
 * It declares no capability, accepts connections, and ignores every
 * operation: it never completes an offload, a request or a termination, and
 * never calls the host.  Every vector needs some capability, so the engine
 * ends each one UNTESTED without running it; a vector that runs anyway
 * ends cleanly because nothing here can hang or crash.  Used as the baseline
 * of `make bench` and to prove the harness survives a target that does
 * nothing.
 */
#ifndef TORC_NULL_TARGET_H
#define TORC_NULL_TARGET_H

#include <torc/target.h>

/* Same contract as torc_target_init (target.h); host and host_ctx are not
 * used.  Always returns 0. */
int torc_null_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                          void *host_ctx, torc_target *out, char *errbuf);

#endif /* TORC_NULL_TARGET_H */
