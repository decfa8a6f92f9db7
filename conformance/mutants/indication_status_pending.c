/*
 * indication_status_pending.c - mutant: the reference, except that it
 * passes NDIS_STATUS_PENDING as the status of its receive indications
 * instead of NDIS_STATUS_SUCCESS.  Breaks RCV-125.
 *
 * Wrapper: the receive-indicate upcall rewrites the status.
 */
#include "tt_wrap.h"

static uint32_t isp_receive_indicate(void *ctx, uint64_t h, uint64_t id,
                                     uint32_t s, const torc_fragment *f,
                                     uint32_t n, uint32_t *consumed) {
  (void)s;
  return tt_up_receive_indicate(ctx, h, id, TORC_STATUS_PENDING, f, n,
                                consumed); /* the fault */
}

static void isp_up(torc_host_ops *up) {
  up->receive_indicate = isp_receive_indicate;
}

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  return tt_init(host_abi_version, host, host_ctx, out, errbuf,
                 "indication_status_pending", isp_up)
             ? 0
             : -1;
}
