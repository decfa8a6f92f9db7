/*
 * torc_hostsim_alloc.c - the host's allocation hook (host->alloc and
 * host->free) with injected failures and leak accounting.
 *
 * Where it sits: the callbacks table (torc_hostsim_upcalls.c) hands these to
 * the target; the script's fail_alloc events arm failures here through
 * torc_hostsim_fail_alloc, and torc_hostsim_close compares the blocks still
 * outstanding with those at conn_open (RCV-233).
 */
#include "torc_hostsim_int.h"

#include <stdlib.h>

void *torc_hs_host_alloc(void *ctx, size_t size) {
  torc_hostsim *hs = ctx;
  alloc_hdr *h;
  size_t i;
  uint64_t n = ++hs->nallocs;
  for (i = 0; i < hs->nfail; i++)
    if (hs->fail_at[i] == n) {
      hs->fail_at[i] = hs->fail_at[--hs->nfail];
      return NULL;
    }
  if (size > ((size_t)1 << 32))
    return NULL; /* runaway request: fail it, the target must cope */
  h = malloc(sizeof *h + (size ? size : 1));
  if (!h)
    return NULL;
  h->magic = ALLOC_MAGIC;
  h->size = size;
  hs->outstanding++;
  return h + 1;
}

void torc_hs_host_free(void *ctx, void *ptr) {
  torc_hostsim *hs = ctx;
  alloc_hdr *h;
  if (!ptr)
    return;
  h = (alloc_hdr *)ptr - 1;
  if (h->magic != ALLOC_MAGIC) {
    torc_hostsim_violation(hs, "RCV-233",
                           "free() of a block the host did not allocate or "
                           "already freed");
    return;
  }
  h->magic = ALLOC_FREED;
  hs->outstanding--;
  free(h);
}

void torc_hostsim_fail_alloc(torc_hostsim *hs, uint32_t nth) {
  if (hs->nfail < MAX_FAILS)
    hs->fail_at[hs->nfail++] = hs->nallocs + nth;
}

void torc_hostsim_fail_clear(torc_hostsim *hs) {
  hs->nfail = 0;
}
