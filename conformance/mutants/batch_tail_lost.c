/*
 * batch_tail_lost.c - mutant: the reference, except that it drops the requests
 * beyond the first 64 of one completion (never completed). Breaks RCV-072,
 * RCV-092.
 *
 * The fault lives inside the reference's logic: module.mk links this file
 * against a copy of the reference sources with patches/batch_tail_lost.patch
 * applied, which changes reference/torc_deliver.c (complete_head) where it is
 * marked "MUTANT".  This file only exports that build through the public
 * interface.
 */
#include "tt_wrap.h"

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  return tt_init(host_abi_version, host, host_ctx, out, errbuf,
                 "batch_tail_lost", NULL)
             ? 0
             : -1;
}
