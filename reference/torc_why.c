/*
 * torc_why.c - the notes behind each host call of the reference.
 *
 * Written by TORC_WHY (torc_why.h) from the delivery code, handed to the
 * connection's explain hook by torcint_why_emit() just before each host
 * call.  Only reached when a hook is set (torc_reference_explain()).
 */
#include "torc_why.h"

#include <string.h>

/* 1 for a rule ("RCV-", "DEC-") or a wire note ("W17", torc_input.c),
 * each noted once per call; 0 for a flowchart box or decision. */
static int is_rule(const char *tag) {
  return strncmp(tag, "RCV-", 4) == 0 || strncmp(tag, "DEC-", 4) == 0 ||
         tag[0] == 'W';
}

void torcint_why_add(torc_conn *c, const char *const *tags, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) {
    uint32_t k = c->why.n;
    /* A rule is noted once; boxes as often as the path passes them, so
     * that each pass since the last call starts at its entry box. */
    if (is_rule(tags[i]))
      for (k = 0; k < c->why.n; k++)
        if (c->why.tag[k] == tags[i] || strcmp(c->why.tag[k], tags[i]) == 0)
          break;
    if (k < c->why.n)
      continue;
    if (c->why.n == TORC_WHY_MAX) {
      /* The oldest box goes (the passes nearest the call matter most);
       * rules, each noted once, stay. */
      uint32_t j = 0;
      while (j < c->why.n && is_rule(c->why.tag[j]))
        j++;
      if (j == c->why.n)
        j = 0;
      memmove(c->why.tag + j, c->why.tag + j + 1,
              (c->why.n - j - 1) * sizeof c->why.tag[0]);
      c->why.n--;
    }
    c->why.tag[c->why.n++] = tags[i];
  }
}

void torcint_why_emit(torc_conn *c) {
  if (c->explain == NULL)
    return;
  c->explain(c->explain_ctx, c->why.tag, c->why.n);
  c->why.n = 0;
}

void torcint_why_clear(torc_conn *c) {
  c->why.n = 0;
}
