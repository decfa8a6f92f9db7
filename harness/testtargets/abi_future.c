/*
 * abi_future.c - bad target: a working reference that declares it was built
 * for the next ABI (TORC_TARGET_ABI_VERSION + 1).
 *
 * Expected: refused at load ("target ABI 2 is newer than this torc (ABI 1)"),
 * exit status 2 at the CLI, no vector run.
 */
#include "tt_wrap.h"

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf);
int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  if (!tt_init(host_abi_version, host, host_ctx, out, errbuf, "abi_future",
               NULL))
    return -1;
  out->abi_version = TORC_TARGET_ABI_VERSION + 1;
  return 0;
}
