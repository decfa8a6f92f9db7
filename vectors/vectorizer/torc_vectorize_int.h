/*
 * torc_vectorize_int.h - what the vectorizer's files share (private to
 * vectors/vectorizer/): the run's context, the flow a vector is cut from,
 * the scenario being built, the seeded PRNG and the requirement sets.
 *
 * The flow of one vector: torc_vectorize.c opens the output and the
 * reference, torc_vectorize_capture.c walks the captures and their flows
 * (torc_vectorize_flow.c: frames, offload points, replay windows), and
 * torc_vectorize_vector.c builds each vector: the script
 * (torc_vectorize_script.c), the reference's trace
 * (torc_vectorize_reference.c), the requirement ids
 * (torc_vectorize_requirements.c), tags, capabilities and allowances
 * (torc_vectorize_labels.c), and the file (torc_vectorize_write.c).
 */
#ifndef TORC_VECTORIZE_INT_H
#define TORC_VECTORIZE_INT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "torc_capture.h"
#include "torc_engine.h"
#include "torc_flow.h"
#include "torc_vectorize.h"

#define VZ_TOOL "torc vectorize"
#define VZ_TOOL_VERSION "1"
#define VZ_WEEKS3_US 1814400000000ull /* 3 weeks of virtual time */
#define VZ_MAX_BUFFERED 65536u
#define VZ_MAX_PLAY 24

/* ---- torc_vectorize_rng.c: the seeded PRNG (splitmix64, no rand()) ------ */

typedef struct vz_rng {
  uint64_t s;
} vz_rng;

uint64_t torc_vz_rng_next(vz_rng *r);
/* Uniform in [lo, hi] (hi >= lo). */
uint64_t torc_vz_rng_range(vz_rng *r, uint64_t lo, uint64_t hi);
int torc_vz_rng_chance(vz_rng *r, unsigned percent);
/* The generator of vector number index of flow direction flow_id: from the
 * run's seed and the capture's sha256 (hex). */
void torc_vz_rng_for_vector(vz_rng *r, uint64_t seed, const char *cap_sha,
                            uint32_t flow_id, unsigned index);

/* ---- torc_vectorize_kinds.c: the scenario kinds ------------------------- */

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
  K_WRAP,             /* sequence numbers rebased across 2^32 */
  K_RST,              /* RST (or SYN) at, in, before, beyond the window */
  K_FIN_DATA,         /* the last data segment carries the FIN */
  K_EDGE,             /* a segment ending at / one past the right edge */
  K_POST_IN_IND,      /* posts from inside an indication */
  K_ZERO_BEHIND,      /* zero-byte request behind others */
  K_OVERLAP,          /* a retransmission overlapping RcvNxt */
  K_DUP,              /* duplicates of held and of delivered data */
  K_FIN_AHEAD,        /* a FIN inside a frame, known beyond a gap */
  K_TAIL_FIRST,       /* a frame's tail first, then the whole frame */
  K_REJECT_POST,      /* a post whose queueing cannot allocate */
  K_MANY,             /* more requests than one completion call carries */
  K_COUNT
};

/* The kind's name (file names, tags, the summary) and its title; with
 * alloc_after, K_ALLOC_FAIL's second vector of a flow: the failure after
 * the offload (DEC-25). */
const char *torc_vz_kind_name(int kind, int alloc_after);
const char *torc_vz_kind_title(int kind, int alloc_after);
const char *torc_vz_kind_focus(int kind, int alloc_after);

/* ---- torc_vectorize_explain.c ------------------------------------------- */

int torc_vz_explain_file(const char *path, const unsigned char *testable,
                         int write, FILE *out, char *err, size_t n);
/* 1 when the kind wants BufferedData (some kinds: by chance). */
int torc_vz_kind_needs_buffered(int kind, vz_rng *r);

/* ---- torc_vectorize_flow.c: the flow a vector is cut from --------------- */

/* One replayable frame of the direction. */
typedef struct vz_frame {
  uint32_t number;
  uint64_t off; /* stream offset of the first payload byte (>= 0) */
  uint32_t len;
  uint8_t tcp_flags;
  int64_t pos; /* file offset of its record (torc_capture_open_frames) */
  /* What the capture showed before this frame (torc_vz_captured_state):
   * the receiver's highest sequence number sent (SndNxt), and the peer's
   * latest acknowledgment with its window and flags. */
  uint8_t rev_sent, have_ack, ack_flags;
  uint16_t ack_window;
  uint32_t rev_snd_nxt, ack;
} vz_frame;

/* An offload point: after frames[0..idx) (idx = 0: before any data). */
typedef struct vz_point {
  size_t idx;
  uint64_t p; /* contiguous stream length at that moment */
} vz_point;

/* ---- torc_vectorize_pass.c: one streaming pass, records on disk -------- */

/* Fixed-size records appended in order: the first `flushed` in chunks of
 * a temporary file (chunks[k]: file offset of records k*VZ_CHUNK...), the
 * rest in tail; rbuf caches the chunk read last. */
typedef struct vz_array {
  size_t elem, n, flushed;
  uint8_t *tail; /* (owned) */
  size_t captail;
  int64_t *chunks; /* (owned) */
  size_t nchunks, capchunks;
  uint8_t *rbuf; /* (owned) */
  size_t rchunk;
  int sealed; /* no record follows (the direction ended) */
} vz_array;

typedef struct vz_range {
  uint64_t a, b;
} vz_range;

/* What the pass knows of one direction (by the reassembler's id). */
typedef struct vz_dir {
  torc_flow_dir info; /* final state (valid when ended) */
  int seen, kept, ended;
  vz_array fr, pt; /* vz_frame, vz_point records (kept directions) */
  /* Folds of the frames so far, for the frames that follow. */
  int sent, have_ack;
  uint32_t snd_nxt, ack;
  uint16_t ack_window;
  uint8_t ack_flags;
  /* Offload points: the contiguous prefix, the covered ranges beyond it. */
  uint64_t cend;
  vz_range *rg; /* (owned) */
  size_t nrg, caprg;
  int points_done, pending;
  vz_point pend;
  uint32_t cut_frame; /* too many ranges: no point after this frame */
  /* The first hole the reassembler skipped, and how many. */
  uint64_t gaps, gap_off, gap_len;
  uint32_t gap_frame;
  int gap_by_window;
} vz_dir;

typedef struct vz_pass {
  const torc_vectorize_filter *flt;
  int dlt;
  uint32_t file_frames;
  vz_dir *dirs; /* (owned) */
  size_t ndirs, capdirs;
  int fd; /* the spill file (unlinked) */
  int64_t end;
  int err, flow_rc;
} vz_pass;

/* Reassembles the capture at path once, recording its kept directions.
 * Returns 0, or -1 with "FILE: problem" in err (ps->flow_rc: the
 * reassembler's code).  torc_vz_pass_free afterwards in both cases. */
int torc_vz_pass_run(vz_pass *ps, const char *path,
                     const torc_vectorize_filter *flt, char *err,
                     size_t errlen);
void torc_vz_pass_free(vz_pass *ps);
/* Record i of a into out.  Returns 0 or -1 (out of range, read error). */
int torc_vz_array_get(const vz_pass *ps, vz_array *a, size_t i, void *out);

/* ---- torc_vectorize_flow.c: the flow a vector is cut from --------------- */

typedef struct vz_flow {
  vz_pass *ps;
  vz_dir *x;              /* the peer's (data) direction */
  const torc_flow_dir *d; /* its final state */
  const vz_dir *rev;      /* the receiver's own sending direction
                             (its SYN and send side), NULL unseen */
  const char *cap_real;   /* the capture's resolved path */
  size_t nfr, npt;
} vz_flow;

/* ---- the run, and the scenario being built ------------------------------ */

typedef struct vz_select vz_select;

typedef struct vz_ctx {
  const char *cap_rel;  /* capture path as written in vectors */
  const char *cap_sha;  /* sha256 of the capture file */
  const char *cap_stem; /* file name without extension */
  const char *link_tag; /* "link-en10mb", ... */
  uint64_t seed;
  const unsigned char *testable;
  torc_engine *eng;
  torc_capture_cache *cache; /* the vector being made: its frames only */
  const char *tmpdir;        /* the output being built */
  int quiet;
  size_t written, dropped;
  size_t per_kind[K_COUNT];
  vz_select *sel;   /* --select: the candidates noted, or NULL */
  unsigned flow_no; /* run-wide number of the flow being cut */
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
  int tps_zero;     /* ticks_per_second 0 written (RCV-198: 1000) */
  int initial_zero; /* initial_rcv_wnd 0 written (DEC-15, DEC-23) */
  int edge_first;   /* K_EDGE: the window ends inside the first frame */
  uint64_t buffered;
  /* Replayed frames (play points at playbuf). */
  vz_frame playbuf[VZ_MAX_PLAY];
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
  /* provenance.transform: the rebase and the derived segments */
  uint32_t seq_shift;
  json_t *derived;
  int has_in_indication;
  int returns_reordered; /* K_POST_IN_IND: explicit returns, last first */
} vz_scen;

/* Frame i and point i of the flow (read back from the pass's records).
 * Return 0 or -1 (a read error). */
int torc_vz_flow_frame(const vz_flow *fl, size_t i, vz_frame *out);
int torc_vz_flow_point(const vz_flow *fl, size_t i, vz_point *out);
/* What the capture shows of the connection before frame `first` (the
 * first replayed frame; NULL: after the last): the MSS the receiver's SYN
 * allowed the peer, the window-scale shifts both SYNs agreed, and the
 * receiver's send side (SndNxt from its own segments, SndUna and SndWnd
 * from the peer's last acknowledgment).  Adds to state only what the
 * capture shows. */
void torc_vz_captured_state(const vz_flow *fl, const vz_frame *first,
                            json_t *state);
/* Chooses an offload point and a replay window (*w frames).  Returns the
 * index into fl->pt, or -1 when the flow has none that fits. */
long torc_vz_choose_point(const vz_flow *fl, vz_rng *r, int need_buffered,
                          int want_end, size_t *w);
/* Reads the replay fl frames [idx, idx+w) into s->playbuf and analyses it
 * from offload point s->p. */
void torc_vz_analyse_replay(vz_scen *s, const vz_flow *fl, size_t idx,
                            size_t w);
/* 1 when, after the frames actually replayed, bytes beyond a gap are held
 * (out-of-order data the target may not deliver). */
int torc_vz_held_beyond_gap(const vz_scen *s);
/* 1 when the direction carries data and matches the filter. */
int torc_vz_filter_match(const torc_vectorize_filter *f,
                         const torc_flow_dir *d);
/* 1 when a direction with key k matches the filter (data not looked at). */
int torc_vz_filter_match_key(const torc_vectorize_filter *f,
                             const torc_flow_key *k);
/* The reassembler's want (torc_flow_options; user is the filter): a
 * direction that matches, or whose reverse does (its ACKs and windows are
 * read with it), is reassembled; no other is. */
int torc_vz_filter_want(const void *user, const torc_flow_key *k);
/* Directions the reassembler may hold at once for `torc vectorize`: each
 * costs a few KiB before any vector is made, so a capture of more flows
 * than this must be narrowed with --flows. */
#define VZ_MAX_DIRS 65536u
/* An address of the flow key as text ("?" when it cannot be printed). */
void torc_vz_addr_text(const torc_flow_key *k, const uint8_t *a, char *buf,
                       size_t n);

/* ---- torc_vectorize_script.c: the events, buffered data, host answers --- */

/* The event helpers the script files share: an event of op (t_us written
 * when the clock moved); a post (in_completion 1: from inside the next
 * completion, 2: from inside the next indication); a replayed frame (again,
 * for a duplicate); the next n frames of the replay; a derived segment of
 * frame f at vector stream offset voff; RcvNxt (vector offset) after the
 * frames played so far when the window took them; clock advances; the
 * terminate; a request size. */
json_t *torc_vz_ev_new(vz_scen *s, const char *op);
void torc_vz_ev_post(vz_scen *s, uint64_t size, int push, uint64_t prefilled,
                     int in_completion);
void torc_vz_ev_frame_of(vz_scen *s, const vz_frame *f);
void torc_vz_ev_frames(vz_scen *s, size_t n);
void torc_vz_ev_derived(vz_scen *s, const vz_frame *f, int64_t voff,
                        uint32_t len, uint8_t flags);
uint64_t torc_vz_contiguous_end(const vz_scen *s);
void torc_vz_ev_advance_to(vz_scen *s, uint64_t t);
void torc_vz_ev_deadline(vz_scen *s, vz_rng *r);
void torc_vz_ev_terminate(vz_scen *s);
uint64_t torc_vz_pick_size(vz_rng *r, const vz_scen *s);

/* ---- torc_vectorize_wire.c: the wire kinds' scripts --------------------- */

void torc_vz_wire_rst(vz_scen *s, vz_rng *r);
void torc_vz_wire_fin_data(vz_scen *s, vz_rng *r);
void torc_vz_wire_overlap(vz_scen *s, vz_rng *r);
void torc_vz_wire_fin_ahead(vz_scen *s, vz_rng *r);
void torc_vz_wire_tail_first(vz_scen *s, vz_rng *r);
void torc_vz_wire_empty_ack(vz_scen *s);

/* The push timer's parameters (push_ticks, ticks per second, interval). */
void torc_vz_set_push_params(vz_scen *s, vz_rng *r);
/* Builds s->events, the script of kind s->kind. */
void torc_vz_build_script(vz_scen *s, vz_rng *r);
/* The host answers of the kind (refusals, partial accepts, auto-return),
 * or NULL when the host keeps its defaults. */
json_t *torc_vz_host(vz_scen *s, vz_rng *r);
/* BufferedData [0, b) as up to maxlists lists of up to maxfrags
 * fragments. */
json_t *torc_vz_make_buffered(vz_rng *r, uint64_t b, unsigned maxlists,
                              unsigned maxfrags);

/* ---- torc_vectorize_requirements.c: which RCV ids a vector cites -------- */

/* The catalogue's testable ids (testable[n] = 1); returns -1 when the
 * catalogue cannot be read. */
int torc_vz_load_testable(const char *path, unsigned char *testable);
/* The first TcpIndicateRetrieve of the reference's trace: its index in the
 * trace (or -1), with its event index and reason. */
long torc_vz_trace_retrieve(json_t *trace, size_t *at, uint32_t *info);
/* The number of indications of the reference's trace and whether a
 * completion carried several requests. */
void torc_vz_trace_counts(json_t *trace, int *n_indicate, int *multi_complete);
/* Fills the array rq with the testable requirement ids ("RCV-nnn",
 * ascending) named by the "because" of any event of the trace; returns how
 * many. */
size_t torc_vz_decided_requirements(json_t *trace,
                                    const unsigned char *testable, json_t *rq);

/* ---- torc_vectorize_labels.c: tags, capabilities, allowances ------------ */

/* Appends the string s to the array a. */
void torc_vz_add_str(json_t *a, const char *s);
/* Appends the vector's tags (kname: its kind's name); fills requires with
 * its capabilities; returns its allowances (an array, possibly empty). */
void torc_vz_tags(const vz_ctx *c, const vz_scen *s, const torc_flow_dir *d,
                  const char *kname, json_t *tags);
void torc_vz_requires(const vz_scen *s, int n_indicate, json_t *requires);
json_t *torc_vz_allowances(const vz_scen *s, json_t *trace, int multi);

/* ---- torc_vectorize_write.c: vector files ------------------------------- */

/* Writes doc (one line per top-level member, events and trace entries one
 * per line, key order kept).  Returns 0 or -1. */
int torc_vz_write_vector(const char *path, json_t *doc);
/* A copy of body with "format" and the content-derived "id" first. */
json_t *torc_vz_with_id(json_t *body);
/* Frame numbers as numbers and [first, last] ranges (runs of >= 3). */
json_t *torc_vz_frame_list(const uint32_t *nums, size_t n);

/* ---- torc_vectorize_reference.c: the reference's traces ----------------- */

/* The engine over the built-in reference target, recording traces.
 * Returns 0, or -1 with a message in errbuf (TORC_ERRBUF_SIZE bytes). */
int torc_vz_reference_open(torc_engine **eng, char *errbuf);
/* Runs the vector at path through the reference.  Returns 0 and *trace
 * (the recorded trace, new reference; trace may be NULL) and *verdict, or
 * -1 with the reason in why. */
int torc_vz_run_reference(vz_ctx *c, const char *path, json_t **trace,
                          torc_verdict *verdict, char *why, size_t whylen);
/* Runs the vector at path under each other reading the reference can take
 * (torc_reading()) and returns, in *alts, a new array of {allowance, trace}
 * for each whose trace differs from trace (the reference's own, because
 * lists ignored; the alternatives carry none), the allowance names also
 * added to allow unless there.  Returns 0, or -1 with the reason in why. */
int torc_vz_alternatives(vz_ctx *c, const char *path, json_t *trace,
                         json_t *allow, json_t **alts, char *why,
                         size_t whylen);

/* ---- torc_vectorize_vector.c, torc_vectorize_capture.c ------------------ */

/* Builds, runs, checks and writes vector number index of flow fl.
 * Returns 0 (written or dropped) or -1 on an output error. */
int torc_vz_make_vector(vz_ctx *c, const vz_flow *fl, unsigned index);
/* The vectors of every matching flow of one capture.  Returns 0 or -1
 * (message on stderr). */
int torc_vz_capture(vz_ctx *c, const char *capture, const char *outparent,
                    const torc_vectorize_filter *flt, unsigned per_flow);

/* ---- torc_vectorize_select.c: coverage-guided selection --------------- */

/* A selection keeping, per decision outcome, vectors from k flows. */
vz_select *torc_vz_select_new(unsigned k);
void torc_vz_select_free(vz_select *s);
/* Notes a written candidate (relpath under the output folder) of flow
 * number flow, its kind, its expected trace and its alternatives (the
 * readings whose trace differs; NULL: none).  Returns 0 or -1. */
int torc_vz_select_note(vz_select *s, const char *relpath, unsigned flow,
                        int kind, json_t *trace, json_t *alternatives);
/* Chooses, deletes the candidates not kept from dir, writes
 * dir/selection.tsv; *kept and per_kind[K_COUNT] count what stays.
 * Returns 0 or -1 (a file error). */
int torc_vz_select_finish(vz_select *s, const char *dir, int quiet,
                          size_t *kept, size_t *per_kind);

#endif /* TORC_VECTORIZE_INT_H */
