/*
 * tps_zero_not_default.c - mutant: the reference, except that it takes
 * TicksPerSecond 0 as 100 instead of 1000 (push timer ten times late). Breaks
 * RCV-198, RCV-197.
 *
 * The fault lives inside the reference's logic: module.mk links this file
 * against a copy of the reference sources with
 * patches/tps_zero_not_default.patch applied, which changes
 * reference/torc_reference.c (the offload's push interval) where it is marked
 * "MUTANT".  This file only exports that build through the public
 * interface.
 */
#include "tt_wrap.h"

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  return tt_init(host_abi_version, host, host_ctx, out, errbuf,
                 "tps_zero_not_default", NULL)
             ? 0
             : -1;
}
