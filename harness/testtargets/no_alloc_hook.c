/*
 * no_alloc_hook.c - test target: the reference, declaring every feature but
 * TORC_CAP_ALLOC_HOOK (the one that is about testability, not the
 * specification).
 *
 * Expected: the vectors needing the allocation hook are UNTESTED, every
 * other one PASSes, and the claim is CONFORMANT WITH UNTESTED REQUIREMENTS
 * (exit 0), naming the requirements only those vectors judge.
 */
#include "tt_wrap.h"

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf);
int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  if (!tt_init(host_abi_version, host, host_ctx, out, errbuf, "no_alloc_hook",
               NULL))
    return -1;
  out->capabilities &= ~(uint64_t)TORC_CAP_ALLOC_HOOK;
  return 0;
}
