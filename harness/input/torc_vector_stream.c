/*
 * torc_vector_stream.c - a vector's byte stream: built from the frames it
 * lists, then read by the engine and the judge.
 *
 * torc_vector.c calls torcint_vector_build_stream once the provenance is
 * parsed: the payload of each listed frame, in listed (arrival) order, is
 * placed at its stream offset (sequence number - isn) where not yet covered
 * (first-arrived frame wins), as runs of bytes borrowed from the capture;
 * a rebase (provenance.transform.seq_shift) moves every frame first.
 * torc_vector_stream_copy and torc_vector_stream_cmp read those runs.
 */
#include <stdlib.h>
#include <string.h>
#include <torc/target.h>

#include "torc_vector_parse_int.h"

int torc_vector_stream_copy(const torc_vector_body *b, uint64_t off, uint32_t n,
                            uint8_t *dst) {
  size_t lo = 0, hi = b->nruns;
  if (off + n > b->stream_len)
    return -1;
  /* first run whose end is beyond off */
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (b->runs[mid].offset + b->runs[mid].len <= off)
      lo = mid + 1;
    else
      hi = mid;
  }
  while (n > 0 && lo < b->nruns) {
    const torc_srun *r = &b->runs[lo++];
    uint64_t skip = off - r->offset;
    uint32_t take =
        (uint32_t)(r->len - skip) < n ? (uint32_t)(r->len - skip) : n;
    memcpy(dst, r->data + skip, take);
    dst += take, off += take, n -= take;
  }
  return n == 0 ? 0 : -1;
}

int torc_vector_stream_cmp(const torc_vector_body *b, uint64_t off,
                           const uint8_t *buf, uint32_t n, uint32_t *diff) {
  size_t lo = 0, hi = b->nruns;
  uint32_t done = 0;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (b->runs[mid].offset + b->runs[mid].len <= off)
      lo = mid + 1;
    else
      hi = mid;
  }
  while (done < n) {
    const torc_srun *r;
    uint64_t skip;
    uint32_t take, i;
    if (lo >= b->nruns || off + done >= b->stream_len ||
        b->runs[lo].offset > off + done) {
      *diff = done;
      return 1;
    }
    r = &b->runs[lo++];
    skip = off + done - r->offset;
    take = (uint32_t)(r->len - skip);
    if (take > n - done)
      take = n - done;
    if (memcmp(r->data + skip, buf + done, take) != 0) {
      for (i = 0; i < take; i++)
        if (r->data[skip + i] != buf[done + i]) {
          *diff = done + i;
          return 1;
        }
    }
    done += take;
  }
  return 0;
}

/* Inserts capture bytes [a, a+len) at stream offset a where not yet covered
 * (first-arrived wins).  runs stays sorted and non-overlapping. */
static int stream_insert(torc_vector_body *b, size_t *cap, uint64_t a,
                         uint32_t len, const uint8_t *data) {
  uint64_t end = a + len, cur = a;
  size_t i = 0;
  while (cur < end) {
    uint64_t gap_end;
    /* skip runs that end at or before cur */
    while (i < b->nruns && b->runs[i].offset + b->runs[i].len <= cur)
      i++;
    if (i < b->nruns && b->runs[i].offset <= cur) {
      cur = b->runs[i].offset + b->runs[i].len; /* covered already */
      continue;
    }
    gap_end = i < b->nruns && b->runs[i].offset < end ? b->runs[i].offset : end;
    if (b->nruns == *cap) {
      size_t nc = *cap ? *cap * 2 : 16;
      torc_srun *nr = realloc(b->runs, nc * sizeof *nr);
      if (!nr)
        return -1;
      b->runs = nr;
      *cap = nc;
    }
    memmove(&b->runs[i + 1], &b->runs[i], (b->nruns - i) * sizeof *b->runs);
    b->runs[i].offset = cur;
    b->runs[i].len = (uint32_t)(gap_end - cur);
    b->runs[i].data = data + (cur - a);
    b->nruns++;
    i++;
    cur = gap_end;
  }
  return 0;
}

/* Builds the stream from the listed frames, in listed order. */
int torcint_vector_build_stream(ld *L, torc_vector_body *b,
                                const frameset *fs) {
  size_t i, cap = 0;
  uint64_t end = 0;
  b->fin_offset = UINT64_MAX;
  for (i = 0; i < fs->n; i++) {
    const torc_frame *f = torc_capture_frame(b->cap, fs->nums[i]);
    const uint8_t *pl = torc_capture_bytes(b->cap, f) + f->payload_offset;
    int64_t rel = (int32_t)(f->seq + b->seq_shift - b->isn);
    uint32_t len = f->payload_len, skip = 0;
    if ((f->flags & TORC_TCP_FIN) && b->fin_offset == UINT64_MAX &&
        rel + (int64_t)len >= 0)
      b->fin_offset = (uint64_t)(rel + (int64_t)len); /* first FIN wins */
    if (len == 0)
      continue;
    if (rel < 0) { /* bytes before the stream origin are not part of it */
      if ((uint64_t)-rel >= len)
        continue;
      skip = (uint32_t)-rel;
      rel = 0;
    }
    if (stream_insert(b, &cap, (uint64_t)rel, len - skip, pl + skip) < 0) {
      torcint_vector_fail(L, "out of memory");
      return -1;
    }
  }
  /* A derived segment that carries a FIN ends the stream there too. */
  for (i = 0; i < b->nderived; i++) {
    const torc_derived *x = &b->derived[i];
    if ((x->flags & TORC_TCP_FIN) && x->offset + (int64_t)x->len >= 0 &&
        (uint64_t)(x->offset + (int64_t)x->len) < b->fin_offset)
      b->fin_offset = (uint64_t)(x->offset + (int64_t)x->len);
  }
  for (i = 0; i < b->nruns && b->runs[i].offset == end; i++)
    end += b->runs[i].len;
  b->stream_len = end;
  return 0;
}
