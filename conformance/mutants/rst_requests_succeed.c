/*
 * rst_requests_succeed.c - mutant: the reference, except that it
 * completes the requests outstanding at an acceptable RST with
 * SUCCESS instead of aborting them.  Breaks RCV-258, RCV-259, RCV-253.
 *
 * The fault lives inside the reference's logic: module.mk links this file
 * against a copy of the reference sources with
 * patches/rst_requests_succeed.patch applied, which changes
 * reference/torc_deliver.c (the abort flow) where it is marked "MUTANT".
 * This file only exports that build through the public interface.
 */
#include "tt_wrap.h"

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  return tt_init(host_abi_version, host, host_ctx, out, errbuf,
                 "rst_requests_succeed", NULL)
             ? 0
             : -1;
}
