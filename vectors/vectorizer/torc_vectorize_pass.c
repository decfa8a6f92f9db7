/*
 * torc_vectorize_pass.c - one streaming pass over a capture for `torc
 * vectorize`: what each flow needs to be cut into vectors, kept on disk
 * rather than in memory, so the vectorizer's memory follows the reordering
 * window and the vectors in flight, not the capture (issue 15).
 *
 * Where it sits: torc_vectorize_capture.c calls torc_vz_pass_run on each
 * capture; the reassembler (harness/input/torc_flow.h) streams through it
 * and calls back here once per TCP frame, gap and finished direction.  For
 * every direction the --flows filter keeps, each replayable frame (number,
 * stream offset, length, flags, file offset, and what the capture showed
 * of the connection before it: the receiver's SndNxt and the peer's last
 * acknowledgment) and each offload point (before frame k, every byte
 * received is in order) is appended to a vz_array: records in chunks of
 * VZ_CHUNK, a full chunk written to an unlinked temporary file and read
 * back with pread when a vector needs it.  The stream bytes themselves are
 * never kept: a vector's frames are read back from the capture by file
 * offset (torc_capture_open_frames, torc_vectorize_vector.c).  The offload
 * points are those of a byte map of the stream, computed here with the
 * covered ranges beyond the contiguous prefix instead; a direction with
 * more than VZ_MAX_RANGES of them (holes that never fill) gets no point
 * after that frame, and says so (torc_vectorize_capture.c).
 */
#include "torc_vectorize_int.h"

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define VZ_CHUNK 512u
#define VZ_MAX_RANGES 4096u

/* ---- Records spilled to a temporary file. ---- */

static int arr_write(vz_pass *ps, vz_array *a) {
  size_t n = a->n - a->flushed;
  if (n == 0)
    return 0;
  if (a->nchunks == a->capchunks) {
    size_t nc = a->capchunks ? a->capchunks * 2 : 16;
    int64_t *g = realloc(a->chunks, nc * sizeof *g);
    if (!g)
      return -1;
    a->chunks = g;
    a->capchunks = nc;
  }
  if (pwrite(ps->fd, a->tail, n * a->elem, (off_t)ps->end) !=
      (ssize_t)(n * a->elem))
    return -1;
  a->chunks[a->nchunks++] = ps->end;
  ps->end += (int64_t)(n * a->elem);
  a->flushed = a->n;
  return 0;
}

static int arr_push(vz_pass *ps, vz_array *a, const void *rec) {
  size_t k = a->n - a->flushed;
  if (a->sealed)
    return -1; /* a direction's records end with it */
  if (k == a->captail) {
    size_t nc = a->captail ? a->captail * 2 : 8;
    uint8_t *g;
    if (nc > VZ_CHUNK)
      nc = VZ_CHUNK;
    g = realloc(a->tail, nc * a->elem);
    if (!g)
      return -1;
    a->tail = g;
    a->captail = nc;
  }
  memcpy(a->tail + k * a->elem, rec, a->elem);
  a->n++;
  if (a->n - a->flushed == VZ_CHUNK)
    return arr_write(ps, a);
  return 0;
}

/* The last records on disk too, and the tail freed: nothing follows. */
static int arr_seal(vz_pass *ps, vz_array *a) {
  int rc = arr_write(ps, a);
  free(a->tail);
  a->tail = NULL;
  a->captail = 0;
  a->sealed = 1;
  return rc;
}

static void arr_free(vz_array *a) {
  free(a->tail);
  free(a->chunks);
  free(a->rbuf);
  memset(a, 0, sizeof *a);
}

int torc_vz_array_get(const vz_pass *ps, vz_array *a, size_t i, void *out) {
  size_t k = i / VZ_CHUNK, cn;
  if (i >= a->n)
    return -1;
  if (i >= a->flushed) {
    memcpy(out, a->tail + (i - a->flushed) * a->elem, a->elem);
    return 0;
  }
  if (!a->rbuf || a->rchunk != k) {
    if (!a->rbuf && !(a->rbuf = malloc(VZ_CHUNK * a->elem)))
      return -1;
    cn = a->flushed - k * VZ_CHUNK < VZ_CHUNK ? a->flushed - k * VZ_CHUNK
                                              : VZ_CHUNK;
    if (pread(ps->fd, a->rbuf, cn * a->elem, (off_t)a->chunks[k]) !=
        (ssize_t)(cn * a->elem)) {
      a->rchunk = (size_t)-1;
      return -1;
    }
    a->rchunk = k;
  }
  memcpy(out, a->rbuf + (i - k * VZ_CHUNK) * a->elem, a->elem);
  return 0;
}

/* ---- The pass: the reassembler's callbacks. ---- */

static vz_dir *dir_of(vz_pass *ps, const torc_flow_dir *d) {
  if (d->id >= ps->ndirs) {
    size_t n = (size_t)d->id + 1, nc = ps->capdirs ? ps->capdirs : 16;
    if (n > ps->capdirs) {
      vz_dir *g;
      while (nc < n)
        nc *= 2;
      g = realloc(ps->dirs, nc * sizeof *g);
      if (!g)
        return NULL;
      ps->dirs = g;
      ps->capdirs = nc;
    }
    memset(ps->dirs + ps->ndirs, 0, (n - ps->ndirs) * sizeof *ps->dirs);
    for (; ps->ndirs < n; ps->ndirs++) {
      vz_dir *x = &ps->dirs[ps->ndirs];
      x->fr.elem = sizeof(vz_frame);
      x->pt.elem = sizeof(vz_point);
      x->fr.rchunk = x->pt.rchunk = (size_t)-1;
    }
  }
  return &ps->dirs[d->id];
}

/* 1 when sequence number a is after b (32-bit serial arithmetic). */
static int seq_after(uint32_t a, uint32_t b) {
  return (int32_t)(a - b) > 0;
}

/* Marks [a, b) covered: the contiguous prefix cend grows, or the range
 * joins the sorted, disjoint ranges beyond it.  Returns 0, or -1 when the
 * ranges would exceed VZ_MAX_RANGES. */
static int cover(vz_dir *x, uint64_t a, uint64_t b) {
  size_t i, j;
  if (b <= x->cend)
    return 0;
  if (a <= x->cend) {
    x->cend = b;
  } else {
    for (i = 0; i < x->nrg && x->rg[i].b < a; i++)
      ;
    if (i < x->nrg && x->rg[i].a <= b) { /* overlaps or touches rg[i] */
      if (a < x->rg[i].a)
        x->rg[i].a = a;
      if (b > x->rg[i].b)
        x->rg[i].b = b;
      for (j = i + 1; j < x->nrg && x->rg[j].a <= x->rg[i].b; j++)
        if (x->rg[j].b > x->rg[i].b)
          x->rg[i].b = x->rg[j].b;
      memmove(x->rg + i + 1, x->rg + j, (x->nrg - j) * sizeof *x->rg);
      x->nrg -= j - i - 1;
    } else {
      if (x->nrg == VZ_MAX_RANGES)
        return -1;
      if (x->nrg == x->caprg) {
        size_t nc = x->caprg ? x->caprg * 2 : 8;
        vz_range *g = realloc(x->rg, nc * sizeof *g);
        if (!g)
          return -1;
        x->rg = g;
        x->caprg = nc;
      }
      memmove(x->rg + i + 1, x->rg + i, (x->nrg - i) * sizeof *x->rg);
      x->rg[i].a = a;
      x->rg[i].b = b;
      x->nrg++;
    }
  }
  for (i = 0; i < x->nrg && x->rg[i].a <= x->cend; i++)
    if (x->rg[i].b > x->cend)
      x->cend = x->rg[i].b;
  memmove(x->rg, x->rg + i, (x->nrg - i) * sizeof *x->rg);
  x->nrg -= i;
  return 0;
}

/* A replayable frame of a kept direction: recorded, and the offload point
 * after it noted (kept once a later frame exists). */
static int add_frame(vz_pass *ps, vz_dir *x, const torc_flow_dir *d,
                     const torc_flow_map_entry *e) {
  vz_frame f;
  const vz_dir *rev =
      d->reverse_id < ps->ndirs ? &ps->dirs[d->reverse_id] : NULL;
  memset(&f, 0, sizeof f);
  f.number = e->frame;
  f.off = (uint64_t)e->off;
  f.len = e->len;
  f.tcp_flags = e->tcp_flags;
  f.pos = e->pos;
  if (rev && rev->sent) {
    f.rev_sent = 1;
    f.rev_snd_nxt = rev->snd_nxt;
  }
  if (x->have_ack) {
    f.have_ack = 1;
    f.ack = x->ack;
    f.ack_window = x->ack_window;
    f.ack_flags = x->ack_flags;
  }
  if (x->fr.n == 0) { /* the point before any data */
    vz_point p0 = {0, 0};
    if (arr_push(ps, &x->pt, &p0) < 0)
      return -1;
  }
  if (x->pending) {
    x->pending = 0;
    if (arr_push(ps, &x->pt, &x->pend) < 0)
      return -1;
  }
  if (arr_push(ps, &x->fr, &f) < 0)
    return -1;
  if (x->points_done)
    return 0;
  if (f.tcp_flags & (TORC_TCP_FIN | TORC_TCP_RST)) {
    x->points_done = 1; /* offload before the connection closes */
    return 0;
  }
  if (cover(x, f.off, f.off + f.len) < 0) {
    x->points_done = 1;
    x->cut_frame = f.number;
    return 0;
  }
  if (x->nrg == 0 && x->cend > 0) {
    x->pending = 1;
    x->pend.idx = x->fr.n;
    x->pend.p = x->cend;
  }
  return 0;
}

static int on_frame(void *u, const torc_flow_dir *d,
                    const torc_flow_map_entry *e) {
  vz_pass *ps = u;
  vz_dir *x = dir_of(ps, d);
  if (!x)
    return ps->err = 1;
  if (x->seen == 0) {
    x->seen = 1;
    x->kept = torc_vz_filter_match_key(ps->flt, &d->key);
  }
  if (x->kept && !(e->flags & (TORC_FLOW_F_NOBASE | TORC_FLOW_F_IGNORED)) &&
      e->off >= 0 && !(e->tcp_flags & TORC_TCP_SYN) &&
      (e->len > 0 || (e->tcp_flags & (TORC_TCP_FIN | TORC_TCP_RST))) &&
      add_frame(ps, x, d, e) < 0)
    return ps->err = 1;
  { /* what later frames see of this direction */
    uint32_t end = e->seq + e->len + !!(e->tcp_flags & TORC_TCP_SYN) +
                   !!(e->tcp_flags & TORC_TCP_FIN);
    if (!x->sent || seq_after(end, x->snd_nxt))
      x->snd_nxt = end;
    x->sent = 1;
    if ((e->tcp_flags & TORC_TCP_ACK) &&
        (!x->have_ack || !seq_after(x->ack, e->ack))) {
      x->have_ack = 1;
      x->ack = e->ack;
      x->ack_window = e->window;
      x->ack_flags = e->tcp_flags;
    }
  }
  return 0;
}

static int on_gap(void *u, const torc_flow_dir *d, uint64_t off, uint64_t len) {
  vz_pass *ps = u;
  vz_dir *x = dir_of(ps, d);
  if (!x)
    return ps->err = 1;
  if (x->gaps++ == 0) {
    x->gap_off = off;
    x->gap_len = len;
    x->gap_frame = d->gap_frame;
    x->gap_by_window = d->window_cuts > 0;
  }
  return 0;
}

static int on_end(void *u, const torc_flow_dir *d) {
  vz_pass *ps = u;
  vz_dir *x = dir_of(ps, d);
  if (!x)
    return ps->err = 1;
  x->info = *d;
  x->ended = 1;
  free(x->rg);
  x->rg = NULL;
  x->nrg = x->caprg = 0;
  if (arr_seal(ps, &x->fr) < 0 || arr_seal(ps, &x->pt) < 0)
    return ps->err = 1;
  return 0;
}

int torc_vz_pass_run(vz_pass *ps, const char *path,
                     const torc_vectorize_filter *flt, char *err,
                     size_t errlen) {
  torc_flow_options fo;
  torc_flow_callbacks cb;
  char pe[PCAP_ERRBUF_SIZE];
  FILE *fp, *tmp;
  pcap_t *pc;
  torc_flow *fl;
  int rc;
  memset(ps, 0, sizeof *ps);
  ps->fd = -1;
  ps->flt = flt;
  if (!(fp = torcint_capture_fopen(path, err, errlen)))
    return -1;
  pe[0] = '\0';
  if (!(pc = pcap_fopen_offline(fp, pe))) {
    fclose(fp);
    snprintf(err, errlen, "%s: not a readable pcap/pcapng file: %s", path, pe);
    return -1;
  }
  ps->dlt = pcap_datalink(pc);
  if (!torc_flow_dlt_supported(ps->dlt)) {
    const char *nm = pcap_datalink_val_to_name(ps->dlt);
    snprintf(err, errlen, "%s: unsupported link type %d (%s)", path, ps->dlt,
             nm ? nm : "unknown");
    pcap_close(pc);
    return -1;
  }
  /* The spill file: unlinked at once, gone with the process. */
  if (!(tmp = tmpfile()) || (ps->fd = dup(fileno(tmp))) < 0) {
    if (tmp)
      fclose(tmp);
    snprintf(err, errlen, "%s: cannot create a temporary file", path);
    pcap_close(pc);
    return -1;
  }
  fclose(tmp);
  /* Only the directions the filter keeps (and their reverses) are
   * reassembled, at most VZ_MAX_DIRS at once. */
  memset(&fo, 0, sizeof fo);
  fo.max_dirs = VZ_MAX_DIRS;
  fo.want = torc_vz_filter_want;
  fo.want_user = flt;
  memset(&cb, 0, sizeof cb);
  cb.user = ps;
  cb.on_frame = on_frame;
  cb.on_gap = on_gap;
  cb.on_end = on_end;
  if (!(fl = torc_flow_new(ps->dlt, &fo, &cb))) {
    snprintf(err, errlen, "%s: out of memory", path);
    pcap_close(pc);
    return -1;
  }
  rc = torc_flow_read_pcap(fl, pc, path, err, errlen);
  if (rc == TORC_FLOW_ERR_STOPPED && ps->err)
    snprintf(err, errlen, "%s: out of memory or temporary file error", path);
  ps->file_frames = (uint32_t)torc_flow_get_stats(fl)->frames;
  ps->flow_rc = rc;
  torc_flow_free(fl);
  pcap_close(pc);
  return rc == 0 ? 0 : -1;
}

void torc_vz_pass_free(vz_pass *ps) {
  size_t i;
  for (i = 0; i < ps->ndirs; i++) {
    arr_free(&ps->dirs[i].fr);
    arr_free(&ps->dirs[i].pt);
    free(ps->dirs[i].rg);
  }
  free(ps->dirs);
  if (ps->fd >= 0)
    close(ps->fd);
  memset(ps, 0, sizeof *ps);
  ps->fd = -1;
}
