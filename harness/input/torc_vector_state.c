/*
 * torc_vector_state.c - the vector's "state", "buffered" and "host"
 * sections: the delegated TCP state, the buffered data handed over at
 * offload, and how the host answers indications and returns buffers.
 *
 * torc_vector.c calls these after the provenance; every default lives in
 * torc_vector_parse_int.h and the schema.  The host's answers are read again
 * by torc_vector_expected.c, which works out what each expected indication
 * consumes.
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <torc/target.h>

#include "torc_vector_parse_int.h"

/* $.state: the delegated TCP state, defaults applied (RCV-205 tick rates). */
int torcint_vector_parse_state(ld *L, json_t *root, torc_vector_body *b) {
  static const char *const keys[] = {"isn",
                                     "rcv_nxt",
                                     "rcv_wnd",
                                     "snd_una",
                                     "snd_nxt",
                                     "snd_wnd",
                                     "push_ticks",
                                     "ticks_per_second",
                                     "rcv_indication_size",
                                     "initial_rcv_wnd",
                                     "mss",
                                     "snd_wscale",
                                     "rcv_wscale",
                                     NULL};
  json_t *s = torcint_vector_want_object(L, root, "state", 1);
  uint32_t tps;
  size_t o;
  if (!s)
    return -1;
  o = torcint_vector_push_key(L, "state");
  if (torcint_vector_check_keys(L, s, keys) < 0 ||
      torcint_vector_get_u32(L, s, "isn", 1, 0, UINT32_MAX, 0, &b->isn) < 0 ||
      torcint_vector_get_u32(L, s, "rcv_nxt", 1, 0, UINT32_MAX, 0,
                             &b->rcv_nxt) < 0 ||
      torcint_vector_get_u32(L, s, "rcv_wnd", 0, 0, UINT32_MAX, DEF_RCV_WND,
                             &b->rcv_wnd) < 0 ||
      torcint_vector_get_u32(L, s, "snd_una", 0, 0, UINT32_MAX, 0,
                             &b->snd_una) < 0 ||
      torcint_vector_get_u32(L, s, "snd_nxt", 0, 0, UINT32_MAX, 0,
                             &b->snd_nxt) < 0 ||
      torcint_vector_get_u32(L, s, "snd_wnd", 0, 0, UINT32_MAX, 0,
                             &b->snd_wnd) < 0 ||
      torcint_vector_get_u32(L, s, "push_ticks", 0, 0, UINT32_MAX, 0,
                             &b->push_ticks) < 0 ||
      torcint_vector_get_u32(L, s, "ticks_per_second", 0, 0, 1000,
                             DEF_TICKS_PER_SECOND, &tps) < 0 ||
      torcint_vector_get_u32(L, s, "rcv_indication_size", 0, 0, UINT32_MAX, 0,
                             &b->rcv_indication_size) < 0 ||
      torcint_vector_get_u32(L, s, "initial_rcv_wnd", 0, 0, UINT32_MAX,
                             b->rcv_wnd, &b->initial_rcv_wnd) < 0)
    return -1;
  if (tps != 0 && tps != 10 && tps != 100 && tps != 1000) {
    torcint_vector_push_key(L, "ticks_per_second");
    torcint_vector_fail(L, "expected one of 0, 10, 100, 1000 (RCV-205)");
    return -1;
  }
  b->ticks_per_second = tps;
  {
    uint32_t mss, sw, rw;
    if (torcint_vector_get_u32(L, s, "mss", 0, 1, 65535, DEF_MSS, &mss) < 0 ||
        torcint_vector_get_u32(L, s, "snd_wscale", 0, 0, 14, 0, &sw) < 0 ||
        torcint_vector_get_u32(L, s, "rcv_wscale", 0, 0, 14, 0, &rw) < 0)
      return -1;
    b->mss = (uint16_t)mss;
    b->snd_wscale = (uint8_t)sw;
    b->rcv_wscale = (uint8_t)rw;
  }
  torcint_vector_pop(L, o);
  return 0;
}

/* $.buffered: lists of fragments, contiguous from stream offset 0. */
int torcint_vector_parse_buffered(ld *L, json_t *root, torc_vector_body *b) {
  static const char *const keys[] = {"offset", "len", NULL};
  json_t *a = torcint_vector_want_array(L, root, "buffered", 1), *list, *fr;
  size_t i, j, o, o2, o3, total = 0;
  uint64_t next = 0;
  if (!a)
    return -1;
  o = torcint_vector_push_key(L, "buffered");
  b->nlists = json_array_size(a);
  b->list_first = calloc(b->nlists + 1, sizeof *b->list_first);
  b->list_count = calloc(b->nlists + 1, sizeof *b->list_count);
  if (!b->list_first || !b->list_count) {
    torcint_vector_fail(L, "out of memory");
    return -1;
  }
  json_array_foreach(a, i, list) {
    o2 = torcint_vector_push_idx(L, i);
    if (!json_is_array(list) || json_array_size(list) == 0) {
      torcint_vector_fail(L, "expected a non-empty array of fragments");
      return -1;
    }
    total += json_array_size(list);
    torcint_vector_pop(L, o2);
  }
  b->frags = calloc(total + 1, sizeof *b->frags);
  if (!b->frags) {
    torcint_vector_fail(L, "out of memory");
    return -1;
  }
  json_array_foreach(a, i, list) {
    o2 = torcint_vector_push_idx(L, i);
    b->list_first[i] = (uint32_t)b->nfrags;
    json_array_foreach(list, j, fr) {
      uint64_t off, len;
      o3 = torcint_vector_push_idx(L, j);
      if (!json_is_object(fr)) {
        torcint_vector_fail(L, "expected object {offset, len}");
        return -1;
      }
      if (torcint_vector_check_keys(L, fr, keys) < 0 ||
          torcint_vector_get_int(L, fr, "offset", 1, 0, UINT32_MAX, 0, &off) <
              0 ||
          torcint_vector_get_int(L, fr, "len", 1, 1, UINT32_MAX, 0, &len) < 0)
        return -1;
      if (off != next) {
        torcint_vector_fail(L,
                            "fragment starts at stream offset %" PRIu64
                            ", expected %" PRIu64
                            " (buffered data is contiguous from "
                            "offset 0)",
                            off, next);
        return -1;
      }
      next = off + len;
      b->frags[b->nfrags].offset = off;
      b->frags[b->nfrags].len = (uint32_t)len;
      b->nfrags++;
      torcint_vector_pop(L, o3);
    }
    b->list_count[i] = (uint32_t)json_array_size(list);
    torcint_vector_pop(L, o2);
  }
  b->buffered_len = next;
  torcint_vector_pop(L, o);
  return 0;
}

static int parse_answer(ld *L, json_t *v, torc_answer *ans) {
  static const char *const keys[] = {"status", "consumed", NULL};
  const char *st;
  int bad;
  uint32_t consumed;
  if (!json_is_object(v)) {
    torcint_vector_fail(L, "expected object {status, consumed?}");
    return -1;
  }
  if (torcint_vector_check_keys(L, v, keys) < 0)
    return -1;
  st = torcint_vector_get_str(L, v, "status", 1, &bad);
  if (bad)
    return -1;
  if (strcmp(st, "SUCCESS") == 0)
    ans->status = TORC_STATUS_SUCCESS;
  else if (strcmp(st, "NOT_ACCEPTED") == 0)
    ans->status = TORC_STATUS_NOT_ACCEPTED;
  else if (strcmp(st, "OFFLOAD_DATA_NOT_ACCEPTED") == 0)
    ans->status = TORC_STATUS_OFFLOAD_DATA_NOT_ACCEPTED;
  else if (strcmp(st, "PARTIALLY_ACCEPTED") == 0)
    ans->status = TORC_STATUS_OFFLOAD_DATA_PARTIALLY_ACCEPTED;
  else {
    torcint_vector_push_key(L, "status");
    torcint_vector_fail(L, "expected one of SUCCESS, NOT_ACCEPTED, "
                           "OFFLOAD_DATA_NOT_ACCEPTED, PARTIALLY_ACCEPTED");
    return -1;
  }
  if (ans->status == TORC_STATUS_OFFLOAD_DATA_PARTIALLY_ACCEPTED) {
    /* RCV-140: the host reports a non-zero count */
    if (torcint_vector_get_u32(L, v, "consumed", 1, 1, UINT32_MAX, 0,
                               &consumed) < 0)
      return -1;
  } else {
    if (json_object_get(v, "consumed")) {
      torcint_vector_push_key(L, "consumed");
      torcint_vector_fail(L,
                          "only PARTIALLY_ACCEPTED carries a consumed count");
      return -1;
    }
    consumed = 0;
  }
  ans->consumed = consumed;
  return 0;
}

/* $.host: the answers to indications and when buffers are returned. */
int torcint_vector_parse_host(ld *L, json_t *root, torc_vector_body *b) {
  static const char *const keys[] = {"answers", "default_answer", "auto_return",
                                     NULL};
  json_t *h = json_object_get(root, "host"), *a, *v;
  const char *ar;
  size_t o, o2, i;
  int bad;
  b->default_answer.status = TORC_STATUS_SUCCESS;
  b->auto_return = TORC_RETURN_AT_END;
  if (!h)
    return 0;
  o = torcint_vector_push_key(L, "host");
  if (!json_is_object(h)) {
    torcint_vector_fail(L, "expected object");
    return -1;
  }
  if (torcint_vector_check_keys(L, h, keys) < 0)
    return -1;
  if ((v = json_object_get(h, "default_answer"))) {
    o2 = torcint_vector_push_key(L, "default_answer");
    if (parse_answer(L, v, &b->default_answer) < 0)
      return -1;
    torcint_vector_pop(L, o2);
  }
  ar = torcint_vector_get_str(L, h, "auto_return", 0, &bad);
  if (bad)
    return -1;
  if (ar) {
    if (strcmp(ar, "at_end") == 0)
      b->auto_return = TORC_RETURN_AT_END;
    else if (strcmp(ar, "explicit") == 0)
      b->auto_return = TORC_RETURN_EXPLICIT;
    else if (strcmp(ar, "after_event") == 0)
      b->auto_return = TORC_RETURN_AFTER_EVENT;
    else {
      torcint_vector_push_key(L, "auto_return");
      torcint_vector_fail(L, "expected one of at_end, explicit, after_event");
      return -1;
    }
  }
  if ((a = json_object_get(h, "answers"))) {
    o2 = torcint_vector_push_key(L, "answers");
    if (!json_is_array(a)) {
      torcint_vector_fail(L, "expected array");
      return -1;
    }
    b->nanswers = json_array_size(a);
    b->answers = calloc(b->nanswers + 1, sizeof *b->answers);
    if (!b->answers) {
      torcint_vector_fail(L, "out of memory");
      return -1;
    }
    json_array_foreach(a, i, v) {
      size_t o3 = torcint_vector_push_idx(L, i);
      if (parse_answer(L, v, &b->answers[i]) < 0)
        return -1;
      torcint_vector_pop(L, o3);
    }
    torcint_vector_pop(L, o2);
  }
  torcint_vector_pop(L, o);
  return 0;
}
