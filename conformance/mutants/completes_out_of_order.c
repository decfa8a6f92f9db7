/*
 * completes_out_of_order.c - mutant: the reference, except that when one
 * receive-complete call completes several requests it lists them newest
 * first instead of in posting order.  Breaks RCV-061.
 *
 * Wrapper: the receive-complete upcall reverses its array.
 */
#include "tt_wrap.h"

#define COO_MAX 64

static void coo_receive_complete(void *ctx, uint64_t h,
                                 const torc_completion *c, uint32_t n) {
  torc_completion v[COO_MAX];
  if (n < 2 || n > COO_MAX) {
    tt_up_receive_complete(ctx, h, c, n);
    return;
  }
  for (uint32_t i = 0; i < n; i++)
    v[i] = c[n - 1 - i]; /* the fault */
  tt_up_receive_complete(ctx, h, v, n);
}

static void coo_up(torc_host_ops *up) {
  up->receive_complete = coo_receive_complete;
}

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  return tt_init(host_abi_version, host, host_ctx, out, errbuf,
                 "completes_out_of_order", coo_up)
             ? 0
             : -1;
}
