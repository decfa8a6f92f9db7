/*
 * prefilled_restarts_timer.c - mutant: the reference, except that it a prefilled push request posted while the push timer runs restarts it.
 * Breaks RCV-180, RCV-088.
 *
 * The fault lives inside the reference's logic: module.mk links this file
 * against a copy of the reference sources with patches/prefilled_restarts_timer.patch
 * applied, which changes reference/torc_reference.c (the post entry point) where it is marked
 * "MUTANT".  This file only exports that build through the public
 * interface.
 */
#include "tt_wrap.h"

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  return tt_init(host_abi_version, host, host_ctx, out, errbuf,
                 "prefilled_restarts_timer", NULL)
             ? 0
             : -1;
}
