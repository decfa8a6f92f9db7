/*
 * torc_flow_print.c - the reassembler's counts and directions as text
 * lines, for the vectorizer's and the benchmarks' reports.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "torc_flow.h"

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
