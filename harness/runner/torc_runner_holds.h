/*
 * torc_runner_holds.h - interface for torc-target-runner to remember the
 * target's bytes the host holds (accepted indications, handed-back upload
 * data) and tell the host when the target changes them before they are
 * returned (RCV-133, RCV-212; torc_runner_holds.c).
 */
#ifndef TORC_RUNNER_HOLDS_H
#define TORC_RUNNER_HOLDS_H

#include <stdint.h>
#include <torc/target.h>

#include "torc_wire.h"

void torc_runner_hold_indicated(uint64_t handle, uint64_t id,
                                const torc_fragment *f, uint32_t n);
void torc_runner_hold_handed_back(uint64_t handle, uint64_t id,
                                  const torc_buffer_list *l);
/* The host returned id on the connection handle (OP_RECEIVE_RETURN). */
void torc_runner_hold_returned(uint64_t handle, uint64_t id);
/* The connection is gone: its holds with it. */
void torc_runner_holds_drop(uint64_t handle);
/* Sends UP_HOLD_CHANGED for every hold whose bytes changed since they were
 * last said; call before any reply to the host.  0, or -1 (channel failed). */
int torc_runner_holds_flush(torc_wire_chan *chan);
void torc_runner_holds_free(void);

#endif /* TORC_RUNNER_HOLDS_H */
