/*
 * syn_at_rcvnxt_aborts.c - mutant: the reference, except that it
 * treats a SYN at RcvNxt as an acceptable RST (an abort) instead of
 * asking for the upload of a CLOSED connection (DEC-27).  Breaks RCV-305,
 * RCV-295, RCV-303.
 *
 * The fault lives inside the reference's logic: module.mk links this file
 * against a copy of the reference sources with
 * patches/syn_at_rcvnxt_aborts.patch applied, which changes
 * reference/torc_input.c (the SYN at RcvNxt) where it is marked "MUTANT".
 * This file only exports that build through the public interface.
 */
#include "tt_wrap.h"

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  return tt_init(host_abi_version, host, host_ctx, out, errbuf,
                 "syn_at_rcvnxt_aborts", NULL)
             ? 0
             : -1;
}
