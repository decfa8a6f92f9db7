/*
 * zero_byte_completes_early.c - mutant: the reference, except that it
 * completes a zero-byte request as soon as placement reaches it, even
 * when no data is left to reach it (DEC-20).  Breaks RCV-117, RCV-114.
 *
 * The fault lives inside the reference's logic: module.mk links this file
 * against a copy of the reference sources with
 * patches/zero_byte_completes_early.patch applied, which changes
 * reference/torc_deliver.c (P1, placing data) where it is marked "MUTANT".
 * This file only exports that build through the public interface.
 */
#include "tt_wrap.h"

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  return tt_init(host_abi_version, host, host_ctx, out, errbuf,
                 "zero_byte_completes_early", NULL)
             ? 0
             : -1;
}
