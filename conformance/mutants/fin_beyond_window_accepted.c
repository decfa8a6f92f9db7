/*
 * fin_beyond_window_accepted.c - mutant: the reference, except that it
 * takes a FIN that lies beyond the right edge of the receive window.  Breaks
 * RCV-167, RCV-255.
 *
 * The fault lives inside the reference's logic: module.mk links this file
 * against a copy of the reference sources with
 * patches/fin_beyond_window_accepted.patch applied, which changes
 * reference/torc_input.c (the FIN against the window) where it is marked
 * "MUTANT". This file only exports that build through the public interface.
 */
#include "tt_wrap.h"

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  return tt_init(host_abi_version, host, host_ctx, out, errbuf,
                 "fin_beyond_window_accepted", NULL)
             ? 0
             : -1;
}
