/*
 * torc_flow.c - the flow table of the TCP reassembler: directions by key,
 * and the per-frame entry point.
 *
 * Where it sits: between libpcap and the vectorizer.  torc_flow_read_file
 * (torc_flow_read.c) opens a capture and takes one frame at a time;
 * torc_flow_frame here parses it with torc_capture_parse (torc_capture.c
 * owns link-layer, IP and TCP parsing), counts what is not TCP, verifies
 * checksums (torc_flow_checksum.c), finds or opens the frame's direction in
 * a hash table keyed by addresses and ports (a new SYN after FIN/RST ends
 * the old direction), and hands the segment to the direction's reassembler
 * (torc_flow_reasm.c).  Memory per direction is bounded by the options:
 * the caller may bound the directions held at once (max_dirs) and keep
 * only the directions it wants (want), so a capture of a million flows
 * costs nothing for the flows nobody asked for.  torc_flow_collect
 * (torc_flow_collect.c) is a small consumer of the callbacks that keeps
 * everything in memory.
 */
#include "torc_flow.h"

#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>

#include "torc/target.h"
#include "torc_flow_int.h"

#define DEF_MAX_HELD ((uint64_t)64 << 20)
#define DEF_HISTORY ((uint32_t)4 << 20)
#define DEF_WINDOW_SLACK ((uint32_t)64 << 10)

const char *torc_flow_strerror(int rc) {
  switch (rc) {
  case TORC_FLOW_OK:
    return "ok";
  case TORC_FLOW_ERR_OPEN:
    return "cannot open capture";
  case TORC_FLOW_ERR_LINKTYPE:
    return "unsupported link type";
  case TORC_FLOW_ERR_FORMAT:
    return "malformed or truncated capture file";
  case TORC_FLOW_ERR_NOMEM:
    return "out of memory";
  case TORC_FLOW_ERR_STOPPED:
    return "stopped by a callback";
  case TORC_FLOW_ERR_LIMIT:
    return "capture too large to collect in memory";
  case TORC_FLOW_ERR_DIRS:
    return "more TCP directions at once than the reassembler may hold";
  default:
    return "unknown error";
  }
}

int torc_flow_dlt_supported(int dlt) {
  switch (dlt) {
  case DLT_EN10MB:
  case DLT_LINUX_SLL:
#ifdef DLT_LINUX_SLL2
  case DLT_LINUX_SLL2:
#endif
  case DLT_RAW:
#ifdef DLT_IPV4
  case DLT_IPV4:
  case DLT_IPV6:
#endif
  case DLT_NULL:
#ifdef DLT_LOOP
  case DLT_LOOP:
#endif
    return 1;
  default:
    return 0;
  }
}

/* ---- Directions and their hash table. ---- */

static uint64_t key_hash(const torc_flow_key *k) {
  uint64_t h = 1469598103934665603u;
  const uint8_t *parts[2] = {k->src, k->dst};
  size_t n = k->ip_version == 4 ? 4 : 16, i, j;
  for (j = 0; j < 2; j++)
    for (i = 0; i < n; i++)
      h = (h ^ parts[j][i]) * 1099511628211u;
  h = (h ^ k->sport) * 1099511628211u;
  h = (h ^ k->dport) * 1099511628211u;
  h = (h ^ k->ip_version) * 1099511628211u;
  return h ^ (h >> 29);
}

/* Nonzero when two keys name the same direction. */
int torcint_flow_key_eq(const torc_flow_key *a, const torc_flow_key *b) {
  return a->ip_version == b->ip_version && a->sport == b->sport &&
         a->dport == b->dport && memcmp(a->src, b->src, 16) == 0 &&
         memcmp(a->dst, b->dst, 16) == 0;
}

static flow_dir *hash_find(const torc_flow *fl, const torc_flow_key *k) {
  flow_dir *d;
  if (fl->hcap == 0)
    return NULL;
  for (d = fl->hash[key_hash(k) & (fl->hcap - 1)]; d != NULL; d = d->hnext)
    if (torcint_flow_key_eq(&d->info.key, k))
      return d;
  return NULL;
}

static int hash_insert(torc_flow *fl, flow_dir *d) {
  size_t b;
  if (fl->hcount + 1 > fl->hcap) {
    size_t nc = fl->hcap ? fl->hcap * 2 : 64, i;
    flow_dir **nh = calloc(nc, sizeof *nh);
    if (nh == NULL)
      return TORC_FLOW_ERR_NOMEM;
    for (i = 0; i < fl->hcap; i++) {
      flow_dir *e = fl->hash[i], *next;
      for (; e != NULL; e = next) {
        next = e->hnext;
        b = key_hash(&e->info.key) & (nc - 1);
        e->hnext = nh[b];
        nh[b] = e;
      }
    }
    free(fl->hash);
    fl->hash = nh;
    fl->hcap = nc;
  }
  b = key_hash(&d->info.key) & (fl->hcap - 1);
  d->hnext = fl->hash[b];
  fl->hash[b] = d;
  d->in_hash = 1;
  fl->hcount++;
  return 0;
}

static void hash_remove(torc_flow *fl, flow_dir *d) {
  flow_dir **pp;
  if (!d->in_hash)
    return;
  pp = &fl->hash[key_hash(&d->info.key) & (fl->hcap - 1)];
  for (; *pp != NULL; pp = &(*pp)->hnext)
    if (*pp == d) {
      *pp = d->hnext;
      d->in_hash = 0;
      fl->hcount--;
      return;
    }
}

static flow_dir *dir_new(torc_flow *fl, const torc_flow_key *k,
                         uint32_t frame) {
  flow_dir *d, *rev;
  torc_flow_key rk;
  if (fl->ndirs == fl->capdirs) {
    size_t nc = fl->capdirs ? fl->capdirs * 2 : 16;
    flow_dir **nd = realloc(fl->dirs, nc * sizeof *nd);
    if (nd == NULL)
      return NULL;
    fl->dirs = nd;
    fl->capdirs = nc;
  }
  d = calloc(1, sizeof *d);
  if (d == NULL)
    return NULL;
  d->info.key = *k;
  d->info.id = (uint32_t)fl->ndirs;
  d->info.first_frame = frame;
  d->info.reverse_id = UINT32_MAX;
  d->info.syn_wscale = -1;
  if (hash_insert(fl, d) < 0) {
    free(d);
    return NULL;
  }
  rk = *k;
  memcpy(rk.src, k->dst, 16);
  memcpy(rk.dst, k->src, 16);
  rk.sport = k->dport;
  rk.dport = k->sport;
  rev = hash_find(fl, &rk);
  if (rev != NULL) {
    d->info.reverse_id = rev->info.id;
    rev->info.reverse_id = d->info.id;
  }
  fl->dirs[fl->ndirs++] = d;
  fl->st.directions++;
  return d;
}

static void dir_release(flow_dir *d) {
  size_t i;
  for (i = 0; i < d->nheld; i++)
    free(d->held[i].data);
  free(d->held);
  free(d->ring);
  free(d->recs);
  d->held = NULL;
  d->nheld = d->capheld = 0;
  d->ring = NULL;
  d->ringcap = 0;
  d->recs = NULL;
  d->rhead = d->rcount = d->rcap = 0;
}

static int dir_end(torc_flow *fl, flow_dir *d) {
  int rc;
  if (d->nheld > 0)
    d->info.gap_frame = 0; /* skipped at the end of the capture */
  while (d->nheld > 0)
    if ((rc = torcint_flow_skip_gap(fl, d)) != 0)
      return rc;
  d->info.ended = 1;
  hash_remove(fl, d);
  dir_release(d);
  if (fl->cb.on_end != NULL && fl->cb.on_end(fl->cb.user, &d->info))
    return TORC_FLOW_ERR_STOPPED;
  return 0;
}

/* ---- Public entry points. ---- */

torc_flow *torc_flow_new(int dlt, const torc_flow_options *opt,
                         const torc_flow_callbacks *cb) {
  torc_flow *fl = calloc(1, sizeof *fl);
  if (fl == NULL)
    return NULL;
  fl->dlt = dlt;
  if (opt != NULL)
    fl->opt = *opt;
  if (fl->opt.max_held_bytes == 0)
    fl->opt.max_held_bytes = DEF_MAX_HELD;
  if (fl->opt.history_bytes == 0)
    fl->opt.history_bytes = DEF_HISTORY;
  if (fl->opt.window_slack == 0)
    fl->opt.window_slack = DEF_WINDOW_SLACK;
  fl->pos = -1;
  { /* the ring is indexed with a mask: round down to a power of two */
    uint32_t h = fl->opt.history_bytes;
    while (h & (h - 1))
      h &= h - 1;
    fl->opt.history_bytes = h;
  }
  if (cb != NULL)
    fl->cb = *cb;
  return fl;
}

void torc_flow_free(torc_flow *fl) {
  size_t i;
  if (fl == NULL)
    return;
  for (i = 0; i < fl->ndirs; i++) {
    dir_release(fl->dirs[i]);
    free(fl->dirs[i]);
  }
  free(fl->dirs);
  free(fl->hash);
  free(fl->pieces);
  free(fl);
}

int torc_flow_frame(torc_flow *fl, uint32_t number, uint64_t ts_us,
                    const uint8_t *p, uint32_t caplen, uint32_t wirelen) {
  torc_frame f;
  torc_flow_key k;
  flow_dir *d;
  int rc;
  memset(&f, 0, sizeof f);
  f.number = number;
  fl->st.frames++;
  switch (torc_capture_parse(fl->dlt, p, caplen, wirelen, &f)) {
  case TORC_FRAME_TCP:
    break;
  case TORC_FRAME_NOT_IP:
    fl->st.not_ip++;
    return 0;
  case TORC_FRAME_NOT_TCP:
    fl->st.not_tcp++;
    return 0;
  case TORC_FRAME_FRAGMENT:
    fl->st.fragments++;
    return 0;
  case TORC_FRAME_TRUNCATED:
    fl->st.truncated++;
    return 0;
  default:
    fl->st.malformed++;
    return 0;
  }
  fl->st.tcp_frames++;
  if (!fl->opt.no_checksums)
    torcint_flow_check_sums(fl, p, &f);
  memset(&k, 0, sizeof k);
  k.ip_version = f.ip_version;
  memcpy(k.src, f.src, 16);
  memcpy(k.dst, f.dst, 16);
  k.sport = f.sport;
  k.dport = f.dport;
  d = hash_find(fl, &k);
  /* A new connection on the same addresses and ports: a SYN with another
   * ISN after the old one finished. */
  if (d != NULL && (f.flags & TORC_TCP_SYN) && d->info.started &&
      (d->info.fin_frame != 0 || d->info.rst_frame != 0) &&
      (uint32_t)(f.seq + 1) != d->info.base_seq) {
    if ((rc = dir_end(fl, d)) != 0)
      return rc;
    d = NULL;
  }
  if (d == NULL) {
    if (fl->opt.want != NULL && !fl->opt.want(fl->opt.want_user, &k))
      return 0; /* not a direction the caller wants: no state */
    if (fl->opt.max_dirs != 0 && fl->hcount >= fl->opt.max_dirs)
      return TORC_FLOW_ERR_DIRS;
    if ((d = dir_new(fl, &k, number)) == NULL)
      return TORC_FLOW_ERR_NOMEM;
  }
  return torcint_flow_segment(fl, d, &f, p, number, ts_us);
}

int torc_flow_finish(torc_flow *fl) {
  size_t i;
  int rc;
  for (i = 0; i < fl->ndirs; i++)
    if (!fl->dirs[i]->info.ended && (rc = dir_end(fl, fl->dirs[i])) != 0)
      return rc;
  return 0;
}

const torc_flow_stats *torc_flow_get_stats(const torc_flow *fl) {
  return &fl->st;
}

size_t torc_flow_ndirs(const torc_flow *fl) {
  return fl->ndirs;
}

const torc_flow_dir *torc_flow_get_dir(const torc_flow *fl, size_t id) {
  return id < fl->ndirs ? &fl->dirs[id]->info : NULL;
}
