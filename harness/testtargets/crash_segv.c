/*
 * crash_segv.c - bad target: the reference, except that it dereferences a
 * NULL pointer on the first receive request it is given.
 *
 * Expected verdict: CRASH for every vector that posts a request (in process
 * the forked vector child dies; out of process the runner dies and the proxy
 * sees EOF), and the run goes on.
 */
#include "tt_wrap.h"

static uint32_t segv_receive(void *ud, void *conn, const torc_recv_request *r,
                             uint32_t n) {
  volatile int *volatile p = NULL; /* the compiler must really store */
  *p = 1;
  return tt_receive(ud, conn, r, n);
}

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf);
int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  if (!tt_init(host_abi_version, host, host_ctx, out, errbuf, "crash_segv",
               NULL))
    return -1;
  out->receive = segv_receive;
  return 0;
}
