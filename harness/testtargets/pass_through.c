/*
 * pass_through.c - not a bad target: the pass-through target of `make
 * bench-exec`, the reference behind tt_wrap.h's table of forwarders, every
 * operation and every host callback passing through one more call, and
 * nothing changed (expected verdict: the reference's, PASS everywhere).
 *
 * Where it sits: scripts/bench_exec.py runs the committed vectors against
 * it in process, through `exec:torc-target-runner` and contained, so the
 * difference is what the process boundary costs with the whole ABI in use
 * (allocations, completions, indications, events, uploads), not a target
 * that declares nothing and is skipped at the capability check.
 */
#include "tt_wrap.h"

static void unchanged(torc_host_ops *up) {
  (void)up;
}

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf);
int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  if (!tt_init(host_abi_version, host, host_ctx, out, errbuf, "pass_through",
               unchanged))
    return -1;
  return 0;
}
