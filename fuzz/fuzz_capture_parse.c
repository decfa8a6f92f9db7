/*
 * fuzz_capture_parse.c - libFuzzer target for the link/IP/TCP frame parser.
 *
 * Where it sits: torc_capture_parse is the first code that touches a
 * captured frame's bytes (torc_capture.c for whole captures, torc_flow.c
 * while streaming).  Input: byte 0 picks a link type from the supported
 * set, the rest is the frame; caplen is the rest's length and wirelen is
 * caplen or larger (byte 1's low bits), as libpcap would report.  Whatever
 * the parser answers, the offsets it fills must lie inside the frame.
 */
#include <pcap/pcap.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "torc_capture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int dlts[] = {DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2,
                           DLT_RAW,    DLT_IPV4,      DLT_IPV6,
                           DLT_NULL,   DLT_LOOP,      DLT_IEEE802_11};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  torc_frame f;
  uint8_t *copy;
  uint32_t caplen, wirelen, kind;
  int dlt;
  if (size < 2 || size > 262144)
    return 0;
  dlt = dlts[data[0] % (sizeof dlts / sizeof dlts[0])];
  caplen = (uint32_t)(size - 2);
  wirelen = caplen + (data[1] & 3) * 100u;
  /* An exact-size heap copy so ASan sees any read past the frame. */
  copy = malloc(caplen ? caplen : 1);
  if (copy == NULL)
    return 0;
  memcpy(copy, data + 2, caplen);
  memset(&f, 0, sizeof f);
  kind = torc_capture_parse(dlt, copy, caplen, wirelen, &f);
  if (kind == TORC_FRAME_TCP) {
    if (f.payload_offset > caplen ||
        f.payload_len > caplen - f.payload_offset ||
        f.tcp_offset + 20 > f.payload_offset || f.ip_offset >= f.tcp_offset)
      abort();
    if (f.ip_version != 4 && f.ip_version != 6)
      abort();
  }
  free(copy);
  return 0;
}
