/*
 * delivers_overlap_twice.c - mutant: the reference, except that it
 * does not skip the already received bytes at the start of a
 * retransmission: the overlap is delivered a second time in place of new
 * bytes.  Breaks RCV-057.
 *
 * The fault lives inside the reference's logic: module.mk links this file
 * against a copy of the reference sources with
 * patches/delivers_overlap_twice.patch applied, which changes
 * reference/torc_input.c (trimming before RcvNxt) where it is marked "MUTANT".
 * This file only exports that build through the public interface.
 */
#include "tt_wrap.h"

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  return tt_init(host_abi_version, host, host_ctx, out, errbuf,
                 "delivers_overlap_twice", NULL)
             ? 0
             : -1;
}
