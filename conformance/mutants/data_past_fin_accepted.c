/*
 * data_past_fin_accepted.c - mutant: the reference, except that it takes data
 * beyond a FIN already known as new data (a known FIN does not bound what
 * follows). Breaks RCV-057, RCV-255.
 *
 * The fault lives inside the reference's logic: module.mk links this file
 * against a copy of the reference sources with
 * patches/data_past_fin_accepted.patch applied, which changes
 * reference/torc_input.c (the text's trim) where it is marked "MUTANT".  This
 * file only exports that build through the public interface.
 */
#include "tt_wrap.h"

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  return tt_init(host_abi_version, host, host_ctx, out, errbuf,
                 "data_past_fin_accepted", NULL)
             ? 0
             : -1;
}
