/*
 * fuzz_flow.c - libFuzzer target for capture reading and TCP reassembly.
 *
 * Where it sits: torc_flow.c is what reads an untrusted capture file for
 * the vectorizer.  Input: a whole pcap/pcapng file image, opened from
 * memory (fmemopen + pcap_fopen_offline).  It is reassembled twice: once
 * streaming with small limits (so the gap-skipping and history paths run)
 * and once collected in memory.  Every callback checks the invariants it
 * can see: in-order data arrives at the direction's stream length, frame
 * map entries name the current direction.
 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "torc_flow.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int on_data(void *u, const torc_flow_dir *d, uint64_t off,
                   const uint8_t *p, size_t len) {
  uint8_t *sum = u;
  size_t i;
  if (off + len != d->delivered || len == 0)
    abort();
  for (i = 0; i < len; i++)
    *sum ^= p[i]; /* touch every byte */
  return 0;
}

static int on_frame(void *u, const torc_flow_dir *d,
                    const torc_flow_map_entry *e) {
  if (e->dir != d->id || e->new_bytes > e->len || e->new_bytes > e->new_len)
    abort();
  return 0;
}

static int on_gap(void *u, const torc_flow_dir *d, uint64_t off, uint64_t len) {
  if (off + len != d->delivered || len == 0)
    abort();
  return 0;
}

static pcap_t *open_mem(const uint8_t *data, size_t size) {
  char err[PCAP_ERRBUF_SIZE];
  FILE *fp = fmemopen((void *)(uintptr_t)data, size, "rb");
  pcap_t *pc;
  if (fp == NULL)
    return NULL;
  pc = pcap_fopen_offline(fp, err);
  if (pc == NULL)
    fclose(fp);
  return pc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char err[512];
  uint8_t sum = 0;
  torc_flow_options o;
  torc_flow_callbacks cb;
  torc_flow_capture *cap = NULL;
  torc_flow *fl;
  pcap_t *pc;
  if (size == 0)
    return 0;
  pc = open_mem(data, size);
  if (pc == NULL)
    return 0;
  memset(&o, 0, sizeof o);
  o.max_held_bytes = 4096;
  o.history_bytes = 2048;
  memset(&cb, 0, sizeof cb);
  cb.user = &sum;
  cb.on_data = on_data;
  cb.on_frame = on_frame;
  cb.on_gap = on_gap;
  fl = torc_flow_new(pcap_datalink(pc), &o, &cb);
  if (fl != NULL) {
    size_t i;
    (void)torc_flow_read_pcap(fl, pc, "fuzz", err, sizeof err);
    for (i = 0; i < torc_flow_ndirs(fl); i++)
      if (torc_flow_get_dir(fl, i)->id != i)
        abort();
    torc_flow_free(fl);
  }
  pcap_close(pc);
  pc = open_mem(data, size);
  if (pc == NULL)
    return 0;
  if (torc_flow_collect_pcap(pc, "fuzz", NULL, 1 << 20, &cap, err,
                             sizeof err) == 0) {
    size_t i;
    for (i = 0; i < cap->ndirs; i++)
      if (cap->dirs[i].len != cap->dirs[i].info.delivered)
        abort();
    torc_flow_capture_free(cap);
  }
  pcap_close(pc);
  return 0;
}
