/*
 * torc_hostsim.c - the host stack the target talks to.
 *
 * Flow: torc_engine.c plays a vector's script by calling the
 * torc_hostsim_<op> functions, which call the target through torc_call.c;
 * the target calls back into the host_* callbacks below.  Every callback
 * checks its arguments before using them (the target is untrusted), records
 * a trace entry, compares delivered bytes with the stream, and reports rule
 * breaks as violations with their RCV ids.
 *
 * Memory lent to the target:
 *  - BufferedData: fragments in a host arena with canary gaps, poisoned
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
 *  - Segments: copied into a scratch frame that is poisoned after the call
 *    (borrowed for the call).
 *  - Allocations: a header per block; injected failures; the blocks still
 *    outstanding after conn_close are leaks (RCV-233).
 */
#include "torc_hostsim.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define POISON 0xA5
#define CANARY 0xC5
#define RETURNED 0xDE
#define GAP 16
#define MAX_INDICATE_FRAGS 65536u
#define MAX_HANDBACK_LISTS 4096u
#define MAX_FAILS 16
#define ALLOC_MAGIC 0x746f7263616c6c63ull /* "torcallc" */
#define ALLOC_FREED 0x746f726366726565ull /* "torcfree" */
#define POOL_MAX 64

typedef struct region {
  uint8_t *base; /* [guard][npages data][guard] */
  size_t npages;
} region;

typedef struct hs_req {
  uint64_t id;
  uint32_t size, prefilled;
  uint8_t push, done;
  region r;
  uint8_t *buf;
} hs_req;

typedef struct hs_ind {
  uint64_t id;
  uint32_t first, count; /* in hs->ifr */
  uint64_t hash;
  int handback; /* 1: upload handback (RCV-212), 0: indication (RCV-133) */
} hs_ind;

typedef struct alloc_hdr {
  uint64_t magic;
  uint64_t size;
} alloc_hdr;

struct torc_hostsim {
  FILE *log;
  torc_callsite *cs;
  const torc_vector_body *vb;
  uint64_t handle;
  void *conn;
  int conn_open;
  uint32_t at;
  torc_trace trace;
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
  /* segment scratch */
  uint8_t *scratch;
  size_t scratch_cap;
  /* guarded regions */
  region pool[POOL_MAX];
  size_t npool;
  size_t pagesize;
  /* allocation hook */
  uint64_t nallocs;
  int64_t outstanding, outstanding_at_open;
  uint64_t fail_at[MAX_FAILS];
  size_t nfail;
  /* results */
  torc_hs_violation viol[TORC_HS_MAX_VIOLATIONS];
  size_t nviol;
  torc_hs_data_div div;
};

/* ---- Violations --------------------------------------------------------- */

void torc_hostsim_violation(torc_hostsim *hs, const char *rcv, const char *fmt,
                            ...) {
  torc_hs_violation v;
  va_list ap;
  size_t i;
  snprintf(v.requirement, sizeof v.requirement, "%s", rcv);
  va_start(ap, fmt);
  vsnprintf(v.message, sizeof v.message, fmt, ap);
  va_end(ap);
  for (i = 0; i < hs->nviol; i++)
    if (strcmp(hs->viol[i].requirement, v.requirement) == 0 &&
        strcmp(hs->viol[i].message, v.message) == 0)
      return;
  if (hs->nviol < TORC_HS_MAX_VIOLATIONS)
    hs->viol[hs->nviol++] = v;
}

/* ---- Growth helper ------------------------------------------------------ */

static int grow(void **p, size_t *cap, size_t need, size_t elem) {
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
#define GROW(hs, arr, cap, need)                                               \
  grow((void **)&(hs)->arr, &(hs)->cap, (need), sizeof *(hs)->arr)

/* ---- Guarded regions ---------------------------------------------------- */

/* A region's data pages stay readable and writable and its guard pages stay
 * PROT_NONE for its whole life; regions go back to a pool, never to the
 * kernel, until the host simulation is freed. */
static int region_get(torc_hostsim *hs, size_t npages, region *out) {
  size_t i, best = hs->npool, ps = hs->pagesize;
  for (i = 0; i < hs->npool; i++)
    if (hs->pool[i].npages >= npages && hs->pool[i].npages <= 2 * npages &&
        (best == hs->npool || hs->pool[i].npages < hs->pool[best].npages))
      best = i;
  if (best < hs->npool) {
    *out = hs->pool[best];
    hs->pool[best] = hs->pool[--hs->npool];
    return 0;
  }
  out->npages = npages;
  out->base = mmap(NULL, (npages + 2) * ps, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (out->base == MAP_FAILED)
    return -1;
  if (mprotect(out->base, ps, PROT_NONE) < 0 ||
      mprotect(out->base + (npages + 1) * ps, ps, PROT_NONE) < 0) {
    munmap(out->base, (npages + 2) * ps);
    return -1;
  }
  return 0;
}

/* Keeps the region for reuse (or unmaps it when the pool is full). */
static void region_put(torc_hostsim *hs, region *r) {
  if (!r->base)
    return;
  if (hs->npool < POOL_MAX)
    hs->pool[hs->npool++] = *r;
  else
    munmap(r->base, (r->npages + 2) * hs->pagesize);
  r->base = NULL;
}

/* The data pages of a region. */
static uint8_t *region_data(const torc_hostsim *hs, const region *r) {
  return r->base + hs->pagesize;
}

/* Fills a completed request's pages with the "returned" pattern. */
static void region_mark_returned(torc_hostsim *hs, const region *r) {
  memset(region_data(hs, r), RETURNED, r->npages * hs->pagesize);
}

/* 1 if the pages still hold the "returned" pattern. */
static int region_untouched(const torc_hostsim *hs, const region *r) {
  size_t k, ps = hs->pagesize;
  const uint8_t *d = region_data(hs, r);
  for (k = 0; k < r->npages; k++)
    if (memcmp(d + k * ps, hs->returned, ps) != 0)
      return 0;
  return 1;
}

/* ---- Allocation hook ---------------------------------------------------- */

static void *host_alloc(void *ctx, size_t size) {
  torc_hostsim *hs = ctx;
  alloc_hdr *h;
  size_t i;
  uint64_t n = ++hs->nallocs;
  for (i = 0; i < hs->nfail; i++)
    if (hs->fail_at[i] == n) {
      hs->fail_at[i] = hs->fail_at[--hs->nfail];
      return NULL;
    }
  if (size > ((size_t)1 << 32))
    return NULL; /* runaway request: fail it, the target must cope */
  h = malloc(sizeof *h + (size ? size : 1));
  if (!h)
    return NULL;
  h->magic = ALLOC_MAGIC;
  h->size = size;
  hs->outstanding++;
  return h + 1;
}

static void host_free(void *ctx, void *ptr) {
  torc_hostsim *hs = ctx;
  alloc_hdr *h;
  if (!ptr)
    return;
  h = (alloc_hdr *)ptr - 1;
  if (h->magic != ALLOC_MAGIC) {
    torc_hostsim_violation(hs, "RCV-233",
                           "free() of a block the host did not allocate or "
                           "already freed");
    return;
  }
  h->magic = ALLOC_FREED;
  hs->outstanding--;
  free(h);
}

static void host_log(void *ctx, int level, const char *msg) {
  torc_hostsim *hs = ctx;
  static const char *const lv[] = {"error", "warn", "info", "debug"};
  if (!hs->log || !msg)
    return;
  fprintf(hs->log, "[%s] %.1000s\n", level >= 0 && level <= 3 ? lv[level] : "?",
          msg);
}

/* ---- Data checks -------------------------------------------------------- */

static void hex_context(char *out, size_t n, const uint8_t *p, size_t plen,
                        size_t at) {
  size_t from = at >= 4 ? at - 4 : 0, to = at + 12 < plen ? at + 12 : plen, k;
  size_t used = 0;
  out[0] = '\0';
  for (k = from; k < to && used + 4 < n; k++)
    used += (size_t)snprintf(out + used, n - used, "%s%s%02x",
                             k == from ? "" : " ", k == at ? "[" : "", p[k]);
  if (at < plen && used + 2 < n)
    snprintf(out + used, n - used, "%s", "");
  if (at >= plen)
    snprintf(out + used, n - used, "%s(no byte)", used ? " " : "");
}

/* Compares n delivered bytes with the stream at hs->delivered and advances
 * it.  The first difference of the vector is recorded with context. */
static void check_data(torc_hostsim *hs, const uint8_t *p, uint32_t n) {
  uint32_t diff;
  const torc_vector_body *vb = hs->vb;
  if (n == 0)
    return;
  if (!hs->div.present &&
      torc_vector_stream_cmp(vb, hs->delivered, p, n, &diff) != 0) {
    uint8_t exp[16];
    uint64_t off = hs->delivered + diff, efrom = off >= 4 ? off - 4 : 0;
    uint32_t elen = 0, k;
    while (elen < 16 && efrom + elen < vb->stream_len &&
           efrom + elen < off + 12)
      elen++;
    if (elen)
      torc_vector_stream_copy(vb, efrom, elen, exp);
    hs->div.present = 1;
    hs->div.trace_index = hs->trace.n ? (uint32_t)hs->trace.n - 1 : 0;
    hs->div.stream_offset = off;
    if (off >= vb->stream_len)
      snprintf(hs->div.expected, sizeof hs->div.expected,
               "no byte: the stream ends at offset %" PRIu64 " (the target "
               "delivered more than it received)",
               vb->stream_len);
    else
      hex_context(hs->div.expected, sizeof hs->div.expected, exp, elen,
                  (size_t)(off - efrom));
    hex_context(hs->div.actual, sizeof hs->div.actual, p, n, diff);
    hs->div.poison = 1;
    for (k = diff; k < n && k < diff + 8; k++)
      if (p[k] != POISON)
        hs->div.poison = 0;
  }
  hs->delivered += n;
}

/* Fingerprint of indicated bytes (not cryptographic: it detects a target
 * reusing or rewriting buffers it lent, RCV-133).  Eight bytes at a time. */
static uint64_t fnv(uint64_t h, const uint8_t *p, uint32_t n) {
  uint32_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    memcpy(&w, p + i, 8);
    h = (h ^ w) * 0x100000001b3ull;
    h ^= h >> 29;
  }
  for (; i < n; i++)
    h = (h ^ p[i]) * 0x100000001b3ull;
  return h;
}

/* ---- Common upcall checks ------------------------------------------------ */

/* Returns 0 when the upcall may be processed, -1 when it must be ignored. */
static int upcall_check(torc_hostsim *hs, uint64_t handle, const char *what,
                        int data_upcall) {
  if (!hs->vb || !hs->conn_open) {
    torc_hostsim_violation(hs, "RCV-122",
                           "%s on no open connection (from conn_open, "
                           "conn_close or outside any connection)",
                           what);
    return -1;
  }
  if (hs->cur_op == TORC_CALL_CONN_OPEN || hs->cur_op == TORC_CALL_CONN_CLOSE) {
    torc_hostsim_violation(hs, "RCV-122",
                           "%s from inside %s (not allowed to call the host)",
                           what, torc_call_op_name(hs->cur_op));
    return -1;
  }
  if (handle != hs->handle) {
    torc_hostsim_violation(hs, "RCV-122",
                           "%s with host_handle 0x%" PRIx64
                           ", the connection's is 0x%" PRIx64,
                           what, handle, hs->handle);
  }
  if (data_upcall && hs->offload_done != 1) {
    if (hs->offload_done == 2)
      torc_hostsim_violation(hs, "RCV-017",
                             "%s on a connection whose offload failed", what);
    else
      torc_hostsim_violation(hs, "RCV-027", "%s before the offload completed",
                             what);
  }
  if (data_upcall && hs->terminate_done)
    torc_hostsim_violation(hs, "RCV-230",
                           "%s after the terminate offload completed", what);
  return 0;
}

/* Serialization: a completion or indication while another is in progress
 * (RCV-046, RCV-047; RCV-108 for a completion inside a completion). */
static void serial_check(torc_hostsim *hs, int kind) {
  if (!hs->busy)
    return;
  torc_hostsim_violation(hs, "RCV-046",
                         "%s started while a %s is in progress on the "
                         "connection",
                         kind == TORC_TR_COMPLETE ? "receive completion"
                                                  : "receive indication",
                         hs->busy == TORC_TR_COMPLETE ? "receive completion"
                                                      : "receive indication");
  torc_hostsim_violation(hs, "RCV-047",
                         "completion/indication calls not serialized");
  if (hs->busy == TORC_TR_COMPLETE && kind == TORC_TR_COMPLETE)
    torc_hostsim_violation(hs, "RCV-108",
                           "receive completion called again before the "
                           "previous one returned (re-entrant post)");
}

/* ---- Host callbacks ----------------------------------------------------- */

static void poison_buffered(torc_hostsim *hs) {
  size_t i;
  for (i = 0; i < hs->vb->nfrags; i++)
    memset((void *)(uintptr_t)hs->bfr[i].data, POISON, hs->bfr[i].len);
}

static void host_initiate_offload_complete(void *ctx, uint64_t handle,
                                           uint32_t status) {
  torc_hostsim *hs = ctx;
  torc_trace_entry *e;
  if (upcall_check(hs, handle, "initiate_offload_complete", 0) < 0)
    return;
  if (!hs->offload_called) {
    torc_hostsim_violation(hs, "RCV-015",
                           "initiate_offload_complete without an offload");
    return;
  }
  if (hs->offload_done) {
    torc_hostsim_violation(hs, "RCV-015",
                           "initiate_offload_complete called twice");
    return;
  }
  switch (status) {
  case TORC_STATUS_SUCCESS:
  case TORC_STATUS_FAILURE:
  case TORC_STATUS_RESOURCES:
  case TORC_STATUS_OFFLOAD_TCP_RCV_BUFFER:
  case TORC_STATUS_OFFLOAD_TCP_RCV_WINDOW:
    break;
  default:
    torc_hostsim_violation(
        hs, "RCV-019", "initiate offload completed with status 0x%08" PRIX32,
        status);
  }
  e = torc_trace_add(&hs->trace, TORC_TR_OFFLOAD_COMPLETE, hs->at);
  if (e)
    e->status = status;
  hs->offload_done = status == TORC_STATUS_SUCCESS ? 1 : 2;
  /* RCV-011: the host frees (here: poisons) BufferedData at once. */
  if (status == TORC_STATUS_SUCCESS)
    poison_buffered(hs);
}

static void post_now(torc_hostsim *hs, const torc_event *e);

static int completion_status_ok(uint32_t s) {
  return s == TORC_STATUS_SUCCESS || s == TORC_STATUS_REQUEST_ABORTED ||
         s == TORC_STATUS_UPLOAD_IN_PROGRESS || s == TORC_STATUS_INVALID_STATE;
}

static void complete_one(torc_hostsim *hs, const torc_completion *c) {
  size_t i;
  hs_req *r = NULL;
  uint32_t bytes = c->bytes, k;
  for (i = 0; i < hs->nreqs; i++)
    if (hs->reqs[i].id == c->id) {
      r = &hs->reqs[i];
      break;
    }
  if (!r) {
    torc_hostsim_violation(
        hs, "RCV-109",
        "completion of request %" PRIu64 ", which was never posted", c->id);
    return;
  }
  if (r->done) {
    torc_hostsim_violation(hs, "RCV-109", "request %" PRIu64 " completed twice",
                           c->id);
    return;
  }
  if (i != hs->oldest_open)
    torc_hostsim_violation(hs, "RCV-061",
                           "request %" PRIu64
                           " completed before request %" PRIu64
                           ", posted earlier",
                           c->id, hs->reqs[hs->oldest_open].id);
  if (!completion_status_ok(c->status))
    torc_hostsim_violation(
        hs, "RCV-110", "request %" PRIu64 " completed with status 0x%08" PRIX32,
        c->id, c->status);
  if (bytes > r->size - r->prefilled) {
    torc_hostsim_violation(hs, "RCV-112",
                           "request %" PRIu64 " completed with %" PRIu32
                           " bytes, it has room for %" PRIu32,
                           c->id, bytes, r->size - r->prefilled);
    bytes = r->size - r->prefilled;
  }
  torc_trace_add_req(&hs->trace, c->id, c->status, c->bytes,
                     c->bytes ? hs->delivered : TORC_NO_OFFSET);
  /* DEC-12: the prefilled bytes are the host's. */
  for (k = 0; k < r->prefilled; k++)
    if (r->buf[k] != (uint8_t)(0x50 + k * 7)) {
      torc_hostsim_violation(
          hs, "RCV-187", "request %" PRIu64 ": prefilled byte %u overwritten",
          c->id, k);
      break;
    }
  {
    /* The slack can exceed one page when a pooled region is larger than
     * needed: compare it page by page with the one-page canary. */
    const uint8_t *lo = r->r.base + hs->pagesize;
    size_t slack = (size_t)(r->buf - lo), o, m;
    int bad = 0;
    for (o = 0; o < slack && !bad; o += m) {
      m = slack - o < hs->pagesize ? slack - o : hs->pagesize;
      bad = memcmp(lo + o, hs->canary, m) != 0;
    }
    if (bad)
      torc_hostsim_violation(hs, "RCV-113",
                             "request %" PRIu64
                             ": bytes written before the buffer's start",
                             c->id);
  }
  check_data(hs, r->buf + r->prefilled, bytes);
  r->done = 1;
  region_mark_returned(hs, &r->r); /* checked again at conn_close */
  while (hs->oldest_open < hs->nreqs && hs->reqs[hs->oldest_open].done)
    hs->oldest_open++;
}

static void host_receive_complete(void *ctx, uint64_t handle,
                                  const torc_completion *c, uint32_t count) {
  torc_hostsim *hs = ctx;
  size_t open = 0, i, n;
  int outer;
  torc_trace_entry *e;
  if (upcall_check(hs, handle, "receive_complete", 1) < 0)
    return;
  serial_check(hs, TORC_TR_COMPLETE);
  for (i = hs->oldest_open; i < hs->nreqs; i++)
    open += !hs->reqs[i].done;
  if (count == 0) {
    torc_hostsim_violation(hs, "RCV-109", "receive_complete with count 0");
    return;
  }
  if (!c) {
    torc_hostsim_violation(hs, "RCV-109", "receive_complete with a NULL array");
    return;
  }
  n = count;
  if (n > open) {
    torc_hostsim_violation(hs, "RCV-109",
                           "receive_complete with count %" PRIu32
                           " but only %zu requests are open",
                           count, open);
    n = open; /* never read beyond what the target could have filled */
  }
  e = torc_trace_add(&hs->trace, TORC_TR_COMPLETE, hs->at);
  (void)e;
  outer = hs->busy;
  hs->busy = TORC_TR_COMPLETE;
  for (i = 0; i < n; i++)
    complete_one(hs, &c[i]);
  /* The host posts from inside the completion (RCV-107). */
  if (hs->ninner) {
    size_t k, m = hs->ninner;
    hs->ninner = 0;
    for (k = 0; k < m; k++)
      post_now(hs, hs->inner[k]);
  }
  hs->busy = outer;
}

static uint32_t host_receive_indicate(void *ctx, uint64_t handle,
                                      uint64_t indication_id, uint32_t status,
                                      const torc_fragment *frags,
                                      uint32_t nfrags,
                                      uint32_t *bytes_consumed) {
  torc_hostsim *hs = ctx;
  const torc_vector_body *vb = hs->vb;
  const torc_answer *ans;
  torc_answer refuse = {TORC_STATUS_OFFLOAD_DATA_NOT_ACCEPTED, 0};
  uint64_t total = 0, h = 0xcbf29ce484222325ull;
  uint32_t consumed, left, i, nind;
  torc_trace_entry *e;
  size_t k;
  int outer;
  if (upcall_check(hs, handle, "receive_indicate", 1) < 0)
    return TORC_STATUS_OFFLOAD_DATA_NOT_ACCEPTED;
  serial_check(hs, TORC_TR_INDICATE);
  if (status != TORC_STATUS_SUCCESS)
    torc_hostsim_violation(
        hs, "RCV-125",
        "indication with status 0x%08" PRIX32 " (must be SUCCESS)", status);
  if (nfrags == 0 || !frags || nfrags > MAX_INDICATE_FRAGS) {
    torc_hostsim_violation(hs, "RCV-123",
                           "indication with %" PRIu32 " fragments%s", nfrags,
                           frags ? "" : " (NULL array)");
    return TORC_STATUS_OFFLOAD_DATA_NOT_ACCEPTED;
  }
  for (i = 0; i < nfrags; i++) {
    if (frags[i].len && !frags[i].data) {
      torc_hostsim_violation(
          hs, "RCV-123",
          "indication fragment %" PRIu32 " has a NULL data pointer", i);
      return TORC_STATUS_OFFLOAD_DATA_NOT_ACCEPTED;
    }
    total += frags[i].len;
  }
  if (total == 0 || total > UINT32_MAX) {
    torc_hostsim_violation(hs, "RCV-123", "indication of %" PRIu64 " bytes",
                           total);
    return TORC_STATUS_OFFLOAD_DATA_NOT_ACCEPTED;
  }
  for (i = hs->oldest_open; i < hs->nreqs; i++)
    if (!hs->reqs[i].done) {
      torc_hostsim_violation(hs, "RCV-143",
                             "indication while posted request %" PRIu64
                             " is not completed",
                             hs->reqs[i].id);
      torc_hostsim_violation(hs, "RCV-052",
                             "data indicated instead of placed into a "
                             "posted request");
      break;
    }
  if (!hs->ever_posted && hs->delivered < vb->buffered_len)
    torc_hostsim_violation(hs, "RCV-035",
                           "BufferedData indicated before any request was "
                           "posted");
  if (hs->refused)
    torc_hostsim_violation(hs, "RCV-142",
                           "data indicated again after a refusal, before a "
                           "request was posted");
  /* The host's answer: the vector's queue, then its default (DEC-02). */
  nind = hs->nindications++;
  ans = nind < vb->nanswers ? &vb->answers[nind] : &vb->default_answer;
  if (!bytes_consumed &&
      ans->status == TORC_STATUS_OFFLOAD_DATA_PARTIALLY_ACCEPTED) {
    torc_hostsim_violation(hs, "RCV-139",
                           "indication without a BytesConsumed pointer");
    ans = &refuse;
  }
  if (ans->status == TORC_STATUS_SUCCESS)
    consumed = (uint32_t)total;
  else if (ans->status == TORC_STATUS_OFFLOAD_DATA_PARTIALLY_ACCEPTED)
    consumed = ans->consumed < total ? ans->consumed : (uint32_t)total;
  else
    consumed = 0;
  e = torc_trace_add(&hs->trace, TORC_TR_INDICATE, hs->at);
  if (e) {
    e->offset = hs->delivered;
    e->len = (uint32_t)total;
    e->status = ans->status;
    e->consumed = consumed;
  }
  outer = hs->busy;
  hs->busy = TORC_TR_INDICATE;
  left = consumed;
  for (i = 0; i < nfrags && left; i++) {
    uint32_t take = frags[i].len < left ? frags[i].len : left;
    check_data(hs, frags[i].data, take);
    left -= take;
  }
  if (ans->status == TORC_STATUS_SUCCESS) {
    /* RCV-133: the bytes stay valid and unchanged until returned. */
    hs_ind *in;
    for (k = 0; k < hs->ninds; k++)
      if (hs->inds[k].id == indication_id && !hs->inds[k].handback)
        torc_hostsim_violation(hs, "RCV-133",
                               "indication id %" PRIu64
                               " reused before it was returned",
                               indication_id);
    if (GROW(hs, inds, capinds, hs->ninds + 1) == 0 &&
        GROW(hs, ifr, capifr, hs->nifr + nfrags) == 0) {
      in = &hs->inds[hs->ninds++];
      in->id = indication_id;
      in->first = (uint32_t)hs->nifr;
      in->count = nfrags;
      in->handback = 0;
      for (i = 0; i < nfrags; i++) {
        hs->ifr[hs->nifr++] = frags[i];
        h = fnv(h, frags[i].data, frags[i].len);
      }
      in->hash = h;
    }
  } else {
    hs->refused = 1;
  }
  if (bytes_consumed)
    *bytes_consumed = consumed;
  hs->busy = outer;
  return ans->status;
}

static void host_event_indicate(void *ctx, uint64_t handle, uint32_t event,
                                uint32_t info) {
  torc_hostsim *hs = ctx;
  torc_trace_entry *e;
  if (upcall_check(hs, handle, "event_indicate", 1) < 0)
    return;
  if (!torc_event_name(event))
    torc_hostsim_violation(hs, "RCV-122", "unknown event type %" PRIu32, event);
  if (event == TORC_EVENT_DISCONNECT) {
    if (hs->disconnect_seen)
      torc_hostsim_violation(hs, "RCV-255",
                             "disconnect indicated more than once (DEC-18)");
    hs->disconnect_seen = 1;
  }
  e = torc_trace_add(&hs->trace, TORC_TR_EVENT, hs->at);
  if (e) {
    e->event = event;
    e->info = info;
  }
}

static void host_terminate_offload_complete(void *ctx, uint64_t handle,
                                            uint32_t status,
                                            const torc_upload_state *st) {
  torc_hostsim *hs = ctx;
  torc_trace_entry *e;
  uint64_t handback = 0, before = hs->delivered;
  uint64_t h = 0xcbf29ce484222325ull;
  size_t i, first = hs->nifr;
  uint32_t nlists = 0, rcv_nxt = 0;
  if (upcall_check(hs, handle, "terminate_offload_complete", 0) < 0)
    return;
  if (!hs->terminate_called) {
    torc_hostsim_violation(hs, "RCV-226",
                           "terminate_offload_complete without a terminate");
    return;
  }
  if (hs->terminate_done) {
    torc_hostsim_violation(hs, "RCV-226",
                           "terminate_offload_complete called twice");
    return;
  }
  hs->terminate_done = 1;
  if (status != TORC_STATUS_SUCCESS && status != TORC_STATUS_FAILURE)
    torc_hostsim_violation(
        hs, "RCV-226", "terminate completed with status 0x%08" PRIX32, status);
  for (i = hs->oldest_open; i < hs->nreqs; i++)
    if (!hs->reqs[i].done) {
      torc_hostsim_violation(hs, "RCV-230",
                             "terminate completed while request %" PRIu64
                             " is still posted",
                             hs->reqs[i].id);
      break;
    }
  e = torc_trace_add(&hs->trace, TORC_TR_TERMINATE_COMPLETE, hs->at);
  if (!st) {
    torc_hostsim_violation(hs, "RCV-224",
                           "terminate completed without an upload state");
  } else if (st->struct_size < offsetof(torc_upload_state, buffered_id) +
                                   sizeof st->buffered_id) {
    torc_hostsim_violation(hs, "RCV-224",
                           "upload state struct_size %" PRIu32 " too small",
                           st->struct_size);
  } else {
    const torc_buffer_list *l;
    rcv_nxt = st->rcv_nxt;
    /* DEC-07: handed-back bytes continue the delivered stream. */
    for (l = st->buffered_data; l; l = l->next) {
      if (++nlists > MAX_HANDBACK_LISTS || (l->nfrags && !l->frags) ||
          l->nfrags > MAX_INDICATE_FRAGS) {
        torc_hostsim_violation(hs, "RCV-208",
                               "handed-back BufferedData chain is malformed");
        break;
      }
      for (i = 0; i < l->nfrags; i++) {
        const torc_fragment *f = &l->frags[i];
        if (f->len && !f->data) {
          torc_hostsim_violation(hs, "RCV-208",
                                 "handed-back fragment with NULL data");
          continue;
        }
        check_data(hs, f->data, f->len);
        handback += f->len;
        h = fnv(h, f->data, f->len);
        if (GROW(hs, ifr, capifr, hs->nifr + 1) == 0)
          hs->ifr[hs->nifr++] = *f;
      }
    }
    if (st->buffered_data) {
      if (GROW(hs, inds, capinds, hs->ninds + 1) == 0) {
        hs_ind *in = &hs->inds[hs->ninds++];
        in->id = st->buffered_id;
        in->first = (uint32_t)first;
        in->count = (uint32_t)(hs->nifr - first);
        in->hash = h;
        in->handback = 1;
      }
    }
    if (status == TORC_STATUS_SUCCESS &&
        (uint32_t)(rcv_nxt - hs->vb->isn) != (uint32_t)(before + handback) &&
        !(before + handback == hs->vb->fin_offset &&
          (uint32_t)(rcv_nxt - hs->vb->isn) ==
              (uint32_t)(before + handback + 1)))
      torc_hostsim_violation(
          hs, "RCV-224",
          "upload RcvNxt is stream offset %" PRIu32 " but delivered (%" PRIu64
          ") + handed back (%" PRIu64 ") bytes end at %" PRIu64 " (DEC-07)",
          (uint32_t)(rcv_nxt - hs->vb->isn), before, handback,
          before + handback);
  }
  if (e) {
    e->status = status;
    e->rcv_nxt = rcv_nxt;
    e->len = (uint32_t)handback;
    e->offset = handback ? before : TORC_NO_OFFSET;
  }
}

static const torc_host_ops host_ops = {
    sizeof(torc_host_ops),
    host_alloc,
    host_free,
    host_log,
    host_initiate_offload_complete,
    host_receive_complete,
    host_receive_indicate,
    host_event_indicate,
    host_terminate_offload_complete,
};

const torc_host_ops *torc_hostsim_ops(void) {
  return &host_ops;
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

static void release_requests(torc_hostsim *hs) {
  size_t i;
  for (i = 0; i < hs->nreqs; i++)
    region_put(hs, &hs->reqs[i].r);
  hs->nreqs = 0;
  hs->oldest_open = 0;
}

void torc_hostsim_free(torc_hostsim *hs) {
  size_t i;
  if (!hs)
    return;
  release_requests(hs);
  for (i = 0; i < hs->npool; i++)
    munmap(hs->pool[i].base, (hs->pool[i].npages + 2) * hs->pagesize);
  torc_trace_free(&hs->trace);
  free(hs->reqs);
  free(hs->inner);
  free(hs->inds);
  free(hs->ifr);
  free(hs->ret_ids);
  free(hs->arena);
  free(hs->bfr);
  free(hs->blists);
  free(hs->scratch);
  free(hs->canary);
  free(hs->returned);
  free(hs);
}

void torc_hostsim_begin(torc_hostsim *hs, const torc_vector_body *vb,
                        uint64_t host_handle) {
  release_requests(hs);
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
  hs->ninds = 0;
  hs->nifr = 0;
  hs->nfail = 0;
  hs->nviol = 0;
  memset(&hs->div, 0, sizeof hs->div);
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
          !region_untouched(hs, &hs->reqs[i].r)) {
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
    if (grow((void **)&hs->arena, &hs->arena_cap, need, 1) < 0 ||
        GROW(hs, bfr, capbfr, vb->nfrags) < 0 ||
        GROW(hs, blists, capblists, vb->nlists) < 0) {
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
  }
  hs->offload_called = 1;
  torc_call_initiate_offload(hs->cs, hs->conn, &st);
}

static void post_now(torc_hostsim *hs, const torc_event *e) {
  torc_recv_request rq;
  hs_req *r;
  uint32_t ret = TORC_STATUS_PENDING, k;
  size_t ps = hs->pagesize, npages;
  uint8_t *data;
  if (GROW(hs, reqs, capreqs, hs->nreqs + 1) < 0) {
    torc_hostsim_violation(hs, "RCV-090", "host out of memory");
    return;
  }
  r = &hs->reqs[hs->nreqs];
  memset(r, 0, sizeof *r);
  npages = e->size ? (e->size + ps - 1) / ps : 1;
  if (region_get(hs, npages, &r->r) < 0) {
    torc_hostsim_violation(hs, "RCV-090", "host could not map a buffer");
    return;
  }
  hs->nreqs++;
  r->id = e->req_id;
  r->size = e->size;
  r->prefilled = e->prefilled;
  r->push = e->push;
  data = region_data(hs, &r->r);
  r->buf = data + r->r.npages * ps - e->size; /* ends at the guard page */
  memset(data, CANARY, (size_t)(r->buf - data));
  for (k = 0; k < e->prefilled; k++)
    r->buf[k] = (uint8_t)(0x50 + k * 7);
  memset(&rq, 0, sizeof rq);
  rq.id = r->id;
  rq.buf = r->buf;
  rq.size = r->size;
  rq.prefilled = r->prefilled;
  rq.push = r->push;
  hs->ever_posted = 1;
  hs->refused = 0;
  torc_call_receive(hs->cs, hs->conn, &rq, 1, &ret);
  memset(&rq, 0, sizeof rq); /* borrowed for the call */
  if (ret != TORC_STATUS_PENDING)
    torc_hostsim_violation(
        hs, "RCV-091", "receive() returned 0x%08" PRIX32 " instead of PENDING",
        ret);
}

void torc_hostsim_post(torc_hostsim *hs, const torc_event *e) {
  post_now(hs, e);
}

void torc_hostsim_post_in_completion(torc_hostsim *hs, const torc_event *e) {
  if (GROW(hs, inner, capinner, hs->ninner + 1) == 0)
    hs->inner[hs->ninner++] = e;
}

void torc_hostsim_frame(torc_hostsim *hs, uint32_t frame_index) {
  const torc_capture *cap = hs->vb->cap;
  const torc_frame *f = &cap->frames[frame_index];
  torc_segment seg;
  if (grow((void **)&hs->scratch, &hs->scratch_cap, f->caplen + 1, 1) < 0) {
    torc_hostsim_violation(hs, "RCV-067", "host out of memory");
    return;
  }
  memcpy(hs->scratch, torc_capture_bytes(cap, f), f->caplen);
  memset(&seg, 0, sizeof seg);
  seg.frame = hs->scratch;
  seg.frame_len = f->caplen;
  seg.link_type = cap->link_type;
  seg.ip_offset = f->ip_offset;
  seg.tcp_offset = f->tcp_offset;
  seg.seq = f->seq;
  seg.ack = f->ack;
  seg.window = f->window;
  seg.flags = f->flags;
  seg.payload = hs->scratch + f->payload_offset;
  seg.payload_len = f->payload_len;
  torc_call_segment(hs->cs, hs->conn, &seg);
  memset(hs->scratch, POISON, f->caplen); /* borrowed for the call */
}

void torc_hostsim_advance(torc_hostsim *hs, uint64_t now_us) {
  torc_call_advance_time(hs->cs, hs->conn, now_us);
}

void torc_hostsim_terminate(torc_hostsim *hs) {
  hs->terminate_called = 1;
  torc_call_terminate_offload(hs->cs, hs->conn);
}

void torc_hostsim_return_all(torc_hostsim *hs) {
  size_t i, n = hs->ninds;
  if (n == 0)
    return;
  if (GROW(hs, ret_ids, capret, n) < 0)
    return;
  for (i = 0; i < n; i++) {
    const hs_ind *in = &hs->inds[i];
    uint64_t h = 0xcbf29ce484222325ull;
    uint32_t k;
    for (k = 0; k < in->count; k++)
      h = fnv(h, hs->ifr[in->first + k].data, hs->ifr[in->first + k].len);
    if (h != in->hash)
      torc_hostsim_violation(
          hs, in->handback ? "RCV-212" : "RCV-133",
          "%s %" PRIu64 ": bytes changed before the host returned them",
          in->handback ? "handed-back data" : "indication", in->id);
    hs->ret_ids[i] = in->id;
  }
  hs->ninds = 0;
  hs->nifr = 0;
  torc_call_receive_return(hs->cs, hs->conn, hs->ret_ids, (uint32_t)n);
}

void torc_hostsim_fail_alloc(torc_hostsim *hs, uint32_t nth) {
  if (hs->nfail < MAX_FAILS)
    hs->fail_at[hs->nfail++] = hs->nallocs + nth;
}

void torc_hostsim_fail_clear(torc_hostsim *hs) {
  hs->nfail = 0;
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
