/*
 * torc_gate.h - interface for the engine to decide, before playing a
 * vector, whether the target has what the vector needs.
 *
 * A vector names the TORC_CAP_* features it needs; its script implies the
 * operations it calls.  What the target lacks decides the verdict without
 * playing: a feature or operation the specification makes mandatory is a
 * FAIL citing the requirement that makes it so (RCV-176, RCV-045, ...); a
 * testability hook (the allocation hook) is UNTESTED.  The map is the
 * catalogue's (torc_features.h).
 */
#ifndef TORC_GATE_H
#define TORC_GATE_H

#include <torc/target.h>

#include "torc_engine.h"
#include "torc_vector_int.h"

/* Returns 1 and fills r's verdict, violations and detail when target t
 * lacks something vector v needs; 0 when the vector can be played. */
int torc_gate_check(const torc_target *t, const torc_vector *v, torc_result *r);

#endif /* TORC_GATE_H */
