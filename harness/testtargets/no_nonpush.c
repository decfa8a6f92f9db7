/*
 * no_nonpush.c - test target: the reference, declaring every feature but
 * TORC_CAP_NONPUSH_MODE, which RCV-176 makes mandatory (a target supports
 * both push and non-push requests).
 *
 * Expected: every vector needing non-push requests FAILs citing RCV-176
 * without being played, and the claim is NOT CONFORMANT (exit 1) with
 * NONPUSH_MODE among the missing mandatory features.
 */
#include "tt_wrap.h"

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf);
int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  if (!tt_init(host_abi_version, host, host_ctx, out, errbuf, "no_nonpush",
               NULL))
    return -1;
  out->capabilities &= ~(uint64_t)TORC_CAP_NONPUSH_MODE;
  return 0;
}
