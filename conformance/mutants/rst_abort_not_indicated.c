/*
 * rst_abort_not_indicated.c - mutant: the reference, except that it
 * aborts the requests at an acceptable RST without indicating the
 * abort to the host.  Breaks RCV-258, RCV-259, RCV-303.
 *
 * The fault lives inside the reference's logic: module.mk links this file
 * against a copy of the reference sources with
 * patches/rst_abort_not_indicated.patch applied, which changes
 * reference/torc_deliver.c (the abort flow) where it is marked "MUTANT".
 * This file only exports that build through the public interface.
 */
#include "tt_wrap.h"

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  return tt_init(host_abi_version, host, host_ctx, out, errbuf,
                 "rst_abort_not_indicated", NULL)
             ? 0
             : -1;
}
