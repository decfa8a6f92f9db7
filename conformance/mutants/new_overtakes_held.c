/*
 * new_overtakes_held.c - mutant: the reference, except that it
 * puts a newly arrived in-sequence segment in front of the data it already
 * holds (refused or host-buffered) instead of behind it.  Breaks RCV-038.
 *
 * The fault lives inside the reference's logic: module.mk links this file
 * against a copy of the reference sources with patches/new_overtakes_held.patch
 * applied, which changes reference/torc_deliver.c (entry2_pending) where it is
 * marked "MUTANT".  This file only exports that build through the public
 * interface.
 */
#include "tt_wrap.h"

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  return tt_init(host_abi_version, host, host_ctx, out, errbuf,
                 "new_overtakes_held", NULL)
             ? 0
             : -1;
}
