/*
 * uploads_half_closed.c - bad target: the reference, except that right after
 * it indicates the disconnect (the peer's FIN taken: the connection is now
 * half-closed, CLOSE_WAIT) it asks the host to upload the connection
 * (TcpIndicateRetrieve with the optional reason LowActivity, NDIS value 1).
 *
 * Expected verdict: FAIL naming RCV-243 (no target-initiated upload of a
 * half-closed connection) for every vector whose expected trace holds the
 * disconnect indication; PASS for every other vector.
 */
#include "tt_wrap.h"

#define TT_UPLOAD_LOW_ACTIVITY 1u /* TCP_UPLOAD_REASON LowActivity */

static void uhc_event(void *ctx, uint64_t h, uint32_t e, uint32_t i) {
  tt_up_event(ctx, h, e, i);
  if (e == TORC_EVENT_DISCONNECT)
    tt_up_event(ctx, h, TORC_EVENT_RETRIEVE, TT_UPLOAD_LOW_ACTIVITY);
}

static void uploads_when_half_closed(torc_host_ops *up) {
  up->event_indicate = uhc_event;
}

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf);
int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  if (!tt_init(host_abi_version, host, host_ctx, out, errbuf,
               "uploads_half_closed", uploads_when_half_closed))
    return -1;
  return 0;
}
