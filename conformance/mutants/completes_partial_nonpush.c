/*
 * completes_partial_nonpush.c - mutant: the reference, except that it
 * treats a partly filled non-push request like a push request (box D10
 * skipped): completed by PSH or by the push timer before it is full.  Breaks
 * RCV-184.
 *
 * The fault lives inside the reference's logic: module.mk links this file
 * against a copy of the reference sources with
 * patches/completes_partial_nonpush.patch applied, which changes
 * reference/torc_deliver.c (main_path, D10) where it is marked "MUTANT".  This
 * file only exports that build through the public interface.
 */
#include "tt_wrap.h"

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  return tt_init(host_abi_version, host, host_ctx, out, errbuf,
                 "completes_partial_nonpush", NULL)
             ? 0
             : -1;
}
