/*
 * torc_hostsim_int.h - what the parts of the host simulation share: its
 * state (struct torc_hostsim), the records of requests, indications and
 * allocations, and the helpers one part offers the others.
 *
 * The host simulation is torc_hostsim.c (life cycle, script operations),
 * torc_hostsim_requests.c (posted requests and their guarded buffers),
 * torc_hostsim_alloc.c (the allocation hook), torc_hostsim_check.c (the
 * shared rule checks), torc_hostsim_upcalls.c (the host callbacks and their
 * table) and torc_hostsim_indicate.c (indication answers and returns).
 * Private to them: the engine uses torc_hostsim.h.
 */
#ifndef TORC_HOSTSIM_INT_H
#define TORC_HOSTSIM_INT_H

#include <stddef.h>
#include <stdint.h>

#include "torc_hostsim.h"

#define POISON 0xA5
#define CANARY 0xC5
#define RETURNED 0xDE
#define GAP 16
#define MAX_INDICATE_FRAGS 65536u
#define MAX_HANDBACK_LISTS 4096u
#define POOL_MAX 64
#define GUARD_PAGES 16u /* PROT_NONE pages on each side of a region's data */

typedef struct region {
  uint8_t *base; /* [guard][npages data][guard] */
  size_t npages;
} region;

typedef struct hs_req {
  uint64_t id;
  uint32_t size, prefilled;
  uint8_t push, done;
  uint8_t after_disconnect; /* posted once the disconnect was indicated */
  region r;
  uint8_t *buf;
} hs_req;

typedef struct hs_ind {
  uint64_t id;
  uint32_t first, count; /* in hs->ifr */
  uint64_t hash;
  int handback; /* 1: upload handback (RCV-212), 0: indication (RCV-133) */
  uint32_t nth; /* indications: 1-based order in which the host accepted */
} hs_ind;

#define TORC_HS_MAX_WHY 128

struct torc_hostsim {
  FILE *log;
  torc_callsite *cs;
  const torc_vector_body *vb;
  uint64_t handle;
  void *conn;
  int conn_open;
  uint32_t at;
  torc_trace trace;
  /* The because the reference gave for the host call in progress
   * (torc_hostsim_explain), set on the trace entry it records. */
  torc_because why[TORC_HS_MAX_WHY];
  uint32_t nwhy;
  /* connection state */
  int offload_called, offload_done; /* done: 0 no, 1 success, 2 failure */
  int terminate_called, terminate_done;
  int disconnect_seen;
  int busy; /* 0, or TORC_TR_COMPLETE / TORC_TR_INDICATE in progress */
  int ever_posted;
  int refused;           /* an indication was refused since the last post */
  uint32_t nindications; /* indications answered so far (host.answers) */
  unsigned cur_op;       /* target operation in progress (torc_call_op) */
  unsigned depth;
  uint64_t delivered;
  /* requests in posting order */
  hs_req *reqs;
  size_t nreqs, capreqs, oldest_open;
  /* posts to make from inside the next completion */
  const torc_event **inner;
  size_t ninner, capinner;
  /* posts to make from inside the next indication, before answering */
  const torc_event **inner_ind;
  size_t ninner_ind, capinner_ind;
  uint32_t naccepted; /* indications accepted so far */
  /* accepted indications and handbacks awaiting return */
  hs_ind *inds;
  size_t ninds, capinds;
  torc_fragment *ifr;
  size_t nifr, capifr;
  uint64_t *ret_ids;
  size_t capret;
  /* buffered data */
  uint8_t *arena;
  size_t arena_cap;
  torc_fragment *bfr;
  size_t capbfr;
  torc_buffer_list *blists;
  size_t capblists;
  uint8_t *canary;   /* pagesize bytes of CANARY, to compare slack against */
  uint8_t *returned; /* pagesize bytes of RETURNED */
  /* segment scratch: one memory mapped twice, read-write for the host to
   * build frames in (scratch) and read-only for the target (scratch_ro),
   * so lending a frame costs no mprotect */
  uint8_t *scratch;
  uint8_t *scratch_ro;
  size_t scratch_cap;
  /* guarded regions */
  region pool[POOL_MAX];
  size_t npool;
  size_t pagesize;
  /* allocation hook: live[] is the host's own table of the blocks it lent
   * and the target has not freed (open addressing, linear probing, 0 an
   * empty slot, live_cap a power of two or 0, at most half full), so a
   * free() is judged without reading the target's pointer;
   * outstanding == nlive. */
  uint64_t nallocs;
  uintptr_t *live;
  size_t live_cap, nlive;
  int64_t outstanding, outstanding_at_open;
  /* fail_alloc (issue 14): every allocation fails while the host plays
   * event fail_event (UINT32_MAX: none armed); failing is set for its
   * duration; hits counts the allocations refused during it, missed_at is
   * the first armed event during which the target allocated nothing. */
  uint32_t fail_event, missed_at;
  int failing;
  uint64_t fail_hits, hits_at_start;
  /* results */
  torc_hs_violation viol[TORC_HS_MAX_VIOLATIONS];
  size_t nviol;
  torc_hs_data_div div;
};

/* ---- torc_hostsim.c ------------------------------------------------------ */

/* Grows *p (elements of elem bytes) to hold need; 0, or -1 out of memory. */
int torc_hs_grow(void **p, size_t *cap, size_t need, size_t elem);
#define HS_GROW(hs, arr, cap, need)                                            \
  torc_hs_grow((void **)&(hs)->arr, &(hs)->cap, (need), sizeof *(hs)->arr)

/* ---- torc_hostsim_requests.c --------------------------------------------- */

int torc_hs_region_get(torc_hostsim *hs, size_t npages, region *out);
void torc_hs_region_put(torc_hostsim *hs, region *r);
uint8_t *torc_hs_region_data(const torc_hostsim *hs, const region *r);
void torc_hs_region_mark_returned(torc_hostsim *hs, const region *r);
int torc_hs_region_untouched(const torc_hostsim *hs, const region *r);
/* Posts one request of the script (also from inside a completion). */
void torc_hs_post_now(torc_hostsim *hs, const torc_event *e);
/* Appends a trace entry of kind k at the current script event, with the
 * because the reference gave for it (if any).  NULL when out of memory. */
torc_trace_entry *torc_hs_trace_add(torc_hostsim *hs, uint32_t kind);
/* Checks and applies one completion of receive_complete. */
void torc_hs_complete_one(torc_hostsim *hs, const torc_completion *c);
/* Gives every request's region back to the pool. */
void torc_hs_release_requests(torc_hostsim *hs);

/* ---- torc_hostsim_alloc.c ------------------------------------------------ */

void *torc_hs_host_alloc(void *ctx, size_t size);
void torc_hs_host_free(void *ctx, void *ptr);
/* Frees the blocks still lent (the target is gone) and the table. */
void torc_hs_alloc_release(torc_hostsim *hs);

/* ---- torc_hostsim_check.c ------------------------------------------------ */

/* Compares n delivered bytes with the stream at hs->delivered and advances
 * it; the first difference of the vector is recorded with context. */
void torc_hs_check_data(torc_hostsim *hs, const uint8_t *p, uint32_t n);
/* Fingerprint of lent bytes (RCV-133, RCV-212). */
uint64_t torc_hs_fnv(uint64_t h, const uint8_t *p, uint32_t n);
/* 0 when the upcall may be processed, -1 when it must be ignored. */
int torc_hs_upcall_check(torc_hostsim *hs, uint64_t handle, const char *what,
                         int data_upcall);
/* A completion or indication while another is in progress. */
void torc_hs_serial_check(torc_hostsim *hs, int kind);

/* ---- torc_hostsim_indicate.c --------------------------------------------- */

uint32_t torc_hs_host_receive_indicate(void *ctx, uint64_t handle,
                                       uint64_t indication_id, uint32_t status,
                                       const torc_fragment *frags,
                                       uint32_t nfrags,
                                       uint32_t *bytes_consumed);

#endif /* TORC_HOSTSIM_INT_H */
