/*
 * torc_runner_holds.c - what torc-target-runner remembers of the bytes the
 * host holds: indicated data it accepted and upload data handed back, which
 * stay the target's memory and must not change until the host returns them
 * (RCV-133, RCV-212).
 *
 * Where it sits: the host (torc_proxy_upcalls.c) keeps a copy of those
 * bytes, so out of process it would never see the target change its own.
 * The runner's indicate and terminate-complete callbacks record each hold
 * here (where the bytes are and a snapshot of them); OP_RECEIVE_RETURN
 * forgets it; before every reply to the host the runner compares each
 * hold with its snapshot and, for one that changed, sends UP_HOLD_CHANGED
 * with the bytes as they are now.  The host's copy takes them and the
 * host's own check when they are returned judges it, as in process.
 */
#include "torc_runner_holds.h"

#include <stdlib.h>
#include <string.h>

typedef struct hold {
  uint64_t handle, id;
  int handback;
  uint32_t n;
  const uint8_t **ptr; /* the target's bytes */
  uint32_t *len;
  uint8_t *snap; /* all of them, one after the other */
} hold;

static struct {
  hold *h;
  size_t n, cap;
} holds;

static void hold_free(hold *h) {
  free(h->ptr);
  free(h->len);
  free(h->snap);
}

static hold *hold_new(uint64_t handle, uint64_t id, int handback, uint32_t n,
                      size_t total) {
  if (holds.n == holds.cap) {
    size_t cap = holds.cap ? holds.cap * 2 : 8;
    hold *nh = realloc(holds.h, cap * sizeof *nh);
    if (!nh)
      return NULL;
    holds.h = nh;
    holds.cap = cap;
  }
  hold *h = &holds.h[holds.n];
  memset(h, 0, sizeof *h);
  h->handle = handle;
  h->id = id;
  h->handback = handback;
  h->ptr = calloc(n ? n : 1, sizeof *h->ptr);
  h->len = calloc(n ? n : 1, sizeof *h->len);
  h->snap = malloc(total ? total : 1);
  if (!h->ptr || !h->len || !h->snap) {
    hold_free(h);
    return NULL;
  }
  holds.n++;
  return h;
}

static void note(hold *h, const uint8_t *p, uint32_t len, size_t *off) {
  h->ptr[h->n] = p;
  h->len[h->n] = p ? len : 0;
  if (p && len)
    memcpy(h->snap + *off, p, len);
  *off += p ? len : 0;
  h->n++;
}

void torc_runner_hold_indicated(uint64_t handle, uint64_t id,
                                const torc_fragment *f, uint32_t n) {
  size_t total = 0, off = 0;
  for (uint32_t i = 0; i < n; i++)
    total += f[i].data ? f[i].len : 0;
  hold *h = hold_new(handle, id, 0, n, total);
  for (uint32_t i = 0; h && i < n; i++)
    note(h, f[i].data, f[i].len, &off);
}

void torc_runner_hold_handed_back(uint64_t handle, uint64_t id,
                                  const torc_buffer_list *l) {
  size_t total = 0, off = 0;
  uint32_t n = 0;
  for (const torc_buffer_list *x = l; x; x = x->next)
    for (uint32_t i = 0; i < x->nfrags; i++, n++)
      total += x->frags[i].data ? x->frags[i].len : 0;
  hold *h = hold_new(handle, id, 1, n, total);
  for (const torc_buffer_list *x = l; h && x; x = x->next)
    for (uint32_t i = 0; i < x->nfrags; i++)
      note(h, x->frags[i].data, x->frags[i].len, &off);
}

/* The oldest hold with this id goes, whatever handle the target gave it:
 * the host's copy is released the same way (torc_px_release_hold,
 * torc_proxy_records.c), so the two sides keep the same holds even when a
 * target names the wrong connection in its upcalls (RCV-122) and reuses
 * an id once it is returned.  The array stays in order, oldest first. */
void torc_runner_hold_returned(uint64_t handle, uint64_t id) {
  (void)handle;
  for (size_t i = 0; i < holds.n; i++)
    if (holds.h[i].id == id) {
      hold_free(&holds.h[i]);
      memmove(&holds.h[i], &holds.h[i + 1],
              (holds.n - i - 1) * sizeof holds.h[0]);
      holds.n--;
      return;
    }
}

void torc_runner_holds_drop(uint64_t handle) {
  size_t k = 0;
  for (size_t i = 0; i < holds.n; i++) {
    if (holds.h[i].handle == handle)
      hold_free(&holds.h[i]);
    else
      holds.h[k++] = holds.h[i]; /* in order, oldest first */
  }
  holds.n = k;
}

static int changed(const hold *h) {
  size_t off = 0;
  for (uint32_t i = 0; i < h->n; i++) {
    if (h->len[i] && memcmp(h->snap + off, h->ptr[i], h->len[i]) != 0)
      return 1;
    off += h->len[i];
  }
  return 0;
}

int torc_runner_holds_flush(torc_wire_chan *chan) {
  for (size_t k = 0; k < holds.n; k++) {
    hold *h = &holds.h[k];
    if (!changed(h))
      continue;
    torc_wbuf_begin(&chan->tx, TORC_MSG_UP_HOLD_CHANGED);
    torc_wbuf_u64(&chan->tx, h->handle);
    torc_wbuf_u64(&chan->tx, h->id);
    torc_wbuf_u8(&chan->tx, (uint8_t)h->handback);
    torc_wbuf_u32(&chan->tx, h->n);
    size_t off = 0;
    for (uint32_t i = 0; i < h->n; i++) {
      torc_wbuf_u32(&chan->tx, h->len[i]);
      torc_wbuf_bytes(&chan->tx, h->ptr[i], h->len[i]);
      if (h->len[i])
        memcpy(h->snap + off, h->ptr[i], h->len[i]); /* said once */
      off += h->len[i];
    }
    if (torc_wire_send(chan) != 0)
      return -1;
  }
  return 0;
}

void torc_runner_holds_free(void) {
  for (size_t i = 0; i < holds.n; i++)
    hold_free(&holds.h[i]);
  free(holds.h);
  memset(&holds, 0, sizeof holds);
}
