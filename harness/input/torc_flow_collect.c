/*
 * torc_flow_collect.c - a whole capture reassembled in memory (small
 * captures: tests, the fuzzer; `torc vectorize` streams instead, so its
 * memory does not follow the capture, vectors/vectorizer/
 * torc_vectorize_pass.c).
 *
 * torc_flow_collect opens the capture (torc_flow_read.c), runs the
 * reassembler with callbacks that append every direction's in-order bytes
 * (gaps zero-filled), frame-map entries and conflicts to growing arrays, up
 * to a byte limit, and copies each direction's final state.
 */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "torc_flow_int.h"

#define DEF_COLLECT_MAX ((size_t)256 << 20)

/* ---- Collecting a whole capture. ---- */

typedef struct collector {
  torc_flow_capture *cap;
  size_t max_bytes, total;
  size_t *capdata, *capmap, *capconf; /* capacities per direction */
  size_t ncapdirs;
  int err;
} collector;

static torc_flow_stream *col_dir(collector *c, uint32_t id) {
  torc_flow_capture *cap = c->cap;
  if (id >= cap->ndirs) {
    size_t nc = c->ncapdirs, n = (size_t)id + 1;
    if (n > nc) {
      torc_flow_stream *nd;
      size_t *a, *b, *e;
      nc = nc ? nc * 2 : 8;
      while (nc < n)
        nc *= 2;
      nd = realloc(cap->dirs, nc * sizeof *nd);
      if (nd == NULL)
        return NULL;
      cap->dirs = nd;
      a = realloc(c->capdata, nc * sizeof *a);
      if (a == NULL)
        return NULL;
      c->capdata = a;
      b = realloc(c->capmap, nc * sizeof *b);
      if (b == NULL)
        return NULL;
      c->capmap = b;
      e = realloc(c->capconf, nc * sizeof *e);
      if (e == NULL)
        return NULL;
      c->capconf = e;
      c->ncapdirs = nc;
    }
    memset(cap->dirs + cap->ndirs, 0, (n - cap->ndirs) * sizeof *cap->dirs);
    memset(c->capdata + cap->ndirs, 0, (n - cap->ndirs) * sizeof(size_t));
    memset(c->capmap + cap->ndirs, 0, (n - cap->ndirs) * sizeof(size_t));
    memset(c->capconf + cap->ndirs, 0, (n - cap->ndirs) * sizeof(size_t));
    cap->ndirs = n;
  }
  return &cap->dirs[id];
}

static int grow(void **p, size_t *cap, size_t need, size_t elem) {
  size_t nc = *cap ? *cap : 16;
  void *np;
  if (need <= *cap)
    return 0;
  while (nc < need)
    nc *= 2;
  np = realloc(*p, nc * elem);
  if (np == NULL)
    return -1;
  *p = np;
  *cap = nc;
  return 0;
}

/* Appends len bytes (zeros when p is NULL) at the end of a stream. */
static int col_append(collector *c, uint32_t id, const uint8_t *p, size_t len) {
  torc_flow_stream *s = col_dir(c, id);
  if (s == NULL) {
    c->err = TORC_FLOW_ERR_NOMEM;
    return 1;
  }
  if (len > c->max_bytes - c->total) {
    c->err = TORC_FLOW_ERR_LIMIT;
    return 1;
  }
  c->total += len;
  if (grow((void **)&s->data, &c->capdata[id], s->len + len, 1) < 0) {
    c->err = TORC_FLOW_ERR_NOMEM;
    return 1;
  }
  if (p != NULL)
    memcpy(s->data + s->len, p, len);
  else
    memset(s->data + s->len, 0, len);
  s->len += len;
  return 0;
}

static int col_data(void *u, const torc_flow_dir *d, uint64_t off,
                    const uint8_t *p, size_t len) {
  return col_append(u, d->id, p, len);
}

static int col_gap(void *u, const torc_flow_dir *d, uint64_t off,
                   uint64_t len) {
  collector *c = u;
  if (len > SIZE_MAX) {
    c->err = TORC_FLOW_ERR_LIMIT;
    return 1;
  }
  return col_append(c, d->id, NULL, (size_t)len);
}

static int col_frame(void *u, const torc_flow_dir *d,
                     const torc_flow_map_entry *e) {
  collector *c = u;
  torc_flow_stream *s = col_dir(c, d->id);
  if (s == NULL ||
      grow((void **)&s->map, &c->capmap[d->id], s->nmap + 1, sizeof *s->map)) {
    c->err = TORC_FLOW_ERR_NOMEM;
    return 1;
  }
  s->map[s->nmap++] = *e;
  return 0;
}

static int col_conflict(void *u, const torc_flow_dir *d,
                        const torc_flow_conflict *k) {
  collector *c = u;
  torc_flow_stream *s = col_dir(c, d->id);
  if (s == NULL || grow((void **)&s->conflicts, &c->capconf[d->id],
                        s->nconflicts + 1, sizeof *s->conflicts)) {
    c->err = TORC_FLOW_ERR_NOMEM;
    return 1;
  }
  s->conflicts[s->nconflicts++] = *k;
  return 0;
}

int torc_flow_collect_pcap(struct pcap *pc, const char *name,
                           const torc_flow_options *opt, size_t max_bytes,
                           torc_flow_capture **out, char *err, size_t errlen) {
  collector c;
  torc_flow_callbacks cb;
  torc_flow *fl;
  size_t i;
  int rc;
  *out = NULL;
  memset(&c, 0, sizeof c);
  c.max_bytes = max_bytes ? max_bytes : DEF_COLLECT_MAX;
  c.cap = calloc(1, sizeof *c.cap);
  memset(&cb, 0, sizeof cb);
  cb.user = &c;
  cb.on_data = col_data;
  cb.on_gap = col_gap;
  cb.on_frame = col_frame;
  cb.on_conflict = col_conflict;
  fl = c.cap != NULL ? torc_flow_new(pcap_datalink(pc), opt, &cb) : NULL;
  if (fl == NULL) {
    free(c.cap);
    snprintf(err, errlen, "%s: out of memory", name);
    return TORC_FLOW_ERR_NOMEM;
  }
  c.cap->dlt = fl->dlt;
  rc = torc_flow_read_pcap(fl, pc, name, err, errlen);
  if (rc == TORC_FLOW_ERR_STOPPED && c.err != 0) {
    /* Name the real reason, keeping the "NAME: frame N:" prefix. */
    char *colon = strrchr(err, ':');
    rc = c.err;
    if (colon != NULL)
      snprintf(colon, errlen - (size_t)(colon - err), ": %s",
               torc_flow_strerror(rc));
  }
  if (rc == 0 && fl->ndirs > 0 && col_dir(&c, (uint32_t)fl->ndirs - 1) == NULL)
    rc = TORC_FLOW_ERR_NOMEM;
  if (rc == 0)
    for (i = 0; i < fl->ndirs; i++)
      c.cap->dirs[i].info = fl->dirs[i]->info;
  c.cap->stats = fl->st;
  torc_flow_free(fl);
  free(c.capdata);
  free(c.capmap);
  free(c.capconf);
  if (rc != 0) {
    torc_flow_capture_free(c.cap);
    return rc;
  }
  *out = c.cap;
  return 0;
}

int torc_flow_collect(const char *path, const torc_flow_options *opt,
                      size_t max_bytes, torc_flow_capture **out, char *err,
                      size_t errlen) {
  pcap_t *pc;
  int rc;
  *out = NULL;
  if ((rc = torcint_flow_open_capture(path, &pc, err, errlen)) != 0)
    return rc;
  rc = torc_flow_collect_pcap(pc, path, opt, max_bytes, out, err, errlen);
  pcap_close(pc);
  return rc;
}

void torc_flow_capture_free(torc_flow_capture *c) {
  size_t i;
  if (c == NULL)
    return;
  for (i = 0; i < c->ndirs; i++) {
    free(c->dirs[i].data);
    free(c->dirs[i].map);
    free(c->dirs[i].conflicts);
  }
  free(c->dirs);
  free(c);
}

const torc_flow_stream *torc_flow_capture_find(const torc_flow_capture *c,
                                               const torc_flow_key *k) {
  size_t i;
  for (i = 0; i < c->ndirs; i++)
    if (torcint_flow_key_eq(&c->dirs[i].info.key, k))
      return &c->dirs[i];
  return NULL;
}
