/*
 * load_smoke_host.c - the recording host of load_smoke: the host callbacks
 * a target calls, each written to the recording as one line with its bytes.
 *
 * Where it sits: load_smoke.c loads a target with the table
 * smoke_host_ops returns; the script (load_smoke_script.c) calls the target,
 * whose upcalls land here.  Completions and indications are answered the
 * same way in and out of process, so the two recordings can be compared
 * line for line.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load_smoke_int.h"

void smoke_emit(rec *r, const char *fmt, ...) {
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
uint8_t smoke_stream_byte(uint32_t o) {
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
    smoke_emit(r, "alloc %zu -> NULL (injected)", size);
    return NULL;
  }
  void *p = malloc(size ? size : 1);
  if (p)
    r->outstanding++;
  smoke_emit(r, "alloc %zu", size);
  return p;
}

static void h_free(void *ctx, void *ptr) {
  rec *r = ctx;
  if (!ptr)
    return;
  r->outstanding--;
  free(ptr);
  smoke_emit(r, "free");
}

static void h_log(void *ctx, int level, const char *msg) {
  smoke_emit(ctx, "log %d %s", level, msg);
}

static void h_offload_complete(void *ctx, uint64_t handle, uint32_t status) {
  rec *r = ctx;
  /* RCV-011: the host poisons its BufferedData the moment the offload
   * completed successfully (the engine's and the runner's value). */
  if (status == TORC_STATUS_SUCCESS && r->bd)
    memset(r->bd, TORC_WIRE_POISON, r->bdlen);
  smoke_emit(ctx, "offload_complete h=%llx status=%08x",
             (unsigned long long)handle, status);
}

static void h_receive_complete(void *ctx, uint64_t handle,
                               const torc_completion *c, uint32_t count) {
  rec *r = ctx;
  smoke_emit(r, "receive_complete h=%llx count=%u", (unsigned long long)handle,
             count);
  for (uint32_t i = 0; i < count; i++) {
    req *q = NULL;
    for (int k = 0; k < r->nreqs; k++)
      if (r->reqs[k].live && r->reqs[k].id == c[i].id)
        q = &r->reqs[k];
    if (!q) {
      smoke_emit(r, "  id=%llu status=%08x bytes=%u (unknown request)",
                 (unsigned long long)c[i].id, c[i].status, c[i].bytes);
      continue;
    }
    uint32_t room = q->size - q->prefilled;
    uint32_t n = q->prefilled + (c[i].bytes < room ? c[i].bytes : room);
    smoke_emit(r, "  id=%llu status=%08x bytes=%u data=%u:%016llx first=%02x",
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
    smoke_post(r, 900, 0, 1, "reentrant");
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
  smoke_emit(r,
             "receive_indicate h=%llx id=%llu status=%08x nfrags=%u bytes=%u "
             "data=%016llx -> %08x consumed=%u",
             (unsigned long long)handle, (unsigned long long)ind_id, status,
             nfrags, total, (unsigned long long)h, answer, *bytes_consumed);
  return answer;
}

static void h_event(void *ctx, uint64_t handle, uint32_t event, uint32_t info) {
  smoke_emit(ctx, "event h=%llx event=%u info=%u", (unsigned long long)handle,
             event, info);
}

static void h_terminate_complete(void *ctx, uint64_t handle, uint32_t status,
                                 const torc_upload_state *st) {
  rec *r = ctx;
  if (!st) {
    smoke_emit(r, "terminate_complete h=%llx status=%08x st=NULL",
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
  smoke_emit(r,
             "terminate_complete h=%llx status=%08x rcv_nxt=%u rcv_wnd=%u "
             "buffered=%u lists=%u data=%016llx id=%llu",
             (unsigned long long)handle, status, st->rcv_nxt, st->rcv_wnd,
             total, nlists, (unsigned long long)h,
             (unsigned long long)st->buffered_id);
  if (st->buffered_data) {
    r->upload_id = st->buffered_id;
    r->has_upload = 1;
  }
}

torc_host_ops smoke_host_ops(void) {
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
