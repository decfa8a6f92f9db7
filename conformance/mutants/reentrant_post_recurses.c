/*
 * reentrant_post_recurses.c - mutant: the reference, except that it
 * processes a request posted from inside a receive completion at once,
 * recursively (box D1 ignored), instead of queueing it until the
 * completion returns.  Breaks RCV-066.
 *
 * The fault lives inside the reference's logic: module.mk links this file
 * against a copy of the reference sources with
 * patches/reentrant_post_recurses.patch applied, which changes
 * reference/torc_deliver.c (torcint_deliver_pump) where it is marked "MUTANT".
 * This file only exports that build through the public interface.
 */
#include "tt_wrap.h"

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  return tt_init(host_abi_version, host, host_ctx, out, errbuf,
                 "reentrant_post_recurses", NULL)
             ? 0
             : -1;
}
