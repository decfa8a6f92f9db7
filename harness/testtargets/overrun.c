/*
 * overrun.c - bad target: the reference, except that it writes one byte
 * past the end of the first request it is given (buf[size]), breaking the
 * rule that a target writes only [prefilled, size) of a request.
 *
 * Expected verdict: the host's guard page after each request buffer turns
 * the write into a fault, so CRASH in process; the runner keeps its copy of
 * each request between guard pages too, so CRASH out of process as well.
 */
#include "tt_wrap.h"

static uint32_t overrun_receive(void *ud, void *conn,
                                const torc_recv_request *r, uint32_t n) {
  tt *t = ud;
  if (n > 0 && r[0].buf && t->count++ == 0)
    ((volatile uint8_t *)r[0].buf)[r[0].size] = 0x5A; /* one past the end */
  return tt_receive(ud, conn, r, n);
}

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf);
int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  if (!tt_init(host_abi_version, host, host_ctx, out, errbuf, "overrun", NULL))
    return -1;
  out->receive = overrun_receive;
  return 0;
}
