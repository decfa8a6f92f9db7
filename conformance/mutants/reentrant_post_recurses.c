/*
 * reentrant_post_recurses.c - mutant: the reference, except that it
 * processes a request posted from inside a receive completion at once,
 * recursively (box D1 ignored), instead of queueing it until the
 * completion returns.  Breaks RCV-066.
 *
 * The fault lives inside the reference's logic: module.mk links this file
 * against the reference sources compiled a second time with
 * -DTORC_MUTANT_REENTRANT_POST_RECURSES=1, which enables the branch marked
 * "MUTANT" in reference/torc_deliver.c (torcint_deliver_pump).  This file only
 * exports that build through the public interface.
 */
#include "tt_wrap.h"

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  return tt_init(host_abi_version, host, host_ctx, out, errbuf,
                 "reentrant_post_recurses", NULL)
             ? 0
             : -1;
}
