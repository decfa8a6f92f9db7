/*
 * torc_attribute.c - which rule a divergence breaks (torc_attribute.h).
 *
 * The judge (torc_judge.c) asks, at the first divergence of a call
 * pattern, which rules of the expected event's because the actual call
 * contradicts.  The table below says, for each rule the reference names in
 * its explanations (reference/torc_deliver.c, torc_input.c,
 * torc_reference.c), which aspects of a call it decides: a rule that only
 * decides the order of requests does not explain a byte count that
 * differs.  A rule missing from the table decides every aspect.  The
 * summaries are the catalogue's (conformance/catalogue.json, compiled in by
 * conformance/tools/gen_features.py).
 */
#include "torc_attribute.h"

#include <stdio.h>
#include <string.h>
#include <torc/target.h>

#include "torc_because.h"

#define K TORC_ASPECT_KIND
#define O TORC_ASPECT_ORDER
#define A TORC_ASPECT_AMOUNT
#define S TORC_ASPECT_STATUS
#define T TORC_ASPECT_TIMING
#define E TORC_ASPECT_EVENT
#define H TORC_ASPECT_HANDBACK
#define D TORC_ASPECT_DATA

/* Rule number -> the aspects of a call it decides. */
static const struct {
  unsigned short rcv;
  unsigned char aspects;
} decides[] = {
    /* offload */
    {7, S | D},
    {8, S | D},
    {9, S},
    {10, S | K},
    {15, K | S},
    {18, S},
    {19, S},
    {268, S},
    {27, K | T},
    {32, K | T},
    /* which call: requests or an indication (groups B-D, F) */
    {29, K},
    {35, K | T},
    {36, K | A},
    {37, K | A},
    {38, D | A},
    {44, K},
    {49, K},
    {50, K},
    {51, K},
    {52, K},
    {53, K},
    {54, K},
    {55, K},
    {56, K},
    {57, D},
    {59, D},
    {62, D | A | T},
    {64, K},
    {65, K | T},
    {66, K | T},
    {67, K},
    {70, K | T},
    {71, A | D},
    {72, K | A},
    {74, K | A},
    {75, K},
    {76, K | T},
    {77, K | T},
    {78, K | T},
    {79, K | T},
    {80, T},
    {81, K | T},
    {82, K | T},
    {83, K | A},
    {84, K | A},
    {85, K | A},
    {86, D | K | T},
    {87, D | K | A},
    {88, K | T},
    {89, K},
    {136, D | K | T},
    {137, D | K | A},
    {141, D | A | K},
    {142, K | T},
    {143, K | O},
    /* requests */
    {46, K | T},
    {47, K | T},
    {48, K | O},
    {60, O | A},
    {61, O},
    {92, K},
    {93, O},
    {103, K},
    {104, O},
    {105, O},
    {108, K | T},
    {109, S | A},
    {110, S},
    {112, A},
    {114, K | S},
    {117, D | A | O},
    {181, K | A},
    /* indications */
    {122, K},
    {124, A},
    {125, S},
    {126, S},
    {127, S},
    {128, S},
    {157, A},
    {158, A},
    {159, A},
    {160, A},
    {163, A},
    {164, A},
    /* the receive window */
    {167, A | D},
    /* push and non-push requests, the push timer */
    {176, K | T},
    {177, K | T},
    {179, T},
    {180, T},
    {182, K | T},
    {183, T},
    {184, K | T},
    {185, K | T},
    {188, K | A},
    {189, T},
    {190, T},
    {191, T},
    {193, T},
    {197, T},
    {198, T},
    {199, T},
    {200, T},
    {204, T},
    /* terminate */
    {171, H},
    {196, T},
    {208, H},
    {210, H},
    {212, H},
    {213, H},
    {220, H},
    {221, H},
    {222, K | S},
    {224, H},
    {226, S},
    {229, K | O},
    {230, K | S},
    {234, S},
    {240, K},
    {286, K},
    /* FIN, RST, urgent data, uploads */
    {236, S | K},
    {237, E | K},
    {242, K | E},
    {253, S | A},
    {254, S},
    {255, E | K | T},
    {256, E | K | T},
    {258, E | K | S},
    {259, E | K | S},
    {260, E | T},
    {281, E},
    {283, E},
    {285, E | A},
    {288, E},
    {303, E | K}};

static unsigned aspects_of(unsigned rcv) {
  size_t i;
  for (i = 0; i < sizeof decides / sizeof decides[0]; i++)
    if (decides[i].rcv == rcv)
      return decides[i].aspects;
  return ~0u;
}

/* Rules behind every call of a kind (the serialisation, the handle, the
 * byte count reported, the algorithm as a whole): named only when no more
 * particular rule of the because decides what differs. */
static int generic(unsigned rcv) {
  static const unsigned short g[] = {
      15, 18, 19, 27,  29,  32,  44,  46,  47,  49,  50,  51,  57,  59, 64,
      67, 92, 93, 103, 109, 110, 112, 114, 122, 125, 126, 127, 128, 268};
  size_t i;
  for (i = 0; i < sizeof g / sizeof g[0]; i++)
    if (g[i] == rcv)
      return 1;
  return 0;
}

/* Adds the rules of why[from, to) that decide aspects (generic ones or
 * not) to out, latest first (the decision nearest the call first), skipping
 * those already there. */
static size_t pick(const torc_because *why, size_t from, size_t to,
                   unsigned aspects, int want_generic, char (*out)[16],
                   size_t n, size_t max) {
  size_t j, k;
  for (j = to; j > from && n < max; j--) {
    size_t i = j - 1;
    unsigned rcv = torc_because_rcv(why[i]);
    char id[16];
    if (!rcv || !(aspects_of(rcv) & aspects) || generic(rcv) != want_generic)
      continue;
    snprintf(id, sizeof id, "RCV-%03u", rcv);
    for (k = 0; k < n && strcmp(out[k], id) != 0; k++)
      ;
    if (k == n)
      snprintf(out[n++], sizeof out[0], "%s", id);
  }
  return n;
}

size_t torc_attribute(const torc_trace *t, long ei, unsigned aspects, int early,
                      char (*out)[16], size_t max) {
  const torc_trace_entry *e;
  const torc_because *why;
  size_t i, start = 0, prev = 0, end, n = 0;
  if (ei < 0 || (size_t)ei >= t->n)
    return 0;
  e = &t->e[ei];
  /* No because: nothing to attribute (and t->why may be NULL). */
  if (e->why_count == 0 || e->why_first + (size_t)e->why_count > t->nwhy)
    return 0;
  why = t->why + e->why_first;
  end = e->why_count;
  /* The pass that made the call starts at its last entry (E1, E2, E3):
   * what came before it is context (an earlier post, an earlier
   * segment), except what cut the bytes this pass delivers (the window,
   * out-of-order data) when the bytes differ. */
  for (i = 0; i < end; i++)
    if (why[i] >= 1 && why[i] <= 3) {
      prev = start;
      start = i;
    }
  /* A call made too early: the reference decided not to make it in an
   * earlier pass, the one before the last. */
  if (early && start > 0) {
    /* ... and the pass that made it later says when it was due. */
    n = pick(why, prev, start, aspects, 0, out, n, max);
    if (n > 0)
      return pick(why, start, end, aspects, 0, out, n, max);
  }
  if (aspects & (TORC_ASPECT_AMOUNT | TORC_ASPECT_DATA))
    n = pick(why, 0, start, TORC_ASPECT_AMOUNT | TORC_ASPECT_DATA, 0, out, n,
             max);
  n = pick(why, start, end, aspects, 0, out, n, max);
  if (n == 0)
    n = pick(why, 0, start, aspects, 0, out, n, max);
  if (n == 0)
    n = pick(why, 0, end, aspects, 1, out, n, max);
  return n;
}

/* The expected entry that delivers stream offset off (a completed
 * request, an indication or the hand-back holding it), or -1. */
long torc_entry_at_offset(const torc_trace *t, uint64_t off) {
  size_t i, k;
  for (i = 0; i < t->n; i++) {
    const torc_trace_entry *e = &t->e[i];
    if (e->kind == TORC_TR_COMPLETE) {
      for (k = 0; k < e->count; k++) {
        const torc_trace_req *q = &t->reqs[e->first + k];
        if (q->bytes && q->offset != TORC_NO_OFFSET && off >= q->offset &&
            off < q->offset + q->bytes)
          return (long)i;
      }
    } else if (e->kind == TORC_TR_INDICATE ||
               e->kind == TORC_TR_TERMINATE_COMPLETE) {
      /* An indication delivers what the host consumed of it. */
      uint32_t got = e->kind == TORC_TR_INDICATE ? e->consumed : e->len;
      if (got && e->offset != TORC_NO_OFFSET && off >= e->offset &&
          off < e->offset + got)
        return (long)i;
    }
  }
  return -1;
}

void torc_attribute_boxes(const torc_trace *t, long ei, char *buf, size_t n) {
  const torc_trace_entry *e;
  size_t i, used = 0;
  if (n)
    buf[0] = '\0';
  if (ei < 0 || (size_t)ei >= t->n)
    return;
  e = &t->e[ei];
  if (e->why_first + (size_t)e->why_count > t->nwhy)
    return;
  for (i = 0; i < e->why_count && used + 1 < n; i++) {
    char nm[16];
    if (!torc_because_is_box(t->why[e->why_first + i]))
      continue;
    torc_because_name(t->why[e->why_first + i], nm, sizeof nm);
    used += (size_t)snprintf(buf + used, n - used, "%s%s", used ? " " : "", nm);
  }
}

/* ---- The catalogue's summaries ------------------------------------------ */

#define TORC_FEATURE_ROW(cap, name, mandatory, reqs, what, because)
#define TORC_SUMMARY_ROW(n, g, page, s) {n, g, page, s},
static const struct {
  unsigned short n;
  const char *group, *page, *s;
} summaries[] = {
#include "torc_features_table.h"
};
#undef TORC_SUMMARY_ROW
#undef TORC_FEATURE_ROW

static size_t row_of(const char *rcv) {
  unsigned n;
  size_t i;
  if (!rcv || sscanf(rcv, "RCV-%u", &n) != 1)
    return (size_t)-1;
  for (i = 0; i < sizeof summaries / sizeof summaries[0]; i++)
    if (summaries[i].n == n)
      return i;
  return (size_t)-1;
}

const char *torc_requirement_summary(const char *rcv) {
  size_t i = row_of(rcv);
  return i == (size_t)-1 ? "" : summaries[i].s;
}

const char *torc_requirement_group(const char *rcv) {
  size_t i = row_of(rcv);
  return i == (size_t)-1 ? "" : summaries[i].group;
}

const char *torc_requirement_page(const char *rcv) {
  size_t i = row_of(rcv);
  return i == (size_t)-1 ? "" : summaries[i].page;
}

const char *torc_aspect_name(unsigned a) {
  static const char *const names[] = {
      "the kind of call", "the request", "the byte count", "the status",
      "the timing",       "the event",   "the hand-back",  "the data"};
  unsigned k;
  for (k = 0; k < 8; k++)
    if (a & (1u << k))
      return names[k];
  return "the call";
}

const char *torc_attribute_wire(const torc_trace *expected, size_t ei,
                                uint32_t event, const char **what) {
  static const struct {
    uint32_t event;
    const char *id, *what;
  } wire[] = {
      {TORC_EVENT_ABORT, "RCV-301",
       "an RST outside the receive window is dropped"},
      {TORC_EVENT_RETRIEVE, "RCV-302",
       "a SYN not at RcvNxt only earns a challenge ACK"},
      {TORC_EVENT_ABORT, "RCV-302",
       "a SYN not at RcvNxt only earns a challenge ACK"},
  };
  const torc_trace_entry *e;
  size_t i, k;
  if (ei >= expected->n)
    return NULL;
  e = &expected->e[ei];
  for (i = 0; i < sizeof wire / sizeof wire[0]; i++) {
    torc_because code = torc_because_parse(wire[i].id);
    if (wire[i].event != event)
      continue;
    for (k = 0; k < e->why_count; k++)
      if (expected->why[e->why_first + k] == code) {
        *what = wire[i].what;
        return wire[i].id;
      }
  }
  return NULL;
}
