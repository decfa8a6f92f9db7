/*
 * torc_flow_int.h - the reassembler's state, shared by the parts of
 * torc_flow (private to harness/input/torc_flow*.c).
 *
 * torc_flow.c owns the flow table (directions by key) and the per-frame
 * entry point; it verifies checksums (torc_flow_checksum.c) and hands each
 * TCP segment to its direction's reassembler (torc_flow_reasm.c).
 * torc_flow_read.c feeds frames from a capture file, and
 * torc_flow_collect.c keeps what the callbacks report in memory.
 */
#ifndef TORC_FLOW_INT_H
#define TORC_FLOW_INT_H

#include <stddef.h>
#include <stdint.h>

#include "torc_capture.h"
#include "torc_flow.h"

/* A held out-of-order piece: stream bytes [off, off + len) (owned). */
typedef struct held_seg {
  uint64_t off;
  uint32_t len;
  uint32_t frame;
  uint8_t *data;
} held_seg;

/* Which frame supplied delivered bytes [off, off + len). */
typedef struct hist_rec {
  uint64_t off;
  uint32_t len;
  uint32_t frame;
} hist_rec;

/* A new piece found while placing a segment: [off, off + len) at data. */
typedef struct piece {
  uint64_t off;
  uint32_t len;
  const uint8_t *data;
} piece;

typedef struct flow_dir {
  torc_flow_dir info; /* first: callbacks see this part */
  uint32_t next_seq;  /* sequence number of stream offset info.delivered */
  held_seg *held;     /* sorted by off, disjoint, all > delivered */
  size_t nheld, capheld;
  uint8_t *ring; /* ring[off & (ringcap - 1)] for off in [hist_lo, delivered) */
  size_t ringcap;
  uint64_t hist_lo;
  hist_rec *recs; /* circular: recs[(rhead + i) % rcap], i < rcount */
  size_t rhead, rcount, rcap;
  struct flow_dir *hnext; /* hash chain */
  int in_hash;
} flow_dir;

struct torc_flow {
  int dlt;
  torc_flow_options opt;
  torc_flow_callbacks cb;
  torc_flow_stats st;
  flow_dir **dirs; /* by id (owned) */
  size_t ndirs, capdirs;
  flow_dir **hash; /* chains of directions still open */
  size_t hcap, hcount;
  piece *pieces; /* scratch for one segment */
  size_t cappieces;
  int64_t pos; /* file offset of the frame being fed, -1 unknown */
};

/* torc_flow.c */
int torcint_flow_key_eq(const torc_flow_key *a, const torc_flow_key *b);
/* torc_flow_checksum.c */
void torcint_flow_check_sums(torc_flow *fl, const uint8_t *p,
                             const torc_frame *f);
/* torc_flow_reasm.c */
int torcint_flow_segment(torc_flow *fl, flow_dir *d, const torc_frame *f,
                         const uint8_t *p, uint32_t number, uint64_t ts_us);
int torcint_flow_skip_gap(torc_flow *fl, flow_dir *d);
/* torc_flow_read.c */
int torcint_flow_open_capture(const char *path, struct pcap **out, char *err,
                              size_t errlen);

#endif /* TORC_FLOW_INT_H */
