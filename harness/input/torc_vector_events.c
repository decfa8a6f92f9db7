/*
 * torc_vector_events.c - the vector's "events" section: the script of host
 * and wire operations on the virtual clock.
 *
 * torc_vector.c calls it once the stream is built: each event is checked
 * for its op's members, time never goes backwards, there is exactly one
 * offload and it comes first (fail_alloc aside), frames are among the
 * listed ones (torc_vector_provenance.c) or derived from them
 * (torc_vector_transform.c), and posted request ids are unique.
 * The ids are kept for torc_vector_expected.c.
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "torc_vector_parse_int.h"

/* Nonzero when request id was posted. */
int torcint_vector_idset_has(const idset *s, uint64_t id) {
  size_t i;
  for (i = 0; i < s->n; i++)
    if (s->ids[i] == id)
      return 1;
  return 0;
}

/* $.events: the script; fills ids with the posted request ids. */
int torcint_vector_parse_events(ld *L, json_t *root, torc_vector_body *b,
                                const frameset *fs, idset *ids) {
  static const char *const k_plain[] = {"t_us", "op", NULL};
  static const char *const k_post[] = {"t_us",      "op", "size", "push",
                                       "prefilled", "id", NULL};
  static const char *const k_frame[] = {"t_us", "op", "frame", "derived", NULL};
  static const char *const k_return[] = {"t_us", "op", "indication", NULL};
  static const char *const k_fail[] = {"t_us", "op", NULL};
  json_t *a = torcint_vector_want_array(L, root, "events", 1), *ev;
  uint64_t now = 0;
  size_t i, o;
  int saw_offload = 0;
  if (!a)
    return -1;
  o = torcint_vector_push_key(L, "events");
  b->nevents = json_array_size(a);
  if (b->nevents == 0 || b->nevents > MAX_EVENTS) {
    torcint_vector_fail(L, "expected 1 to %u events", MAX_EVENTS);
    return -1;
  }
  b->events = calloc(b->nevents, sizeof *b->events);
  ids->ids = calloc(b->nevents, sizeof *ids->ids);
  if (!b->events || !ids->ids) {
    torcint_vector_fail(L, "out of memory");
    return -1;
  }
  json_array_foreach(a, i, ev) {
    torc_event *e = &b->events[i];
    const char *opn;
    int bad, op = -1, k;
    size_t o2 = torcint_vector_push_idx(L, i);
    uint64_t t;
    if (!json_is_object(ev)) {
      torcint_vector_fail(L, "expected object {t_us, op, ...}");
      return -1;
    }
    opn = torcint_vector_get_str(L, ev, "op", 1, &bad);
    if (bad)
      return -1;
    for (k = 0; k < TORC_OP_COUNT; k++)
      if (strcmp(torc_vector_op_name((unsigned)k), opn) == 0)
        op = k;
    if (op < 0) {
      torcint_vector_push_key(L, "op");
      torcint_vector_fail(L, "unknown op \"%s\"", opn);
      return -1;
    }
    e->op = (uint32_t)op;
    b->ops_used |= 1u << op;
    if (op == TORC_OP_FAIL_ALLOC && json_object_get(ev, "nth")) {
      torcint_vector_push_key(L, "nth");
      torcint_vector_fail(L, "fail_alloc no longer counts the target's "
                             "allocations (issue 14): it fails every "
                             "allocation made while the target handles the "
                             "next event; remove \"nth\"");
      return -1;
    }
    if (torcint_vector_check_keys(L, ev,
                                  op == TORC_OP_POST ||
                                          op == TORC_OP_POST_IN_COMPLETION ||
                                          op == TORC_OP_POST_IN_INDICATION
                                      ? k_post
                                  : op == TORC_OP_FRAME      ? k_frame
                                  : op == TORC_OP_FAIL_ALLOC ? k_fail
                                  : op == TORC_OP_RETURN     ? k_return
                                                             : k_plain) < 0)
      return -1;
    if (torcint_vector_get_int(L, ev, "t_us", op == TORC_OP_ADVANCE, 0,
                               UINT64_MAX >> 12, now, &t) < 0)
      return -1;
    if (t < now) {
      torcint_vector_push_key(L, "t_us");
      torcint_vector_fail(L, "time goes backwards (%" PRIu64 " < %" PRIu64 ")",
                          t, now);
      return -1;
    }
    e->t_us = now = t;
    switch (op) {
    case TORC_OP_OFFLOAD:
      if (saw_offload) {
        torcint_vector_fail(L, "a vector offloads once");
        return -1;
      }
      saw_offload = 1;
      break;
    case TORC_OP_POST:
    case TORC_OP_POST_IN_COMPLETION:
    case TORC_OP_POST_IN_INDICATION: {
      uint64_t id;
      int push, r;
      if (torcint_vector_get_u32(L, ev, "size", 1, 0, MAX_REQUEST_SIZE, 0,
                                 &e->size) < 0 ||
          torcint_vector_get_u32(L, ev, "prefilled", 0, 0, MAX_REQUEST_SIZE, 0,
                                 &e->prefilled) < 0 ||
          torcint_vector_get_bool(L, ev, "push", DEF_PUSH, &push) < 0)
        return -1;
      e->push = (uint8_t)push;
      if (e->prefilled > e->size) {
        torcint_vector_push_key(L, "prefilled");
        torcint_vector_fail(L, "prefilled (%u) exceeds size (%u)", e->prefilled,
                            e->size);
        return -1;
      }
      r = torcint_vector_get_int(L, ev, "id", 0, 1, UINT64_MAX >> 12,
                                 ids->n + 1, &id);
      if (r < 0)
        return -1;
      if (torcint_vector_idset_has(ids, id)) {
        torcint_vector_push_key(L, "id");
        torcint_vector_fail(L, "request id %" PRIu64 " used twice", id);
        return -1;
      }
      e->req_id = id;
      ids->ids[ids->n++] = id;
      break;
    }
    case TORC_OP_FRAME: {
      uint32_t num, dk;
      if (!json_object_get(ev, "frame") == !json_object_get(ev, "derived")) {
        torcint_vector_fail(L, "a frame event has \"frame\" or \"derived\", "
                               "not both");
        return -1;
      }
      if (json_object_get(ev, "derived")) {
        if (torcint_vector_get_u32(L, ev, "derived", 1, 1, UINT32_MAX, 0, &dk) <
            0)
          return -1;
        if (dk > b->nderived) {
          torcint_vector_push_key(L, "derived");
          torcint_vector_fail(L,
                              "derived segment %u is not in "
                              "$.provenance.transform.derived (%zu)",
                              dk, b->nderived);
          return -1;
        }
        e->derived = dk;
        e->frame = b->derived[dk - 1].from;
        break;
      }
      if (torcint_vector_get_u32(L, ev, "frame", 1, 1, UINT32_MAX, 0, &num) < 0)
        return -1;
      if (num > b->cap->file_frames || !fs->listed[num]) {
        torcint_vector_push_key(L, "frame");
        torcint_vector_fail(L, "frame %u is not listed in $.provenance.frames",
                            num);
        return -1;
      }
      e->frame = (uint32_t)(torc_capture_frame(b->cap, num) - b->cap->frames);
      break;
    }
    case TORC_OP_FAIL_ALLOC:
      /* The failures cover the next event: one the host plays at once. */
      if (i + 1 == b->nevents) {
        torcint_vector_fail(L, "fail_alloc must be followed by the event "
                               "whose allocations fail");
        return -1;
      }
      {
        json_t *nx = json_object_get(json_array_get(a, i + 1), "op");
        const char *nn = json_is_string(nx) ? json_string_value(nx) : "";
        if (strcmp(nn, "fail_alloc") == 0 ||
            strcmp(nn, "post_in_completion") == 0 ||
            strcmp(nn, "post_in_indication") == 0) {
          torcint_vector_fail(L,
                              "fail_alloc is followed by \"%s\": the "
                              "next event must be one the host plays at "
                              "once (offload, post, frame, advance, "
                              "terminate, return)",
                              nn);
          return -1;
        }
      }
      break;
    case TORC_OP_RETURN:
      if (torcint_vector_get_u32(L, ev, "indication", 0, 1, MAX_EVENTS, 0,
                                 &e->indication) < 0)
        return -1;
      break;
    default:
      break;
    }
    if (op != TORC_OP_OFFLOAD && op != TORC_OP_FAIL_ALLOC && !saw_offload) {
      torcint_vector_fail(L, "\"%s\" before the offload event", opn);
      return -1;
    }
    torcint_vector_pop(L, o2);
  }
  if (!saw_offload) {
    torcint_vector_fail(L, "no offload event");
    return -1;
  }
  torcint_vector_pop(L, o);
  return 0;
}
