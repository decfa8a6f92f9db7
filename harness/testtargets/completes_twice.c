/*
 * completes_twice.c - bad target: the reference, except that the first
 * receive completion it makes is made twice: the same requests, ids and byte
 * counts, in a second receive_complete call right after the first.
 *
 * Expected verdict: FAIL naming the requirement on completing a request
 * once (the engine reports the already completed id), for every vector with
 * a completion.
 */
#include "tt_wrap.h"

static void twice_receive_complete(void *ctx, uint64_t h,
                                   const torc_completion *c, uint32_t n) {
  tt *t = ctx;
  tt_up_receive_complete(ctx, h, c, n);
  if (n > 0 && t->count++ == 0)
    tt_up_receive_complete(ctx, h, c, n); /* c is still ours: same call */
}

static void twice(torc_host_ops *up) {
  up->receive_complete = twice_receive_complete;
}

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf);
int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  if (!tt_init(host_abi_version, host, host_ctx, out, errbuf, "completes_twice",
               twice))
    return -1;
  return 0;
}
