/*
 * torc_capture.c - the capture reader: the one place that links libpcap.
 *
 * Flow: the vector loader asks the cache for a capture by path; the first
 * request opens it with pcap_open_offline (pcap and pcapng), copies every
 * frame into one arena and parses its link layer (DLT_EN10MB with 802.1Q/ad
 * tags, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_RAW, DLT_IPV4/DLT_IPV6, DLT_NULL,
 * DLT_LOOP), IPv4 (no options trust: IHL and total length checked, padding
 * trimmed) or IPv6 (extension headers walked) and TCP.  Later requests share
 * the parsed table.  The vectorizer instead reads only the frames of the
 * vector it is making (torc_capture_open_frames: libpcap positioned at each
 * frame's record by its file offset) and puts that capture in a cache of its
 * own, so a vector costs its frames, not the capture.  Nothing in a capture is
 * trusted: every length is checked against the captured bytes before use, and
 * the file itself must be a regular file (torcint_capture_fopen, shared with
 * torc_flow_read.c): a device, FIFO or directory is refused before anything
 * reads it, since /dev/zero or a FIFO without a writer would never end.
 */
#include "torc_capture.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "torc_sha256.h"

#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD

static uint16_t rd16(const uint8_t *p) {
  return (uint16_t)(p[0] << 8 | p[1]);
}
static uint32_t rd32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
         p[3];
}

const char *torc_frame_kind_name(uint32_t kind) {
  switch (kind) {
  case TORC_FRAME_TCP:
    return "TCP";
  case TORC_FRAME_NOT_IP:
    return "not an IPv4/IPv6 packet";
  case TORC_FRAME_NOT_TCP:
    return "not a TCP segment";
  case TORC_FRAME_FRAGMENT:
    return "an IP fragment";
  case TORC_FRAME_TRUNCATED:
    return "truncated (captured bytes end inside the packet)";
  case TORC_FRAME_MALFORMED:
    return "malformed (inconsistent header lengths)";
  default:
    return "unknown";
  }
}

/* LINKTYPE_* number for a DLT_* value (they differ only for a few). */
static uint32_t linktype_of(int dlt) {
  switch (dlt) {
  case DLT_RAW:
    return 101; /* LINKTYPE_RAW */
#ifdef DLT_LOOP
  case DLT_LOOP:
    return 108;
#endif
  default:
    return (uint32_t)dlt;
  }
}

/* Parses TCP at p[off..end).  end is the end of the IP payload. */
static uint32_t parse_tcp(const uint8_t *p, uint32_t off, uint32_t end,
                          uint32_t caplen, torc_frame *f) {
  uint32_t doff;
  if (end > caplen)
    return TORC_FRAME_TRUNCATED;
  if (off + 20 > end)
    return off + 20 > caplen ? TORC_FRAME_TRUNCATED : TORC_FRAME_MALFORMED;
  doff = (uint32_t)(p[off + 12] >> 4) * 4;
  if (doff < 20 || off + doff > end)
    return TORC_FRAME_MALFORMED;
  f->tcp_offset = off;
  f->sport = rd16(p + off);
  f->dport = rd16(p + off + 2);
  f->seq = rd32(p + off + 4);
  f->ack = rd32(p + off + 8);
  f->flags = p[off + 13];
  f->window = rd16(p + off + 14);
  f->payload_offset = off + doff;
  f->payload_len = end - (off + doff);
  return TORC_FRAME_TCP;
}

static uint32_t parse_ipv4(const uint8_t *p, uint32_t off, uint32_t caplen,
                           uint32_t wirelen, torc_frame *f) {
  uint32_t ihl, tot;
  uint16_t frag;
  if (off + 20 > caplen)
    return TORC_FRAME_TRUNCATED;
  if ((p[off] >> 4) != 4)
    return TORC_FRAME_MALFORMED;
  ihl = (uint32_t)(p[off] & 15) * 4;
  tot = rd16(p + off + 2);
  if (ihl < 20 || tot < ihl)
    return TORC_FRAME_MALFORMED;
  if (off + tot > wirelen)
    return TORC_FRAME_MALFORMED;
  frag = rd16(p + off + 6);
  f->ip_version = 4;
  f->ip_offset = off;
  memset(f->src, 0, sizeof f->src);
  memset(f->dst, 0, sizeof f->dst);
  if (off + ihl > caplen)
    return TORC_FRAME_TRUNCATED;
  memcpy(f->src, p + off + 12, 4);
  memcpy(f->dst, p + off + 16, 4);
  if ((frag & 0x3FFF) != 0) /* MF set or offset != 0 */
    return TORC_FRAME_FRAGMENT;
  if (p[off + 9] != 6)
    return TORC_FRAME_NOT_TCP;
  /* tot, not caplen, ends the packet: Ethernet padding is trimmed. */
  return parse_tcp(p, off + ihl, off + tot, caplen, f);
}

static uint32_t parse_ipv6(const uint8_t *p, uint32_t off, uint32_t caplen,
                           uint32_t wirelen, torc_frame *f) {
  uint32_t plen, end, cur;
  uint8_t nh;
  int hops;
  if (off + 40 > caplen)
    return TORC_FRAME_TRUNCATED;
  if ((p[off] >> 4) != 6)
    return TORC_FRAME_MALFORMED;
  plen = rd16(p + off + 4);
  if (plen == 0)
    return TORC_FRAME_MALFORMED; /* jumbogram: not supported */
  end = off + 40 + plen;
  if (end > wirelen)
    return TORC_FRAME_MALFORMED;
  f->ip_version = 6;
  f->ip_offset = off;
  memcpy(f->src, p + off + 8, 16);
  memcpy(f->dst, p + off + 24, 16);
  nh = p[off + 6];
  cur = off + 40;
  for (hops = 0; hops < 32; hops++) {
    uint32_t len;
    switch (nh) {
    case 6:
      return parse_tcp(p, cur, end, caplen, f);
    case 0:   /* hop-by-hop */
    case 43:  /* routing */
    case 60:  /* destination options */
    case 135: /* mobility */
    case 139: /* HIP */
    case 140: /* shim6 */
      if (cur + 8 > end)
        return cur + 8 > caplen ? TORC_FRAME_TRUNCATED : TORC_FRAME_MALFORMED;
      if (cur + 2 > caplen)
        return TORC_FRAME_TRUNCATED;
      len = ((uint32_t)p[cur + 1] + 1) * 8;
      break;
    case 44: /* fragment: only an atomic fragment is a whole packet */
      if (cur + 8 > caplen)
        return TORC_FRAME_TRUNCATED;
      if ((rd16(p + cur + 2) & 0xFFF9) != 0)
        return TORC_FRAME_FRAGMENT;
      len = 8;
      break;
    case 51: /* AH */
      if (cur + 2 > caplen)
        return TORC_FRAME_TRUNCATED;
      len = ((uint32_t)p[cur + 1] + 2) * 4;
      break;
    default: /* ESP (50), no next header (59), ICMPv6, UDP, ... */
      return TORC_FRAME_NOT_TCP;
    }
    if (cur + len > end)
      return TORC_FRAME_MALFORMED;
    nh = p[cur];
    cur += len;
  }
  return TORC_FRAME_MALFORMED; /* absurd chain of extension headers */
}

static uint32_t parse_ethertype(uint16_t et, const uint8_t *p, uint32_t off,
                                uint32_t caplen, uint32_t wirelen,
                                torc_frame *f) {
  if (et == ETH_P_IP)
    return parse_ipv4(p, off, caplen, wirelen, f);
  if (et == ETH_P_IPV6)
    return parse_ipv6(p, off, caplen, wirelen, f);
  return TORC_FRAME_NOT_IP;
}

static uint32_t parse_by_version(const uint8_t *p, uint32_t off,
                                 uint32_t caplen, uint32_t wirelen,
                                 torc_frame *f) {
  if (off >= caplen)
    return TORC_FRAME_TRUNCATED;
  switch (p[off] >> 4) {
  case 4:
    return parse_ipv4(p, off, caplen, wirelen, f);
  case 6:
    return parse_ipv6(p, off, caplen, wirelen, f);
  default:
    return TORC_FRAME_NOT_IP;
  }
}

uint32_t torc_capture_parse(int dlt, const uint8_t *p, uint32_t caplen,
                            uint32_t wirelen, torc_frame *f) {
  uint32_t off;
  uint16_t et;
  int tags;
  if (wirelen < caplen)
    wirelen = caplen;
  switch (dlt) {
  case DLT_EN10MB:
    if (caplen < 14)
      return TORC_FRAME_TRUNCATED;
    et = rd16(p + 12);
    off = 14;
    for (tags = 0; (et == 0x8100 || et == 0x88A8 || et == 0x9100) && tags < 8;
         tags++) {
      if (off + 4 > caplen)
        return TORC_FRAME_TRUNCATED;
      et = rd16(p + off + 2);
      off += 4;
    }
    return parse_ethertype(et, p, off, caplen, wirelen, f);
  case DLT_LINUX_SLL:
    if (caplen < 16)
      return TORC_FRAME_TRUNCATED;
    return parse_ethertype(rd16(p + 14), p, 16, caplen, wirelen, f);
#ifdef DLT_LINUX_SLL2
  case DLT_LINUX_SLL2:
    if (caplen < 20)
      return TORC_FRAME_TRUNCATED;
    return parse_ethertype(rd16(p), p, 20, caplen, wirelen, f);
#endif
  case DLT_RAW:
#ifdef DLT_IPV4
  case DLT_IPV4:
  case DLT_IPV6:
#endif
    return parse_by_version(p, 0, caplen, wirelen, f);
  case DLT_NULL:
#ifdef DLT_LOOP
  case DLT_LOOP:
#endif
  {
    uint32_t fam, fam_sw;
    if (caplen < 4)
      return TORC_FRAME_TRUNCATED;
    /* DLT_NULL is in the writer's byte order, DLT_LOOP in network order:
     * accept either. AF_INET is 2 everywhere; AF_INET6 is 10, 24, 28 or 30. */
    fam = rd32(p);
    fam_sw = (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 |
             p[0];
    if (fam > 0xFFFF)
      fam = fam_sw;
    if (fam == 2)
      return parse_ipv4(p, 4, caplen, wirelen, f);
    if (fam == 10 || fam == 24 || fam == 28 || fam == 30)
      return parse_ipv6(p, 4, caplen, wirelen, f);
    return TORC_FRAME_NOT_IP;
  }
  default:
    return TORC_FRAME_NOT_IP;
  }
}

static const char *file_kind(mode_t m) {
  if (S_ISDIR(m))
    return "a directory";
  if (S_ISFIFO(m))
    return "a FIFO";
  if (S_ISCHR(m))
    return "a character device";
  if (S_ISBLK(m))
    return "a block device";
  if (S_ISSOCK(m))
    return "a socket";
  return "not a regular file";
}

/* The capture's FILE reads its descriptor through a cookie that keeps the
 * file position itself: libpcap's reader asks ftello for each record's
 * start (torc_flow_read.c), and glibc answers ftello on a plain FILE with
 * an lseek(2) each time, a system call per frame. */
typedef struct capture_cookie {
  int fd;
  off_t pos;
} capture_cookie;

static ssize_t cookie_read(void *ck, char *buf, size_t size) {
  capture_cookie *c = ck;
  ssize_t n;
  do
    n = read(c->fd, buf, size);
  while (n < 0 && errno == EINTR);
  if (n > 0)
    c->pos += n;
  return n;
}

static int cookie_seek(void *ck, off64_t *off, int whence) {
  capture_cookie *c = ck;
  if (whence == SEEK_CUR && *off == 0) {
    *off = c->pos;
    return 0;
  }
  off_t r = lseek(c->fd, (off_t)*off, whence);
  if (r < 0)
    return -1;
  c->pos = r;
  *off = r;
  return 0;
}

static int cookie_close(void *ck) {
  capture_cookie *c = ck;
  int rc = close(c->fd);
  free(c);
  return rc;
}

static FILE *cookie_fopen(int fd) {
  static const cookie_io_functions_t io = {cookie_read, NULL, cookie_seek,
                                           cookie_close};
  capture_cookie *c = malloc(sizeof *c);
  FILE *fp;
  if (c == NULL)
    return NULL;
  c->fd = fd;
  c->pos = 0;
  if ((fp = fopencookie(c, "rb", io)) == NULL) {
    free(c);
    return NULL;
  }
  setvbuf(fp, NULL, _IOFBF, 65536);
  return fp;
}

FILE *torcint_capture_fopen(const char *path, char *err, size_t errlen) {
  struct stat st;
  FILE *fp;
  int fd, fl;
  /* O_NONBLOCK: opening a FIFO without a writer must not wait; it is
   * cleared again once the file is known to be regular. */
  fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) {
    snprintf(err, errlen, "%s: cannot open capture: %s", path, strerror(errno));
    return NULL;
  }
  if (fstat(fd, &st) < 0) {
    snprintf(err, errlen, "%s: cannot stat capture: %s", path, strerror(errno));
    close(fd);
    return NULL;
  }
  if (!S_ISREG(st.st_mode)) {
    snprintf(err, errlen,
             "%s: not a regular file (%s): a capture must be a pcap or "
             "pcapng file",
             path, file_kind(st.st_mode));
    close(fd);
    return NULL;
  }
  fl = fcntl(fd, F_GETFL);
  if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0 ||
      !(fp = cookie_fopen(fd))) {
    snprintf(err, errlen, "%s: cannot open capture: %s", path, strerror(errno));
    close(fd);
    return NULL;
  }
  return fp;
}

/* SHA-256 of the whole file, which is left rewound for libpcap. */
static int file_sha256(FILE *fp, const char *path, char out[65], char *err,
                       size_t errlen) {
  torc_sha256 s;
  uint8_t buf[65536], d[32];
  size_t n;
  torc_sha256_init(&s);
  while ((n = fread(buf, 1, sizeof buf, fp)) > 0)
    torc_sha256_update(&s, buf, n);
  if (ferror(fp) || fseek(fp, 0, SEEK_SET) != 0) {
    snprintf(err, errlen, "%s: read error: %s", path, strerror(errno));
    return -1;
  }
  torc_sha256_final(&s, d);
  torc_sha256_to_hex(d, out);
  return 0;
}

/* Copies one frame (number) into c's arena and parses it; the caller has
 * room in c->frames.  Returns 0, or -1 (memory). */
static int add_frame(torc_capture *c, const struct pcap_pkthdr *h,
                     const u_char *pkt, uint32_t number, size_t *cap_data) {
  torc_frame *f;
  /* The arena exists before the first frame is copied, even one of
   * caplen 0 (tcpdump's olsr-oobr-2.pcap): the frame is kept, as
   * TORC_FRAME_TRUNCATED, and no pointer arithmetic is done on NULL. */
  if (!c->data || c->data_len + h->caplen > *cap_data) {
    size_t nc = *cap_data ? *cap_data * 2 : 65536;
    uint8_t *nd;
    while (nc < c->data_len + h->caplen)
      nc *= 2;
    nd = realloc(c->data, nc);
    if (!nd)
      return -1;
    c->data = nd;
    *cap_data = nc;
  }
  f = &c->frames[c->nframes++];
  memset(f, 0, sizeof *f);
  f->number = number;
  f->data_off = c->data_len;
  f->caplen = h->caplen;
  f->wirelen = h->len;
  f->ts_us = (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec;
  if (h->caplen > 0)
    memcpy(c->data + c->data_len, pkt, h->caplen);
  c->data_len += h->caplen;
  f->kind = torc_capture_parse(c->dlt, c->data + f->data_off, f->caplen,
                               f->wirelen, f);
  return 0;
}

int torc_capture_file_sha256(const char *path, char out[65], char *err,
                             size_t errlen) {
  FILE *fp = torcint_capture_fopen(path, err, errlen);
  int rc;
  if (!fp)
    return -1;
  rc = file_sha256(fp, path, out, err, errlen);
  fclose(fp);
  return rc;
}

/* libpcap's reader over fp (it owns fp from here on, and closes it on
 * failure too), with c's link type set; NULL with the reason in err. */
static pcap_t *open_reader(torc_capture *c, FILE *fp, const char *path,
                           char *err, size_t errlen) {
  char pe[PCAP_ERRBUF_SIZE];
  pcap_t *pc;
  pe[0] = '\0';
  pc = pcap_fopen_offline(fp, pe); /* owns fp on success */
  if (!pc) {
    fclose(fp);
    snprintf(err, errlen, "%s: not a readable pcap/pcapng file: %s", path, pe);
    return NULL;
  }
  c->dlt = pcap_datalink(pc);
  c->link_type = linktype_of(c->dlt);
  return pc;
}

int torc_capture_open_frames(const char *path, const char *sha256,
                             const uint32_t *numbers, const int64_t *pos,
                             size_t n, uint32_t file_frames, torc_capture **out,
                             char *err, size_t errlen) {
  struct pcap_pkthdr *h;
  const u_char *pkt;
  size_t cap_data = 0, i;
  torc_capture *c;
  pcap_t *pc;
  FILE *fp;
  *out = NULL;
  c = calloc(1, sizeof *c);
  if (!c || !(c->path = strdup(path)) ||
      !(c->frames = calloc(n ? n : 1, sizeof *c->frames))) {
    torc_capture_unref(c);
    snprintf(err, errlen, "%s: out of memory", path);
    return -1;
  }
  c->refs = 1;
  snprintf(c->sha256, sizeof c->sha256, "%s", sha256);
  c->file_frames = file_frames;
  if (!(fp = torcint_capture_fopen(path, err, errlen))) {
    torc_capture_unref(c);
    return -1;
  }
  if (!(pc = open_reader(c, fp, path, err, errlen))) {
    torc_capture_unref(c);
    return -1;
  }
  for (i = 0; i < n; i++) {
    if (numbers[i] < 1 || numbers[i] > file_frames ||
        (i > 0 && numbers[i] <= numbers[i - 1]) || pos[i] < 0 ||
        fseeko(pcap_file(pc), (off_t)pos[i], SEEK_SET) != 0 ||
        pcap_next_ex(pc, &h, &pkt) != 1) {
      snprintf(err, errlen, "%s: frame %u: cannot be read at offset %lld", path,
               numbers[i], (long long)pos[i]);
      pcap_close(pc);
      torc_capture_unref(c);
      return -1;
    }
    if (add_frame(c, h, pkt, numbers[i], &cap_data) < 0) {
      snprintf(err, errlen, "%s: frame %u: out of memory", path, numbers[i]);
      pcap_close(pc);
      torc_capture_unref(c);
      return -1;
    }
  }
  pcap_close(pc);
  *out = c;
  return 0;
}

int torc_capture_open(const char *path, torc_capture **out, char *err,
                      size_t errlen) {
  pcap_t *pc;
  torc_capture *c;
  size_t cap_frames = 0, cap_data = 0;
  struct pcap_pkthdr *h;
  const u_char *pkt;
  FILE *fp;
  int rc;

  *out = NULL;
  c = calloc(1, sizeof *c);
  if (!c || !(c->path = strdup(path))) {
    free(c);
    snprintf(err, errlen, "%s: out of memory", path);
    return -1;
  }
  c->refs = 1;
  /* One descriptor for the digest and the frames: the bytes hashed are the
   * bytes parsed. */
  if (!(fp = torcint_capture_fopen(path, err, errlen))) {
    torc_capture_unref(c);
    return -1;
  }
  if (file_sha256(fp, path, c->sha256, err, errlen) < 0) {
    fclose(fp);
    torc_capture_unref(c);
    return -1;
  }
  if (!(pc = open_reader(c, fp, path, err, errlen))) {
    torc_capture_unref(c);
    return -1;
  }
  while ((rc = pcap_next_ex(pc, &h, &pkt)) == 1) {
    if (c->nframes == cap_frames) {
      size_t nc = cap_frames ? cap_frames * 2 : 256;
      torc_frame *nf = realloc(c->frames, nc * sizeof *nf);
      if (!nf)
        goto oom;
      c->frames = nf;
      cap_frames = nc;
    }
    if (add_frame(c, h, pkt, c->nframes + 1, &cap_data) < 0)
      goto oom;
  }
  c->file_frames = c->nframes;
  if (rc == -1) {
    snprintf(err, errlen, "%s: frame %u: %s", path, c->nframes + 1,
             pcap_geterr(pc));
    pcap_close(pc);
    torc_capture_unref(c);
    return -1;
  }
  pcap_close(pc);
  *out = c;
  return 0;
oom:
  snprintf(err, errlen, "%s: frame %u: out of memory", path, c->nframes + 1);
  pcap_close(pc);
  torc_capture_unref(c);
  return -1;
}

/* Atomic: the threads of a parallel load (torc_vector_set.c) share the
 * captures of their vectors. */
void torc_capture_ref(torc_capture *c) {
  __atomic_add_fetch(&c->refs, 1, __ATOMIC_RELAXED);
}

void torc_capture_unref(torc_capture *c) {
  if (!c || __atomic_sub_fetch(&c->refs, 1, __ATOMIC_ACQ_REL) > 0)
    return;
  free(c->path);
  free(c->data);
  free(c->frames);
  free(c);
}

const torc_frame *torc_capture_frame(const torc_capture *c, uint32_t number) {
  size_t lo = 0, hi = c->nframes;
  if (number < 1 || number > c->file_frames)
    return NULL;
  if (c->nframes == c->file_frames) /* every frame: numbers are 1..n */
    return &c->frames[number - 1];
  while (lo < hi) { /* a capture of some frames, by ascending number */
    size_t mid = lo + (hi - lo) / 2;
    if (c->frames[mid].number < number)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo < c->nframes && c->frames[lo].number == number ? &c->frames[lo]
                                                           : NULL;
}

/* One lock: the threads of a parallel load share the cache, and a
 * capture is read once, by whichever thread needs it first. */
/* A capture as a vector's folder and its provenance.capture spell it. */
typedef struct spelling {
  char *dir, *rel;
  torc_capture *c; /* borrowed: caps holds the reference */
} spelling;

struct torc_capture_cache {
  pthread_mutex_t lock;
  torc_capture **caps;
  size_t n, cap;
  spelling *sp;
  size_t nsp, capsp;
};

torc_capture_cache *torc_capture_cache_new(void) {
  torc_capture_cache *cc = calloc(1, sizeof(torc_capture_cache));
  if (cc && pthread_mutex_init(&cc->lock, NULL) != 0) {
    free(cc);
    return NULL;
  }
  return cc;
}

/* Adds c to the cache, which takes a reference of its own; -1 when out of
 * memory.  The caller holds the lock. */
static int put_locked(torc_capture_cache *cc, torc_capture *c) {
  if (cc->n == cc->cap) {
    size_t nc = cc->cap ? cc->cap * 2 : 8;
    torc_capture **nv = realloc(cc->caps, nc * sizeof *nv);
    if (!nv)
      return -1;
    cc->caps = nv;
    cc->cap = nc;
  }
  cc->caps[cc->n++] = c;
  torc_capture_ref(c);
  return 0;
}

static torc_capture *cache_get_locked(torc_capture_cache *cc, const char *path,
                                      char *err, size_t errlen) {
  torc_capture *c;
  size_t i;
  for (i = 0; i < cc->n; i++)
    if (strcmp(cc->caps[i]->path, path) == 0) {
      torc_capture_ref(cc->caps[i]);
      return cc->caps[i];
    }
  if (torc_capture_open(path, &c, err, errlen) < 0)
    return NULL;
  if (put_locked(cc, c) != 0) {
    torc_capture_unref(c);
    snprintf(err, errlen, "%s: out of memory", path);
    return NULL;
  }
  return c;
}

torc_capture *torc_capture_cache_get(torc_capture_cache *cc, const char *path,
                                     char *err, size_t errlen) {
  torc_capture *c;
  pthread_mutex_lock(&cc->lock);
  c = cache_get_locked(cc, path, err, errlen);
  pthread_mutex_unlock(&cc->lock);
  return c;
}

int torc_capture_cache_put(torc_capture_cache *cc, torc_capture *c) {
  int rc;
  pthread_mutex_lock(&cc->lock);
  rc = put_locked(cc, c);
  pthread_mutex_unlock(&cc->lock);
  return rc;
}

torc_capture *torc_capture_cache_spelled(torc_capture_cache *cc,
                                         const char *dir, const char *rel) {
  torc_capture *c = NULL;
  size_t i;
  pthread_mutex_lock(&cc->lock);
  /* Newest first: the vectors of one folder come together. */
  for (i = cc->nsp; i-- > 0;)
    if (strcmp(cc->sp[i].rel, rel) == 0 && strcmp(cc->sp[i].dir, dir) == 0) {
      c = cc->sp[i].c;
      torc_capture_ref(c);
      break;
    }
  pthread_mutex_unlock(&cc->lock);
  return c;
}

void torc_capture_cache_spell(torc_capture_cache *cc, const char *dir,
                              const char *rel, torc_capture *c) {
  char *d = strdup(dir), *r = strdup(rel);
  pthread_mutex_lock(&cc->lock);
  if (d && r && cc->nsp == cc->capsp) {
    size_t nc = cc->capsp ? cc->capsp * 2 : 8;
    spelling *nv = realloc(cc->sp, nc * sizeof *nv);
    if (nv) {
      cc->sp = nv;
      cc->capsp = nc;
    }
  }
  if (d && r && cc->nsp < cc->capsp) {
    cc->sp[cc->nsp].dir = d;
    cc->sp[cc->nsp].rel = r;
    cc->sp[cc->nsp++].c = c;
    d = r = NULL;
  }
  pthread_mutex_unlock(&cc->lock);
  free(d);
  free(r);
}

void torc_capture_cache_free(torc_capture_cache *cc) {
  size_t i;
  if (!cc)
    return;
  for (i = 0; i < cc->nsp; i++) {
    free(cc->sp[i].dir);
    free(cc->sp[i].rel);
  }
  free(cc->sp);
  for (i = 0; i < cc->n; i++)
    torc_capture_unref(cc->caps[i]);
  free(cc->caps);
  pthread_mutex_destroy(&cc->lock);
  free(cc);
}
