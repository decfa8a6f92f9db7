/*
 * ooo_psh_dropped.c - mutant: the reference, except that it
 * forgets the PSH bit of a segment queued out of order.  Breaks RCV-176,
 * RCV-177, RCV-164.
 *
 * The fault lives inside the reference's logic: module.mk links this file
 * against a copy of the reference sources with patches/ooo_psh_dropped.patch
 * applied, which changes reference/torc_input.c where it is marked "MUTANT".
 * This file only exports that build through the public interface.
 */
#include "tt_wrap.h"

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  return tt_init(host_abi_version, host, host_ctx, out, errbuf,
                 "ooo_psh_dropped", NULL)
             ? 0
             : -1;
}
