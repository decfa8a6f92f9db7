/*
 * torc_wire_int.h - what the wire protocol's encoder and decoder share
 * beyond torc_wire.h: the payload kinds of a segment.
 *
 * torc_wire_encode.c writes them, torc_wire_decode.c reads them back
 * (private to the wire module).
 */
#ifndef TORC_WIRE_INT_H
#define TORC_WIRE_INT_H

#include "torc_wire.h"

/* Payload kinds of a segment. */
enum { SEG_PAYLOAD_NONE = 0, SEG_PAYLOAD_IN_FRAME = 1, SEG_PAYLOAD_OWN = 2 };

#endif /* TORC_WIRE_INT_H */
