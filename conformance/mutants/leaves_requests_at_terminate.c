/*
 * leaves_requests_at_terminate.c - mutant: the reference, except that at
 * terminate offload it never completes the requests still posted: they are
 * forgotten and the terminate completes with them outstanding.  Breaks
 * RCV-230.
 *
 * Wrapper: from terminate_offload on, receive-complete upcalls are
 * swallowed.
 */
#include "tt_wrap.h"

static void lrt_receive_complete(void *ctx, uint64_t h,
                                 const torc_completion *c, uint32_t n) {
  tt *t = ctx;
  if (t->count > 0)
    return; /* the fault: terminating, requests are forgotten */
  tt_up_receive_complete(ctx, h, c, n);
}

static void lrt_terminate_offload(void *ud, void *conn) {
  tt *t = ud;
  t->count = 1;
  tt_terminate_offload(ud, conn);
}

static void lrt_up(torc_host_ops *up) {
  up->receive_complete = lrt_receive_complete;
}

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  if (!tt_init(host_abi_version, host, host_ctx, out, errbuf,
               "leaves_requests_at_terminate", lrt_up))
    return -1;
  out->terminate_offload = lrt_terminate_offload;
  return 0;
}
