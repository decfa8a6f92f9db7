/*
 * reindicates_refused.c - mutant: the reference, except that it
 * indicates refused data a second time at once, before any request is
 * posted.  Breaks RCV-142.
 *
 * The fault lives inside the reference's logic: module.mk links this file
 * against a copy of the reference sources with
 * patches/reindicates_refused.patch applied, which changes
 * reference/torc_deliver.c (indicate_flow, D18) where it is marked "MUTANT".
 * This file only exports that build through the public interface.
 */
#include "tt_wrap.h"

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  return tt_init(host_abi_version, host, host_ctx, out, errbuf,
                 "reindicates_refused", NULL)
             ? 0
             : -1;
}
