/*
 * torc_gate.c - what the target lacks for a vector, and the verdict that
 * follows (torc_gate.h).
 *
 * Called by torc_engine_run before a vector is played.  A missing mandatory
 * feature or operation is a FAIL with one violation per missing piece, each
 * citing the first requirement the catalogue gives for it ("features" and
 * "operations" of conformance/catalogue.json); only when nothing mandatory
 * is missing does a missing testability hook make the vector UNTESTED.
 */
#include "torc_gate.h"

#include <stdio.h>
#include <string.h>

#include "torc_call.h"
#include "torc_features.h"

/* The operations a vector's script calls, as a bit set of torc_call_op. */
static unsigned ops_needed(const torc_vector_body *b) {
  unsigned need = 1u << TORC_CALL_CONN_OPEN | 1u << TORC_CALL_CONN_CLOSE |
                  1u << TORC_CALL_INITIATE_OFFLOAD;
  if (b->ops_used & (1u << TORC_OP_POST | 1u << TORC_OP_POST_IN_COMPLETION |
                     1u << TORC_OP_POST_IN_INDICATION))
    need |= 1u << TORC_CALL_RECEIVE;
  if (b->ops_used & 1u << TORC_OP_FRAME)
    need |= 1u << TORC_CALL_SEGMENT;
  if (b->ops_used & 1u << TORC_OP_TERMINATE)
    need |= 1u << TORC_CALL_TERMINATE_OFFLOAD;
  if (b->ops_used & 1u << TORC_OP_RETURN)
    need |= 1u << TORC_CALL_RECEIVE_RETURN;
  if (b->nevents && b->events[b->nevents - 1].t_us > 0)
    need |= 1u << TORC_CALL_ADVANCE_TIME;
  return need;
}

/* The next free violation, citing requirement; NULL when the list is
 * full. */
static torc_violation *violation(torc_result *r, const char *requirement) {
  torc_violation *x;
  if (r->nviolations >= TORC_MAX_VIOLATIONS)
    return NULL;
  x = &r->violations[r->nviolations++];
  snprintf(x->requirement, sizeof x->requirement, "%s", requirement);
  return x;
}

#define MISSING_PREFIX "missing mandatory feature: "

static void append(char *buf, size_t n, const char *name) {
  size_t len = strlen(buf);
  snprintf(buf + len, n - len, "%s%s", len ? ", " : "", name);
}

int torc_gate_check(const torc_target *t, const torc_vector *v,
                    torc_result *r) {
  uint64_t lacking = v->requires_caps & ~t->capabilities;
  unsigned need = ops_needed(v->body);
  /* Sized so that the detail's prefix and the list fit in a detail. */
  char names[TORC_MSG_SIZE - sizeof MISSING_PREFIX + 1] = "";
  size_t nf, i;
  const torc_feature *f = torc_features(&nf);
  int op;
  for (i = 0; i < nf; i++) {
    if (!(lacking & f[i].cap) || !f[i].mandatory)
      continue;
    char first[16];
    torc_violation *x;
    torc_features_first_requirement(f[i].requirements, first);
    x = violation(r, first);
    if (x)
      snprintf(x->message, sizeof x->message,
               "target does not declare %s (%s), which %s makes mandatory",
               f[i].name, f[i].what, first);
    append(names, sizeof names, f[i].name);
  }
  for (op = 0; op < TORC_CALL_OP_COUNT; op++) {
    const char *name = torc_call_op_name((torc_call_op)op);
    const char *reqs = torc_operation_requirements(name);
    if (!(need & 1u << op) || torc_call_has(t, (torc_call_op)op))
      continue;
    char first[16];
    torc_violation *x;
    torc_features_first_requirement(reqs ? reqs : "RCV-045", first);
    x = violation(r, first);
    if (x)
      snprintf(x->message, sizeof x->message,
               "target has no %s operation, which %s makes mandatory", name,
               first);
    append(names, sizeof names, name);
  }
  if (r->nviolations) {
    r->verdict = TORC_FAIL;
    snprintf(r->detail, sizeof r->detail, MISSING_PREFIX "%s", names);
    return 1;
  }
  for (i = 0; i < nf; i++) {
    if (!(lacking & f[i].cap))
      continue;
    r->verdict = TORC_UNTESTED;
    snprintf(r->detail, sizeof r->detail, "untested: target lacks %s (%s)",
             f[i].name, f[i].because);
    return 1;
  }
  return 0;
}
