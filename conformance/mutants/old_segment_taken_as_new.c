/*
 * old_segment_taken_as_new.c - mutant: the reference, except that it
 * takes a retransmission lying wholly before RcvNxt as new data at
 * RcvNxt: delivered bytes are delivered again.  Breaks RCV-057.
 *
 * The fault lives inside the reference's logic: module.mk links this file
 * against a copy of the reference sources with
 * patches/old_segment_taken_as_new.patch applied, which changes
 * reference/torc_input.c (the acceptability test) where it is marked "MUTANT".
 * This file only exports that build through the public interface.
 */
#include "tt_wrap.h"

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  return tt_init(host_abi_version, host, host_ctx, out, errbuf,
                 "old_segment_taken_as_new", NULL)
             ? 0
             : -1;
}
