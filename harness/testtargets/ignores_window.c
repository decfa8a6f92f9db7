/*
 * ignores_window.c - test target: the reference, but accepting 64 KiB more
 * than the receive window the host offloaded (RCV-167: data up to the
 * window's right edge and no further).
 *
 * Expected: every vector whose expected deliveries the window cut FAILs,
 * attributed to RCV-167 (the rule named in the because of the expected
 * event whose byte count differs); the others PASS.
 */
#include "tt_wrap.h"

static void wide_offload(void *ud, void *c, const torc_offload_state *st) {
  tt *t = ud;
  torc_offload_state wide;
  if (st == NULL) {
    t->ref.initiate_offload(t->ref.user_data, c, st);
    return;
  }
  wide = *st;
  wide.rcv_wnd += 65536; /* the fault */
  if (wide.initial_rcv_wnd != 0)
    wide.initial_rcv_wnd += 65536;
  t->ref.initiate_offload(t->ref.user_data, c, &wide);
}

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf);
int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  if (!tt_init(host_abi_version, host, host_ctx, out, errbuf, "ignores_window",
               NULL))
    return -1;
  out->initiate_offload = wide_offload;
  return 0;
}
