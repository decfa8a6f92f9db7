/*
 * torc_vector_int.h - interface for a module to read a loaded vector's
 * script, state and expectation (private to the engine and its tests).
 *
 * The vector loader (torc_vector.c and the section parsers it calls, see
 * torc_vector_parse_int.h) fills these structures from the JSON once, with
 * every default applied and every cross-field rule checked, so the engine never
 * looks at JSON and never re-validates.  Byte data is not copied: buffered
 * fragments and the stream are positions in a shared torc_capture.
 */
#ifndef TORC_VECTOR_INT_H
#define TORC_VECTOR_INT_H

#include <stddef.h>
#include <stdint.h>
#include <torc/target.h>

#include "torc_capture.h"
#include "torc_trace.h"
#include "torc_vector.h"

/* Script operations (events[].op). */
typedef enum torc_op {
  TORC_OP_OFFLOAD = 0,
  TORC_OP_POST,
  TORC_OP_FRAME,
  TORC_OP_ADVANCE,
  TORC_OP_TERMINATE,
  TORC_OP_RETURN,
  TORC_OP_POST_IN_COMPLETION,
  TORC_OP_FAIL_ALLOC,
  TORC_OP_POST_IN_INDICATION,
  TORC_OP_COUNT
} torc_op;

typedef struct torc_event {
  uint32_t op;   /* torc_op */
  uint64_t t_us; /* virtual time of the event (non-decreasing) */
  /* post, post_in_completion, post_in_indication */
  uint64_t req_id;
  uint32_t size, prefilled;
  uint8_t push;
  /* frame: index into the capture's frames (number - 1); for a derived
   * segment, its source frame, and derived = 1 + its index in
   * provenance.transform.derived (0: the frame itself) */
  uint32_t frame;
  uint32_t derived;
  /* return: 0 = every outstanding indication and hand-back; k = only the
   * k-th indication the host accepted (1-based, in the order accepted) */
  uint32_t indication;
} torc_event;

/* One host answer to an indication (host.answers[]). */
typedef struct torc_answer {
  uint32_t status;   /* TORC_STATUS_* */
  uint32_t consumed; /* for PARTIALLY_ACCEPTED */
} torc_answer;

/* A buffered fragment: stream bytes [offset, offset + len). */
typedef struct torc_vfrag {
  uint64_t offset;
  uint32_t len;
} torc_vfrag;

/* When the host returns accepted indications and handed-back data. */
typedef enum torc_auto_return {
  TORC_RETURN_AT_END = 0, /* at the end of the script (default) */
  TORC_RETURN_EXPLICIT,   /* only at "return" events */
  TORC_RETURN_AFTER_EVENT /* after every script event */
} torc_auto_return;

/* Allowance bits (expected.allowances, names in docs/DECISIONS.md). */
#define TORC_ALLOW_COMPLETION_BATCHING (1u << 0)   /* DEC-19 */
#define TORC_ALLOW_OFFLOAD_FAIL_STATUS (1u << 1)   /* DEC-05 */
#define TORC_ALLOW_UPLOAD_REQUEST_STATUS (1u << 2) /* DEC-06 */
#define TORC_ALLOW_UPLOAD_DELIVER (1u << 3)        /* DEC-07 */
#define TORC_ALLOW_RST_REQUESTS_PENDING (1u << 4)  /* DEC-04 */
#define TORC_ALLOW_FIN_NONPUSH_COMPLETE (1u << 5)  /* DEC-18 */
#define TORC_ALLOW_INDICATION_SIZE (1u << 6)       /* DEC-21 */
#define TORC_ALLOW_UPLOAD_WANTED_POSTS (1u << 7)   /* DEC-24 */
#define TORC_ALLOW_RESOURCE_NO_RETRIEVE (1u << 8)  /* DEC-25 */
#define TORC_ALLOW_TERMINATE_ASYNC (1u << 9)       /* DEC-26 */
/* Readings: allowances met by an alternative expected trace
 * (expected.alternatives), what the reference does when it takes the other
 * reading the decision calls defensible (fin-nonpush-complete above is one
 * too). */
#define TORC_ALLOW_DISCONNECT_BEFORE_PLACED (1u << 10) /* DEC-30 */
#define TORC_ALLOW_DISCONNECT_POSTS_AT_ONCE (1u << 11) /* DEC-18 */
#define TORC_ALLOW_GAP_FILL_PER_SEGMENT (1u << 12)     /* DEC-29 */
#define TORC_ALLOW_OOO_RESTARTS_TIMER (1u << 13)       /* DEC-01 */
#define TORC_ALLOW_TRIMMED_PSH_IGNORED (1u << 14)      /* DEC-31 */
#define TORC_ALLOW_COUNT 15
#define TORC_ALLOW_READINGS                                                    \
  (TORC_ALLOW_FIN_NONPUSH_COMPLETE | TORC_ALLOW_DISCONNECT_BEFORE_PLACED |     \
   TORC_ALLOW_DISCONNECT_POSTS_AT_ONCE | TORC_ALLOW_GAP_FILL_PER_SEGMENT |     \
   TORC_ALLOW_OOO_RESTARTS_TIMER | TORC_ALLOW_TRIMMED_PSH_IGNORED)
const char *torc_allowance_name(unsigned bit_index);
/* "DEC-19", ...: the decision an allowance belongs to. */
const char *torc_allowance_decision(unsigned bit_index);
/* "offload", "post", ... for a torc_op; "?" when out of range. */
const char *torc_vector_op_name(unsigned op);

/* A segment derived from a real frame (provenance.transform.derived): the
 * source frame's headers, the payload cut to [offset, offset + len) of the
 * stream (a sub-range of the source's payload, or empty at any sequence
 * number), the flags replaced; lengths and checksums recomputed. */
typedef struct torc_derived {
  uint32_t from;         /* index of the source frame in cap->frames */
  int64_t offset;        /* stream offset of the first sequence number */
  uint32_t len;          /* payload bytes */
  uint32_t payload_skip; /* bytes of the source payload before them */
  uint8_t flags;         /* TORC_TCP_* */
} torc_derived;

/* A run of stream bytes held in the capture. */
typedef struct torc_srun {
  uint64_t offset;
  uint32_t len;
  const uint8_t *data;
} torc_srun;

typedef struct torc_vector_body {
  torc_capture *cap; /* (owned reference) */
  char sha256[65];   /* of the file's bytes: for set digests */
  /* The flow: src is the peer (sender), dst the offloaded receiver. */
  uint8_t ip_version;
  uint8_t src[16], dst[16];
  uint16_t sport, dport;
  /* The stream: byte offset k is sequence number isn + k (mod 2^32).  It is
   * a sorted list of non-overlapping runs of capture bytes (first-arrived
   * frame wins where frames overlap); stream_len is the length of the
   * covered prefix: every byte below it is known. */
  uint32_t isn;
  struct torc_srun *runs; /* (owned array; bytes borrowed from cap) */
  size_t nruns;
  uint64_t stream_len;
  /* Stream offset of the peer's FIN (the sequence number it occupies), or
   * UINT64_MAX when no listed frame carries one.  A RcvNxt reported after
   * the FIN is one past the data (RFC 9293 3.10.7.4). */
  uint64_t fin_offset;
  /* provenance.transform: added to the sequence number of every frame
   * (isn and rcv_nxt are already in the rebased space), and the derived
   * segments. */
  uint32_t seq_shift;
  torc_derived *derived; /* (owned) */
  size_t nderived;
  /* Delegated state (defaults applied). */
  uint32_t rcv_nxt, rcv_wnd, snd_una, snd_nxt, snd_wnd;
  uint32_t push_ticks, ticks_per_second, rcv_indication_size;
  uint32_t initial_rcv_wnd;
  uint16_t mss;
  uint8_t snd_wscale, rcv_wscale;
  /* Buffered data: nlists lists; list i holds frags[list_first[i] ..
   * list_first[i] + list_count[i]). */
  torc_vfrag *frags; /* (owned) */
  size_t nfrags;
  uint32_t *list_first, *list_count; /* (owned) */
  size_t nlists;
  uint64_t buffered_len;
  /* Script. */
  torc_event *events; /* (owned) */
  size_t nevents;
  uint32_t ops_used; /* bit (1 << torc_op) for every op in the script */
  /* Host behaviour. */
  torc_answer *answers; /* (owned) */
  size_t nanswers;
  torc_answer default_answer;
  uint32_t auto_return; /* torc_auto_return */
  /* Expectation. */
  torc_trace expected;
  uint32_t allowances; /* TORC_ALLOW_* */
  /* expected.alternatives: the trace of another defensible reading, each
   * accepted as PASS-NONSTRICT by its allowance (one TORC_ALLOW_READINGS
   * bit, also in allowances). */
  torc_trace *alt;     /* nalt traces (owned) */
  uint32_t *alt_allow; /* nalt allowance bits (owned) */
  size_t nalt;
} torc_vector_body;

/* Copies stream bytes [off, off + n) into dst.  Returns 0, or -1 when part
 * of the range is beyond stream_len. */
int torc_vector_stream_copy(const torc_vector_body *b, uint64_t off, uint32_t n,
                            uint8_t *dst);
/* Compares buf[0..n) with stream bytes [off, off + n).  Returns 0 when
 * equal, else 1 and *diff = index of the first differing byte (a byte
 * beyond stream_len differs from everything). */
int torc_vector_stream_cmp(const torc_vector_body *b, uint64_t off,
                           const uint8_t *buf, uint32_t n, uint32_t *diff);

/* The header fields of the segment a frame event gives the target (seq
 * rebased, a derived segment's flags and length). */
void torc_vector_frame_info(const torc_vector_body *b, const torc_event *ev,
                            torc_frame *out);
/* Builds the frame a frame event gives the target into buf (cap bytes, at
 * least the source frame's caplen) and fills seg, pointing into buf.
 * Returns the frame's length, or 0 when buf is too small. */
uint32_t torc_vector_build_segment(const torc_vector_body *b,
                                   const torc_event *ev, uint8_t *buf,
                                   size_t cap, torc_segment *seg);

/* Canonical JSON of a vector (for ids and digests): jansson's
 * JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII dump of the document
 * with "id" removed.  Returns a malloc'd string or NULL. */
struct json_t;
char *torc_vector_canonical(struct json_t *root_without_id);
/* "rcv-" + first 16 hex digits of SHA-256 of the canonical JSON. */
void torc_vector_compute_id(const char *canonical, char out[21]);

/* Comma-separated capability names of the TORC_CAP_* bits in caps. */
void torc_vector_cap_names(uint64_t caps, char *buf, size_t n);

/* Loads a vector using (and filling) a capture cache shared by a set;
 * flags are TORC_VECTOR_* (torc_vector.h).  _cached verifies the id. */
int torc_vector_load_file(const char *path, torc_capture_cache *cc,
                          unsigned flags, torc_vector **out, char *errbuf,
                          size_t errlen);
int torc_vector_load_cached(const char *path, torc_capture_cache *cc,
                            torc_vector **out, char *errbuf, size_t errlen);

#endif /* TORC_VECTOR_INT_H */
