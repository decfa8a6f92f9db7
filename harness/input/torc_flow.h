/*
 * torc_flow.h - interface for a module to reassemble the TCP flows of a
 * capture, one direction at a time, while streaming through it.
 *
 * The reader opens a pcap or pcapng file with libpcap, takes one frame at a
 * time (pcap_next_ex), parses it with torc_capture_parse and feeds it to the
 * reassembler.  The reassembler keys every TCP direction by (IP version,
 * source, destination, source port, destination port) and rebuilds its byte
 * stream: retransmissions and overlaps are trimmed (the first arrived copy
 * of a byte wins, and a later copy that differs is a reported conflict),
 * out-of-order segments are held until the gap before them fills, sequence
 * numbers are compared with 32-bit serial arithmetic (wraparound), and SYN,
 * FIN and RST are recorded with their frame numbers.  A direction whose SYN
 * was not seen starts at its first data segment (mid-stream start).
 *
 * Results leave through callbacks: in-order bytes as they become in order,
 * one frame-map entry per TCP frame, conflicts and gaps.  Memory is bounded
 * by the reordering window (held bytes, at most the receive window the
 * other side advertised plus a slack: beyond it the hole is skipped and
 * reported with the frame that went past) plus a fixed history per
 * direction for conflict checks, never by the capture size.  For small
 * captures, torc_flow_collect gathers every direction in memory (tests and
 * tools; `torc vectorize` streams instead, torc_vectorize_pass.c).
 *
 * Stream offsets: offset 0 is the byte after the SYN (ISN + 1) or, without a
 * SYN, the first byte of the first data segment seen.
 */
#ifndef TORC_FLOW_H
#define TORC_FLOW_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct pcap; /* libpcap's pcap_t */

/* Return codes (negative, distinct; torc_flow_strerror names them). */
enum {
  TORC_FLOW_OK = 0,
  TORC_FLOW_ERR_OPEN = -1,     /* unreadable file, or not pcap/pcapng */
  TORC_FLOW_ERR_LINKTYPE = -2, /* a link type torc cannot parse */
  TORC_FLOW_ERR_FORMAT = -3,   /* malformed or truncated capture file */
  TORC_FLOW_ERR_NOMEM = -4,    /* allocation failed */
  TORC_FLOW_ERR_STOPPED = -5,  /* a callback returned nonzero */
  TORC_FLOW_ERR_LIMIT = -6,    /* torc_flow_collect's byte limit exceeded */
  TORC_FLOW_ERR_DIRS = -7      /* more directions at once than max_dirs */
};
const char *torc_flow_strerror(int rc);

/* Frame counts of one capture.  Every frame lands in exactly one of
 * tcp_frames, not_ip, not_tcp, fragments, truncated, malformed. */
typedef struct torc_flow_stats {
  uint64_t frames;
  uint64_t tcp_frames;
  uint64_t not_ip;
  uint64_t not_tcp;
  uint64_t fragments;
  uint64_t truncated; /* captured bytes end inside a header or the payload */
  uint64_t malformed;
  /* Checksums are verified on every TCP frame (always complete).  A capture
   * taken on the sending host with checksum offload shows bad checksums
   * legitimately: they are counted, and the frame is still used. */
  uint64_t bad_ip_checksum;
  uint64_t bad_tcp_checksum;
  uint64_t directions;   /* TCP directions (flows) reassembled: seen, or
                            with a want, seen and wanted */
  uint64_t stream_bytes; /* bytes delivered in order, all directions */
  uint64_t conflicts;    /* conflicting-overlap events, all directions */
  uint64_t gaps;         /* holes skipped, all directions */
} torc_flow_stats;

typedef struct torc_flow_key {
  uint8_t ip_version;       /* 4 or 6 */
  uint8_t src[16], dst[16]; /* IPv4 in the first 4 bytes, rest zero */
  uint16_t sport, dport;
} torc_flow_key;

/* What is known about one direction.  Owned by the reassembler; pointers
 * handed to callbacks are valid until torc_flow_free. */
typedef struct torc_flow_dir {
  uint32_t id;         /* 0, 1, ... in order of first frame */
  uint32_t reverse_id; /* id of the opposite direction, UINT32_MAX unseen */
  torc_flow_key key;
  uint32_t first_frame; /* first frame of this direction */
  int started;          /* stream base known (SYN or first data) */
  int syn_seen;
  int midstream; /* started on data without a SYN */
  uint32_t isn;  /* valid when syn_seen */
  /* Options of the SYN (valid when syn_seen): the MSS option's value, 0
   * when the SYN carried none, and the window-scale shift, -1 when none
   * (a shift above 14 is kept as sent; RFC 7323 2.3 reads it as 14). */
  uint16_t syn_mss;
  int8_t syn_wscale;
  uint32_t base_seq; /* sequence number of stream offset 0 */
  uint32_t syn_frame, fin_frame, rst_frame; /* first of each, 0 when none */
  uint64_t fin_offset;                      /* stream offset the FIN occupies */
  int ended; /* finished (end of capture or port reuse) */
  /* Counters. */
  uint64_t segments;           /* TCP frames in this direction */
  uint64_t data_segments;      /* ... carrying payload */
  uint64_t payload_bytes;      /* payload carried, all copies */
  uint64_t delivered;          /* bytes in order so far (= stream length) */
  uint64_t retrans_segments;   /* data segments carrying no new byte */
  uint64_t retrans_bytes;      /* bytes carried that were already received */
  uint64_t overlap_segments;   /* segments carrying both new and old bytes */
  uint64_t ooo_segments;       /* segments whose new bytes had to be held */
  uint64_t conflicts;          /* conflicting-overlap events */
  uint64_t conflict_bytes;     /* bytes that differed from the first copy */
  uint64_t unverified_bytes;   /* old bytes older than the history kept */
  uint64_t before_start_bytes; /* bytes before offset 0 (ignored) */
  uint64_t out_of_window;      /* segments > 1 GiB ahead (ignored) */
  uint64_t gaps, gap_bytes;    /* holes skipped (never filled) */
  uint64_t held_bytes, max_held_bytes; /* out-of-order bytes held */
  uint64_t max_held_segments;
  /* The largest receive window this direction advertised (window field
   * of its non-SYN ACKs, scaled by its SYN's shift when both SYNs carried
   * the option; by 14 while its SYN is unseen, so an upper bound), 0 while
   * none.  Out-of-order bytes held for the OTHER direction are bounded by
   * it plus the slack (torc_flow_options.window_slack), since a
   * conforming sender never sends beyond the window it was given. */
  uint64_t max_window;
  uint64_t window_cuts; /* gaps skipped because the held bytes went past
                           the receive window of the reverse direction */
  uint32_t gap_frame;   /* frame whose arrival skipped the last gap; 0 when
                           it was skipped at the end of the capture */
} torc_flow_dir;

/* Flags of a frame-map entry. */
#define TORC_FLOW_F_NOBASE 0x01   /* before the stream base was known */
#define TORC_FLOW_F_OOO 0x02      /* new bytes were held (out of order) */
#define TORC_FLOW_F_RETRANS 0x04  /* payload, none of it new */
#define TORC_FLOW_F_OVERLAP 0x08  /* some new, some already received */
#define TORC_FLOW_F_CONFLICT 0x10 /* an old byte differed */
#define TORC_FLOW_F_SPLIT 0x20    /* new bytes not contiguous */
#define TORC_FLOW_F_IGNORED 0x40  /* before start or out of window */

/* One TCP frame and the stream bytes it carried and contributed. */
typedef struct torc_flow_map_entry {
  uint32_t frame;     /* 1-based frame number */
  uint32_t dir;       /* torc_flow_dir.id */
  uint64_t ts_us;     /* capture time, informational */
  uint32_t seq;       /* TCP sequence number */
  uint32_t ack;       /* acknowledgment number (meaningful with TORC_TCP_ACK) */
  uint16_t window;    /* window field, unscaled, as on the wire */
  uint8_t tcp_flags;  /* TORC_TCP_* bits as on the wire */
  uint8_t flags;      /* TORC_FLOW_F_* */
  int64_t off;        /* stream offset of the first payload byte carried
                         (negative: before offset 0; 0 with F_NOBASE) */
  uint32_t len;       /* payload bytes carried */
  uint64_t new_off;   /* first new byte (valid when new_bytes > 0) */
  uint32_t new_len;   /* span from first to last new byte */
  uint32_t new_bytes; /* new bytes contributed (< new_len when split) */
  int64_t pos;        /* file offset of the frame's record when read by
                         torc_flow_read_pcap (torc_capture_open_frames
                         reads it back), -1 when fed by torc_flow_frame */
} torc_flow_map_entry;

/* A later copy of bytes that differs from the first arrived copy. */
typedef struct torc_flow_conflict {
  uint32_t dir;
  uint32_t frame;       /* the later frame */
  uint32_t first_frame; /* the frame whose bytes were kept (0: unknown) */
  uint64_t off;         /* compared range [off, off + len) */
  uint32_t len;
  uint32_t differing; /* bytes in the range that differ */
} torc_flow_conflict;

/* Callbacks; any may be NULL.  Byte pointers are borrowed for the duration
 * of the call.  A nonzero return stops the run with TORC_FLOW_ERR_STOPPED. */
typedef struct torc_flow_callbacks {
  void *user;
  /* In-order bytes [off, off + len) of direction d. */
  int (*on_data)(void *user, const torc_flow_dir *d, uint64_t off,
                 const uint8_t *p, size_t len);
  /* One entry per TCP frame, called after its bytes were placed. */
  int (*on_frame)(void *user, const torc_flow_dir *d,
                  const torc_flow_map_entry *e);
  int (*on_conflict)(void *user, const torc_flow_dir *d,
                     const torc_flow_conflict *c);
  /* Bytes [off, off + len) were never seen and are skipped: at the end of
   * the capture (d->gap_frame 0), or when the held bytes exceed the
   * reverse direction's receive window plus the slack, or max_held_bytes
   * (d->gap_frame: the frame that went past). */
  int (*on_gap)(void *user, const torc_flow_dir *d, uint64_t off, uint64_t len);
  /* The direction is finished (end of capture, or a new connection reuses
   * its addresses and ports after FIN/RST). */
  int (*on_end)(void *user, const torc_flow_dir *d);
} torc_flow_callbacks;

typedef struct torc_flow_options {
  uint64_t max_held_bytes; /* per direction; 0 = 64 MiB (the bound when
                              the receive window is unknown) */
  /* Held bytes allowed beyond the receive window the reverse direction
   * advertised (torc_flow_dir.max_window) before the gap is skipped;
   * 0 = 64 KiB.  With no_window_bound, only max_held_bytes bounds them. */
  uint32_t window_slack;
  int no_window_bound;
  uint32_t history_bytes; /* delivered bytes kept per direction for
                             conflict checks; 0 = 4 MiB */
  int no_checksums;       /* nonzero: skip checksum verification */
  /* Directions held at once (not yet ended); one more fails the run with
   * TORC_FLOW_ERR_DIRS.  0: no bound. */
  uint32_t max_dirs;
  /* When not NULL, only directions whose key it accepts (nonzero) are
   * reassembled: the frames of the others are counted in tcp_frames and
   * then dropped, with no state kept for them (a filter that cannot grow
   * memory with the capture's other flows). */
  int (*want)(const void *want_user, const torc_flow_key *k);
  const void *want_user;
} torc_flow_options;

typedef struct torc_flow torc_flow;

/* A reassembler for frames of link type dlt (libpcap DLT_*).  opt and cb
 * may be NULL; both are copied.  NULL when out of memory. */
torc_flow *torc_flow_new(int dlt, const torc_flow_options *opt,
                         const torc_flow_callbacks *cb);
void torc_flow_free(torc_flow *fl);
/* Nonzero when torc_capture_parse understands link type dlt. */
int torc_flow_dlt_supported(int dlt);

/* Feeds one frame (bytes borrowed for the call).  number is the 1-based
 * frame number used in reports.  Returns 0 or a TORC_FLOW_ERR_* code. */
int torc_flow_frame(torc_flow *fl, uint32_t number, uint64_t ts_us,
                    const uint8_t *p, uint32_t caplen, uint32_t wirelen);
/* End of input: every direction's remaining held bytes are delivered after
 * their gaps, and on_end is called.  Returns 0 or an error code. */
int torc_flow_finish(torc_flow *fl);

const torc_flow_stats *torc_flow_get_stats(const torc_flow *fl);
size_t torc_flow_ndirs(const torc_flow *fl);
const torc_flow_dir *torc_flow_get_dir(const torc_flow *fl, size_t id);

/* Reads every frame of an opened capture into fl and finishes it.  name
 * labels errors: "NAME: frame N: problem" or "NAME: problem". */
int torc_flow_read_pcap(torc_flow *fl, struct pcap *pc, const char *name,
                        char *err, size_t errlen);
/* Opens path, reassembles it with opt/cb and finishes.  When stats is not
 * NULL it receives the counts (also on error, as far as read). */
int torc_flow_read_file(const char *path, const torc_flow_options *opt,
                        const torc_flow_callbacks *cb, torc_flow_stats *stats,
                        char *err, size_t errlen);

/* Prints the counts as "name: key value" lines. */
void torc_flow_stats_print(FILE *out, const char *name,
                           const torc_flow_stats *s);
/* Prints one direction: addresses, ports, flags, counters, on one line. */
void torc_flow_dir_print(FILE *out, const torc_flow_dir *d);

/* ---- Convenience: a whole capture in memory (small captures). ---- */

typedef struct torc_flow_stream {
  torc_flow_dir info; /* final state */
  uint8_t *data;      /* the stream; gaps are zero-filled (owned) */
  size_t len;
  torc_flow_map_entry *map; /* this direction's frames, in order (owned) */
  size_t nmap;
  torc_flow_conflict *conflicts; /* (owned) */
  size_t nconflicts;
} torc_flow_stream;

typedef struct torc_flow_capture {
  int dlt;
  torc_flow_stats stats;
  torc_flow_stream *dirs; /* dirs[i].info.id == i (owned) */
  size_t ndirs;
} torc_flow_capture;

/* Reassembles path into memory.  max_bytes bounds the stream bytes kept
 * (0 = 256 MiB); beyond it the call fails with TORC_FLOW_ERR_LIMIT. */
int torc_flow_collect(const char *path, const torc_flow_options *opt,
                      size_t max_bytes, torc_flow_capture **out, char *err,
                      size_t errlen);
/* Same, from an opened capture. */
int torc_flow_collect_pcap(struct pcap *pc, const char *name,
                           const torc_flow_options *opt, size_t max_bytes,
                           torc_flow_capture **out, char *err, size_t errlen);
void torc_flow_capture_free(torc_flow_capture *c);
/* The direction with the given key (first match), or NULL. */
const torc_flow_stream *torc_flow_capture_find(const torc_flow_capture *c,
                                               const torc_flow_key *k);

#endif /* TORC_FLOW_H */
