/*
 * rst_outside_window_aborts.c - mutant: the reference, except that it
 * acts on an RST outside the receive window as if it were at RcvNxt (skips the
 * acceptability test).  Breaks RCV-301.
 *
 * The fault lives inside the reference's logic: module.mk links this file
 * against a copy of the reference sources with
 * patches/rst_outside_window_aborts.patch applied, which changes
 * reference/torc_input.c where it is marked "MUTANT". This file only exports
 * that build through the public interface.
 */
#include "tt_wrap.h"

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  return tt_init(host_abi_version, host, host_ctx, out, errbuf,
                 "rst_outside_window_aborts", NULL)
             ? 0
             : -1;
}
