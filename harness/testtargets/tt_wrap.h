/*
 * tt_wrap.h - interface for a module to build a purpose-built bad target on
 * top of the reference (harness/testtargets/X.c -> X.so).
 *
 * Each bad target (and each wrapper mutant, conformance/mutants/) is the
 * reference with one deliberate fault.  tt_init()
 * creates the reference with a host table of its own (tt.up, forwarding to
 * the real host) and fills the target's table with forwarders to the
 * reference (tt_* below); the bad target then replaces the one operation or
 * upcall where its fault lives.  Header-only because every X.c is linked
 * alone into its own shared object (harness/module.mk).
 *
 * Ownership: the tt instance is malloc'd by tt_init and freed by destroy;
 * everything it points to (host, host_ctx) is borrowed from the harness and
 * valid until destroy (target.h).  state is the bad target's own, freed
 * with free() by tt_destroy when not NULL.
 */
#ifndef TT_WRAP_H
#define TT_WRAP_H

#include <stdlib.h>
#include <string.h>

#include "torc/target.h"
#include "torc_reference.h"

#define TT_MAX_REQ 256

typedef struct tt {
  torc_target ref;           /* the reference's own table */
  const torc_host_ops *host; /* the harness's callbacks */
  void *host_ctx;
  torc_host_ops up; /* what the reference calls: forwards to host */
  uint64_t last_handle;
  int in_complete; /* depth of receive_complete upcalls in progress */
  int count;       /* free for the bad target's own use */
  void *state;     /* free for the bad target's own use */
  struct {
    uint64_t id;
    uint8_t *buf;
    uint32_t size, prefilled;
  } reqs[TT_MAX_REQ]; /* the requests posted, for targets that need them */
  int nreqs;
} tt;

/* ---- Upcalls: the reference -> the real host ----------------------------- */

static inline void *tt_up_alloc(void *ctx, size_t size) {
  tt *t = ctx;
  return t->host->alloc(t->host_ctx, size);
}
static inline void tt_up_free(void *ctx, void *p) {
  tt *t = ctx;
  t->host->free(t->host_ctx, p);
}
static inline void tt_up_log(void *ctx, int level, const char *msg) {
  tt *t = ctx;
  t->host->log(t->host_ctx, level, msg);
}
static inline void tt_up_offload_complete(void *ctx, uint64_t h, uint32_t s) {
  tt *t = ctx;
  t->host->initiate_offload_complete(t->host_ctx, h, s);
}
static inline void tt_up_receive_complete(void *ctx, uint64_t h,
                                          const torc_completion *c,
                                          uint32_t n) {
  tt *t = ctx;
  t->in_complete++;
  t->host->receive_complete(t->host_ctx, h, c, n);
  t->in_complete--;
}
static inline uint32_t tt_up_receive_indicate(void *ctx, uint64_t h,
                                              uint64_t id, uint32_t s,
                                              const torc_fragment *f,
                                              uint32_t n, uint32_t *consumed) {
  tt *t = ctx;
  return t->host->receive_indicate(t->host_ctx, h, id, s, f, n, consumed);
}
static inline void tt_up_event(void *ctx, uint64_t h, uint32_t e, uint32_t i) {
  tt *t = ctx;
  t->host->event_indicate(t->host_ctx, h, e, i);
}
static inline void tt_up_terminate_complete(void *ctx, uint64_t h, uint32_t s,
                                            const torc_upload_state *st) {
  tt *t = ctx;
  t->host->terminate_offload_complete(t->host_ctx, h, s, st);
}

/* ---- Operations: the harness -> the reference ---------------------------- */

static inline void tt_destroy(void *ud) {
  tt *t = ud;
  t->ref.destroy(t->ref.user_data);
  free(t->state);
  free(t);
}
static inline int tt_conn_open(void *ud, uint64_t h, void **out) {
  tt *t = ud;
  t->last_handle = h;
  return t->ref.conn_open(t->ref.user_data, h, out);
}
static inline void tt_conn_close(void *ud, void *c) {
  tt *t = ud;
  t->ref.conn_close(t->ref.user_data, c);
}
static inline void tt_initiate_offload(void *ud, void *c,
                                       const torc_offload_state *st) {
  tt *t = ud;
  t->ref.initiate_offload(t->ref.user_data, c, st);
}
/* Remembers each request (id, buffer) before the reference sees it. */
static inline void tt_note_requests(tt *t, const torc_recv_request *r,
                                    uint32_t n) {
  for (uint32_t i = 0; i < n && t->nreqs < TT_MAX_REQ; i++) {
    t->reqs[t->nreqs].id = r[i].id;
    t->reqs[t->nreqs].buf = r[i].buf;
    t->reqs[t->nreqs].size = r[i].size;
    t->reqs[t->nreqs].prefilled = r[i].prefilled;
    t->nreqs++;
  }
}
static inline uint32_t tt_receive(void *ud, void *c, const torc_recv_request *r,
                                  uint32_t n) {
  tt *t = ud;
  tt_note_requests(t, r, n);
  return t->ref.receive(t->ref.user_data, c, r, n);
}
static inline void tt_receive_return(void *ud, void *c, const uint64_t *ids,
                                     uint32_t n) {
  tt *t = ud;
  t->ref.receive_return(t->ref.user_data, c, ids, n);
}
static inline void tt_segment(void *ud, void *c, const torc_segment *s) {
  tt *t = ud;
  t->ref.segment(t->ref.user_data, c, s);
}
static inline void tt_advance_time(void *ud, uint64_t now) {
  tt *t = ud;
  t->ref.advance_time(t->ref.user_data, now);
}
static inline void tt_terminate_offload(void *ud, void *c) {
  tt *t = ud;
  t->ref.terminate_offload(t->ref.user_data, c);
}
static inline int tt_get_stats(void *ud, void *c, torc_target_stats *s) {
  tt *t = ud;
  return t->ref.get_stats ? t->ref.get_stats(t->ref.user_data, c, s) : -1;
}

/* Creates the reference behind forwarders.  *up lets the caller replace
 * upcalls before the reference is created (may be NULL).  Returns the
 * instance (out filled, name set to name) or NULL with errbuf filled. */
static inline tt *tt_init(uint32_t host_abi, const torc_host_ops *host,
                          void *host_ctx, torc_target *out, char *errbuf,
                          const char *name,
                          void (*customize_up)(torc_host_ops *up)) {
  tt *t = calloc(1, sizeof(*t));
  if (!t) {
    strcpy(errbuf, "out of memory");
    return NULL;
  }
  t->host = host;
  t->host_ctx = host_ctx;
  t->up.struct_size = sizeof(t->up);
  t->up.alloc = tt_up_alloc;
  t->up.free = tt_up_free;
  t->up.log = tt_up_log;
  t->up.initiate_offload_complete = tt_up_offload_complete;
  t->up.receive_complete = tt_up_receive_complete;
  t->up.receive_indicate = tt_up_receive_indicate;
  t->up.event_indicate = tt_up_event;
  t->up.terminate_offload_complete = tt_up_terminate_complete;
  if (customize_up)
    customize_up(&t->up);
  if (torc_reference_target_init(host_abi, &t->up, t, &t->ref, errbuf) != 0) {
    free(t);
    return NULL;
  }
  *out = t->ref;
  out->user_data = t;
  out->name = name;
  out->destroy = tt_destroy;
  out->conn_open = tt_conn_open;
  out->conn_close = tt_conn_close;
  out->initiate_offload = tt_initiate_offload;
  out->receive = tt_receive;
  out->receive_return = tt_receive_return;
  out->segment = tt_segment;
  out->advance_time = tt_advance_time;
  out->terminate_offload = tt_terminate_offload;
  out->get_stats = tt_get_stats;
  return t;
}

/* The request posted with this id, or -1. */
static inline int tt_find_req(const tt *t, uint64_t id) {
  for (int i = t->nreqs - 1; i >= 0; i--)
    if (t->reqs[i].id == id)
      return i;
  return -1;
}

/* The one exported symbol, declared for -Wmissing-prototypes. */
int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf);

#endif /* TT_WRAP_H */
