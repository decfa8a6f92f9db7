/*
 * torc_test_pcap.h - Interface for a module to write hand-built frames to a
 * temporary pcap file in Check unit tests, and to reassemble it.
 *
 * The flow tests (test_flow.c, test_flow_reasm.c) each keep one writer:
 * tp_open creates the file (pcap_open_dead + pcap_dump_open), tp_frame and
 * tp_tcp append frames, tp_collect closes the file if still open and
 * reassembles it with torc_flow_collect, tp_remove closes and deletes it.
 * Payload byte values: the first copy of stream byte s is tp_byte_a(s); a
 * conflicting copy carries tp_byte_b(s) = ~tp_byte_a(s), so a test can see
 * which copy was kept.  Nothing here uses global mutable state.
 */
#ifndef TORC_TEST_PCAP_H
#define TORC_TEST_PCAP_H

#include <pcap/pcap.h>
#include <stddef.h>
#include <stdint.h>

#include "torc_flow.h"

/* TCP flags as on the wire. */
#define FIN 0x01
#define SYN 0x02
#define RST 0x04
#define PSH 0x08
#define ACK 0x10

typedef struct tp_writer {
  char path[64]; /* the temporary file */
  pcap_t *dead;
  pcap_dumper_t *dumper; /* NULL once closed */
  uint32_t nframes;
} tp_writer;

uint8_t tp_byte_a(uint64_t s);
uint8_t tp_byte_b(uint64_t s);

void tp_open(tp_writer *w, int dlt);
void tp_frame(tp_writer *w, const uint8_t *p, uint32_t caplen,
              uint32_t wirelen);
void tp_close(tp_writer *w);
void tp_tcp(tp_writer *w, int rev, uint32_t seq, uint8_t flags, uint64_t s0,
            uint32_t len, int alt);
int tp_collect(tp_writer *w, int checksums, torc_flow_capture **cap, char *err,
               size_t errlen);
void tp_remove(tp_writer *w);

#endif /* TORC_TEST_PCAP_H */
