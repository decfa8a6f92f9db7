/*
 * torc_proxy_records.c - what the proxy keeps on the host side: the posted
 * requests (to copy completed bytes into the host's buffers), the holds
 * (copies of indicated and handed-back data the host may point at until it
 * returns them) and the host blocks the child allocated.
 *
 * Where it sits: the operations (torc_proxy_ops.c) add requests and release
 * holds; the upcalls (torc_proxy_upcalls.c) find requests and make holds;
 * the life cycle (torc_proxy.c) drops them all when the child goes.
 */
#include "torc_proxy_int.h"

#include <stdlib.h>
#include <string.h>

void torc_px_free_hold(proxy_hold *h) {
  torc_arena_free(&h->mem);
  free(h);
}

proxy_hold *torc_px_new_hold(uint64_t id, uint64_t handle) {
  proxy_hold *h = calloc(1, sizeof(*h));
  if (h) {
    h->id = id;
    h->handle = handle;
  }
  return h;
}

void torc_px_link_hold(torc_proxy *p, proxy_hold *h) {
  h->next = p->holds;
  p->holds = h;
}

/* Unlinks h if it is still held; 1 when it was. */
int torc_px_unlink_hold(torc_proxy *p, proxy_hold *h) {
  for (proxy_hold **pp = &p->holds; *pp; pp = &(*pp)->next)
    if (*pp == h) {
      *pp = h->next;
      return 1;
    }
  return 0;
}

/* Frees the oldest hold with this id (holds are linked newest first). */
void torc_px_release_hold(torc_proxy *p, uint64_t id) {
  proxy_hold **found = NULL;
  for (proxy_hold **pp = &p->holds; *pp; pp = &(*pp)->next)
    if ((*pp)->id == id)
      found = pp;
  if (found) {
    proxy_hold *h = *found;
    *found = h->next;
    torc_px_free_hold(h);
  }
}

void torc_px_drop_conn_records(torc_proxy *p, uint64_t handle, int all) {
  for (proxy_hold **pp = &p->holds; *pp;) {
    if (all || (*pp)->handle == handle) {
      proxy_hold *h = *pp;
      *pp = h->next;
      torc_px_free_hold(h);
    } else {
      pp = &(*pp)->next;
    }
  }
  size_t k = 0;
  for (size_t i = 0; i < p->nreqs; i++)
    if (!all && p->reqs[i].handle != handle)
      p->reqs[k++] = p->reqs[i];
  p->nreqs = k;
}

/* Gives every block the child still held back to the host. */
void torc_px_drop_allocs(torc_proxy *p) {
  for (size_t i = 0; i < p->nallocs; i++)
    if (p->allocs[i] && p->host->free)
      p->host->free(p->host_ctx, p->allocs[i]);
  p->nallocs = 0;
  for (size_t i = 0; i < p->capblks; i++)
    if (p->blks[i].token && p->host->free)
      p->host->free(p->host_ctx, p->blks[i].blk);
  free(p->blks);
  p->blks = NULL;
  p->nblks = p->capblks = 0;
  p->held_blocks = 0;
  p->held_bytes = 0;
}

static size_t blk_home(uint64_t token, size_t cap) {
  return (size_t)((token * 0x9E3779B97F4A7C15ull) >> 32) & (cap - 1);
}

static void blk_place(struct proxy_blk *t, size_t cap, uint64_t token,
                      void *blk) {
  size_t i = blk_home(token, cap);
  while (t[i].token)
    i = (i + 1) & (cap - 1);
  t[i].token = token;
  t[i].blk = blk;
}

static size_t blk_find(const torc_proxy *p, uint64_t token) {
  if (!p->capblks)
    return 0;
  for (size_t i = blk_home(token, p->capblks); p->blks[i].token;
       i = (i + 1) & (p->capblks - 1))
    if (p->blks[i].token == token)
      return i;
  return p->capblks;
}

int torc_px_blk_put(torc_proxy *p, uint64_t token, void *blk) {
  if (blk_find(p, token) < p->capblks)
    return -1;
  if ((p->nblks + 1) * 2 > p->capblks) {
    size_t nc = p->capblks ? p->capblks * 2 : 64;
    struct proxy_blk *t = calloc(nc, sizeof(*t));
    if (!t)
      return -1;
    for (size_t i = 0; i < p->capblks; i++)
      if (p->blks[i].token)
        blk_place(t, nc, p->blks[i].token, p->blks[i].blk);
    free(p->blks);
    p->blks = t;
    p->capblks = nc;
  }
  blk_place(p->blks, p->capblks, token, blk);
  p->nblks++;
  return 0;
}

void *torc_px_blk_take(torc_proxy *p, uint64_t token) {
  size_t i = blk_find(p, token), mask = p->capblks - 1, j = i;
  if (i >= p->capblks)
    return NULL;
  void *blk = p->blks[i].blk;
  /* Backward-shift deletion: every later key of the run stays reachable. */
  for (;;) {
    j = (j + 1) & mask;
    if (!p->blks[j].token)
      break;
    size_t k = blk_home(p->blks[j].token, p->capblks);
    if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
      continue;
    p->blks[i] = p->blks[j];
    i = j;
  }
  p->blks[i].token = 0;
  p->blks[i].blk = NULL;
  p->nblks--;
  return blk;
}

int torc_px_add_req(torc_proxy *p, const torc_recv_request *r,
                    uint64_t handle) {
  if (p->nreqs == p->capreqs) {
    size_t cap = p->capreqs ? p->capreqs * 2 : 16;
    proxy_req *n = realloc(p->reqs, cap * sizeof(*n));
    if (!n)
      return -1;
    p->reqs = n;
    p->capreqs = cap;
  }
  proxy_req *q = &p->reqs[p->nreqs++];
  q->id = r->id;
  q->handle = handle;
  q->buf = r->buf;
  q->size = r->buf ? r->size : 0;
  return 0;
}

/* Index of the first posted request with this id, preferring one of this
 * handle (a target may pass a wrong handle, RCV-122); -1 when none. */
long torc_px_find_req(const torc_proxy *p, uint64_t id, uint64_t handle) {
  long any = -1;
  for (size_t i = 0; i < p->nreqs; i++)
    if (p->reqs[i].id == id) {
      if (p->reqs[i].handle == handle)
        return (long)i;
      if (any < 0)
        any = (long)i;
    }
  return any;
}

void torc_px_remove_req(torc_proxy *p, size_t i) {
  memmove(&p->reqs[i], &p->reqs[i + 1],
          (p->nreqs - i - 1) * sizeof(p->reqs[0]));
  p->nreqs--;
}
