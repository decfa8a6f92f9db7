/*
 * torc_waivers.h - interface for the waiver file of `torc run --waivers`.
 *
 * Loaded before any vector runs (torc_run.c); after each vector the run
 * asks for the waiver covering a failing result (torc_run_record.c); at
 * the end it lists what each waiver waived and which matched nothing
 * (torc_run_finish.c).
 */
#ifndef TORC_WAIVERS_H
#define TORC_WAIVERS_H

#include <jansson.h>
#include <stddef.h>

#include "torc_engine.h"
#include "torc_results.h"
#include "torc_vector.h"

typedef struct torc_waiver {
  char *vector;      /* a whole vector id "rcv-" + 16 hex digits, or NULL */
  char *requirement; /* a requirement id "RCV-ddd", or NULL */
  char *reason;
  char *owner;      /* who answers for it */
  char *link;       /* may be NULL */
  char expires[11]; /* YYYY-MM-DD */
} torc_waiver;

typedef struct torc_waivers {
  torc_waiver *v;
  size_t n;
} torc_waivers;

/* Loads a waiver file: a JSON list of {vector|requirement, reason, owner,
 * expires, link?}.  Returns 0; -1 with "FILE: $[i].field: problem" in
 * errbuf (wildcards are refused); -2 when a waiver has expired (today from
 * $TORC_TODAY, else the system clock), errbuf naming it. */
int torc_waivers_load(const char *path, torc_waivers *w, char *errbuf,
                      size_t errlen);

/* The waiver covering result r of vector v, or NULL.  A vector waiver
 * covers a FAIL, CRASH or TIMEOUT of that vector (and PASS-NONSTRICT with
 * strict).  A requirement waiver covers a FAIL only when the FAIL is
 * attributed (r->attributed) and every requirement it is attributed to is
 * waived. */
const torc_waiver *torc_waivers_match(const torc_waivers *w,
                                      const torc_vector *v,
                                      const torc_result *r, int strict);

/* The object a result record carries as "waiver": the waiver and the
 * verdict it waived. */
json_t *torc_waiver_json(const torc_waiver *x, const char *was);

/* The results' "waivers" member: {applied: [waiver + vectors], unmatched:
 * [waiver]}, from the "waiver" objects of the records of rs (resumed
 * records included).  unmatched_out[i] is set to 1 for each waiver i that
 * matched nothing (may be NULL). */
json_t *torc_waivers_summary(const torc_waivers *w, const torc_results *rs,
                             unsigned char *unmatched_out);

void torc_waivers_free(torc_waivers *w);

#endif /* TORC_WAIVERS_H */
