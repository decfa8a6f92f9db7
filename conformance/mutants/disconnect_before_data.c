/*
 * disconnect_before_data.c - mutant: the reference, except that it
 * indicates the disconnect as soon as the FIN is received, before the
 * data held in front of it is delivered.  Breaks RCV-255.
 *
 * The fault lives inside the reference's logic: module.mk links this file
 * against a copy of the reference sources with
 * patches/disconnect_before_data.patch applied, which changes
 * reference/torc_deliver.c (torcint_deliver_pump) where it is marked "MUTANT".
 * This file only exports that build through the public interface.
 */
#include "tt_wrap.h"

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  return tt_init(host_abi_version, host, host_ctx, out, errbuf,
                 "disconnect_before_data", NULL)
             ? 0
             : -1;
}
