/*
 * zero_byte_behind_stalls.c - mutant: the reference, except that it
 * never reaches a zero-byte request queued behind others: data stops
 * in front of it, and it and every request after it wait.  Breaks RCV-114,
 * RCV-117, RCV-060.
 *
 * The fault lives inside the reference's logic: module.mk links this file
 * against a copy of the reference sources with
 * patches/zero_byte_behind_stalls.patch applied, which changes
 * reference/torc_deliver.c (P1, placing data) where it is marked "MUTANT".
 * This file only exports that build through the public interface.
 */
#include "tt_wrap.h"

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  return tt_init(host_abi_version, host, host_ctx, out, errbuf,
                 "zero_byte_behind_stalls", NULL)
             ? 0
             : -1;
}
