/*
 * torc_deliver.h - Interface for a module to run the delivery algorithm:
 * the three flowcharts of the NDIS "Delivery Algorithm" page (transcribed
 * with box labels in /work/shared/spec/delivery-algorithm.md), plus the
 * upload and abort paths that end the connection's receive side.
 *
 * Serialisation (RCV-046, D1/D3/D14): at most one completion, indication or
 * event is in flight per connection.  Work that arrives while one is in
 * flight (posts, segments, time, RST, terminate) is only recorded in the
 * torc_conn; torcint_deliver_pump() does it once the callback returned
 * (DEC-14, DEC-17).  The pump never recurses: a re-entrant call finds
 * in_progress set and returns at once, leaving the work to the outer loop.
 */
#ifndef TORC_DELIVER_H
#define TORC_DELIVER_H

#include <stdint.h>

#include "torc_conn.h"

/* Processes every piece of recorded work, unless a callback is in flight on
 * the connection (then the caller on the stack below will). */
void torcint_deliver_pump(torc_conn *c);

/* Flowchart 1, entry 2, for an in-sequence segment that may bypass the
 * held FIFO (nothing held, nothing pending, requests posted, no callback in
 * flight): places data[0, len) straight into the requests and keeps what
 * they cannot take in rem (a chunk of exactly that many bytes allocated by
 * the caller, or NULL when the requests take everything; ownership
 * transfers).  psh is the D11 answer.  data is borrowed for the call. */
void torcint_deliver_direct(torc_conn *c, const uint8_t *data, uint32_t len,
                            torc_chunk *rem, int psh);

/* Bytes posted requests can take before data remains for an indication,
 * counted up to limit (for sizing rem above). */
uint64_t torcint_deliver_room(torc_conn *c, uint64_t limit);

#endif /* TORC_DELIVER_H */
