/*
 * mutant_wrap.h - interface for a module to build a mutant: the reference
 * target with one deliberate fault (conformance/mutants/X.c -> X.so).
 *
 * Adapted from harness/testtargets/tt_wrap.h (same technique, own copy so
 * the two sets evolve apart).  mw_init() creates the reference with a host
 * table of its own (mw.up, forwarding to the real host) and fills the
 * target's table with forwarders to the reference (mw_* below); the mutant
 * then replaces the one operation or upcall where its fault lives.  Mutants
 * whose fault lives inside the reference's logic replace nothing: they are
 * linked against a second build of the reference compiled with
 * -DTORC_MUTANT_<NAME>=1 (reference/torc_mutant.h, module.mk).  Header-only
 * because every X.c is linked alone into its own shared object, which
 * exports torc_target_init through the public interface (torc/target.h).
 *
 * Ownership: the mw instance is malloc'd by mw_init and freed by destroy;
 * everything it points to (host, host_ctx) is borrowed from the harness and
 * valid until destroy (target.h).  state is the mutant's own, freed with
 * free() by mw_destroy when not NULL.
 */
#ifndef MUTANT_WRAP_H
#define MUTANT_WRAP_H

#include <stdlib.h>
#include <string.h>

#include "torc/target.h"
#include "torc_reference.h"

#define MW_MAX_REQ 256

typedef struct mw {
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
  } reqs[MW_MAX_REQ]; /* the requests posted, for targets that need them */
  int nreqs;
} mw;

/* ---- Upcalls: the reference -> the real host ----------------------------- */

static inline void *mw_up_alloc(void *ctx, size_t size) {
  mw *t = ctx;
  return t->host->alloc(t->host_ctx, size);
}
static inline void mw_up_free(void *ctx, void *p) {
  mw *t = ctx;
  t->host->free(t->host_ctx, p);
}
static inline void mw_up_log(void *ctx, int level, const char *msg) {
  mw *t = ctx;
  t->host->log(t->host_ctx, level, msg);
}
static inline void mw_up_offload_complete(void *ctx, uint64_t h, uint32_t s) {
  mw *t = ctx;
  t->host->initiate_offload_complete(t->host_ctx, h, s);
}
static inline void mw_up_receive_complete(void *ctx, uint64_t h,
                                          const torc_completion *c,
                                          uint32_t n) {
  mw *t = ctx;
  t->in_complete++;
  t->host->receive_complete(t->host_ctx, h, c, n);
  t->in_complete--;
}
static inline uint32_t mw_up_receive_indicate(void *ctx, uint64_t h,
                                              uint64_t id, uint32_t s,
                                              const torc_fragment *f,
                                              uint32_t n, uint32_t *consumed) {
  mw *t = ctx;
  return t->host->receive_indicate(t->host_ctx, h, id, s, f, n, consumed);
}
static inline void mw_up_event(void *ctx, uint64_t h, uint32_t e, uint32_t i) {
  mw *t = ctx;
  t->host->event_indicate(t->host_ctx, h, e, i);
}
static inline void mw_up_terminate_complete(void *ctx, uint64_t h, uint32_t s,
                                            const torc_upload_state *st) {
  mw *t = ctx;
  t->host->terminate_offload_complete(t->host_ctx, h, s, st);
}

/* ---- Operations: the harness -> the reference ---------------------------- */

static inline void mw_destroy(void *ud) {
  mw *t = ud;
  t->ref.destroy(t->ref.user_data);
  free(t->state);
  free(t);
}
static inline int mw_conn_open(void *ud, uint64_t h, void **out) {
  mw *t = ud;
  t->last_handle = h;
  return t->ref.conn_open(t->ref.user_data, h, out);
}
static inline void mw_conn_close(void *ud, void *c) {
  mw *t = ud;
  t->ref.conn_close(t->ref.user_data, c);
}
static inline void mw_initiate_offload(void *ud, void *c,
                                       const torc_offload_state *st) {
  mw *t = ud;
  t->ref.initiate_offload(t->ref.user_data, c, st);
}
/* Remembers each request (id, buffer) before the reference sees it. */
static inline void mw_note_requests(mw *t, const torc_recv_request *r,
                                    uint32_t n) {
  for (uint32_t i = 0; i < n && t->nreqs < MW_MAX_REQ; i++) {
    t->reqs[t->nreqs].id = r[i].id;
    t->reqs[t->nreqs].buf = r[i].buf;
    t->reqs[t->nreqs].size = r[i].size;
    t->reqs[t->nreqs].prefilled = r[i].prefilled;
    t->nreqs++;
  }
}
static inline uint32_t mw_receive(void *ud, void *c, const torc_recv_request *r,
                                  uint32_t n) {
  mw *t = ud;
  mw_note_requests(t, r, n);
  return t->ref.receive(t->ref.user_data, c, r, n);
}
static inline void mw_receive_return(void *ud, void *c, const uint64_t *ids,
                                     uint32_t n) {
  mw *t = ud;
  t->ref.receive_return(t->ref.user_data, c, ids, n);
}
static inline void mw_segment(void *ud, void *c, const torc_segment *s) {
  mw *t = ud;
  t->ref.segment(t->ref.user_data, c, s);
}
static inline void mw_advance_time(void *ud, uint64_t now) {
  mw *t = ud;
  t->ref.advance_time(t->ref.user_data, now);
}
static inline void mw_terminate_offload(void *ud, void *c) {
  mw *t = ud;
  t->ref.terminate_offload(t->ref.user_data, c);
}
static inline int mw_get_stats(void *ud, void *c, torc_target_stats *s) {
  mw *t = ud;
  return t->ref.get_stats ? t->ref.get_stats(t->ref.user_data, c, s) : -1;
}

/* Creates the reference behind forwarders.  *up lets the caller replace
 * upcalls before the reference is created (may be NULL).  Returns the
 * instance (out filled, name set to name) or NULL with errbuf filled. */
static inline mw *mw_init(uint32_t host_abi, const torc_host_ops *host,
                          void *host_ctx, torc_target *out, char *errbuf,
                          const char *name,
                          void (*customize_up)(torc_host_ops *up)) {
  mw *t = calloc(1, sizeof(*t));
  if (!t) {
    strcpy(errbuf, "out of memory");
    return NULL;
  }
  t->host = host;
  t->host_ctx = host_ctx;
  t->up.struct_size = sizeof(t->up);
  t->up.alloc = mw_up_alloc;
  t->up.free = mw_up_free;
  t->up.log = mw_up_log;
  t->up.initiate_offload_complete = mw_up_offload_complete;
  t->up.receive_complete = mw_up_receive_complete;
  t->up.receive_indicate = mw_up_receive_indicate;
  t->up.event_indicate = mw_up_event;
  t->up.terminate_offload_complete = mw_up_terminate_complete;
  if (customize_up)
    customize_up(&t->up);
  if (torc_reference_target_init(host_abi, &t->up, t, &t->ref, errbuf) != 0) {
    free(t);
    return NULL;
  }
  *out = t->ref;
  out->user_data = t;
  out->name = name;
  out->destroy = mw_destroy;
  out->conn_open = mw_conn_open;
  out->conn_close = mw_conn_close;
  out->initiate_offload = mw_initiate_offload;
  out->receive = mw_receive;
  out->receive_return = mw_receive_return;
  out->segment = mw_segment;
  out->advance_time = mw_advance_time;
  out->terminate_offload = mw_terminate_offload;
  out->get_stats = mw_get_stats;
  return t;
}

/* The request posted with this id, or -1. */
static inline int mw_find_req(const mw *t, uint64_t id) {
  for (int i = t->nreqs - 1; i >= 0; i--)
    if (t->reqs[i].id == id)
      return i;
  return -1;
}

/* The one exported symbol, declared for -Wmissing-prototypes. */
int torc_target_init(uint32_t host_abi_version, const torc_host_ops *host,
                     void *host_ctx, torc_target *out, char *errbuf);

#endif /* MUTANT_WRAP_H */
