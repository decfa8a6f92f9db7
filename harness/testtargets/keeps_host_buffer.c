/*
 * keeps_host_buffer.c - bad target: the reference, except that it keeps
 * pointers into the host's BufferedData given at initiate offload instead
 * of relying on its copy, and delivers the buffered bytes from those
 * pointers later (RCV-007): into completed requests and in indications.
 *
 * Expected verdict: the host poisons its BufferedData once the offload
 * completed successfully (RCV-011; the runner poisons its own copy the same
 * way out of process), so the delivered bytes are poison: FAIL with the
 * first divergence at stream offset 0, for every vector with BufferedData.
 */
#include "tt_wrap.h"

#define KEPT_MAX 256
#define FRAGS_MAX 512

typedef struct kept {
  const uint8_t *p[KEPT_MAX]; /* the host's fragments: not ours to keep */
  uint32_t len[KEPT_MAX];
  uint32_t n;
  uint64_t total;     /* bytes of BufferedData */
  uint64_t delivered; /* stream offset of the next byte to deliver */
} kept;

/* Pointer to the kept byte at stream offset off and how many follow it in
 * the same fragment; NULL past the kept bytes. */
static const uint8_t *kept_at(const kept *k, uint64_t off, uint32_t *avail) {
  for (uint32_t i = 0; i < k->n; i++) {
    if (off < k->len[i]) {
      *avail = k->len[i] - (uint32_t)off;
      return k->p[i] + off;
    }
    off -= k->len[i];
  }
  return NULL;
}

static void khb_initiate_offload(void *ud, void *conn,
                                 const torc_offload_state *st) {
  tt *t = ud;
  kept *k = t->state;
  memset(k, 0, sizeof(*k));
  for (const torc_buffer_list *l = st ? st->buffered_data : NULL; l;
       l = l->next)
    for (uint32_t i = 0; i < l->nfrags && k->n < KEPT_MAX; i++) {
      k->p[k->n] = l->frags[i].data; /* the bug: a pointer, not a copy */
      k->len[k->n++] = l->frags[i].len;
      k->total += l->frags[i].len;
    }
  tt_initiate_offload(ud, conn, st);
}

static void khb_receive_complete(void *ctx, uint64_t h,
                                 const torc_completion *c, uint32_t n) {
  tt *t = ctx;
  kept *k = t->state;
  for (uint32_t i = 0; i < n; i++) {
    int r = tt_find_req(t, c[i].id);
    uint32_t room = r >= 0 ? t->reqs[r].size - t->reqs[r].prefilled : 0;
    uint32_t bytes = c[i].bytes < room ? c[i].bytes : room;
    for (uint32_t done = 0; r >= 0 && done < bytes;) {
      uint32_t avail;
      const uint8_t *src = kept_at(k, k->delivered + done, &avail);
      if (!src)
        break;
      uint32_t m = bytes - done < avail ? bytes - done : avail;
      memcpy(t->reqs[r].buf + t->reqs[r].prefilled + done, src, m);
      done += m;
    }
    k->delivered += c[i].bytes;
  }
  tt_up_receive_complete(ctx, h, c, n);
}

static uint32_t khb_receive_indicate(void *ctx, uint64_t h, uint64_t id,
                                     uint32_t s, const torc_fragment *f,
                                     uint32_t n, uint32_t *consumed) {
  tt *t = ctx;
  kept *k = t->state;
  torc_fragment out[FRAGS_MAX];
  uint32_t nout = 0, total = 0;
  int ok = 1;
  for (uint32_t i = 0; i < n && ok; i++) {
    uint32_t done = 0;
    while (done < f[i].len && ok) {
      uint32_t avail;
      const uint8_t *src = kept_at(k, k->delivered + total, &avail);
      if (nout == FRAGS_MAX) {
        ok = 0;
        break;
      }
      uint32_t m = f[i].len - done;
      if (src && avail < m)
        m = avail;
      else if (!src)
        src = f[i].data + done;
      out[nout].data = src;
      out[nout++].len = m;
      done += m;
      total += m;
    }
  }
  uint32_t answer =
      ok ? tt_up_receive_indicate(ctx, h, id, s, out, nout, consumed)
         : tt_up_receive_indicate(ctx, h, id, s, f, n, consumed);
  if (answer == TORC_STATUS_SUCCESS)
    k->delivered += total;
  else if (answer == TORC_STATUS_OFFLOAD_DATA_PARTIALLY_ACCEPTED && consumed)
    k->delivered += *consumed;
  return answer;
}

static void khb_up(torc_host_ops *up) {
  up->receive_complete = khb_receive_complete;
  up->receive_indicate = khb_receive_indicate;
}

int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf);
int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf) {
  kept *k = calloc(1, sizeof(*k));
  if (!k) {
    strcpy(errbuf, "out of memory");
    return -1;
  }
  tt *t = tt_init(host_abi_version, host, host_ctx, out, errbuf,
                  "keeps_host_buffer", khb_up);
  if (!t) {
    free(k);
    return -1;
  }
  t->state = k;
  out->initiate_offload = khb_initiate_offload;
  return 0;
}
