/*
 * torc_flow_checksum.c - IPv4 header and TCP checksum verification of the
 * frames torc_flow reassembles.
 *
 * torc_flow_frame (torc_flow.c) calls it on every TCP frame unless the
 * options turn it off; a bad checksum is only counted in the capture's
 * statistics (captures taken on the sending host with checksum offload show
 * bad checksums legitimately), and the frame is still used.  The
 * link-layer, IP and TCP decoding itself is torc_capture_parse's
 * (torc_capture.c).
 */
#include <string.h>

#include "torc_flow_int.h"

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

/* Counts a bad IPv4 header or TCP checksum of TCP frame f (bytes p). */
void torcint_flow_check_sums(torc_flow *fl, const uint8_t *p,
                             const torc_frame *f) {
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
