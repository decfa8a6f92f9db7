/*
 * alloc_runaway.c - bad target: the reference, except that initiating an
 * offload allocates 1 MiB blocks with plain malloc (bypassing host->alloc),
 * touching each, without bound, and uses the first NULL it gets.
 *
 * Expected verdict: the vector's memory limit makes malloc fail, the target
 * faults on the NULL, CRASH; the run goes on.  Never run it without a
 * memory limit (torc-target-runner sets one by default).
 */
#include "tt_wrap.h"

#define BLOCK (1u << 20)

static void runaway_initiate_offload(void *ud, void *conn,
                                     const torc_offload_state *st) {
  tt *t = ud;
  for (;;) {
    void **blk = malloc(BLOCK);
    memset(blk, 0x5A, BLOCK); /* no NULL check: that is the bug */
    blk[0] = t->state;        /* keep every block reachable */
    t->state = blk;
  }
  tt_initiate_offload(ud, conn, st);
}

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf);
int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  if (!tt_init(host_abi_version, host, host_ctx, out, errbuf, "alloc_runaway",
               NULL))
    return -1;
  out->initiate_offload = runaway_initiate_offload;
  return 0;
}
