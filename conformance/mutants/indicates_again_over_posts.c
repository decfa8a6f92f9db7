/*
 * indicates_again_over_posts.c - mutant: the reference, except that it
 * indicates the rest of the data although requests were posted during the
 * indication (box D17).  Breaks RCV-143.
 *
 * The fault lives inside the reference's logic: module.mk links this file
 * against a copy of the reference sources with
 * patches/indicates_again_over_posts.patch applied, which changes
 * reference/torc_deliver.c where it is marked "MUTANT". This file only exports
 * that build through the public interface.
 */
#include "tt_wrap.h"

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  return tt_init(host_abi_version, host, host_ctx, out, errbuf,
                 "indicates_again_over_posts", NULL)
             ? 0
             : -1;
}
