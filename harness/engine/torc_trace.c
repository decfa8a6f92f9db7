/*
 * torc_trace.c - the trace recorder: the host simulation appends what the
 * target did (torc_hostsim.c), the vector loader builds the expected trace in
 * the same form (torc_vector.c), the judge compares them (torc_judge.c), and
 * reports get them back as JSON in the vector format.
 */
#include "torc_trace.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <torc/target.h>

void torc_trace_init(torc_trace *t) {
  memset(t, 0, sizeof *t);
}

void torc_trace_reset(torc_trace *t) {
  t->n = 0;
  t->nreqs = 0;
  t->nwhy = 0;
}

void torc_trace_free(torc_trace *t) {
  free(t->e);
  free(t->reqs);
  free(t->why);
  memset(t, 0, sizeof *t);
}

torc_trace_entry *torc_trace_add(torc_trace *t, uint32_t kind, uint32_t at) {
  torc_trace_entry *x;
  if (t->n == t->cap) {
    size_t nc = t->cap ? t->cap * 2 : 32;
    torc_trace_entry *ne = realloc(t->e, nc * sizeof *ne);
    if (!ne)
      return NULL;
    t->e = ne;
    t->cap = nc;
  }
  x = &t->e[t->n++];
  memset(x, 0, sizeof *x);
  x->kind = kind;
  x->at = at;
  x->offset = TORC_NO_OFFSET;
  x->first = (uint32_t)t->nreqs;
  return x;
}

int torc_trace_add_req(torc_trace *t, uint64_t id, uint32_t status,
                       uint32_t bytes, uint64_t offset) {
  torc_trace_req *r;
  if (t->n == 0 || t->e[t->n - 1].kind != TORC_TR_COMPLETE)
    return -1;
  if (t->nreqs == t->capreqs) {
    size_t nc = t->capreqs ? t->capreqs * 2 : 32;
    torc_trace_req *nr = realloc(t->reqs, nc * sizeof *nr);
    if (!nr)
      return -1;
    t->reqs = nr;
    t->capreqs = nc;
  }
  r = &t->reqs[t->nreqs++];
  r->id = id;
  r->status = status;
  r->bytes = bytes;
  r->offset = offset;
  t->e[t->n - 1].count++;
  return 0;
}

int torc_trace_set_why(torc_trace *t, const torc_because *codes, size_t n) {
  torc_trace_entry *x;
  if (t->n == 0)
    return -1;
  if (t->nwhy + n > t->capwhy) {
    size_t nc = t->capwhy ? t->capwhy * 2 : 256;
    torc_because *nw;
    while (nc < t->nwhy + n)
      nc *= 2;
    nw = realloc(t->why, nc * sizeof *nw);
    if (!nw)
      return -1;
    t->why = nw;
    t->capwhy = nc;
  }
  x = &t->e[t->n - 1];
  x->why_first = (uint32_t)t->nwhy;
  x->why_count = (uint32_t)n;
  if (n)
    memcpy(t->why + t->nwhy, codes, n * sizeof *codes);
  t->nwhy += n;
  return 0;
}

int torc_trace_copy(torc_trace *dst, const torc_trace *src) {
  torc_trace_reset(dst);
  if (src->n > dst->cap) {
    torc_trace_entry *ne = realloc(dst->e, src->n * sizeof *ne);
    if (!ne)
      return -1;
    dst->e = ne;
    dst->cap = src->n;
  }
  if (src->nreqs > dst->capreqs) {
    torc_trace_req *nr = realloc(dst->reqs, src->nreqs * sizeof *nr);
    if (!nr)
      return -1;
    dst->reqs = nr;
    dst->capreqs = src->nreqs;
  }
  if (src->nwhy > dst->capwhy) {
    torc_because *nw = realloc(dst->why, src->nwhy * sizeof *nw);
    if (!nw)
      return -1;
    dst->why = nw;
    dst->capwhy = src->nwhy;
  }
  if (src->nwhy)
    memcpy(dst->why, src->why, src->nwhy * sizeof *dst->why);
  dst->nwhy = src->nwhy;
  if (src->n)
    memcpy(dst->e, src->e, src->n * sizeof *dst->e);
  if (src->nreqs)
    memcpy(dst->reqs, src->reqs, src->nreqs * sizeof *dst->reqs);
  dst->n = src->n;
  dst->nreqs = src->nreqs;
  return 0;
}

static const char *const kind_names[TORC_TR_KIND_COUNT] = {
    "offload_complete", "complete", "indicate", "event", "terminate_complete"};

const char *torc_trace_kind_name(uint32_t kind) {
  return kind < TORC_TR_KIND_COUNT ? kind_names[kind] : "?";
}

int torc_trace_kind_parse(const char *name) {
  int i;
  for (i = 0; i < TORC_TR_KIND_COUNT; i++)
    if (strcmp(name, kind_names[i]) == 0)
      return i;
  return -1;
}

static const struct {
  const char *name;
  uint32_t value;
} statuses[] = {
    {"SUCCESS", TORC_STATUS_SUCCESS},
    {"PENDING", TORC_STATUS_PENDING},
    {"NOT_ACCEPTED", TORC_STATUS_NOT_ACCEPTED},
    {"FAILURE", TORC_STATUS_FAILURE},
    {"RESOURCES", TORC_STATUS_RESOURCES},
    {"NOT_SUPPORTED", TORC_STATUS_NOT_SUPPORTED},
    {"INVALID_STATE", TORC_STATUS_INVALID_STATE},
    {"REQUEST_ABORTED", TORC_STATUS_REQUEST_ABORTED},
    {"UPLOAD_IN_PROGRESS", TORC_STATUS_UPLOAD_IN_PROGRESS},
    {"OFFLOAD_TCP_RCV_BUFFER", TORC_STATUS_OFFLOAD_TCP_RCV_BUFFER},
    {"OFFLOAD_TCP_RCV_WINDOW", TORC_STATUS_OFFLOAD_TCP_RCV_WINDOW},
    {"OFFLOAD_DATA_NOT_ACCEPTED", TORC_STATUS_OFFLOAD_DATA_NOT_ACCEPTED},
    {"PARTIALLY_ACCEPTED", TORC_STATUS_OFFLOAD_DATA_PARTIALLY_ACCEPTED},
};

const char *torc_status_name(uint32_t status) {
  size_t i;
  for (i = 0; i < sizeof statuses / sizeof statuses[0]; i++)
    if (statuses[i].value == status)
      return statuses[i].name;
  return NULL;
}

int torc_status_parse(const char *name, uint32_t *out) {
  size_t i;
  if (strcmp(name, "OFFLOAD_DATA_PARTIALLY_ACCEPTED") == 0) {
    *out = TORC_STATUS_OFFLOAD_DATA_PARTIALLY_ACCEPTED;
    return 0;
  }
  for (i = 0; i < sizeof statuses / sizeof statuses[0]; i++)
    if (strcmp(statuses[i].name, name) == 0) {
      *out = statuses[i].value;
      return 0;
    }
  return -1;
}

const char *torc_event_name(uint32_t event) {
  switch (event) {
  case TORC_EVENT_DISCONNECT:
    return "DISCONNECT";
  case TORC_EVENT_RETRIEVE:
    return "RETRIEVE";
  case TORC_EVENT_ABORT:
    return "ABORT";
  default:
    return NULL;
  }
}

int torc_event_parse(const char *name, uint32_t *out) {
  static const uint32_t evs[] = {TORC_EVENT_DISCONNECT, TORC_EVENT_RETRIEVE,
                                 TORC_EVENT_ABORT};
  size_t i;
  for (i = 0; i < 3; i++)
    if (strcmp(torc_event_name(evs[i]), name) == 0) {
      *out = evs[i];
      return 0;
    }
  return -1;
}

static void status_text(uint32_t s, char *buf, size_t n) {
  const char *nm = torc_status_name(s);
  if (nm)
    snprintf(buf, n, "%s", nm);
  else
    snprintf(buf, n, "0x%08" PRIX32, s);
}

void torc_trace_entry_text(const torc_trace *t, size_t i, char *buf, size_t n) {
  const torc_trace_entry *x = &t->e[i];
  char st[32];
  size_t k, used;
  if (i >= t->n) {
    snprintf(buf, n, "(nothing)");
    return;
  }
  status_text(x->status, st, sizeof st);
  switch (x->kind) {
  case TORC_TR_OFFLOAD_COMPLETE:
    snprintf(buf, n, "offload_complete %s (event %u)", st, x->at);
    break;
  case TORC_TR_COMPLETE:
    used = (size_t)snprintf(buf, n, "complete (event %u):", x->at);
    for (k = 0; k < x->count && used < n; k++) {
      const torc_trace_req *r = &t->reqs[x->first + k];
      char rs[32];
      status_text(r->status, rs, sizeof rs);
      used += (size_t)snprintf(buf + used, n - used, " [id %" PRIu64 " %s %u]",
                               r->id, rs, r->bytes);
    }
    break;
  case TORC_TR_INDICATE:
    snprintf(buf, n,
             "indicate %u bytes at offset %" PRIu64
             " answered %s consumed %u (event %u)",
             x->len, x->offset, st, x->consumed, x->at);
    break;
  case TORC_TR_EVENT: {
    const char *en = torc_event_name(x->event);
    snprintf(buf, n, "event %s%s info %u (event %u)", en ? en : "#",
             en ? "" : "?", x->info, x->at);
    break;
  }
  case TORC_TR_TERMINATE_COMPLETE:
    snprintf(buf, n,
             "terminate_complete %s rcv_nxt %u handback %u bytes (event %u)",
             st, x->rcv_nxt, x->len, x->at);
    break;
  default:
    snprintf(buf, n, "?");
  }
}

/* Appends printf output to a growing string; returns -1 on OOM. */
typedef struct sbuf {
  char *s;
  size_t n, cap;
} sbuf;

static int sb_printf(sbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int sb_printf(sbuf *b, const char *fmt, ...) {
  va_list ap;
  int k;
  for (;;) {
    size_t room = b->cap - b->n;
    va_start(ap, fmt);
    k = vsnprintf(b->s ? b->s + b->n : NULL, b->s ? room : 0, fmt, ap);
    va_end(ap);
    if (k < 0)
      return -1;
    if (b->s && (size_t)k < room) {
      b->n += (size_t)k;
      return 0;
    }
    {
      size_t nc = b->cap ? b->cap * 2 : 256;
      char *ns;
      while (nc < b->n + (size_t)k + 1)
        nc *= 2;
      ns = realloc(b->s, nc);
      if (!ns)
        return -1;
      b->s = ns;
      b->cap = nc;
    }
  }
}

static int sb_status(sbuf *b, const char *key, uint32_t s) {
  const char *nm = torc_status_name(s);
  if (nm)
    return sb_printf(b, "\"%s\":\"%s\"", key, nm);
  return sb_printf(b, "\"%s\":%" PRIu32, key, s);
}

char *torc_trace_to_json(const torc_trace *t) {
  sbuf b = {NULL, 0, 0};
  size_t i, k;
  int rc = sb_printf(&b, "[");
  for (i = 0; i < t->n && rc == 0; i++) {
    const torc_trace_entry *x = &t->e[i];
    rc |= sb_printf(&b, "%s{\"at\":%u,\"ev\":\"%s\",", i ? "," : "", x->at,
                    torc_trace_kind_name(x->kind));
    switch (x->kind) {
    case TORC_TR_OFFLOAD_COMPLETE:
      rc |= sb_status(&b, "status", x->status);
      break;
    case TORC_TR_COMPLETE:
      rc |= sb_printf(&b, "\"requests\":[");
      for (k = 0; k < x->count; k++) {
        const torc_trace_req *r = &t->reqs[x->first + k];
        rc |= sb_printf(&b, "%s{\"id\":%" PRIu64 ",", k ? "," : "", r->id);
        rc |= sb_status(&b, "status", r->status);
        rc |= sb_printf(&b, ",\"bytes\":%u", r->bytes);
        if (r->bytes && r->offset != TORC_NO_OFFSET)
          rc |= sb_printf(&b, ",\"offset\":%" PRIu64, r->offset);
        rc |= sb_printf(&b, "}");
      }
      rc |= sb_printf(&b, "]");
      break;
    case TORC_TR_INDICATE:
      rc |= sb_printf(&b, "\"offset\":%" PRIu64 ",\"len\":%u,",
                      x->offset == TORC_NO_OFFSET ? 0 : x->offset, x->len);
      rc |= sb_status(&b, "answer", x->status);
      rc |= sb_printf(&b, ",\"consumed\":%u", x->consumed);
      break;
    case TORC_TR_EVENT: {
      const char *en = torc_event_name(x->event);
      if (en)
        rc |= sb_printf(&b, "\"event\":\"%s\",\"info\":%u", en, x->info);
      else
        rc |= sb_printf(&b, "\"event\":%u,\"info\":%u", x->event, x->info);
      break;
    }
    case TORC_TR_TERMINATE_COMPLETE:
      rc |= sb_status(&b, "status", x->status);
      rc |= sb_printf(&b, ",\"rcv_nxt\":%u,\"handback_len\":%u", x->rcv_nxt,
                      x->len);
      break;
    default:
      break;
    }
    if (x->why_count > 0 && x->why_first + x->why_count <= t->nwhy) {
      rc |= sb_printf(&b, ",\"because\":[");
      for (k = 0; k < x->why_count; k++) {
        char nm[16];
        torc_because_name(t->why[x->why_first + k], nm, sizeof nm);
        rc |= sb_printf(&b, "%s\"%s\"", k ? "," : "", nm);
      }
      rc |= sb_printf(&b, "]");
    }
    rc |= sb_printf(&b, "}");
  }
  rc |= sb_printf(&b, "]");
  if (rc) {
    free(b.s);
    return NULL;
  }
  return b.s;
}
