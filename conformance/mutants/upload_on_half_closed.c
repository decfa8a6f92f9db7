/*
 * upload_on_half_closed.c - mutant: the reference, except that it asks for an
 * upload (TcpIndicateRetrieve) on a half-closed connection too. Breaks RCV-243.
 *
 * The fault lives inside the reference's logic: module.mk links this file
 * against a copy of the reference sources with
 * patches/upload_on_half_closed.patch applied, which changes
 * reference/torc_conn.c (torcint_conn_want_upload) where it is marked "MUTANT".
 * This file only exports that build through the public interface.
 */
#include "tt_wrap.h"

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  return tt_init(host_abi_version, host, host_ctx, out, errbuf,
                 "upload_on_half_closed", NULL)
             ? 0
             : -1;
}
