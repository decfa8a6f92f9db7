/*
 * torc_hostsim_alloc.c - the host's allocation hook (host->alloc and
 * host->free) with injected failures and leak accounting.
 *
 * Where it sits: the callbacks table (torc_hostsim_upcalls.c) hands these to
 * the target; a script's fail_alloc arms here (torc_hostsim_fail_alloc)
 * the failure of every allocation made while the host plays the next event,
 * which the engine brackets with torc_hostsim_event_begin/_end;
 * torc_hostsim_close compares the blocks still outstanding with those at
 * conn_open (RCV-233).
 */
#include "torc_hostsim_int.h"

#include <stdlib.h>

void *torc_hs_host_alloc(void *ctx, size_t size) {
  torc_hostsim *hs = ctx;
  alloc_hdr *h;
  hs->nallocs++;
  if (hs->failing) {
    hs->fail_hits++;
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

void torc_hostsim_fail_alloc(torc_hostsim *hs) {
  hs->fail_event = hs->at + 1;
}

void torc_hostsim_event_begin(torc_hostsim *hs, uint32_t at) {
  if (hs->fail_event != at)
    return;
  hs->failing = 1;
  hs->hits_at_start = hs->fail_hits;
}

void torc_hostsim_event_end(torc_hostsim *hs) {
  if (!hs->failing)
    return;
  hs->failing = 0;
  if (hs->fail_hits == hs->hits_at_start && hs->missed_at == UINT32_MAX)
    hs->missed_at = hs->fail_event;
  hs->fail_event = UINT32_MAX;
}

uint32_t torc_hostsim_fail_missed(const torc_hostsim *hs) {
  return hs->missed_at;
}

void torc_hostsim_fail_clear(torc_hostsim *hs) {
  hs->fail_event = UINT32_MAX;
  hs->failing = 0;
}
