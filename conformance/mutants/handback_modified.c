/*
 * handback_modified.c - mutant: the reference, except that right after the
 * terminate completes it reuses the memory of the data it handed back
 * (here: zeroes its first byte) before the host returned it.  Breaks
 * RCV-212.
 *
 * Wrapper: the terminate-complete upcall scribbles on the handed-back
 * bytes once the host's callback returns.
 */
#include <stdint.h>

#include "tt_wrap.h"

static void hbm_terminate_complete(void *ctx, uint64_t h, uint32_t s,
                                   const torc_upload_state *st) {
  tt_up_terminate_complete(ctx, h, s, st);
  if (st == NULL)
    return;
  for (const torc_buffer_list *l = st->buffered_data; l; l = l->next)
    for (uint32_t i = 0; i < l->nfrags; i++)
      if (l->frags[i].len > 0) {
        /* the fault: the bytes are still lent to the host */
        uint8_t *p = (uint8_t *)(uintptr_t)l->frags[i].data;
        p[0] = (uint8_t)~p[0];
      }
}

static void hbm_up(torc_host_ops *up) {
  up->terminate_offload_complete = hbm_terminate_complete;
}

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  return tt_init(host_abi_version, host, host_ctx, out, errbuf,
                 "handback_modified", hbm_up)
             ? 0
             : -1;
}
