/*
 * receive_not_pending.c - mutant: the reference, except that its receive
 * entry point returns NDIS_STATUS_SUCCESS instead of NDIS_STATUS_PENDING.
 * Breaks RCV-091.
 *
 * Wrapper: receive() rewrites the reference's answer.
 */
#include "tt_wrap.h"

static uint32_t rnp_receive(void *ud, void *conn, const torc_recv_request *r,
                            uint32_t n) {
  (void)tt_receive(ud, conn, r, n);
  return TORC_STATUS_SUCCESS; /* the fault */
}

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  if (!tt_init(host_abi_version, host, host_ctx, out, errbuf,
               "receive_not_pending", NULL))
    return -1;
  out->receive = rnp_receive;
  return 0;
}
