/*
 * hang.c - bad target: the reference, except that it loops forever on the
 * first segment from the wire.
 *
 * Expected verdict: TIMEOUT for every vector with a segment (the engine's
 * watchdog in process, the proxy's reply timeout out of process), and the
 * run goes on.
 */
#include "tt_wrap.h"

static void hang_segment(void *ud, void *conn, const torc_segment *seg) {
  volatile unsigned long spins = 0;
  for (;;) /* never returns */
    spins++;
  tt_segment(ud, conn, seg);
}

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf);
int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  if (!tt_init(host_abi_version, host, host_ctx, out, errbuf, "hang", NULL))
    return -1;
  out->segment = hang_segment;
  return 0;
}
