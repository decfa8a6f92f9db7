/*
 * torc_hostsim.c - the host stack the target talks to: its life cycle and
 * the script operations.
 *
 * Flow: torc_engine.c plays a vector's script by calling the
 * torc_hostsim_<op> functions here, which call the target through
 * torc_call.c; the target calls back into the host callbacks
 * (torc_hostsim_upcalls.c, torc_hostsim_indicate.c), which check their
 * arguments (torc_hostsim_check.c) and use the memory the host lends
 * (torc_hostsim_requests.c, torc_hostsim_alloc.c).  The state they share is
 * in torc_hostsim_int.h.
 *
 * Memory lent to the target:
 *  - BufferedData: fragments in a host arena with canary gaps, mapped
 *    read-only while the target may reach them, poisoned
 *    (0xA5) the moment the target completes the offload with SUCCESS
 *    (RCV-011): a target that kept pointers instead of copying (RCV-007)
 *    delivers poison, which the byte comparison reports.
 *  - Request buffers: each ends exactly at a PROT_NONE guard page, so one
 *    byte written past `size` faults (the isolated child crashes: CRASH);
 *    the slack before the buffer is a canary, the prefilled bytes are a
 *    pattern checked after completion (DEC-12), and a completed buffer is
 *    filled with a pattern that must still be there when the connection is
 *    closed (a target that kept the pointer and wrote later is caught,
 *    RCV-103).  Guard pages are mapped once and reused: no system call per
 *    request once the pool is warm.
 *  - Segments: copied into a scratch frame that the target sees through a
 *    read-only mapping of the same memory (so lending it costs no system
 *    call) and poisoned after the call (borrowed for the call, only to be
 *    read).
 *  - Allocations: a table of the live blocks the host owns (no header in
 *    the block: a double free or a forged pointer is found in the table,
 *    never by reading the target's memory); injected failures; the blocks
 *    still outstanding after conn_close are leaks (RCV-233).
 */
#include "torc_hostsim_int.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* ---- Growth helper ------------------------------------------------------ */

int torc_hs_grow(void **p, size_t *cap, size_t need, size_t elem) {
  size_t nc;
  void *np;
  if (need <= *cap)
    return 0;
  nc = *cap ? *cap : 16;
  while (nc < need)
    nc *= 2;
  np = realloc(*p, nc * elem);
  if (!np)
    return -1;
  *p = np;
  *cap = nc;
  return 0;
}

/* ---- Call-site hooks ---------------------------------------------------- */

static void hook_enter(void *ctx, torc_call_op op, unsigned depth) {
  torc_hostsim *hs = ctx;
  hs->cur_op = op;
  hs->depth = depth;
}

static void hook_leave(void *ctx, torc_call_op op, unsigned depth) {
  torc_hostsim *hs = ctx;
  (void)op;
  hs->depth = depth - 1;
  /* Back in the outer operation (a re-entrant post returns to receive's
   * caller, the completion callback inside some operation). */
  hs->cur_op = depth > 1 ? TORC_CALL_RECEIVE : TORC_CALL_OP_COUNT;
}

void torc_hostsim_bind(torc_hostsim *hs, torc_callsite *cs) {
  hs->cs = cs;
  cs->hooks.ctx = hs;
  cs->hooks.enter = hook_enter;
  cs->hooks.leave = hook_leave;
}

/* ---- Lifecycle ---------------------------------------------------------- */

torc_hostsim *torc_hostsim_new(FILE *log) {
  torc_hostsim *hs = calloc(1, sizeof *hs);
  long ps;
  if (!hs)
    return NULL;
  hs->log = log;
  ps = sysconf(_SC_PAGESIZE);
  hs->pagesize = ps > 0 ? (size_t)ps : 4096;
  hs->cur_op = TORC_CALL_OP_COUNT;
  torc_trace_init(&hs->trace);
  hs->canary = malloc(hs->pagesize);
  hs->returned = malloc(hs->pagesize);
  if (!hs->canary || !hs->returned) {
    free(hs->canary);
    free(hs->returned);
    free(hs);
    return NULL;
  }
  memset(hs->canary, CANARY, hs->pagesize);
  memset(hs->returned, RETURNED, hs->pagesize);
  return hs;
}

void torc_hostsim_free(torc_hostsim *hs) {
  size_t i;
  if (!hs)
    return;
  torc_hs_release_requests(hs);
  torc_hs_alloc_release(hs);
  for (i = 0; i < hs->npool; i++)
    munmap(hs->pool[i].base,
           (hs->pool[i].npages + 2 * GUARD_PAGES) * hs->pagesize);
  torc_trace_free(&hs->trace);
  free(hs->reqs);
  free(hs->inner);
  free(hs->inner_ind);
  free(hs->inds);
  free(hs->ifr);
  free(hs->ret_ids);
  if (hs->arena)
    munmap(hs->arena, hs->arena_cap);
  free(hs->bfr);
  free(hs->blists);
  if (hs->scratch) {
    munmap(hs->scratch, hs->scratch_cap);
    if (hs->scratch_ro != hs->scratch)
      munmap(hs->scratch_ro, hs->scratch_cap);
  }
  free(hs->canary);
  free(hs->returned);
  free(hs);
}

void torc_hostsim_begin(torc_hostsim *hs, const torc_vector_body *vb,
                        uint64_t host_handle) {
  torc_hs_release_requests(hs);
  hs->vb = vb;
  hs->handle = host_handle;
  hs->conn = NULL;
  hs->conn_open = 0;
  hs->at = 0;
  torc_trace_reset(&hs->trace);
  hs->offload_called = hs->offload_done = 0;
  hs->terminate_called = hs->terminate_done = 0;
  hs->disconnect_seen = 0;
  hs->busy = 0;
  hs->ever_posted = 0;
  hs->refused = 0;
  hs->nindications = 0;
  hs->delivered = 0;
  hs->ninner = 0;
  hs->ninner_ind = 0;
  hs->naccepted = 0;
  hs->ninds = 0;
  hs->nifr = 0;
  hs->fail_event = UINT32_MAX;
  hs->missed_at = UINT32_MAX;
  hs->failing = 0;
  hs->fail_hits = 0;
  hs->nviol = 0;
  hs->nwhy = 0;
  memset(&hs->div, 0, sizeof hs->div);
}

void *torc_hostsim_conn(const torc_hostsim *hs) {
  return hs->conn;
}

void torc_hostsim_explain(void *ctx, const char *const *because, uint32_t n) {
  torc_hostsim *hs = ctx;
  uint32_t i;
  hs->nwhy = 0;
  for (i = 0; i < n && hs->nwhy < TORC_HS_MAX_WHY; i++) {
    torc_because c = torc_because_parse(because[i]);
    if (c)
      hs->why[hs->nwhy++] = c;
  }
}

torc_trace_entry *torc_hs_trace_add(torc_hostsim *hs, uint32_t kind) {
  torc_trace_entry *e = torc_trace_add(&hs->trace, kind, hs->at);
  if (e && hs->nwhy > 0)
    torc_trace_set_why(&hs->trace, hs->why, hs->nwhy);
  hs->nwhy = 0;
  return e;
}

void torc_hostsim_set_at(torc_hostsim *hs, uint32_t at) {
  hs->at = at;
}

int torc_hostsim_open(torc_hostsim *hs) {
  int ret = -1;
  hs->outstanding_at_open = hs->outstanding;
  if (torc_call_conn_open(hs->cs, hs->handle, &hs->conn, &ret) < 0 || ret < 0) {
    torc_hostsim_violation(hs, "RCV-001",
                           "conn_open refused the connection (%d)", ret);
    return -1;
  }
  hs->conn_open = 1;
  return 0;
}

void torc_hostsim_close(torc_hostsim *hs) {
  if (!hs->conn_open)
    return;
  torc_call_conn_close(hs->cs, hs->conn);
  hs->conn_open = 0;
  /* RCV-103: a completed request's buffer is the host's again. */
  {
    size_t i;
    for (i = 0; i < hs->nreqs; i++)
      if (hs->reqs[i].done && hs->reqs[i].r.base &&
          !torc_hs_region_untouched(hs, &hs->reqs[i].r)) {
        torc_hostsim_violation(hs, "RCV-103",
                               "the target wrote into request %" PRIu64
                               "'s buffer after completing it",
                               hs->reqs[i].id);
        break;
      }
  }
  /* RCV-233: everything of the connection is freed. */
  if (hs->outstanding != hs->outstanding_at_open)
    torc_hostsim_violation(hs, "RCV-233",
                           "%" PRId64 " host allocation(s) still outstanding "
                           "after conn_close",
                           hs->outstanding - hs->outstanding_at_open);
}

/* ---- Script operations -------------------------------------------------- */

/* Memory the host lends the target only to read (the frame scratch,
 * BufferedData): whole pages of their own, so they can be mapped read-only
 * while the target may reach them.  Grows *p to hold need bytes (mapped
 * read-write); 0 or -1. */
static int pages_reserve(torc_hostsim *hs, uint8_t **p, size_t *cap,
                         size_t need) {
  size_t ncap = (need + hs->pagesize - 1) / hs->pagesize * hs->pagesize;
  void *m;
  if (*p && *cap >= need)
    return mprotect(*p, *cap, PROT_READ | PROT_WRITE);
  m = mmap(NULL, ncap ? ncap : hs->pagesize, PROT_READ | PROT_WRITE,
           MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED)
    return -1;
  if (*p)
    munmap(*p, *cap);
  *p = m;
  *cap = ncap ? ncap : hs->pagesize;
  return 0;
}

/* Grows the frame scratch to need bytes: a memfd mapped read-write and
 * read-only (MAP_SHARED, so the two views are one memory).  Where no memfd
 * can be had (a file-size limit counts it), one anonymous mapping whose
 * protection torc_hostsim_frame changes around the call: scratch_ro ==
 * scratch.  0 or -1. */
static int scratch_reserve(torc_hostsim *hs, size_t need) {
  size_t ncap = (need + hs->pagesize - 1) / hs->pagesize * hs->pagesize;
  void *rw, *ro;
  int fd;
  if (hs->scratch && hs->scratch_cap >= need)
    return 0;
  if (ncap < 16 * hs->pagesize)
    ncap = 16 * hs->pagesize; /* any frame up to 64 KiB: one mapping */
  fd = memfd_create("torc-frame", MFD_CLOEXEC);
  if (fd < 0 || ftruncate(fd, (off_t)ncap) < 0) {
    if (fd >= 0)
      close(fd);
    if (hs->scratch && hs->scratch_ro != hs->scratch)
      munmap(hs->scratch_ro, hs->scratch_cap);
    hs->scratch_ro = NULL;
    if (pages_reserve(hs, &hs->scratch, &hs->scratch_cap, ncap) < 0)
      return -1;
    hs->scratch_ro = hs->scratch;
    return 0;
  }
  rw = mmap(NULL, ncap, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  ro = mmap(NULL, ncap, PROT_READ, MAP_SHARED, fd, 0);
  close(fd);
  if (rw == MAP_FAILED || ro == MAP_FAILED) {
    if (rw != MAP_FAILED)
      munmap(rw, ncap);
    if (ro != MAP_FAILED)
      munmap(ro, ncap);
    return -1;
  }
  if (hs->scratch) {
    munmap(hs->scratch, hs->scratch_cap);
    if (hs->scratch_ro != hs->scratch)
      munmap(hs->scratch_ro, hs->scratch_cap);
  }
  hs->scratch = rw;
  hs->scratch_ro = ro;
  hs->scratch_cap = ncap;
  return 0;
}

void torc_hostsim_offload(torc_hostsim *hs) {
  const torc_vector_body *vb = hs->vb;
  torc_offload_state st;
  size_t need = (size_t)vb->buffered_len + (vb->nfrags + 1) * GAP, i, l;
  uint8_t *p;
  memset(&st, 0, sizeof st);
  st.struct_size = sizeof st;
  st.rcv_nxt = vb->rcv_nxt;
  st.rcv_wnd = vb->rcv_wnd;
  st.snd_una = vb->snd_una;
  st.snd_nxt = vb->snd_nxt;
  st.snd_wnd = vb->snd_wnd;
  st.ticks_per_second = vb->ticks_per_second;
  st.push_ticks = vb->push_ticks;
  st.rcv_indication_size = vb->rcv_indication_size;
  st.initial_rcv_wnd = vb->initial_rcv_wnd;
  st.mss = vb->mss;
  st.snd_wscale = vb->snd_wscale;
  st.rcv_wscale = vb->rcv_wscale;
  st.conn_state = 4; /* Established */
  st.ip_version = vb->ip_version;
  st.local_port = vb->dport;
  st.remote_port = vb->sport;
  memcpy(st.local_addr, vb->dst, 16);
  memcpy(st.remote_addr, vb->src, 16);
  if (vb->nlists) {
    if (pages_reserve(hs, &hs->arena, &hs->arena_cap, need) < 0 ||
        HS_GROW(hs, bfr, capbfr, vb->nfrags) < 0 ||
        HS_GROW(hs, blists, capblists, vb->nlists) < 0) {
      torc_hostsim_violation(hs, "RCV-003", "host out of memory");
      return;
    }
    p = hs->arena;
    memset(p, CANARY, GAP);
    p += GAP;
    for (i = 0; i < vb->nfrags; i++) {
      torc_vector_stream_copy(vb, vb->frags[i].offset, vb->frags[i].len, p);
      hs->bfr[i].data = p;
      hs->bfr[i].len = vb->frags[i].len;
      p += vb->frags[i].len;
      memset(p, CANARY, GAP);
      p += GAP;
    }
    for (l = 0; l < vb->nlists; l++) {
      hs->blists[l].next = l + 1 < vb->nlists ? &hs->blists[l + 1] : NULL;
      hs->blists[l].frags = &hs->bfr[vb->list_first[l]];
      hs->blists[l].nfrags = vb->list_count[l];
    }
    st.buffered_data = &hs->blists[0];
    /* The host's, lent only to be copied (RCV-007, RCV-011): a write
     * faults, now and after the host has freed (poisoned) it. */
    mprotect(hs->arena, hs->arena_cap, PROT_READ);
  }
  hs->offload_called = 1;
  torc_call_initiate_offload(hs->cs, hs->conn, &st);
}

void torc_hostsim_post(torc_hostsim *hs, const torc_event *e) {
  torc_hs_post_now(hs, e);
}

void torc_hostsim_post_in_completion(torc_hostsim *hs, const torc_event *e) {
  if (HS_GROW(hs, inner, capinner, hs->ninner + 1) == 0)
    hs->inner[hs->ninner++] = e;
}

void torc_hostsim_post_in_indication(torc_hostsim *hs, const torc_event *e) {
  if (HS_GROW(hs, inner_ind, capinner_ind, hs->ninner_ind + 1) == 0)
    hs->inner_ind[hs->ninner_ind++] = e;
}

/* The segment is built by the vector module: the captured frame, or the
 * rebased or derived one its provenance records (torc_vector_transform.c). */
void torc_hostsim_frame(torc_hostsim *hs, const torc_event *ev) {
  const torc_frame *f = &hs->vb->cap->frames[ev->frame];
  torc_segment seg;
  uint32_t len;
  if (scratch_reserve(hs, (size_t)f->caplen + 1) < 0) {
    torc_hostsim_violation(hs, "RCV-067", "host out of memory");
    return;
  }
  len =
      torc_vector_build_segment(hs->vb, ev, hs->scratch, hs->scratch_cap, &seg);
  if (len == 0)
    return;
  /* Borrowed for the call and only to be read: the target gets the
   * read-only view, so a write faults (CRASH, as in the runner), and
   * whatever it kept reads poison after. */
  seg.frame = hs->scratch_ro + (seg.frame - hs->scratch);
  if (seg.payload)
    seg.payload = hs->scratch_ro + (seg.payload - hs->scratch);
  if (hs->scratch_ro == hs->scratch)
    mprotect(hs->scratch, hs->scratch_cap, PROT_READ);
  torc_call_segment(hs->cs, hs->conn, &seg);
  if (hs->scratch_ro == hs->scratch)
    mprotect(hs->scratch, hs->scratch_cap, PROT_READ | PROT_WRITE);
  memset(hs->scratch, POISON, len);
}

void torc_hostsim_advance(torc_hostsim *hs, uint64_t now_us) {
  torc_call_advance_time(hs->cs, hs->conn, now_us);
}

void torc_hostsim_terminate(torc_hostsim *hs) {
  hs->terminate_called = 1;
  torc_call_terminate_offload(hs->cs, hs->conn);
}

const torc_trace *torc_hostsim_trace(const torc_hostsim *hs) {
  return &hs->trace;
}

size_t torc_hostsim_violations(const torc_hostsim *hs,
                               const torc_hs_violation **out) {
  *out = hs->viol;
  return hs->nviol;
}

const torc_hs_data_div *torc_hostsim_data_div(const torc_hostsim *hs) {
  return &hs->div;
}

uint64_t torc_hostsim_delivered(const torc_hostsim *hs) {
  return hs->delivered;
}

int torc_hostsim_terminate_pending(const torc_hostsim *hs) {
  return hs->terminate_called && !hs->terminate_done;
}

int torc_hostsim_offload_state(const torc_hostsim *hs) {
  return hs->offload_done ? (hs->offload_done == 1 ? 2 : 3)
                          : hs->offload_called;
}
