/*
 * torc_reference_so.c - the reference target as a loadable shared object.
 *
 * Built into $(O)/lib/torc-reference.so, which the harness loads like any
 * vendor's target: the only exported entry point is torc_target_init().
 */
#include "torc/target.h"
#include "torc_reference.h"

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf);

__attribute__((visibility("default"))) int
torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                 void *host_ctx, torc_target *out, char *errbuf) {
  return torc_reference_target_init(host_abi_version, host, host_ctx, out,
                                    errbuf);
}
