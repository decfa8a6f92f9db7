/*
 * torc_hostsim_requests.c - the host's posted receive requests and the
 * guarded buffers they lend the target.
 *
 * Where it sits: torc_hostsim.c posts a script's requests through
 * torc_hs_post_now (also from inside a completion, RCV-107); the
 * receive_complete callback (torc_hostsim_upcalls.c) hands each completion
 * to torc_hs_complete_one, which checks it against the request and the rules
 * (order, status, size, prefill, canary) and compares its bytes with the
 * stream.  Each buffer ends exactly at a PROT_NONE guard region of
 * GUARD_PAGES pages (64 KiB with 4 KiB pages: a write a page or more past
 * either end still faults), with another before it; regions are
 * pooled and reused, never returned to the kernel until the host simulation
 * is freed.
 */
#include "torc_hostsim_int.h"

#include <inttypes.h>
#include <string.h>
#include <sys/mman.h>

/* ---- Guarded regions ---------------------------------------------------- */

/* A region's data pages stay readable and writable and its guard pages stay
 * PROT_NONE for its whole life; regions go back to a pool, never to the
 * kernel, until the host simulation is freed. */
int torc_hs_region_get(torc_hostsim *hs, size_t npages, region *out) {
  size_t i, best = hs->npool, ps = hs->pagesize;
  for (i = 0; i < hs->npool; i++)
    if (hs->pool[i].npages >= npages && hs->pool[i].npages <= 2 * npages &&
        (best == hs->npool || hs->pool[i].npages < hs->pool[best].npages))
      best = i;
  if (best < hs->npool) {
    *out = hs->pool[best];
    hs->pool[best] = hs->pool[--hs->npool];
    return 0;
  }
  out->npages = npages;
  out->base = mmap(NULL, (npages + 2 * GUARD_PAGES) * ps,
                   PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (out->base == MAP_FAILED)
    return -1;
  if (mprotect(out->base, GUARD_PAGES * ps, PROT_NONE) < 0 ||
      mprotect(out->base + (GUARD_PAGES + npages) * ps, GUARD_PAGES * ps,
               PROT_NONE) < 0) {
    munmap(out->base, (npages + 2 * GUARD_PAGES) * ps);
    return -1;
  }
  return 0;
}

/* Keeps the region for reuse (or unmaps it when the pool is full). */
void torc_hs_region_put(torc_hostsim *hs, region *r) {
  if (!r->base)
    return;
  if (hs->npool < POOL_MAX)
    hs->pool[hs->npool++] = *r;
  else
    munmap(r->base, (r->npages + 2 * GUARD_PAGES) * hs->pagesize);
  r->base = NULL;
}

/* The data pages of a region. */
uint8_t *torc_hs_region_data(const torc_hostsim *hs, const region *r) {
  return r->base + GUARD_PAGES * hs->pagesize;
}

/* Fills a completed request's pages with the "returned" pattern. */
void torc_hs_region_mark_returned(torc_hostsim *hs, const region *r) {
  memset(torc_hs_region_data(hs, r), RETURNED, r->npages * hs->pagesize);
}

/* 1 if the pages still hold the "returned" pattern. */
int torc_hs_region_untouched(const torc_hostsim *hs, const region *r) {
  size_t k, ps = hs->pagesize;
  const uint8_t *d = torc_hs_region_data(hs, r);
  for (k = 0; k < r->npages; k++)
    if (memcmp(d + k * ps, hs->returned, ps) != 0)
      return 0;
  return 1;
}

/* ---- Requests ----------------------------------------------------------- */

void torc_hs_post_now(torc_hostsim *hs, const torc_event *e) {
  torc_recv_request rq;
  hs_req *r;
  uint32_t ret = TORC_STATUS_PENDING, k;
  size_t ps = hs->pagesize, npages;
  uint8_t *data;
  if (HS_GROW(hs, reqs, capreqs, hs->nreqs + 1) < 0) {
    torc_hostsim_violation(hs, "RCV-090", "host out of memory");
    return;
  }
  r = &hs->reqs[hs->nreqs];
  memset(r, 0, sizeof *r);
  npages = e->size ? (e->size + ps - 1) / ps : 1;
  if (torc_hs_region_get(hs, npages, &r->r) < 0) {
    torc_hostsim_violation(hs, "RCV-090", "host could not map a buffer");
    return;
  }
  hs->nreqs++;
  r->id = e->req_id;
  r->size = e->size;
  r->prefilled = e->prefilled;
  r->push = e->push;
  r->after_disconnect = (uint8_t)hs->disconnect_seen;
  data = torc_hs_region_data(hs, &r->r);
  r->buf = data + r->r.npages * ps - e->size; /* ends at the guard page */
  memset(data, CANARY, (size_t)(r->buf - data));
  for (k = 0; k < e->prefilled; k++)
    r->buf[k] = (uint8_t)(0x50 + k * 7);
  memset(&rq, 0, sizeof rq);
  rq.id = r->id;
  rq.buf = r->buf;
  rq.size = r->size;
  rq.prefilled = r->prefilled;
  rq.push = r->push;
  hs->ever_posted = 1;
  hs->refused = 0;
  torc_call_receive(hs->cs, hs->conn, &rq, 1, &ret);
  memset(&rq, 0, sizeof rq); /* borrowed for the call */
  if (ret != TORC_STATUS_PENDING)
    torc_hostsim_violation(
        hs, "RCV-091", "receive() returned 0x%08" PRIX32 " instead of PENDING",
        ret);
}

static int completion_status_ok(uint32_t s) {
  return s == TORC_STATUS_SUCCESS || s == TORC_STATUS_REQUEST_ABORTED ||
         s == TORC_STATUS_UPLOAD_IN_PROGRESS || s == TORC_STATUS_INVALID_STATE;
}

void torc_hs_complete_one(torc_hostsim *hs, const torc_completion *c) {
  size_t i;
  hs_req *r = NULL;
  uint32_t bytes = c->bytes, k;
  for (i = 0; i < hs->nreqs; i++)
    if (hs->reqs[i].id == c->id) {
      r = &hs->reqs[i];
      break;
    }
  if (!r) {
    torc_hostsim_violation(
        hs, "RCV-109",
        "completion of request %" PRIu64 ", which was never posted", c->id);
    return;
  }
  if (r->done) {
    torc_hostsim_violation(hs, "RCV-109", "request %" PRIu64 " completed twice",
                           c->id);
    return;
  }
  /* RCV-061; under the reading disconnect-posts-at-once (DEC-18) a request
   * posted after the disconnect may fail with INVALID_STATE ahead of older
   * ones, and the judge holds the trace to the vector's alternative. */
  if (i != hs->oldest_open &&
      !(r->after_disconnect && c->status == TORC_STATUS_INVALID_STATE &&
        (hs->vb->allowances & TORC_ALLOW_DISCONNECT_POSTS_AT_ONCE)))
    torc_hostsim_violation(hs, "RCV-061",
                           "request %" PRIu64
                           " completed before request %" PRIu64
                           ", posted earlier",
                           c->id, hs->reqs[hs->oldest_open].id);
  if (!completion_status_ok(c->status))
    torc_hostsim_violation(
        hs, "RCV-110", "request %" PRIu64 " completed with status 0x%08" PRIX32,
        c->id, c->status);
  if (bytes > r->size - r->prefilled) {
    torc_hostsim_violation(hs, "RCV-112",
                           "request %" PRIu64 " completed with %" PRIu32
                           " bytes, it has room for %" PRIu32,
                           c->id, bytes, r->size - r->prefilled);
    bytes = r->size - r->prefilled;
  }
  torc_trace_add_req(&hs->trace, c->id, c->status, c->bytes,
                     c->bytes ? hs->delivered : TORC_NO_OFFSET);
  /* DEC-12: the prefilled bytes are the host's. */
  for (k = 0; k < r->prefilled; k++)
    if (r->buf[k] != (uint8_t)(0x50 + k * 7)) {
      torc_hostsim_violation(
          hs, "RCV-187", "request %" PRIu64 ": prefilled byte %u overwritten",
          c->id, k);
      break;
    }
  {
    /* The slack can exceed one page when a pooled region is larger than
     * needed: compare it page by page with the one-page canary. */
    const uint8_t *lo = torc_hs_region_data(hs, &r->r);
    size_t slack = (size_t)(r->buf - lo), o, m;
    int bad = 0;
    for (o = 0; o < slack && !bad; o += m) {
      m = slack - o < hs->pagesize ? slack - o : hs->pagesize;
      bad = memcmp(lo + o, hs->canary, m) != 0;
    }
    if (bad)
      torc_hostsim_violation(hs, "RCV-113",
                             "request %" PRIu64
                             ": bytes written before the buffer's start",
                             c->id);
  }
  torc_hs_check_data(hs, r->buf + r->prefilled, bytes);
  r->done = 1;
  torc_hs_region_mark_returned(hs, &r->r); /* checked again at conn_close */
  while (hs->oldest_open < hs->nreqs && hs->reqs[hs->oldest_open].done)
    hs->oldest_open++;
}

void torc_hs_release_requests(torc_hostsim *hs) {
  size_t i;
  for (i = 0; i < hs->nreqs; i++)
    torc_hs_region_put(hs, &hs->reqs[i].r);
  hs->nreqs = 0;
  hs->oldest_open = 0;
}
