/*
 * torc_judge.c - verdicts: compares the actual trace with the expected one.
 *
 * Flow: torc_engine.c plays a vector through torc_hostsim.c, then calls
 * torc_judge() with the recorded trace, the host's rule violations and the
 * first data divergence.  Both traces are flattened into atoms (one per
 * completed request, indication, event, offload or terminate completion);
 * the allowances of the vector are normalizations applied to both atom lists
 * (DEC-05, DEC-06, DEC-07, DEC-19, DEC-21, DEC-24, DEC-25, DEC-26), or, for
 * the readings (DEC-01, DEC-18, DEC-29, DEC-30, DEC-31), alternative
 * expected traces the vector carries, tried when the first fails.  The
 * allowances named in a PASS-NONSTRICT are the ones that were needed: each is
 * dropped in turn and kept only if the traces differ without it.  A FAIL is
 * attributed to the rules it broke (torc_result.attributed): the host rules
 * the simulated host checks itself, and at the first divergence the rules
 * of the expected event's because that decide what differs
 * (torc_attribute.c), each a violation in one sentence with the numbers.
 */
#include "torc_judge.h"

#include "torc_allowance.h"
#include "torc_attribute.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int flatten(const torc_trace *t, atoms *out) {
  size_t i, k, n = 0;
  for (i = 0; i < t->n; i++)
    n += t->e[i].kind == TORC_TR_COMPLETE ? (t->e[i].count ? t->e[i].count : 1)
                                          : 1;
  out->a = calloc(n ? n : 1, sizeof *out->a);
  out->n = 0;
  if (!out->a)
    return -1;
  for (i = 0; i < t->n; i++) {
    const torc_trace_entry *e = &t->e[i];
    if (e->kind == TORC_TR_COMPLETE) {
      for (k = 0; k < e->count; k++) {
        const torc_trace_req *r = &t->reqs[e->first + k];
        atom *x = &out->a[out->n++];
        x->kind = e->kind;
        x->at = e->at;
        x->callstart = k == 0;
        x->id = r->id;
        x->status = r->status;
        x->bytes = r->bytes;
        x->entry = (uint32_t)i;
      }
      continue;
    }
    {
      atom *x = &out->a[out->n++];
      x->kind = e->kind;
      x->at = e->at;
      x->callstart = 1;
      x->status = e->status;
      x->bytes = e->len;
      x->consumed = e->consumed;
      x->event = e->event;
      x->info = e->info;
      x->rcv_nxt = e->rcv_nxt;
      x->entry = (uint32_t)i;
    }
  }
  return 0;
}

void torc_result_add_violation(torc_result *r, const char *rcv,
                               const char *msg) {
  uint32_t i;
  for (i = 0; i < r->nviolations; i++)
    if (strcmp(r->violations[i].requirement, rcv) == 0 &&
        strcmp(r->violations[i].message, msg) == 0)
      return;
  if (r->nviolations >= TORC_MAX_VIOLATIONS)
    return;
  snprintf(r->violations[r->nviolations].requirement,
           sizeof r->violations[0].requirement, "%s", rcv);
  snprintf(r->violations[r->nviolations].message,
           sizeof r->violations[0].message, "%s", msg);
  r->nviolations++;
}

/* Adds rcv to the rules the failure is attributed to (once). */
static void attribute(torc_result *r, const char *rcv) {
  uint32_t i;
  for (i = 0; i < r->nattributed; i++)
    if (strcmp(r->attributed[i], rcv) == 0)
      return;
  if (r->nattributed < TORC_MAX_VIOLATIONS)
    snprintf(r->attributed[r->nattributed++], sizeof r->attributed[0], "%s",
             rcv);
}

/* Adds a violation of rcv that the failure is attributed to. */
static void broken(torc_result *r, const char *rcv, const char *msg) {
  torc_result_add_violation(r, rcv, msg);
  attribute(r, rcv);
}

/* Delivered bytes that differ from the stream at off: the rules of the
 * because of the expected event delivering that byte that decide which
 * bytes go where, then the stream-order rules the host checks itself. */
static void attribute_data(const torc_vector_body *vb, uint64_t off, int poison,
                           const char *msg, torc_result *r) {
  char ids[TORC_MAX_VIOLATIONS][16];
  long ei = torc_entry_at_offset(&vb->expected, off);
  /* Rules about which bytes go where first, then about how many. */
  size_t n = torc_attribute(&vb->expected, ei, TORC_ASPECT_DATA, 0, ids,
                            TORC_MAX_VIOLATIONS / 2),
         i;
  if (n == 0)
    n = torc_attribute(&vb->expected, ei, TORC_ASPECT_AMOUNT, 0, ids,
                       TORC_MAX_VIOLATIONS / 2);
  for (i = 0; i < n; i++)
    broken(r, ids[i], msg);
  if (poison) {
    broken(r, "RCV-007", msg);
    broken(r, "RCV-011", msg);
  } else {
    broken(r, "RCV-038", msg);
    broken(r, "RCV-057", msg);
  }
}

/* A host call the reference does not make at this point (y, where the
 * expected x is another call or none): the rules that say when such a call
 * is made.  Returns 1 when y is one of those. */
static int attribute_unexpected(const torc_vector_body *vb, const atom *x,
                                const atom *y, const char *et, const char *at,
                                torc_result *r) {

  static const struct {
    uint32_t event;
    const char *ids[2];
    const char *what;
  } when[] = {{TORC_EVENT_DISCONNECT,
               {"RCV-255", "RCV-256"},
               "the disconnect is indicated only once every earlier byte is "
               "delivered"},
              {TORC_EVENT_ABORT,
               {"RCV-303", "RCV-259"},
               "an abort is indicated only for an acceptable RST"},
              {TORC_EVENT_RETRIEVE,
               {"RCV-242", "RCV-237"},
               "an upload is asked for only for a mandatory reason"}};
  char msg[1024];
  size_t i, k;
  const torc_event *pe;
  if (y && y->kind == TORC_TR_COMPLETE && y->status == TORC_STATUS_SUCCESS &&
      y->bytes == 0 && (pe = torcint_post_of(vb, y->id)) != NULL &&
      pe->size == 0 && (!x || x->kind != TORC_TR_COMPLETE || x->id != y->id)) {
    /* A zero-byte request completed where the reference did not complete
     * it: it completes when data reaches it (DEC-20). */
    snprintf(msg, sizeof msg,
             "a zero-byte request completes when data reaches it (RCV-117, "
             "DEC-20): expected %.100s; got %.100s",
             et, at);
    broken(r, "RCV-117", msg);
    return 1;
  }
  if (!y || y->kind != TORC_TR_EVENT ||
      (x && x->kind == TORC_TR_EVENT && x->event == y->event))
    return 0;
  if (x) { /* an RST or SYN the reference did not act on */
    const char *what,
        *id = torc_attribute_wire(&vb->expected, x->entry, y->event, &what);
    if (id) {
      snprintf(msg, sizeof msg, "%s (%s): expected %.100s; got %.100s", what,
               id, et, at);
      broken(r, id, msg);
      return 1;
    }
  }
  for (i = 0; i < sizeof when / sizeof when[0]; i++) {
    if (when[i].event != y->event)
      continue;
    snprintf(msg, sizeof msg, "%s (%s): expected %.100s; got %.100s",
             when[i].what, when[i].ids[0], et, at);
    for (k = 0; k < 2; k++)
      broken(r, when[i].ids[k], msg);
    return 1;
  }
  return 0;
}

/* What differs between expected atom x and actual atom y (TORC_ASPECT_*);
 * either may be NULL when its trace ended. */
static unsigned differs(const atom *x, const atom *y) {
  unsigned a = 0;
  if (!x || !y || x->kind != y->kind)
    return TORC_ASPECT_KIND;
  if (x->callstart != y->callstart)
    a |= TORC_ASPECT_ORDER;
  if (x->kind != TORC_TR_OFFLOAD_COMPLETE && x->at != y->at)
    a |= TORC_ASPECT_TIMING;
  switch (x->kind) {
  case TORC_TR_COMPLETE:
    if (x->id != y->id)
      a |= TORC_ASPECT_ORDER;
    if (x->status != y->status)
      a |= TORC_ASPECT_STATUS;
    if (x->bytes != y->bytes)
      a |= TORC_ASPECT_AMOUNT;
    break;
  case TORC_TR_INDICATE:
    if (x->bytes != y->bytes)
      a |= TORC_ASPECT_AMOUNT;
    if (x->status != y->status || x->consumed != y->consumed)
      a |= TORC_ASPECT_STATUS;
    break;
  case TORC_TR_EVENT:
    if (x->event != y->event || x->info != y->info)
      a |= TORC_ASPECT_EVENT;
    break;
  case TORC_TR_TERMINATE_COMPLETE:
    if (x->status != y->status)
      a |= TORC_ASPECT_STATUS;
    if (x->rcv_nxt != y->rcv_nxt || x->bytes != y->bytes)
      a |= TORC_ASPECT_HANDBACK;
    break;
  default:
    if (x->status != y->status)
      a |= TORC_ASPECT_STATUS;
  }
  return a ? a : TORC_ASPECT_KIND;
}

/* The failure of a call-pattern divergence (expected atom x, actual y):
 * the rules of x's because that decide what differs, each a violation
 * with one sentence naming the rule and the numbers; else the judge's own
 * patterns (pattern_ids); else, plainly, that no rule explains it, with
 * the boxes the reference went through. */
static void pattern_ids(const torc_vector_body *vb, const atom *x,
                        const atom *y, torc_result *r, const char *msg);
static int half_closed_at(const torc_vector_body *vb, uint32_t at);

static void attribute_pattern(const torc_vector_body *vb, const atom *x,
                              const atom *y, const char *et, const char *at,
                              torc_result *r) {
  char ids[TORC_MAX_VIOLATIONS][16], msg[1024], more[96] = "";
  unsigned asp = differs(x, y);
  /* A delivery the reference never made (its trace ended): the bytes it
   * carries are more than the reference accepted, which the last expected
   * delivery's because bounds (the window, out-of-order data, the FIN). */
  long ei = x ? (long)x->entry : -1;
  if (!x && y && (y->kind == TORC_TR_COMPLETE || y->kind == TORC_TR_INDICATE) &&
      vb->expected.n > 0) {
    ei = (long)vb->expected.n - 1;
    asp = TORC_ASPECT_AMOUNT | TORC_ASPECT_DATA;
  }
  /* RCV-243: an upload request the reference does not make, on a
   * connection already half-closed by the peer's FIN: a rule the judge
   * checks itself, whatever the expected event's because. */
  if (y && y->kind == TORC_TR_EVENT && y->event == TORC_EVENT_RETRIEVE &&
      (!x || x->kind != TORC_TR_EVENT || x->event != TORC_EVENT_RETRIEVE) &&
      half_closed_at(vb, y->at)) {
    snprintf(msg, sizeof msg,
             "no upload of a half-closed connection (RCV-243): expected "
             "%.100s; got %.100s",
             et, at);
    broken(r, "RCV-243", msg);
    return;
  }
  if (attribute_unexpected(vb, x, y, et, at, r))
    return;
  /* A call the target did not make, or made at another script event,
   * where the expected one came from the virtual clock (an advance): the
   * push timer's rules decide it. */
  if (x && (!y || x->at != y->at) && x->at < vb->nevents &&
      vb->events[x->at].op == TORC_OP_ADVANCE)
    asp = TORC_ASPECT_TIMING;
  size_t n = torc_attribute(&vb->expected, ei, asp, x && y && y->at < x->at,
                            ids, TORC_MAX_VIOLATIONS),
         i;
  if (x && y && x->kind == y->kind && x->bytes != y->bytes &&
      (x->kind == TORC_TR_COMPLETE || x->kind == TORC_TR_INDICATE))
    snprintf(more, sizeof more, " (%u bytes %s)",
             x->bytes > y->bytes ? x->bytes - y->bytes : y->bytes - x->bytes,
             y->bytes > x->bytes ? "more" : "fewer");
  if (n > 0) {
    const char *sum = torc_requirement_summary(ids[0]);
    int len = (int)strlen(sum);
    if (len > 0 && sum[len - 1] == '.')
      len--;
    snprintf(msg, sizeof msg,
             "%.*s (%s): %s differs%s: expected %.100s; got %.100s",
             len > 100 ? 100 : len, sum, ids[0], torc_aspect_name(asp), more,
             et, at);
    for (i = 0; i < n; i++)
      broken(r, ids[i], msg);
    return;
  }
  snprintf(msg, sizeof msg,
           "call pattern differs%s: expected %.100s; got %.100s", more, et, at);
  {
    uint32_t before = r->nviolations, k;
    pattern_ids(vb, x, y, r, msg);
    for (k = before; k < r->nviolations; k++)
      attribute(r, r->violations[k].requirement);
    if (r->nviolations > before)
      return;
  }
  {
    char boxes[256], line[1536];
    size_t len;
    torc_attribute_boxes(&vb->expected, x ? (long)x->entry : -1, boxes,
                         sizeof boxes);
    snprintf(line, sizeof line,
             "%s: no rule of the expected event's because explains the "
             "difference%s%s",
             msg, *boxes ? "; the reference went through " : "", boxes);
    len = strnlen(line, sizeof r->detail - 1);
    memcpy(r->detail, line, len);
    r->detail[len] = '\0';
  }
}

/* 1 when the expected trace has the disconnect indication (the peer's FIN
 * taken: the connection is half-closed, CLOSE_WAIT) at or before script
 * event at. */
static int half_closed_at(const torc_vector_body *vb, uint32_t at) {
  size_t i;
  for (i = 0; i < vb->expected.n; i++)
    if (vb->expected.e[i].kind == TORC_TR_EVENT &&
        vb->expected.e[i].event == TORC_EVENT_DISCONNECT &&
        vb->expected.e[i].at <= at)
      return 1;
  return 0;
}

/* Requirement ids for a call-pattern divergence (expected atom x, actual y;
 * either may be NULL when one trace ended). */
static void pattern_ids(const torc_vector_body *vb, const atom *x,
                        const atom *y, torc_result *r, const char *msg) {
  /* RCV-243: an upload request the reference does not make, on a connection
   * already half-closed by the peer's FIN. */
  if (y && y->kind == TORC_TR_EVENT && y->event == TORC_EVENT_RETRIEVE &&
      (!x || x->kind != TORC_TR_EVENT || x->event != TORC_EVENT_RETRIEVE) &&
      half_closed_at(vb, y->at)) {
    torc_result_add_violation(r, "RCV-243", msg);
    return;
  }
  if (x && x->kind == TORC_TR_COMPLETE && y && y->kind == TORC_TR_INDICATE) {
    torc_result_add_violation(r, "RCV-035", msg);
    torc_result_add_violation(r, "RCV-052", msg);
    torc_result_add_violation(r, "RCV-143", msg);
    return;
  }
  if (x && x->kind == TORC_TR_COMPLETE && x->at < vb->nevents &&
      vb->events[x->at].op == TORC_OP_ADVANCE &&
      (!y || y->kind != TORC_TR_COMPLETE || y->at != x->at)) {
    torc_result_add_violation(r, "RCV-088", msg);
    torc_result_add_violation(r, "RCV-182", msg);
    return;
  }
  if (x && x->kind == TORC_TR_COMPLETE && y && y->kind == TORC_TR_COMPLETE &&
      x->id != y->id) {
    torc_result_add_violation(r, "RCV-061", msg);
    return;
  }
  if (x && x->kind == TORC_TR_OFFLOAD_COMPLETE) {
    torc_result_add_violation(
        r, x->status == TORC_STATUS_FAILURE ? "RCV-010" : "RCV-019", msg);
    return;
  }
  if (x && x->kind == TORC_TR_TERMINATE_COMPLETE) {
    torc_result_add_violation(r, "RCV-230", msg);
    return;
  }
  if (x && x->kind == TORC_TR_EVENT && x->event == TORC_EVENT_DISCONNECT) {
    torc_result_add_violation(r, "RCV-255", msg);
    return;
  }
  if (!x && y && y->kind == TORC_TR_INDICATE)
    torc_result_add_violation(r, "RCV-035", msg);
}

/* The alternative traces (expected.alternatives): another defensible
 * reading's trace, the reference's when it takes that reading.  Returns 1
 * with *needed = the reading's allowance and the normalizing allowances it
 * also took, for the first alternative the actual trace matches, else 0. */
static int alternative_matches(const torc_vector_body *vb, const atoms *a,
                               uint32_t *needed) {
  size_t i, ie, ia;
  for (i = 0; i < vb->nalt; i++) {
    atoms alt = {NULL, 0};
    uint32_t more = 0;
    int eq;
    if (flatten(&vb->alt[i], &alt) < 0)
      return 0;
    eq = !torcint_atoms_first_diff(&alt, a, &ie, &ia) ||
         torcint_allow_smallest_set(vb, &alt, a, &more);
    free(alt.a);
    if (eq) {
      *needed = vb->alt_allow[i] | more;
      return 1;
    }
  }
  return 0;
}

void torc_judge(const torc_vector *v, const torc_trace *actual,
                const torc_hs_violation *viol, size_t nviol,
                const torc_hs_data_div *div, torc_result *r) {
  const torc_vector_body *vb = v->body;
  atoms e = {NULL, 0}, a = {NULL, 0};
  size_t i, ie, ia;
  uint32_t needed;
  unsigned k;
  int fail = 0;

  if (flatten(&vb->expected, &e) < 0 || flatten(actual, &a) < 0) {
    r->verdict = TORC_ERROR;
    snprintf(r->detail, sizeof r->detail, "judge: out of memory");
    goto out;
  }
  /* Host rules the simulated host checks itself keep their own ids. */
  for (i = 0; i < nviol; i++)
    broken(r, viol[i].requirement, viol[i].message);
  fail = nviol > 0;

  /* Bytes, always (RCV-038, RCV-057; poison: RCV-007, RCV-011). */
  if (div->present) {
    char msg[TORC_MSG_SIZE];
    fail = 1;
    snprintf(msg, sizeof msg,
             "delivered data differs from the stream at offset %" PRIu64 "%s",
             div->stream_offset,
             div->poison ? " (host poison: BufferedData used after the "
                           "offload completed)"
                         : "");
    attribute_data(vb, div->stream_offset, div->poison, msg, r);
    r->divergence.present = 1;
    r->divergence.event_index = div->trace_index;
    r->divergence.stream_offset = div->stream_offset;
    snprintf(r->divergence.expected, sizeof r->divergence.expected, "%s",
             div->expected);
    snprintf(r->divergence.actual, sizeof r->divergence.actual, "%s",
             div->actual);
  }

  /* Call pattern. */
  if (!torcint_atoms_first_diff(&e, &a, &ie, &ia)) {
    r->verdict = fail ? TORC_FAIL : TORC_PASS;
  } else if (torcint_allow_smallest_set(vb, &e, &a, &needed) ||
             alternative_matches(vb, &a, &needed)) {
    r->allowances[0] = '\0';
    for (k = 0; k < TORC_ALLOW_COUNT; k++)
      if (needed & (1u << k)) {
        size_t used = strlen(r->allowances);
        snprintf(r->allowances + used, sizeof r->allowances - used, "%s%s",
                 used ? "," : "", torc_allowance_name(k));
      }
    r->verdict = fail ? TORC_FAIL : TORC_PASS_NONSTRICT;
  } else {
    /* Report the first divergence under every allowance; but where an
     * allowance made the expected call there optional and the target made
     * another that no allowance accepts, the reference's call is the one
     * the target departed from: report that pair (an RST's completion with
     * SUCCESS, say, against REQUEST_ABORTED, rst-requests-pending). */
    atoms ce = {NULL, 0}, ca = {NULL, 0};
    const atom *x, *y;
    char et[TORC_MSG_SIZE], at[TORC_MSG_SIZE];
    size_t ie0 = ie, ia0 = ia;
    fail = 1;
    if (torcint_atoms_copy(&e, &ce) == 0 && torcint_atoms_copy(&a, &ca) == 0) {
      for (k = 0; k < TORC_ALLOW_COUNT; k++)
        if (vb->allowances & (1u << k)) {
          torcint_allow_normalize(vb, k, &ce);
          torcint_allow_normalize(vb, k, &ca);
        }
      torcint_atoms_first_diff(&ce, &ca, &ie, &ia);
      if (ie0 < ce.n && ia0 < ca.n && ce.a[ie0].dropped && !ca.a[ia0].dropped &&
          ie0 < ie)
        ie = ie0, ia = ia0;
      x = ie < ce.n ? &ce.a[ie] : NULL;
      y = ia < ca.n ? &ca.a[ia] : NULL;
      if (x)
        torc_trace_entry_text(&vb->expected, x->entry, et, sizeof et);
      else
        snprintf(et, sizeof et, "no further host-visible event");
      if (y)
        torc_trace_entry_text(actual, y->entry, at, sizeof at);
      else
        snprintf(at, sizeof at, "no further host-visible event");
      attribute_pattern(vb, x, y, et, at, r);
      if (!r->divergence.present) {
        r->divergence.present = 1;
        r->divergence.event_index = y ? y->entry : (uint32_t)actual->n;
        r->divergence.stream_offset = y && y->entry < actual->n
                                          ? actual->e[y->entry].offset
                                          : TORC_NO_OFFSET;
        if (y && y->kind == TORC_TR_COMPLETE)
          r->divergence.stream_offset =
              actual->reqs[actual->e[y->entry].first].offset;
        snprintf(r->divergence.expected, sizeof r->divergence.expected, "%s",
                 et);
        snprintf(r->divergence.actual, sizeof r->divergence.actual, "%s", at);
      }
    }
    if (ce.a)
      free(ce.a);
    if (ca.a)
      free(ca.a);
    r->verdict = TORC_FAIL;
  }
out:
  free(e.a);
  free(a.a);
}
