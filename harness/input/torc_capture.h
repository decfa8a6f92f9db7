/*
 * torc_capture.h - interface for a module to read a packet capture once and
 * hand out its TCP frames.
 *
 * A capture (pcap or pcapng, read with libpcap) is parsed in one pass into an
 * immutable table of frames: the raw bytes (one arena), the link type, and
 * for TCP frames the IP/TCP offsets and fields.  Vectors point into it by
 * frame number; the engine hands the frames to the target as torc_segment.
 * Captures are reference counted and shared through a cache keyed by path, so
 * a corpus of many vectors over one capture reads it once.
 */
#ifndef TORC_CAPTURE_H
#define TORC_CAPTURE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Why a frame is not a usable TCP segment (TORC_FRAME_TCP when it is). */
typedef enum torc_frame_kind {
  TORC_FRAME_TCP = 0,
  TORC_FRAME_NOT_IP,    /* link payload is not IPv4/IPv6 */
  TORC_FRAME_NOT_TCP,   /* IP, but not TCP (or ESP, no next header) */
  TORC_FRAME_FRAGMENT,  /* a non-first or incomplete IP fragment */
  TORC_FRAME_TRUNCATED, /* captured bytes end inside a header or payload */
  TORC_FRAME_MALFORMED  /* a header's length field is inconsistent */
} torc_frame_kind;

typedef struct torc_frame {
  uint32_t number;  /* 1-based frame number in the file */
  uint32_t kind;    /* torc_frame_kind */
  size_t data_off;  /* offset of the captured bytes in torc_capture.data */
  uint32_t caplen;  /* captured length */
  uint32_t wirelen; /* original length on the wire */
  uint64_t ts_us;   /* capture timestamp, informational only */
  /* Valid when kind == TORC_FRAME_TCP: */
  uint8_t ip_version; /* 4 or 6 */
  uint8_t flags;      /* TORC_TCP_* */
  uint16_t window;
  uint16_t sport, dport;
  uint8_t src[16], dst[16]; /* IPv4 in the first 4 bytes */
  uint32_t ip_offset, tcp_offset, payload_offset, payload_len;
  uint32_t seq, ack;
} torc_frame;

typedef struct torc_capture {
  char *path;         /* as opened (owned) */
  char sha256[65];    /* of the file's bytes */
  uint32_t link_type; /* LINKTYPE_* number (1 Ethernet, 101 raw IP, ...) */
  int dlt;            /* libpcap's DLT_* value */
  uint8_t *data;      /* every frame's bytes (owned) */
  size_t data_len;
  torc_frame *frames;   /* ascending numbers; frames[i].number == i + 1 when
                           every frame was read (owned) */
  uint32_t nframes;     /* entries of frames */
  uint32_t file_frames; /* frames in the file: nframes, or more for a
                           capture of some of them (torc_capture_open_frames) */
  int refs;
} torc_capture;

/* Reads and parses the whole file.  Returns 0, or -1 with "FILE: frame N:
 * problem" (or "FILE: problem") in err.  Unparseable frames are not errors:
 * they are recorded with their kind, and rejected only if a vector uses
 * them. */
int torc_capture_open(const char *path, torc_capture **out, char *err,
                      size_t errlen);
/* Reads only the frames numbers[0..n) (ascending, each <= file_frames)
 * whose records start at file offsets pos[0..n) (torc_flow_map_entry.pos),
 * so a vector over a huge capture costs its own frames only: the
 * vectorizer's way to run vectors without reading the capture whole.  The
 * caller vouches for sha256 (of the whole file, computed once with
 * torc_capture_file_sha256) and file_frames.  Returns 0, or -1 with "FILE:
 * frame N: problem" in err. */
int torc_capture_open_frames(const char *path, const char *sha256,
                             const uint32_t *numbers, const int64_t *pos,
                             size_t n, uint32_t file_frames, torc_capture **out,
                             char *err, size_t errlen);
/* SHA-256 (hex) of the file at path, read in 64 KiB blocks.  Returns 0, or
 * -1 with "FILE: problem" in err. */
int torc_capture_file_sha256(const char *path, char out[65], char *err,
                             size_t errlen);
/* Opens path for reading as a capture, refusing anything but a regular
 * file (a device such as /dev/zero, a FIFO, a directory, a socket) without
 * reading from it or waiting for a FIFO's writer.  Returns the stream, or
 * NULL with "FILE: problem" in err.  Shared with torc_flow_read.c. */
FILE *torcint_capture_fopen(const char *path, char *err, size_t errlen);
void torc_capture_ref(torc_capture *c);
/* Drops one reference; frees at zero.  NULL is allowed. */
void torc_capture_unref(torc_capture *c);
/* Frame by 1-based number, NULL when out of range (or, in a capture of
 * some frames, not read).  Its index is the result minus c->frames. */
const torc_frame *torc_capture_frame(const torc_capture *c, uint32_t number);
/* Bytes of a frame. */
static inline const uint8_t *torc_capture_bytes(const torc_capture *c,
                                                const torc_frame *f) {
  return c->data + f->data_off;
}
/* "not IP", "truncated", ... for error messages. */
const char *torc_frame_kind_name(uint32_t kind);

/* Parses one link-layer frame (exposed for tests and the fuzzer).  Fills the
 * TCP fields of *f and returns its kind. */
uint32_t torc_capture_parse(int dlt, const uint8_t *p, uint32_t caplen,
                            uint32_t wirelen, torc_frame *f);

/* A set of opened captures keyed by resolved path: one read per capture for
 * a whole vector set.  The cache holds one reference per capture. */
typedef struct torc_capture_cache torc_capture_cache;
torc_capture_cache *torc_capture_cache_new(void);
/* Returns a new reference (caller unrefs) or NULL with err filled. */
torc_capture *torc_capture_cache_get(torc_capture_cache *cc, const char *path,
                                     char *err, size_t errlen);
/* Adds c (its path must be resolved, as the vector loader resolves it) to
 * the cache, which takes a reference: later gets of that path return it.
 * Returns 0, or -1 (memory). */
int torc_capture_cache_put(torc_capture_cache *cc, torc_capture *c);
/* The capture that a vector in folder dir named as rel, when an earlier
 * vector of the set in the same folder named it so and found it (the
 * loader resolves a spelling once: a stat up the folders and a realpath
 * for every vector cost about 8 us each; issue 15).  Returns a new
 * reference, or NULL when that spelling is not known yet. */
torc_capture *torc_capture_cache_spelled(torc_capture_cache *cc,
                                         const char *dir, const char *rel);
/* Notes that rel, named by a vector in folder dir, is capture c (which the
 * cache holds already).  Best effort: out of memory, nothing is noted. */
void torc_capture_cache_spell(torc_capture_cache *cc, const char *dir,
                              const char *rel, torc_capture *c);
void torc_capture_cache_free(torc_capture_cache *cc);

#endif /* TORC_CAPTURE_H */
