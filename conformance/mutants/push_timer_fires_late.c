/*
 * push_timer_fires_late.c - mutant: the reference, except that its push
 * timer runs 1 ms slow: it sees the virtual clock 1000 us behind, so a
 * partly filled push request completes late.  Breaks RCV-088 (the expiry
 * completes the request) and RCV-197 (the interval).
 *
 * Wrapper: advance_time() passes now - 1000 us to the reference.
 */
#include "tt_wrap.h"

static void ptl_advance_time(void *ud, uint64_t now) {
  tt_advance_time(ud, now > 1000 ? now - 1000 : 0); /* the fault */
}

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  if (!tt_init(host_abi_version, host, host_ctx, out, errbuf,
               "push_timer_fires_late", NULL))
    return -1;
  out->advance_time = ptl_advance_time;
  return 0;
}
