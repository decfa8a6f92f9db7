/*
 * wrong_handle.c - bad target: the reference, except that every upcall
 * carries a host_handle other than the one given to conn_open (RCV-122).
 *
 * Expected verdict: FAIL naming RCV-122 from the first upcall on.
 */
#include "tt_wrap.h"

#define WRONG(h) ((h) ^ 0x5A5A0000u)

static void wh_offload_complete(void *ctx, uint64_t h, uint32_t s) {
  tt_up_offload_complete(ctx, WRONG(h), s);
}
static void wh_receive_complete(void *ctx, uint64_t h, const torc_completion *c,
                                uint32_t n) {
  tt_up_receive_complete(ctx, WRONG(h), c, n);
}
static uint32_t wh_receive_indicate(void *ctx, uint64_t h, uint64_t id,
                                    uint32_t s, const torc_fragment *f,
                                    uint32_t n, uint32_t *consumed) {
  return tt_up_receive_indicate(ctx, WRONG(h), id, s, f, n, consumed);
}
static void wh_event(void *ctx, uint64_t h, uint32_t e, uint32_t i) {
  tt_up_event(ctx, WRONG(h), e, i);
}
static void wh_terminate_complete(void *ctx, uint64_t h, uint32_t s,
                                  const torc_upload_state *st) {
  tt_up_terminate_complete(ctx, WRONG(h), s, st);
}

static void wrong_handles(torc_host_ops *up) {
  up->initiate_offload_complete = wh_offload_complete;
  up->receive_complete = wh_receive_complete;
  up->receive_indicate = wh_receive_indicate;
  up->event_indicate = wh_event;
  up->terminate_offload_complete = wh_terminate_complete;
}

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf);
int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  if (!tt_init(host_abi_version, host, host_ctx, out, errbuf, "wrong_handle",
               wrong_handles))
    return -1;
  return 0;
}
