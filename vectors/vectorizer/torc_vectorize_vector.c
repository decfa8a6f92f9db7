/*
 * torc_vectorize_vector.c - one vector of `torc vectorize`, from a flow to
 * a file the reference PASSes.
 *
 * For vector number index of a flow: the kind (index % K_COUNT) and the
 * vector's PRNG, an offload point and a replay window (preferring a replay
 * the capture reordered for terminations and some others), BufferedData,
 * the push timer, the receive window and the indication size, the script
 * and the host's answers, then the body (provenance, state, events).  The
 * draft goes through the reference for its trace; the trace becomes the
 * expectation, with the requirement ids, tags, capabilities and allowances
 * derived from it; the final vector is written and must PASS, or it is
 * dropped.  Called by torc_vectorize_capture.c for each kept flow.
 */
#include "torc_vectorize_int.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A fresh scenario of vector number index at offload point pt, replaying w
 * frames from it. */
static void scenario_at(vz_scen *s, const vz_flow *fl, vz_point pt, size_t w,
                        unsigned index, int alloc_after) {
  memset(s, 0, sizeof *s);
  s->kind = (int)(index % K_COUNT);
  s->alloc_after = alloc_after;
  s->p = pt.p;
  torc_vz_analyse_replay(s, fl, pt.idx, w);
}

/* Chooses the offload point and the replay window: sets *need_buf (0 when
 * no point with buffered bytes fits) and *pt, and returns its index with *s
 * analysed, or -1 when the flow has nothing to replay. */
static long choose_cut(vz_scen *s, const vz_flow *fl, vz_rng *r, unsigned index,
                       int alloc_after, int *need_buf, vz_point *pt) {
  size_t w = 0;
  vz_point p1, p2pt;
  long pi;
  *need_buf = torc_vz_kind_needs_buffered((int)(index % K_COUNT), r);
  pi = torc_vz_choose_point(fl, r, *need_buf, torc_vz_rng_chance(r, 15), &w);
  if (pi < 0) {
    pi = torc_vz_choose_point(fl, r, 0, 0, &w);
    *need_buf = 0;
  }
  if (pi < 0 || torc_vz_flow_point(fl, (size_t)pi, &p1) != 0)
    return -1;
  scenario_at(s, fl, p1, w, index, alloc_after);
  /* Terminations and some others look for a replay the capture reordered. */
  if (s->kind == K_TERMINATE || s->kind == K_WRAP || s->kind == K_DUP ||
      torc_vz_rng_chance(r, 30)) {
    int tries;
    for (tries = 0; tries < 24 && !s->has_ooo; tries++) {
      size_t w2 = 0;
      long p2 = torc_vz_choose_point(fl, r, *need_buf, 0, &w2);
      if (p2 < 0 || torc_vz_flow_point(fl, (size_t)p2, &p2pt) != 0)
        break;
      scenario_at(s, fl, p2pt, w2, index, alloc_after);
      if (s->has_ooo) {
        pi = p2;
        p1 = p2pt;
        w = w2;
      }
    }
    if (!s->has_ooo) /* back to the first choice */
      scenario_at(s, fl, p1, w, index, alloc_after);
  }
  *pt = p1;
  return pi;
}

/* BufferedData, frame spacing, receive window, push timer and indication
 * size of the scenario. */
static void scenario_params(vz_scen *s, vz_rng *r, int need_buf) {
  uint64_t bmax = s->p < VZ_MAX_BUFFERED ? s->p : VZ_MAX_BUFFERED;
  if (need_buf && bmax) {
    switch (torc_vz_rng_next(r) % 3) {
    case 0:
      s->buffered = torc_vz_rng_range(r, 1, bmax < 200 ? bmax : 200);
      break;
    case 1:
      s->buffered = torc_vz_rng_range(r, 1, bmax);
      break;
    default:
      s->buffered = bmax;
      break;
    }
  }
  s->base = s->p - s->buffered;
  s->frame_gap_us = torc_vz_rng_range(r, 50, 5000);
  s->rcv_wnd = 4194304;
  torc_vz_set_push_params(s, r);
  if (s->kind == K_WINDOW) {
    s->rcv_wnd =
        (uint32_t)torc_vz_rng_range(r, 1, s->dnew > 2 ? s->dnew / 2 : 1);
    /* Sometimes the window ends exactly where the first half of the
     * replay ends (the script posts there): the rest arrives in sequence
     * only because placing the held bytes reopened it (DEC-15). */
    if (s->nplay >= 2 && torc_vz_rng_chance(r, 50)) {
      const vz_frame *h = &s->play[(s->nplay + 1) / 2 - 1];
      if (h->off + h->len > s->p && h->off + h->len - s->p < UINT32_MAX)
        s->rcv_wnd = (uint32_t)(h->off + h->len - s->p);
    }
    /* DEC-15: with InitialRcvWnd 0 the window is RcvWnd plus the
     * BufferedData length (DEC-23 otherwise). */
    if (s->buffered && torc_vz_rng_chance(r, 50))
      s->initial_zero = 1;
  }
  if (s->kind == K_INDSIZE ||
      (s->kind == K_POST_IN_IND && torc_vz_rng_chance(r, 50)))
    s->ind_size = (uint32_t)torc_vz_rng_range(r, 1, 3000);
  if (s->kind == K_EDGE) {
    /* The right edge exactly at the end of a replayed frame, or one byte
     * before it (the frame reaches one byte past the window). */
    size_t i, k = torc_vz_rng_range(r, 0, s->nplay ? s->nplay - 1 : 0);
    int want_psh = torc_vz_rng_chance(r, 50); /* DEC-31: a cut PSH */
    const vz_frame *f0 = s->nplay ? &s->play[0] : NULL;
    /* Sometimes the window ends inside the first frame, a PSH segment
     * arriving before any request: its kept part is held with the PSH
     * (DEC-31), which completes the push request posted next. */
    if (f0 && f0->off == s->p && f0->len >= 2 &&
        (f0->tcp_flags & TORC_TCP_PSH) && torc_vz_rng_chance(r, 40)) {
      s->rcv_wnd = (uint32_t)torc_vz_rng_range(r, 1, f0->len - 1);
      s->edge_first = 1;
      want_psh = 0;
      k = 0;
    }
    for (i = 0; i < 2 * s->nplay; i++) {
      const vz_frame *f = &s->play[(k + i) % s->nplay];
      if (i == s->nplay)
        want_psh = 0;
      if (s->edge_first)
        break;
      if (want_psh && !(f->tcp_flags & TORC_TCP_PSH))
        continue;
      if (f->len && f->off + f->len > s->p + 1) {
        s->rcv_wnd = (uint32_t)(f->off + f->len - s->p) -
                     (torc_vz_rng_chance(r, 50) ? 1u : 0u);
        break;
      }
    }
  }
}

/* K_WRAP: the rebase that puts 2^32 inside the vector's stream (the
 * sequence number isn + x wraps to 0 for some x within the data). */
static void wrap_shift(vz_scen *s, vz_rng *r, uint32_t isn) {
  uint64_t span = s->buffered + s->dnew;
  uint32_t want =
      (uint32_t)(0x100000000ull - torc_vz_rng_range(r, 1, span > 1 ? span : 1));
  s->seq_shift = want - isn;
}

/* Appends frame f to the list (numbers and file offsets).  Returns 0 or
 * -1 (memory). */
static int list_add(uint32_t **nums, int64_t **pos, size_t *np, size_t *cap,
                    const vz_frame *f) {
  if (*np == *cap) {
    size_t nc = *cap ? *cap * 2 : 64;
    uint32_t *g = realloc(*nums, nc * sizeof *g);
    int64_t *h;
    if (!g)
      return -1;
    *nums = g;
    if (!(h = realloc(*pos, nc * sizeof *h)))
      return -1;
    *pos = h;
    *cap = nc;
  }
  (*nums)[*np] = f->number;
  (*pos)[(*np)++] = f->pos;
  return 0;
}

/* The frames a vector lists: those carrying the buffered bytes, then the
 * replay, with the file offsets of their records in *pos.  Returns them
 * (malloc'd, *np of them; *pos too) or NULL (memory, a read error). */
static uint32_t *listed_frames(const vz_flow *fl, const vz_point *pt,
                               const vz_scen *s, size_t *np, int64_t **pos) {
  uint32_t *nums = NULL;
  size_t i, cap = 0;
  vz_frame f;
  *np = 0;
  *pos = NULL;
  for (i = 0; i < pt->idx && s->buffered; i++) {
    if (torc_vz_flow_frame(fl, i, &f) != 0)
      goto fail;
    if (f.len && f.off < s->p && f.off + f.len > s->base &&
        list_add(&nums, pos, np, &cap, &f) != 0)
      goto fail;
  }
  for (i = 0; i < s->played; i++)
    if (list_add(&nums, pos, np, &cap, &s->play[i]) != 0)
      goto fail;
  if (!nums && !(nums = calloc(1, sizeof *nums)))
    goto fail;
  return nums;
fail:
  free(nums);
  free(*pos);
  *pos = NULL;
  return NULL;
}

/* The capture as the vector's runs read it: only its listed frames, in
 * ascending order (torc_capture_open_frames), in c->cache.  Returns 0, or
 * -1 with the reason on stderr. */
static int vector_capture(vz_ctx *c, const vz_flow *fl, const uint32_t *nums,
                          const int64_t *pos, size_t np) {
  uint32_t *sn = malloc((np ? np : 1) * sizeof *sn);
  int64_t *sp = malloc((np ? np : 1) * sizeof *sp);
  torc_capture *cap = NULL;
  char err[1024];
  size_t i, j;
  int rc = -1;
  if (!sn || !sp || !(c->cache = torc_capture_cache_new())) {
    fprintf(stderr, "torc vectorize: out of memory\n");
    goto out;
  }
  for (i = 0; i < np; i++) { /* insertion: a few, nearly sorted */
    for (j = i; j > 0 && sn[j - 1] > nums[i]; j--) {
      sn[j] = sn[j - 1];
      sp[j] = sp[j - 1];
    }
    sn[j] = nums[i];
    sp[j] = pos[i];
  }
  if (torc_capture_open_frames(fl->cap_real, c->cap_sha, sn, sp, np,
                               fl->ps->file_frames, &cap, err,
                               sizeof err) != 0) {
    fprintf(stderr, "torc vectorize: %s\n", err);
    goto out;
  }
  if (torc_capture_cache_put(c->cache, cap) != 0) {
    fprintf(stderr, "torc vectorize: out of memory\n");
    goto out;
  }
  rc = 0;
out:
  torc_capture_unref(cap);
  free(sn);
  free(sp);
  return rc;
}

/* The provenance: capture, flow, listed frames, tool and a note saying how
 * the vector was cut. */
static json_t *provenance(const vz_ctx *c, const torc_flow_dir *d,
                          const vz_scen *s, const uint32_t *nums, size_t np,
                          const char *note) {
  json_t *prov = json_object(), *flow = json_object();
  char src[64], dst[64];
  torc_vz_addr_text(&d->key, d->key.src, src, sizeof src);
  torc_vz_addr_text(&d->key, d->key.dst, dst, sizeof dst);
  json_object_set_new(prov, "capture", json_string(c->cap_rel));
  json_object_set_new(prov, "capture_sha256", json_string(c->cap_sha));
  json_object_set_new(flow, "src", json_string(src));
  json_object_set_new(flow, "dst", json_string(dst));
  json_object_set_new(flow, "sport", json_integer(d->key.sport));
  json_object_set_new(flow, "dport", json_integer(d->key.dport));
  json_object_set_new(prov, "flow", flow);
  json_object_set_new(prov, "frames", torc_vz_frame_list(nums, np));
  json_object_set_new(prov, "tool", json_string(VZ_TOOL));
  json_object_set_new(prov, "tool_version", json_string(VZ_TOOL_VERSION));
  json_object_set_new(prov, "seed", json_integer((json_int_t)c->seed));
  json_object_set_new(prov, "note", json_string(note));
  if (s->seq_shift || s->derived) {
    json_t *t = json_object();
    if (s->seq_shift)
      json_object_set_new(t, "seq_shift", json_integer(s->seq_shift));
    if (s->derived)
      json_object_set(t, "derived", s->derived);
    json_object_set_new(prov, "transform", t);
  }
  return prov;
}

/* The connection state at the offload. */
static json_t *state_at_offload(const vz_flow *fl, const vz_scen *s) {
  const torc_flow_dir *d = fl->d;
  json_t *state = json_object();
  json_object_set_new(
      state, "isn",
      json_integer((json_int_t)(uint32_t)(d->base_seq + (uint32_t)s->base +
                                          s->seq_shift)));
  json_object_set_new(
      state, "rcv_nxt",
      json_integer(
          (json_int_t)(uint32_t)(d->base_seq + (uint32_t)s->p + s->seq_shift)));
  json_object_set_new(state, "rcv_wnd", json_integer(s->rcv_wnd));
  if (s->push_ticks)
    json_object_set_new(state, "push_ticks", json_integer(s->push_ticks));
  if (s->tps || s->tps_zero)
    json_object_set_new(state, "ticks_per_second", json_integer(s->tps));
  if (s->initial_zero)
    json_object_set_new(state, "initial_rcv_wnd", json_integer(0));
  if (s->ind_size)
    json_object_set_new(state, "rcv_indication_size",
                        json_integer(s->ind_size));
  torc_vz_captured_state(fl, s->nplay ? &s->play[0] : NULL, state);
  return state;
}

int torc_vz_make_vector(vz_ctx *c, const vz_flow *fl, unsigned index) {
  const torc_flow_dir *d = fl->d;
  vz_point pt;
  vz_rng r;
  vz_scen s;
  const char *kname;
  size_t np = 0;
  long pi;
  json_t *body, *doc = NULL, *host, *exp;
  json_t *trace = NULL, *tags, *requires, *allow, *alts = NULL;
  uint32_t *nums;
  int64_t *pos;
  char path[PATH_MAX + 128], dirp[PATH_MAX], name[96];
  char why[512], note[256];
  torc_verdict verdict = TORC_ERROR;
  int need_buf, n_ind = 0, multi = 0, rc = 0;

  memset(&s, 0, sizeof s);
  torc_vz_rng_for_vector(&r, c->seed, c->cap_sha, d->id, index);
  pi = choose_cut(&s, fl, &r, index,
                  (int)(index % K_COUNT) == K_ALLOC_FAIL &&
                      (index / K_COUNT) % 2 == 1,
                  &need_buf, &pt);
  if (pi < 0)
    return 0; /* nothing to replay in this flow */
  scenario_params(&s, &r, need_buf);
  if (s.kind == K_WRAP)
    wrap_shift(&s, &r, (uint32_t)(d->base_seq + (uint32_t)s.base));
  s.events = json_array();
  torc_vz_build_script(&s, &r);
  s.ooo_held_at_end = torc_vz_held_beyond_gap(&s);
  host = torc_vz_host(&s, &r);

  nums = listed_frames(fl, &pt, &s, &np, &pos);
  if (!nums) {
    fprintf(stderr, "torc vectorize: out of memory or temporary file error\n");
    json_decref(s.events);
    json_decref(s.derived);
    json_decref(host);
    return -1;
  }
  if (np == 0) { /* a vector lists at least one frame of its flow */
    free(nums);
    free(pos);
    json_decref(s.events);
    json_decref(s.derived);
    json_decref(host);
    return 0;
  }

  kname = torc_vz_kind_name(s.kind, s.alloc_after);
  snprintf(note, sizeof note,
           "%s: offload after stream offset %" PRIu64 " (before frame %u), "
           "%" PRIu64 " bytes buffered, %zu frames replayed in capture order "
           "(%" PRIu64 " new bytes%s%s)%s%s",
           kname, s.p, s.play[0].number, s.buffered, s.played, s.dnew,
           s.has_ooo ? ", out of order" : "", s.has_dup ? ", duplicates" : "",
           s.seq_shift ? "; sequence numbers rebased across 2^32" : "",
           s.derived ? "; derived segments in provenance.transform" : "");

  body = json_object();
  json_object_set_new(body, "format", json_integer(1));
  json_object_set_new(body, "title",
                      json_string(torc_vz_kind_title(s.kind, s.alloc_after)));
  json_object_set_new(body, "focus",
                      json_string(torc_vz_kind_focus(s.kind, s.alloc_after)));
  json_object_set_new(body, "requirements", json_array());
  json_object_set_new(body, "tags", tags = json_array());
  json_object_set_new(body, "requires", requires = json_array());
  json_object_set_new(body, "provenance", provenance(c, d, &s, nums, np, note));
  rc = vector_capture(c, fl, nums, pos, np);
  free(nums);
  free(pos);
  if (rc != 0) {
    json_decref(body);
    json_decref(s.derived);
    torc_capture_cache_free(c->cache);
    c->cache = NULL;
    return -1;
  }
  json_object_set_new(body, "state", state_at_offload(fl, &s));
  json_object_set_new(body, "buffered",
                      s.kind == K_BUF_SPREAD
                          ? torc_vz_make_buffered(&r, s.buffered, 5, 4)
                          : torc_vz_make_buffered(&r, s.buffered, 2, 2));
  if (host)
    json_object_set_new(body, "host", host);
  json_object_set_new(body, "events", s.events);
  exp = json_object();
  json_object_set_new(exp, "trace", json_array());
  json_object_set_new(body, "expected", exp);
  json_array_append_new(json_object_get(body, "requirements"),
                        json_string("RCV-015")); /* the draft's, replaced */
  torc_vz_add_str(requires, "push_mode");

  snprintf(dirp, sizeof dirp, "%.3800s/%.255s", c->tmpdir, c->cap_stem);
  if (mkdir(dirp, 0777) != 0 && errno != EEXIST) {
    fprintf(stderr, "torc vectorize: %s: %s\n", dirp, strerror(errno));
    json_decref(body);
    json_decref(s.derived);
    torc_capture_cache_free(c->cache);
    c->cache = NULL;
    return -1;
  }
  snprintf(name, sizeof name, "f%u-%03u-%s.json", d->id, index, kname);
  snprintf(path, sizeof path, "%s/%s", dirp, name);

  /* 1. The draft (no expectation) through the reference. */
  doc = torc_vz_with_id(body);
  if (!doc || torc_vz_write_vector(path, doc) != 0) {
    fprintf(stderr, "torc vectorize: %s: cannot write\n", path);
    rc = -1;
    goto out;
  }
  json_decref(doc);
  doc = NULL;
  if (torc_vz_run_reference(c, path, &trace, &verdict, why, sizeof why) != 0) {
    if (!c->quiet)
      fprintf(stderr, "torc vectorize: dropped %s: %s\n", name, why);
    c->dropped++;
    unlink(path);
    goto out;
  }

  /* 2. Expectation, requirements (the rules that decided its events),
   * capabilities, allowances.  A vector none of whose events a testable
   * rule decided would cite nothing: it is dropped. */
  torc_vz_trace_counts(trace, &n_ind, &multi);
  json_object_set(exp, "trace", trace);
  if (torc_vz_decided_requirements(
          trace, c->testable, json_object_get(body, "requirements")) == 0) {
    if (!c->quiet)
      fprintf(stderr,
              "torc vectorize: dropped %s: no testable rule decides "
              "any of its events\n",
              name);
    c->dropped++;
    unlink(path);
    goto out;
  }
  torc_vz_tags(c, &s, d, kname, tags);
  torc_vz_requires(&s, n_ind, requires);
  allow = torc_vz_allowances(&s, trace, multi);
  /* The other readings' traces, where they differ (DECISIONS.md). */
  if (torc_vz_alternatives(c, path, trace, allow, &alts, why, sizeof why) !=
      0) {
    if (!c->quiet)
      fprintf(stderr, "torc vectorize: dropped %s: %s\n", name, why);
    json_decref(allow);
    c->dropped++;
    unlink(path);
    goto out;
  }
  if (json_array_size(allow))
    json_object_set_new(exp, "allowances", allow);
  else
    json_decref(allow);
  if (json_array_size(alts))
    json_object_set_new(exp, "alternatives", alts);
  else
    json_decref(alts);

  /* 3. The final vector, and the reference must PASS it. */
  doc = torc_vz_with_id(body);
  if (!doc || torc_vz_write_vector(path, doc) != 0) {
    fprintf(stderr, "torc vectorize: %s: cannot write\n", path);
    rc = -1;
    goto out;
  }
  if (torc_vz_run_reference(c, path, NULL, &verdict, why, sizeof why) != 0 ||
      verdict != TORC_PASS) {
    if (!c->quiet)
      fprintf(stderr, "torc vectorize: dropped %s: reference %s: %s\n", name,
              torc_verdict_name(verdict), why);
    c->dropped++;
    unlink(path);
    goto out;
  }
  c->written++;
  c->per_kind[s.kind]++;
  if (c->sel) {
    char rel[PATH_MAX];
    snprintf(rel, sizeof rel, "%.255s/%s", c->cap_stem, name);
    if (torc_vz_select_note(c->sel, rel, c->flow_no, s.kind, trace,
                            json_object_get(exp, "alternatives")) != 0) {
      fprintf(stderr, "torc vectorize: out of memory\n");
      rc = -1;
    }
  }
out:
  torc_capture_cache_free(c->cache); /* the vector's frames, no longer read */
  c->cache = NULL;
  json_decref(trace);
  json_decref(doc);
  json_decref(body);
  json_decref(s.derived);
  return rc;
}
