/*
 * completion_status_pending.c - mutant: the reference, except that it
 * completes requests that received data with NDIS_STATUS_PENDING instead
 * of NDIS_STATUS_SUCCESS.  Breaks RCV-110.
 *
 * Wrapper: the receive-complete upcall rewrites the status.
 */
#include "tt_wrap.h"

#define CSP_MAX 64

static void csp_receive_complete(void *ctx, uint64_t h,
                                 const torc_completion *c, uint32_t n) {
  torc_completion v[CSP_MAX];
  if (n > CSP_MAX) {
    tt_up_receive_complete(ctx, h, c, n);
    return;
  }
  for (uint32_t i = 0; i < n; i++) {
    v[i] = c[i];
    if (v[i].status == TORC_STATUS_SUCCESS && v[i].bytes > 0)
      v[i].status = TORC_STATUS_PENDING; /* the fault */
  }
  tt_up_receive_complete(ctx, h, v, n);
}

static void csp_up(torc_host_ops *up) {
  up->receive_complete = csp_receive_complete;
}

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  return tt_init(host_abi_version, host, host_ctx, out, errbuf,
                 "completion_status_pending", csp_up)
             ? 0
             : -1;
}
