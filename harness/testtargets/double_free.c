/*
 * double_free.c - test target: the reference, freeing every block twice.
 * Each free the reference makes through the host's hook is passed on, then
 * made again with the same pointer, now one the host no longer owns.
 *
 * Expected (issue 16): every vector FAILs naming RCV-233 (the second free of
 * the connection's block at conn_close), because the host finds the pointer
 * missing from its table of live blocks (torc_hostsim_alloc.c).  The host
 * never reads the freed block to decide it: under valgrind the run shows no
 * invalid read (harness/tests/test_hostsim_alloc.py).
 */
#include "tt_wrap.h"

static void df_free(void *ctx, void *p) {
  tt *t = ctx;
  t->host->free(t->host_ctx, p);
  t->host->free(t->host_ctx, p);
}

static void df_customize(torc_host_ops *up) {
  up->free = df_free;
}

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  return tt_init(host_abi_version, host, host_ctx, out, errbuf, "double_free",
                 df_customize)
             ? 0
             : -1;
}
