/*
 * torc_waivers.h - interface for the waiver file of `torc run --waivers`.
 *
 * Loaded before any vector runs (torc_run.c); after each vector the run
 * asks for the waiver covering a failing result (torc_run_record.c).
 */
#ifndef TORC_WAIVERS_H
#define TORC_WAIVERS_H

#include <stddef.h>

#include "torc_engine.h"
#include "torc_vector.h"

typedef struct torc_waiver {
  char *vector;      /* id glob, or NULL */
  char *requirement; /* RCV id, or NULL */
  char *reason;
  char *link;
  char expires[11]; /* YYYY-MM-DD */
} torc_waiver;

typedef struct torc_waivers {
  torc_waiver *v;
  size_t n;
} torc_waivers;

/* Loads a waiver file: a JSON list of {vector|requirement, reason, link,
 * expires}.  Returns 0; -1 with "FILE: $[i].field: problem" in errbuf; -2
 * when a waiver has expired (today from $TORC_TODAY, else the system
 * clock), errbuf naming it. */
int torc_waivers_load(const char *path, torc_waivers *w, char *errbuf,
                      size_t errlen);
/* The waiver covering a result of vector v (by id glob, by one of its
 * requirements or of the result's violated requirements), or NULL. */
const torc_waiver *torc_waivers_match(const torc_waivers *w,
                                      const torc_vector *v,
                                      const torc_result *r);
void torc_waivers_free(torc_waivers *w);

#endif /* TORC_WAIVERS_H */
