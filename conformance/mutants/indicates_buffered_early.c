/*
 * indicates_buffered_early.c - mutant: the reference, except that it
 * indicates the host's BufferedData at once after the offload, as if it
 * had just arrived in sequence, before any request is posted.  Breaks RCV-035.
 *
 * The fault lives inside the reference's logic: module.mk links this file
 * against a copy of the reference sources with
 * patches/indicates_buffered_early.patch applied, which changes
 * reference/torc_reference.c (op_initiate_offload) where it is marked "MUTANT".
 * This file only exports that build through the public interface.
 */
#include "tt_wrap.h"

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  return tt_init(host_abi_version, host, host_ctx, out, errbuf,
                 "indicates_buffered_early", NULL)
             ? 0
             : -1;
}
