/*
 * window_edge_plus_one.c - mutant: the reference, except that it
 * keeps one byte beyond the right edge of the receive window when it trims a
 * segment.  Breaks RCV-167.
 *
 * The fault lives inside the reference's logic: module.mk links this file
 * against a copy of the reference sources with
 * patches/window_edge_plus_one.patch applied, which changes
 * reference/torc_input.c where it is marked "MUTANT". This file only exports
 * that build through the public interface.
 */
#include "tt_wrap.h"

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  return tt_init(host_abi_version, host, host_ctx, out, errbuf,
                 "window_edge_plus_one", NULL)
             ? 0
             : -1;
}
