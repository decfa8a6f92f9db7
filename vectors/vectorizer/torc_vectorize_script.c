/*
 * torc_vectorize_script.c - the script of a vector: events (posts, captured
 * frames replayed in capture order, clock advances around the push
 * deadline, terminations, allocation faults) for each scenario kind, the
 * push timer's parameters, BufferedData as lists of fragments, and the
 * host's answers to indications.
 *
 * Called by torc_vectorize_vector.c once the offload point and the replay
 * window are chosen (torc_vectorize_flow.c); the flags it sets on the
 * scenario (has_push, has_terminate, ...) are what
 * torc_vectorize_requirements.c and torc_vectorize_labels.c read.
 */
#include "torc_vectorize_int.h"

#include <stdlib.h>
#include <string.h>

json_t *torc_vz_ev_new(vz_scen *s, const char *op) {
  json_t *e = json_object();
  if (json_array_size(s->events) == 0 || s->now != s->written) {
    json_object_set_new(e, "t_us", json_integer((json_int_t)s->now));
    s->written = s->now;
  }
  json_object_set_new(e, "op", json_string(op));
  json_array_append_new(s->events, e);
  return e;
}

/* in_completion: 1 from inside the next completion, 2 from inside the next
 * indication (before the host answers). */
void torc_vz_ev_post(vz_scen *s, uint64_t size, int push, uint64_t prefilled,
                     int in_completion) {
  json_t *e = torc_vz_ev_new(s, in_completion == 2   ? "post_in_indication"
                                : in_completion == 1 ? "post_in_completion"
                                                     : "post");
  if (in_completion == 2)
    s->has_in_indication = 1;
  json_object_set_new(e, "size", json_integer((json_int_t)size));
  if (!push)
    json_object_set_new(e, "push", json_false());
  if (prefilled)
    json_object_set_new(e, "prefilled", json_integer((json_int_t)prefilled));
  s->nposts++;
  if (push)
    s->has_push = 1;
  else
    s->has_nonpush = 1;
  if (size == 0)
    s->has_zero = 1;
  if (prefilled)
    s->has_prefilled = 1;
  if (in_completion)
    s->has_reentrant = 1;
  s->post_sizes_sum += size;
  if (!in_completion)
    s->last_data_t = s->now;
}

/* One frame event for replayed frame f (again, for a duplicate). */
void torc_vz_ev_frame_of(vz_scen *s, const vz_frame *f) {
  json_t *e;
  s->now += s->frame_gap_us;
  e = torc_vz_ev_new(s, "frame");
  json_object_set_new(e, "frame", json_integer(f->number));
  if (f->tcp_flags & TORC_TCP_FIN)
    s->has_fin = 1;
  if (f->len)
    s->last_data_t = s->now;
}

/* Replays the next n captured frames (fewer at the end of the replay). */
void torc_vz_ev_frames(vz_scen *s, size_t n) {
  for (; n > 0 && s->played < s->nplay; n--) {
    const vz_frame *f = &s->play[s->played++];
    torc_vz_ev_frame_of(s, f);
    if (f->tcp_flags & TORC_TCP_RST)
      s->has_rst = 1;
    if ((f->tcp_flags & TORC_TCP_PSH) && f->len)
      s->has_psh_frame = 1;
  }
}

/* A segment derived from frame f (provenance.transform.derived): payload
 * [voff, voff + len) of the vector's stream (inside f's, or empty at any
 * sequence number), flags replaced. */
void torc_vz_ev_derived(vz_scen *s, const vz_frame *f, int64_t voff,
                        uint32_t len, uint8_t flags) {
  static const struct {
    uint8_t bit;
    const char *name;
  } fl[] = {{TORC_TCP_FIN, "fin"}, {TORC_TCP_SYN, "syn"},
            {TORC_TCP_RST, "rst"}, {TORC_TCP_PSH, "psh"},
            {TORC_TCP_ACK, "ack"}, {TORC_TCP_URG, "urg"}};
  json_t *d = json_object(), *names = json_array(), *e;
  size_t i;
  if (!s->derived)
    s->derived = json_array();
  for (i = 0; i < sizeof fl / sizeof fl[0]; i++)
    if (flags & fl[i].bit)
      json_array_append_new(names, json_string(fl[i].name));
  json_object_set_new(d, "from", json_integer(f->number));
  json_object_set_new(d, "offset", json_integer((json_int_t)voff));
  json_object_set_new(d, "len", json_integer(len));
  json_object_set_new(d, "flags", names);
  json_array_append_new(s->derived, d);
  s->now += s->frame_gap_us;
  e = torc_vz_ev_new(s, "frame");
  json_object_set_new(e, "derived",
                      json_integer((json_int_t)json_array_size(s->derived)));
  if (flags & TORC_TCP_FIN)
    s->has_fin = 1;
  if (flags & TORC_TCP_RST)
    s->has_rst = 1;
  if (len)
    s->last_data_t = s->now;
}

/* RcvNxt (vector stream offset) once the frames replayed so far are in,
 * when the window took them all. */
uint64_t torc_vz_contiguous_end(const vz_scen *s) {
  uint64_t end = s->p;
  size_t i;
  int moved = 1;
  while (moved) {
    moved = 0;
    for (i = 0; i < s->played; i++) {
      const vz_frame *f = &s->play[i];
      if (f->len && f->off <= end && f->off + f->len > end) {
        end = f->off + f->len;
        moved = 1;
      }
    }
  }
  return end - s->base;
}

void torc_vz_ev_advance_to(vz_scen *s, uint64_t t) {
  if (t <= s->now)
    t = s->now + 1;
  s->now = t;
  torc_vz_ev_new(s, "advance");
  s->written = s->now;
  s->has_advance = 1;
}

/* Just before and just after the push deadline of the last placement. */
void torc_vz_ev_deadline(vz_scen *s, vz_rng *r) {
  uint64_t d = s->last_data_t + s->push_interval_us;
  if (torc_vz_rng_chance(r, 85))
    torc_vz_ev_advance_to(s, d - 1);
  torc_vz_ev_advance_to(s, d + 1);
}

void torc_vz_ev_terminate(vz_scen *s) {
  torc_vz_ev_new(s, "terminate");
  s->has_terminate = 1;
  s->played_at_term = s->played;
}

/* The rest of the replay after the terminate (RCV-215, DEC-26): the segments
 * reach the target while the terminate is, for a target completing it
 * later, still in progress; none may be processed.  They set none of the
 * has_* flags: no requirement is derived from data that is not processed. */
static void ev_frames_after_terminate(vz_scen *s) {
  while (s->played < s->nplay) {
    const vz_frame *f = &s->play[s->played++];
    json_t *e;
    s->now += s->frame_gap_us;
    e = torc_vz_ev_new(s, "frame");
    json_object_set_new(e, "frame", json_integer(f->number));
    s->after_term++;
  }
}

/* A request size: 1 byte .. 1 MiB, weighted toward the flow's sizes. */
uint64_t torc_vz_pick_size(vz_rng *r, const vz_scen *s) {
  uint64_t typ = s->dnew + s->buffered;
  switch (torc_vz_rng_next(r) % 8) {
  case 0:
    return 1;
  case 1:
    return torc_vz_rng_range(r, 1, 100);
  case 2:
    return 1048576;
  case 3:
    return torc_vz_rng_range(r, 1, typ > 1 ? typ : 2);
  case 4:
    return typ ? typ : 1;
  case 5:
    return torc_vz_rng_range(r, typ / 4 + 1, typ / 2 + 2);
  default:
    return torc_vz_rng_range(r, 100, 8192);
  }
}

void torc_vz_set_push_params(vz_scen *s, vz_rng *r) {
  switch (torc_vz_rng_next(r) % 5) {
  case 0:
    s->push_ticks = 0; /* 500 ms default (DEC-10) */
    s->tps = 0;
    s->push_interval_us = 500000;
    break;
  case 1:
    s->push_ticks = 20;
    s->tps = 100;
    s->push_interval_us = 200000;
    break;
  case 2:
    s->push_ticks = 50;
    s->tps = 1000;
    s->push_interval_us = 50000;
    break;
  case 3:
    s->push_ticks = 3;
    s->tps = 10;
    s->push_interval_us = 300000;
    break;
  default:
    /* TicksPerSecond 0 stands for 1000 (RCV-198, DEC-10) */
    s->push_ticks = 250;
    s->tps = 0;
    s->tps_zero = 1;
    s->push_interval_us = 250000;
    break;
  }
}

/* Builds the script of kind s->kind (the wire kinds: torc_vectorize_wire.c). */
void torc_vz_build_script(vz_scen *s, vz_rng *r) {
  size_t half = (s->nplay + 1) / 2, i;
  int n;
  s->now = s->kind == K_LONGCLOCK
               ? VZ_WEEKS3_US + torc_vz_rng_range(r, 0, 999999)
               : 0;
  s->written = UINT64_MAX;
  s->last_data_t = s->now;
  if (s->kind == K_ALLOC_FAIL && !s->alloc_after) {
    torc_vz_ev_new(s, "fail_alloc"); /* the offload's allocations fail */
    s->has_fail_alloc = 1;
  }
  torc_vz_ev_new(s, "offload");
  switch (s->kind) {
  case K_BUF_NONE_PRE:
    n = (int)torc_vz_rng_range(r, 1, 4);
    for (i = 0; i < (size_t)n; i++)
      torc_vz_ev_post(s, torc_vz_pick_size(r, s), torc_vz_rng_chance(r, 60), 0,
                      0);
    torc_vz_ev_frames(s, s->nplay);
    if (torc_vz_rng_chance(r, 70))
      torc_vz_ev_deadline(s, r);
    break;
  case K_BUF_LT_FIRST:
    torc_vz_ev_post(s, s->buffered + torc_vz_rng_range(r, 1, 4096), 1, 0, 0);
    torc_vz_ev_deadline(s, r);
    torc_vz_ev_post(s, torc_vz_pick_size(r, s), torc_vz_rng_chance(r, 50), 0,
                    0);
    torc_vz_ev_frames(s, s->nplay);
    if (torc_vz_rng_chance(r, 50))
      torc_vz_ev_deadline(s, r);
    break;
  case K_BUF_EQ:
    torc_vz_ev_post(s, s->buffered, torc_vz_rng_chance(r, 50), 0, 0);
    torc_vz_ev_frames(s, half);
    torc_vz_ev_post(s, torc_vz_pick_size(r, s), torc_vz_rng_chance(r, 50), 0,
                    0);
    torc_vz_ev_frames(s, s->nplay);
    break;
  case K_BUF_GT:
    n = (int)torc_vz_rng_range(r, 1, 3);
    for (i = 0; i < (size_t)n; i++)
      torc_vz_ev_post(
          s, torc_vz_rng_range(r, 1, s->buffered / (uint64_t)(n + 1) + 1),
          torc_vz_rng_chance(r, 50), 0, 0);
    torc_vz_ev_frames(s, s->nplay);
    if (torc_vz_rng_chance(r, 50))
      torc_vz_ev_post(s, torc_vz_pick_size(r, s), torc_vz_rng_chance(r, 50), 0,
                      0);
    break;
  case K_BUF_SPREAD:
    n = (int)torc_vz_rng_range(r, 2, 5);
    for (i = 0; i < (size_t)n; i++)
      torc_vz_ev_post(s, torc_vz_rng_range(r, 1, s->buffered / 2 + 1), 0, 0, 0);
    torc_vz_ev_frames(s, s->nplay);
    torc_vz_ev_post(s, s->dnew + s->buffered + 1, torc_vz_rng_chance(r, 50), 0,
                    0);
    break;
  case K_POST_AFTER:
    torc_vz_ev_frames(s, half);
    n = (int)torc_vz_rng_range(r, 1, 3);
    for (i = 0; i < (size_t)n; i++)
      torc_vz_ev_post(s, torc_vz_pick_size(r, s), torc_vz_rng_chance(r, 50), 0,
                      0);
    torc_vz_ev_frames(s, s->nplay);
    break;
  case K_PUSH_TIMER:
  case K_LONGCLOCK:
    torc_vz_ev_post(s, s->dnew + s->buffered + torc_vz_rng_range(r, 1, 65536),
                    1, 0, 0);
    torc_vz_ev_frames(s, torc_vz_rng_range(r, 1, s->nplay));
    torc_vz_ev_deadline(s, r);
    torc_vz_ev_frames(s, s->nplay);
    torc_vz_ev_deadline(s, r);
    break;
  case K_NONPUSH:
    torc_vz_ev_post(s, torc_vz_rng_range(r, 1, s->dnew + s->buffered + 1), 0, 0,
                    0);
    torc_vz_ev_post(s, s->dnew + s->buffered + torc_vz_rng_range(r, 1, 4096), 0,
                    0, 0);
    torc_vz_ev_frames(s, s->nplay);
    if (torc_vz_rng_chance(r, 40))
      torc_vz_wire_empty_ack(s);
    torc_vz_ev_advance_to(s, s->now + 1000000);
    if (torc_vz_rng_chance(r, 50))
      torc_vz_ev_terminate(s);
    break;
  case K_REFUSE:
  case K_PARTIAL:
  case K_WINDOW:
    torc_vz_ev_frames(s, half);
    if (s->kind == K_WINDOW && torc_vz_rng_chance(r, 50))
      torc_vz_wire_empty_ack(s);
    if (s->kind != K_WINDOW || torc_vz_rng_chance(r, 60))
      torc_vz_ev_post(s, torc_vz_pick_size(r, s), torc_vz_rng_chance(r, 50), 0,
                      0);
    torc_vz_ev_frames(s, s->nplay);
    if (torc_vz_rng_chance(r, 50))
      torc_vz_ev_post(s, 1048576, 1, 0, 0);
    break;
  case K_TERMINATE: {
    size_t at = torc_vz_rng_range(r, 0, s->nplay);
    /* Often right after the capture's first out-of-order segment, so the
     * upload finds bytes held beyond a gap (RCV-220). */
    if (s->has_ooo && torc_vz_rng_chance(r, 70))
      at = s->first_ooo + 1;
    if (torc_vz_rng_chance(r, 60))
      torc_vz_ev_post(s, torc_vz_pick_size(r, s), torc_vz_rng_chance(r, 50), 0,
                      0);
    if (torc_vz_rng_chance(r, 40))
      torc_vz_ev_post(s, torc_vz_pick_size(r, s), torc_vz_rng_chance(r, 50), 0,
                      0);
    torc_vz_ev_frames(s, at);
    if (torc_vz_rng_chance(r, 30))
      torc_vz_ev_advance_to(s, s->now + torc_vz_rng_range(r, 1, 600000));
    /* a post from inside the terminate's completion (RCV-236, DEC-24) */
    if (torc_vz_rng_chance(r, 25))
      torc_vz_ev_post(s, torc_vz_pick_size(r, s), torc_vz_rng_chance(r, 50), 0,
                      1);
    torc_vz_ev_terminate(s);
    ev_frames_after_terminate(s);
    break;
  }
  case K_ALLOC_FAIL:
    if (s->alloc_after) {
      /* DEC-25: data arrives with no request posted, so the target must
       * hold it, and every allocation made while it handles the next
       * segment fails: the reference drops that segment and asks for an
       * upload (RCV-237), processes nothing more (RCV-242) and completes
       * the post made after it with UPLOAD_IN_PROGRESS (RCV-236); the
       * terminate hands back what it held.  A segment that needs no
       * memory (nothing new in it) leaves the failure unused: the
       * reference does not PASS such a draft and it is dropped. */
      torc_vz_ev_frames(s, torc_vz_rng_range(r, 0, 2));
      torc_vz_ev_new(s, "fail_alloc");
      s->has_fail_alloc = 1;
      /* Sometimes an empty ACK instead: no segment to copy, but held data
       * (BufferedData) to describe in an indication (DEC-25). */
      if (s->buffered && torc_vz_rng_chance(r, 40))
        torc_vz_wire_empty_ack(s);
      else
        torc_vz_ev_frames(s, torc_vz_rng_range(r, 1, 3));
      torc_vz_ev_post(s, torc_vz_pick_size(r, s), torc_vz_rng_chance(r, 50), 0,
                      0);
      torc_vz_ev_frames(s, s->nplay);
      torc_vz_ev_terminate(s);
      break;
    }
    torc_vz_ev_post(s, torc_vz_pick_size(r, s), 1, 0, 0);
    torc_vz_ev_frames(s, torc_vz_rng_range(r, 0, 3));
    break;
  case K_ZERO:
    if (torc_vz_rng_chance(r, 50))
      torc_vz_ev_post(s, 0, 1, 0, 0);
    torc_vz_ev_frames(s, half);
    torc_vz_ev_post(s, 0, torc_vz_rng_chance(r, 50), 0, 0);
    torc_vz_ev_post(s, torc_vz_pick_size(r, s), torc_vz_rng_chance(r, 50), 0,
                    0);
    torc_vz_ev_frames(s, s->nplay);
    break;
  case K_INDSIZE:
    torc_vz_ev_frames(s, half);
    if (torc_vz_rng_chance(r, 50))
      torc_vz_ev_post(s, torc_vz_pick_size(r, s), torc_vz_rng_chance(r, 50), 0,
                      0);
    torc_vz_ev_frames(s, s->nplay);
    break;
  case K_REENTRANT:
    torc_vz_ev_post(s, torc_vz_rng_range(r, 1, s->buffered + s->dnew / 2 + 1),
                    1, 0, 0);
    torc_vz_ev_post(s, torc_vz_pick_size(r, s), torc_vz_rng_chance(r, 50), 0,
                    1);
    torc_vz_ev_frames(s, s->nplay);
    torc_vz_ev_post(s, torc_vz_pick_size(r, s), torc_vz_rng_chance(r, 50), 0,
                    0);
    break;
  case K_PREFILLED: {
    uint64_t pre = torc_vz_rng_range(r, 1, 512);
    torc_vz_ev_post(s,
                    pre + s->buffered + s->dnew + torc_vz_rng_range(r, 1, 4096),
                    1, pre, 0);
    if (torc_vz_rng_chance(r, 50))
      torc_vz_ev_deadline(s, r);
    torc_vz_ev_frames(s, s->nplay);
    torc_vz_ev_deadline(s, r);
    break;
  }
  case K_WRAP: /* the rebase is in torc_vectorize_vector.c */
    n = (int)torc_vz_rng_range(r, 0, 3);
    for (i = 0; i < (size_t)n; i++)
      torc_vz_ev_post(s, torc_vz_pick_size(r, s), torc_vz_rng_chance(r, 60), 0,
                      0);
    torc_vz_ev_frames(s, s->nplay);
    torc_vz_ev_post(s, torc_vz_pick_size(r, s), torc_vz_rng_chance(r, 60), 0,
                    0);
    torc_vz_ev_deadline(s, r);
    break;
  case K_RST:
    torc_vz_wire_rst(s, r);
    break;
  case K_FIN_DATA:
    torc_vz_wire_fin_data(s, r);
    break;
  case K_EDGE: { /* the window is set in torc_vectorize_vector.c */
    int pre = torc_vz_rng_chance(r, 40);
    if (s->edge_first) {
      torc_vz_ev_frames(s, 1);
      torc_vz_ev_post(s, 1048576, 1, 0, 0);
      pre = 1;
    } else if (pre)
      torc_vz_ev_post(s, torc_vz_pick_size(r, s), torc_vz_rng_chance(r, 50), 0,
                      0);
    torc_vz_ev_frames(s, s->nplay);
    /* With the data held up to the edge, a push request larger than it:
     * the PSH of the segment cut at the edge completes it (DEC-31). */
    if (!pre && torc_vz_rng_chance(r, 60))
      torc_vz_ev_post(s, s->dnew + s->buffered + 4096, 1, 0, 0);
    else
      torc_vz_ev_post(s, torc_vz_pick_size(r, s), torc_vz_rng_chance(r, 50), 0,
                      0);
    torc_vz_ev_advance_to(s, s->now + 1000000);
    break;
  }
  case K_POST_IN_IND:
    n = (int)torc_vz_rng_range(r, 1, 2);
    for (i = 0; i < (size_t)n; i++)
      torc_vz_ev_post(s,
                      torc_vz_rng_chance(r, 20) ? 0 : torc_vz_pick_size(r, s),
                      torc_vz_rng_chance(r, 50), 0, 2);
    torc_vz_ev_frames(s, half);
    if (torc_vz_rng_chance(r, 50))
      torc_vz_ev_post(s, torc_vz_pick_size(r, s), torc_vz_rng_chance(r, 50), 0,
                      2);
    torc_vz_ev_frames(s, s->nplay);
    if (torc_vz_rng_chance(r, 50))
      torc_vz_ev_post(s, torc_vz_pick_size(r, s), torc_vz_rng_chance(r, 50), 0,
                      0);
    if (torc_vz_rng_chance(r, 40)) {
      /* The host returns the indications late and in another order. */
      unsigned k;
      s->returns_reordered = 1;
      for (k = 3; k >= 1; k--) {
        json_t *e = torc_vz_ev_new(s, "return");
        json_object_set_new(e, "indication", json_integer(k));
      }
      torc_vz_ev_new(s, "return");
    }
    break;
  case K_ZERO_BEHIND:
    torc_vz_ev_post(s, torc_vz_pick_size(r, s), torc_vz_rng_chance(r, 50), 0,
                    0);
    torc_vz_ev_post(s, 0, torc_vz_rng_chance(r, 50), 0, 0);
    if (torc_vz_rng_chance(r, 60))
      torc_vz_ev_post(s, torc_vz_pick_size(r, s), torc_vz_rng_chance(r, 50), 0,
                      0);
    torc_vz_ev_frames(s, half);
    if (torc_vz_rng_chance(r, 50))
      torc_vz_ev_post(s, 0, torc_vz_rng_chance(r, 50), 0, 0);
    torc_vz_ev_frames(s, s->nplay);
    torc_vz_ev_deadline(s, r);
    if (torc_vz_rng_chance(r, 30))
      torc_vz_ev_terminate(s);
    break;
  case K_OVERLAP:
    torc_vz_wire_overlap(s, r);
    break;
  case K_FIN_AHEAD:
    torc_vz_wire_fin_ahead(s, r);
    break;
  case K_TAIL_FIRST:
    torc_vz_wire_tail_first(s, r);
    break;
  case K_REJECT_POST:
    /* DEC-25: the first post must queue its request, and every allocation
     * made while the host plays it fails: the request is completed with
     * REQUEST_ABORTED and 0 bytes and an upload is asked for (RCV-237);
     * later posts and segments wait for the terminate (DEC-24). */
    if (torc_vz_rng_chance(r, 50))
      torc_vz_ev_frames(s, torc_vz_rng_range(r, 0, half));
    torc_vz_ev_new(s, "fail_alloc");
    s->has_fail_alloc = 1;
    torc_vz_ev_post(s, torc_vz_pick_size(r, s), torc_vz_rng_chance(r, 50), 0,
                    0);
    if (torc_vz_rng_chance(r, 60))
      torc_vz_ev_post(s, torc_vz_pick_size(r, s), torc_vz_rng_chance(r, 50), 0,
                      0);
    torc_vz_ev_frames(s, s->nplay);
    if (torc_vz_rng_chance(r, 60))
      torc_vz_ev_terminate(s);
    break;
  case K_MANY: {
    /* More small requests than one receive_complete call carries in the
     * reference (RCV-048 lets a target group them as it likes). */
    int push = torc_vz_rng_chance(r, 50);
    n = (int)torc_vz_rng_range(r, 65, 140);
    for (i = 0; i < (size_t)n; i++)
      torc_vz_ev_post(s, torc_vz_rng_range(r, 1, 12), push, 0, 0);
    torc_vz_ev_frames(s, s->nplay);
    torc_vz_ev_deadline(s, r);
    if (torc_vz_rng_chance(r, 50))
      torc_vz_ev_terminate(s);
    break;
  }
  case K_DUP:
    torc_vz_ev_post(s, torc_vz_pick_size(r, s), torc_vz_rng_chance(r, 50), 0,
                    0);
    while (s->played < s->nplay) {
      size_t k = s->played;
      torc_vz_ev_frames(s, 1);
      /* held data again, at once: the frame the capture reordered */
      if (s->has_ooo && k == s->first_ooo)
        torc_vz_ev_frame_of(s, &s->play[k]);
    }
    if (s->played)
      torc_vz_ev_frame_of(s, &s->play[torc_vz_rng_range(r, 0, s->played - 1)]);
    torc_vz_ev_post(s, torc_vz_pick_size(r, s), torc_vz_rng_chance(r, 50), 0,
                    0);
    break;
  default:
    torc_vz_ev_frames(s, s->nplay);
    break;
  }
}

/* The host's answers: refusals or a partial accept of the first indication
 * (K_REFUSE, K_PARTIAL, some K_WINDOW), and sometimes an early return of
 * accepted indications. */
json_t *torc_vz_host(vz_scen *s, vz_rng *r) {
  json_t *host = NULL;
  size_t i;
  int in_ind = s->kind == K_POST_IN_IND && torc_vz_rng_chance(r, 65);
  if (s->kind == K_REFUSE || s->kind == K_PARTIAL || in_ind ||
      (s->kind == K_WINDOW && torc_vz_rng_chance(r, 40))) {
    json_t *answers = json_array(), *a = json_object();
    uint32_t minlen = 0;
    for (i = 0; i < s->nplay; i++)
      if (s->play[i].len && (!minlen || s->play[i].len < minlen))
        minlen = s->play[i].len;
    host = json_object();
    if ((s->kind == K_PARTIAL || (in_ind && torc_vz_rng_chance(r, 50))) &&
        minlen >= 2) {
      json_object_set_new(a, "status", json_string("PARTIALLY_ACCEPTED"));
      json_object_set_new(
          a, "consumed",
          json_integer((json_int_t)torc_vz_rng_range(r, 1, minlen - 1)));
      s->has_partial_answer = 1;
    } else {
      json_object_set_new(a, "status",
                          json_string(torc_vz_rng_chance(r, 50)
                                          ? "NOT_ACCEPTED"
                                          : "OFFLOAD_DATA_NOT_ACCEPTED"));
      s->has_refuse_answer = 1;
    }
    json_array_append_new(answers, a);
    if (torc_vz_rng_chance(r, 30)) {
      a = json_object();
      json_object_set_new(a, "status", json_string("NOT_ACCEPTED"));
      json_array_append_new(answers, a);
    }
    json_object_set_new(host, "answers", answers);
  }
  if (s->returns_reordered) {
    if (!host)
      host = json_object();
    json_object_set_new(host, "auto_return", json_string("explicit"));
  } else if (torc_vz_rng_chance(r, 20)) {
    if (!host)
      host = json_object();
    json_object_set_new(host, "auto_return", json_string("after_event"));
  }
  return host;
}

/* Splits [0, b) into nlists lists of fragments. */
json_t *torc_vz_make_buffered(vz_rng *r, uint64_t b, unsigned maxlists,
                              unsigned maxfrags) {
  json_t *lists = json_array();
  uint64_t off = 0;
  unsigned nl, l;
  if (!b)
    return lists;
  nl = (unsigned)torc_vz_rng_range(r, 1, maxlists);
  if (nl > b)
    nl = (unsigned)b;
  for (l = 0; l < nl; l++) {
    uint64_t left = b - off, share;
    unsigned nf, i;
    json_t *frags = json_array();
    share = l + 1 == nl ? left : torc_vz_rng_range(r, 1, left - (nl - l - 1));
    nf = (unsigned)torc_vz_rng_range(r, 1, maxfrags);
    if (nf > share)
      nf = (unsigned)share;
    for (i = 0; i < nf; i++) {
      uint64_t fl =
          i + 1 == nf ? share : torc_vz_rng_range(r, 1, share - (nf - i - 1));
      json_t *fr = json_object();
      json_object_set_new(fr, "offset", json_integer((json_int_t)off));
      json_object_set_new(fr, "len", json_integer((json_int_t)fl));
      json_array_append_new(frags, fr);
      off += fl;
      share -= fl;
    }
    json_array_append_new(lists, frags);
  }
  return lists;
}
