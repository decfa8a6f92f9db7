/*
 * ooo_beyond_fin_kept.c - mutant: the reference, except that it keeps
 * out-of-order data queued beyond a FIN that arrives later (delivered past the
 * stream's end). Breaks RCV-057, RCV-062.
 *
 * The fault lives inside the reference's logic: module.mk links this file
 * against a copy of the reference sources with
 * patches/ooo_beyond_fin_kept.patch applied, which changes
 * reference/torc_input.c (the FIN fixing the stream's end) where it is marked
 * "MUTANT".  This file only exports that build through the public
 * interface.
 */
#include "tt_wrap.h"

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  return tt_init(host_abi_version, host, host_ctx, out, errbuf,
                 "ooo_beyond_fin_kept", NULL)
             ? 0
             : -1;
}
