/*
 * torc_linux_packet.h - Interface for a module to turn a captured segment
 * into the IP packet the Linux adapter writes to its tun device.
 *
 * Where it sits: torc_linux_target.c's segment() calls it for every frame
 * the harness hands over; the packet built here is what the kernel of the
 * connection's namespace receives as the peer's segment.
 */
#ifndef TORC_LINUX_PACKET_H
#define TORC_LINUX_PACKET_H

#include <stddef.h>
#include <stdint.h>

#include <torc/target.h>

/* How a captured segment is rewritten before injection. */
typedef struct torc_linux_rewrite {
  uint8_t ip_version; /* 4 or 6: the connection's family */
  uint8_t local[16];  /* destination address inside the namespace */
  uint8_t remote[16]; /* source address inside the namespace */
  uint32_t ack;       /* the socket's SND.NXT: the ACK field's new value */
} torc_linux_rewrite;

/* Copies the IP packet of seg (from seg->ip_offset, as long as its IP header
 * says, never past seg->frame_len) into out (cap bytes; borrowed for the
 * call), sets the addresses and the ACK field from rw, and recomputes the
 * IPv4 header checksum and the TCP checksum (captures may carry offloaded,
 * invalid ones).  seg is untrusted: every offset is bounds-checked.  Returns
 * the packet length, or -1 with a static reason in *why. */
int torc_linux_packet_build(const torc_segment *seg,
                            const torc_linux_rewrite *rw, uint8_t *out,
                            size_t cap, const char **why);

#endif /* TORC_LINUX_PACKET_H */
