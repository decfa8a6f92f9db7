/*
 * out_of_order_early.c - mutant: the reference, except that it
 * delivers a segment beyond a gap at once, as if it were in sequence,
 * instead of queueing it until the gap fills.  Breaks RCV-062.
 *
 * The fault lives inside the reference's logic: module.mk links this file
 * against a copy of the reference sources with patches/out_of_order_early.patch
 * applied, which changes reference/torc_input.c (in-sequence test) where it is
 * marked "MUTANT".  This file only exports that build through the public
 * interface.
 */
#include "tt_wrap.h"

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  return tt_init(host_abi_version, host, host_ctx, out, errbuf,
                 "out_of_order_early", NULL)
             ? 0
             : -1;
}
