/*
 * torc_vectorize_flow.c - the flow a vector is cut from: which receiver
 * directions the --flows filter keeps, their replayable frames and
 * offload points (stream offsets after which no out-of-order byte is
 * held) read back, and the replay window after a point (new bytes, reordering,
 * duplicates, bytes held beyond a gap).
 *
 * Reads the records of the streaming pass (torc_vectorize_pass.c: frames
 * and offload points on disk, the folds of what the capture showed before
 * each frame) for torc_vectorize_capture.c and torc_vectorize_vector.c.
 */
#include "torc_vectorize_int.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int torc_vz_flow_frame(const vz_flow *fl, size_t i, vz_frame *out) {
  return torc_vz_array_get(fl->ps, &fl->x->fr, i, out);
}

int torc_vz_flow_point(const vz_flow *fl, size_t i, vz_point *out) {
  return torc_vz_array_get(fl->ps, &fl->x->pt, i, out);
}

void torc_vz_captured_state(const vz_flow *fl, const vz_frame *first,
                            json_t *state) {
  const torc_flow_dir *peer = fl->d;
  const torc_flow_dir *rcv = fl->rev ? &fl->rev->info : NULL;
  uint32_t snd_nxt, ack;
  uint16_t window;
  uint8_t ack_flags;
  int sent, have_ack, scaled;
  if (!rcv || !rcv->syn_seen)
    return; /* the handshake is not in the capture: nothing to say */
  /* RFC 9293 3.7.1: without an MSS option the peer may send 536 bytes
   * (IPv4) or 1220 (IPv6). */
  json_object_set_new(state, "mss",
                      json_integer(rcv->syn_mss               ? rcv->syn_mss
                                   : rcv->key.ip_version == 6 ? 1220
                                                              : 536));
  /* RFC 7323 2.2: scaling holds only when both SYNs carried the option. */
  scaled = peer->syn_seen && peer->syn_wscale >= 0 && rcv->syn_wscale >= 0;
  if (scaled) {
    json_object_set_new(
        state, "snd_wscale",
        json_integer(peer->syn_wscale > 14 ? 14 : peer->syn_wscale));
    json_object_set_new(
        state, "rcv_wscale",
        json_integer(rcv->syn_wscale > 14 ? 14 : rcv->syn_wscale));
  }
  /* The receiver's SndNxt and the peer's last acknowledgment before the
   * first replayed frame, as the pass folded them (torc_vectorize_pass.c). */
  if (first) {
    sent = first->rev_sent, snd_nxt = first->rev_snd_nxt;
    have_ack = first->have_ack, ack = first->ack;
    window = first->ack_window, ack_flags = first->ack_flags;
  } else {
    sent = fl->rev->sent, snd_nxt = fl->rev->snd_nxt;
    have_ack = fl->x->have_ack, ack = fl->x->ack;
    window = fl->x->ack_window, ack_flags = fl->x->ack_flags;
  }
  if (!sent || !have_ack)
    return;
  json_object_set_new(state, "snd_una", json_integer(ack));
  json_object_set_new(state, "snd_nxt", json_integer(snd_nxt));
  /* The window of a SYN is never scaled (RFC 7323 2.2). */
  json_object_set_new(
      state, "snd_wnd",
      json_integer((json_int_t)window
                   << (scaled && !(ack_flags & TORC_TCP_SYN)
                           ? (peer->syn_wscale > 14 ? 14 : peer->syn_wscale)
                           : 0)));
}

/* Analyses the replay of fl->fr[idx .. idx+w) from offload point p. */
void torc_vz_analyse_replay(vz_scen *s, const vz_flow *fl, size_t idx,
                            size_t w) {
  uint64_t maxend = s->p, cend = s->p, k;
  size_t i;
  uint8_t *cov;
  if (w > VZ_MAX_PLAY)
    w = VZ_MAX_PLAY;
  for (i = 0; i < w; i++)
    if (torc_vz_flow_frame(fl, idx + i, &s->playbuf[i]) != 0)
      break; /* a read error: a shorter replay */
  w = i;
  s->play = s->playbuf;
  s->nplay = w;
  s->has_ooo = s->has_dup = 0;
  for (i = 0; i < w; i++)
    if (s->play[i].off + s->play[i].len > maxend)
      maxend = s->play[i].off + s->play[i].len;
  cov = calloc(maxend - s->p + 1, 1);
  for (i = 0; i < w && cov; i++) {
    const vz_frame *f = &s->play[i];
    uint64_t a = f->off < s->p ? s->p : f->off, b = f->off + f->len;
    if (!f->len)
      continue;
    if (b <= cend)
      s->has_dup = 1;
    if (a > cend && !s->has_ooo) {
      s->has_ooo = 1;
      s->first_ooo = i;
    }
    for (k = a; k < b; k++)
      cov[k - s->p] = 1;
    while (cend < maxend && cov[cend - s->p])
      cend++;
  }
  free(cov);
  s->dnew = cend - s->p;
}

/* 1 when, after the frames actually replayed, bytes beyond a gap are held
 * (out-of-order data the target may not deliver). */
int torc_vz_held_beyond_gap(const vz_scen *s) {
  uint64_t maxend = s->p, cend = s->p, k;
  size_t i;
  uint8_t *cov;
  int held;
  size_t n = s->has_terminate ? s->played_at_term : s->played;
  for (i = 0; i < n; i++)
    if (s->play[i].off + s->play[i].len > maxend)
      maxend = s->play[i].off + s->play[i].len;
  cov = calloc(maxend - s->p + 1, 1);
  if (!cov)
    return 0;
  for (i = 0; i < n; i++) {
    uint64_t a = s->play[i].off < s->p ? s->p : s->play[i].off;
    for (k = a; k < s->play[i].off + s->play[i].len; k++)
      cov[k - s->p] = 1;
  }
  while (cend < maxend && cov[cend - s->p])
    cend++;
  held = maxend > cend;
  free(cov);
  return held;
}

/* Chooses an offload point and a replay window for kind.  Returns the index
 * into fl->pt, or -1 when the flow has none that fits. */
long torc_vz_choose_point(const vz_flow *fl, vz_rng *r, int need_buffered,
                          int want_end, size_t *w) {
  long best = -1;
  int tries;
  if (fl->npt == 0 || fl->nfr == 0)
    return -1;
  for (tries = 0; tries < 16; tries++) {
    long i = (long)torc_vz_rng_range(r, 0, fl->npt - 1);
    vz_point pt;
    if (torc_vz_flow_point(fl, (size_t)i, &pt) != 0)
      continue;
    if (need_buffered && pt.p == 0)
      continue;
    if (pt.idx >= fl->nfr)
      continue;
    if (want_end && fl->nfr - pt.idx > VZ_MAX_PLAY)
      continue;
    best = i;
    break;
  }
  if (best < 0 && want_end) { /* the last point with data before it */
    long i;
    vz_point pt;
    for (i = (long)fl->npt - 1; i >= 0; i--)
      if (torc_vz_flow_point(fl, (size_t)i, &pt) == 0 && pt.idx < fl->nfr &&
          (!need_buffered || pt.p))
        break;
    best = i;
  }
  if (best < 0)
    return -1;
  {
    vz_point pt;
    size_t left;
    if (torc_vz_flow_point(fl, (size_t)best, &pt) != 0)
      return -1;
    left = fl->nfr - pt.idx;
    *w = want_end ? (left < VZ_MAX_PLAY ? left : VZ_MAX_PLAY)
                  : (size_t)torc_vz_rng_range(r, 2, VZ_MAX_PLAY);
    if (*w > left)
      *w = left;
  }
  return best;
}

void torc_vz_addr_text(const torc_flow_key *k, const uint8_t *a, char *buf,
                       size_t n) {
  if (!inet_ntop(k->ip_version == 6 ? AF_INET6 : AF_INET, a, buf, (socklen_t)n))
    snprintf(buf, n, "?");
}

int torc_vz_filter_match_key(const torc_vectorize_filter *f,
                             const torc_flow_key *k) {
  char a[64];
  if (f->sport >= 0 && k->sport != f->sport)
    return 0;
  if (f->dport >= 0 && k->dport != f->dport)
    return 0;
  if (f->src[0]) {
    torc_vz_addr_text(k, k->src, a, sizeof a);
    if (strcmp(a, f->src) != 0)
      return 0;
  }
  if (f->dst[0]) {
    torc_vz_addr_text(k, k->dst, a, sizeof a);
    if (strcmp(a, f->dst) != 0)
      return 0;
  }
  return 1;
}

int torc_vz_filter_match(const torc_vectorize_filter *f,
                         const torc_flow_dir *d) {
  return torc_vz_filter_match_key(f, &d->key) && d->delivered > 0;
}

int torc_vz_filter_want(const void *user, const torc_flow_key *k) {
  torc_flow_key r = *k;
  memcpy(r.src, k->dst, sizeof r.src);
  memcpy(r.dst, k->src, sizeof r.dst);
  r.sport = k->dport;
  r.dport = k->sport;
  return torc_vz_filter_match_key(user, k) ||
         torc_vz_filter_match_key(user, &r);
}
