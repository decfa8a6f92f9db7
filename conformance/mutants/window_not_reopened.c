/*
 * window_not_reopened.c - mutant: the reference, except that it
 * does not move the window's right edge when data is placed into
 * requests (DEC-15), so later data is cut at a stale edge.  Breaks RCV-167.
 *
 * The fault lives inside the reference's logic: module.mk links this file
 * against a copy of the reference sources with
 * patches/window_not_reopened.patch applied, which changes
 * reference/torc_deliver.c (P1, placing data) where it is marked "MUTANT".
 * This file only exports that build through the public interface.
 */
#include "tt_wrap.h"

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  return tt_init(host_abi_version, host, host_ctx, out, errbuf,
                 "window_not_reopened", NULL)
             ? 0
             : -1;
}
