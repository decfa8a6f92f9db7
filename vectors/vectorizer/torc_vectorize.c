/*
 * torc_cli_vectorize.c - `torc vectorize`: test vectors from real captures,
 * and the requirement coverage table of `torc list --coverage`.
 *
 * Sits between the capture reader and the vector files: each capture is
 * reassembled with torc_flow_collect, the receiver-direction flows the
 * filter keeps are walked, and for each flow a seeded PRNG (splitmix64, no
 * rand()) picks offload points (stream offsets after which no out-of-order
 * byte is held) and synthesizes scenarios: BufferedData as byte ranges just
 * before the offload point, posts, host answers, clock advances around the
 * push deadline, terminations and allocation faults, with the captured
 * frames after the offload point replayed in capture order (so the
 * capture's own reordering, loss and duplication reach the target).  The
 * expected trace is what the reference target does (run through the engine,
 * trace recorded); each vector is then reloaded and re-run and kept only if
 * the reference PASSes it.  Requirement ids come from what the scenario and
 * its trace exercise, filtered by the catalogue's testable rows.
 *
 * Output is deterministic (fixed key order, no timestamps, fixed tool
 * version) and atomic: everything is written to a sibling temp directory
 * that replaces DIR only when every capture succeeded.
 */
#include "torc_cli.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <pcap/pcap.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "torc_capture.h"
#include "torc_flow.h"
#include "torc_load.h"
#include "torc_vector_int.h"

#define VZ_TOOL "torc vectorize"
#define VZ_TOOL_VERSION "1"
#define VZ_WEEKS3_US 1814400000000ull /* 3 weeks of virtual time */
#define VZ_MAX_BUFFERED 65536u
#define VZ_MAX_PLAY 24

static const char vz_help[] =
    "Usage: torc vectorize CAPTURE... -o DIR [--seed N] [--flows FILTER]\n"
    "                      [--per-flow N] [--catalogue FILE]\n"
    "Turn the TCP flows of pcap/pcapng captures into test vectors whose\n"
    "expected traces are computed by the reference target.\n"
    "\n"
    "  -o, --output DIR     output folder (replaced atomically)\n"
    "  --seed N             scenario seed (default 1)\n"
    "  --flows FILTER       keep directions matching all of src=A, dst=A,\n"
    "                       sport=P, dport=P (comma-separated; default:\n"
    "                       every direction carrying data)\n"
    "  --per-flow N         vectors per flow (default 40)\n"
    "  --catalogue FILE     requirement catalogue (default\n"
    "                       conformance/catalogue.json): only testable ids\n"
    "  -q, --quiet          no per-capture summary\n"
    "\n"
    "Exit status: 0, or 2 on a usage error or an unreadable/malformed\n"
    "capture (the message names the file and the frame); DIR is untouched\n"
    "on error.\n";

/* ---- PRNG ---------------------------------------------------------------- */

typedef struct vz_rng {
  uint64_t s;
} vz_rng;

static uint64_t rng_next(vz_rng *r) {
  uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}
/* Uniform in [lo, hi] (hi >= lo). */
static uint64_t rng_range(vz_rng *r, uint64_t lo, uint64_t hi) {
  if (hi <= lo)
    return lo;
  return lo + rng_next(r) % (hi - lo + 1);
}
static int rng_chance(vz_rng *r, unsigned percent) {
  return rng_next(r) % 100 < percent;
}

/* ---- requirement sets ---------------------------------------------------- */

typedef struct vz_reqs {
  unsigned char on[1000];
} vz_reqs;

static void req(vz_reqs *q, int n) {
  if (n > 0 && n < 1000)
    q->on[n] = 1;
}
static void reqs(vz_reqs *q, const int *ids, size_t n) {
  size_t i;
  for (i = 0; i < n; i++)
    req(q, ids[i]);
}
#define REQS(q, ...)                                                           \
  do {                                                                         \
    static const int ids_[] = {__VA_ARGS__};                                   \
    reqs((q), ids_, sizeof ids_ / sizeof ids_[0]);                             \
  } while (0)

/* The catalogue's testable ids (testable[n] = 1), or all allowed when the
 * catalogue cannot be read (returns -1). */
static int load_testable(const char *path, unsigned char *testable) {
  json_error_t je;
  json_t *root = json_load_file(path, 0, &je), *rows, *row;
  size_t i;
  if (!root)
    return -1;
  rows = json_object_get(root, "requirements");
  json_array_foreach(rows, i, row) {
    const char *id = json_string_value(json_object_get(row, "id"));
    int n;
    if (id && sscanf(id, "RCV-%d", &n) == 1 && n > 0 && n < 1000)
      testable[n] = json_is_true(json_object_get(row, "testable"));
  }
  json_decref(root);
  return 0;
}

/* ---- scenario kinds ------------------------------------------------------ */

enum {
  K_BUF_NONE_PRE = 0, /* no buffered data, posts before the data */
  K_BUF_LT_FIRST,     /* buffered data less than the first request */
  K_BUF_EQ,           /* buffered data exactly one request */
  K_BUF_GT,           /* buffered data more than all posted requests */
  K_BUF_SPREAD,       /* buffered data over several lists and fragments */
  K_POST_AFTER,       /* data indicated first, requests posted after */
  K_PUSH_TIMER,       /* push request, clock just before/after the deadline */
  K_NONPUSH,          /* non-push requests across PSH segments */
  K_REFUSE,           /* the host refuses an indication */
  K_PARTIAL,          /* the host accepts part of an indication */
  K_TERMINATE,        /* upload at some point */
  K_ALLOC_FAIL,       /* allocation failure at offload */
  K_ZERO,             /* zero-byte request */
  K_INDSIZE,          /* RcvIndicationSize */
  K_REENTRANT,        /* post from inside a completion */
  K_PREFILLED,        /* prefilled push request */
  K_WINDOW,           /* small receive window */
  K_LONGCLOCK,        /* push timer after weeks of virtual time */
  K_COUNT
};

static const char *const kind_name[K_COUNT] = {"buffered-none-posts-first",
                                               "buffered-less-than-request",
                                               "buffered-exact-request",
                                               "buffered-more-than-posts",
                                               "buffered-spread",
                                               "posts-after-data",
                                               "push-timer",
                                               "nonpush",
                                               "refuse",
                                               "partial-accept",
                                               "terminate",
                                               "alloc-fail-offload",
                                               "zero-byte-request",
                                               "indication-size",
                                               "reentrant-post",
                                               "prefilled",
                                               "receive-window",
                                               "long-clock"};

/* K_ALLOC_FAIL's second vector of a flow: the failure after the offload
 * (DEC-25). */
#define VZ_ALLOC_AFTER_NAME "alloc-fail-after-offload"
#define VZ_ALLOC_AFTER_TITLE                                                   \
  "Verify that an allocation failure after the offload asks for an upload "    \
  "and stops the connection"

static const char *const kind_title[K_COUNT] = {
    "Verify that requests posted before captured data arrives are filled in "
    "stream order",
    "Verify that BufferedData smaller than the first request is held by it "
    "until push or fill",
    "Verify that BufferedData exactly filling a request completes it",
    "Verify that BufferedData beyond the posted requests is indicated after "
    "them",
    "Verify that BufferedData spread over several lists and fragments is "
    "delivered in order",
    "Verify that data without posted requests is indicated and later posts "
    "are filled",
    "Verify that a partly filled push request completes at the push deadline "
    "and not before",
    "Verify that non-push requests complete only when full, whatever PSH says",
    "Verify that refused indicated data is kept and moved into later posts",
    "Verify that the unconsumed tail of a partly accepted indication is kept "
    "in order",
    "Verify that a terminate hands back undelivered data and completes "
    "pending requests",
    "Verify that an offload whose BufferedData cannot be copied fails",
    "Verify that a zero-byte request takes no data and still completes",
    "Verify that indications follow RcvIndicationSize",
    "Verify that a request posted from inside a completion is served before "
    "any indication",
    "Verify that a prefilled push request keeps its bytes and times out",
    "Verify that data beyond the receive window is not accepted",
    "Verify that the push timer still works after weeks of virtual time"};

/* ---- per-flow data ------------------------------------------------------- */

/* One replayable frame of the direction. */
typedef struct vz_frame {
  uint32_t number;
  uint64_t off; /* stream offset of the first payload byte (>= 0) */
  uint32_t len;
  uint8_t tcp_flags;
} vz_frame;

/* An offload point: after frames[0..idx) (idx = 0: before any data). */
typedef struct vz_point {
  size_t idx;
  uint64_t p; /* contiguous stream length at that moment */
} vz_point;

typedef struct vz_flow {
  const torc_flow_stream *st;
  vz_frame *fr;
  size_t nfr;
  vz_point *pt;
  size_t npt;
} vz_flow;

static int vz_flow_init(vz_flow *f, const torc_flow_stream *st) {
  size_t i, len = st->len;
  uint8_t *cov = calloc(len + 1, 1);
  uint64_t cend = 0, mend = 0;
  memset(f, 0, sizeof *f);
  f->st = st;
  f->fr = calloc(st->nmap + 1, sizeof *f->fr);
  f->pt = calloc(st->nmap + 2, sizeof *f->pt);
  if (!cov || !f->fr || !f->pt) {
    free(cov);
    return -1;
  }
  for (i = 0; i < st->nmap; i++) {
    const torc_flow_map_entry *e = &st->map[i];
    if (e->flags & (TORC_FLOW_F_NOBASE | TORC_FLOW_F_IGNORED) || e->off < 0)
      continue;
    if (e->tcp_flags & TORC_TCP_SYN)
      continue;
    if (e->len == 0 && !(e->tcp_flags & (TORC_TCP_FIN | TORC_TCP_RST)))
      continue;
    f->fr[f->nfr].number = e->frame;
    f->fr[f->nfr].off = (uint64_t)e->off;
    f->fr[f->nfr].len = e->len;
    f->fr[f->nfr].tcp_flags = e->tcp_flags;
    f->nfr++;
  }
  /* Offload points: before frame k, every byte received is in order. */
  f->pt[f->npt].idx = 0;
  f->pt[f->npt].p = 0;
  f->npt++;
  for (i = 0; i < f->nfr; i++) {
    const vz_frame *fr = &f->fr[i];
    uint64_t a = fr->off, b = fr->off + fr->len, k;
    if (fr->tcp_flags & (TORC_TCP_FIN | TORC_TCP_RST))
      break; /* offload before the connection closes */
    if (b > len)
      b = len;
    for (k = a; k < b; k++)
      cov[k] = 1;
    if (b > mend)
      mend = b;
    while (cend < len && cov[cend])
      cend++;
    if (cend == mend && cend > 0 && i + 1 < f->nfr) {
      f->pt[f->npt].idx = i + 1;
      f->pt[f->npt].p = cend;
      f->npt++;
    }
  }
  free(cov);
  return 0;
}

static void vz_flow_free(vz_flow *f) {
  free(f->fr);
  free(f->pt);
}

/* ---- building one vector ------------------------------------------------- */

typedef struct vz_ctx {
  const char *cap_rel;  /* capture path as written in vectors */
  const char *cap_sha;  /* sha256 of the capture file */
  const char *cap_stem; /* file name without extension */
  const char *link_tag; /* "link-en10mb", ... */
  uint64_t seed;
  const unsigned char *testable;
  torc_engine *eng;
  torc_capture_cache *cache;
  const char *tmpdir; /* the output being built */
  int quiet;
  size_t written, dropped;
  size_t per_kind[K_COUNT];
} vz_ctx;

/* The scenario being built. */
typedef struct vz_scen {
  int kind;
  json_t *events;
  uint64_t now;     /* virtual time of the last event written */
  uint64_t written; /* time written on the last event (for defaults) */
  int nposts;
  int has_push, has_nonpush, has_zero, has_prefilled, has_reentrant;
  int has_terminate, has_fail_alloc, has_advance, has_fin, has_rst;
  int has_psh_frame, has_partial_answer, has_refuse_answer;
  int alloc_after;       /* K_ALLOC_FAIL: the failure comes after the
                            offload (DEC-25) */
  size_t played_at_term; /* frames replayed before the terminate event */
  size_t after_term;     /* frames replayed after it (RCV-215, DEC-26) */
  uint64_t push_interval_us;
  uint32_t push_ticks, tps, ind_size, rcv_wnd;
  uint64_t buffered;
  /* Replayed frames. */
  const vz_frame *play;
  size_t nplay, played;
  uint64_t p;           /* offload point (capture stream offset) */
  uint64_t base;        /* capture offset of vector offset 0 = p - buffered */
  uint64_t dnew;        /* new in-order bytes the replayed frames bring */
  int has_ooo, has_dup; /* reordering / duplicates inside the replay */
  size_t first_ooo;     /* index in play of the first out-of-order frame */
  int ooo_held_at_end;  /* bytes beyond a gap held after the last replayed */
  uint64_t frame_gap_us;
  uint64_t last_data_t; /* time of the last frame or post */
  size_t post_sizes_sum;
} vz_scen;

static json_t *ev_new(vz_scen *s, const char *op) {
  json_t *e = json_object();
  if (json_array_size(s->events) == 0 || s->now != s->written) {
    json_object_set_new(e, "t_us", json_integer((json_int_t)s->now));
    s->written = s->now;
  }
  json_object_set_new(e, "op", json_string(op));
  json_array_append_new(s->events, e);
  return e;
}

static void ev_post(vz_scen *s, uint64_t size, int push, uint64_t prefilled,
                    int in_completion) {
  json_t *e = ev_new(s, in_completion ? "post_in_completion" : "post");
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

/* Replays the next n captured frames (fewer at the end of the replay). */
static void ev_frames(vz_scen *s, size_t n) {
  for (; n > 0 && s->played < s->nplay; n--) {
    const vz_frame *f = &s->play[s->played++];
    json_t *e;
    s->now += s->frame_gap_us;
    e = ev_new(s, "frame");
    json_object_set_new(e, "frame", json_integer(f->number));
    if (f->tcp_flags & TORC_TCP_FIN)
      s->has_fin = 1;
    if (f->tcp_flags & TORC_TCP_RST)
      s->has_rst = 1;
    if ((f->tcp_flags & TORC_TCP_PSH) && f->len)
      s->has_psh_frame = 1;
    if (f->len)
      s->last_data_t = s->now;
  }
}

static void ev_advance_to(vz_scen *s, uint64_t t) {
  if (t <= s->now)
    t = s->now + 1;
  s->now = t;
  ev_new(s, "advance");
  s->written = s->now;
  s->has_advance = 1;
}

/* Just before and just after the push deadline of the last placement. */
static void ev_deadline(vz_scen *s, vz_rng *r) {
  uint64_t d = s->last_data_t + s->push_interval_us;
  if (rng_chance(r, 85))
    ev_advance_to(s, d - 1);
  ev_advance_to(s, d + 1);
}

static void ev_terminate(vz_scen *s) {
  ev_new(s, "terminate");
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
    e = ev_new(s, "frame");
    json_object_set_new(e, "frame", json_integer(f->number));
    s->after_term++;
  }
}

/* A request size: 1 byte .. 1 MiB, weighted toward the flow's sizes. */
static uint64_t pick_size(vz_rng *r, const vz_scen *s) {
  uint64_t typ = s->dnew + s->buffered;
  switch (rng_next(r) % 8) {
  case 0:
    return 1;
  case 1:
    return rng_range(r, 1, 100);
  case 2:
    return 1048576;
  case 3:
    return rng_range(r, 1, typ > 1 ? typ : 2);
  case 4:
    return typ ? typ : 1;
  case 5:
    return rng_range(r, typ / 4 + 1, typ / 2 + 2);
  default:
    return rng_range(r, 100, 8192);
  }
}

static void set_push_params(vz_scen *s, vz_rng *r) {
  switch (rng_next(r) % 4) {
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
  default:
    s->push_ticks = 3;
    s->tps = 10;
    s->push_interval_us = 300000;
    break;
  }
}

/* Builds the script of kind s->kind. */
static void build_script(vz_scen *s, vz_rng *r) {
  size_t half = (s->nplay + 1) / 2, i;
  int n;
  s->now = s->kind == K_LONGCLOCK ? VZ_WEEKS3_US + rng_range(r, 0, 999999) : 0;
  s->written = UINT64_MAX;
  s->last_data_t = s->now;
  if (s->kind == K_ALLOC_FAIL && !s->alloc_after) {
    json_t *e = ev_new(s, "fail_alloc");
    json_object_set_new(e, "nth", json_integer(1));
    s->has_fail_alloc = 1;
  }
  ev_new(s, "offload");
  switch (s->kind) {
  case K_BUF_NONE_PRE:
    n = (int)rng_range(r, 1, 4);
    for (i = 0; i < (size_t)n; i++)
      ev_post(s, pick_size(r, s), rng_chance(r, 60), 0, 0);
    ev_frames(s, s->nplay);
    if (rng_chance(r, 70))
      ev_deadline(s, r);
    break;
  case K_BUF_LT_FIRST:
    ev_post(s, s->buffered + rng_range(r, 1, 4096), 1, 0, 0);
    ev_deadline(s, r);
    ev_post(s, pick_size(r, s), rng_chance(r, 50), 0, 0);
    ev_frames(s, s->nplay);
    if (rng_chance(r, 50))
      ev_deadline(s, r);
    break;
  case K_BUF_EQ:
    ev_post(s, s->buffered, rng_chance(r, 50), 0, 0);
    ev_frames(s, half);
    ev_post(s, pick_size(r, s), rng_chance(r, 50), 0, 0);
    ev_frames(s, s->nplay);
    break;
  case K_BUF_GT:
    n = (int)rng_range(r, 1, 3);
    for (i = 0; i < (size_t)n; i++)
      ev_post(s, rng_range(r, 1, s->buffered / (uint64_t)(n + 1) + 1),
              rng_chance(r, 50), 0, 0);
    ev_frames(s, s->nplay);
    if (rng_chance(r, 50))
      ev_post(s, pick_size(r, s), rng_chance(r, 50), 0, 0);
    break;
  case K_BUF_SPREAD:
    n = (int)rng_range(r, 2, 5);
    for (i = 0; i < (size_t)n; i++)
      ev_post(s, rng_range(r, 1, s->buffered / 2 + 1), 0, 0, 0);
    ev_frames(s, s->nplay);
    ev_post(s, s->dnew + s->buffered + 1, rng_chance(r, 50), 0, 0);
    break;
  case K_POST_AFTER:
    ev_frames(s, half);
    n = (int)rng_range(r, 1, 3);
    for (i = 0; i < (size_t)n; i++)
      ev_post(s, pick_size(r, s), rng_chance(r, 50), 0, 0);
    ev_frames(s, s->nplay);
    break;
  case K_PUSH_TIMER:
  case K_LONGCLOCK:
    ev_post(s, s->dnew + s->buffered + rng_range(r, 1, 65536), 1, 0, 0);
    ev_frames(s, rng_range(r, 1, s->nplay));
    ev_deadline(s, r);
    ev_frames(s, s->nplay);
    ev_deadline(s, r);
    break;
  case K_NONPUSH:
    ev_post(s, rng_range(r, 1, s->dnew + s->buffered + 1), 0, 0, 0);
    ev_post(s, s->dnew + s->buffered + rng_range(r, 1, 4096), 0, 0, 0);
    ev_frames(s, s->nplay);
    ev_advance_to(s, s->now + 1000000);
    if (rng_chance(r, 50))
      ev_terminate(s);
    break;
  case K_REFUSE:
  case K_PARTIAL:
  case K_WINDOW:
    ev_frames(s, half);
    if (s->kind != K_WINDOW || rng_chance(r, 60))
      ev_post(s, pick_size(r, s), rng_chance(r, 50), 0, 0);
    ev_frames(s, s->nplay);
    if (rng_chance(r, 50))
      ev_post(s, 1048576, 1, 0, 0);
    break;
  case K_TERMINATE: {
    size_t at = rng_range(r, 0, s->nplay);
    /* Often right after the capture's first out-of-order segment, so the
     * upload finds bytes held beyond a gap (RCV-220). */
    if (s->has_ooo && rng_chance(r, 70))
      at = s->first_ooo + 1;
    if (rng_chance(r, 60))
      ev_post(s, pick_size(r, s), rng_chance(r, 50), 0, 0);
    if (rng_chance(r, 40))
      ev_post(s, pick_size(r, s), rng_chance(r, 50), 0, 0);
    ev_frames(s, at);
    if (rng_chance(r, 30))
      ev_advance_to(s, s->now + rng_range(r, 1, 600000));
    ev_terminate(s);
    ev_frames_after_terminate(s);
    break;
  }
  case K_ALLOC_FAIL:
    if (s->alloc_after) {
      /* DEC-25: data arrives with no request posted, so the target must
       * hold it; the next allocation fails: the reference drops that
       * segment and asks for an upload (RCV-237), processes nothing more
       * (RCV-242) and completes the post made after it with
       * UPLOAD_IN_PROGRESS (RCV-236); the terminate hands back what it
       * held. */
      json_t *e;
      ev_frames(s, rng_range(r, 0, 2));
      e = ev_new(s, "fail_alloc");
      json_object_set_new(e, "nth", json_integer(1));
      s->has_fail_alloc = 1;
      ev_frames(s, rng_range(r, 1, 3));
      ev_post(s, pick_size(r, s), rng_chance(r, 50), 0, 0);
      ev_frames(s, s->nplay);
      ev_terminate(s);
      break;
    }
    ev_post(s, pick_size(r, s), 1, 0, 0);
    ev_frames(s, rng_range(r, 0, 3));
    break;
  case K_ZERO:
    if (rng_chance(r, 50))
      ev_post(s, 0, 1, 0, 0);
    ev_frames(s, half);
    ev_post(s, 0, rng_chance(r, 50), 0, 0);
    ev_post(s, pick_size(r, s), rng_chance(r, 50), 0, 0);
    ev_frames(s, s->nplay);
    break;
  case K_INDSIZE:
    ev_frames(s, half);
    if (rng_chance(r, 50))
      ev_post(s, pick_size(r, s), rng_chance(r, 50), 0, 0);
    ev_frames(s, s->nplay);
    break;
  case K_REENTRANT:
    ev_post(s, rng_range(r, 1, s->buffered + s->dnew / 2 + 1), 1, 0, 0);
    ev_post(s, pick_size(r, s), rng_chance(r, 50), 0, 1);
    ev_frames(s, s->nplay);
    ev_post(s, pick_size(r, s), rng_chance(r, 50), 0, 0);
    break;
  case K_PREFILLED: {
    uint64_t pre = rng_range(r, 1, 512);
    ev_post(s, pre + s->buffered + s->dnew + rng_range(r, 1, 4096), 1, pre, 0);
    if (rng_chance(r, 50))
      ev_deadline(s, r);
    ev_frames(s, s->nplay);
    ev_deadline(s, r);
    break;
  }
  default:
    ev_frames(s, s->nplay);
    break;
  }
}

/* ---- trace analysis: which requirements the vector exercises ------------- */

/* op is name, or (name "post") a post of either kind. */
static int b_is(const char *op, const char *name) {
  if (!op)
    return 0;
  if (strcmp(name, "post") == 0)
    return strncmp(op, "post", 4) == 0;
  return strcmp(op, name) == 0;
}

static const char *ev_op(json_t *events, size_t i) {
  json_t *e = json_array_get(events, i);
  return e ? json_string_value(json_object_get(e, "op")) : "end";
}

/* The first TcpIndicateRetrieve of the reference's trace: its index in the
 * trace (or -1), with its event index and reason. */
static long trace_retrieve(json_t *trace, size_t *at, uint32_t *info) {
  size_t i;
  json_t *o;
  json_array_foreach(trace, i, o) {
    const char *ev = json_string_value(json_object_get(o, "ev"));
    const char *what = json_string_value(json_object_get(o, "event"));
    if (ev && what && strcmp(ev, "event") == 0 &&
        strcmp(what, "RETRIEVE") == 0) {
      *at = (size_t)json_integer_value(json_object_get(o, "at"));
      *info = (uint32_t)json_integer_value(json_object_get(o, "info"));
      return (long)i;
    }
  }
  return -1;
}

/* Requirements of a vector in which the reference asked for an upload for a
 * mandatory reason (DEC-24): urgent data (DEC-08) or an allocation failure
 * after the offload (DEC-25).  Only what the retrieve shows is derived:
 * the data the script replays after it is not processed. */
static void derive_retrieve(const vz_scen *s, json_t *trace, long ri,
                            size_t rat, uint32_t info, vz_reqs *q) {
  size_t i, k, nev = json_array_size(s->events);
  json_t *o, *x;
  int later_input = 0, uip_after = 0, term_ok = 0;
  for (i = rat + 1; i < nev; i++)
    if (b_is(ev_op(s->events, i), "frame") || b_is(ev_op(s->events, i), "post"))
      later_input = 1;
  json_array_foreach(trace, i, o) {
    const char *ev = json_string_value(json_object_get(o, "ev"));
    const char *st = json_string_value(json_object_get(o, "status"));
    size_t at = (size_t)json_integer_value(json_object_get(o, "at"));
    if (!ev || (long)i <= ri)
      continue;
    if (strcmp(ev, "complete") == 0 && at > rat &&
        b_is(ev_op(s->events, at), "post"))
      json_array_foreach(json_object_get(o, "requests"), k, x) {
        const char *rs = json_string_value(json_object_get(x, "status"));
        if (rs && strcmp(rs, "UPLOAD_IN_PROGRESS") == 0)
          uip_after = 1;
      }
    if (strcmp(ev, "terminate_complete") == 0 && st &&
        strcmp(st, "SUCCESS") == 0)
      term_ok = 1;
  }
  REQS(q, 27, 32, 45, 49);
  if (info == TORC_UPLOAD_RECEIVED_URGENT_DATA)
    REQS(q, 283, 288);
  if (info == TORC_UPLOAD_UPLOAD_REQUESTED && s->has_fail_alloc)
    req(q, 237);
  if (later_input)
    req(q, 242);
  if (uip_after)
    REQS(q, 235, 236);
  if (s->has_terminate && term_ok) {
    REQS(q, 222, 224, 226, 229, 234, 240);
    if (s->nposts)
      req(q, 230);
    if (info == TORC_UPLOAD_RECEIVED_URGENT_DATA)
      req(q, 284); /* RcvNxt stops before the urgent segment */
  }
}

static void derive_requirements(const vz_scen *s, json_t *trace, vz_reqs *q,
                                int *n_indicate, int *multi_complete) {
  size_t i, k, n = json_array_size(trace);
  int offload_ok = 0, offload_fail = 0, any_data = 0, indicates = 0;
  int completes_bytes = 0, multi = 0, ncompletes = 0, refused = 0;
  int refused_then_complete = 0, partial = 0, indicate_with_complete = 0;
  int complete_at_advance = 0, complete_at_frame = 0, full_at_frame = 0;
  int partly_pending_end = 0, term_ok = 0, handback = 0, zero_done = 0;
  int buffered_indicated = 0, buffered_completed = 0, first_post_seen = 0;
  int indicate_before_post = 0, ind_eq_size = 0, event_ind = 0;
  int abort_status = 0, half_closed = 0;
  uint64_t delivered_max = 0;
  (void)partly_pending_end;
  for (i = 0; i < n; i++) {
    json_t *o = json_array_get(trace, i), *rq, *x;
    const char *ev = json_string_value(json_object_get(o, "ev"));
    const char *st = json_string_value(json_object_get(o, "status"));
    size_t at = (size_t)json_integer_value(json_object_get(o, "at"));
    const char *op = ev_op(s->events, at);
    if (!ev)
      continue;
    if (strcmp(ev, "offload_complete") == 0) {
      if (st && strcmp(st, "SUCCESS") == 0)
        offload_ok = 1;
      else
        offload_fail = 1;
    } else if (strcmp(ev, "complete") == 0) {
      ncompletes++;
      rq = json_object_get(o, "requests");
      if (json_array_size(rq) > 1)
        multi = 1;
      json_array_foreach(rq, k, x) {
        uint64_t b = (uint64_t)json_integer_value(json_object_get(x, "bytes"));
        uint64_t off =
            (uint64_t)json_integer_value(json_object_get(x, "offset"));
        const char *rs = json_string_value(json_object_get(x, "status"));
        if (rs && strcmp(rs, "SUCCESS") != 0)
          abort_status = 1;
        if (b) {
          completes_bytes = 1;
          any_data = 1;
          if (off < s->buffered)
            buffered_completed = 1;
          if (off + b > delivered_max)
            delivered_max = off + b;
          if (refused)
            refused_then_complete = 1;
        } else if (s->has_zero) {
          zero_done = 1;
        }
      }
      if (b_is(op, "advance") && json_array_size(rq) > 0)
        complete_at_advance = 1;
      if (b_is(op, "frame")) {
        complete_at_frame = 1;
        full_at_frame = 1;
      }
    } else if (strcmp(ev, "indicate") == 0) {
      const char *ans = json_string_value(json_object_get(o, "answer"));
      uint64_t off = (uint64_t)json_integer_value(json_object_get(o, "offset"));
      uint64_t len = (uint64_t)json_integer_value(json_object_get(o, "len"));
      indicates++;
      any_data = 1;
      if (off < s->buffered)
        buffered_indicated = 1;
      if (!first_post_seen)
        indicate_before_post = 1;
      if (s->ind_size && len == s->ind_size)
        ind_eq_size = 1;
      if (ans && (strcmp(ans, "NOT_ACCEPTED") == 0 ||
                  strcmp(ans, "OFFLOAD_DATA_NOT_ACCEPTED") == 0))
        refused = 1;
      if (ans && strcmp(ans, "PARTIALLY_ACCEPTED") == 0) {
        partial = 1;
        refused = 1;
      }
      if (i > 0) {
        json_t *p = json_array_get(trace, i - 1);
        const char *pev = json_string_value(json_object_get(p, "ev"));
        if (pev && strcmp(pev, "complete") == 0 &&
            json_integer_value(json_object_get(p, "at")) == (json_int_t)at)
          indicate_with_complete = 1;
      }
    } else if (strcmp(ev, "event") == 0) {
      const char *what = json_string_value(json_object_get(o, "event"));
      event_ind = 1;
      if (what && strcmp(what, "DISCONNECT") == 0)
        half_closed = 1;
    } else if (strcmp(ev, "terminate_complete") == 0) {
      if (st && strcmp(st, "SUCCESS") == 0)
        term_ok = 1;
      if (json_integer_value(json_object_get(o, "handback_len")) > 0)
        handback = 1;
    }
    if (b_is(op, "post"))
      first_post_seen = 1;
  }
  *n_indicate = indicates;
  *multi_complete = multi;

  /* Offload (group A). */
  REQS(q, 15, 18, 19);
  {
    size_t rat;
    uint32_t info;
    long ri = trace_retrieve(trace, &rat, &info);
    if (ri >= 0 && offload_ok &&
        (info == TORC_UPLOAD_RECEIVED_URGENT_DATA ||
         info == TORC_UPLOAD_UPLOAD_REQUESTED)) {
      derive_retrieve(s, trace, ri, rat, info, q);
      return;
    }
  }
  if (s->has_fail_alloc) {
    if (offload_fail && s->buffered)
      REQS(q, 7, 8, 10);
    return;
  }
  if (!offload_ok)
    return;
  REQS(q, 27, 32, 45, 49);
  if (s->buffered) {
    REQS(q, 7, 8, 9);
    if (!indicate_before_post || !buffered_indicated)
      req(q, 35);
    if (buffered_completed)
      req(q, 36);
    if (buffered_indicated)
      req(q, 37);
    if (s->dnew && any_data)
      req(q, 38);
    if (!s->nposts && s->dnew && !indicates)
      req(q, 70); /* DEC-16: appended behind the held data */
  }
  /* Delivery (groups C, D). */
  if (any_data)
    REQS(q, 29, 44, 46, 47, 50, 51, 57, 59);
  if (s->has_ooo && s->dnew)
    req(q, 62);
  if (s->played && s->dnew)
    req(q, 67);
  if (s->nposts) {
    REQS(q, 64, 91, 92, 93);
    if (!s->buffered)
      req(q, 65);
  }
  if (completes_bytes) {
    REQS(q, 52, 53, 54, 71, 72, 75, 103, 109, 110, 112);
    if (s->nposts >= 2)
      REQS(q, 60, 61);
  }
  if (ncompletes)
    REQS(q, 110, 114);
  if (multi)
    REQS(q, 48, 104, 105);
  if (ncompletes >= 2 && s->nposts >= 2)
    req(q, 106);
  if (indicates) {
    REQS(q, 56, 83, 122, 124, 125, 127, 128);
    if (!s->nposts || indicate_before_post)
      req(q, 55);
    if (indicate_with_complete)
      req(q, 74);
    if (!refused)
      REQS(q, 84, 126);
  }
  if (refused) {
    REQS(q, 85, 86, 136, 142);
    if (refused_then_complete)
      REQS(q, 87, 137);
    if (s->dnew)
      req(q, 70);
  }
  if (partial)
    req(q, 141);
  if (s->has_reentrant)
    REQS(q, 66, 82, 108, 143);
  if (s->has_zero && zero_done)
    REQS(q, 114, 117);
  /* Indication size (group G). */
  if (indicates && s->ind_size)
    REQS(q, 157, 158);
  if (indicates && ind_eq_size)
    req(q, 159);
  if (indicates && !s->ind_size)
    REQS(q, 160, 163, 164);
  if (s->kind == K_WINDOW && s->rcv_wnd < s->dnew)
    req(q, 167);
  /* Push mode (group H). */
  if (s->has_push && s->has_nonpush)
    REQS(q, 176, 177);
  if (s->has_nonpush) {
    REQS(q, 76, 183);
    if (completes_bytes)
      REQS(q, 184, 188);
    if (s->has_psh_frame)
      req(q, 185);
    if (s->kind == K_NONPUSH)
      req(q, 77);
  }
  if (complete_at_frame && completes_bytes)
    req(q, 181);
  if (full_at_frame && s->has_psh_frame && s->has_push)
    REQS(q, 78, 79, 182);
  if (s->has_push && s->has_advance) {
    REQS(q, 80, 197, 198, 199, 204);
    if (s->tps == 0)
      req(q, 198);
    if (s->push_ticks == 0)
      req(q, 193);
    if (complete_at_advance)
      REQS(q, 73, 81, 88, 179, 182);
    else
      req(q, 89);
    if (s->played > 1 && s->dnew && complete_at_advance)
      REQS(q, 189, 190, 191);
  }
  if (s->has_prefilled)
    REQS(q, 180, 188);
  if (s->kind == K_LONGCLOCK && complete_at_advance)
    req(q, 200);
  /* Termination (group I). */
  if (s->has_terminate && term_ok) {
    REQS(q, 171, 222, 224, 226, 229, 233, 234, 240);
    if (s->nposts)
      req(q, 230);
    if (handback)
      REQS(q, 207, 208, 210, 212, 213);
    if (s->has_push)
      req(q, 196);
    if (s->ooo_held_at_end)
      REQS(q, 220, 221);
    /* DEC-26: segments after the terminate event are not processed (the
     * reference completed it in the call; a later completion is judged
     * under terminate-async). */
    if (s->after_term)
      req(q, 215);
  }
  /* RCV-243: the peer's FIN was taken (the disconnect indication), so the
   * connection is half-closed (CLOSE_WAIT) for the rest of the script; the
   * reference asks for no upload there, and the judge fails any
   * TcpIndicateRetrieve the target makes after it, naming RCV-243
   * (torc_judge.c). */
  if (half_closed)
    req(q, 243);
  (void)abort_status;
  (void)event_ind;
  (void)delivered_max;
}

/* ---- writing ------------------------------------------------------------- */

/* Compact JSON of v (malloc'd). */
static char *dump(json_t *v) {
  return json_dumps(v, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_ENCODE_ANY |
                           JSON_PRESERVE_ORDER);
}

/* Writes one array one element per line at the given indent. */
static int put_array(FILE *f, json_t *a, const char *ind) {
  size_t i, n = json_array_size(a);
  if (n == 0)
    return fputs("[]", f) < 0 ? -1 : 0;
  fputs("[\n", f);
  for (i = 0; i < n; i++) {
    char *t = dump(json_array_get(a, i));
    if (!t)
      return -1;
    fprintf(f, "%s  %s%s\n", ind, t, i + 1 < n ? "," : "");
    free(t);
  }
  fprintf(f, "%s]", ind);
  return 0;
}

/* The vector file: one line per top-level member, events and trace entries
 * one per line (fixed key order: insertion order). */
static int write_vector(const char *path, json_t *doc) {
  FILE *f = fopen(path, "w");
  const char *key;
  json_t *val;
  size_t i = 0, n = json_object_size(doc);
  int rc = 0;
  if (!f)
    return -1;
  fputs("{\n", f);
  json_object_foreach(doc, key, val) {
    fprintf(f, "  \"%s\": ", key);
    if (strcmp(key, "events") == 0) {
      rc |= put_array(f, val, "  ");
    } else if (strcmp(key, "expected") == 0) {
      json_t *al = json_object_get(val, "allowances");
      fputs("{\n    \"trace\": ", f);
      rc |= put_array(f, json_object_get(val, "trace"), "    ");
      if (al) {
        char *t = dump(al);
        fprintf(f, ",\n    \"allowances\": %s", t ? t : "[]");
        free(t);
      }
      fputs("\n  }", f);
    } else {
      char *t = dump(val);
      if (!t)
        rc = -1;
      else
        fputs(t, f);
      free(t);
    }
    fputs(++i < n ? ",\n" : "\n", f);
  }
  fputs("}\n", f);
  if (ferror(f))
    rc = -1;
  if (fclose(f) != 0)
    rc = -1;
  return rc;
}

/* A copy of body with "format" and "id" first. */
static json_t *with_id(json_t *body) {
  json_t *doc = json_object(), *v;
  const char *key;
  char *canon = torc_vector_canonical(body);
  char id[21];
  if (!canon) {
    json_decref(doc);
    return NULL;
  }
  torc_vector_compute_id(canon, id);
  free(canon);
  json_object_set_new(doc, "format", json_integer(1));
  json_object_set_new(doc, "id", json_string(id));
  json_object_foreach(body, key, v) {
    if (strcmp(key, "format") != 0)
      json_object_set(doc, key, v);
  }
  return doc;
}

/* Frame numbers as numbers and [first, last] ranges (runs of >= 3). */
static json_t *frame_list(const uint32_t *nums, size_t n) {
  json_t *a = json_array();
  size_t i = 0, k;
  while (i < n) {
    for (k = i; k + 1 < n && nums[k + 1] == nums[k] + 1; k++)
      ;
    if (k - i >= 2) {
      json_t *r = json_array();
      json_array_append_new(r, json_integer(nums[i]));
      json_array_append_new(r, json_integer(nums[k]));
      json_array_append_new(a, r);
      i = k + 1;
    } else {
      json_array_append_new(a, json_integer(nums[i]));
      i++;
    }
  }
  return a;
}

static void addr_text(const torc_flow_key *k, const uint8_t *a, char *buf,
                      size_t n) {
  if (!inet_ntop(k->ip_version == 6 ? AF_INET6 : AF_INET, a, buf, (socklen_t)n))
    snprintf(buf, n, "?");
}

/* Runs the vector at path through the reference.  Returns 0 and *trace
 * (the recorded trace, new reference) and *verdict, or -1 (message on
 * stderr). */
static int run_ref(vz_ctx *c, const char *path, json_t **trace,
                   torc_verdict *verdict, char *why, size_t whylen) {
  torc_vector *v = NULL;
  torc_result r;
  char err[1024];
  json_error_t je;
  if (torc_vector_load_cached(path, c->cache, &v, err, sizeof err) != 0) {
    snprintf(why, whylen, "%.400s", err);
    return -1;
  }
  if (torc_engine_run(c->eng, v, &r) != 0 && r.verdict == TORC_ERROR) {
    snprintf(why, whylen, "engine: %s", r.detail);
    torc_result_clear(&r);
    torc_vector_free(v);
    return -1;
  }
  *verdict = r.verdict;
  snprintf(why, whylen, "%.200s%s%.200s", r.detail, r.nviolations ? " / " : "",
           r.nviolations ? r.violations[0].message : "");
  if (trace) {
    *trace =
        r.actual_trace_json ? json_loads(r.actual_trace_json, 0, &je) : NULL;
    if (!*trace) {
      snprintf(why, whylen, "no trace recorded");
      torc_result_clear(&r);
      torc_vector_free(v);
      return -1;
    }
  }
  torc_result_clear(&r);
  torc_vector_free(v);
  return 0;
}

/* Splits [0, b) into nlists lists of fragments. */
static json_t *make_buffered(vz_rng *r, uint64_t b, unsigned maxlists,
                             unsigned maxfrags) {
  json_t *lists = json_array();
  uint64_t off = 0;
  unsigned nl, l;
  if (!b)
    return lists;
  nl = (unsigned)rng_range(r, 1, maxlists);
  if (nl > b)
    nl = (unsigned)b;
  for (l = 0; l < nl; l++) {
    uint64_t left = b - off, share;
    unsigned nf, i;
    json_t *frags = json_array();
    share = l + 1 == nl ? left : rng_range(r, 1, left - (nl - l - 1));
    nf = (unsigned)rng_range(r, 1, maxfrags);
    if (nf > share)
      nf = (unsigned)share;
    for (i = 0; i < nf; i++) {
      uint64_t fl = i + 1 == nf ? share : rng_range(r, 1, share - (nf - i - 1));
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

/* Analyses the replay of fl->fr[idx .. idx+w) from offload point p. */
static void analyse_replay(vz_scen *s, const vz_flow *fl, size_t idx,
                           size_t w) {
  uint64_t maxend = s->p, cend = s->p, k;
  size_t i;
  uint8_t *cov;
  s->play = &fl->fr[idx];
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
static int held_beyond_gap(const vz_scen *s) {
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
static long choose_point(const vz_flow *fl, vz_rng *r, int need_buffered,
                         int want_end, size_t *w) {
  long best = -1;
  int tries;
  if (fl->npt == 0 || fl->nfr == 0)
    return -1;
  for (tries = 0; tries < 16; tries++) {
    long i = (long)rng_range(r, 0, fl->npt - 1);
    const vz_point *pt = &fl->pt[i];
    if (need_buffered && pt->p == 0)
      continue;
    if (pt->idx >= fl->nfr)
      continue;
    if (want_end && fl->nfr - pt->idx > VZ_MAX_PLAY)
      continue;
    best = i;
    break;
  }
  if (best < 0 && want_end) { /* the last point with data before it */
    long i;
    for (i = (long)fl->npt - 1; i >= 0; i--)
      if (fl->pt[i].idx < fl->nfr && (!need_buffered || fl->pt[i].p))
        break;
    best = i;
  }
  if (best < 0)
    return -1;
  {
    size_t left = fl->nfr - fl->pt[best].idx;
    *w = want_end ? (left < VZ_MAX_PLAY ? left : VZ_MAX_PLAY)
                  : (size_t)rng_range(r, 2, VZ_MAX_PLAY);
    if (*w > left)
      *w = left;
  }
  return best;
}

static int kind_needs_buffered(int kind, vz_rng *r) {
  switch (kind) {
  case K_BUF_LT_FIRST:
  case K_BUF_EQ:
  case K_BUF_GT:
  case K_BUF_SPREAD:
  case K_ALLOC_FAIL:
    return 1;
  case K_TERMINATE:
    return rng_chance(r, 60);
  case K_REENTRANT:
  case K_NONPUSH:
  case K_ZERO:
    return rng_chance(r, 50);
  case K_PREFILLED:
  case K_PUSH_TIMER:
  case K_LONGCLOCK:
    return rng_chance(r, 30);
  default:
    return 0;
  }
}

static void add_str(json_t *a, const char *s) {
  json_array_append_new(a, json_string(s));
}

/* Builds, runs, checks and writes vector number index of flow fl.
 * Returns 0 (written or dropped) or -1 on an output error. */
static int make_vector(vz_ctx *c, const vz_flow *fl, unsigned index) {
  const torc_flow_stream *st = fl->st;
  const torc_flow_dir *d = &st->info;
  vz_rng r;
  vz_scen s;
  int alloc_after;
  const char *kname;
  size_t w = 0, i, np = 0;
  long pi;
  uint64_t bmax;
  json_t *body, *doc = NULL, *prov, *flow, *state, *host = NULL, *exp;
  json_t *trace = NULL, *rq, *tags, *requires, *allow;
  uint32_t *nums;
  char path[PATH_MAX + 128], dirp[PATH_MAX], name[96], src[64], dst[64];
  char why[512], note[256];
  torc_verdict verdict = TORC_ERROR;
  vz_reqs q;
  int need_buf, n_ind = 0, multi = 0, rc = 0, k;
  unsigned char sha_mix[8] = {0};

  memset(&s, 0, sizeof s);
  memset(&q, 0, sizeof q);
  for (i = 0; i < 16 && c->cap_sha[i]; i++)
    sha_mix[i / 2] = (unsigned char)(sha_mix[i / 2] * 16 +
                                     (unsigned char)(c->cap_sha[i] % 16));
  r.s = c->seed * 0x9e3779b97f4a7c15ull ^ ((uint64_t)d->id << 40) ^ index;
  for (i = 0; i < 8; i++)
    r.s = r.s * 131 + sha_mix[i];
  rng_next(&r);
  s.kind = (int)(index % K_COUNT);
  alloc_after = s.kind == K_ALLOC_FAIL && (index / K_COUNT) % 2 == 1;
  s.alloc_after = alloc_after;
  need_buf = kind_needs_buffered(s.kind, &r);
  pi = choose_point(fl, &r, need_buf, rng_chance(&r, 15), &w);
  if (pi < 0) {
    pi = choose_point(fl, &r, 0, 0, &w);
    need_buf = 0;
  }
  if (pi < 0)
    return 0; /* nothing to replay in this flow */
  s.p = fl->pt[pi].p;
  analyse_replay(&s, fl, fl->pt[pi].idx, w);
  /* Terminations and some others look for a replay the capture reordered. */
  if (s.kind == K_TERMINATE || rng_chance(&r, 30)) {
    int tries;
    for (tries = 0; tries < 24 && !s.has_ooo; tries++) {
      size_t w2 = 0;
      long p2 = choose_point(fl, &r, need_buf, 0, &w2);
      if (p2 < 0)
        break;
      memset(&s, 0, sizeof s);
      s.kind = (int)(index % K_COUNT);
      s.alloc_after = alloc_after;
      s.p = fl->pt[p2].p;
      analyse_replay(&s, fl, fl->pt[p2].idx, w2);
      if (s.has_ooo) {
        pi = p2;
        w = w2;
      }
    }
    if (!s.has_ooo) { /* back to the first choice */
      memset(&s, 0, sizeof s);
      s.kind = (int)(index % K_COUNT);
      s.alloc_after = alloc_after;
      s.p = fl->pt[pi].p;
      analyse_replay(&s, fl, fl->pt[pi].idx, w);
    }
  }
  bmax = s.p < VZ_MAX_BUFFERED ? s.p : VZ_MAX_BUFFERED;
  if (need_buf && bmax) {
    switch (rng_next(&r) % 3) {
    case 0:
      s.buffered = rng_range(&r, 1, bmax < 200 ? bmax : 200);
      break;
    case 1:
      s.buffered = rng_range(&r, 1, bmax);
      break;
    default:
      s.buffered = bmax;
      break;
    }
  }
  s.base = s.p - s.buffered;
  s.frame_gap_us = rng_range(&r, 50, 5000);
  s.rcv_wnd = 4194304;
  set_push_params(&s, &r);
  if (s.kind == K_WINDOW)
    s.rcv_wnd = (uint32_t)rng_range(&r, 1, s.dnew > 2 ? s.dnew / 2 : 1);
  if (s.kind == K_INDSIZE)
    s.ind_size = (uint32_t)rng_range(&r, 1, 3000);
  s.events = json_array();
  build_script(&s, &r);
  s.ooo_held_at_end = held_beyond_gap(&s);

  /* Host answers. */
  if (s.kind == K_REFUSE || s.kind == K_PARTIAL ||
      (s.kind == K_WINDOW && rng_chance(&r, 40))) {
    json_t *answers = json_array(), *a = json_object();
    uint32_t minlen = 0;
    for (i = 0; i < s.nplay; i++)
      if (s.play[i].len && (!minlen || s.play[i].len < minlen))
        minlen = s.play[i].len;
    host = json_object();
    if (s.kind == K_PARTIAL && minlen >= 2) {
      json_object_set_new(a, "status", json_string("PARTIALLY_ACCEPTED"));
      json_object_set_new(
          a, "consumed",
          json_integer((json_int_t)rng_range(&r, 1, minlen - 1)));
      s.has_partial_answer = 1;
    } else {
      json_object_set_new(a, "status",
                          json_string(rng_chance(&r, 50)
                                          ? "NOT_ACCEPTED"
                                          : "OFFLOAD_DATA_NOT_ACCEPTED"));
      s.has_refuse_answer = 1;
    }
    json_array_append_new(answers, a);
    if (rng_chance(&r, 30)) {
      a = json_object();
      json_object_set_new(a, "status", json_string("NOT_ACCEPTED"));
      json_array_append_new(answers, a);
    }
    json_object_set_new(host, "answers", answers);
  }
  if (rng_chance(&r, 20)) {
    if (!host)
      host = json_object();
    json_object_set_new(host, "auto_return", json_string("after_event"));
  }

  /* Listed frames: those carrying the buffered bytes, then the replay. */
  nums = calloc(fl->pt[pi].idx + s.played + 1, sizeof *nums);
  if (!nums)
    return -1;
  for (i = 0; i < fl->pt[pi].idx && s.buffered; i++) {
    const vz_frame *f = &fl->fr[i];
    if (f->len && f->off < s.p && f->off + f->len > s.base)
      nums[np++] = f->number;
  }
  for (i = 0; i < s.played; i++)
    nums[np++] = s.play[i].number;
  if (np == 0) { /* a vector lists at least one frame of its flow */
    free(nums);
    json_decref(s.events);
    json_decref(host);
    return 0;
  }

  kname = s.alloc_after ? VZ_ALLOC_AFTER_NAME : kind_name[s.kind];
  addr_text(&d->key, d->key.src, src, sizeof src);
  addr_text(&d->key, d->key.dst, dst, sizeof dst);
  snprintf(note, sizeof note,
           "%s: offload after stream offset %" PRIu64 " (before frame %u), "
           "%" PRIu64 " bytes buffered, %zu frames replayed in capture order "
           "(%" PRIu64 " new bytes%s%s)",
           kname, s.p, fl->fr[fl->pt[pi].idx].number, s.buffered, s.played,
           s.dnew, s.has_ooo ? ", out of order" : "",
           s.has_dup ? ", duplicates" : "");

  body = json_object();
  json_object_set_new(body, "format", json_integer(1));
  json_object_set_new(
      body, "title",
      json_string(s.alloc_after ? VZ_ALLOC_AFTER_TITLE : kind_title[s.kind]));
  json_object_set_new(body, "requirements", json_array());
  json_object_set_new(body, "tags", tags = json_array());
  json_object_set_new(body, "requires", requires = json_array());
  prov = json_object();
  json_object_set_new(prov, "capture", json_string(c->cap_rel));
  json_object_set_new(prov, "capture_sha256", json_string(c->cap_sha));
  flow = json_object();
  json_object_set_new(flow, "src", json_string(src));
  json_object_set_new(flow, "dst", json_string(dst));
  json_object_set_new(flow, "sport", json_integer(d->key.sport));
  json_object_set_new(flow, "dport", json_integer(d->key.dport));
  json_object_set_new(prov, "flow", flow);
  json_object_set_new(prov, "frames", frame_list(nums, np));
  json_object_set_new(prov, "tool", json_string(VZ_TOOL));
  json_object_set_new(prov, "tool_version", json_string(VZ_TOOL_VERSION));
  json_object_set_new(prov, "seed", json_integer((json_int_t)c->seed));
  json_object_set_new(prov, "note", json_string(note));
  json_object_set_new(body, "provenance", prov);
  free(nums);
  state = json_object();
  json_object_set_new(
      state, "isn",
      json_integer((json_int_t)(uint32_t)(d->base_seq + (uint32_t)s.base)));
  json_object_set_new(
      state, "rcv_nxt",
      json_integer((json_int_t)(uint32_t)(d->base_seq + (uint32_t)s.p)));
  json_object_set_new(state, "rcv_wnd", json_integer(s.rcv_wnd));
  if (s.push_ticks)
    json_object_set_new(state, "push_ticks", json_integer(s.push_ticks));
  if (s.tps)
    json_object_set_new(state, "ticks_per_second", json_integer(s.tps));
  if (s.ind_size)
    json_object_set_new(state, "rcv_indication_size", json_integer(s.ind_size));
  json_object_set_new(body, "state", state);
  json_object_set_new(body, "buffered",
                      s.kind == K_BUF_SPREAD
                          ? make_buffered(&r, s.buffered, 5, 4)
                          : make_buffered(&r, s.buffered, 2, 2));
  if (host)
    json_object_set_new(body, "host", host);
  json_object_set_new(body, "events", s.events);
  exp = json_object();
  json_object_set_new(exp, "trace", json_array());
  json_object_set_new(body, "expected", exp);
  json_array_append_new(json_object_get(body, "requirements"),
                        json_string("RCV-015"));
  add_str(requires, "push_mode");

  snprintf(dirp, sizeof dirp, "%.3800s/%.255s", c->tmpdir, c->cap_stem);
  if (mkdir(dirp, 0777) != 0 && errno != EEXIST) {
    fprintf(stderr, "torc vectorize: %s: %s\n", dirp, strerror(errno));
    json_decref(body);
    return -1;
  }
  snprintf(name, sizeof name, "f%u-%03u-%s.json", d->id, index, kname);
  snprintf(path, sizeof path, "%s/%s", dirp, name);

  /* 1. The draft (no expectation) through the reference. */
  doc = with_id(body);
  if (!doc || write_vector(path, doc) != 0) {
    fprintf(stderr, "torc vectorize: %s: cannot write\n", path);
    rc = -1;
    goto out;
  }
  json_decref(doc);
  doc = NULL;
  if (run_ref(c, path, &trace, &verdict, why, sizeof why) != 0) {
    if (!c->quiet)
      fprintf(stderr, "torc vectorize: dropped %s: %s\n", name, why);
    c->dropped++;
    unlink(path);
    goto out;
  }

  /* 2. Expectation, requirements, capabilities, allowances. */
  derive_requirements(&s, trace, &q, &n_ind, &multi);
  json_object_set(exp, "trace", trace);
  rq = json_object_get(body, "requirements");
  json_array_clear(rq);
  for (k = 1; k < 1000; k++)
    if (q.on[k] && c->testable[k]) {
      char id[16];
      snprintf(id, sizeof id, "RCV-%03d", k);
      add_str(rq, id);
    }
  if (json_array_size(rq) == 0)
    add_str(rq, "RCV-015");
  add_str(tags, "vectorized");
  add_str(tags, kname);
  add_str(tags, c->link_tag);
  add_str(tags, d->key.ip_version == 6 ? "ipv6" : "ipv4");
  if (s.has_ooo)
    add_str(tags, "ooo");
  if (s.has_dup)
    add_str(tags, "dup");
  if (s.has_fin)
    add_str(tags, "fin");
  if (s.buffered)
    add_str(tags, "buffered");
  json_array_clear(requires);
  if (s.buffered)
    add_str(requires, "buffered_data");
  if (s.has_push)
    add_str(requires, "push_mode");
  if (s.has_nonpush)
    add_str(requires, "nonpush_mode");
  if (n_ind || s.has_refuse_answer || s.has_partial_answer)
    add_str(requires, "indicate");
  if (s.has_partial_answer)
    add_str(requires, "partial_accept");
  if (s.has_zero)
    add_str(requires, "zero_byte_request");
  if (s.has_prefilled)
    add_str(requires, "prefilled_request");
  if (s.has_reentrant)
    add_str(requires, "reentrant_post");
  if (s.has_terminate)
    add_str(requires, "terminate");
  if (s.has_fin)
    add_str(requires, "fin");
  if (s.has_rst)
    add_str(requires, "rst");
  if (s.has_fail_alloc)
    add_str(requires, "alloc_hook");
  if (s.has_advance)
    add_str(requires, "virtual_time");
  if (s.has_ooo)
    add_str(requires, "out_of_order");
  if (json_array_size(requires) == 0)
    add_str(requires, "indicate");
  allow = json_array();
  if (s.nposts >= 2 || multi)
    add_str(allow, "completion-batching");
  if (s.has_fail_alloc)
    add_str(allow, "offload-fail-status");
  if (s.has_terminate) {
    add_str(allow, "upload-request-status");
    add_str(allow, "upload-deliver");
  }
  {
    size_t rat;
    uint32_t info;
    if (trace_retrieve(trace, &rat, &info) >= 0)
      add_str(allow, "upload-wanted-posts");
  }
  if (s.has_fail_alloc && s.alloc_after)
    add_str(allow, "resource-no-retrieve");
  if (s.has_terminate)
    add_str(allow, "terminate-async");
  if (s.has_rst)
    add_str(allow, "rst-requests-pending");
  if (s.has_fin && s.has_nonpush)
    add_str(allow, "fin-nonpush-complete");
  if (s.ind_size)
    add_str(allow, "indication-size");
  if (json_array_size(allow))
    json_object_set_new(exp, "allowances", allow);
  else
    json_decref(allow);

  /* 3. The final vector, and the reference must PASS it. */
  doc = with_id(body);
  if (!doc || write_vector(path, doc) != 0) {
    fprintf(stderr, "torc vectorize: %s: cannot write\n", path);
    rc = -1;
    goto out;
  }
  if (run_ref(c, path, NULL, &verdict, why, sizeof why) != 0 ||
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
out:
  json_decref(trace);
  json_decref(doc);
  json_decref(body);
  return rc;
}

/* ---- flow filter --------------------------------------------------------- */

typedef struct vz_filter {
  char src[64], dst[64];
  long sport, dport; /* -1: any */
} vz_filter;

static int parse_filter(const char *s, vz_filter *f) {
  char buf[512], *tok, *save = NULL;
  memset(f, 0, sizeof *f);
  f->sport = f->dport = -1;
  if (!s)
    return 0;
  if (strlen(s) >= sizeof buf)
    return -1;
  strcpy(buf, s);
  for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
    char *eq = strchr(tok, '=');
    unsigned long v;
    if (!eq)
      return -1;
    *eq++ = 0;
    if (strcmp(tok, "src") == 0 && strlen(eq) < sizeof f->src)
      strcpy(f->src, eq);
    else if (strcmp(tok, "dst") == 0 && strlen(eq) < sizeof f->dst)
      strcpy(f->dst, eq);
    else if (strcmp(tok, "sport") == 0 &&
             torc_cli_parse_uint(eq, 1, 65535, &v) == 0)
      f->sport = (long)v;
    else if (strcmp(tok, "dport") == 0 &&
             torc_cli_parse_uint(eq, 1, 65535, &v) == 0)
      f->dport = (long)v;
    else
      return -1;
  }
  return 0;
}

static int filter_match(const vz_filter *f, const torc_flow_dir *d) {
  char a[64];
  if (f->sport >= 0 && d->key.sport != f->sport)
    return 0;
  if (f->dport >= 0 && d->key.dport != f->dport)
    return 0;
  if (f->src[0]) {
    addr_text(&d->key, d->key.src, a, sizeof a);
    if (strcmp(a, f->src) != 0)
      return 0;
  }
  if (f->dst[0]) {
    addr_text(&d->key, d->key.dst, a, sizeof a);
    if (strcmp(a, f->dst) != 0)
      return 0;
  }
  return d->delivered > 0;
}

/* ---- paths --------------------------------------------------------------- */

static int rm_entry(const char *p, const struct stat *sb, int flag,
                    struct FTW *ftw) {
  (void)sb;
  (void)flag;
  (void)ftw;
  return remove(p);
}
static void rm_rf(const char *p) {
  nftw(p, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* The capture path as vectors name it: relative to the repository holding
 * it (the nearest folder with .git) when the output is in that repository
 * too, else relative to the deepest folder holding both. */
static int capture_rel(const char *capture, const char *outparent, char *out,
                       size_t n) {
  char cap[PATH_MAX], par[PATH_MAX], root[PATH_MAX], probe[PATH_MAX + 8];
  size_t len, i, common = 0;
  if (!realpath(capture, cap) || !realpath(outparent, par))
    return -1;
  snprintf(root, sizeof root, "%s", cap);
  for (;;) {
    char *slash = strrchr(root, '/');
    if (!slash || slash == root)
      break;
    *slash = 0;
    snprintf(probe, sizeof probe, "%s/.git", root);
    if (access(probe, F_OK) == 0) {
      len = strlen(root);
      if (strncmp(par, root, len) == 0 && (par[len] == '/' || !par[len])) {
        snprintf(out, n, "%s", cap + len + 1);
        return 0;
      }
      break;
    }
  }
  for (i = 0; cap[i] && cap[i] == par[i]; i++)
    if (cap[i] == '/')
      common = i;
  if (!par[i] && cap[i] == '/')
    common = i;
  if (common == 0) {
    snprintf(out, n, "%s", cap);
    return 0;
  }
  snprintf(out, n, "%s", cap + common + 1);
  return 0;
}

/* ---- one capture --------------------------------------------------------- */

static int do_capture(vz_ctx *c, const char *capture, const char *outparent,
                      const vz_filter *flt, unsigned per_flow) {
  torc_flow_capture *fc = NULL;
  torc_capture *tc = NULL;
  char err[1024], rel[PATH_MAX], stem[256], link[64];
  const char *base, *dn;
  char *dot;
  size_t i, flows = 0, before = c->written, dropped = c->dropped;
  unsigned k;
  int rc;
  if (torc_capture_open(capture, &tc, err, sizeof err) != 0) {
    fprintf(stderr, "torc vectorize: %s\n", err);
    return -1;
  }
  rc = torc_flow_collect(capture, NULL, 0, &fc, err, sizeof err);
  if (rc != 0) {
    fprintf(stderr, "torc vectorize: %s\n", err);
    torc_capture_unref(tc);
    return -1;
  }
  if (capture_rel(capture, outparent, rel, sizeof rel) != 0) {
    fprintf(stderr, "torc vectorize: %s: %s\n", capture, strerror(errno));
    torc_flow_capture_free(fc);
    torc_capture_unref(tc);
    return -1;
  }
  base = strrchr(capture, '/');
  base = base ? base + 1 : capture;
  snprintf(stem, sizeof stem, "%s", base);
  dot = strrchr(stem, '.');
  if (dot && dot != stem)
    *dot = 0;
  dn = pcap_datalink_val_to_name(fc->dlt);
  snprintf(link, sizeof link, "link-%s", dn ? dn : "unknown");
  for (dot = link; *dot; dot++)
    *dot = (*dot >= 'A' && *dot <= 'Z') ? (char)(*dot - 'A' + 'a')
           : (*dot == '_')              ? '-'
                                        : *dot;
  c->cap_rel = rel;
  c->cap_sha = tc->sha256;
  c->cap_stem = stem;
  c->link_tag = link;
  for (i = 0; i < fc->ndirs; i++) {
    vz_flow fl;
    if (!filter_match(flt, &fc->dirs[i].info))
      continue;
    if (vz_flow_init(&fl, &fc->dirs[i]) != 0) {
      fprintf(stderr, "torc vectorize: %s: out of memory\n", capture);
      rc = -1;
      break;
    }
    flows++;
    for (k = 0; k < per_flow && rc == 0; k++)
      if (make_vector(c, &fl, k) != 0)
        rc = -1;
    vz_flow_free(&fl);
    if (rc)
      break;
  }
  if (rc == 0 && !c->quiet)
    fprintf(stderr,
            "torc vectorize: %s: %zu flows, %zu vectors (%zu dropped)\n",
            capture, flows, c->written - before, c->dropped - dropped);
  if (rc == 0 && flows == 0)
    fprintf(stderr, "torc vectorize: %s: warning: no flow matches\n", capture);
  torc_flow_capture_free(fc);
  torc_capture_unref(tc);
  return rc;
}

int torc_cmd_vectorize(int argc, char **argv) {
  static const struct option opts[] = {
      {"help", no_argument, NULL, 'h'},
      {"output", required_argument, NULL, 'o'},
      {"seed", required_argument, NULL, 's'},
      {"flows", required_argument, NULL, 'f'},
      {"per-flow", required_argument, NULL, 'n'},
      {"catalogue", required_argument, NULL, 'c'},
      {"quiet", no_argument, NULL, 'q'},
      {NULL, 0, NULL, 0}};
  const char *out = NULL, *flows = NULL;
  const char *catalogue = "conformance/catalogue.json";
  unsigned long seed = 1, per_flow = 40;
  static unsigned char testable[1000];
  char tmp[PATH_MAX], old[PATH_MAX], parent[PATH_MAX], errbuf[1024];
  torc_engine_opts eo;
  vz_filter flt;
  vz_ctx c;
  struct stat sb;
  int ch, i, rc = TORC_EXIT_OK;
  char *slash;

  optind = 1;
  opterr = 0;
  while ((ch = getopt_long(argc, argv, "o:q", opts, NULL)) != -1) {
    switch (ch) {
    case 'h':
      fputs(vz_help, stdout);
      return TORC_EXIT_OK;
    case 'o':
      out = optarg;
      break;
    case 's':
      if (torc_cli_parse_uint(optarg, 0, 4503599627370495ul, &seed))
        return torc_cli_usage_error("vectorize",
                                    "--seed '%s': expected an "
                                    "integer",
                                    optarg);
      break;
    case 'f':
      flows = optarg;
      break;
    case 'n':
      if (torc_cli_parse_uint(optarg, 1, 100000, &per_flow))
        return torc_cli_usage_error("vectorize",
                                    "--per-flow '%s': expected "
                                    "1..100000",
                                    optarg);
      break;
    case 'c':
      catalogue = optarg;
      break;
    case 'q':
      break;
    default:
      return torc_cli_usage_error("vectorize",
                                  "unknown option or missing value: '%s'",
                                  argv[optind - 1]);
    }
  }
  if (!out)
    return torc_cli_usage_error("vectorize", "-o DIR is required");
  if (optind >= argc)
    return torc_cli_usage_error("vectorize", "no capture given");
  if (parse_filter(flows, &flt) != 0)
    return torc_cli_usage_error("vectorize",
                                "--flows '%s': expected KEY=VALUE[,...] with "
                                "KEY src, dst, sport or dport",
                                flows);
  memset(&c, 0, sizeof c);
  for (i = 1; i < argc; i++)
    if (strcmp(argv[i], "-q") == 0 || strcmp(argv[i], "--quiet") == 0)
      c.quiet = 1;
  if (load_testable(catalogue, testable) != 0) {
    fprintf(stderr, "torc vectorize: %s: cannot read the catalogue\n",
            catalogue);
    return TORC_EXIT_USAGE;
  }
  /* The output's parent, and a sibling temp folder. */
  snprintf(tmp, sizeof tmp, "%s", out);
  while (strlen(tmp) > 1 && tmp[strlen(tmp) - 1] == '/')
    tmp[strlen(tmp) - 1] = 0;
  snprintf(parent, sizeof parent, "%s", tmp);
  slash = strrchr(parent, '/');
  if (!slash)
    snprintf(parent, sizeof parent, ".");
  else if (slash == parent)
    parent[1] = 0;
  else
    *slash = 0;
  snprintf(old, sizeof old, "%s.old-%ld", tmp, (long)getpid());
  {
    size_t l = strlen(tmp);
    snprintf(tmp + l, sizeof tmp - l, ".tmp-%ld", (long)getpid());
  }
  if (mkdir(parent, 0777) != 0 && errno != EEXIST) {
    fprintf(stderr, "torc vectorize: %s: %s\n", parent, strerror(errno));
    return TORC_EXIT_USAGE;
  }
  rm_rf(tmp);
  if (mkdir(tmp, 0777) != 0) {
    fprintf(stderr, "torc vectorize: %s: %s\n", tmp, strerror(errno));
    return TORC_EXIT_USAGE;
  }
  memset(&eo, 0, sizeof eo);
  eo.record_traces = 1;
  if (torc_engine_new("reference", &eo, &c.eng, errbuf) != 0) {
    fprintf(stderr, "torc vectorize: reference target: %s\n", errbuf);
    rm_rf(tmp);
    return TORC_EXIT_USAGE;
  }
  c.cache = torc_capture_cache_new();
  c.seed = seed;
  c.testable = testable;
  c.tmpdir = tmp;
  for (i = optind; i < argc && rc == TORC_EXIT_OK; i++)
    if (do_capture(&c, argv[i], parent, &flt, (unsigned)per_flow) != 0)
      rc = TORC_EXIT_USAGE;
  torc_capture_cache_free(c.cache);
  torc_engine_free(c.eng);
  if (rc != TORC_EXIT_OK) {
    rm_rf(tmp);
    return rc;
  }
  {
    char final[PATH_MAX];
    snprintf(final, sizeof final, "%s", out);
    while (strlen(final) > 1 && final[strlen(final) - 1] == '/')
      final[strlen(final) - 1] = 0;
    if (stat(final, &sb) == 0 && rename(final, old) != 0) {
      fprintf(stderr, "torc vectorize: %s: %s\n", final, strerror(errno));
      rm_rf(tmp);
      return TORC_EXIT_USAGE;
    }
    if (rename(tmp, final) != 0) {
      fprintf(stderr, "torc vectorize: %s: %s\n", final, strerror(errno));
      rename(old, final);
      rm_rf(tmp);
      return TORC_EXIT_USAGE;
    }
    rm_rf(old);
  }
  if (!c.quiet) {
    fprintf(stderr, "torc vectorize: %zu vectors written to %s (%zu dropped)",
            c.written, out, c.dropped);
    fputs("; per kind:", stderr);
    for (i = 0; i < K_COUNT; i++)
      fprintf(stderr, " %s=%zu", kind_name[i], c.per_kind[i]);
    fputc('\n', stderr);
  }
  return TORC_EXIT_OK;
}

/* ---- coverage (torc list --coverage) ------------------------------------- */

/* A flow identity: capture digest + addresses + ports. */
static void flow_ident(const torc_vector *v, char *buf, size_t n) {
  const torc_vector_body *b = v->body;
  size_t i, k = 0;
  k += (size_t)snprintf(buf, n, "%s:%u:", b->cap ? b->cap->sha256 : "",
                        b->ip_version);
  for (i = 0; i < 16 && k + 5 < n; i++)
    k += (size_t)snprintf(buf + k, n - k, "%02x%02x", b->src[i], b->dst[i]);
  snprintf(buf + k, n > k ? n - k : 0, ":%u:%u", b->sport, b->dport);
}

int torc_cli_coverage(torc_vector *const *vs, size_t n, const char *catalogue) {
  json_error_t je;
  json_t *root = json_load_file(catalogue, 0, &je), *rows, *row;
  char(*fid)[200] = NULL;
  size_t *flowof = NULL, nflows = 0, i, k, j, r;
  size_t vec_count[1000] = {0};
  unsigned char *seen = NULL;
  size_t flow_count[1000] = {0};
  size_t testable_ai = 0, covered_ai = 0;
  int rc = TORC_EXIT_OK;
  if (!root) {
    fprintf(stderr, "torc list: %s: line %d: %s\n", catalogue, je.line,
            je.text);
    return TORC_EXIT_USAGE;
  }
  fid = calloc(n + 1, sizeof *fid);
  flowof = calloc(n + 1, sizeof *flowof);
  if (!fid || !flowof) {
    rc = TORC_EXIT_USAGE;
    goto done;
  }
  for (i = 0; i < n; i++) {
    char id[200];
    flow_ident(vs[i], id, sizeof id);
    for (k = 0; k < nflows && strcmp(fid[k], id) != 0; k++)
      ;
    if (k == nflows)
      snprintf(fid[nflows++], sizeof fid[0], "%s", id);
    flowof[i] = k;
  }
  seen = calloc(1000 * (nflows + 1), 1);
  if (!seen) {
    rc = TORC_EXIT_USAGE;
    goto done;
  }
  for (i = 0; i < n; i++)
    for (k = 0; k < vs[i]->nrequirements; k++) {
      int id;
      if (sscanf(vs[i]->requirements[k], "RCV-%d", &id) != 1 || id <= 0 ||
          id >= 1000)
        continue;
      vec_count[id]++;
      if (!seen[(size_t)id * (nflows + 1) + flowof[i]]) {
        seen[(size_t)id * (nflows + 1) + flowof[i]] = 1;
        flow_count[id]++;
      }
    }
  printf("# id\tstrength\ttestable\tvectors\tflows\n");
  rows = json_object_get(root, "requirements");
  json_array_foreach(rows, r, row) {
    const char *id = json_string_value(json_object_get(row, "id"));
    const char *strength = json_string_value(json_object_get(row, "strength"));
    const char *group = json_string_value(json_object_get(row, "group"));
    int t = json_is_true(json_object_get(row, "testable")), num;
    if (!id || sscanf(id, "RCV-%d", &num) != 1 || num <= 0 || num >= 1000)
      continue;
    printf("%s\t%s\t%s\t%zu\t%zu\n", id, strength ? strength : "?",
           t ? "yes" : "no", vec_count[num], flow_count[num]);
    if (t && group && group[0] >= 'A' && group[0] <= 'I' && !group[1]) {
      testable_ai++;
      if (flow_count[num] >= 3)
        covered_ai++;
      else {
        fprintf(stderr,
                "torc list: %s (group %s) is exercised by vectors from %zu "
                "flow%s (%zu vectors); at least 3 flows are needed\n",
                id, group, flow_count[num], flow_count[num] == 1 ? "" : "s",
                vec_count[num]);
        rc = TORC_EXIT_FAIL;
      }
    }
  }
  fprintf(stderr,
          "torc list: coverage: %zu of %zu testable requirements of groups "
          "A-I have vectors from at least 3 flows (%zu vectors, %zu flows)\n",
          covered_ai, testable_ai, n, nflows);
  (void)j;
done:
  free(seen);
  free(fid);
  free(flowof);
  json_decref(root);
  return rc;
}
