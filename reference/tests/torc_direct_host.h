/*
 * torc_direct_host.h - Interface for a module to play a small host that
 * drives the reference target's torc/target.h table directly, in the few
 * Check tests the recording test host (torc_test_host.h) cannot express:
 * advance_time() from inside receive_complete (DEC-17, test_push.c), acting
 * between the terminate completion and the return of the handed-back data
 * (RCV-212, test_terminate.c), and two connections on one target whose
 * offload state the test keeps (RCV-250, RCV-168,
 * test_contract_connections.c).
 *
 * The host opens one or two connections with the handles the test gives and
 * records every upcall:
 *  - in an event log string, in the notation of th_trace() with two
 *    simplifications (a non-SUCCESS completion always adds '?', T carries
 *    no length), each entry prefixed "a:" or "b:" when there are two
 *    connections and "?:" for an unknown handle;
 *  - in counters (completions with their records, indications, events,
 *    upcalls after a terminate completed) and per connection (offload and
 *    terminate completions, the handed-back chain and a copy of its bytes).
 * Allocations made through the alloc hook are counted; every block carries
 * its size and is poisoned (0xA5) when freed, so data freed too early shows.
 * Segments carry stream bytes: the byte of stream offset off on connection
 * i is byte(c[i].stream_base + off) (byte NULL: (uint8_t)off) at sequence
 * number c[i].isn + off.  Indications are refused (OFFLOAD_DATA_NOT_ACCEPTED)
 * unless the test sets on_indicate; on_complete sees every completion.
 * Violations (a nested upcall, RCV-046; an unknown handle, RCV-122/RCV-250;
 * whatever a hook reports) are counted and the first one is described,
 * never ck_asserted inside a callback; dh_close() asserts there were none.
 *
 * Ownership: the test owns the torc_direct_host (usually on its stack) and
 * everything it posts; the host owns the target between dh_init() and
 * dh_close().  c[i].hb is the target's until returned through receive_return.
 * Nothing here uses global mutable state.
 */
#ifndef TORC_DIRECT_HOST_H
#define TORC_DIRECT_HOST_H

#include <stddef.h>
#include <stdint.h>

#include "torc/target.h"

#define DH_MAXCONN 2
#define DH_MAXCOMPL 16
#define DH_HB_MAX 2048

typedef struct torc_direct_host torc_direct_host;

/* What the host knows about one connection. */
typedef struct dh_conn {
  uint64_t handle; /* host_handle given to conn_open */
  void *conn;      /* the target's connection */
  uint32_t isn;    /* sequence number of stream offset 0 */
  uint64_t stream_base;
  int offload_done, term_done; /* number of completions */
  uint32_t offload_status, term_status;
  uint32_t term_rcv_nxt;      /* RcvNxt of the upload state */
  const torc_buffer_list *hb; /* handed back at terminate (target-owned) */
  uint64_t hb_id;
  uint8_t hb_copy[DH_HB_MAX]; /* hb's bytes as the terminate completed */
  uint32_t hb_len;            /* their total (may exceed DH_HB_MAX) */
} dh_conn;

/* Optional hooks, called after the host recorded the upcall (c known). */
typedef void (*dh_complete_fn)(torc_direct_host *d, dh_conn *c,
                               const torc_completion *cc, uint32_t count);
/* Returns the answer and sets *consumed; len is the indicated total. */
typedef uint32_t (*dh_indicate_fn)(torc_direct_host *d, dh_conn *c, uint64_t id,
                                   uint32_t status, const torc_fragment *f,
                                   uint32_t nf, uint32_t len,
                                   uint32_t *consumed);

struct torc_direct_host {
  torc_target t;
  torc_host_ops ops;
  dh_conn c[DH_MAXCONN];
  int nconn;
  uint64_t now; /* virtual time last given to advance_time */
  /* If not 0: inside the next receive_complete the host sets now to this
   * and calls advance_time (DEC-17: the target must defer the expiry). */
  uint64_t advance_in_next_completion;
  uint8_t (*byte)(uint64_t off);
  dh_complete_fn on_complete;
  dh_indicate_fn on_indicate;
  void *user; /* for the hooks */
  long live;  /* blocks allocated through the hook, not yet freed */
  int depth, nested, nviol;
  uint32_t ncompl, nind, nevent, upcalls_after_term;
  torc_completion compl [DH_MAXCOMPL]; /* the first DH_MAXCOMPL records */
  char viol[256];
  char log[4096];
  size_t loglen;
};

/* Initializes the reference target with the host's ops and opens nconn
 * (1 or 2) connections, handles[i] for connection i; isn 0, stream_base 0.
 * ck_aborts on failure. */
void dh_init(torc_direct_host *d, int nconn, const uint64_t *handles);
/* The default offload state of connection i: rcv_nxt, RcvWnd and
 * InitialRcvWnd 65535, 1000 ticks a second, MSS 1460, established IPv4
 * 10.0.0.(2+i):(40000+i) -> 10.0.0.1:80, SndUna = SndNxt 0x2000, no
 * BufferedData. */
void dh_state(torc_offload_state *st, int i, uint32_t rcv_nxt);
/* initiate_offload on connection i; ck_asserts it completed SUCCESS. */
void dh_offload(torc_direct_host *d, int i, const torc_offload_state *st);
/* Stream bytes [off, off + len) of connection i as a raw IPv4/TCP frame
 * (ACK added to flags), poisoned and freed after the call. */
void dh_segment(torc_direct_host *d, int i, uint64_t off, uint32_t len,
                uint8_t flags);
/* Sets the clock to now_us and calls advance_time. */
void dh_advance_to(torc_direct_host *d, uint64_t now_us);
/* Copies a chain's bytes to out (at most cap); returns the total. */
uint32_t dh_walk(const torc_buffer_list *l, uint8_t *out, uint32_t cap);
/* 0 or 1: the index of c in d->c. */
int dh_index(const torc_direct_host *d, const dh_conn *c);
/* Appends printf-style text to the log (for hooks). */
__attribute__((format(printf, 2, 3))) void dh_log(torc_direct_host *d,
                                                  const char *fmt, ...);
/* Counts a violation; the first one's text is kept. */
__attribute__((format(printf, 2, 3))) void dh_violation(torc_direct_host *d,
                                                        const char *fmt, ...);
/* Closes every connection, destroys the target and ck_asserts: no
 * violation, no upcall in progress, no block outstanding. */
void dh_close(torc_direct_host *d);

#endif /* TORC_DIRECT_HOST_H */
