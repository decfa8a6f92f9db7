/*
 * push_timer_never_starts.c - mutant: the reference, except that it
 * never starts the push timer, so a partly filled push request without
 * PSH is never completed by time.  Breaks RCV-179.
 *
 * The fault lives inside the reference's logic: module.mk links this file
 * against a copy of the reference sources with
 * patches/push_timer_never_starts.patch applied, which changes
 * reference/torc_conn.c (torcint_conn_timer_start) where it is marked "MUTANT".
 * This file only exports that build through the public interface.
 */
#include "tt_wrap.h"

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  return tt_init(host_abi_version, host, host_ctx, out, errbuf,
                 "push_timer_never_starts", NULL)
             ? 0
             : -1;
}
