/*
 * torc_why.c - the notes behind each host call of the reference.
 *
 * Written by TORC_WHY (torc_why.h) from the delivery code, handed to the
 * connection's explain hook by torcint_why_emit() just before each host
 * call.  Only reached when a hook is set (torc_reference_explain()).
 */
#include "torc_why.h"

#include <string.h>

void torcint_why_add(torc_conn *c, const char *const *tags, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) {
    uint32_t k;
    for (k = 0; k < c->why.n; k++)
      if (c->why.tag[k] == tags[i] || strcmp(c->why.tag[k], tags[i]) == 0)
        break;
    if (k < c->why.n)
      continue;
    if (c->why.n < TORC_WHY_MAX)
      c->why.tag[c->why.n++] = tags[i];
    else
      c->why.lost++;
  }
}

void torcint_why_emit(torc_conn *c) {
  if (c->explain == NULL)
    return;
  c->explain(c->explain_ctx, c->why.tag, c->why.n);
  c->why.n = 0;
  c->why.lost = 0;
}

void torcint_why_clear(torc_conn *c) {
  c->why.n = 0;
  c->why.lost = 0;
}
