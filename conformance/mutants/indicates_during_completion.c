/*
 * indicates_during_completion.c - mutant: the reference, except that a
 * request posted from inside one of its receive completions (RCV-107) makes
 * it indicate at once, while the completion is still in progress on the
 * connection.  Breaks RCV-046.
 *
 * Wrapper (as harness/testtargets/indicates_during_completion.c): receive()
 * called during a completion first makes a stray 4-byte indication.
 */
#include "mutant_wrap.h"

/* Static so that they stay valid whatever the host answers (RCV-133). */
static const uint8_t stray[4] = {0xDE, 0xAD, 0xBE, 0xEF};

static uint32_t idc_receive(void *ud, void *conn, const torc_recv_request *r,
                            uint32_t n) {
  mw *t = ud;
  if (t->in_complete > 0) {
    torc_fragment f = {stray, sizeof(stray)};
    uint32_t consumed = 0;
    t->host->receive_indicate(t->host_ctx, t->last_handle, 0xD00Du,
                              TORC_STATUS_SUCCESS, &f, 1, &consumed);
  }
  return mw_receive(ud, conn, r, n);
}

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  if (!mw_init(host_abi_version, host, host_ctx, out, errbuf,
               "indicates_during_completion", NULL))
    return -1;
  out->receive = idc_receive;
  return 0;
}
