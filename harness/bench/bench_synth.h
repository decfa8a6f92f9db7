/*
 * bench_synth.h - interface for a module to write the synthetic captures of
 * the benchmarks (bench_flow.c, bench_vecmem.c): real-looking
 * Ethernet/IPv4 TCP traffic, written with libpcap into a build folder
 * (never committed).
 */
#ifndef BENCH_SYNTH_H
#define BENCH_SYNTH_H

#include <stdint.h>

/* Writes about mib MiB of capture to path: 4 long TCP flows interleaved,
 * each opened by SYN / SYN-ACK (sequence numbers wrap inside the flow),
 * MSS 1448 with correct checksums, every 32nd pair of data segments
 * written swapped (reordering) and an ACK every second segment.  With
 * hole, the first data segment of the 100th pair of flow 0 is never
 * written (a hole never filled: its bytes are never retransmitted, and
 * the receiver's ACKs go past it as in a capture the frames were cut
 * from).  Returns 0, or -1 with a message on stderr. */
int bench_synthesize(const char *path, uint64_t mib, int hole);

/* Size of the file at path in MiB, -1 when it does not exist. */
long bench_file_mib(const char *path);

#endif /* BENCH_SYNTH_H */
