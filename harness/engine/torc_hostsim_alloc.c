/*
 * torc_hostsim_alloc.c - the host's allocation hook (host->alloc and
 * host->free) with injected failures and leak accounting.
 *
 * Where it sits: the callbacks table (torc_hostsim_upcalls.c) hands these to
 * the target; a script's fail_alloc arms here (torc_hostsim_fail_alloc)
 * the failure of every allocation made while the host plays the next event,
 * which the engine brackets with torc_hostsim_event_begin/_end;
 * torc_hostsim_close compares the blocks still outstanding with those at
 * conn_open (RCV-233).  The host keeps its own table of the blocks it lent
 * (below), so a double free or a pointer it never lent is told without
 * touching the memory behind the pointer, and torc_hostsim_free gives back
 * what a target leaked.
 */
#include "torc_hostsim_int.h"

#include <stdlib.h>

/* ---- The table of live blocks ------------------------------------------- *
 * Every address handed to the target is a key of hs->live until the target
 * frees it.  free() looks its argument up there: an address that is not a
 * key (freed already, never lent, or inside a block) is a violation and is
 * neither dereferenced nor passed to the C library.  An address malloc
 * reuses for a later block is live again, so a double free of it after that
 * reuse looks like a free of the new block: the table cannot tell. */

static size_t live_hash(uintptr_t p, size_t mask) {
  uint64_t h = (uint64_t)p >> 4; /* malloc's blocks are 16-byte aligned */
  h *= 0x9E3779B97F4A7C15ull;
  return (size_t)(h >> 32) & mask;
}

/* Slot of p, or live_cap when p is not live. */
static size_t live_find(const torc_hostsim *hs, uintptr_t p) {
  size_t mask, i;
  if (hs->live_cap == 0)
    return 0;
  mask = hs->live_cap - 1;
  for (i = live_hash(p, mask); hs->live[i] != 0; i = (i + 1) & mask)
    if (hs->live[i] == p)
      return i;
  return hs->live_cap;
}

static void live_put(uintptr_t *slot, size_t cap, uintptr_t p) {
  size_t mask = cap - 1, i = live_hash(p, mask);
  while (slot[i] != 0)
    i = (i + 1) & mask;
  slot[i] = p;
}

/* Adds p (not live); 0, or -1 when the table cannot grow. */
static int live_add(torc_hostsim *hs, uintptr_t p) {
  if ((hs->nlive + 1) * 2 > hs->live_cap) {
    size_t nc = hs->live_cap ? hs->live_cap * 2 : 64, i;
    uintptr_t *ns;
    if (nc < hs->live_cap || nc > SIZE_MAX / sizeof *ns)
      return -1;
    ns = calloc(nc, sizeof *ns);
    if (!ns)
      return -1;
    for (i = 0; i < hs->live_cap; i++)
      if (hs->live[i] != 0)
        live_put(ns, nc, hs->live[i]);
    free(hs->live);
    hs->live = ns;
    hs->live_cap = nc;
  }
  live_put(hs->live, hs->live_cap, p);
  hs->nlive++;
  return 0;
}

/* Empties slot i, moving later entries of its probe run back so that every
 * key stays reachable from its home slot (no tombstones). */
static void live_del(torc_hostsim *hs, size_t i) {
  size_t mask = hs->live_cap - 1, j = i;
  for (;;) {
    size_t k;
    j = (j + 1) & mask;
    if (hs->live[j] == 0)
      break;
    k = live_hash(hs->live[j], mask);
    /* The entry at j stays if its home k lies cyclically in (i, j]. */
    if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
      continue;
    hs->live[i] = hs->live[j];
    i = j;
  }
  hs->live[i] = 0;
  hs->nlive--;
}

void torc_hs_alloc_release(torc_hostsim *hs) {
  size_t i;
  for (i = 0; i < hs->live_cap; i++)
    free((void *)hs->live[i]);
  free(hs->live);
  hs->live = NULL;
  hs->live_cap = hs->nlive = 0;
  hs->outstanding = 0;
}

/* ---- The hook ----------------------------------------------------------- */

void *torc_hs_host_alloc(void *ctx, size_t size) {
  torc_hostsim *hs = ctx;
  void *p;
  hs->nallocs++;
  if (hs->failing) {
    hs->fail_hits++;
    return NULL;
  }
  if (size > ((size_t)1 << 32))
    return NULL; /* runaway request: fail it, the target must cope */
  p = malloc(size ? size : 1);
  if (!p)
    return NULL;
  if (live_add(hs, (uintptr_t)p) < 0) {
    free(p);
    return NULL;
  }
  hs->outstanding++;
  return p;
}

void torc_hs_host_free(void *ctx, void *ptr) {
  torc_hostsim *hs = ctx;
  size_t i;
  if (!ptr)
    return;
  i = live_find(hs, (uintptr_t)ptr);
  if (i == hs->live_cap) {
    torc_hostsim_violation(hs, "RCV-233",
                           "free() of a block the host did not allocate or "
                           "already freed");
    return;
  }
  live_del(hs, i);
  hs->outstanding--;
  free(ptr);
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

int torc_hostsim_alloc_failing(const torc_hostsim *hs) {
  return hs->failing;
}

uint32_t torc_hostsim_fail_missed(const torc_hostsim *hs) {
  return hs->missed_at;
}

void torc_hostsim_fail_clear(torc_hostsim *hs) {
  hs->fail_event = UINT32_MAX;
  hs->failing = 0;
}
