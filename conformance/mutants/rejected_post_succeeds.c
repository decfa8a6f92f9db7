/*
 * rejected_post_succeeds.c - mutant: the reference, except that it completes a
 * request refused for lack of memory with SUCCESS, not REQUEST_ABORTED
 * (DEC-25). Breaks RCV-237.
 *
 * The fault lives inside the reference's logic: module.mk links this file
 * against a copy of the reference sources with
 * patches/rejected_post_succeeds.patch applied, which changes
 * reference/torc_reference.c (the post entry point) where it is marked
 * "MUTANT".  This file only exports that build through the public
 * interface.
 */
#include "tt_wrap.h"

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  return tt_init(host_abi_version, host, host_ctx, out, errbuf,
                 "rejected_post_succeeds", NULL)
             ? 0
             : -1;
}
