/*
 * torc_input.h - Interface for a module to take a TCP segment from the wire
 * into an offloaded connection: acceptability and trimming against the
 * receive window (RFC 9293 §3.10.7.4, DEC-15), the out-of-order queue
 * (RCV-062), RST (DEC-04), FIN (DEC-18), SYN and URG (DEC-08).
 */
#ifndef TORC_INPUT_H
#define TORC_INPUT_H

#include "torc/target.h"
#include "torc_conn.h"

/* Processes one segment (borrowed for the call) and runs the delivery
 * algorithm on what became in sequence.  Never fails: a segment that cannot
 * be taken is dropped and counted (R9). */
void torcint_input_segment(torc_conn *c, const torc_segment *seg);

#endif /* TORC_INPUT_H */
