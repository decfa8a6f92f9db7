/*
 * disconnect_before_data.c - mutant: the reference, except that it
 * indicates the disconnect as soon as the FIN is received, before the
 * data held in front of it is delivered.  Breaks RCV-255.
 *
 * The fault lives inside the reference's logic: module.mk links this file
 * against the reference sources compiled a second time with
 * -DTORC_MUTANT_DISCONNECT_BEFORE_DATA=1, which enables the branch marked
 * "MUTANT" in reference/torc_deliver.c (torcint_deliver_pump).  This file only
 * exports that build through the public interface.
 */
#include "tt_wrap.h"

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  return tt_init(host_abi_version, host, host_ctx, out, errbuf,
                 "disconnect_before_data", NULL)
             ? 0
             : -1;
}
