/*
 * offload_alloc_ignored.c - mutant: the reference, except that it ignores
 * the failure to allocate its copy of BufferedData: it reports the offload
 * as SUCCESS although it holds none of the host's data.  Breaks RCV-010
 * (DEC-05: NDIS_STATUS_FAILURE).
 *
 * Wrapper: the offload-complete upcall turns FAILURE into SUCCESS.
 */
#include "tt_wrap.h"

static void oai_offload_complete(void *ctx, uint64_t h, uint32_t status) {
  if (status == TORC_STATUS_FAILURE)
    status = TORC_STATUS_SUCCESS; /* the fault */
  tt_up_offload_complete(ctx, h, status);
}

static void oai_up(torc_host_ops *up) {
  up->initiate_offload_complete = oai_offload_complete;
}

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  return tt_init(host_abi_version, host, host_ctx, out, errbuf,
                 "offload_alloc_ignored", oai_up)
             ? 0
             : -1;
}
