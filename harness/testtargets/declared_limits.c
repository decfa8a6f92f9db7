/*
 * declared_limits.c - test target: the reference, declaring limits (issue
 * 14, RCV-020..022).  It supports an InitialRcvWnd of at most 65535 bytes
 * and takes over at most 200 bytes of BufferedData, and refuses an offload
 * beyond either with the status the specification names:
 * OFFLOAD_TCP_RCV_WINDOW (RCV-022), OFFLOAD_TCP_RCV_BUFFER (RCV-021).
 *
 * TORC_TT_REFUSAL in the environment changes what it does beyond a limit,
 * for the tests of the judge: "failure" refuses with NDIS_STATUS_FAILURE
 * (a status the spec does not name for it), "accept" offloads anyway.
 * Within the limits it is the reference.
 */
#include <stdlib.h>
#include <string.h>

#include "tt_wrap.h"

#define DL_MAX_WND 65535u
#define DL_MAX_BUFFERED 200u

static uint64_t buffered_bytes(const torc_offload_state *st) {
  const torc_buffer_list *l;
  uint64_t n = 0;
  for (l = st->buffered_data; l; l = l->next)
    for (uint32_t i = 0; i < l->nfrags; i++)
      n += l->frags[i].len;
  return n;
}

static void dl_initiate_offload(void *ud, void *c,
                                const torc_offload_state *st) {
  tt *t = ud;
  const char *mode = getenv("TORC_TT_REFUSAL");
  uint32_t status = TORC_STATUS_SUCCESS;
  if (st->initial_rcv_wnd > DL_MAX_WND)
    status = TORC_STATUS_OFFLOAD_TCP_RCV_WINDOW;
  else if (buffered_bytes(st) > DL_MAX_BUFFERED)
    status = TORC_STATUS_OFFLOAD_TCP_RCV_BUFFER;
  if (status != TORC_STATUS_SUCCESS && mode && strcmp(mode, "failure") == 0)
    status = TORC_STATUS_FAILURE;
  if (status == TORC_STATUS_SUCCESS || (mode && strcmp(mode, "accept") == 0)) {
    t->ref.initiate_offload(t->ref.user_data, c, st);
    return;
  }
  t->host->initiate_offload_complete(t->host_ctx, t->last_handle, status);
}

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  if (!tt_init(host_abi_version, host, host_ctx, out, errbuf, "declared_limits",
               NULL))
    return -1;
  out->initiate_offload = dl_initiate_offload;
  out->max_initial_rcv_wnd = DL_MAX_WND;
  out->max_buffered_bytes = DL_MAX_BUFFERED;
  return 0;
}
