/*
 * drops_partial_tail.c - mutant: the reference, except that it
 * treats PARTIALLY_ACCEPTED as if everything was consumed: the bytes
 * beyond BytesConsumed are lost.  Breaks RCV-141.
 *
 * The fault lives inside the reference's logic: module.mk links this file
 * against the reference sources compiled a second time with
 * -DTORC_MUTANT_DROPS_PARTIAL_TAIL=1, which enables the branch marked
 * "MUTANT" in reference/torc_deliver.c (indicate_flow, D15).  This file only
 * exports that build through the public interface.
 */
#include "tt_wrap.h"

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  return tt_init(host_abi_version, host, host_ctx, out, errbuf,
                 "drops_partial_tail", NULL)
             ? 0
             : -1;
}
