/*
 * ignores_psh.c - mutant: the reference, except that it
 * ignores the PSH bit (box D11 always No): a partly filled push request
 * waits for the push timer even when its segment carried PSH.  Breaks RCV-078.
 *
 * The fault lives inside the reference's logic: module.mk links this file
 * against a copy of the reference sources with patches/ignores_psh.patch
 * applied, which changes reference/torc_deliver.c (main_path, D11) where it is
 * marked "MUTANT".  This file only exports that build through the public
 * interface.
 */
#include "tt_wrap.h"

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  return tt_init(host_abi_version, host, host_ctx, out, errbuf, "ignores_psh",
                 NULL)
             ? 0
             : -1;
}
