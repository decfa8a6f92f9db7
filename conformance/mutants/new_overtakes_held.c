/*
 * new_overtakes_held.c - mutant: the reference, except that it
 * puts a newly arrived in-sequence segment in front of the data it already
 * holds (refused or host-buffered) instead of behind it.  Breaks RCV-038.
 *
 * The fault lives inside the reference's logic: module.mk links this file
 * against the reference sources compiled a second time with
 * -DTORC_MUTANT_NEW_OVERTAKES_HELD=1, which enables the branch marked
 * "MUTANT" in reference/torc_deliver.c (entry2_pending).  This file only
 * exports that build through the public interface.
 */
#include "tt_wrap.h"

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  return tt_init(host_abi_version, host, host_ctx, out, errbuf,
                 "new_overtakes_held", NULL)
             ? 0
             : -1;
}
