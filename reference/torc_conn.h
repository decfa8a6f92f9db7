/*
 * torc_conn.h - Interface for a module to hold one offloaded connection's
 * receive state: sequence and window (DEC-15), the queues, the push timer
 * deadline, the serialisation flags of the delivery algorithm, and counters.
 *
 * Also the reference instance (torc_ref) that owns the list of connections,
 * the host's callbacks and the virtual clock; there is no global state.
 */
#ifndef TORC_CONN_H
#define TORC_CONN_H

#include <stdint.h>

#include "torc/target.h"
#include "torc_rcvbuf.h"
#include "torc_reasm.h"
#include "torc_reference.h"

/* Life of a connection. */
enum torc_conn_state {
  TORC_CONN_IDLE = 0,   /* opened, not yet offloaded */
  TORC_CONN_OFFLOADED,  /* initiate_offload completed with SUCCESS */
  TORC_CONN_FAILED,     /* initiate_offload completed with FAILURE (DEC-05) */
  TORC_CONN_ABORTED,    /* acceptable RST processed (DEC-04) */
  TORC_CONN_TERMINATED, /* terminate_offload completed (RCV-215) */
};

/* Counters (R9: every drop is named): the ABI's and the reference's own. */
typedef struct torc_conn_counters {
  torc_target_stats pub;        /* struct_size unused */
  torc_reference_counters priv; /* see torc_reference.h */
} torc_conn_counters;

/* An accepted indication (or the upload hand-back) whose chunks the host
 * holds until receive_return(id) (RCV-133, RCV-212). */
typedef struct torc_lent {
  struct torc_lent *next;
  uint64_t id;
  uint32_t nchunks;
  torc_chunk *chunks[]; /* one reference each */
} torc_lent;

typedef struct torc_ref torc_ref;

/* The notes behind the next host call (torc_why.h). */
#define TORC_WHY_MAX 128
typedef struct torc_why_notes {
  const char *tag[TORC_WHY_MAX]; /* static strings */
  uint32_t n;
} torc_why_notes;

typedef struct torc_conn {
  struct torc_conn *next; /* in torc_ref's list */
  torc_ref *ref;          /* the instance (host ops, clock) */
  uint64_t handle;        /* host_handle for every upcall (RCV-122) */
  enum torc_conn_state state;

  /* Sequence space and window (DEC-15). */
  uint32_t rcv_nxt;
  uint32_t right_edge;   /* rcv_nxt + rcv_wnd; never moves left */
  uint64_t window_total; /* W: RcvWnd at offload + BufferedData length
                            (DEC-15), or InitialRcvWnd (DEC-23) */

  /* Parameters from the offload state. */
  uint64_t push_interval_us; /* TcpPushTicks / TicksPerSecond (DEC-10) */
  uint32_t indication_size;  /* RcvIndicationSize, 0 = all (DEC-21) */

  /* Data. */
  torc_held held;     /* in-sequence, undelivered (owned) */
  torc_held pending;  /* in-sequence, arrived during a callback, not yet
                         through flowchart 1 entry 2 (D3 = Yes) (owned) */
  torc_reasm ooo;     /* out-of-order queue (owned) */
  torc_reqq reqs;     /* posted requests, FIFO (RCV-093) (owned) */
  torc_lent *lent;    /* indications and hand-back the host holds (owned) */
  uint64_t next_id;   /* next indication / buffered id */
  uint64_t upload_id; /* buffered_id of the hand-back in held, 0 if none */

  /* Requests that could not be queued for lack of memory, completed with
   * REQUEST_ABORTED as soon as no callback is in flight. */
  torc_completion rejected[32];
  uint32_t nrejected;

  /* Push timer (flowchart 3), in microseconds of the virtual clock. */
  int timer_running;
  uint64_t timer_deadline;

  /* Serialisation of the delivery algorithm (D1/D3/D14, RCV-046). */
  int in_progress;       /* a completion, indication or event is in flight */
  int reqs_new;          /* requests posted since entry 1 last ran */
  int pending_fin;       /* in-sequence FIN not yet through entry 2 */
  int pending_abort;     /* acceptable RST not yet processed (DEC-04) */
  int pending_terminate; /* terminate_offload called during a callback */
  int pending_retrieve;  /* a mandatory upload reason seen, retrieve not
                            yet indicated (DEC-24) */
  int busy;              /* operations of this conn on the call stack */
  int close_pending;     /* conn_close called while busy */

  /* FIN (DEC-18) and urgent data (DEC-08). */
  int fin_known;          /* a FIN was seen in window at fin_seq */
  uint32_t fin_seq;       /* sequence number the FIN occupies */
  int fin_rcvd;           /* rcv_nxt has passed the FIN */
  int fin_indicated;      /* TcpIndicateDisconnect made */
  uint32_t pre_disc_reqs; /* requests posted before the disconnect and
                             still pending (completed at the terminate,
                             DEC-18); those behind them were posted after */
  int urgent;             /* urgent segment seen: stop taking data */

  /* Mandatory upload requests (DEC-24, DEC-25, RCV-242). */
  int upload_wanted;        /* a mandatory reason was seen: no segment is
                               processed any more */
  uint32_t retrieve_reason; /* TORC_UPLOAD_* of the pending retrieve */
  int retrieve_made;        /* TcpIndicateRetrieve made: nothing more is
                               delivered; later posts get
                               UPLOAD_IN_PROGRESS (RCV-236) */
  int old_reqs_pending;     /* requests posted before the retrieve were
                               pending when it was made (they wait for
                               the terminate, DEC-06) */

  uint32_t readings; /* TORC_READING_*: another defensible reading */

  torc_conn_counters ctr;

  /* Explanations (torc_why.h): NULL unless torc_reference_explain() set a
   * hook. */
  torc_reference_explain_fn explain;
  void *explain_ctx;
  torc_why_notes why;
  /* Why the push timer runs (TORC_WHY_TIMER): noted again when it expires,
   * which may be many operations later. */
  const char *const *timer_why;
  uint32_t ntimer_why;
  /* Where the BufferedData of the offload ends (has_buffered: there was
   * some), to say when held data is BufferedData (RCV-037). */
  int has_buffered;
  uint32_t buffered_end;
  /* The right edge of the window cut the stream (a segment trimmed or
   * refused beyond it) and the bytes before the cut are not all delivered:
   * each delivery until they are notes RCV-167, which bounded it. */
  int window_cut;
} torc_conn;

/* The reference instance (torc_target.user_data). */
struct torc_ref {
  const torc_host_ops *host;
  void *host_ctx;
  torc_mem mem;
  uint64_t now_us;  /* last advance_time() */
  torc_conn *conns; /* open connections (linked through next) */
};

/* Window bookkeeping (DEC-15): called after held data shrinks or grows. */
void torcint_conn_update_window(torc_conn *c);
/* Bytes the window still admits beyond rcv_nxt. */
uint32_t torcint_conn_rcv_wnd(const torc_conn *c);

/* Push timer (flowchart 3).  start: deadline = now + interval. */
void torcint_conn_timer_start(torc_conn *c);
void torcint_conn_timer_stop(torc_conn *c);

/* A mandatory reason to ask the host for an upload (DEC-24): reason is
 * TORC_UPLOAD_RECEIVED_URGENT_DATA (DEC-08) or TORC_UPLOAD_UPLOAD_REQUESTED
 * after an allocation failure (DEC-25, RCV-237).  From now on no segment is
 * processed; the pump makes the TcpIndicateRetrieve once no callback is in
 * flight.  Does nothing unless the connection is offloaded, and asks for no
 * upload once the peer's FIN was taken (half-closed, RCV-243). */
void torcint_conn_want_upload(torc_conn *c, uint32_t reason);

/* Releases every queue, lent chunk and counter of the connection's data
 * (not the connection itself). */
void torcint_conn_release(torc_conn *c);

/* Finds and releases the lent record with this id.  Returns 0, or -1 when
 * there is none. */
int torcint_conn_return(torc_conn *c, uint64_t id);

#endif /* TORC_CONN_H */
