/*
 * torc_why.h - interface for the reference to explain its host calls.
 *
 * As the delivery algorithm runs (torc_deliver.c, torc_input.c,
 * torc_reference.c) it notes the flowchart boxes it passes and the
 * decisions it takes, as shared/spec/delivery-algorithm.md numbers them
 * ("E2", "D4=yes", "P1"), and the rules it applies on the way ("RCV-167",
 * "DEC-18").  Just before each host call the notes made since the previous
 * host call are handed to the connection's explain hook
 * (torc_reference_explain(), torc_reference.h) and cleared: a call is
 * explained by everything decided since the host last heard from the
 * target, across operations (a request queued at J1 by one post, then the
 * segment that fills it).
 * With no hook set, TORC_WHY is one test of a pointer: the explanation
 * costs nothing when nobody asked for it.
 */
#ifndef TORC_WHY_H
#define TORC_WHY_H

#include <stdint.h>

#include "torc_conn.h"

/* Notes one or more static strings (boxes, decisions, rule ids). */
#define TORC_WHY(c, ...)                                                       \
  do {                                                                         \
    if ((c)->explain != NULL) {                                                \
      static const char *const why_tags_[] = {__VA_ARGS__};                    \
      torcint_why_add((c), why_tags_,                                          \
                      (uint32_t)(sizeof why_tags_ / sizeof why_tags_[0]));     \
    }                                                                          \
  } while (0)

/* Notes why the push timer is (re)started, for its expiry (E3) to note
 * again; also notes them now. */
#define TORC_WHY_TIMER(c, ...)                                                 \
  do {                                                                         \
    if ((c)->explain != NULL) {                                                \
      static const char *const why_timer_[] = {__VA_ARGS__};                   \
      (c)->timer_why = why_timer_;                                             \
      (c)->ntimer_why = (uint32_t)(sizeof why_timer_ / sizeof why_timer_[0]);  \
      torcint_why_add((c), why_timer_, (c)->ntimer_why);                       \
    }                                                                          \
  } while (0)

/* Adds n tags in order: a rule once (where first noted), a box each time
 * it is passed; beyond TORC_WHY_MAX the oldest box is dropped (rules
 * stay). */
void torcint_why_add(torc_conn *c, const char *const *tags, uint32_t n);
/* Hands the notes to the explain hook, then clears them; call just before
 * every host call. */
void torcint_why_emit(torc_conn *c);
/* Forgets the notes (an operation begins). */
void torcint_why_clear(torc_conn *c);

#endif /* TORC_WHY_H */
