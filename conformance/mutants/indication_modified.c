/*
 * indication_modified.c - mutant: the reference, except that once the host
 * accepted an indication it reuses the indicated memory (here: inverts the
 * first byte) before the host returned it through receive_return.  Breaks
 * RCV-133.
 *
 * Wrapper: the receive-indicate upcall scribbles on the bytes after a
 * SUCCESS answer.
 */
#include <stdint.h>

#include "tt_wrap.h"

static uint32_t inm_receive_indicate(void *ctx, uint64_t h, uint64_t id,
                                     uint32_t s, const torc_fragment *f,
                                     uint32_t n, uint32_t *consumed) {
  uint32_t answer = tt_up_receive_indicate(ctx, h, id, s, f, n, consumed);
  if (answer == TORC_STATUS_SUCCESS && f != NULL && n > 0 && f[0].len > 0) {
    uint8_t *p = (uint8_t *)(uintptr_t)f[0].data;
    p[0] = (uint8_t)~p[0]; /* the fault: still lent to the host */
  }
  return answer;
}

static void inm_up(torc_host_ops *up) {
  up->receive_indicate = inm_receive_indicate;
}

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  return tt_init(host_abi_version, host, host_ctx, out, errbuf,
                 "indication_modified", inm_up)
             ? 0
             : -1;
}
