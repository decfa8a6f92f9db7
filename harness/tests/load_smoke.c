/*
 * load_smoke.c - drives targets through torc_load() with a recording host,
 * for harness/tests/test_loading.py (no engine, no vectors needed).
 *
 * Where it sits: a test program beside the engine.  It plays a small host:
 * one fixed script (offload with BufferedData in two lists, posts, in-order,
 * out-of-order and duplicate segments, push timer, indications answered
 * SUCCESS / PARTIALLY_ACCEPTED / NOT_ACCEPTED in turn, receive-return, posts
 * made from inside a completion (RCV-107), terminate with handed-back data,
 * a second connection) and records every upcall with its bytes, in call
 * order, as text.  Run in process and through exec:torc-target-runner, the
 * two recordings must be identical line for line.
 *
 *   load_smoke load SPEC [--fail-alloc K] load + unload; prints the error
 *   load_smoke trace SPEC [--fail-alloc K]
 *   load_smoke compare SPEC_A SPEC_B [--fail-alloc K]
 *   load_smoke status SPEC [TIMEOUT_MS]  runs the script; prints the status
 *                                        it ends in, then restarts
 *   load_smoke bench SPEC N              N scripts; prints us per script
 *   load_smoke fuzz N SEED               the codec on N mutated messages
 *
 * Exit status: 0 ok, 1 mismatch / unexpected, 2 load error.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sys/socket.h>
#include <unistd.h>

#include "torc_load.h"
#include "torc_wire.h"

#define ISN 1000000u
#define HANDLE1 0x1001u
#define HANDLE2 0x2002u
#define MAX_REQ 64

typedef struct req {
  uint64_t id;
  uint8_t *buf;
  uint32_t size, prefilled;
  int live;
} req;

typedef struct rec {
  char *text;
  size_t len, cap;
  size_t lines;
  torc_target *ops;
  void *conn;
  req reqs[MAX_REQ];
  int nreqs;
  uint64_t next_id;
  int reentrant_left;
  unsigned indications;
  uint64_t accepted[256];
  int naccepted;
  uint64_t upload_id;
  int has_upload;
  long allocs, outstanding, fail_at;
  uint8_t *bd; /* the BufferedData handed over, poisoned once offloaded */
  size_t bdlen;
} rec;

static void emit(rec *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void emit(rec *r, const char *fmt, ...) {
  char line[1024];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
  va_end(ap);
  if (n < 0)
    return;
  if ((size_t)n > sizeof(line) - 2)
    n = (int)sizeof(line) - 2;
  line[n++] = '\n';
  if (r->len + (size_t)n + 1 > r->cap) {
    r->cap = (r->len + (size_t)n + 1) * 2;
    r->text = realloc(r->text, r->cap);
    if (!r->text)
      abort();
  }
  memcpy(r->text + r->len, line, (size_t)n);
  r->len += (size_t)n;
  r->text[r->len] = '\0';
  r->lines++;
}

/* Byte at stream offset o (offset 0 = first BufferedData byte). */
static uint8_t stream_byte(uint32_t o) {
  return (uint8_t)((o * 131u + (o >> 8) * 7u + 17u) & 0xFF);
}

static uint64_t fnv(const uint8_t *p, size_t n) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < n; i++)
    h = (h ^ p[i]) * 1099511628211ull;
  return h;
}

/* ---- Host callbacks ------------------------------------------------------ */

static void *h_alloc(void *ctx, size_t size) {
  rec *r = ctx;
  r->allocs++;
  if (r->fail_at && r->allocs == r->fail_at) {
    emit(r, "alloc %zu -> NULL (injected)", size);
    return NULL;
  }
  void *p = malloc(size ? size : 1);
  if (p)
    r->outstanding++;
  emit(r, "alloc %zu", size);
  return p;
}

static void h_free(void *ctx, void *ptr) {
  rec *r = ctx;
  if (!ptr)
    return;
  r->outstanding--;
  free(ptr);
  emit(r, "free");
}

static void h_log(void *ctx, int level, const char *msg) {
  emit(ctx, "log %d %s", level, msg);
}

static void h_offload_complete(void *ctx, uint64_t handle, uint32_t status) {
  rec *r = ctx;
  /* RCV-011: the host poisons its BufferedData the moment the offload
   * completed successfully (the engine's and the runner's value). */
  if (status == TORC_STATUS_SUCCESS && r->bd)
    memset(r->bd, TORC_WIRE_POISON, r->bdlen);
  emit(ctx, "offload_complete h=%llx status=%08x", (unsigned long long)handle,
       status);
}

static uint32_t post(rec *r, uint32_t size, uint32_t prefilled, uint8_t push,
                     const char *why);

static void h_receive_complete(void *ctx, uint64_t handle,
                               const torc_completion *c, uint32_t count) {
  rec *r = ctx;
  emit(r, "receive_complete h=%llx count=%u", (unsigned long long)handle,
       count);
  for (uint32_t i = 0; i < count; i++) {
    req *q = NULL;
    for (int k = 0; k < r->nreqs; k++)
      if (r->reqs[k].live && r->reqs[k].id == c[i].id)
        q = &r->reqs[k];
    if (!q) {
      emit(r, "  id=%llu status=%08x bytes=%u (unknown request)",
           (unsigned long long)c[i].id, c[i].status, c[i].bytes);
      continue;
    }
    uint32_t room = q->size - q->prefilled;
    uint32_t n = q->prefilled + (c[i].bytes < room ? c[i].bytes : room);
    emit(r, "  id=%llu status=%08x bytes=%u data=%u:%016llx first=%02x",
         (unsigned long long)c[i].id, c[i].status, c[i].bytes, n,
         (unsigned long long)fnv(q->buf, n),
         n > q->prefilled ? q->buf[q->prefilled] : 0);
    q->live = 0;
    free(q->buf);
    q->buf = NULL;
  }
  /* Posts made from inside the completion (RCV-107). */
  while (r->reentrant_left > 0) {
    r->reentrant_left--;
    post(r, 900, 0, 1, "reentrant");
  }
}

static uint32_t h_receive_indicate(void *ctx, uint64_t handle, uint64_t ind_id,
                                   uint32_t status, const torc_fragment *frags,
                                   uint32_t nfrags, uint32_t *bytes_consumed) {
  rec *r = ctx;
  uint64_t h = 1469598103934665603ull;
  uint32_t total = 0;
  for (uint32_t i = 0; i < nfrags; i++) {
    for (uint32_t j = 0; j < frags[i].len; j++)
      h = (h ^ frags[i].data[j]) * 1099511628211ull;
    total += frags[i].len;
  }
  uint32_t answer;
  switch (r->indications++ % 3) {
  case 0:
    answer = TORC_STATUS_SUCCESS;
    *bytes_consumed = total;
    if (r->naccepted < 256)
      r->accepted[r->naccepted++] = ind_id;
    break;
  case 1:
    answer = TORC_STATUS_OFFLOAD_DATA_PARTIALLY_ACCEPTED;
    *bytes_consumed = total / 2;
    break;
  default:
    answer = TORC_STATUS_OFFLOAD_DATA_NOT_ACCEPTED;
    *bytes_consumed = 0;
    break;
  }
  emit(r,
       "receive_indicate h=%llx id=%llu status=%08x nfrags=%u bytes=%u "
       "data=%016llx -> %08x consumed=%u",
       (unsigned long long)handle, (unsigned long long)ind_id, status, nfrags,
       total, (unsigned long long)h, answer, *bytes_consumed);
  return answer;
}

static void h_event(void *ctx, uint64_t handle, uint32_t event, uint32_t info) {
  emit(ctx, "event h=%llx event=%u info=%u", (unsigned long long)handle, event,
       info);
}

static void h_terminate_complete(void *ctx, uint64_t handle, uint32_t status,
                                 const torc_upload_state *st) {
  rec *r = ctx;
  if (!st) {
    emit(r, "terminate_complete h=%llx status=%08x st=NULL",
         (unsigned long long)handle, status);
    return;
  }
  uint64_t h = 1469598103934665603ull;
  uint32_t total = 0, nlists = 0;
  for (const torc_buffer_list *l = st->buffered_data; l; l = l->next) {
    nlists++;
    for (uint32_t i = 0; i < l->nfrags; i++) {
      for (uint32_t j = 0; j < l->frags[i].len; j++)
        h = (h ^ l->frags[i].data[j]) * 1099511628211ull;
      total += l->frags[i].len;
    }
  }
  emit(r,
       "terminate_complete h=%llx status=%08x rcv_nxt=%u rcv_wnd=%u "
       "buffered=%u lists=%u data=%016llx id=%llu",
       (unsigned long long)handle, status, st->rcv_nxt, st->rcv_wnd, total,
       nlists, (unsigned long long)h, (unsigned long long)st->buffered_id);
  if (st->buffered_data) {
    r->upload_id = st->buffered_id;
    r->has_upload = 1;
  }
}

/* ---- Script -------------------------------------------------------------- */

static uint32_t post(rec *r, uint32_t size, uint32_t prefilled, uint8_t push,
                     const char *why) {
  if (r->nreqs == MAX_REQ)
    return 0;
  req *q = &r->reqs[r->nreqs++];
  q->id = r->next_id++;
  q->size = size;
  q->prefilled = prefilled;
  q->buf = malloc(size ? size : 1);
  memset(q->buf, 0xEE, size);
  for (uint32_t i = 0; i < prefilled; i++)
    q->buf[i] = (uint8_t)('P' + i);
  q->live = 1;
  torc_recv_request rq = {q->id, q->buf, size, prefilled, push};
  uint32_t st = r->ops->receive(r->ops->user_data, r->conn, &rq, 1);
  emit(r, "op receive%s%s id=%llu size=%u prefilled=%u push=%u -> %08x",
       why ? " " : "", why ? why : "", (unsigned long long)q->id, size,
       prefilled, push, st);
  return st;
}

static void segment(rec *r, uint32_t off, uint32_t len, uint8_t flags) {
  uint8_t *f = calloc(1, 40 + len);
  f[0] = 0x45;
  f[2] = (uint8_t)((40 + len) >> 8);
  f[3] = (uint8_t)(40 + len);
  f[8] = 64;
  f[9] = 6;
  uint8_t src[4] = {10, 0, 0, 2}, dst[4] = {10, 0, 0, 1};
  memcpy(f + 12, src, 4);
  memcpy(f + 16, dst, 4);
  uint32_t seq = ISN + off;
  uint8_t *t = f + 20;
  t[0] = 0x1F;
  t[1] = 0x90; /* 8080 */
  t[2] = 0xC3;
  t[3] = 0x50; /* 50000 */
  for (int i = 0; i < 4; i++)
    t[4 + i] = (uint8_t)(seq >> (24 - 8 * i));
  t[12] = 0x50;
  t[13] = flags;
  t[14] = 0xFF;
  t[15] = 0xFF;
  for (uint32_t i = 0; i < len; i++)
    f[40 + i] = stream_byte(off + i);
  torc_segment s = {f,    40 + len, 101,   0, 20,     seq,
                    5000, 0xFFFF,   flags, 0, f + 40, len};
  emit(r, "op segment off=%u len=%u flags=%02x", off, len, flags);
  r->ops->segment(r->ops->user_data, r->conn, &s);
  free(f);
}

static void advance(rec *r, uint64_t us) {
  emit(r, "op advance_time %llu", (unsigned long long)us);
  r->ops->advance_time(r->ops->user_data, us);
}

static void ret_accepted(rec *r) {
  emit(r, "op receive_return count=%d", r->naccepted);
  r->ops->receive_return(r->ops->user_data, r->conn, r->accepted,
                         (uint32_t)r->naccepted);
  r->naccepted = 0;
}

static void free_reqs(rec *r) {
  for (int k = 0; k < r->nreqs; k++)
    free(r->reqs[k].buf);
  r->nreqs = 0;
}

/* The whole script on one loaded target. */
static void run_script(rec *r, torc_target *ops) {
  r->ops = ops;
  int rc = ops->conn_open(ops->user_data, HANDLE1, &r->conn);
  emit(r, "op conn_open h=%x -> %d", HANDLE1, rc);
  if (rc != 0)
    return;
  /* BufferedData: [0,1000) as two lists, 300+200 and 500 (RCV-003). */
  uint8_t *bd = malloc(1000);
  for (uint32_t i = 0; i < 1000; i++)
    bd[i] = stream_byte(i);
  torc_fragment f1[2] = {{bd, 300}, {bd + 300, 200}};
  torc_fragment f2[1] = {{bd + 500, 500}};
  torc_buffer_list l2 = {NULL, f2, 1};
  torc_buffer_list l1 = {&l2, f1, 2};
  torc_offload_state st;
  memset(&st, 0, sizeof(st));
  st.struct_size = sizeof(st);
  st.rcv_nxt = ISN + 1000;
  st.rcv_wnd = 65535;
  st.snd_una = st.snd_nxt = 5000;
  st.snd_wnd = 65535;
  st.buffered_data = &l1;
  st.ticks_per_second = 1000;
  st.push_ticks = 0;
  st.initial_rcv_wnd = 65535;
  st.mss = 1460;
  st.conn_state = 4;
  st.ip_version = 4;
  st.local_port = 50000;
  st.remote_port = 8080;
  r->bd = bd;
  r->bdlen = 1000;
  emit(r, "op initiate_offload");
  ops->initiate_offload(ops->user_data, r->conn, &st);
  advance(r, 1000);
  post(r, 700, 0, 1, NULL);
  post(r, 2000, 0, 0, NULL);
  segment(r, 1000, 1460, TORC_TCP_ACK | TORC_TCP_PSH);
  segment(r, 2460, 1000, TORC_TCP_ACK);
  segment(r, 4460, 500, TORC_TCP_ACK | TORC_TCP_PSH); /* out of order */
  segment(r, 3460, 1000, TORC_TCP_ACK);               /* fills the gap */
  advance(r, 600000);                                 /* push timer */
  segment(r, 4960, 1460, TORC_TCP_ACK);
  segment(r, 4960, 1460, TORC_TCP_ACK); /* duplicate */
  advance(r, 1200000);
  r->reentrant_left = 2;
  post(r, 1000, 0, 1, NULL);
  segment(r, 6420, 3000, TORC_TCP_ACK | TORC_TCP_PSH);
  segment(r, 9420, 1460, TORC_TCP_ACK | TORC_TCP_PSH);
  advance(r, 1800000);
  for (uint32_t o = 10880; o < 10880 + 6 * 1460; o += 1460)
    segment(r, o, 1460, TORC_TCP_ACK | TORC_TCP_PSH);
  advance(r, 2400000);
  ret_accepted(r);
  post(r, 500, 8, 1, NULL);
  for (uint32_t o = 19640; o < 19640 + 3 * 1000; o += 1000)
    segment(r, o, 1000, TORC_TCP_ACK | TORC_TCP_PSH);
  advance(r, 3000000);
  ret_accepted(r);
  segment(r, 22640, 100, TORC_TCP_ACK | TORC_TCP_PSH | TORC_TCP_FIN);
  if (ops->get_stats) {
    torc_target_stats s;
    memset(&s, 0, sizeof(s));
    s.struct_size = sizeof(s);
    rc = ops->get_stats(ops->user_data, r->conn, &s);
    emit(r, "op get_stats -> %d in=%llu oow=%llu dup=%llu ooo=%llu trim=%llu",
         rc, (unsigned long long)s.segments_in,
         (unsigned long long)s.dropped_out_of_window,
         (unsigned long long)s.dropped_duplicate,
         (unsigned long long)s.queued_out_of_order,
         (unsigned long long)s.bytes_trimmed);
  }
  emit(r, "op terminate_offload");
  ops->terminate_offload(ops->user_data, r->conn);
  if (r->has_upload) {
    emit(r, "op receive_return upload id=%llu",
         (unsigned long long)r->upload_id);
    ops->receive_return(ops->user_data, r->conn, &r->upload_id, 1);
    r->has_upload = 0;
  }
  ret_accepted(r);
  emit(r, "op conn_close");
  ops->conn_close(ops->user_data, r->conn);
  free_reqs(r);
  r->bd = NULL;
  free(bd);

  /* A second connection: no BufferedData, closed while requests pend. */
  rc = ops->conn_open(ops->user_data, HANDLE2, &r->conn);
  emit(r, "op conn_open h=%x -> %d", HANDLE2, rc);
  if (rc != 0)
    return;
  st.buffered_data = NULL;
  st.rcv_nxt = ISN;
  emit(r, "op initiate_offload");
  ops->initiate_offload(ops->user_data, r->conn, &st);
  post(r, 3000, 0, 1, NULL);
  segment(r, 0, 1000, TORC_TCP_ACK);
  segment(r, 1000, 1000, TORC_TCP_ACK | TORC_TCP_PSH);
  post(r, 0, 0, 1, NULL); /* zero-byte request (RCV-116) */
  emit(r, "op conn_close");
  ops->conn_close(ops->user_data, r->conn);
  free_reqs(r);
}

static torc_host_ops host_ops(void) {
  torc_host_ops h;
  memset(&h, 0, sizeof(h));
  h.struct_size = sizeof(h);
  h.alloc = h_alloc;
  h.free = h_free;
  h.log = h_log;
  h.initiate_offload_complete = h_offload_complete;
  h.receive_complete = h_receive_complete;
  h.receive_indicate = h_receive_indicate;
  h.event_indicate = h_event;
  h.terminate_offload_complete = h_terminate_complete;
  return h;
}

/* Loads spec, runs the script, unloads.  Returns the recording (owned). */
static char *record(const char *spec, long fail_at, size_t *lines) {
  rec *r = calloc(1, sizeof(*r));
  r->next_id = 1;
  r->fail_at = fail_at;
  torc_host_ops h = host_ops();
  torc_loaded *l;
  torc_target ops;
  char err[TORC_ERRBUF_SIZE];
  if (torc_load(spec, &h, r, &l, &ops, err) != 0) {
    fprintf(stderr, "%s\n", err);
    exit(2);
  }
  emit(r, "loaded name=%s caps=%llx abi=%u", ops.name,
       (unsigned long long)ops.capabilities, ops.abi_version);
  run_script(r, &ops);
  /* A fresh instance (torc_loaded_reset) must replay the script exactly:
   * nothing (clock, counters) survives from the first run. */
  int rs = torc_loaded_reset(l, &ops, err);
  emit(r, "op reset -> %d %s", rs, rs ? err : "");
  if (rs == 0) {
    r->next_id = 1;
    r->indications = 0;
    r->naccepted = 0;
    r->has_upload = 0;
    run_script(r, &ops);
  }
  char why[TORC_ERRBUF_SIZE];
  int st = torc_loaded_status(l, why, sizeof(why));
  emit(r, "status %d %s", st, why);
  torc_unload(l);
  emit(r, "host blocks still allocated after unload: %ld", r->outstanding);
  *lines = r->lines;
  char *t = r->text;
  free(r);
  return t;
}

static long parse_fail(int argc, char **argv, int at) {
  if (argc > at + 1 && strcmp(argv[at], "--fail-alloc") == 0)
    return atol(argv[at + 1]);
  return 0;
}

static int cmd_compare(const char *a, const char *b, long fail_at) {
  size_t na, nb;
  char *ta = record(a, fail_at, &na);
  char *tb = record(b, fail_at, &nb);
  /* The "loaded" lines may differ only in nothing: same name, caps, ABI. */
  const char *pa = ta, *pb = tb;
  for (size_t line = 1;; line++) {
    const char *ea = strchr(pa, '\n'), *eb = strchr(pb, '\n');
    if (!ea && !eb)
      break;
    if (!ea || !eb || ea - pa != eb - pb || memcmp(pa, pb, (size_t)(ea - pa))) {
      printf("MISMATCH at line %zu\n  %s: %.*s\n  %s: %.*s\n", line, a,
             ea ? (int)(ea - pa) : 5, ea ? pa : "(end)", b,
             eb ? (int)(eb - pb) : 5, eb ? pb : "(end)");
      free(ta);
      free(tb);
      return 1;
    }
    pa = ea + 1;
    pb = eb + 1;
  }
  printf("identical: %zu events\n", na);
  free(ta);
  free(tb);
  return 0;
}

static const char *status_name(int st) {
  return st == 0                   ? "OK"
         : st == TORC_LOAD_CRASHED ? "CRASHED"
         : st == TORC_LOAD_TIMEOUT ? "TIMEOUT"
                                   : "?";
}

static int cmd_status(const char *spec, unsigned timeout_ms) {
  rec *r = calloc(1, sizeof(*r));
  r->next_id = 1;
  torc_host_ops h = host_ops();
  torc_loaded *l;
  torc_target ops;
  char err[TORC_ERRBUF_SIZE];
  if (torc_load(spec, &h, r, &l, &ops, err) != 0) {
    fprintf(stderr, "%s\n", err);
    return 2;
  }
  if (timeout_ms)
    torc_loaded_set_timeout(l, timeout_ms);
  run_script(r, &ops);
  char why[TORC_ERRBUF_SIZE];
  int st = torc_loaded_status(l, why, sizeof(why));
  printf("status %s: %s\n", status_name(st), why);
  /* Every op is a no-op now: this must neither hang nor crash. */
  void *conn = NULL;
  int rc = ops.conn_open(ops.user_data, 7, &conn);
  printf("conn_open after failure -> %d\n", rc);
  if (rc == 0)
    ops.conn_close(ops.user_data, conn);
  int rs = torc_loaded_restart(l, err);
  printf("restart -> %d %s\n", rs, rs ? err : "");
  printf("status after restart %s\n",
         status_name(torc_loaded_status(l, why, sizeof(why))));
  torc_unload(l);
  free(r->text);
  free_reqs(r);
  free(r);
  return 0;
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmd_bench(const char *spec, int n) {
  rec *r = calloc(1, sizeof(*r));
  r->next_id = 1;
  torc_host_ops h = host_ops();
  torc_loaded *l;
  torc_target ops;
  char err[TORC_ERRBUF_SIZE];
  if (torc_load(spec, &h, r, &l, &ops, err) != 0) {
    fprintf(stderr, "%s\n", err);
    return 2;
  }
  double t0 = now_s();
  size_t events = 0;
  for (int i = 0; i < n; i++) {
    r->len = 0;
    r->lines = 0;
    run_script(r, &ops);
    events += r->lines;
  }
  double dt = now_s() - t0;
  printf("%s: %d scripts, %.1f us/script, %zu events/script, "
         "%.2f us/event\n",
         spec, n, dt * 1e6 / n, events / (size_t)n, dt * 1e6 / (double)events);
  torc_unload(l);
  free(r->text);
  free(r);
  return 0;
}

/* ---- Codec fuzzing --------------------------------------------------------
 * Well-formed samples of every message type must validate; every strict
 * prefix of one must not (all fields are fixed-size or length-prefixed);
 * random mutations and random streams must be answered, never crash. */

static uint64_t rng_state;
static uint32_t rnd(void) {
  rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
  return (uint32_t)(rng_state >> 33);
}

typedef struct sample {
  uint8_t *p;
  size_t len; /* body only (after the length prefix) */
} sample;

static void keep(sample *s, int *n, torc_wbuf *b) {
  if (torc_wbuf_finish(b) != 0)
    abort();
  s[*n].len = b->len - 4;
  s[*n].p = malloc(s[*n].len);
  memcpy(s[*n].p, b->p + 4, s[*n].len);
  (*n)++;
}

static int make_samples(sample *s) {
  int n = 0;
  torc_wbuf b = {0};
  uint8_t bytes[64];
  for (int i = 0; i < 64; i++)
    bytes[i] = (uint8_t)i;
  torc_fragment fr[2] = {{bytes, 10}, {bytes + 10, 20}};
  torc_buffer_list l2 = {NULL, fr + 1, 1}, l1 = {&l2, fr, 1};
  torc_offload_state st;
  memset(&st, 0, sizeof(st));
  st.buffered_data = &l1;
  torc_segment seg = {bytes, 60, 101, 0, 20, 1, 2, 3, 0x18, 0, bytes + 40, 20};

  torc_wbuf_begin(&b, TORC_MSG_HELLO);
  torc_wbuf_u32(&b, TORC_WIRE_MAGIC);
  torc_wbuf_u16(&b, 1);
  torc_wbuf_u32(&b, 1);
  keep(s, &n, &b);
  torc_wbuf_begin(&b, TORC_MSG_RET);
  torc_wbuf_u8(&b, TORC_MSG_HELLO);
  torc_wbuf_u8(&b, 1);
  torc_wbuf_u16(&b, 1);
  torc_wbuf_u32(&b, 1);
  torc_wbuf_u32(&b, 120);
  torc_wbuf_u64(&b, 0x3FFF);
  torc_wbuf_str(&b, "name");
  torc_wbuf_str(&b, "1.0");
  keep(s, &n, &b);
  torc_wbuf_begin(&b, TORC_MSG_OP_INITIATE_OFFLOAD);
  torc_wbuf_u64(&b, 1);
  torc_wire_put_offload_state(&b, &st);
  keep(s, &n, &b);
  torc_wbuf_begin(&b, TORC_MSG_OP_RECEIVE);
  torc_wbuf_u64(&b, 1);
  torc_wbuf_u32(&b, 2);
  for (int i = 0; i < 2; i++) {
    torc_wbuf_u64(&b, (uint64_t)i);
    torc_wbuf_u32(&b, 100);
    torc_wbuf_u32(&b, 3);
    torc_wbuf_u8(&b, 1);
    torc_wbuf_bytes(&b, bytes, 3);
  }
  keep(s, &n, &b);
  torc_wbuf_begin(&b, TORC_MSG_OP_RECEIVE_RETURN);
  torc_wbuf_u64(&b, 1);
  torc_wbuf_u32(&b, 2);
  torc_wbuf_u64(&b, 5);
  torc_wbuf_u64(&b, 6);
  keep(s, &n, &b);
  torc_wbuf_begin(&b, TORC_MSG_OP_SEGMENT);
  torc_wbuf_u64(&b, 1);
  torc_wire_put_segment(&b, &seg);
  keep(s, &n, &b);
  torc_wbuf_begin(&b, TORC_MSG_UP_LOG);
  torc_wbuf_u32(&b, 2);
  torc_wbuf_str(&b, "hello");
  keep(s, &n, &b);
  torc_wbuf_begin(&b, TORC_MSG_UP_RECEIVE_COMPLETE);
  torc_wbuf_u64(&b, 1);
  torc_wbuf_u32(&b, 2);
  for (int i = 0; i < 2; i++) {
    torc_wbuf_u64(&b, (uint64_t)i);
    torc_wbuf_u32(&b, 0);
    torc_wbuf_u32(&b, 7);
    torc_wbuf_u32(&b, 7);
    torc_wbuf_bytes(&b, bytes, 7);
  }
  keep(s, &n, &b);
  torc_wbuf_begin(&b, TORC_MSG_UP_RECEIVE_INDICATE);
  torc_wbuf_u64(&b, 1);
  torc_wbuf_u64(&b, 9);
  torc_wbuf_u32(&b, 0);
  torc_wbuf_u32(&b, 2);
  torc_wbuf_u32(&b, 5);
  torc_wbuf_bytes(&b, bytes, 5);
  torc_wbuf_u32(&b, 1);
  torc_wbuf_bytes(&b, bytes, 1);
  keep(s, &n, &b);
  torc_wbuf_begin(&b, TORC_MSG_UP_TERMINATE_COMPLETE);
  torc_wbuf_u64(&b, 1);
  torc_wbuf_u32(&b, 0);
  torc_wbuf_u8(&b, 1);
  torc_wbuf_u32(&b, 10);
  torc_wbuf_u32(&b, 20);
  torc_wbuf_u64(&b, 30);
  torc_wbuf_chain(&b, &l1);
  keep(s, &n, &b);
  torc_wbuf_begin(&b, TORC_MSG_RET);
  torc_wbuf_u8(&b, TORC_MSG_OP_GET_STATS);
  torc_wbuf_u32(&b, 0);
  torc_target_stats ts;
  memset(&ts, 0, sizeof(ts));
  torc_wire_put_stats(&b, &ts);
  keep(s, &n, &b);
  torc_wbuf_free(&b);
  return n;
}

static int cmd_fuzz(long iters, unsigned long seed) {
  rng_state = seed;
  sample s[32];
  int n = make_samples(s);
  char why[128];
  long prefixes = 0, accepted = 0, rejected = 0;
  for (int i = 0; i < n; i++) {
    if (torc_wire_validate(s[i].p, s[i].len, why, sizeof(why)) != 0) {
      printf("FAIL: sample %d (%s) rejected: %s\n", i,
             torc_wire_type_name(s[i].p[0]), why);
      return 1;
    }
    for (size_t k = 1; k < s[i].len; k++, prefixes++)
      if (torc_wire_validate(s[i].p, k, why, sizeof(why)) == 0) {
        printf("FAIL: %zu-byte prefix of %s accepted\n", k,
               torc_wire_type_name(s[i].p[0]));
        return 1;
      }
  }
  uint8_t *m = malloc(4096);
  for (long it = 0; it < iters; it++) {
    const sample *x = &s[rnd() % (uint32_t)n];
    size_t len = x->len;
    memcpy(m, x->p, len);
    int flips = 1 + (int)(rnd() % 4);
    for (int f = 0; f < flips; f++) {
      switch (rnd() % 4) {
      case 0:
        m[rnd() % len] ^= (uint8_t)(1u << (rnd() % 8));
        break;
      case 1:
        m[rnd() % len] = (uint8_t)rnd();
        break;
      case 2: /* a count or length to something huge */
        if (len >= 5) {
          size_t at = rnd() % (len - 3);
          m[at] = m[at + 1] = m[at + 2] = m[at + 3] = 0xFF;
        }
        break;
      default:
        len = 1 + rnd() % len;
        break;
      }
    }
    if (torc_wire_validate(m, len, why, sizeof(why)) == 0)
      accepted++;
    else
      rejected++;
  }
  /* A stream of garbage through a real channel: it must end in an error. */
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
    return 1;
  for (int i = 0; i < 4096; i++)
    m[i] = (uint8_t)rnd();
  m[0] = 9; /* a plausible first length */
  m[1] = m[2] = m[3] = 0;
  if (write(sv[1], m, 4096) != 4096)
    return 1;
  close(sv[1]);
  torc_wire_chan c;
  torc_wire_chan_init(&c, sv[0], sv[0], NULL, NULL);
  c.deadline = torc_wire_now_ms() + 2000;
  int msgs = 0;
  for (;;) {
    uint8_t *body;
    size_t blen;
    if (torc_wire_recv(&c, &body, &blen) != 0)
      break;
    free(body);
    msgs++;
  }
  printf("garbage stream: %d messages, then: %s\n", msgs, c.why);
  torc_wire_chan_free(&c);
  close(sv[0]);
  free(m);
  for (int i = 0; i < n; i++)
    free(s[i].p);
  printf("fuzz ok: %d samples, %ld prefixes rejected, %ld mutants: %ld "
         "accepted, %ld rejected\n",
         n, prefixes, iters, accepted, rejected);
  return c.failed ? 0 : 1;
}

int main(int argc, char **argv) {
  if (argc >= 3 && !strcmp(argv[1], "load")) {
    rec r;
    memset(&r, 0, sizeof(r));
    r.fail_at = parse_fail(argc, argv, 3);
    torc_host_ops h = host_ops();
    torc_loaded *l;
    torc_target ops;
    char err[TORC_ERRBUF_SIZE];
    if (torc_load(argv[2], &h, &r, &l, &ops, err) != 0) {
      printf("%s\n", err);
      return 2;
    }
    printf("loaded name=%s version=%s abi=%u caps=0x%llx remote=%d\n", ops.name,
           ops.version, ops.abi_version, (unsigned long long)ops.capabilities,
           torc_loaded_is_remote(l));
    torc_unload(l);
    free(r.text);
    return 0;
  }
  if (argc >= 3 && !strcmp(argv[1], "trace")) {
    size_t n;
    char *t = record(argv[2], parse_fail(argc, argv, 3), &n);
    fputs(t, stdout);
    free(t);
    return 0;
  }
  if (argc >= 4 && !strcmp(argv[1], "compare"))
    return cmd_compare(argv[2], argv[3], parse_fail(argc, argv, 4));
  if (argc >= 3 && !strcmp(argv[1], "status"))
    return cmd_status(argv[2], argc > 3 ? (unsigned)atoi(argv[3]) : 0);
  if (argc >= 4 && !strcmp(argv[1], "bench"))
    return cmd_bench(argv[2], atoi(argv[3]));
  if (argc >= 4 && !strcmp(argv[1], "fuzz"))
    return cmd_fuzz(atol(argv[2]), strtoul(argv[3], NULL, 10));
  fprintf(stderr,
          "usage: load_smoke load|trace|compare|status|bench|fuzz ...\n");
  return 2;
}
