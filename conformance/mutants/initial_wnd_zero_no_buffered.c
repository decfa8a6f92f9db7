/*
 * initial_wnd_zero_no_buffered.c - mutant: the reference, except that it with
 * InitialRcvWnd 0 the window is RcvWnd alone, without the BufferedData length
 * (DEC-15). Breaks RCV-167.
 *
 * The fault lives inside the reference's logic: module.mk links this file
 * against a copy of the reference sources with
 * patches/initial_wnd_zero_no_buffered.patch applied, which changes
 * reference/torc_reference.c (the offload's window) where it is marked
 * "MUTANT".  This file only exports that build through the public
 * interface.
 */
#include "tt_wrap.h"

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  return tt_init(host_abi_version, host, host_ctx, out, errbuf,
                 "initial_wnd_zero_no_buffered", NULL)
             ? 0
             : -1;
}
