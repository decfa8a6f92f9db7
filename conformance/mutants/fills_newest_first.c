/*
 * fills_newest_first.c - mutant: the reference, except that it
 * fills posted requests newest first instead of first-in first-out.  Breaks
 * RCV-060.
 *
 * The fault lives inside the reference's logic: module.mk links this file
 * against a copy of the reference sources with patches/fills_newest_first.patch
 * applied, which changes reference/torc_deliver.c (place) where it is marked
 * "MUTANT".  This file only exports that build through the public interface.
 */
#include "tt_wrap.h"

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  return tt_init(host_abi_version, host, host_ctx, out, errbuf,
                 "fills_newest_first", NULL)
             ? 0
             : -1;
}
