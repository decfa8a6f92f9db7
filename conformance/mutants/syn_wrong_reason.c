/*
 * syn_wrong_reason.c - mutant: the reference, except that it
 * asks for the upload at a SYN at RcvNxt with reason UploadRequested,
 * not InvalidState (the connection is CLOSED, DEC-27).  Breaks RCV-305,
 * RCV-295.
 *
 * The fault lives inside the reference's logic: module.mk links this file
 * against a copy of the reference sources with
 * patches/syn_wrong_reason.patch applied, which changes
 * reference/torc_input.c (the SYN at RcvNxt) where it is marked "MUTANT".
 * This file only exports that build through the public interface.
 */
#include "tt_wrap.h"

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  return tt_init(host_abi_version, host, host_ctx, out, errbuf,
                 "syn_wrong_reason", NULL)
             ? 0
             : -1;
}
