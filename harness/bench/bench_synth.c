/*
 * bench_synth.c - the synthetic captures of the benchmarks: `make
 * bench-flow` (bench_flow.c: reassembly throughput and memory) and `make
 * bench-vecmem` (bench_vecmem.c: the vectorizer's peak memory) write them
 * into $(O)/bench and read them back; nothing here is committed.
 *
 * Each frame is built byte by byte (Ethernet, IPv4 with its checksum, TCP
 * with its checksum over the pseudo-header) and written with libpcap's
 * dumper under DLT_EN10MB, so torc, tcpdump and tshark read the files as
 * they read a real capture.
 */
#include "bench_synth.h"

#include <pcap/pcap.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define MSS 1448u
#define NFLOWS 4u
#define PATTERN (1u << 20)

static uint8_t pattern[PATTERN + MSS];

static uint32_t sum16(const uint8_t *p, size_t n, uint32_t s) {
  size_t i;
  for (i = 0; i + 1 < n; i += 2)
    s += (uint32_t)(p[i] << 8 | p[i + 1]);
  if (n & 1)
    s += (uint32_t)p[n - 1] << 8;
  return s;
}

static uint16_t fold(uint32_t s) {
  while (s >> 16)
    s = (s & 0xFFFF) + (s >> 16);
  return (uint16_t)~s;
}

/* One Ethernet/IPv4/TCP frame of flow f into buf; returns its length. */
static uint32_t frame(uint8_t *buf, unsigned f, int rev, uint32_t seq,
                      uint32_t ack, uint8_t flags, const uint8_t *pl,
                      uint32_t len) {
  uint8_t *ip = buf + 14, *tcp = ip + 20;
  uint32_t tot = 40 + len, s;
  uint8_t ph[12];
  memset(buf, 0, 54);
  buf[5] = rev ? 1 : 2, buf[11] = rev ? 2 : 1;
  buf[12] = 0x08;
  ip[0] = 0x45;
  ip[2] = (uint8_t)(tot >> 8), ip[3] = (uint8_t)tot;
  ip[6] = 0x40, ip[8] = 64, ip[9] = 6;
  ip[12] = 10, ip[14] = (uint8_t)f, ip[15] = (uint8_t)(rev ? 2 : 1);
  ip[16] = 10, ip[18] = (uint8_t)f, ip[19] = (uint8_t)(rev ? 1 : 2);
  ip[10] = 0, ip[11] = 0;
  s = fold(sum16(ip, 20, 0));
  ip[10] = (uint8_t)(s >> 8), ip[11] = (uint8_t)s;
  tcp[0] = rev ? 0x13 : 0x9C, tcp[1] = rev ? 0x89 : (uint8_t)(0x40 + f);
  tcp[2] = rev ? 0x9C : 0x13, tcp[3] = rev ? (uint8_t)(0x40 + f) : 0x89;
  tcp[4] = (uint8_t)(seq >> 24), tcp[5] = (uint8_t)(seq >> 16);
  tcp[6] = (uint8_t)(seq >> 8), tcp[7] = (uint8_t)seq;
  tcp[8] = (uint8_t)(ack >> 24), tcp[9] = (uint8_t)(ack >> 16);
  tcp[10] = (uint8_t)(ack >> 8), tcp[11] = (uint8_t)ack;
  tcp[12] = 0x50, tcp[13] = flags, tcp[14] = 0xFF, tcp[15] = 0xFF;
  memcpy(tcp + 20, pl, len);
  memcpy(ph, ip + 12, 8);
  ph[8] = 0, ph[9] = 6, ph[10] = (uint8_t)((20 + len) >> 8);
  ph[11] = (uint8_t)(20 + len);
  s = fold(sum16(tcp, 20 + len, sum16(ph, 12, 0)));
  tcp[16] = (uint8_t)(s >> 8), tcp[17] = (uint8_t)s;
  return 14 + tot;
}

static void put(pcap_dumper_t *d, const uint8_t *buf, uint32_t len,
                uint64_t *t) {
  struct pcap_pkthdr h;
  (*t)++;
  h.ts.tv_sec = (time_t)(1700000000 + *t / 1000000);
  h.ts.tv_usec = (suseconds_t)(*t % 1000000);
  h.caplen = h.len = len;
  pcap_dump((u_char *)d, &h, buf);
}

int bench_synthesize(const char *path, uint64_t mib, int hole) {
  pcap_t *dead = pcap_open_dead(DLT_EN10MB, 65535);
  pcap_dumper_t *d = pcap_dump_open(dead, path);
  uint8_t a[2048], b[2048];
  uint32_t seq[NFLOWS], isn = 0xFFF00000u; /* wraps inside the flow */
  uint64_t off[NFLOWS], t = 0, bytes = 0, target = mib << 20, n = 0;
  unsigned f;
  uint32_t la, lb;
  size_t i;
  for (i = 0; i < sizeof pattern; i++)
    pattern[i] = (uint8_t)(i * 131u + (unsigned)(i >> 9));
  if (d == NULL) {
    fprintf(stderr, "%s: %s\n", path, pcap_geterr(dead));
    return -1;
  }
  for (f = 0; f < NFLOWS; f++) {
    seq[f] = isn + f * 0x1000000u;
    off[f] = 0;
    la = frame(a, f, 0, seq[f], 0, 0x02, pattern, 0); /* SYN */
    put(d, a, la, &t);
    la = frame(a, f, 1, 7000, seq[f] + 1, 0x12, pattern, 0); /* SYN-ACK */
    put(d, a, la, &t);
    seq[f]++;
  }
  while (bytes < target) {
    for (f = 0; f < NFLOWS; f++) {
      /* two data segments; every 64th pair is written swapped */
      la = frame(a, f, 0, seq[f], 7001, 0x10, pattern + off[f] % PATTERN, MSS);
      lb = frame(b, f, 0, seq[f] + MSS, 7001, 0x18,
                 pattern + (off[f] + MSS) % PATTERN, MSS);
      if (hole && f == 0 && n == 100) {
        put(d, b, lb, &t); /* the hole: a is never written */
      } else if (n % 32 == 31) {
        put(d, b, lb, &t);
        put(d, a, la, &t);
      } else {
        put(d, a, la, &t);
        put(d, b, lb, &t);
      }
      seq[f] += 2 * MSS;
      off[f] += 2 * MSS;
      la = frame(a, f, 1, 7001, seq[f], 0x10, pattern, 0); /* ACK */
      put(d, a, la, &t);
      bytes += la + lb * 2 + 48;
    }
    n++;
  }
  pcap_dump_close(d);
  pcap_close(dead);
  return 0;
}

long bench_file_mib(const char *path) {
  struct stat sb;
  return stat(path, &sb) == 0 ? (long)(sb.st_size >> 20) : -1;
}
