/*
 * wrong_handle.c - mutant: the reference, except that its receive
 * indications carry a handle other than the one the host gave for the
 * connection (the handle with its lowest bit flipped).  Breaks RCV-122.
 *
 * Wrapper: the receive-indicate upcall passes host_handle ^ 1.
 */
#include "tt_wrap.h"

static uint32_t wh_receive_indicate(void *ctx, uint64_t h, uint64_t id,
                                    uint32_t s, const torc_fragment *f,
                                    uint32_t n, uint32_t *consumed) {
  return tt_up_receive_indicate(ctx, h ^ 1u, id, s, f, n,
                                consumed); /* the fault */
}

static void wh_up(torc_host_ops *up) {
  up->receive_indicate = wh_receive_indicate;
}

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  return tt_init(host_abi_version, host, host_ctx, out, errbuf, "wrong_handle",
                 wh_up)
             ? 0
             : -1;
}
