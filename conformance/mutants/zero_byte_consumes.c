/*
 * zero_byte_consumes.c - mutant: the reference, except that it
 * lets a zero-byte request swallow the data available when a placement
 * reaches it (DEC-20 says it takes none).  Breaks RCV-117.
 *
 * The fault lives inside the reference's logic: module.mk links this file
 * against a copy of the reference sources with patches/zero_byte_consumes.patch
 * applied, which changes reference/torc_deliver.c (place) where it is marked
 * "MUTANT".  This file only exports that build through the public interface.
 */
#include "tt_wrap.h"

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  return tt_init(host_abi_version, host, host_ctx, out, errbuf,
                 "zero_byte_consumes", NULL)
             ? 0
             : -1;
}
