/*
 * writes_past_size.c - mutant: the reference, except that when it
 * completes a request it filled to the brim it also writes a terminating
 * zero byte just past the request's size, outside the host's buffer.
 * Breaks RCV-113 (the target writes only inside the buffer, DEC-12) and
 * the byte accounting of RCV-112.
 *
 * Wrapper: the receive-complete upcall writes buf[size] of each full
 * request before passing the completion on (the host's guard page catches
 * it: CRASH).
 */
#include "tt_wrap.h"

static void wps_receive_complete(void *ctx, uint64_t h,
                                 const torc_completion *c, uint32_t n) {
  tt *t = ctx;
  for (uint32_t i = 0; i < n; i++) {
    int r = tt_find_req(t, c[i].id);
    if (r >= 0 && t->reqs[r].buf != NULL && c[i].bytes > 0 &&
        c[i].bytes == t->reqs[r].size - t->reqs[r].prefilled)
      t->reqs[r].buf[t->reqs[r].size] = 0; /* the fault */
  }
  tt_up_receive_complete(ctx, h, c, n);
}

static void wps_up(torc_host_ops *up) {
  up->receive_complete = wps_receive_complete;
}

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  if (!tt_init(host_abi_version, host, host_ctx, out, errbuf,
               "writes_past_size", wps_up))
    return -1;
  out->receive = tt_receive; /* notes each request's buffer */
  return 0;
}
