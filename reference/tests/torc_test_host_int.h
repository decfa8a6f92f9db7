/*
 * torc_test_host_int.h - what the parts of the recording test host share:
 * the host struct (struct torc_test_host), its records and limits, and the
 * functions one part calls in another.
 *
 * Internal to reference/tests/torc_test_host*.c; the tests see only
 * torc_test_host.h.  torc_test_host.c creates the host and installs the
 * callbacks declared here in its torc_host_ops; each callback lives in the
 * file of what it concerns (see torc_test_host.c for the list).
 */
#ifndef TORC_TEST_HOST_INT_H
#define TORC_TEST_HOST_INT_H

#include <stddef.h>
#include <stdint.h>

#include "torc_test_host.h"

#define TH_MAX_EVENTS 4096
#define TH_MAX_COMPLETIONS 8192
#define TH_MAX_REQS 4096
#define TH_MAX_PENDING_POSTS 64
#define TH_MAX_ANSWERS 256
#define TH_MAX_INDICATIONS 1024
#define TH_MAX_WALK_BYTES (64u << 20) /* bound on a chain handed back */
#define TH_MAX_WALK_FRAGS (1u << 20)
#define TH_POISON 0xA5
#define TH_CANARY 0xCC
#define TH_FRESH 0xEE /* unwritten part of a request buffer */
#define TH_ALLOC_MAGIC 0x7468616Cu

/* Local addresses of the simulated connection (RFC 5737 would be nicer but
 * any fixed pair works for a sans-I/O target). */
#define TH_LOCAL_PORT 80u
#define TH_REMOTE_PORT 40000u
#define TH_SND_NXT 0x2000u

/* One request as the host keeps it. */
typedef struct th_reqrec {
  th_req pub;
  uint8_t *buf; /* (owned) size + TH_CANARY_LEN bytes; NULL once completed */
  int posted;   /* receive() was called with it */
} th_reqrec;

/* One accepted (SUCCESS) indication the host still holds (RCV-133). */
typedef struct th_held_ind {
  uint64_t id;
  const torc_fragment *frags; /* (owned) copy of the descriptors */
  uint32_t nfrags;
  uint8_t *copy; /* (owned) the bytes as indicated */
  uint32_t len;
} th_held_ind;

/* A segment the host sends from inside a callback (RCV-068). */
typedef struct th_seg_rec {
  uint64_t off;
  uint32_t len;
  uint8_t flags;
} th_seg_rec;

typedef struct th_answer_rec {
  uint32_t status, consumed;
} th_answer_rec;

/* Block header of the alloc hook, so a bad or double free is caught. */
typedef struct th_blk {
  uint32_t magic;
  uint32_t pad;
  size_t size;
} th_blk;

struct torc_test_host {
  torc_target t;
  torc_host_ops ops;
  void *conn;
  int target_ok, conn_ok;

  /* alloc hook */
  uint64_t nalloc, fail_at, live;
  int alloc_failed;

  /* offload parameters and state */
  uint32_t isn, rcv_wnd, push_ticks, tps, ind_size;
  uint32_t initial_rcv_wnd; /* used when initial_rcv_wnd_set */
  int initial_rcv_wnd_set;
  torc_offload_state st;
  torc_buffer_list *lists; /* (owned) until the offload completes */
  uint32_t nlists;
  torc_fragment *frags; /* (owned) */
  uint32_t nfrags;
  int offload_started, offload_done;
  uint32_t offload_status;
  int terminate_done;

  uint64_t now;

  /* requests: reqs[id - 1]; order[] is posting order */
  th_reqrec *reqs;
  uint32_t nreqs;
  uint32_t *order;
  uint32_t norder, fifo; /* order[fifo] is the oldest uncompleted */
  uint32_t in_compl[TH_MAX_PENDING_POSTS], nin_compl;
  uint32_t in_ind[TH_MAX_PENDING_POSTS], nin_ind;
  th_seg_rec seg_compl[TH_MAX_PENDING_POSTS], seg_ind[TH_MAX_PENDING_POSTS];
  uint32_t nseg_compl, nseg_ind;
  int terminate_in_ind; /* th_terminate_in_next_indication() */

  /* answers */
  th_answer_rec answers[TH_MAX_ANSWERS];
  uint32_t ans_head, ans_tail;
  th_answer_rec dflt;
  th_held_ind held[TH_MAX_INDICATIONS];
  uint32_t nheld;
  int auto_return;

  /* recording */
  th_event *ev;
  int nev;
  torc_completion *comp;
  uint32_t ncomp;
  uint8_t *dlv;
  uint64_t dlv_len, dlv_cap;
  uint64_t stream_end; /* bytes of the stream ever offered */
  uint64_t fin_at;     /* stream offset of the first FIN sent, or UINT64_MAX */
  int pure;            /* every segment came from th_segment */
  uint8_t *handback;
  uint32_t handback_len;
  const torc_buffer_list *hb_list; /* target-owned, until returned */
  uint64_t hb_id;
  int hb_pending;
  uint32_t term_rcv_nxt;

  int depth; /* complete/indicate callbacks in progress (RCV-046) */
  int nviol;
  char viol[512];
  const char *label; /* prefix of assertion messages (failmalloc runs) */
  char *trace;
  size_t trace_cap, trace_len;
};

/* ---- shared helpers (torc_test_host.c, torc_test_host_record.c) --------- */

/* calloc that ck_asserts success; n or size 0 allocate one byte. */
void *th_xcalloc(size_t n, size_t size);
/* Records a host-rule violation; the first one's text is kept. */
__attribute__((format(printf, 2, 3))) void th_violation(torc_test_host *h,
                                                        const char *fmt, ...);
/* Appends n bytes to the delivered stream. */
void th_dlv_append(torc_test_host *h, const uint8_t *p, uint64_t n);
/* A new zeroed event of type at the current virtual time, or NULL (and a
 * violation) when the recording is full. */
th_event *th_new_event(torc_test_host *h, th_event_type type);
/* Common checks of an upcall that concerns the connection. */
void th_check_upcall(torc_test_host *h, uint64_t handle, const char *what);
/* End of every driving call: returns what the host gives back by itself. */
void th_after(torc_test_host *h);

/* ---- the callbacks installed by th_new (torc_host_ops) ------------------ */

void *th_cb_alloc(void *ctx, size_t size); /* torc_test_host_alloc.c */
void th_cb_free(void *ctx, void *ptr);     /* torc_test_host_alloc.c */
void th_cb_log(void *ctx, int level, const char *msg); /* ..._alloc.c */
/* torc_test_host_offload.c */
void th_cb_offload_complete(void *ctx, uint64_t handle, uint32_t status);
/* torc_test_host_requests.c */
void th_cb_receive_complete(void *ctx, uint64_t handle,
                            const torc_completion *c, uint32_t count);
/* torc_test_host_indicate.c */
uint32_t th_cb_receive_indicate(void *ctx, uint64_t handle,
                                uint64_t indication_id, uint32_t status,
                                const torc_fragment *frags, uint32_t nfrags,
                                uint32_t *bytes_consumed);
/* torc_test_host_terminate.c */
void th_cb_event(void *ctx, uint64_t handle, uint32_t event, uint32_t info);
void th_cb_terminate_complete(void *ctx, uint64_t handle, uint32_t status,
                              const torc_upload_state *st);

/* ---- between the parts -------------------------------------------------- */

/* Frees the BufferedData the host built for the offload, poisoning it first
 * when poison is set (torc_test_host_offload.c). */
void th_free_buffered(torc_test_host *h, int poison);
/* Posts reqs[idx[0..n)] in one receive() call (torc_test_host_requests.c). */
void th_do_post(torc_test_host *h, const uint32_t *idx, uint32_t n);
/* Sends the segments queued for inside a callback, RCV-068
 * (torc_test_host_wire.c). */
void th_send_queued(torc_test_host *h, th_seg_rec *q, uint32_t *n);
/* Returns handed-back data (RCV-212) after checking it is unchanged
 * (torc_test_host_terminate.c). */
void th_return_handback(torc_test_host *h);

#endif /* TORC_TEST_HOST_INT_H */
