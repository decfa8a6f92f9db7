/*
 * extra_allocs.c - test target: the reference, allocating differently.
 * Before each allocation the reference asks for, it takes a scratch block
 * of its own from the host and gives it back, so it makes twice as many
 * host allocations, in another order, with the same behaviour.
 *
 * Expected (issue 14): a fail_alloc states its situation in protocol terms
 * (every allocation while the next event is handled fails), so this
 * target meets the same situation as the reference and PASSes every vector
 * the reference PASSes.  Under a count of allocations ("the nth fails") it
 * would not: its scratch block would take the failure.
 */
#include "tt_wrap.h"

static void *ea_alloc(void *ctx, size_t size) {
  tt *t = ctx;
  void *scratch = t->host->alloc(t->host_ctx, 64);
  if (scratch)
    t->host->free(t->host_ctx, scratch);
  return t->host->alloc(t->host_ctx, size);
}

static void ea_customize(torc_host_ops *up) {
  up->alloc = ea_alloc;
}

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  return tt_init(host_abi_version, host, host_ctx, out, errbuf, "extra_allocs",
                 ea_customize)
             ? 0
             : -1;
}
