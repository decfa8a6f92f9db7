/*
 * fin_not_push.c - mutant: the reference, except that it
 * does not count an in-sequence FIN as a push for a partly filled
 * push-mode request (DEC-18), which then waits for its push timer.  Breaks
 * RCV-182, RCV-079, RCV-255.
 *
 * The fault lives inside the reference's logic: module.mk links this file
 * against a copy of the reference sources with
 * patches/fin_not_push.patch applied, which changes
 * reference/torc_deliver.c (entry 2 for a FIN) where it is marked "MUTANT".
 * This file only exports that build through the public interface.
 */
#include "tt_wrap.h"

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  return tt_init(host_abi_version, host, host_ctx, out, errbuf, "fin_not_push",
                 NULL)
             ? 0
             : -1;
}
