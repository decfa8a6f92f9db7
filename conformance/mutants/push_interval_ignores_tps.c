/*
 * push_interval_ignores_tps.c - mutant: the reference, except that it
 * ignores TicksPerSecond and counts TcpPushTicks in milliseconds, so with
 * 10 or 100 ticks per second the push timer fires too early.  Breaks
 * RCV-204 (the host's tick resolution) and RCV-197 (the interval).
 *
 * Wrapper: initiate_offload passes a copy of the state with
 * ticks_per_second = 1000.
 */
#include "tt_wrap.h"

static void pit_initiate_offload(void *ud, void *conn,
                                 const torc_offload_state *st) {
  torc_offload_state copy;
  if (st == NULL) {
    tt_initiate_offload(ud, conn, st);
    return;
  }
  memset(&copy, 0, sizeof(copy));
  memcpy(&copy, st,
         st->struct_size < sizeof(copy) ? st->struct_size : sizeof(copy));
  copy.ticks_per_second = 1000; /* the fault */
  tt_initiate_offload(ud, conn, &copy);
}

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  if (!tt_init(host_abi_version, host, host_ctx, out, errbuf,
               "push_interval_ignores_tps", NULL))
    return -1;
  out->initiate_offload = pit_initiate_offload;
  return 0;
}
