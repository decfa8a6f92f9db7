/*
 * bytes_consumed_off_by_one.c - mutant: the reference, except that it
 * counts one byte more than BytesConsumed as taken after a
 * PARTIALLY_ACCEPTED answer: that byte is lost.  Breaks RCV-141, RCV-057.
 *
 * The fault lives inside the reference's logic: module.mk links this file
 * against a copy of the reference sources with
 * patches/bytes_consumed_off_by_one.patch applied, which changes
 * reference/torc_deliver.c (D15, a partial accept) where it is marked "MUTANT".
 * This file only exports that build through the public interface.
 */
#include "tt_wrap.h"

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  return tt_init(host_abi_version, host, host_ctx, out, errbuf,
                 "bytes_consumed_off_by_one", NULL)
             ? 0
             : -1;
}
