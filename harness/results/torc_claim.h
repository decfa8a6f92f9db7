/*
 * torc_claim.h - interface for a module to say what a results document
 * claims about its target: the headline, the exit status it calls for and
 * the reasons, in words a vendor's customer can read.
 *
 * The one place the claim is decided.  The run computes it when it writes
 * its results, `torc merge` when it writes the merged document, the report
 * and `torc diff` when they read one, always from the document itself (its
 * verdicts, its "target", "scope" and "suite" members, as in
 * torc_results.h), never from the command that made it, so a filtered,
 * interrupted or sharded run cannot pass for a full one.
 */
#ifndef TORC_CLAIM_H
#define TORC_CLAIM_H

#include <jansson.h>

#define TORC_CLAIM_CONFORMANT "CONFORMANT"
#define TORC_CLAIM_UNTESTED "CONFORMANT WITH UNTESTED REQUIREMENTS"
#define TORC_CLAIM_NOT_CONFORMANT "NOT CONFORMANT"
#define TORC_CLAIM_INCOMPLETE "INCOMPLETE"
#define TORC_CLAIM_PARTIAL "PARTIAL RUN"
#define TORC_CLAIM_DEVELOPMENT "DEVELOPMENT RUN"

/* The claim of the document doc, whose records are results (doc's own
 * "results" when results is NULL):
 *   {"headline": ..., "exit_status": 0|1|3, "reasons": [sentences],
 *    "untested_requirements": [RCV ids], "missing_mandatory": [names]}
 * First match wins: INCOMPLETE (exit 3: not finished, any CRASH, TIMEOUT or
 * ERROR, or nothing judged), NOT CONFORMANT (exit 1: any FAIL, a
 * PASS-NONSTRICT under scope.strict, or a mandatory feature not declared),
 * PARTIAL RUN (exit 0: a selection, shards short of the set, or not the
 * suite this torc ships), CONFORMANT WITH UNTESTED REQUIREMENTS (exit 0: any
 * UNTESTED), CONFORMANT (exit 0).  "reasons" holds every condition found,
 * the headline's first.  Returns NULL only when out of memory. */
json_t *torc_claim_compute(const json_t *doc, const json_t *results);

/* The headline and exit status of a claim object (INCOMPLETE and 3 when it
 * is not one). */
const char *torc_claim_headline(const json_t *claim);
int torc_claim_exit_status(const json_t *claim);

#endif /* TORC_CLAIM_H */
