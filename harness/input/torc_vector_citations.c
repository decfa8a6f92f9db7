/*
 * torc_vector_citations.c - whether a vector's citations decide anything.
 *
 * A vector cites the rules that decided at least one of its expected
 * events: every requirement in $.requirements must be named by the
 * "because" of some event of $.expected.trace (issue 12: no blanket lists).
 * `torc lint` applies it to every vector (torc_cli_lint.c); the loader does
 * not, so that `torc run` still runs a vector written before events said
 * why.
 */
#include "torc_vector_int.h"

#include <stdio.h>
#include <string.h>

#include "torc_because.h"

int torc_vector_check_citations(const torc_vector *v, char *err, size_t n) {
  const torc_trace *t = &v->body->expected;
  size_t i, k, nwhy = 0;
  for (i = 0; i < t->n; i++)
    nwhy += t->e[i].why_count;
  if (nwhy == 0) {
    snprintf(err, n,
             "%s: $.expected.trace: no event says why (\"because\"): its "
             "citations decide nothing (torc explain --write adds them)",
             v->path);
    return -1;
  }
  for (k = 0; k < v->nrequirements; k++) {
    torc_because want = torc_because_parse(v->requirements[k]);
    int found = 0;
    for (i = 0; i < t->nwhy && !found; i++)
      found = t->why[i] == want;
    if (!found) {
      snprintf(err, n,
               "%s: $.requirements[%zu]: %s decides none of the vector's "
               "expected events (no event's because names it)",
               v->path, k, v->requirements[k]);
      return -1;
    }
  }
  return 0;
}
