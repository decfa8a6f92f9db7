/*
 * torc_vector_expected.c - the vector's "expected" section: the allowances
 * and the host-visible trace the target must produce.
 *
 * torc_vector.c calls it last among the sections, because it reads all the
 * others: completions name posted request ids (torc_vector_events.c),
 * indications consume what the host's answers say (torc_vector_state.c),
 * expected deliveries are contiguous stream ranges within the listed frames
 * (torc_vector_stream.c), and a terminate completion's rcv_nxt matches the
 * bytes delivered and handed back (DEC-07).
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <torc/target.h>

#include "torc_vector_parse_int.h"

/* Notes in one event's because, at most. */
#define TORC_MAX_BECAUSE 128

static int parse_status_member(ld *L, json_t *obj, const char *key,
                               int required, uint32_t dflt, uint32_t *out) {
  int bad;
  const char *s = torcint_vector_get_str(L, obj, key, required, &bad);
  if (bad)
    return -1;
  if (!s) {
    *out = dflt;
    return 1;
  }
  if (torc_status_parse(s, out) < 0) {
    size_t o = torcint_vector_push_key(L, key);
    torcint_vector_fail(L, "unknown status \"%s\"", s);
    torcint_vector_pop(L, o);
    return -1;
  }
  return 0;
}

/* Bytes the host consumes when answering ans to an indication of len bytes
 * (DEC-02, DEC-03). */
static uint32_t consumed_by(const torc_answer *ans, uint32_t len) {
  if (ans->status == TORC_STATUS_SUCCESS)
    return len;
  if (ans->status == TORC_STATUS_OFFLOAD_DATA_PARTIALLY_ACCEPTED)
    return ans->consumed < len ? ans->consumed : len;
  return 0;
}

/* $.expected.trace[i].because (optional): why the event happens, a list of
 * flowchart boxes, decisions and rule ids (torc_because.h), set on the
 * entry just added. */
static int parse_because(ld *L, json_t *v, torc_trace *t) {
  json_t *a = json_object_get(v, "because"), *x;
  torc_because codes[TORC_MAX_BECAUSE];
  size_t i, n = 0, o;
  if (!a)
    return 0;
  o = torcint_vector_push_key(L, "because");
  if (!json_is_array(a) || json_array_size(a) == 0 ||
      json_array_size(a) > TORC_MAX_BECAUSE) {
    torcint_vector_fail(L, "expected a list of 1 to %d boxes and rule ids",
                        TORC_MAX_BECAUSE);
    return -1;
  }
  json_array_foreach(a, i, x) {
    torc_because c = torc_because_parse(json_string_value(x));
    size_t k;
    if (!c) {
      torcint_vector_push_idx(L, i);
      torcint_vector_fail(
          L, "expected a box (E1, D4=yes, J5, P1, A, B), a wire note (W17), a "
             "requirement (RCV-071) or a decision (DEC-18)");
      return -1;
    }
    for (k = 0; k < n && codes[k] != c; k++)
      ;
    if (k < n && !torc_because_is_box(c)) {
      torcint_vector_push_idx(L, i);
      torcint_vector_fail(L,
                          "a rule named twice (boxes may repeat, rules not)");
      return -1;
    }
    codes[n++] = c;
  }
  if (torc_trace_set_why(t, codes, n) < 0) {
    torcint_vector_fail(L, "out of memory");
    return -1;
  }
  torcint_vector_pop(L, o);
  return 0;
}

/* One trace array (expected.trace, or an alternative's trace) into *out:
 * entries in call order, deliveries contiguous, indications answered as
 * the host answers them, the terminate's RcvNxt where delivered and
 * handed-back bytes end (DEC-07, DEC-28); because lists only where
 * with_because. */
static int parse_trace(ld *L, json_t *tr, torc_vector_body *b, const idset *ids,
                       torc_trace *out, int with_because) {
  static const char *const k_oc[] = {"at", "ev", "status", "because", NULL};
  static const char *const k_c[] = {"at", "ev", "requests", "because", NULL};
  static const char *const k_r[] = {"id", "status", "bytes", "offset", NULL};
  static const char *const k_i[] = {"at",     "ev",       "offset",  "len",
                                    "answer", "consumed", "because", NULL};
  static const char *const k_e[] = {"at",   "ev",      "event",
                                    "info", "because", NULL};
  static const char *const k_t[] = {
      "at",           "ev",      "status", "rcv_nxt", "handback_offset",
      "handback_len", "because", NULL};
  json_t *v;
  size_t i, nind = 0;
  uint64_t delivered = 0;
  uint32_t last_at = 0;
  json_array_foreach(tr, i, v) {
    size_t o3 = torcint_vector_push_idx(L, i);
    int bad, kind;
    const char *evn;
    uint32_t at;
    torc_trace_entry *te;
    if (!json_is_object(v)) {
      torcint_vector_fail(L, "expected object {at, ev, ...}");
      return -1;
    }
    evn = torcint_vector_get_str(L, v, "ev", 1, &bad);
    if (bad)
      return -1;
    kind = torc_trace_kind_parse(evn);
    if (kind < 0) {
      torcint_vector_push_key(L, "ev");
      torcint_vector_fail(L, "unknown trace event \"%s\"", evn);
      return -1;
    }
    if (torcint_vector_check_keys(L, v,
                                  kind == TORC_TR_OFFLOAD_COMPLETE ? k_oc
                                  : kind == TORC_TR_COMPLETE       ? k_c
                                  : kind == TORC_TR_INDICATE       ? k_i
                                  : kind == TORC_TR_EVENT          ? k_e
                                                                   : k_t) < 0)
      return -1;
    if (torcint_vector_get_u32(L, v, "at", 1, 0, (uint32_t)b->nevents, 0, &at) <
        0)
      return -1;
    if (at < last_at) {
      torcint_vector_push_key(L, "at");
      torcint_vector_fail(L, "trace entries are in call order (at %u after %u)",
                          at, last_at);
      return -1;
    }
    last_at = at;
    te = torc_trace_add(out, (uint32_t)kind, at);
    if (!te) {
      torcint_vector_fail(L, "out of memory");
      return -1;
    }
    switch (kind) {
    case TORC_TR_OFFLOAD_COMPLETE:
      if (parse_status_member(L, v, "status", 1, 0, &te->status) < 0)
        return -1;
      break;
    case TORC_TR_COMPLETE: {
      json_t *rq = torcint_vector_want_array(L, v, "requests", 1), *r;
      size_t j, o4;
      if (!rq)
        return -1;
      o4 = torcint_vector_push_key(L, "requests");
      if (json_array_size(rq) == 0) {
        torcint_vector_fail(L, "expected at least one request");
        return -1;
      }
      json_array_foreach(rq, j, r) {
        size_t o5 = torcint_vector_push_idx(L, j);
        uint64_t id, off;
        uint32_t st, bytes;
        int has_off;
        if (!json_is_object(r)) {
          torcint_vector_fail(L, "expected object {id, status, bytes}");
          return -1;
        }
        if (torcint_vector_check_keys(L, r, k_r) < 0 ||
            torcint_vector_get_int(L, r, "id", 1, 1, UINT64_MAX >> 12, 0, &id) <
                0 ||
            parse_status_member(L, r, "status", 1, 0, &st) < 0 ||
            torcint_vector_get_u32(L, r, "bytes", 1, 0, MAX_REQUEST_SIZE, 0,
                                   &bytes) < 0)
          return -1;
        has_off = torcint_vector_get_int(L, r, "offset", 0, 0, UINT64_MAX >> 12,
                                         delivered, &off);
        if (has_off < 0)
          return -1;
        if (!torcint_vector_idset_has(ids, id)) {
          torcint_vector_push_key(L, "id");
          torcint_vector_fail(L, "request %" PRIu64 " is never posted", id);
          return -1;
        }
        if (has_off == 0 && off != delivered) {
          torcint_vector_push_key(L, "offset");
          torcint_vector_fail(
              L,
              "expected deliveries are contiguous: this one starts at "
              "%" PRIu64 ", the previous ones end at %" PRIu64,
              off, delivered);
          return -1;
        }
        if (torc_trace_add_req(out, id, st, bytes,
                               bytes ? delivered : TORC_NO_OFFSET) < 0) {
          torcint_vector_fail(L, "out of memory");
          return -1;
        }
        delivered += bytes;
        torcint_vector_pop(L, o5);
      }
      torcint_vector_pop(L, o4);
      break;
    }
    case TORC_TR_INDICATE: {
      const torc_answer *ans =
          nind < b->nanswers ? &b->answers[nind] : &b->default_answer;
      uint64_t off;
      int r;
      uint32_t given;
      if (torcint_vector_get_u32(L, v, "len", 1, 1, UINT32_MAX, 0, &te->len) <
          0)
        return -1;
      r = torcint_vector_get_int(L, v, "offset", 0, 0, UINT64_MAX >> 12,
                                 delivered, &off);
      if (r < 0)
        return -1;
      if (r == 0 && off != delivered) {
        torcint_vector_push_key(L, "offset");
        torcint_vector_fail(
            L,
            "expected deliveries are contiguous: this one starts at "
            "%" PRIu64 ", the previous ones end at %" PRIu64,
            off, delivered);
        return -1;
      }
      te->offset = delivered;
      te->status = ans->status;
      te->consumed = consumed_by(ans, te->len);
      r = parse_status_member(L, v, "answer", 0, ans->status, &given);
      if (r < 0)
        return -1;
      if (r == 0 && given != te->status) {
        torcint_vector_push_key(L, "answer");
        torcint_vector_fail(
            L, "the host answers indication %zu with %s (host.answers)",
            nind + 1, torc_status_name(te->status));
        return -1;
      }
      r = torcint_vector_get_u32(L, v, "consumed", 0, 0, UINT32_MAX,
                                 te->consumed, &given);
      if (r < 0)
        return -1;
      if (r == 0 && given != te->consumed) {
        torcint_vector_push_key(L, "consumed");
        torcint_vector_fail(L, "the host's answer consumes %u of %u bytes",
                            te->consumed, te->len);
        return -1;
      }
      delivered += te->consumed;
      nind++;
      break;
    }
    case TORC_TR_EVENT: {
      int bad2;
      const char *en = torcint_vector_get_str(L, v, "event", 1, &bad2);
      if (bad2)
        return -1;
      if (torc_event_parse(en, &te->event) < 0) {
        torcint_vector_push_key(L, "event");
        torcint_vector_fail(L, "expected DISCONNECT, RETRIEVE or ABORT");
        return -1;
      }
      if (torcint_vector_get_u32(L, v, "info", 0, 0, UINT32_MAX, 0, &te->info) <
          0)
        return -1;
      break;
    }
    case TORC_TR_TERMINATE_COMPLETE: {
      uint64_t off;
      int r;
      if (parse_status_member(L, v, "status", 1, 0, &te->status) < 0 ||
          torcint_vector_get_u32(L, v, "rcv_nxt", 1, 0, UINT32_MAX, 0,
                                 &te->rcv_nxt) < 0 ||
          torcint_vector_get_u32(L, v, "handback_len", 0, 0, UINT32_MAX, 0,
                                 &te->len) < 0)
        return -1;
      r = torcint_vector_get_int(L, v, "handback_offset", 0, 0,
                                 UINT64_MAX >> 12, delivered, &off);
      if (r < 0)
        return -1;
      if (r == 0 && off != delivered) {
        torcint_vector_push_key(L, "handback_offset");
        torcint_vector_fail(
            L, "handed-back data continues the delivered stream at %" PRIu64,
            delivered);
        return -1;
      }
      te->offset = te->len ? delivered : TORC_NO_OFFSET;
      /* DEC-07: delivered bytes + handed-back bytes end at RcvNxt (one
       * further when the FIN they end at was received). */
      if (te->status == TORC_STATUS_SUCCESS &&
          (uint32_t)(te->rcv_nxt - b->isn) != delivered + te->len &&
          !(delivered + te->len == b->fin_offset &&
            (uint32_t)(te->rcv_nxt - b->isn) == delivered + te->len + 1)) {
        torcint_vector_push_key(L, "rcv_nxt");
        torcint_vector_fail(L,
                            "rcv_nxt - isn (%u) must equal delivered (%" PRIu64
                            ") + handback_len (%u) (DEC-07)",
                            (uint32_t)(te->rcv_nxt - b->isn), delivered,
                            te->len);
        return -1;
      }
      delivered += te->len;
      break;
    }
    }
    if (with_because ? parse_because(L, v, out) < 0
                     : json_object_get(v, "because") != NULL) {
      if (!with_because) {
        torcint_vector_push_key(L, "because");
        torcint_vector_fail(L, "an alternative trace carries no because");
      }
      return -1;
    }
    torcint_vector_pop(L, o3);
  }
  if (delivered > b->stream_len) {
    torcint_vector_fail(L,
                        "the expected deliveries reach stream offset %" PRIu64
                        " but the listed frames cover only %" PRIu64 " bytes",
                        delivered, b->stream_len);
    return -1;
  }
  return 0;
}

/* expected.alternatives: [{allowance, trace}], each allowance a reading
 * (TORC_ALLOW_READINGS) the vector lists, at most one trace per reading. */
static int parse_alternatives(ld *L, json_t *x, torc_vector_body *b,
                              const idset *ids) {
  static const char *const keys[] = {"allowance", "trace", NULL};
  json_t *al = json_object_get(x, "alternatives"), *v;
  size_t i, o;
  uint32_t seen = 0;
  if (!al)
    return 0;
  o = torcint_vector_push_key(L, "alternatives");
  if (!json_is_array(al)) {
    torcint_vector_fail(L, "expected array");
    return -1;
  }
  b->alt = calloc(json_array_size(al) + 1, sizeof *b->alt);
  b->alt_allow = calloc(json_array_size(al) + 1, sizeof *b->alt_allow);
  if (!b->alt || !b->alt_allow) {
    torcint_vector_fail(L, "out of memory");
    return -1;
  }
  json_array_foreach(al, i, v) {
    size_t o2 = torcint_vector_push_idx(L, i), o3;
    const char *name;
    uint32_t bit = 0;
    unsigned k;
    int bad;
    json_t *tr;
    if (!json_is_object(v)) {
      torcint_vector_fail(L, "expected object {allowance, trace}");
      return -1;
    }
    if (torcint_vector_check_keys(L, v, keys) < 0)
      return -1;
    name = torcint_vector_get_str(L, v, "allowance", 1, &bad);
    if (bad)
      return -1;
    for (k = 0; k < TORC_ALLOW_COUNT; k++)
      if (strcmp(torc_allowance_name(k), name) == 0)
        bit = 1u << k;
    if (!(bit & TORC_ALLOW_READINGS) || !(b->allowances & bit) ||
        (seen & bit)) {
      torcint_vector_push_key(L, "allowance");
      torcint_vector_fail(L,
                          !(bit & TORC_ALLOW_READINGS)
                              ? "\"%s\" is not a reading with an alternative "
                                "trace (docs/DECISIONS.md)"
                          : !(b->allowances & bit)
                              ? "\"%s\" is not among expected.allowances"
                              : "a second alternative for \"%s\"",
                          name);
      return -1;
    }
    seen |= bit;
    if (!(tr = torcint_vector_want_array(L, v, "trace", 1)))
      return -1;
    o3 = torcint_vector_push_key(L, "trace");
    b->alt_allow[b->nalt] = bit;
    if (parse_trace(L, tr, b, ids, &b->alt[b->nalt++], 0) < 0)
      return -1;
    torcint_vector_pop(L, o3);
    torcint_vector_pop(L, o2);
  }
  torcint_vector_pop(L, o);
  return 0;
}

/* $.expected: allowances and the expected trace, checked against the
 * script, the host's answers and the stream. */
int torcint_vector_parse_expected(ld *L, json_t *root, torc_vector_body *b,
                                  const idset *ids) {
  static const char *const keys[] = {"trace", "allowances", "alternatives",
                                     NULL};
  json_t *x = torcint_vector_want_object(L, root, "expected", 1), *tr, *al, *v;
  size_t o, o2, i;
  if (!x)
    return -1;
  o = torcint_vector_push_key(L, "expected");
  if (torcint_vector_check_keys(L, x, keys) < 0)
    return -1;
  if ((al = json_object_get(x, "allowances"))) {
    o2 = torcint_vector_push_key(L, "allowances");
    if (!json_is_array(al)) {
      torcint_vector_fail(L, "expected array");
      return -1;
    }
    json_array_foreach(al, i, v) {
      unsigned k, found = 0;
      size_t o3 = torcint_vector_push_idx(L, i);
      for (k = 0; k < TORC_ALLOW_COUNT && json_is_string(v); k++)
        if (strcmp(torc_allowance_name(k), json_string_value(v)) == 0)
          found = 1u << k;
      if (!found) {
        torcint_vector_fail(L,
                            "expected an allowance name of docs/DECISIONS.md");
        return -1;
      }
      if (b->allowances & found) {
        torcint_vector_fail(L, "duplicate allowance");
        return -1;
      }
      b->allowances |= found;
      torcint_vector_pop(L, o3);
    }
    torcint_vector_pop(L, o2);
  }
  if (!(tr = torcint_vector_want_array(L, x, "trace", 1)))
    return -1;
  o2 = torcint_vector_push_key(L, "trace");
  if (parse_trace(L, tr, b, ids, &b->expected, 1) < 0)
    return -1;
  torcint_vector_pop(L, o2);
  if (parse_alternatives(L, x, b, ids) < 0)
    return -1;
  torcint_vector_pop(L, o);
  return 0;
}
