/*
 * push_timer_not_restarted.c - mutant: the reference, except that it
 * does not restart a running push timer when more in-sequence data
 * arrives (DEC-01), so the request completes too early.  Breaks RCV-189.
 *
 * The fault lives inside the reference's logic: module.mk links this file
 * against a copy of the reference sources with
 * patches/push_timer_not_restarted.patch applied, which changes
 * reference/torc_deliver.c (entry2_pending, torcint_deliver_direct) where it is
 * marked "MUTANT".  This file only exports that build through the public
 * interface.
 */
#include "tt_wrap.h"

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  return tt_init(host_abi_version, host, host_ctx, out, errbuf,
                 "push_timer_not_restarted", NULL)
             ? 0
             : -1;
}
