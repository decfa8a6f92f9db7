/*
 * torc_flow_read.c - reading a capture file into the reassembler.
 *
 * Opens a pcap or pcapng file with libpcap (checking that torc_capture_parse
 * understands its link type), takes one frame at a time with pcap_next_ex
 * and feeds it to torc_flow_frame (torc_flow.c), then finishes every
 * direction.  The file must be a regular one (torcint_capture_fopen,
 * torc_capture.c).  Errors name the file and, when the file breaks inside a
 * frame, the frame: "NAME: frame N: problem".
 */
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>

#include "torc_flow_int.h"

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
  /* Where each record starts, so that torc_capture_open_frames can read a
   * frame back without reading the file whole (libpcap reads its FILE with
   * no lookahead past the record it returns). */
  while ((fl->pos = pcap_file(pc) ? (int64_t)ftello(pcap_file(pc)) : -1),
         (rc = pcap_next_ex(pc, &h, &pkt)) == 1) {
    uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec;
    n++;
    rc = torc_flow_frame(fl, n, ts, pkt, h->caplen, h->len);
    fl->pos = -1;
    if (rc != 0) {
      snprintf(err, errlen, "%s: frame %u: %s", name, n,
               torc_flow_strerror(rc));
      return rc;
    }
  }
  fl->pos = -1;
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
int torcint_flow_open_capture(const char *path, pcap_t **out, char *err,
                              size_t errlen) {
  char pe[PCAP_ERRBUF_SIZE];
  FILE *fp = torcint_capture_fopen(path, err, errlen);
  pcap_t *pc;
  int dlt;
  *out = NULL;
  if (fp == NULL)
    return TORC_FLOW_ERR_OPEN;
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
  if ((rc = torcint_flow_open_capture(path, &pc, err, errlen)) != 0)
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
