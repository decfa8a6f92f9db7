/*
 * torc_vectorize_requirements.c - which requirement ids a vector cites:
 * derived from what its scenario and the reference's trace exercise, and
 * kept only when the catalogue marks them testable.
 *
 * Runs in torc_vectorize_vector.c after the draft of a vector has been
 * through the reference (torc_vectorize_reference.c); reads the catalogue
 * (conformance/catalogue.json) once per run for torc_vectorize.c.
 */
#include "torc_vectorize_int.h"

#include <stdio.h>
#include <string.h>

/* ---- requirement sets ---------------------------------------------------- */

static void req(vz_reqs *q, int n) {
  if (n > 0 && n < 1000)
    q->on[n] = 1;
}
static void reqs(vz_reqs *q, const int *ids, size_t n) {
  size_t i;
  for (i = 0; i < n; i++)
    req(q, ids[i]);
}
#define REQS(q, ...)                                                           \
  do {                                                                         \
    static const int ids_[] = {__VA_ARGS__};                                   \
    reqs((q), ids_, sizeof ids_ / sizeof ids_[0]);                             \
  } while (0)

int torc_vz_load_testable(const char *path, unsigned char *testable) {
  json_error_t je;
  json_t *root = json_load_file(path, 0, &je), *rows, *row;
  size_t i;
  if (!root)
    return -1;
  rows = json_object_get(root, "requirements");
  json_array_foreach(rows, i, row) {
    const char *id = json_string_value(json_object_get(row, "id"));
    int n;
    if (id && sscanf(id, "RCV-%d", &n) == 1 && n > 0 && n < 1000)
      testable[n] = json_is_true(json_object_get(row, "testable"));
  }
  json_decref(root);
  return 0;
}

/* op is name, or (name "post") a post of either kind. */
static int b_is(const char *op, const char *name) {
  if (!op)
    return 0;
  if (strcmp(name, "post") == 0)
    return strncmp(op, "post", 4) == 0;
  return strcmp(op, name) == 0;
}

static const char *ev_op(json_t *events, size_t i) {
  json_t *e = json_array_get(events, i);
  return e ? json_string_value(json_object_get(e, "op")) : "end";
}

/* The first TcpIndicateRetrieve of the reference's trace: its index in the
 * trace (or -1), with its event index and reason. */
long torc_vz_trace_retrieve(json_t *trace, size_t *at, uint32_t *info) {
  size_t i;
  json_t *o;
  json_array_foreach(trace, i, o) {
    const char *ev = json_string_value(json_object_get(o, "ev"));
    const char *what = json_string_value(json_object_get(o, "event"));
    if (ev && what && strcmp(ev, "event") == 0 &&
        strcmp(what, "RETRIEVE") == 0) {
      *at = (size_t)json_integer_value(json_object_get(o, "at"));
      *info = (uint32_t)json_integer_value(json_object_get(o, "info"));
      return (long)i;
    }
  }
  return -1;
}

/* Requirements of a vector in which the reference asked for an upload for a
 * mandatory reason (DEC-24): urgent data (DEC-08) or an allocation failure
 * after the offload (DEC-25).  Only what the retrieve shows is derived:
 * the data the script replays after it is not processed. */
static void derive_retrieve(const vz_scen *s, json_t *trace, long ri,
                            size_t rat, uint32_t info, vz_reqs *q) {
  size_t i, k, nev = json_array_size(s->events);
  json_t *o, *x;
  int later_input = 0, uip_after = 0, term_ok = 0;
  for (i = rat + 1; i < nev; i++)
    if (b_is(ev_op(s->events, i), "frame") || b_is(ev_op(s->events, i), "post"))
      later_input = 1;
  json_array_foreach(trace, i, o) {
    const char *ev = json_string_value(json_object_get(o, "ev"));
    const char *st = json_string_value(json_object_get(o, "status"));
    size_t at = (size_t)json_integer_value(json_object_get(o, "at"));
    if (!ev || (long)i <= ri)
      continue;
    if (strcmp(ev, "complete") == 0 && at > rat &&
        b_is(ev_op(s->events, at), "post"))
      json_array_foreach(json_object_get(o, "requests"), k, x) {
        const char *rs = json_string_value(json_object_get(x, "status"));
        if (rs && strcmp(rs, "UPLOAD_IN_PROGRESS") == 0)
          uip_after = 1;
      }
    if (strcmp(ev, "terminate_complete") == 0 && st &&
        strcmp(st, "SUCCESS") == 0)
      term_ok = 1;
  }
  REQS(q, 27, 32, 45, 49);
  if (info == TORC_UPLOAD_RECEIVED_URGENT_DATA)
    REQS(q, 283, 288);
  if (info == TORC_UPLOAD_UPLOAD_REQUESTED && s->has_fail_alloc)
    req(q, 237);
  if (later_input)
    req(q, 242);
  if (uip_after)
    REQS(q, 235, 236);
  if (s->has_terminate && term_ok) {
    REQS(q, 222, 224, 226, 229, 234, 240);
    if (s->nposts)
      req(q, 230);
    if (info == TORC_UPLOAD_RECEIVED_URGENT_DATA)
      req(q, 284); /* RcvNxt stops before the urgent segment */
  }
}

void torc_vz_derive_requirements(const vz_scen *s, json_t *trace, vz_reqs *q,
                                 int *n_indicate, int *multi_complete) {
  size_t i, k, n = json_array_size(trace);
  int offload_ok = 0, offload_fail = 0, any_data = 0, indicates = 0;
  int completes_bytes = 0, multi = 0, ncompletes = 0, refused = 0;
  int refused_then_complete = 0, partial = 0, indicate_with_complete = 0;
  int complete_at_advance = 0, complete_at_frame = 0, full_at_frame = 0;
  int partly_pending_end = 0, term_ok = 0, handback = 0, zero_done = 0;
  int buffered_indicated = 0, buffered_completed = 0, first_post_seen = 0;
  int indicate_before_post = 0, ind_eq_size = 0, event_ind = 0;
  int abort_status = 0, half_closed = 0;
  uint64_t delivered_max = 0;
  (void)partly_pending_end;
  for (i = 0; i < n; i++) {
    json_t *o = json_array_get(trace, i), *rq, *x;
    const char *ev = json_string_value(json_object_get(o, "ev"));
    const char *st = json_string_value(json_object_get(o, "status"));
    size_t at = (size_t)json_integer_value(json_object_get(o, "at"));
    const char *op = ev_op(s->events, at);
    if (!ev)
      continue;
    if (strcmp(ev, "offload_complete") == 0) {
      if (st && strcmp(st, "SUCCESS") == 0)
        offload_ok = 1;
      else
        offload_fail = 1;
    } else if (strcmp(ev, "complete") == 0) {
      ncompletes++;
      rq = json_object_get(o, "requests");
      if (json_array_size(rq) > 1)
        multi = 1;
      json_array_foreach(rq, k, x) {
        uint64_t b = (uint64_t)json_integer_value(json_object_get(x, "bytes"));
        uint64_t off =
            (uint64_t)json_integer_value(json_object_get(x, "offset"));
        const char *rs = json_string_value(json_object_get(x, "status"));
        if (rs && strcmp(rs, "SUCCESS") != 0)
          abort_status = 1;
        if (b) {
          completes_bytes = 1;
          any_data = 1;
          if (off < s->buffered)
            buffered_completed = 1;
          if (off + b > delivered_max)
            delivered_max = off + b;
          if (refused)
            refused_then_complete = 1;
        } else if (s->has_zero) {
          zero_done = 1;
        }
      }
      if (b_is(op, "advance") && json_array_size(rq) > 0)
        complete_at_advance = 1;
      if (b_is(op, "frame")) {
        complete_at_frame = 1;
        full_at_frame = 1;
      }
    } else if (strcmp(ev, "indicate") == 0) {
      const char *ans = json_string_value(json_object_get(o, "answer"));
      uint64_t off = (uint64_t)json_integer_value(json_object_get(o, "offset"));
      uint64_t len = (uint64_t)json_integer_value(json_object_get(o, "len"));
      indicates++;
      any_data = 1;
      if (off < s->buffered)
        buffered_indicated = 1;
      if (!first_post_seen)
        indicate_before_post = 1;
      if (s->ind_size && len == s->ind_size)
        ind_eq_size = 1;
      if (ans && (strcmp(ans, "NOT_ACCEPTED") == 0 ||
                  strcmp(ans, "OFFLOAD_DATA_NOT_ACCEPTED") == 0))
        refused = 1;
      if (ans && strcmp(ans, "PARTIALLY_ACCEPTED") == 0) {
        partial = 1;
        refused = 1;
      }
      if (i > 0) {
        json_t *p = json_array_get(trace, i - 1);
        const char *pev = json_string_value(json_object_get(p, "ev"));
        if (pev && strcmp(pev, "complete") == 0 &&
            json_integer_value(json_object_get(p, "at")) == (json_int_t)at)
          indicate_with_complete = 1;
      }
    } else if (strcmp(ev, "event") == 0) {
      const char *what = json_string_value(json_object_get(o, "event"));
      event_ind = 1;
      if (what && strcmp(what, "DISCONNECT") == 0)
        half_closed = 1;
    } else if (strcmp(ev, "terminate_complete") == 0) {
      if (st && strcmp(st, "SUCCESS") == 0)
        term_ok = 1;
      if (json_integer_value(json_object_get(o, "handback_len")) > 0)
        handback = 1;
    }
    if (b_is(op, "post"))
      first_post_seen = 1;
  }
  *n_indicate = indicates;
  *multi_complete = multi;

  /* Offload (group A). */
  REQS(q, 15, 18, 19);
  {
    size_t rat;
    uint32_t info;
    long ri = torc_vz_trace_retrieve(trace, &rat, &info);
    if (ri >= 0 && offload_ok &&
        (info == TORC_UPLOAD_RECEIVED_URGENT_DATA ||
         info == TORC_UPLOAD_UPLOAD_REQUESTED)) {
      derive_retrieve(s, trace, ri, rat, info, q);
      return;
    }
  }
  if (s->has_fail_alloc) {
    if (offload_fail && s->buffered)
      REQS(q, 7, 8, 10);
    return;
  }
  if (!offload_ok)
    return;
  REQS(q, 27, 32, 45, 49);
  if (s->buffered) {
    REQS(q, 7, 8, 9);
    if (!indicate_before_post || !buffered_indicated)
      req(q, 35);
    if (buffered_completed)
      req(q, 36);
    if (buffered_indicated)
      req(q, 37);
    if (s->dnew && any_data)
      req(q, 38);
    if (!s->nposts && s->dnew && !indicates)
      req(q, 70); /* DEC-16: appended behind the held data */
  }
  /* Delivery (groups C, D). */
  if (any_data)
    REQS(q, 29, 44, 46, 47, 50, 51, 57, 59);
  if (s->has_ooo && s->dnew)
    req(q, 62);
  if (s->played && s->dnew)
    req(q, 67);
  if (s->nposts) {
    REQS(q, 64, 91, 92, 93);
    if (!s->buffered)
      req(q, 65);
  }
  if (completes_bytes) {
    REQS(q, 52, 53, 54, 71, 72, 75, 103, 109, 110, 112);
    if (s->nposts >= 2)
      REQS(q, 60, 61);
  }
  if (ncompletes)
    REQS(q, 110, 114);
  if (multi)
    REQS(q, 48, 104, 105);
  if (ncompletes >= 2 && s->nposts >= 2)
    req(q, 106);
  if (indicates) {
    REQS(q, 56, 83, 122, 124, 125, 127, 128);
    if (!s->nposts || indicate_before_post)
      req(q, 55);
    if (indicate_with_complete)
      req(q, 74);
    if (!refused)
      REQS(q, 84, 126);
  }
  if (refused) {
    REQS(q, 85, 86, 136, 142);
    if (refused_then_complete)
      REQS(q, 87, 137);
    if (s->dnew)
      req(q, 70);
  }
  if (partial)
    req(q, 141);
  if (s->has_reentrant)
    REQS(q, 66, 82, 108, 143);
  if (s->has_zero && zero_done)
    REQS(q, 114, 117);
  /* Indication size (group G). */
  if (indicates && s->ind_size)
    REQS(q, 157, 158);
  if (indicates && ind_eq_size)
    req(q, 159);
  if (indicates && !s->ind_size)
    REQS(q, 160, 163, 164);
  if (s->kind == K_WINDOW && s->rcv_wnd < s->dnew)
    req(q, 167);
  /* Push mode (group H). */
  if (s->has_push && s->has_nonpush)
    REQS(q, 176, 177);
  if (s->has_nonpush) {
    REQS(q, 76, 183);
    if (completes_bytes)
      REQS(q, 184, 188);
    if (s->has_psh_frame)
      req(q, 185);
    if (s->kind == K_NONPUSH)
      req(q, 77);
  }
  if (complete_at_frame && completes_bytes)
    req(q, 181);
  if (full_at_frame && s->has_psh_frame && s->has_push)
    REQS(q, 78, 79, 182);
  if (s->has_push && s->has_advance) {
    REQS(q, 80, 197, 198, 199, 204);
    if (s->tps == 0)
      req(q, 198);
    if (s->push_ticks == 0)
      req(q, 193);
    if (complete_at_advance)
      REQS(q, 73, 81, 88, 179, 182);
    else
      req(q, 89);
    if (s->played > 1 && s->dnew && complete_at_advance)
      REQS(q, 189, 190, 191);
  }
  if (s->has_prefilled)
    REQS(q, 180, 188);
  if (s->kind == K_LONGCLOCK && complete_at_advance)
    req(q, 200);
  /* Termination (group I). */
  if (s->has_terminate && term_ok) {
    REQS(q, 171, 222, 224, 226, 229, 233, 234, 240);
    if (s->nposts)
      req(q, 230);
    if (handback)
      REQS(q, 207, 208, 210, 212, 213);
    if (s->has_push)
      req(q, 196);
    if (s->ooo_held_at_end)
      REQS(q, 220, 221);
    /* DEC-26: segments after the terminate event are not processed (the
     * reference completed it in the call; a later completion is judged
     * under terminate-async). */
    if (s->after_term)
      req(q, 215);
  }
  /* RCV-243: the peer's FIN was taken (the disconnect indication), so the
   * connection is half-closed (CLOSE_WAIT) for the rest of the script; the
   * reference asks for no upload there, and the judge fails any
   * TcpIndicateRetrieve the target makes after it, naming RCV-243
   * (torc_judge.c). */
  if (half_closed)
    req(q, 243);
  (void)abort_status;
  (void)event_ind;
  (void)delivered_max;
}

void torc_vz_requirement_ids(const vz_reqs *q, const unsigned char *testable,
                             json_t *rq) {
  int k;
  json_array_clear(rq);
  for (k = 1; k < 1000; k++)
    if (q->on[k] && testable[k]) {
      char id[16];
      snprintf(id, sizeof id, "RCV-%03d", k);
      torc_vz_add_str(rq, id);
    }
  if (json_array_size(rq) == 0)
    torc_vz_add_str(rq, "RCV-015");
}
