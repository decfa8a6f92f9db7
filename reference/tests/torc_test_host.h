/*
 * torc_test_host.h - Interface for a module to play a recording host stack
 * against an offload target in Check unit tests.
 *
 * The test host drives a target ONLY through harness/include/torc/target.h
 * (so the same tests could drive any target; today th_new() binds the
 * reference target).  It owns everything a host owns: the BufferedData it
 * hands over at offload, the posted request buffers, the frames of segments,
 * the answers to indications and the virtual clock.  Every upcall of the
 * target is recorded as an event, in call order; the bytes the target
 * delivered (placed into completed requests, consumed in indications) are
 * concatenated in call order so a test can compare them with the stream.
 *
 * The stream.  Tests do not carry data: the byte at stream offset off is
 * th_stream_byte(off).  Offset 0 is the first byte of the BufferedData given
 * at offload; sequence numbers are relative: th_seq(h, off) = isn + off
 * (mod 2^32), with isn settable (th_set_isn) to test the 2^32 wrap.
 *
 * Shape after lwIP's test/unit/tcp/tcp_helper.h (STYLE R14-R16): helpers build
 * segments relative to the connection, callbacks land in a recording struct,
 * and allocation failures are injected through the alloc hook
 * (TH_FAILMALLOC_RUN).
 *
 * Violations of the host-visible rules (RCV-046 serialization, RCV-061 FIFO
 * completion, RCV-091 PENDING, RCV-122 handle, RCV-125 indicate status,
 * canaries, bytes beyond the request, a byte delivered twice, callbacks
 * before the offload completed ...) are NOT ck_asserted inside the callback
 * (that would unwind through the target); they are counted and the first
 * one is described in a message.  th_check_invariants() asserts there were
 * none; th_free() calls it.
 *
 * Ownership: every pointer returned by an accessor is owned by the host and
 * valid until th_free() (events, completions) or until the next call that
 * says it changes it (th_trace()).  Nothing here uses global mutable state.
 */
#ifndef TORC_TEST_HOST_H
#define TORC_TEST_HOST_H

#include <stddef.h>
#include <stdint.h>

#include "torc/target.h"

typedef struct torc_test_host torc_test_host;

/* ---- Life cycle ---------------------------------------------------------- */

/* Creates a host, initializes the reference target with the host's own
 * torc_host_ops (alloc hook, recorders) and opens one connection (host_handle
 * TH_HOST_HANDLE).  Nothing is offloaded yet.  ck_aborts if the target cannot
 * be initialized or the connection opened.  Defaults: isn 0x1000,
 * rcv_wnd 65535, ticks_per_second 1000, push_ticks 0 (= 500 ms),
 * rcv_indication_size 0, every indication answered SUCCESS, no auto-return.
 * Ownership of the returned host transfers to the caller (th_free()). */
torc_test_host *th_new(void);

/* Closes the connection (conn_close, in whatever state it is), destroys the
 * target, runs th_check_invariants() and ck_asserts that no allocation made
 * through the alloc hook is outstanding (STYLE R14).  Frees everything the
 * host owns.  h may be NULL. */
void th_free(torc_test_host *h);

/* The host_handle given to conn_open (RCV-122 checks it is passed back). */
#define TH_HOST_HANDLE 0x7C0FFEE5u

/* The target's table (name, capabilities...).  Borrowed; valid until
 * th_free(). */
const torc_target *th_target(const torc_test_host *h);
/* The connection conn_open returned (for torc_reference_explain and the
 * private counters).  Borrowed; valid until th_free(). */
void *th_conn(const torc_test_host *h);

/* ---- The stream ----------------------------------------------------------
 * th_stream_byte is a fixed function of off (a hash, not periodic in any
 * small period), so misplaced or duplicated bytes show up. */
uint8_t th_stream_byte(uint64_t off);
/* Copies stream bytes [off, off + len) to dst. */
void th_stream_fill(uint8_t *dst, uint64_t off, size_t len);
/* isn + off, modulo 2^32.  isn is the sequence number of stream offset 0. */
uint32_t th_seq(const torc_test_host *h, uint64_t off);

/* ---- Offload parameters (set before th_offload) ------------------------- */
void th_set_isn(torc_test_host *h, uint32_t isn); /* e.g. 0xFFFFFF00 */
void th_set_rcv_wnd(torc_test_host *h, uint32_t rcv_wnd);
/* InitialRcvWnd at offload (default: the RcvWnd; 0 = not given, so the
 * window is RcvWnd + buffered length as DEC-15 says, not DEC-23). */
void th_set_initial_rcv_wnd(torc_test_host *h, uint32_t initial_rcv_wnd);
void th_set_push_ticks(torc_test_host *h, uint32_t push_ticks);
void th_set_ticks_per_second(torc_test_host *h, uint32_t tps);
void th_set_rcv_indication_size(torc_test_host *h, uint32_t size);

/* ---- Offload --------------------------------------------------------------
 * Offloads the connection with BufferedData = stream bytes [0, total) where
 * total is the sum of frag_len[0..nfrags).  The fragments are grouped into a
 * chain of torc_buffer_list, frags_per_list fragments per list (the last list
 * may hold fewer); frags_per_list 0 means all in one list.  Every fragment's
 * bytes are a separate host allocation (zero-length fragments allowed, with a
 * non-NULL data pointer).  rcv_nxt = th_seq(total).  nfrags 0 gives
 * buffered_data = NULL.
 * When the target completes the offload (inside the call or later) the host
 * records an OFFLOAD_DONE event, then memsets 0xA5 over every list, fragment
 * array and fragment byte, and frees them (RCV-011): a target that kept
 * pointers reads poison (or trips ASan/valgrind).
 * Returns the completion status, or TH_NO_STATUS if the target has not
 * completed the offload by the time initiate_offload returned. */
#define TH_NO_STATUS 0xFFFFFFFFu
uint32_t th_offload_frags(torc_test_host *h, const uint32_t *frag_len,
                          uint32_t nfrags, uint32_t frags_per_list);
/* Same with one list of one fragment of buffered_len bytes (buffered_len 0:
 * buffered_data NULL). */
uint32_t th_offload(torc_test_host *h, uint32_t buffered_len);
/* The recorded offload status (TH_NO_STATUS while not completed). */
uint32_t th_offload_status(const torc_test_host *h);

/* ---- Posting receive requests --------------------------------------------
 * Each request gets a host-owned buffer of size bytes followed by
 * TH_CANARY_LEN canary bytes; bytes [0, prefilled) hold a host pattern that
 * must be unchanged at completion (DEC-12), and the canary must be intact.
 * Ids are 1, 2, 3, ... in posting order.  The receive() return value must be
 * PENDING (RCV-091).  Returns the request id. */
#define TH_CANARY_LEN 16u
uint64_t th_post(torc_test_host *h, uint32_t size, int push);
uint64_t th_post_prefilled(torc_test_host *h, uint32_t size, uint32_t prefilled,
                           int push);
/* Posts n requests in ONE receive() call (sizes[i], all with push).
 * Returns the id of the first; the others follow consecutively. */
uint64_t th_post_batch(torc_test_host *h, const uint32_t *sizes, uint32_t n,
                       int push);
/* Queues a post the host will make from INSIDE the next receive_complete
 * (th_post_in_next_completion) or receive_indicate (..._indication) callback,
 * after recording it (RCV-107).  Several queued posts are made in one
 * receive() call.  Returns the id the request will get. */
uint64_t th_post_in_next_completion(torc_test_host *h, uint32_t size, int push);
uint64_t th_post_in_next_indication(torc_test_host *h, uint32_t size, int push);

/* Queues a segment (as th_segment: stream bytes [off, off + len), flags) the
 * host will send from INSIDE the next receive_complete
 * (th_segment_in_next_completion) or receive_indicate (..._indication)
 * callback, after recording it and after any queued posts (RCV-068,
 * RCV-069: the target must queue it and process it once the call returned).
 * Several queued segments are sent in queuing order. */
void th_segment_in_next_completion(torc_test_host *h, uint64_t off,
                                   uint32_t len, uint8_t flags);
void th_segment_in_next_indication(torc_test_host *h, uint64_t off,
                                   uint32_t len, uint8_t flags);

/* What the host knows about one request.  Valid until th_free(). */
typedef struct th_req {
  uint64_t id;
  uint32_t size, prefilled;
  int push;
  int completed;       /* number of times completed (must end 0 or 1) */
  uint32_t status;     /* completion status (when completed) */
  uint32_t bytes;      /* bytes placed by the target (when completed) */
  uint64_t stream_off; /* delivered length before this request's bytes */
  int event;           /* index of the COMPLETE event, or -1 */
  int reentrant;       /* posted from inside a callback */
} th_req;
/* NULL when id is unknown. */
const th_req *th_req_get(const torc_test_host *h, uint64_t id);

/* ---- The wire ------------------------------------------------------------
 * Sends a segment carrying stream bytes [off, off + len) with
 * seq = th_seq(h, off); flags are TORC_TCP_* (ACK is added).  The frame is a
 * real IPv4/TCP datagram (link type 101, raw IP) built on the heap and
 * poisoned and freed after the call. */
void th_segment(torc_test_host *h, uint64_t off, uint32_t len, uint8_t flags);
/* A segment with an absolute seq and arbitrary payload (borrowed for the
 * call).  Marks the run as "not pure stream": th_check_invariants() then no
 * longer compares delivered bytes with the stream. */
void th_segment_raw(torc_test_host *h, uint32_t seq, const uint8_t *payload,
                    uint32_t len, uint8_t flags);

/* ---- Time and terminate ---------------------------------------------------
 * Advances the virtual clock by us microseconds and calls advance_time. */
void th_advance(torc_test_host *h, uint64_t us);
uint64_t th_now(const torc_test_host *h);
/* Calls terminate_offload.  When terminate_offload_complete arrives the host
 * records a TERMINATE_DONE event, copies the handed-back bytes (see
 * th_handback), and, once terminate_offload returned, checks them unchanged
 * and returns buffered_id through receive_return (RCV-212). */
void th_terminate(torc_test_host *h);
/* The host calls terminate_offload from inside the next receive_indicate
 * callback, before answering it (RCV-231: the target must not complete the
 * terminate while that indication is outstanding). */
void th_terminate_in_next_indication(torc_test_host *h);

/* ---- Answers to indications -----------------------------------------------
 * Queues the answer to the next indication (FIFO): status is
 * TORC_STATUS_SUCCESS, OFFLOAD_DATA_NOT_ACCEPTED, NOT_ACCEPTED,
 * OFFLOAD_DATA_PARTIALLY_ACCEPTED (or anything, for robustness); consumed is
 * written to *bytes_consumed (for SUCCESS the host writes the indicated
 * length whatever consumed says; for NOT_ACCEPTED variants 0).  When the
 * queue is empty the default answer is used. */
void th_answer(torc_test_host *h, uint32_t status, uint32_t consumed);
/* The answer used when the queue is empty (initially SUCCESS). */
void th_set_default_answer(torc_test_host *h, uint32_t status,
                           uint32_t consumed);
/* Returns every accepted (SUCCESS) indication not yet returned through
 * receive_return, in one call, after checking that the indicated bytes are
 * unchanged since the indication (RCV-133).  Returns how many. */
uint32_t th_return_indications(torc_test_host *h);
/* Accepted indications not yet returned. */
uint32_t th_outstanding_indications(const torc_test_host *h);
/* When on, the host returns accepted indications at the end of every th_*
 * call that drives the target. */
void th_set_auto_return(torc_test_host *h, int on);

/* ---- Recording ------------------------------------------------------------
 */
typedef enum th_event_type {
  TH_EV_OFFLOAD_DONE = 1,
  TH_EV_COMPLETE,
  TH_EV_INDICATE,
  TH_EV_EVENT,
  TH_EV_TERMINATE_DONE
} th_event_type;

typedef struct th_event {
  th_event_type type;
  uint32_t status;  /* OFFLOAD_DONE / TERMINATE_DONE status; INDICATE: the
                       status the target passed (must be SUCCESS) */
  uint64_t time_us; /* virtual time of the call */
  /* COMPLETE */
  uint32_t count;
  const torc_completion *c; /* count entries, host copy */
  /* INDICATE */
  uint64_t indication_id;
  uint32_t length; /* total indicated bytes */
  uint32_t nfrags;
  uint32_t answer;     /* status the host returned */
  uint32_t consumed;   /* bytes the host counts as delivered */
  uint64_t stream_off; /* INDICATE: delivered length before it */
  /* EVENT */
  uint32_t event, info;
  /* TERMINATE_DONE */
  uint32_t rcv_nxt, rcv_wnd, handback_len;
} th_event;

int th_nevents(const torc_test_host *h);
/* Event i (0-based, call order); ck_asserts i is in range. */
const th_event *th_event_get(const torc_test_host *h, int i);
/* Number of events of a type. */
int th_count(const torc_test_host *h, th_event_type type);

/* A compact text of events [from, nevents), space separated, for
 * ck_assert_str_eq against a sequence worked out by hand:
 *   O          offload completed SUCCESS      O!  offload failed
 *   C[60,40]   one receive_complete, per request its bytes; a non-SUCCESS
 *              status adds a letter: a REQUEST_ABORTED, u UPLOAD_IN_PROGRESS,
 *              i INVALID_STATE, ? other (e.g. C[0u])
 *   I40        indication of 40 bytes answered SUCCESS; I40n refused
 *              (either NOT_ACCEPTED); I40p10 partially accepted, 10 consumed
 *   Ed Ea Er5  disconnect, abort, retrieve with reason 5; E<n>/<i> other
 *   T12        terminate completed SUCCESS, 12 bytes handed back; T! failed
 * The returned string is owned by h, valid until the next th_trace call. */
const char *th_trace(torc_test_host *h);
const char *th_trace_from(torc_test_host *h, int from);

/* Delivered bytes, concatenated in call order (each completed request's
 * placed bytes, each indication's consumed bytes).  Owned by h; valid until
 * the next call that drives the target. */
const uint8_t *th_delivered(const torc_test_host *h);
uint64_t th_delivered_len(const torc_test_host *h);
/* ck_asserts th_delivered_len(h) >= from + len and delivered bytes
 * [from, from + len) == stream bytes [from, from + len), naming the first
 * mismatching offset. */
void th_assert_delivered_stream(const torc_test_host *h, uint64_t from,
                                uint64_t len);
/* Bytes handed back at terminate (upload BufferedData, in list order). */
const uint8_t *th_handback(const torc_test_host *h);
uint32_t th_handback_len(const torc_test_host *h);

/* ck_asserts that no violation was recorded (the first one is named) and,
 * while every segment came from th_segment, that the delivered bytes are the
 * stream's prefix (no byte lost, duplicated or reordered) and no more than
 * the host ever offered.  Violations recorded:
 *  - a callback entered while another is in progress (RCV-046), including
 *    from a re-entrant post;
 *  - host_handle not TH_HOST_HANDLE (RCV-122);
 *  - indicate status not SUCCESS (RCV-125); zero-length indication;
 *  - receive() returned other than PENDING (RCV-091);
 *  - completion of an unknown id, of a request twice, or out of posting
 *    order (RCV-061); bytes > size - prefilled; canary or prefilled bytes
 *    changed; count 0;
 *  - an accepted indication's bytes changed before receive_return (RCV-133);
 *  - an upcall before the offload completed, a second offload completion,
 *    any upcall after a failed offload or after terminate completed.
 */
void th_check_invariants(const torc_test_host *h);
/* Number of violations so far and the first one's text ("" if none). */
int th_violations(const torc_test_host *h);
const char *th_first_violation(const torc_test_host *h);
/* Forgets the violations recorded so far, for a test that provoked one on
 * purpose and has checked it. */
void th_clear_violations(torc_test_host *h);

/* ---- Allocation faults (STYLE R16) ----------------------------------------
 */
/* Fails the n-th allocation made through the hook from now (1-based); 0
 * cancels. */
void th_fail_alloc_at(torc_test_host *h, uint64_t n);
/* Allocations made through the hook since th_new (failed ones included). */
uint64_t th_alloc_count(const torc_test_host *h);
/* Blocks currently allocated through the hook. */
uint64_t th_alloc_outstanding(const torc_test_host *h);
/* 1 once an injected failure has happened. */
int th_alloc_failed(const torc_test_host *h);
/* Index of the first TcpIndicateRetrieve event recorded, or -1. */
int th_retrieve_index(const torc_test_host *h);
/* 1 once the target asked for an upload (TcpIndicateRetrieve). */
int th_upload_requested(const torc_test_host *h);

/* A scenario for TH_FAILMALLOC_RUN: drives a fresh host (from th_new) and
 * asserts only what holds whether or not an allocation failed (branch on
 * th_alloc_failed / th_offload_status). */
typedef void (*th_scenario_fn)(torc_test_host *h);
/* Runs fn once on a fresh host to count the allocations it makes (N), then N
 * more times, run i failing the i-th allocation; every run ends with th_free
 * (invariants + no leak).  Returns N. */
uint64_t th_failmalloc_run(th_scenario_fn fn, const char *name);
#define TH_FAILMALLOC_RUN(fn) th_failmalloc_run((fn), #fn)

/* Optional target counters; returns -1 when the target has no get_stats. */
int th_stats(torc_test_host *h, torc_target_stats *out);

#endif /* TORC_TEST_HOST_H */
