/*
 * torc_attribute.h - interface for the judge to name the broken rule.
 *
 * At the first divergence of a call pattern (torc_judge.c) the expected
 * event carries its because: the boxes and rules that made the reference
 * make that call (torc_because.h).  What differs between the expected and
 * the actual call (its kind, which request, how many bytes, its status,
 * when, which event, what was handed back) selects, among those rules, the
 * ones that decide that aspect: those are the rules the target
 * contradicted.
 */
#ifndef TORC_ATTRIBUTE_H
#define TORC_ATTRIBUTE_H

#include <stddef.h>
#include <stdint.h>

#include "torc_trace.h"

/* What differs between an expected and an actual call. */
enum {
  TORC_ASPECT_KIND = 1u << 0,     /* another kind of call, or none */
  TORC_ASPECT_ORDER = 1u << 1,    /* another request */
  TORC_ASPECT_AMOUNT = 1u << 2,   /* another number of bytes */
  TORC_ASPECT_STATUS = 1u << 3,   /* another status or answer */
  TORC_ASPECT_TIMING = 1u << 4,   /* during another script event */
  TORC_ASPECT_EVENT = 1u << 5,    /* another event indication */
  TORC_ASPECT_HANDBACK = 1u << 6, /* another RcvNxt or hand-back */
  TORC_ASPECT_DATA = 1u << 7      /* other bytes delivered */
};

/* The requirement ids ("RCV-167") named by the because of entry ei of the
 * expected trace that decide one of the aspects, the decision nearest the
 * call first, at most max of them, into out: those of the pass that made
 * the call (from its last entry box), or with early (the target called
 * before the expected script event) first those of the pass before it,
 * which decided to wait, then those of the pass that made it.  ei < 0 or an
 * entry without a because gives none. Returns how many. */
size_t torc_attribute(const torc_trace *expected, long ei, unsigned aspects,
                      int early, char (*out)[16], size_t max);

/* The expected entry that delivers stream offset off (a completed request,
 * the consumed part of an indication, or the hand-back holding it), or
 * -1: whose because explains where that byte went. */
long torc_entry_at_offset(const torc_trace *expected, uint64_t off);

/* The boxes and decisions of the because of entry ei ("E2 D3=no ..."), or
 * "" without one. */
void torc_attribute_boxes(const torc_trace *expected, long ei, char *buf,
                          size_t n);

/* The catalogue's one-line summary of requirement "RCV-nnn", or "". */
const char *torc_requirement_summary(const char *rcv);
/* Its group letter ("A".."K"), or "". */
const char *torc_requirement_group(const char *rcv);
/* The specification page it comes from ("updating-cached-variables.md"),
 * or "". */
const char *torc_requirement_page(const char *rcv);

/* One word for the first aspect in aspects ("bytes", "status", ...). */
const char *torc_aspect_name(unsigned aspects);

/* The wire rule (an RST or SYN the reference did not act on: RCV-301,
 * RCV-302) that expected entry ei's because names and that forbids the
 * event (TORC_EVENT_*) a target indicated instead, with one line saying
 * what it requires in *what; NULL when there is none. */
const char *torc_attribute_wire(const torc_trace *expected, size_t ei,
                                uint32_t event, const char **what);

#endif /* TORC_ATTRIBUTE_H */
