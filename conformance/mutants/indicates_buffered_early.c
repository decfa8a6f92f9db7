/*
 * indicates_buffered_early.c - mutant: the reference, except that it
 * indicates the host's BufferedData at once after the offload, as if it
 * had just arrived in sequence, before any request is posted.  Breaks RCV-035.
 *
 * The fault lives inside the reference's logic: module.mk links this file
 * against the reference sources compiled a second time with
 * -DTORC_MUTANT_INDICATES_BUFFERED_EARLY=1, which enables the branch marked
 * "MUTANT" in reference/torc_reference.c (op_initiate_offload).  This file only
 * exports that build through the public interface.
 */
#include "tt_wrap.h"

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  return tt_init(host_abi_version, host, host_ctx, out, errbuf,
                 "indicates_buffered_early", NULL)
             ? 0
             : -1;
}
