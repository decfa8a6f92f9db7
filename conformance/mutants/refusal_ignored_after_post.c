/*
 * refusal_ignored_after_post.c - mutant: the reference, except that it
 * treats an indication as wholly taken whenever the host posted a
 * request from inside it, whatever it answered: refused or partly taken
 * data is lost.  Breaks RCV-085, RCV-086, RCV-136, RCV-141.
 *
 * The fault lives inside the reference's logic: module.mk links this file
 * against a copy of the reference sources with
 * patches/refusal_ignored_after_post.patch applied, which changes
 * reference/torc_deliver.c (D15, the answer to an indication) where it is
 * marked "MUTANT". This file only exports that build through the public
 * interface.
 */
#include "tt_wrap.h"

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  return tt_init(host_abi_version, host, host_ctx, out, errbuf,
                 "refusal_ignored_after_post", NULL)
             ? 0
             : -1;
}
