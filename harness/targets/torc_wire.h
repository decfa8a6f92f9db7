/*
 * torc_wire.h - interface for a module to speak the out-of-process target
 * protocol (docs/wire-protocol.md).
 *
 * Where it sits: torc_proxy.c (the host side, inside torc) and the
 * torc-target-runner (the target side, in the child) both build and parse
 * messages with this module and move them over one stream (a socketpair, or a
 * pipe pair) with torc_wire_chan.  A message is a 4-byte little-endian length
 * followed by that many bytes: a type byte, then the fields of the type, all
 * little-endian.  Every length and count read from the peer is checked against
 * the bytes actually present before anything is allocated or copied: a
 * malformed message is an error with a message, never a crash.
 *
 * Calls nest like a call stack: each side, while waiting for the reply (RET)
 * of a call it made, dispatches the calls the other side makes meanwhile
 * (torc_wire_call).  That is how re-entrant posts from inside a completion
 * (RCV-107) and synchronous offload completion (DEC-22) cross the process
 * boundary with the exact in-process call pattern.
 */
#ifndef TORC_WIRE_H
#define TORC_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <torc/target.h>

#define TORC_WIRE_MAGIC 0x43524F54u /* "TORC" little-endian */
/* The newest protocol this torc speaks, and the oldest it still serves
 * (HELLO offers the newest; the target answers the one it speaks).
 * Version 2 adds OP_ALLOC_POLICY and UP_ALLOCATED: the target side serves
 * allocations itself under the policy the host states in advance. */
#define TORC_WIRE_PROTO_VERSION 2u
#define TORC_WIRE_PROTO_MIN 1u
/* Largest message either side accepts (length field value). */
#define TORC_WIRE_MAX_MSG (64u * 1024u * 1024u)
/* Largest string (name, version, log line, error message). */
#define TORC_WIRE_MAX_STR 4096u
/* Deepest nesting of calls inside calls. */
#define TORC_WIRE_MAX_DEPTH 64
/* What the host writes over BufferedData once an offload completed
 * successfully (RCV-011) and over a segment's frame after the call; the
 * runner does the same to its own copies.  Same value as the engine's
 * (torc_hostsim_int.h), so a poison divergence reads the same in and out of
 * process. */
#define TORC_WIRE_POISON 0xA5u

/* Message types.  0x0_: handshake, 0x1_: operations (host -> target),
 * 0x3_: upcalls (target -> host), 0x40: the reply to any call. */
enum {
  TORC_MSG_HELLO = 0x01,
  TORC_MSG_OP_DESTROY = 0x10,
  TORC_MSG_OP_CONN_OPEN = 0x11,
  TORC_MSG_OP_CONN_CLOSE = 0x12,
  TORC_MSG_OP_INITIATE_OFFLOAD = 0x13,
  TORC_MSG_OP_RECEIVE = 0x14,
  TORC_MSG_OP_RECEIVE_RETURN = 0x15,
  TORC_MSG_OP_SEGMENT = 0x16,
  TORC_MSG_OP_ADVANCE_TIME = 0x17,
  TORC_MSG_OP_TERMINATE_OFFLOAD = 0x18,
  TORC_MSG_OP_GET_STATS = 0x19,
  TORC_MSG_OP_RESET = 0x1A,        /* fresh target instance, same process */
  TORC_MSG_OP_ALLOC_POLICY = 0x1B, /* version 2; no reply */
  TORC_MSG_UP_ALLOC = 0x30,
  TORC_MSG_UP_FREE = 0x31, /* no reply */
  TORC_MSG_UP_LOG = 0x32,  /* no reply */
  TORC_MSG_UP_OFFLOAD_COMPLETE = 0x33,
  TORC_MSG_UP_RECEIVE_COMPLETE = 0x34,
  TORC_MSG_UP_RECEIVE_INDICATE = 0x35,
  TORC_MSG_UP_EVENT = 0x36,
  TORC_MSG_UP_TERMINATE_COMPLETE = 0x37,
  TORC_MSG_UP_HOLD_CHANGED = 0x38, /* no reply */
  TORC_MSG_UP_ALLOCATED = 0x39,    /* version 2; no reply */
  TORC_MSG_RET = 0x40
};

/* OP_ALLOC_POLICY's policy (version 2): how the target side answers its
 * target's allocations from that message on. */
enum {
  TORC_ALLOC_ASK = 0,    /* UP_ALLOC, the host decides each (version 1's way,
                            and every session's until the first policy) */
  TORC_ALLOC_SERVE = 1,  /* serve each, tell the host with UP_ALLOCATED */
  TORC_ALLOC_REFUSE = 2, /* refuse each (NULL), tell it with UP_ALLOCATED */
};

/* "HELLO", "OP_RECEIVE", ... or "?" for an unknown type. */
const char *torc_wire_type_name(unsigned type);
/* 1 when a message of this type expects a RET. */
int torc_wire_type_wants_reply(unsigned type);

/* ---- Building messages --------------------------------------------------- */

/* A growable output buffer.  After an allocation failure every put is a
 * no-op and oom is set; torc_wbuf_finish then fails. */
typedef struct torc_wbuf {
  uint8_t *p;
  size_t len, cap;
  int oom;
} torc_wbuf;

/* Starts a message of this type (drops what the buffer held). */
void torc_wbuf_begin(torc_wbuf *b, unsigned type);
void torc_wbuf_u8(torc_wbuf *b, uint8_t v);
void torc_wbuf_u16(torc_wbuf *b, uint16_t v);
void torc_wbuf_u32(torc_wbuf *b, uint32_t v);
void torc_wbuf_u64(torc_wbuf *b, uint64_t v);
void torc_wbuf_bytes(torc_wbuf *b, const void *p, size_t n);
/* u32 length then the bytes; s may be NULL (empty). Cut at TORC_WIRE_MAX_STR.
 */
void torc_wbuf_str(torc_wbuf *b, const char *s);
/* A buffer-list chain: u32 nlists, per list u32 nfrags, per fragment u32 len
 * and the bytes.  The chain's memory is read (it is the sender's own). */
void torc_wbuf_chain(torc_wbuf *b, const torc_buffer_list *chain);
/* Fills in the length prefix.  Returns 0, or -1 when out of memory or the
 * message exceeds TORC_WIRE_MAX_MSG. */
int torc_wbuf_finish(torc_wbuf *b);
void torc_wbuf_free(torc_wbuf *b);

/* ---- Parsing messages ---------------------------------------------------- */

/* A read cursor over one message body (after the length prefix).  Any read
 * past the end sets err (and returns zeros); check err once at the end. */
typedef struct torc_rbuf {
  const uint8_t *p;
  size_t len, pos;
  int err;
} torc_rbuf;

void torc_rbuf_init(torc_rbuf *r, const uint8_t *p, size_t len);
uint8_t torc_rbuf_u8(torc_rbuf *r);
uint16_t torc_rbuf_u16(torc_rbuf *r);
uint32_t torc_rbuf_u32(torc_rbuf *r);
uint64_t torc_rbuf_u64(torc_rbuf *r);
/* n bytes in place (NULL and err set when fewer remain). */
const uint8_t *torc_rbuf_bytes(torc_rbuf *r, size_t n);
/* A string: copied, NUL-terminated, into out (n bytes, cut if longer);
 * err when its length exceeds TORC_WIRE_MAX_STR or the message. */
void torc_rbuf_str(torc_rbuf *r, char *out, size_t n);
size_t torc_rbuf_left(const torc_rbuf *r);

/* Memory the decoders allocate for one message; freed all at once. */
typedef struct torc_wire_arena {
  void **blocks;
  size_t n, cap;
} torc_wire_arena;
void *torc_arena_alloc(torc_wire_arena *a, size_t size);
void torc_arena_free(torc_wire_arena *a);

/* Decodes a chain written by torc_wbuf_chain.  The lists and fragment arrays
 * live in a; fragment bytes point into the message (copy_bytes = 0) or are
 * copied into a (copy_bytes = 1).  *out is NULL for an empty chain (0 lists).
 * *total gets the sum of the fragment lengths.  Returns 0 or -1 (r->err). */
int torc_wire_get_chain(torc_rbuf *r, torc_wire_arena *a, int copy_bytes,
                        const torc_buffer_list **out, uint64_t *total);

/* Offload state (OP_INITIATE_OFFLOAD body after the conn token). */
void torc_wire_put_offload_state(torc_wbuf *b, const torc_offload_state *st);
int torc_wire_get_offload_state(torc_rbuf *r, torc_wire_arena *a,
                                torc_offload_state *st);

/* A segment (OP_SEGMENT body after the conn token).  The payload travels as
 * an offset into the frame when it lies inside it, else as its own bytes. */
void torc_wire_put_segment(torc_wbuf *b, const torc_segment *seg);
int torc_wire_get_segment(torc_rbuf *r, torc_segment *seg);

/* Stats fields (RET of OP_GET_STATS after rc). */
void torc_wire_put_stats(torc_wbuf *b, const torc_target_stats *s);
void torc_wire_get_stats(torc_rbuf *r, torc_target_stats *s);

/* Checks one whole message body of any type against its layout (used by the
 * fuzz test and as a first gate by both sides).  Returns 0 when well formed,
 * else -1 with a reason in why (n bytes). */
int torc_wire_validate(const uint8_t *body, size_t len, char *why, size_t n);

/* ---- The channel --------------------------------------------------------- */

/* Dispatches one incoming call (body = type byte and fields; owned by the
 * caller, valid for the call).  Returns 0, or -1 to abort every wait. */
typedef int (*torc_wire_dispatch_fn)(void *ctx, const uint8_t *body,
                                     size_t len);

typedef struct torc_wire_chan {
  int fd_in, fd_out;
  int is_socket;    /* send() with MSG_NOSIGNAL */
  int64_t deadline; /* CLOCK_MONOTONIC ms for the current wait; <0: none */
  int depth;        /* calls being waited for */
  int failed;       /* sticky: 1 eof/error, 2 timeout, 3 protocol */
  char why[TORC_ERRBUF_SIZE];
  uint8_t *rbuf; /* read buffering */
  size_t rpos, rlen, rcap;
  torc_wbuf tx;
  torc_wbuf pend; /* one-way messages queued to go with the next send */
  torc_wire_dispatch_fn dispatch;
  void *dispatch_ctx;
} torc_wire_chan;

#define TORC_WIRE_EOF 1
#define TORC_WIRE_TIMEOUT 2
#define TORC_WIRE_PROTOCOL 3

void torc_wire_chan_init(torc_wire_chan *c, int fd_in, int fd_out,
                         torc_wire_dispatch_fn fn, void *ctx);
void torc_wire_chan_free(torc_wire_chan *c);
/* Current CLOCK_MONOTONIC time in ms (watchdog only, never judging). */
int64_t torc_wire_now_ms(void);

/* Sends c->tx (finished with torc_wbuf_finish inside).  Returns 0 or -1
 * (c->failed set). */
int torc_wire_send(torc_wire_chan *c);
/* Queues c->tx (a message with no RET) to go out, in order, with the next
 * torc_wire_send (several messages, one write); sends at once when the queue
 * passes 64 KiB.  Returns 0 or -1 (c->failed set). */
int torc_wire_post(torc_wire_chan *c);
/* Sends what torc_wire_post queued, if anything.  0 or -1. */
int torc_wire_flush(torc_wire_chan *c);
/* Receives one message: *body is malloc'd (caller frees), *len its size.
 * Returns 0 or -1 (c->failed set, reason in c->why). */
int torc_wire_recv(torc_wire_chan *c, uint8_t **body, size_t *len);
/* Sends c->tx as a call of type `type`, then waits for its RET, dispatching
 * incoming calls meanwhile.  On success *ret is the RET body (malloc'd; the
 * caller frees) positioned after the RET's call-type byte in *r.
 * Returns 0 or -1 (c->failed). */
int torc_wire_call(torc_wire_chan *c, uint8_t **ret, torc_rbuf *r);
/* Sends a RET for a call of type `type`: begin it with torc_wire_ret_begin,
 * add fields, then torc_wire_send. */
void torc_wire_ret_begin(torc_wire_chan *c, unsigned type);
/* snprintf that may cut its output (messages are bounded on purpose). */
void torc_wire_fmt(char *dst, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Marks the channel failed with a formatted reason (first reason wins). */
void torc_wire_fail(torc_wire_chan *c, int kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* torc-target-runner's exit status when the target wrote into the frame
 * lent to it for OP_SEGMENT (read-only; target.h: borrowed for the call). */
#define TORC_RUNNER_EXIT_FRAME_WRITE 96
/* ... and when it wrote into its copy of BufferedData (RCV-007, RCV-011:
 * the host's, lent only to be copied). */
#define TORC_RUNNER_EXIT_BUFFERED_WRITE 95

#endif /* TORC_WIRE_H */
