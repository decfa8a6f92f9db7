/*
 * torc_flow_reasm.c - TCP reassembly of one direction.
 *
 * Where it sits: torc_flow_frame (torc_flow.c) finds the segment's direction
 * and calls torcint_flow_segment here.  Each direction keeps: the next
 * expected sequence number (32-bit serial arithmetic, so the stream survives
 * wraparound) and the matching 64-bit stream offset; a sorted array of held
 * out-of-order pieces (never overlapping: only new bytes are stored, the
 * first arrived copy wins); and a ring of the most recently delivered bytes
 * with the frames they came from, to tell an honest retransmission from a
 * conflicting one.  Bytes leave through the callbacks (on_data, on_conflict,
 * on_gap, on_frame) as soon as they are in order, so memory follows the
 * reordering window, not the capture.
 */
#include <stdlib.h>
#include <string.h>

#include "torc/target.h"
#include "torc_flow_int.h"

#define MAX_AHEAD ((int64_t)1 << 30) /* TCP's largest window */

/* ---- History of delivered bytes (for conflict checks). ---- */

static hist_rec *rec_at(const flow_dir *d, size_t i) {
  return &d->recs[(d->rhead + i) % d->rcap];
}

static void hist_trim(flow_dir *d) {
  while (d->rcount > 0) {
    hist_rec *r = rec_at(d, 0);
    if (r->off + r->len > d->hist_lo)
      break;
    d->rhead = (d->rhead + 1) % d->rcap;
    d->rcount--;
  }
}

static void hist_reset(flow_dir *d) {
  d->hist_lo = d->info.delivered;
  d->rhead = d->rcount = 0;
}

/* Appends delivered bytes [delivered, delivered + n) before delivered is
 * advanced.  A failed allocation only shortens the history. */
static void hist_append(torc_flow *fl, flow_dir *d, const uint8_t *p, size_t n,
                        uint32_t frame) {
  uint64_t off = d->info.delivered, end = off + n;
  size_t want = fl->opt.history_bytes;
  if (want == 0)
    return;
  if (d->ringcap < want && end - d->hist_lo > d->ringcap) {
    /* Small at first (a capture may hold a million short directions),
     * doubled as the stream grows, up to the history wanted. */
    size_t nc = d->ringcap ? d->ringcap : (want < 256 ? want : 256);
    uint8_t *nr;
    uint64_t o;
    while (nc < want && nc < end - d->hist_lo)
      nc *= 2;
    nr = malloc(nc);
    if (nr != NULL) {
      /* Re-lay the valid bytes, in runs that wrap in neither ring. */
      for (o = d->hist_lo; o < off;) {
        size_t from = (size_t)(o & (d->ringcap - 1)),
               to = (size_t)(o & (nc - 1));
        size_t run = (size_t)(off - o);
        if (run > d->ringcap - from)
          run = d->ringcap - from;
        if (run > nc - to)
          run = nc - to;
        memcpy(nr + to, d->ring + from, run);
        o += run;
      }
      free(d->ring);
      d->ring = nr;
      d->ringcap = nc;
    }
  }
  if (d->ringcap == 0) {
    hist_reset(d);
    d->hist_lo = end;
    return;
  }
  if (n > d->ringcap) {
    p += n - d->ringcap;
    off = end - d->ringcap;
    n = d->ringcap;
  }
  {
    size_t pos = (size_t)(off & (d->ringcap - 1));
    size_t first = d->ringcap - pos < n ? d->ringcap - pos : n;
    memcpy(d->ring + pos, p, first);
    memcpy(d->ring, p + first, n - first);
  }
  if (end - d->hist_lo > d->ringcap)
    d->hist_lo = end - d->ringcap;
  /* The frame record. */
  if (d->rcount == d->rcap) {
    size_t nc = d->rcap ? d->rcap * 2 : 8, i;
    hist_rec *nr = malloc(nc * sizeof *nr);
    if (nr == NULL) {
      d->hist_lo = end; /* no record: forget the history */
      d->rhead = d->rcount = 0;
      return;
    }
    for (i = 0; i < d->rcount; i++)
      nr[i] = *rec_at(d, i);
    free(d->recs);
    d->recs = nr;
    d->rcap = nc;
    d->rhead = 0;
  }
  {
    hist_rec *r = &d->recs[(d->rhead + d->rcount) % d->rcap];
    r->off = d->info.delivered;
    r->len = (uint32_t)(end - d->info.delivered);
    r->frame = frame;
    d->rcount++;
  }
  hist_trim(d);
}

static uint8_t hist_byte(const flow_dir *d, uint64_t off) {
  return d->ring[off & (d->ringcap - 1)];
}

static int report_conflict(torc_flow *fl, flow_dir *d, uint32_t frame,
                           uint32_t first_frame, uint64_t off, uint32_t len,
                           uint32_t differing, torc_flow_map_entry *e) {
  torc_flow_conflict c;
  d->info.conflicts++;
  d->info.conflict_bytes += differing;
  fl->st.conflicts++;
  e->flags |= TORC_FLOW_F_CONFLICT;
  if (fl->cb.on_conflict == NULL)
    return 0;
  c.dir = d->info.id;
  c.frame = frame;
  c.first_frame = first_frame;
  c.off = off;
  c.len = len;
  c.differing = differing;
  return fl->cb.on_conflict(fl->cb.user, &d->info, &c) ? TORC_FLOW_ERR_STOPPED
                                                       : 0;
}

/* Old bytes [a, b) below delivered, carried again at p: compare with the
 * history where it is still kept. */
static int check_delivered(torc_flow *fl, flow_dir *d, uint64_t a, uint64_t b,
                           const uint8_t *p, uint32_t frame,
                           torc_flow_map_entry *e) {
  size_t lo = 0, hi = d->rcount, i;
  int rc;
  if (a < d->hist_lo) {
    uint64_t u = (b < d->hist_lo ? b : d->hist_lo) - a;
    d->info.unverified_bytes += u;
    p += u;
    a += u;
  }
  if (a >= b)
    return 0;
  while (lo < hi) { /* first record ending after a */
    size_t mid = lo + (hi - lo) / 2;
    const hist_rec *r = rec_at(d, mid);
    if (r->off + r->len <= a)
      lo = mid + 1;
    else
      hi = mid;
  }
  for (i = lo; i < d->rcount && a < b; i++) {
    const hist_rec *r = rec_at(d, i);
    uint64_t s = a > r->off ? a : r->off;
    uint64_t t = b < r->off + r->len ? b : r->off + r->len;
    uint32_t diff = 0;
    uint64_t o;
    for (o = s; o < t; o++)
      diff += hist_byte(d, o) != p[o - a];
    if (diff > 0 && (rc = report_conflict(fl, d, frame, r->frame, s,
                                          (uint32_t)(t - s), diff, e)) != 0)
      return rc;
  }
  return 0;
}

/* ---- Delivery. ---- */

static int deliver(torc_flow *fl, flow_dir *d, const uint8_t *p, uint32_t len,
                   uint32_t frame) {
  uint64_t off = d->info.delivered;
  hist_append(fl, d, p, len, frame);
  d->info.delivered += len;
  d->next_seq += len;
  fl->st.stream_bytes += len;
  if (fl->cb.on_data != NULL &&
      fl->cb.on_data(fl->cb.user, &d->info, off, p, len))
    return TORC_FLOW_ERR_STOPPED;
  return 0;
}

/* Delivers held pieces that are now in order. */
static int drain(torc_flow *fl, flow_dir *d) {
  size_t n = 0;
  int rc = 0;
  while (n < d->nheld && d->held[n].off == d->info.delivered) {
    held_seg *h = &d->held[n++];
    d->info.held_bytes -= h->len;
    rc = deliver(fl, d, h->data, h->len, h->frame);
    free(h->data);
    h->data = NULL;
    if (rc != 0)
      break;
  }
  if (n > 0) {
    memmove(d->held, d->held + n, (d->nheld - n) * sizeof *d->held);
    d->nheld -= n;
  }
  return rc;
}

/* Skips the hole before the first held piece (it will never be filled). */
int torcint_flow_skip_gap(torc_flow *fl, flow_dir *d) {
  uint64_t off = d->info.delivered, len = d->held[0].off - off;
  d->info.gaps++;
  d->info.gap_bytes += len;
  fl->st.gaps++;
  d->info.delivered += len;
  d->next_seq += (uint32_t)len;
  hist_reset(d);
  if (fl->cb.on_gap != NULL && fl->cb.on_gap(fl->cb.user, &d->info, off, len))
    return TORC_FLOW_ERR_STOPPED;
  return drain(fl, d);
}

static size_t held_search(const flow_dir *d, uint64_t off) {
  size_t lo = 0, hi = d->nheld; /* first piece ending after off */
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (d->held[mid].off + d->held[mid].len <= off)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

static int hold(torc_flow *fl, flow_dir *d, const piece *pc, uint32_t frame) {
  size_t i = held_search(d, pc->off);
  held_seg *h;
  if (d->nheld == d->capheld) {
    size_t nc = d->capheld ? d->capheld * 2 : 16;
    held_seg *nh = realloc(d->held, nc * sizeof *nh);
    if (nh == NULL)
      return TORC_FLOW_ERR_NOMEM;
    d->held = nh;
    d->capheld = nc;
  }
  memmove(d->held + i + 1, d->held + i, (d->nheld - i) * sizeof *d->held);
  h = &d->held[i];
  h->data = malloc(pc->len);
  if (h->data == NULL) {
    memmove(d->held + i, d->held + i + 1, (d->nheld - i) * sizeof *d->held);
    return TORC_FLOW_ERR_NOMEM;
  }
  memcpy(h->data, pc->data, pc->len);
  h->off = pc->off;
  h->len = pc->len;
  h->frame = frame;
  d->nheld++;
  d->info.held_bytes += pc->len;
  if (d->info.held_bytes > d->info.max_held_bytes)
    d->info.max_held_bytes = d->info.held_bytes;
  if (d->nheld > d->info.max_held_segments)
    d->info.max_held_segments = d->nheld;
  return 0;
}

/* Skips gaps while the bytes held beyond RcvNxt exceed what a conforming
 * sender could have sent: the receive window the reverse direction
 * advertised plus the slack (when that window is known), and never more
 * than max_held_bytes.  Each skip is reported (on_gap) with the frame that
 * went past in d->info.gap_frame. */
static int bound_held(torc_flow *fl, flow_dir *d, uint32_t frame) {
  uint64_t lim = fl->opt.max_held_bytes;
  int by_window = 0, rc;
  if (!fl->opt.no_window_bound && d->info.reverse_id < fl->ndirs) {
    const torc_flow_dir *r = &fl->dirs[d->info.reverse_id]->info;
    if (r->max_window > 0 && r->max_window + fl->opt.window_slack < lim) {
      lim = r->max_window + fl->opt.window_slack;
      by_window = 1;
    }
  }
  while (d->info.held_bytes > lim && d->nheld > 0) {
    d->info.window_cuts += (uint64_t)by_window;
    d->info.gap_frame = frame;
    if ((rc = torcint_flow_skip_gap(fl, d)) != 0)
      return rc;
  }
  return 0;
}

/* The receive window segment f of direction d advertises: unscaled on a
 * SYN (RFC 7323 2.2), else shifted by d's SYN option when both SYNs
 * carried one, and by 14 (the largest shift) while d's SYN is unseen. */
static uint64_t advertised(const torc_flow *fl, const flow_dir *d,
                           const torc_frame *f) {
  const torc_flow_dir *in = &d->info;
  int shift = 14;
  if (f->flags & TORC_TCP_SYN)
    return f->window;
  if (in->syn_seen) {
    shift = in->syn_wscale < 0 ? 0 : in->syn_wscale > 14 ? 14 : in->syn_wscale;
    if (in->reverse_id < fl->ndirs) {
      const torc_flow_dir *r = &fl->dirs[in->reverse_id]->info;
      if (r->syn_seen && r->syn_wscale < 0)
        shift = 0; /* the peer's SYN refused scaling */
    }
  }
  return (uint64_t)f->window << shift;
}

/* Places payload p[0..len) at stream offset start (may be negative). */
static int place(torc_flow *fl, flow_dir *d, int64_t start, const uint8_t *p,
                 uint32_t len, uint32_t frame, torc_flow_map_entry *e) {
  uint64_t a, b, cur, old = 0, newb = 0;
  size_t i, np = 0;
  int rc, held_any = 0;
  if (start - (int64_t)d->info.delivered > MAX_AHEAD) {
    d->info.out_of_window++;
    e->flags |= TORC_FLOW_F_IGNORED;
    return 0;
  }
  if (start < 0) {
    uint32_t cut = start + (int64_t)len <= 0 ? len : (uint32_t)(-start);
    d->info.before_start_bytes += cut;
    e->flags |= TORC_FLOW_F_IGNORED;
    p += cut;
    len -= cut;
    start = 0;
  }
  a = (uint64_t)start;
  b = a + len;
  if (len == 0)
    return 0;
  /* Already delivered. */
  if (a < d->info.delivered) {
    uint64_t t = b < d->info.delivered ? b : d->info.delivered;
    old += t - a;
    if ((rc = check_delivered(fl, d, a, t, p, frame, e)) != 0)
      return rc;
  }
  /* Held pieces and the holes between them. */
  cur = a > d->info.delivered ? a : d->info.delivered;
  i = held_search(d, cur);
  while (cur < b) {
    if (i < d->nheld && d->held[i].off <= cur) {
      const held_seg *h = &d->held[i];
      uint64_t t = b < h->off + h->len ? b : h->off + h->len, o;
      uint32_t diff = 0;
      for (o = cur; o < t; o++)
        diff += h->data[o - h->off] != p[o - a];
      old += t - cur;
      if (diff > 0 && (rc = report_conflict(fl, d, frame, h->frame, cur,
                                            (uint32_t)(t - cur), diff, e)) != 0)
        return rc;
      cur = t;
      i++;
    } else {
      uint64_t t = i < d->nheld && d->held[i].off < b ? d->held[i].off : b;
      if (np == fl->cappieces) {
        size_t nc = fl->cappieces ? fl->cappieces * 2 : 16;
        piece *npc = realloc(fl->pieces, nc * sizeof *npc);
        if (npc == NULL)
          return TORC_FLOW_ERR_NOMEM;
        fl->pieces = npc;
        fl->cappieces = nc;
      }
      fl->pieces[np].off = cur;
      fl->pieces[np].len = (uint32_t)(t - cur);
      fl->pieces[np].data = p + (cur - a);
      np++;
      newb += t - cur;
      cur = t;
    }
  }
  d->info.retrans_bytes += old;
  if (newb == 0) {
    d->info.retrans_segments++;
    e->flags |= TORC_FLOW_F_RETRANS;
    return 0;
  }
  if (old > 0) {
    d->info.overlap_segments++;
    e->flags |= TORC_FLOW_F_OVERLAP;
  }
  e->new_off = fl->pieces[0].off;
  e->new_len = (uint32_t)(fl->pieces[np - 1].off + fl->pieces[np - 1].len -
                          fl->pieces[0].off);
  e->new_bytes = (uint32_t)newb;
  if (np > 1)
    e->flags |= TORC_FLOW_F_SPLIT;
  for (i = 0; i < np; i++) {
    const piece *pc = &fl->pieces[i];
    if (pc->off == d->info.delivered) {
      if ((rc = deliver(fl, d, pc->data, pc->len, frame)) != 0 ||
          (rc = drain(fl, d)) != 0)
        return rc;
    } else {
      if ((rc = hold(fl, d, pc, frame)) != 0)
        return rc;
      held_any = 1;
    }
  }
  if (held_any) {
    d->info.ooo_segments++;
    e->flags |= TORC_FLOW_F_OOO;
  }
  return bound_held(fl, d, frame);
}

/* The MSS and window-scale options of SYN f (bytes p) into in.  Options
 * sit between the fixed 20-byte header and the payload; a truncated or
 * malformed option list ends the walk without error (the frame is still
 * used, as the stack receiving it would). */
static void syn_options(torc_flow_dir *in, const torc_frame *f,
                        const uint8_t *p) {
  const uint8_t *o = p + f->tcp_offset + 20, *end = p + f->payload_offset;
  in->syn_mss = 0;
  in->syn_wscale = -1;
  if (f->payload_offset < f->tcp_offset + 20)
    return;
  while (o < end) {
    uint8_t kind = o[0], len;
    if (kind == 0) /* end of option list */
      break;
    if (kind == 1) { /* no-operation */
      o++;
      continue;
    }
    if (end - o < 2 || (len = o[1]) < 2 || len > end - o)
      break;
    if (kind == 2 && len == 4)
      in->syn_mss = (uint16_t)(o[2] << 8 | o[3]);
    else if (kind == 3 && len == 3)
      in->syn_wscale = (int8_t)(o[2] > 127 ? 127 : o[2]);
    o += len;
  }
}

/* One TCP frame f (bytes p) of direction d: records SYN, FIN and RST,
 * places the payload, then reports the frame-map entry. */
int torcint_flow_segment(torc_flow *fl, flow_dir *d, const torc_frame *f,
                         const uint8_t *p, uint32_t number, uint64_t ts_us) {
  torc_flow_map_entry e;
  torc_flow_dir *in = &d->info;
  uint32_t len = f->payload_len, dseq = f->seq;
  int rc;
  memset(&e, 0, sizeof e);
  e.frame = number;
  e.dir = in->id;
  e.ts_us = ts_us;
  e.seq = f->seq;
  e.ack = f->ack;
  e.window = f->window;
  e.tcp_flags = f->flags;
  e.len = len;
  e.pos = fl->pos;
  in->segments++;
  if (f->flags & TORC_TCP_SYN) {
    dseq = f->seq + 1; /* data on a SYN follows the ISN */
    if (!in->started) {
      in->started = 1;
      in->syn_seen = 1;
      in->isn = f->seq;
      in->base_seq = dseq;
      d->next_seq = dseq;
      in->syn_frame = number;
      syn_options(in, f, p);
    } else if (!in->syn_seen && dseq == in->base_seq) {
      in->syn_seen = 1; /* the SYN arrived after the first data */
      in->midstream = 0;
      in->isn = f->seq;
      in->syn_frame = number;
      syn_options(in, f, p);
    }
  }
  if ((f->flags & TORC_TCP_RST) && in->rst_frame == 0)
    in->rst_frame = number;
  if (f->flags & TORC_TCP_ACK || f->flags & TORC_TCP_SYN) {
    uint64_t w = advertised(fl, d, f);
    if (w > in->max_window)
      in->max_window = w;
  }
  if (len > 0) {
    in->data_segments++;
    in->payload_bytes += len;
    if (!in->started) {
      in->started = 1;
      in->midstream = 1;
      in->base_seq = dseq;
      d->next_seq = dseq;
    }
  }
  if (!in->started) {
    e.flags |= TORC_FLOW_F_NOBASE;
    if ((f->flags & TORC_TCP_FIN) && in->fin_frame == 0)
      in->fin_frame = number;
  } else {
    int64_t start = (int64_t)in->delivered + (int32_t)(dseq - d->next_seq);
    e.off = start;
    if ((f->flags & TORC_TCP_FIN) && in->fin_frame == 0) {
      in->fin_frame = number;
      in->fin_offset = start + len > 0 ? (uint64_t)(start + len) : 0;
    }
    if ((rc = place(fl, d, start, p + f->payload_offset, len, number, &e)) != 0)
      return rc;
  }
  if (fl->cb.on_frame != NULL && fl->cb.on_frame(fl->cb.user, in, &e))
    return TORC_FLOW_ERR_STOPPED;
  return 0;
}
