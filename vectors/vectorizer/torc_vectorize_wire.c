/*
 * torc_vectorize_wire.c - the scripts of the wire kinds: segments derived
 * from real frames of the replay (provenance.transform.derived: a frame's
 * headers, a sub-range of its payload at its own sequence numbers, flags
 * replaced; the harness rebuilds each with consistent checksums).
 *
 * Called by torc_vz_build_script (torc_vectorize_script.c) for K_RST,
 * K_FIN_DATA, K_OVERLAP, K_FIN_AHEAD and K_TAIL_FIRST, and for the empty
 * ACKs some other kinds add; the events go through the helpers of
 * torc_vectorize_script.c.
 */
#include "torc_vectorize_int.h"

/* K_RST: half the replay, then an RST (or a SYN) derived from the last
 * replayed frame: at RcvNxt (RCV-303), in the window away from it
 * (RCV-304), before it or beyond the window (RCV-301), or a SYN in the
 * window; the rest of the replay, a post, sometimes a terminate. */
void torc_vz_wire_rst(vz_scen *s, vz_rng *r) {
  size_t half = (s->nplay + 1) / 2;
  const vz_frame *f;
  uint64_t nxt;
  int64_t at;
  uint8_t flags = TORC_TCP_RST;
  if (torc_vz_rng_chance(r, 30)) /* still outstanding at the RST (RCV-258) */
    torc_vz_ev_post(s, 1048576, 0, 0, 0);
  else if (torc_vz_rng_chance(r, 60))
    torc_vz_ev_post(s, torc_vz_pick_size(r, s), torc_vz_rng_chance(r, 50), 0,
                    0);
  torc_vz_ev_frames(s, half);
  f = &s->play[s->played ? s->played - 1 : 0];
  nxt = torc_vz_contiguous_end(s);
  if (torc_vz_rng_chance(r, 50))
    flags |= TORC_TCP_ACK;
  switch (torc_vz_rng_next(r) % 6) {
  case 0:
    at = (int64_t)nxt;
    break;
  case 5:
    /* an RST carrying the last frame's data again (RFC 9293 3.5.3 lets an
     * RST carry data): wholly before RcvNxt, not acceptable (RCV-301) */
    if (f->len && f->off >= s->base && f->off + f->len <= s->base + nxt) {
      torc_vz_ev_derived(s, f, (int64_t)(f->off - s->base), f->len, flags);
      torc_vz_ev_frames(s, s->nplay);
      torc_vz_ev_post(s, torc_vz_pick_size(r, s), torc_vz_rng_chance(r, 50), 0,
                      0);
      return;
    }
    at = (int64_t)nxt - 1;
    break;
  case 1:
    at = (int64_t)nxt + (int64_t)torc_vz_rng_range(
                            r, 1, s->rcv_wnd > 65536 ? 65535 : s->rcv_wnd - 1);
    break;
  case 2:
    at = (int64_t)nxt - (int64_t)torc_vz_rng_range(r, 1, 65535);
    break;
  case 3:
    at = (int64_t)nxt + s->rcv_wnd + (int64_t)torc_vz_rng_range(r, 0, 65535);
    break;
  default:
    /* a SYN at RcvNxt (RCV-305) or elsewhere in the window (RCV-302) */
    at = (int64_t)nxt + (torc_vz_rng_chance(r, 50)
                             ? 0
                             : (int64_t)torc_vz_rng_range(r, 1, 1000));
    flags = TORC_TCP_SYN | TORC_TCP_ACK;
    break;
  }
  torc_vz_ev_derived(s, f, at, 0, flags);
  torc_vz_ev_frames(s, s->nplay);
  torc_vz_ev_post(s, torc_vz_pick_size(r, s), torc_vz_rng_chance(r, 50), 0, 0);
  if (torc_vz_rng_chance(r, 30))
    torc_vz_ev_terminate(s);
}

/* K_FIN_DATA: the replay up to the frame reaching furthest, which comes
 * with the FIN added to its flags (a FIN carrying new data). */
void torc_vz_wire_fin_data(vz_scen *s, vz_rng *r) {
  size_t i, last = 0;
  for (i = 0; i < s->nplay; i++)
    if (s->play[i].off + s->play[i].len >=
        s->play[last].off + s->play[last].len)
      last = i;
  if (torc_vz_rng_chance(r, 70))
    torc_vz_ev_post(s, torc_vz_pick_size(r, s), torc_vz_rng_chance(r, 50), 0,
                    0);
  torc_vz_ev_frames(s, last);
  {
    const vz_frame *f = &s->play[s->played++];
    torc_vz_ev_derived(s, f, (int64_t)(f->off - s->base), f->len,
                       (uint8_t)(f->tcp_flags | TORC_TCP_FIN | TORC_TCP_ACK));
    /* Sometimes an empty URG, RST or SYN just past the FIN (at RcvNxt once
     * the FIN is in): on the half-closed connection the URG asks for no
     * upload (RCV-243), the RST aborts (RCV-303), the SYN goes back to the
     * host without an upload request either (DEC-27, RCV-243). */
    if (torc_vz_rng_chance(r, 35)) {
      static const uint8_t after[] = {TORC_TCP_URG | TORC_TCP_ACK,
                                      TORC_TCP_RST | TORC_TCP_ACK,
                                      TORC_TCP_SYN | TORC_TCP_ACK};
      torc_vz_ev_derived(s, f, (int64_t)(f->off - s->base) + f->len + 1, 0,
                         after[torc_vz_rng_range(r, 0, 2)]);
    }
  }
  if (torc_vz_rng_chance(r, 60))
    torc_vz_ev_post(s, torc_vz_pick_size(r, s), torc_vz_rng_chance(r, 50), 0,
                    0);
  torc_vz_ev_deadline(s, r);
  if (torc_vz_rng_chance(r, 40))
    torc_vz_ev_terminate(s);
}

/* K_OVERLAP: a frame of the replay arrives first cut short (its first k
 * bytes), so when the whole frame follows it starts before RcvNxt and
 * ends beyond it; the cut part is never sent again on its own. */
void torc_vz_wire_overlap(vz_scen *s, vz_rng *r) {
  size_t i, pick = s->nplay;
  for (i = 0; i < s->nplay && pick == s->nplay; i++)
    if (s->play[i].len >= 2 && s->play[i].off + s->play[i].len > s->p)
      pick = i;
  torc_vz_ev_post(s, torc_vz_pick_size(r, s), torc_vz_rng_chance(r, 50), 0, 0);
  if (pick == s->nplay) {
    torc_vz_ev_frames(s, s->nplay);
    return;
  }
  torc_vz_ev_frames(s, pick);
  {
    const vz_frame *f = &s->play[pick];
    uint32_t k = (uint32_t)torc_vz_rng_range(r, 1, f->len - 1);
    torc_vz_ev_derived(
        s, f, (int64_t)(f->off - s->base), k,
        (uint8_t)(f->tcp_flags & ~(TORC_TCP_FIN | TORC_TCP_PSH)));
  }
  torc_vz_ev_frames(s, s->nplay);
  if (torc_vz_rng_chance(r, 50))
    torc_vz_ev_post(s, torc_vz_pick_size(r, s), torc_vz_rng_chance(r, 50), 0,
                    0);
}

/* An index i >= 1 of the replay where frames i-1 and i carry consecutive
 * new bytes (at least 2 each), chosen at random; 0 when there is none. */
static size_t pick_pair(const vz_scen *s, vz_rng *r) {
  size_t cand[VZ_MAX_PLAY], n = 0, i;
  for (i = 1; i < s->nplay; i++) {
    const vz_frame *a = &s->play[i - 1], *b = &s->play[i];
    if (a->len >= 2 && b->len >= 2 && a->off >= s->p &&
        a->off + a->len == b->off)
      cand[n++] = i;
  }
  return n ? cand[torc_vz_rng_range(r, 0, n - 1)] : 0;
}

/* The replay's frames from index from on, skipping index skip (already
 * given); the replay counts as played. */
static void rest_of_replay(vz_scen *s, size_t from, size_t skip) {
  size_t i;
  for (i = from; i < s->nplay; i++)
    if (i != skip)
      torc_vz_ev_frame_of(s, &s->play[i]);
  s->played = s->nplay;
}

/* K_FIN_AHEAD: frame b (index i) of the replay carries, in a derived copy,
 * a FIN inside its payload (after its first k bytes), and arrives while
 * frame a (index i-1) is still missing: the FIN is known beyond a gap
 * (DEC-18 fixes the stream's end there).  Sometimes b itself came first
 * (queued out of order, then cut at the FIN: RCV-062, DEC-18), sometimes
 * the FIN segment comes twice, sometimes an empty FIN follows further on
 * (a second, different FIN: dropped, DEC-18); then the whole of b (its
 * bytes past the FIN dropped), then a fills the gap and the FIN is
 * reached; the rest of the replay lies beyond the FIN.  With no gap (a
 * first) the FIN is in sequence and b's whole copy starts before RcvNxt. */
void torc_vz_wire_fin_ahead(vz_scen *s, vz_rng *r) {
  size_t i = pick_pair(s, r);
  const vz_frame *a, *b;
  uint32_t k;
  int gap = torc_vz_rng_chance(r, 75), b_first = 0, next_first = 0;
  uint8_t fl;
  if (torc_vz_rng_chance(r, 60))
    torc_vz_ev_post(s, torc_vz_pick_size(r, s), torc_vz_rng_chance(r, 50), 0,
                    0);
  if (i == 0) {
    torc_vz_ev_frames(s, s->nplay);
    return;
  }
  a = &s->play[i - 1];
  b = &s->play[i];
  k = (uint32_t)torc_vz_rng_range(r, 1, b->len - 1);
  fl = (uint8_t)((b->tcp_flags & TORC_TCP_PSH) | TORC_TCP_ACK | TORC_TCP_FIN);
  torc_vz_ev_frames(s, i - 1);
  if (!gap)
    torc_vz_ev_frame_of(s, a);
  if (gap && torc_vz_rng_chance(r, 50)) {
    b_first = 1;
    torc_vz_ev_frame_of(s, b);
    if (i + 1 < s->nplay && torc_vz_rng_chance(r, 50)) {
      next_first = 1;
      torc_vz_ev_frame_of(s, &s->play[i + 1]);
    }
  }
  torc_vz_ev_derived(s, b, (int64_t)(b->off - s->base), k, fl);
  if (torc_vz_rng_chance(r, 40))
    torc_vz_ev_derived(s, b, (int64_t)(b->off - s->base), k, fl);
  if (torc_vz_rng_chance(r, 40))
    torc_vz_ev_derived(s, b,
                       (int64_t)(b->off - s->base) + k +
                           (int64_t)torc_vz_rng_range(r, 1, b->len - k),
                       0, TORC_TCP_ACK | TORC_TCP_FIN);
  if (!b_first)
    torc_vz_ev_frame_of(s, b);
  if (gap)
    torc_vz_ev_frame_of(s, a);
  rest_of_replay(s, i + 1, next_first ? i + 1 : SIZE_MAX);
  if (torc_vz_rng_chance(r, 60))
    torc_vz_ev_post(s, torc_vz_pick_size(r, s), torc_vz_rng_chance(r, 50), 0,
                    0);
  torc_vz_ev_deadline(s, r);
  if (torc_vz_rng_chance(r, 40))
    torc_vz_ev_terminate(s);
}

/* K_TAIL_FIRST: the tail of a frame of the replay (from its k-th byte)
 * arrives first, queued beyond the gap its head leaves; then the whole
 * frame arrives in sequence and its bytes overlapping the queued ones are
 * cut there (those arrived first, RCV-062); sometimes the whole frame
 * carries a FIN as well (the FIN stays with the queued tail's end). */
void torc_vz_wire_tail_first(vz_scen *s, vz_rng *r) {
  size_t i, pick = s->nplay;
  for (i = 0; i < s->nplay && pick == s->nplay; i++)
    if (s->play[i].len >= 2 && s->play[i].off >= s->p &&
        torc_vz_rng_chance(r, 60))
      pick = i;
  torc_vz_ev_post(s, torc_vz_pick_size(r, s), torc_vz_rng_chance(r, 50), 0, 0);
  if (pick == s->nplay) {
    torc_vz_ev_frames(s, s->nplay);
    return;
  }
  torc_vz_ev_frames(s, pick);
  {
    const vz_frame *f = &s->play[pick];
    uint32_t k = (uint32_t)torc_vz_rng_range(r, 1, f->len - 1);
    int fin = pick + 1 == s->nplay || torc_vz_rng_chance(r, 30);
    uint8_t keep = (uint8_t)(f->tcp_flags & (TORC_TCP_PSH | TORC_TCP_ACK));
    torc_vz_ev_derived(s, f, (int64_t)(f->off - s->base) + k, f->len - k, keep);
    if (fin) {
      torc_vz_ev_derived(s, f, (int64_t)(f->off - s->base), f->len,
                         (uint8_t)(keep | TORC_TCP_ACK | TORC_TCP_FIN));
      s->played = s->nplay; /* nothing is sent past the FIN */
    } else {
      torc_vz_ev_frame_of(s, f);
      s->played = pick + 1;
      torc_vz_ev_frames(s, s->nplay);
    }
  }
  if (torc_vz_rng_chance(r, 50))
    torc_vz_ev_post(s, torc_vz_pick_size(r, s), torc_vz_rng_chance(r, 50), 0,
                    0);
  torc_vz_ev_deadline(s, r);
}

/* An empty ACK at RcvNxt as the replay so far leaves it (the window bounds
 * it: with no request to take the bytes the window may be closed, where
 * only a segment exactly at RcvNxt is acceptable, RFC 9293 3.10.7.4). */
void torc_vz_wire_empty_ack(vz_scen *s) {
  uint64_t nxt = torc_vz_contiguous_end(s);
  const vz_frame *f;
  if (s->nplay == 0)
    return;
  f = &s->play[s->played ? s->played - 1 : 0];
  if (nxt > s->buffered + (uint64_t)s->rcv_wnd)
    nxt = s->buffered + (uint64_t)s->rcv_wnd;
  torc_vz_ev_derived(s, f, (int64_t)nxt, 0, TORC_TCP_ACK);
}
