/*
 * torc_test_pcap.c - a temporary pcap writer for the flow tests (see
 * torc_test_pcap.h).
 *
 * Frames are written with pcap_dump, one second apart from t = 1000 s, and
 * read back by torc_flow_collect, so the tests go through the same
 * file-reading path as the vectorizer.
 */
#include "torc_test_pcap.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

uint8_t tp_byte_a(uint64_t s) {
  return (uint8_t)(s * 31 + 7);
}
uint8_t tp_byte_b(uint64_t s) {
  return (uint8_t)~tp_byte_a(s);
}

void tp_open(tp_writer *w, int dlt) {
  int fd;
  strcpy(w->path, "/tmp/torc_flow_XXXXXX");
  fd = mkstemp(w->path);
  ck_assert_int_ge(fd, 0);
  close(fd);
  w->dead = pcap_open_dead(dlt, 65535);
  ck_assert_ptr_nonnull(w->dead);
  w->dumper = pcap_dump_open(w->dead, w->path);
  ck_assert_ptr_nonnull(w->dumper);
  w->nframes = 0;
}

void tp_frame(tp_writer *w, const uint8_t *p, uint32_t caplen,
              uint32_t wirelen) {
  struct pcap_pkthdr h;
  memset(&h, 0, sizeof h);
  h.ts.tv_sec = 1000 + w->nframes;
  h.caplen = caplen;
  h.len = wirelen;
  pcap_dump((u_char *)w->dumper, &h, p);
  w->nframes++;
}

void tp_close(tp_writer *w) {
  pcap_dump_close(w->dumper);
  pcap_close(w->dead);
  w->dumper = NULL;
  w->dead = NULL;
}

/* 10.0.0.1.1000 > 10.0.0.2.5001 (or the reverse when rev): IPv4 + TCP,
 * checksums left zero (tests built this way turn verification off).  The
 * payload is tp_byte_a(s0 .. s0 + len), or tp_byte_b(...) when alt. */
void tp_tcp(tp_writer *w, int rev, uint32_t seq, uint8_t flags, uint64_t s0,
            uint32_t len, int alt) {
  uint8_t p[40 + 2048];
  uint32_t tot = 40 + len, i;
  ck_assert_uint_le(len, 2048);
  memset(p, 0, 40);
  p[0] = 0x45;
  p[2] = (uint8_t)(tot >> 8);
  p[3] = (uint8_t)tot;
  p[6] = 0x40; /* DF */
  p[8] = 64;
  p[9] = 6;
  p[12] = 10, p[15] = (uint8_t)(rev ? 2 : 1);
  p[16] = 10, p[19] = (uint8_t)(rev ? 1 : 2);
  p[20] = rev ? 0x13 : 0x03, p[21] = rev ? 0x89 : 0xE8; /* 5001 / 1000 */
  p[22] = rev ? 0x03 : 0x13, p[23] = rev ? 0xE8 : 0x89;
  p[24] = (uint8_t)(seq >> 24), p[25] = (uint8_t)(seq >> 16);
  p[26] = (uint8_t)(seq >> 8), p[27] = (uint8_t)seq;
  p[32] = 0x50;
  p[33] = flags;
  p[34] = 0xFF, p[35] = 0xFF;
  for (i = 0; i < len; i++)
    p[40 + i] = alt ? tp_byte_b(s0 + i) : tp_byte_a(s0 + i);
  tp_frame(w, p, tot, tot);
}

/* Closes the file if still open and reassembles it into *cap. */
int tp_collect(tp_writer *w, int checksums, torc_flow_capture **cap, char *err,
               size_t errlen) {
  torc_flow_options o;
  memset(&o, 0, sizeof o);
  o.no_checksums = !checksums;
  if (w->dumper != NULL)
    tp_close(w);
  return torc_flow_collect(w->path, &o, 0, cap, err, errlen);
}

/* Closes the file if still open and deletes it. */
void tp_remove(tp_writer *w) {
  if (w->dumper != NULL)
    tp_close(w);
  unlink(w->path);
}
