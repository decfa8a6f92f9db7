/*
 * upload_rcvnxt_inconsistent.c - mutant: the reference, except that at
 * terminate it reports as RcvNxt the end of the data it delivered, not the
 * end of the data it received: the handed-back BufferedData then ends
 * before the reported RcvNxt by its own length.  Breaks RCV-224 (DEC-07:
 * delivered + handed back = the stream up to RcvNxt).
 *
 * Wrapper: the terminate-complete upcall subtracts the handed-back length
 * from rcv_nxt.
 */
#include "tt_wrap.h"

static void uri_terminate_complete(void *ctx, uint64_t h, uint32_t s,
                                   const torc_upload_state *st) {
  torc_upload_state copy;
  if (st == NULL) {
    tt_up_terminate_complete(ctx, h, s, st);
    return;
  }
  copy = *st;
  for (const torc_buffer_list *l = st->buffered_data; l; l = l->next)
    for (uint32_t i = 0; i < l->nfrags; i++)
      copy.rcv_nxt -= l->frags[i].len; /* the fault */
  tt_up_terminate_complete(ctx, h, s, &copy);
}

static void uri_up(torc_host_ops *up) {
  up->terminate_offload_complete = uri_terminate_complete;
}

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  return tt_init(host_abi_version, host, host_ctx, out, errbuf,
                 "upload_rcvnxt_inconsistent", uri_up)
             ? 0
             : -1;
}
