/*
 * overrun.c - bad target: the reference, except that it writes one byte
 * past the end of the first request it is given (buf[size]), breaking the
 * rule that a target writes only [prefilled, size) of a request.
 *
 * TORC_TT_OVERRUN_OFFSET moves the write to buf[size + OFFSET] (a negative
 * OFFSET reaches before the buffer: buf[OFFSET - 1] with OFFSET < 0), for
 * writes a page or more beyond either end.
 *
 * Expected verdict: the host's guard regions (16 pages on each side of
 * every request buffer) turn the write into a fault, so CRASH in process in
 * every isolation mode; the runner keeps its copy of each request between
 * guard regions too, so CRASH out of process as well.
 */
#include <stdlib.h>

#include "tt_wrap.h"

static uint32_t overrun_receive(void *ud, void *conn,
                                const torc_recv_request *r, uint32_t n) {
  tt *t = ud;
  const char *env = getenv("TORC_TT_OVERRUN_OFFSET");
  long off = env ? strtol(env, NULL, 10) : 0;
  if (n > 0 && r[0].buf && t->count++ == 0) {
    volatile uint8_t *b = (volatile uint8_t *)r[0].buf;
    if (off < 0)
      b[off - 1] = 0x5A; /* before the start */
    else
      b[(size_t)r[0].size + (size_t)off] = 0x5A; /* past the end */
  }
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
