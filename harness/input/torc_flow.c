/*
 * torc_flow.c - TCP reassembly per direction, streaming through a capture.
 *
 * Where it sits: between libpcap and the vectorizer.  torc_flow_read_file
 * opens a capture, takes one frame at a time with pcap_next_ex, parses it
 * with torc_capture_parse (torc_capture.c owns link-layer, IP and TCP
 * parsing) and hands TCP frames to the per-direction reassembler below.
 * Each direction keeps: the next expected sequence number (32-bit serial
 * arithmetic, so the stream survives wraparound) and the matching 64-bit
 * stream offset; a sorted array of held out-of-order pieces (never
 * overlapping: only new bytes are stored, the first arrived copy wins); and
 * a ring of the most recently delivered bytes with the frames they came
 * from, to tell an honest retransmission from a conflicting one.  Bytes
 * leave through callbacks as soon as they are in order, so memory follows
 * the reordering window, not the capture.  torc_flow_collect is a small
 * consumer of those callbacks that keeps everything in memory.
 */
#include "torc_flow.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>

#include "torc/target.h"
#include "torc_capture.h"

#define DEF_MAX_HELD ((uint64_t)64 << 20)
#define DEF_HISTORY ((uint32_t)4 << 20)
#define MAX_AHEAD ((int64_t)1 << 30) /* TCP's largest window */
#define DEF_COLLECT_MAX ((size_t)256 << 20)

/* A held out-of-order piece: stream bytes [off, off + len) (owned). */
typedef struct held_seg {
  uint64_t off;
  uint32_t len;
  uint32_t frame;
  uint8_t *data;
} held_seg;

/* Which frame supplied delivered bytes [off, off + len). */
typedef struct hist_rec {
  uint64_t off;
  uint32_t len;
  uint32_t frame;
} hist_rec;

/* A new piece found while placing a segment: [off, off + len) at data. */
typedef struct piece {
  uint64_t off;
  uint32_t len;
  const uint8_t *data;
} piece;

typedef struct flow_dir {
  torc_flow_dir info; /* first: callbacks see this part */
  uint32_t next_seq;  /* sequence number of stream offset info.delivered */
  held_seg *held;     /* sorted by off, disjoint, all > delivered */
  size_t nheld, capheld;
  uint8_t *ring; /* ring[off & (ringcap - 1)] for off in [hist_lo, delivered) */
  size_t ringcap;
  uint64_t hist_lo;
  hist_rec *recs; /* circular: recs[(rhead + i) % rcap], i < rcount */
  size_t rhead, rcount, rcap;
  struct flow_dir *hnext; /* hash chain */
  int in_hash;
} flow_dir;

struct torc_flow {
  int dlt;
  torc_flow_options opt;
  torc_flow_callbacks cb;
  torc_flow_stats st;
  flow_dir **dirs; /* by id (owned) */
  size_t ndirs, capdirs;
  flow_dir **hash; /* chains of directions still open */
  size_t hcap, hcount;
  piece *pieces; /* scratch for one segment */
  size_t cappieces;
};

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

/* ---- Checksums (RFC 1071): native-order sum, folded; 0xFFFF is good. ---- */

static uint64_t csum_add(uint64_t sum, const uint8_t *p, size_t n) {
  uint64_t w;
  while (n >= 8) {
    memcpy(&w, p, 8);
    sum += w;
    sum += sum < w;
    p += 8;
    n -= 8;
  }
  if (n > 0) {
    uint8_t t[8] = {0};
    memcpy(t, p, n);
    memcpy(&w, t, 8);
    sum += w;
    sum += sum < w;
  }
  return sum;
}

static uint16_t csum_fold(uint64_t sum) {
  sum = (sum & 0xFFFFFFFFu) + (sum >> 32);
  sum = (sum & 0xFFFFFFFFu) + (sum >> 32);
  sum = (sum & 0xFFFFu) + (sum >> 16);
  sum = (sum & 0xFFFFu) + (sum >> 16);
  return (uint16_t)sum;
}

static void check_sums(torc_flow *fl, const uint8_t *p, const torc_frame *f) {
  uint8_t ph[40];
  size_t phlen;
  uint32_t tcplen = f->payload_offset + f->payload_len - f->tcp_offset;
  if (f->ip_version == 4) {
    size_t ihl = (size_t)(p[f->ip_offset] & 15) * 4;
    if (csum_fold(csum_add(0, p + f->ip_offset, ihl)) != 0xFFFF)
      fl->st.bad_ip_checksum++;
    memcpy(ph, f->src, 4);
    memcpy(ph + 4, f->dst, 4);
    ph[8] = 0;
    ph[9] = 6;
    ph[10] = (uint8_t)(tcplen >> 8);
    ph[11] = (uint8_t)tcplen;
    phlen = 12;
  } else {
    memcpy(ph, f->src, 16);
    memcpy(ph + 16, f->dst, 16);
    ph[32] = (uint8_t)(tcplen >> 24);
    ph[33] = (uint8_t)(tcplen >> 16);
    ph[34] = (uint8_t)(tcplen >> 8);
    ph[35] = (uint8_t)tcplen;
    ph[36] = ph[37] = ph[38] = 0;
    ph[39] = 6;
    phlen = 40;
  }
  if (csum_fold(csum_add(csum_add(0, ph, phlen), p + f->tcp_offset, tcplen)) !=
      0xFFFF)
    fl->st.bad_tcp_checksum++;
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

static int key_eq(const torc_flow_key *a, const torc_flow_key *b) {
  return a->ip_version == b->ip_version && a->sport == b->sport &&
         a->dport == b->dport && memcmp(a->src, b->src, 16) == 0 &&
         memcmp(a->dst, b->dst, 16) == 0;
}

static flow_dir *hash_find(const torc_flow *fl, const torc_flow_key *k) {
  flow_dir *d;
  if (fl->hcap == 0)
    return NULL;
  for (d = fl->hash[key_hash(k) & (fl->hcap - 1)]; d != NULL; d = d->hnext)
    if (key_eq(&d->info.key, k))
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

/* ---- History of delivered bytes (for conflict checks). ---- */

static hist_rec *rec_at(const flow_dir *d, size_t i) {
  return &d->recs[(d->rhead + i) % d->rcap];
}

static void hist_trim(flow_dir *d) {
  while (d->rcount > 0) {
    hist_rec *r = rec_at(d, 0);
    if (r->off + r->len > d->hist_lo)
      break;
    d->rhead = (d->rhead + 1) % d->rcap;
    d->rcount--;
  }
}

static void hist_reset(flow_dir *d) {
  d->hist_lo = d->info.delivered;
  d->rhead = d->rcount = 0;
}

/* Appends delivered bytes [delivered, delivered + n) before delivered is
 * advanced.  A failed allocation only shortens the history. */
static void hist_append(torc_flow *fl, flow_dir *d, const uint8_t *p, size_t n,
                        uint32_t frame) {
  uint64_t off = d->info.delivered, end = off + n;
  size_t want = fl->opt.history_bytes;
  if (want == 0)
    return;
  if (d->ringcap < want && end - d->hist_lo > d->ringcap) {
    size_t nc = d->ringcap ? d->ringcap : (want < 4096 ? want : 4096);
    uint8_t *nr;
    uint64_t o;
    while (nc < want && nc < end - d->hist_lo)
      nc *= 2;
    nr = malloc(nc);
    if (nr != NULL) {
      for (o = d->hist_lo; o < off; o++) /* re-lay the valid bytes */
        nr[o & (nc - 1)] = d->ring[o & (d->ringcap - 1)];
      free(d->ring);
      d->ring = nr;
      d->ringcap = nc;
    }
  }
  if (d->ringcap == 0) {
    hist_reset(d);
    d->hist_lo = end;
    return;
  }
  if (n > d->ringcap) {
    p += n - d->ringcap;
    off = end - d->ringcap;
    n = d->ringcap;
  }
  {
    size_t pos = (size_t)(off & (d->ringcap - 1));
    size_t first = d->ringcap - pos < n ? d->ringcap - pos : n;
    memcpy(d->ring + pos, p, first);
    memcpy(d->ring, p + first, n - first);
  }
  if (end - d->hist_lo > d->ringcap)
    d->hist_lo = end - d->ringcap;
  /* The frame record. */
  if (d->rcount == d->rcap) {
    size_t nc = d->rcap ? d->rcap * 2 : 64, i;
    hist_rec *nr = malloc(nc * sizeof *nr);
    if (nr == NULL) {
      d->hist_lo = end; /* no record: forget the history */
      d->rhead = d->rcount = 0;
      return;
    }
    for (i = 0; i < d->rcount; i++)
      nr[i] = *rec_at(d, i);
    free(d->recs);
    d->recs = nr;
    d->rcap = nc;
    d->rhead = 0;
  }
  {
    hist_rec *r = &d->recs[(d->rhead + d->rcount) % d->rcap];
    r->off = d->info.delivered;
    r->len = (uint32_t)(end - d->info.delivered);
    r->frame = frame;
    d->rcount++;
  }
  hist_trim(d);
}

static uint8_t hist_byte(const flow_dir *d, uint64_t off) {
  return d->ring[off & (d->ringcap - 1)];
}

static int report_conflict(torc_flow *fl, flow_dir *d, uint32_t frame,
                           uint32_t first_frame, uint64_t off, uint32_t len,
                           uint32_t differing, torc_flow_map_entry *e) {
  torc_flow_conflict c;
  d->info.conflicts++;
  d->info.conflict_bytes += differing;
  fl->st.conflicts++;
  e->flags |= TORC_FLOW_F_CONFLICT;
  if (fl->cb.on_conflict == NULL)
    return 0;
  c.dir = d->info.id;
  c.frame = frame;
  c.first_frame = first_frame;
  c.off = off;
  c.len = len;
  c.differing = differing;
  return fl->cb.on_conflict(fl->cb.user, &d->info, &c) ? TORC_FLOW_ERR_STOPPED
                                                       : 0;
}

/* Old bytes [a, b) below delivered, carried again at p: compare with the
 * history where it is still kept. */
static int check_delivered(torc_flow *fl, flow_dir *d, uint64_t a, uint64_t b,
                           const uint8_t *p, uint32_t frame,
                           torc_flow_map_entry *e) {
  size_t lo = 0, hi = d->rcount, i;
  int rc;
  if (a < d->hist_lo) {
    uint64_t u = (b < d->hist_lo ? b : d->hist_lo) - a;
    d->info.unverified_bytes += u;
    p += u;
    a += u;
  }
  if (a >= b)
    return 0;
  while (lo < hi) { /* first record ending after a */
    size_t mid = lo + (hi - lo) / 2;
    const hist_rec *r = rec_at(d, mid);
    if (r->off + r->len <= a)
      lo = mid + 1;
    else
      hi = mid;
  }
  for (i = lo; i < d->rcount && a < b; i++) {
    const hist_rec *r = rec_at(d, i);
    uint64_t s = a > r->off ? a : r->off;
    uint64_t t = b < r->off + r->len ? b : r->off + r->len;
    uint32_t diff = 0;
    uint64_t o;
    for (o = s; o < t; o++)
      diff += hist_byte(d, o) != p[o - a];
    if (diff > 0 && (rc = report_conflict(fl, d, frame, r->frame, s,
                                          (uint32_t)(t - s), diff, e)) != 0)
      return rc;
  }
  return 0;
}

/* ---- Delivery. ---- */

static int deliver(torc_flow *fl, flow_dir *d, const uint8_t *p, uint32_t len,
                   uint32_t frame) {
  uint64_t off = d->info.delivered;
  hist_append(fl, d, p, len, frame);
  d->info.delivered += len;
  d->next_seq += len;
  fl->st.stream_bytes += len;
  if (fl->cb.on_data != NULL &&
      fl->cb.on_data(fl->cb.user, &d->info, off, p, len))
    return TORC_FLOW_ERR_STOPPED;
  return 0;
}

/* Delivers held pieces that are now in order. */
static int drain(torc_flow *fl, flow_dir *d) {
  size_t n = 0;
  int rc = 0;
  while (n < d->nheld && d->held[n].off == d->info.delivered) {
    held_seg *h = &d->held[n++];
    d->info.held_bytes -= h->len;
    rc = deliver(fl, d, h->data, h->len, h->frame);
    free(h->data);
    h->data = NULL;
    if (rc != 0)
      break;
  }
  if (n > 0) {
    memmove(d->held, d->held + n, (d->nheld - n) * sizeof *d->held);
    d->nheld -= n;
  }
  return rc;
}

/* Skips the hole before the first held piece (it will never be filled). */
static int skip_gap(torc_flow *fl, flow_dir *d) {
  uint64_t off = d->info.delivered, len = d->held[0].off - off;
  d->info.gaps++;
  d->info.gap_bytes += len;
  fl->st.gaps++;
  d->info.delivered += len;
  d->next_seq += (uint32_t)len;
  hist_reset(d);
  if (fl->cb.on_gap != NULL && fl->cb.on_gap(fl->cb.user, &d->info, off, len))
    return TORC_FLOW_ERR_STOPPED;
  return drain(fl, d);
}

static size_t held_search(const flow_dir *d, uint64_t off) {
  size_t lo = 0, hi = d->nheld; /* first piece ending after off */
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (d->held[mid].off + d->held[mid].len <= off)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

static int hold(torc_flow *fl, flow_dir *d, const piece *pc, uint32_t frame) {
  size_t i = held_search(d, pc->off);
  held_seg *h;
  if (d->nheld == d->capheld) {
    size_t nc = d->capheld ? d->capheld * 2 : 16;
    held_seg *nh = realloc(d->held, nc * sizeof *nh);
    if (nh == NULL)
      return TORC_FLOW_ERR_NOMEM;
    d->held = nh;
    d->capheld = nc;
  }
  memmove(d->held + i + 1, d->held + i, (d->nheld - i) * sizeof *d->held);
  h = &d->held[i];
  h->data = malloc(pc->len);
  if (h->data == NULL) {
    memmove(d->held + i, d->held + i + 1, (d->nheld - i) * sizeof *d->held);
    return TORC_FLOW_ERR_NOMEM;
  }
  memcpy(h->data, pc->data, pc->len);
  h->off = pc->off;
  h->len = pc->len;
  h->frame = frame;
  d->nheld++;
  d->info.held_bytes += pc->len;
  if (d->info.held_bytes > d->info.max_held_bytes)
    d->info.max_held_bytes = d->info.held_bytes;
  if (d->nheld > d->info.max_held_segments)
    d->info.max_held_segments = d->nheld;
  return 0;
}

/* Places payload p[0..len) at stream offset start (may be negative). */
static int place(torc_flow *fl, flow_dir *d, int64_t start, const uint8_t *p,
                 uint32_t len, uint32_t frame, torc_flow_map_entry *e) {
  uint64_t a, b, cur, old = 0, newb = 0;
  size_t i, np = 0;
  int rc, held_any = 0;
  if (start - (int64_t)d->info.delivered > MAX_AHEAD) {
    d->info.out_of_window++;
    e->flags |= TORC_FLOW_F_IGNORED;
    return 0;
  }
  if (start < 0) {
    uint32_t cut = start + (int64_t)len <= 0 ? len : (uint32_t)(-start);
    d->info.before_start_bytes += cut;
    e->flags |= TORC_FLOW_F_IGNORED;
    p += cut;
    len -= cut;
    start = 0;
  }
  a = (uint64_t)start;
  b = a + len;
  if (len == 0)
    return 0;
  /* Already delivered. */
  if (a < d->info.delivered) {
    uint64_t t = b < d->info.delivered ? b : d->info.delivered;
    old += t - a;
    if ((rc = check_delivered(fl, d, a, t, p, frame, e)) != 0)
      return rc;
  }
  /* Held pieces and the holes between them. */
  cur = a > d->info.delivered ? a : d->info.delivered;
  i = held_search(d, cur);
  while (cur < b) {
    if (i < d->nheld && d->held[i].off <= cur) {
      const held_seg *h = &d->held[i];
      uint64_t t = b < h->off + h->len ? b : h->off + h->len, o;
      uint32_t diff = 0;
      for (o = cur; o < t; o++)
        diff += h->data[o - h->off] != p[o - a];
      old += t - cur;
      if (diff > 0 && (rc = report_conflict(fl, d, frame, h->frame, cur,
                                            (uint32_t)(t - cur), diff, e)) != 0)
        return rc;
      cur = t;
      i++;
    } else {
      uint64_t t = i < d->nheld && d->held[i].off < b ? d->held[i].off : b;
      if (np == fl->cappieces) {
        size_t nc = fl->cappieces ? fl->cappieces * 2 : 16;
        piece *npc = realloc(fl->pieces, nc * sizeof *npc);
        if (npc == NULL)
          return TORC_FLOW_ERR_NOMEM;
        fl->pieces = npc;
        fl->cappieces = nc;
      }
      fl->pieces[np].off = cur;
      fl->pieces[np].len = (uint32_t)(t - cur);
      fl->pieces[np].data = p + (cur - a);
      np++;
      newb += t - cur;
      cur = t;
    }
  }
  d->info.retrans_bytes += old;
  if (newb == 0) {
    d->info.retrans_segments++;
    e->flags |= TORC_FLOW_F_RETRANS;
    return 0;
  }
  if (old > 0) {
    d->info.overlap_segments++;
    e->flags |= TORC_FLOW_F_OVERLAP;
  }
  e->new_off = fl->pieces[0].off;
  e->new_len = (uint32_t)(fl->pieces[np - 1].off + fl->pieces[np - 1].len -
                          fl->pieces[0].off);
  e->new_bytes = (uint32_t)newb;
  if (np > 1)
    e->flags |= TORC_FLOW_F_SPLIT;
  for (i = 0; i < np; i++) {
    const piece *pc = &fl->pieces[i];
    if (pc->off == d->info.delivered) {
      if ((rc = deliver(fl, d, pc->data, pc->len, frame)) != 0 ||
          (rc = drain(fl, d)) != 0)
        return rc;
    } else {
      if ((rc = hold(fl, d, pc, frame)) != 0)
        return rc;
      held_any = 1;
    }
  }
  if (held_any) {
    d->info.ooo_segments++;
    e->flags |= TORC_FLOW_F_OOO;
  }
  while (d->info.held_bytes > fl->opt.max_held_bytes && d->nheld > 0)
    if ((rc = skip_gap(fl, d)) != 0)
      return rc;
  return 0;
}

static int dir_end(torc_flow *fl, flow_dir *d) {
  int rc;
  while (d->nheld > 0)
    if ((rc = skip_gap(fl, d)) != 0)
      return rc;
  d->info.ended = 1;
  hash_remove(fl, d);
  dir_release(d);
  if (fl->cb.on_end != NULL && fl->cb.on_end(fl->cb.user, &d->info))
    return TORC_FLOW_ERR_STOPPED;
  return 0;
}

static int segment(torc_flow *fl, flow_dir *d, const torc_frame *f,
                   const uint8_t *p, uint32_t number, uint64_t ts_us) {
  torc_flow_map_entry e;
  torc_flow_dir *in = &d->info;
  uint32_t len = f->payload_len, dseq = f->seq;
  int rc;
  memset(&e, 0, sizeof e);
  e.frame = number;
  e.dir = in->id;
  e.ts_us = ts_us;
  e.seq = f->seq;
  e.tcp_flags = f->flags;
  e.len = len;
  in->segments++;
  if (f->flags & TORC_TCP_SYN) {
    dseq = f->seq + 1; /* data on a SYN follows the ISN */
    if (!in->started) {
      in->started = 1;
      in->syn_seen = 1;
      in->isn = f->seq;
      in->base_seq = dseq;
      d->next_seq = dseq;
      in->syn_frame = number;
    } else if (!in->syn_seen && dseq == in->base_seq) {
      in->syn_seen = 1; /* the SYN arrived after the first data */
      in->midstream = 0;
      in->isn = f->seq;
      in->syn_frame = number;
    }
  }
  if ((f->flags & TORC_TCP_RST) && in->rst_frame == 0)
    in->rst_frame = number;
  if (len > 0) {
    in->data_segments++;
    in->payload_bytes += len;
    if (!in->started) {
      in->started = 1;
      in->midstream = 1;
      in->base_seq = dseq;
      d->next_seq = dseq;
    }
  }
  if (!in->started) {
    e.flags |= TORC_FLOW_F_NOBASE;
    if ((f->flags & TORC_TCP_FIN) && in->fin_frame == 0)
      in->fin_frame = number;
  } else {
    int64_t start = (int64_t)in->delivered + (int32_t)(dseq - d->next_seq);
    e.off = start;
    if ((f->flags & TORC_TCP_FIN) && in->fin_frame == 0) {
      in->fin_frame = number;
      in->fin_offset = start + len > 0 ? (uint64_t)(start + len) : 0;
    }
    if ((rc = place(fl, d, start, p + f->payload_offset, len, number, &e)) != 0)
      return rc;
  }
  if (fl->cb.on_frame != NULL && fl->cb.on_frame(fl->cb.user, in, &e))
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
    check_sums(fl, p, &f);
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
  if (d == NULL && (d = dir_new(fl, &k, number)) == NULL)
    return TORC_FLOW_ERR_NOMEM;
  return segment(fl, d, &f, p, number, ts_us);
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

int torc_flow_read_pcap(torc_flow *fl, struct pcap *pc, const char *name,
                        char *err, size_t errlen) {
  struct pcap_pkthdr *h;
  const u_char *pkt;
  uint32_t n = 0;
  int rc;
  if (pcap_datalink(pc) != fl->dlt) {
    snprintf(err, errlen, "%s: link type %d, the reassembler expects %d", name,
             pcap_datalink(pc), fl->dlt);
    return TORC_FLOW_ERR_LINKTYPE;
  }
  while ((rc = pcap_next_ex(pc, &h, &pkt)) == 1) {
    uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec;
    n++;
    if ((rc = torc_flow_frame(fl, n, ts, pkt, h->caplen, h->len)) != 0) {
      snprintf(err, errlen, "%s: frame %u: %s", name, n,
               torc_flow_strerror(rc));
      return rc;
    }
  }
  if (rc != PCAP_ERROR_BREAK) {
    snprintf(err, errlen, "%s: frame %u: %s", name, n + 1, pcap_geterr(pc));
    return TORC_FLOW_ERR_FORMAT;
  }
  if ((rc = torc_flow_finish(fl)) != 0) {
    snprintf(err, errlen, "%s: %s", name, torc_flow_strerror(rc));
    return rc;
  }
  return 0;
}

/* Opens path; on failure err says why and the code tells which failure. */
static int open_capture(const char *path, pcap_t **out, char *err,
                        size_t errlen) {
  char pe[PCAP_ERRBUF_SIZE];
  FILE *fp = fopen(path, "rb");
  pcap_t *pc;
  int dlt;
  *out = NULL;
  if (fp == NULL) {
    snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
    return TORC_FLOW_ERR_OPEN;
  }
  pe[0] = '\0';
  pc = pcap_fopen_offline(fp, pe);
  if (pc == NULL) {
    fclose(fp);
    snprintf(err, errlen, "%s: not a valid pcap/pcapng file: %s", path, pe);
    return TORC_FLOW_ERR_FORMAT;
  }
  dlt = pcap_datalink(pc);
  if (!torc_flow_dlt_supported(dlt)) {
    const char *nm = pcap_datalink_val_to_name(dlt);
    snprintf(err, errlen, "%s: unsupported link type %d (%s)", path, dlt,
             nm != NULL ? nm : "unknown");
    pcap_close(pc);
    return TORC_FLOW_ERR_LINKTYPE;
  }
  *out = pc;
  return 0;
}

int torc_flow_read_file(const char *path, const torc_flow_options *opt,
                        const torc_flow_callbacks *cb, torc_flow_stats *stats,
                        char *err, size_t errlen) {
  pcap_t *pc;
  torc_flow *fl;
  int rc;
  if (stats != NULL)
    memset(stats, 0, sizeof *stats);
  if ((rc = open_capture(path, &pc, err, errlen)) != 0)
    return rc;
  fl = torc_flow_new(pcap_datalink(pc), opt, cb);
  if (fl == NULL) {
    pcap_close(pc);
    snprintf(err, errlen, "%s: out of memory", path);
    return TORC_FLOW_ERR_NOMEM;
  }
  rc = torc_flow_read_pcap(fl, pc, path, err, errlen);
  if (stats != NULL)
    *stats = fl->st;
  torc_flow_free(fl);
  pcap_close(pc);
  return rc;
}

void torc_flow_stats_print(FILE *out, const char *name,
                           const torc_flow_stats *s) {
  fprintf(
      out,
      "%s: frames %llu tcp %llu not-ip %llu not-tcp %llu fragments %llu "
      "truncated %llu malformed %llu bad-ip-checksum %llu "
      "bad-tcp-checksum %llu directions %llu stream-bytes %llu "
      "conflicts %llu gaps %llu\n",
      name, (unsigned long long)s->frames, (unsigned long long)s->tcp_frames,
      (unsigned long long)s->not_ip, (unsigned long long)s->not_tcp,
      (unsigned long long)s->fragments, (unsigned long long)s->truncated,
      (unsigned long long)s->malformed, (unsigned long long)s->bad_ip_checksum,
      (unsigned long long)s->bad_tcp_checksum,
      (unsigned long long)s->directions, (unsigned long long)s->stream_bytes,
      (unsigned long long)s->conflicts, (unsigned long long)s->gaps);
}

void torc_flow_dir_print(FILE *out, const torc_flow_dir *d) {
  char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
  int af = d->key.ip_version == 4 ? AF_INET : AF_INET6;
  if (inet_ntop(af, d->key.src, a, sizeof a) == NULL)
    strcpy(a, "?");
  if (inet_ntop(af, d->key.dst, b, sizeof b) == NULL)
    strcpy(b, "?");
  fprintf(
      out,
      "dir %u %s%s%s.%u > %s%s%s.%u: %s isn %u syn %u fin %u rst %u "
      "segments %llu data %llu bytes %llu retrans %llu/%llu overlap %llu "
      "ooo %llu conflicts %llu/%llu gaps %llu/%llu max-held %llu\n",
      d->id, af == AF_INET6 ? "[" : "", a, af == AF_INET6 ? "]" : "",
      d->key.sport, af == AF_INET6 ? "[" : "", b, af == AF_INET6 ? "]" : "",
      d->key.dport,
      d->syn_seen ? "syn" : (d->midstream ? "mid-stream" : "no-data"), d->isn,
      d->syn_frame, d->fin_frame, d->rst_frame, (unsigned long long)d->segments,
      (unsigned long long)d->data_segments, (unsigned long long)d->delivered,
      (unsigned long long)d->retrans_segments,
      (unsigned long long)d->retrans_bytes,
      (unsigned long long)d->overlap_segments,
      (unsigned long long)d->ooo_segments, (unsigned long long)d->conflicts,
      (unsigned long long)d->conflict_bytes, (unsigned long long)d->gaps,
      (unsigned long long)d->gap_bytes, (unsigned long long)d->max_held_bytes);
}

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
  if ((rc = open_capture(path, &pc, err, errlen)) != 0)
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
    if (key_eq(&c->dirs[i].info.key, k))
      return &c->dirs[i];
  return NULL;
}
