/*
 * drops_partial_tail.c - mutant: the reference, except that it
 * treats PARTIALLY_ACCEPTED as if everything was consumed: the bytes
 * beyond BytesConsumed are lost.  Breaks RCV-141.
 *
 * The fault lives inside the reference's logic: module.mk links this file
 * against a copy of the reference sources with patches/drops_partial_tail.patch
 * applied, which changes reference/torc_deliver.c (indicate_flow, D15) where it
 * is marked "MUTANT".  This file only exports that build through the public
 * interface.
 */
#include "tt_wrap.h"

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  return tt_init(host_abi_version, host, host_ctx, out, errbuf,
                 "drops_partial_tail", NULL)
             ? 0
             : -1;
}
