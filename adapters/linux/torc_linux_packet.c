/*
 * torc_linux_packet.c - builds the packet the Linux adapter injects through
 * its tun device from a captured segment.
 *
 * Where it sits: between the harness's torc_segment (a captured frame with
 * parsed offsets) and the tun device of the connection's namespace.  The
 * link header is stripped (the tun device carries bare IP packets), the
 * addresses are set to the namespace's (they differ from the capture's only
 * when the capture's are unusable, e.g. 127.0.0.1 on both ends), the ACK
 * field is set to the socket's SND.NXT (the adapter never sends data, so
 * the ACK carries nothing for the receive path, and Linux discards a
 * segment acknowledging unsent data), and the checksums are recomputed.
 * Nothing else of the segment changes: sequence number, flags, window,
 * options and payload reach the kernel as captured.
 */
#include <string.h>

#include "torc_linux_packet.h"

/* One's-complement sum of len bytes, added to sum. */
static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len) {
  size_t i;
  for (i = 0; i + 1 < len; i += 2)
    sum += (uint32_t)(p[i] << 8 | p[i + 1]);
  if (len & 1)
    sum += (uint32_t)(p[len - 1] << 8);
  return sum;
}

static uint16_t csum_fold(uint32_t sum) {
  while (sum >> 16)
    sum = (sum & 0xFFFFu) + (sum >> 16);
  return (uint16_t)~sum;
}

static void put16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
}

static int fail(const char **why, const char *msg) {
  *why = msg;
  return -1;
}

int torc_linux_packet_build(const torc_segment *seg,
                            const torc_linux_rewrite *rw, uint8_t *out,
                            size_t cap, const char **why) {
  const uint8_t *ip;
  size_t avail, iplen, iphl, tcpoff, tcplen, thl;
  uint8_t *tcp;
  uint32_t sum;
  uint8_t proto_len[4];

  if (!seg->frame || seg->ip_offset >= seg->frame_len ||
      seg->tcp_offset <= seg->ip_offset || seg->tcp_offset >= seg->frame_len)
    return fail(why, "segment offsets outside the frame");
  ip = seg->frame + seg->ip_offset;
  avail = seg->frame_len - seg->ip_offset;
  tcpoff = seg->tcp_offset - seg->ip_offset;
  if ((ip[0] >> 4) != rw->ip_version)
    return fail(why, "IP version differs from the connection's");
  if (rw->ip_version == 4) {
    if (avail < 20)
      return fail(why, "truncated IPv4 header");
    iphl = (size_t)(ip[0] & 0x0F) * 4;
    iplen = (size_t)(ip[2] << 8 | ip[3]);
    if (iphl < 20 || iplen < iphl || tcpoff < iphl)
      return fail(why, "bad IPv4 header length");
  } else {
    if (avail < 40)
      return fail(why, "truncated IPv6 header");
    iphl = 40;
    iplen = 40 + (size_t)(ip[4] << 8 | ip[5]);
    if (tcpoff < iphl)
      return fail(why, "bad IPv6 header");
  }
  if (iplen > avail)
    return fail(why, "IP packet longer than the captured frame");
  if (tcpoff + 20 > iplen)
    return fail(why, "truncated TCP header");
  if (iplen > cap)
    return fail(why, "packet larger than the adapter's buffer");
  memcpy(out, ip, iplen);
  tcp = out + tcpoff;
  tcplen = iplen - tcpoff;
  thl = (size_t)(tcp[12] >> 4) * 4;
  if (thl < 20 || thl > tcplen)
    return fail(why, "bad TCP data offset");

  /* Addresses and the IPv4 header checksum. */
  if (rw->ip_version == 4) {
    memcpy(out + 12, rw->remote, 4);
    memcpy(out + 16, rw->local, 4);
    put16(out + 10, 0);
    put16(out + 10, csum_fold(csum_add(0, out, iphl)));
  } else {
    memcpy(out + 8, rw->remote, 16);
    memcpy(out + 24, rw->local, 16);
  }

  /* ACK field (only meaningful with the ACK flag; set it anyway). */
  tcp[8] = (uint8_t)(rw->ack >> 24);
  tcp[9] = (uint8_t)(rw->ack >> 16);
  tcp[10] = (uint8_t)(rw->ack >> 8);
  tcp[11] = (uint8_t)rw->ack;

  /* TCP checksum over the pseudo-header and the segment. */
  put16(tcp + 16, 0);
  sum = 0;
  if (rw->ip_version == 4) {
    sum = csum_add(sum, out + 12, 8);
    proto_len[0] = 0;
    proto_len[1] = 6;
    put16(proto_len + 2, (uint16_t)tcplen);
    sum = csum_add(sum, proto_len, 4);
  } else {
    uint8_t ph[8] = {0};
    sum = csum_add(sum, out + 8, 32);
    ph[0] = (uint8_t)(tcplen >> 24);
    ph[1] = (uint8_t)(tcplen >> 16);
    ph[2] = (uint8_t)(tcplen >> 8);
    ph[3] = (uint8_t)tcplen;
    ph[7] = 6;
    sum = csum_add(sum, ph, 8);
  }
  sum = csum_add(sum, tcp, tcplen);
  put16(tcp + 16, csum_fold(sum));
  return (int)iplen;
}
