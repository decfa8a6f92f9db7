/*
 * fin_data_dropped.c - mutant: the reference, except that it
 * drops the data of a segment that carries a FIN, keeping only the FIN.
 * Breaks RCV-052 and RCV-055 (bytes received in sequence are neither
 * placed in the posted requests nor indicated), RCV-057, RCV-255.
 *
 * The fault lives inside the reference's logic: module.mk links this file
 * against a copy of the reference sources with patches/fin_data_dropped.patch
 * applied, which changes reference/torc_input.c where it is marked "MUTANT".
 * This file only exports that build through the public interface.
 */
#include "tt_wrap.h"

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  return tt_init(host_abi_version, host, host_ctx, out, errbuf,
                 "fin_data_dropped", NULL)
             ? 0
             : -1;
}
