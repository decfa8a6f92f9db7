/*
 * torc_engine.c - runs one vector against a loaded target (torc_engine.h).
 *
 * Flow: torc_engine_new loads the target once (torc_load.h) with the host
 * simulation's callbacks; torc_engine_run then, per vector: gates on the
 * vector's required capabilities and operations (torc_gate.c: FAIL for a
 * mandatory feature, UNTESTED for a testability hook), opens a
 * connection, plays the script on the vector's virtual clock through
 * torc_hostsim.c (which calls the target through torc_call.c), does the
 * host's end-of-run work (returns, conn_close, leak check), and hands the
 * trace to torc_judge.c.  The wall clock is read only to report durations.
 * Per vector the engine allocates nothing but the judge's small work lists:
 * every buffer of the host simulation is reused.
 */
#include "torc_engine.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "torc_call.h"
#include "torc_gate.h"
#include "torc_hostsim.h"
#include "torc_judge.h"
#include "torc_load.h"
#include "torc_vector_int.h"

/* The host's handle of every vector's one connection: each vector runs on a
 * fresh target instance, so one value serves (and a target cannot tell one
 * vector's run from another's by it). */
#define TORC_ENGINE_HOST_HANDLE 0x7443000000000001ull

struct torc_engine {
  torc_loaded *loaded;
  torc_target ops;
  torc_callsite cs;
  torc_hostsim *hs;
  FILE *log;
  torc_engine_opts opts;
  /* The virtual clock handed to advance_time: the vector's times offset by
   * the clock's value when the vector starts, which is 0 because every
   * vector runs on a fresh target instance (used, below). */
  uint64_t clock_us;
  /* 1 once a vector has run on the current target instance: the next vector
   * first replaces it (destroy + init, torc_loaded_reset), so nothing a
   * target can observe through the interface carries over from one vector
   * to the next, whether the vectors run in one process (--isolate batch or
   * none, an exec: target's runner) or a forked child each.  Only a .so's
   * process-global state (its statics) outlives the instance. */
  int used;
  char broken[TORC_MSG_SIZE]; /* set when no fresh instance could be made */
};

void torc_result_clear(torc_result *r) {
  if (!r)
    return;
  free(r->expected_trace_json);
  free(r->actual_trace_json);
  memset(r, 0, sizeof *r);
}

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int torc_engine_new(const char *target_spec, const torc_engine_opts *opts,
                    torc_engine **out, char *errbuf) {
  torc_engine *e = calloc(1, sizeof *e);
  *out = NULL;
  if (!e) {
    snprintf(errbuf, TORC_ERRBUF_SIZE, "out of memory");
    return -1;
  }
  if (opts)
    e->opts = *opts;
  if (e->opts.log_path) {
    e->log = fopen(e->opts.log_path, "a");
    if (!e->log) {
      snprintf(errbuf, TORC_ERRBUF_SIZE, "%s: cannot open log file",
               e->opts.log_path);
      free(e);
      return -1;
    }
  }
  e->hs = torc_hostsim_new(e->log);
  if (!e->hs) {
    snprintf(errbuf, TORC_ERRBUF_SIZE, "out of memory");
    torc_engine_free(e);
    return -1;
  }
  e->cs.t = &e->ops;
  torc_hostsim_bind(e->hs, &e->cs);
  if (!e->opts.contain &&
      torc_load_preflight(target_spec, torc_hostsim_ops(), e->hs,
                          e->opts.load_timeout_ms, errbuf) != 0) {
    torc_engine_free(e);
    return -1;
  }
  if ((e->opts.contain ? torc_load_contained(target_spec, e->opts.contain,
                                             torc_hostsim_ops(), e->hs,
                                             &e->loaded, &e->ops, errbuf)
                       : torc_load(target_spec, torc_hostsim_ops(), e->hs,
                                   &e->loaded, &e->ops, errbuf)) != 0) {
    e->loaded = NULL;
    torc_engine_free(e);
    return -1;
  }
  *out = e;
  return 0;
}

const torc_target *torc_engine_ops(const torc_engine *e) {
  return &e->ops;
}

struct torc_loaded *torc_engine_loaded(torc_engine *e) {
  return e->loaded;
}

void torc_engine_set_readings(torc_engine *e, uint32_t readings) {
  e->opts.readings = readings;
}

void torc_engine_free(torc_engine *e) {
  if (!e)
    return;
  if (e->loaded)
    torc_unload(e->loaded);
  torc_hostsim_free(e->hs);
  if (e->log)
    fclose(e->log);
  free(e);
}

/* Plays one script event; returns 1 if it must wait for the offload. */
static int play(torc_engine *e, const torc_event *ev) {
  torc_hostsim *hs = e->hs;
  int st = torc_hostsim_offload_state(hs);
  switch (ev->op) {
  case TORC_OP_OFFLOAD:
    torc_hostsim_offload(hs);
    break;
  case TORC_OP_POST:
  case TORC_OP_FRAME:
  case TORC_OP_TERMINATE:
    /* RCV-030: nothing is posted or forwarded on a connection whose offload
     * has not completed; a failed offload leaves no connection to use. */
    if (st == 1)
      return 1;
    if (st != 2)
      break;
    if (ev->op == TORC_OP_POST)
      torc_hostsim_post(hs, ev);
    else if (ev->op == TORC_OP_FRAME)
      torc_hostsim_frame(hs, ev);
    else
      torc_hostsim_terminate(hs);
    break;
  case TORC_OP_RETURN:
    if (ev->indication)
      torc_hostsim_return_one(hs, ev->indication);
    else
      torc_hostsim_return_all(hs);
    break;
  case TORC_OP_POST_IN_COMPLETION:
    if (st == 1 || st == 2)
      torc_hostsim_post_in_completion(hs, ev);
    break;
  case TORC_OP_POST_IN_INDICATION:
    if (st == 1 || st == 2)
      torc_hostsim_post_in_indication(hs, ev);
    break;
  case TORC_OP_FAIL_ALLOC:
    torc_hostsim_fail_alloc(hs);
    break;
  default: /* advance: the clock moved before the event */
    break;
  }
  return 0;
}

static void play_script(torc_engine *e, const torc_vector_body *b) {
  torc_hostsim *hs = e->hs;
  const torc_event **deferred = NULL;
  size_t ndeferred = 0, i, k;
  uint64_t now = 0, base = e->clock_us;
  int has_clock = torc_call_has(&e->ops, TORC_CALL_ADVANCE_TIME);
  for (i = 0; i < b->nevents; i++) {
    const torc_event *ev = &b->events[i];
    torc_hostsim_set_at(hs, (uint32_t)i);
    torc_hostsim_event_begin(hs, (uint32_t)i);
    /* The host's hook grants every allocation but while a fail_alloc's
     * event plays: said in advance, an exec: target serves them itself. */
    if (torc_hostsim_alloc_failing(hs))
      torc_loaded_alloc_policy(e->loaded, TORC_ALLOCS_REFUSED);
    if (ev->t_us > now) {
      now = ev->t_us;
      e->clock_us = base + now;
      if (has_clock)
        torc_hostsim_advance(hs, e->clock_us);
    }
    if (ndeferred || play(e, ev)) {
      if (!deferred)
        deferred = calloc(b->nevents, sizeof *deferred);
      if (deferred)
        deferred[ndeferred++] = ev;
    }
    /* Events held while the offload was pending go once it completed. */
    if (ndeferred && torc_hostsim_offload_state(hs) >= 2) {
      size_t n = ndeferred;
      ndeferred = 0;
      for (k = 0; k < n; k++)
        play(e, deferred[k]);
    }
    if (b->auto_return == TORC_RETURN_AFTER_EVENT)
      torc_hostsim_return_all(hs);
    if (torc_hostsim_alloc_failing(hs))
      torc_loaded_alloc_policy(e->loaded, TORC_ALLOCS_GRANTED);
    torc_hostsim_event_end(hs);
  }
  free(deferred);
  torc_hostsim_set_at(hs, (uint32_t)b->nevents);
  if (torc_hostsim_offload_state(hs) == 1)
    torc_hostsim_violation(hs, "RCV-015",
                           "the offload never completed (no "
                           "initiate_offload_complete by the end of the "
                           "script)");
  if (torc_hostsim_terminate_pending(hs))
    torc_hostsim_violation(hs, "RCV-226",
                           "the terminate offload never completed (no "
                           "terminate_offload_complete by the end of the "
                           "script)");
  if (b->auto_return != TORC_RETURN_EXPLICIT &&
      torc_call_has(&e->ops, TORC_CALL_RECEIVE_RETURN))
    torc_hostsim_return_all(hs);
}

/* The limit of t the vector's offload state goes beyond (RCV-020..022),
 * described in why; 0 when none.  *window: 1 for the InitialRcvWnd. */
static int beyond_limit(const torc_target *t, const torc_vector_body *b,
                        int *window, char *why, size_t n) {
  if (t->max_initial_rcv_wnd && b->initial_rcv_wnd > t->max_initial_rcv_wnd) {
    *window = 1;
    snprintf(why, n,
             "its InitialRcvWnd (%" PRIu32 " bytes) is beyond the %" PRIu32
             " the target declares it supports",
             b->initial_rcv_wnd, t->max_initial_rcv_wnd);
    return 1;
  }
  if (t->max_buffered_bytes && b->buffered_len > t->max_buffered_bytes) {
    *window = 0;
    snprintf(why, n,
             "its BufferedData (%" PRIu64 " bytes) is beyond the %" PRIu32
             " the target declares it can take over",
             b->buffered_len, t->max_buffered_bytes);
    return 1;
  }
  return 0;
}

/* A vector beyond a limit the target declares expects the offload refused
 * with the status the specification names: RCV-022's OFFLOAD_TCP_RCV_WINDOW
 * for the window, RCV-021's OFFLOAD_TCP_RCV_BUFFER or RCV-020's RESOURCES
 * for BufferedData.  Refused so, the vector is UNTESTED (nothing it tests
 * happened); refused otherwise, a FAIL of that requirement; accepted, the
 * target is judged on the whole vector as any other. */
static void judge_limit(const torc_target *t, const torc_vector_body *b,
                        const torc_trace *tr, size_t nviol, torc_result *r) {
  char why[160];
  int window = 0;
  size_t i;
  uint32_t status = TORC_STATUS_SUCCESS;
  const char *rule;
  if (!beyond_limit(t, b, &window, why, sizeof why))
    return;
  for (i = 0; i < tr->n; i++)
    if (tr->e[i].kind == TORC_TR_OFFLOAD_COMPLETE) {
      status = tr->e[i].status;
      break;
    }
  if (i == tr->n || status == TORC_STATUS_SUCCESS || nviol)
    return;
  rule = window                            ? "RCV-022"
         : status == TORC_STATUS_RESOURCES ? "RCV-020"
                                           : "RCV-021";
  if (window ? status == TORC_STATUS_OFFLOAD_TCP_RCV_WINDOW
             : status == TORC_STATUS_OFFLOAD_TCP_RCV_BUFFER ||
                   status == TORC_STATUS_RESOURCES) {
    r->verdict = TORC_UNTESTED;
    r->allowances[0] = '\0';
    r->nviolations = 0;
    r->nattributed = 0;
    memset(&r->divergence, 0, sizeof r->divergence);
    snprintf(r->detail, sizeof r->detail,
             "untested: beyond a declared limit: %s, and the offload was "
             "refused with %s (%s)",
             why, torc_status_name(status), rule);
    return;
  }
  r->verdict = TORC_FAIL;
  r->nattributed = 1;
  snprintf(r->attributed[0], sizeof r->attributed[0], "%s", rule);
  snprintf(r->detail, sizeof r->detail,
           "%s: the offload must be refused with %s (%s), not %s", why,
           window ? "OFFLOAD_TCP_RCV_WINDOW"
                  : "OFFLOAD_TCP_RCV_BUFFER or RESOURCES",
           rule, torc_status_name(status));
}

int torc_engine_run(torc_engine *e, const torc_vector *v, torc_result *r) {
  const torc_vector_body *b = v->body;
  uint64_t t0 = now_ns();
  const torc_hs_violation *viol;
  size_t nviol;
  memset(r, 0, sizeof *r);
  snprintf(r->id, sizeof r->id, "%s", v->id);
  if (e->broken[0]) {
    r->verdict = TORC_ERROR;
    snprintf(r->detail, sizeof r->detail, "%s", e->broken);
    goto done;
  }
  if (torc_gate_check(&e->ops, v, r))
    goto done;
  /* torc_hs_host_alloc grants every allocation outside a fail_alloc's
   * event (wire protocol 2: the target side serves them). */
  torc_loaded_alloc_policy(e->loaded, TORC_ALLOCS_GRANTED);
  if (e->used && e->loaded) {
    char why[TORC_ERRBUF_SIZE] = "";
    if (torc_loaded_reset(e->loaded, &e->ops, why) != 0) {
      int st = torc_loaded_status(e->loaded, NULL, 0);
      r->verdict = st == TORC_LOAD_CRASHED   ? TORC_CRASH
                   : st == TORC_LOAD_TIMEOUT ? TORC_TIMEOUT
                                             : TORC_ERROR;
      snprintf(r->detail, sizeof r->detail,
               "cannot replace the previous vector's target instance: %.180s",
               why);
      /* An in-process instance is gone (destroyed, the new one refused):
       * nothing may call into it again.  An exec: target's child is
       * restarted by the caller (torc_loaded_restart), a fresh instance. */
      if (!torc_loaded_is_remote(e->loaded)) {
        memset(&e->ops, 0, sizeof e->ops);
        snprintf(e->broken, sizeof e->broken, "%s", r->detail);
      }
      goto done;
    }
  }
  /* A fresh instance sees what a fresh process would: the same connection
   * handle and a clock starting at 0. */
  e->used = 1;
  e->clock_us = 0;
  torc_hostsim_begin(e->hs, b, TORC_ENGINE_HOST_HANDLE);
  if (torc_hostsim_open(e->hs) == 0) {
    if (e->opts.record_because)
      torc_loaded_explain(e->loaded, torc_hostsim_conn(e->hs),
                          torc_hostsim_explain, e->hs);
    if (e->opts.readings)
      torc_loaded_read_as(e->loaded, torc_hostsim_conn(e->hs),
                          e->opts.readings);
    play_script(e, b);
    torc_hostsim_close(e->hs);
  }
  /* A failure the vector armed but the target never reached (a fail_alloc
   * after the offload, DEC-25, in a vector that crashed first) must not
   * hit the next vector's fresh instance. */
  torc_hostsim_fail_clear(e->hs);
  nviol = torc_hostsim_violations(e->hs, &viol);
  {
    char why[TORC_MSG_SIZE];
    int st = e->loaded ? torc_loaded_status(e->loaded, why, sizeof why) : 0;
    if (st == TORC_LOAD_CRASHED || st == TORC_LOAD_TIMEOUT) {
      r->verdict = st == TORC_LOAD_CRASHED ? TORC_CRASH : TORC_TIMEOUT;
      snprintf(r->detail, sizeof r->detail, "%s", why);
      goto traces;
    }
  }
  torc_judge(v, torc_hostsim_trace(e->hs), viol, nviol,
             torc_hostsim_data_div(e->hs), r);
  {
    /* The vector made every allocation of event k fail, and the target
     * allocated nothing while handling it: the situation the vector tests
     * did not arise (a target that needs no memory there), so its expected
     * trace says nothing about this target.  A rule the host saw broken
     * stays a FAIL. */
    uint32_t k = torc_hostsim_fail_missed(e->hs);
    if (k != UINT32_MAX && nviol == 0 &&
        (r->verdict == TORC_FAIL || r->verdict == TORC_PASS ||
         r->verdict == TORC_PASS_NONSTRICT)) {
      r->verdict = TORC_UNTESTED;
      r->allowances[0] = '\0';
      r->nviolations = 0;
      r->nattributed = 0;
      memset(&r->divergence, 0, sizeof r->divergence);
      snprintf(r->detail, sizeof r->detail,
               "untested: the vector fails every allocation made while "
               "event %" PRIu32 " is handled, and the target made none",
               k);
    }
  }
  judge_limit(&e->ops, b, torc_hostsim_trace(e->hs), nviol, r);
  if (e->opts.strict && r->verdict == TORC_PASS_NONSTRICT) {
    r->verdict = TORC_FAIL;
    snprintf(r->detail, sizeof r->detail,
             "strict: call pattern differs within allowances (%.150s)",
             r->allowances);
  }
traces:
  if (e->opts.record_traces == TORC_TRACES_ALL ||
      (e->opts.record_traces == TORC_TRACES_UNLESS_PASS &&
       r->verdict != TORC_PASS)) {
    r->expected_trace_json = torc_trace_to_json(&b->expected);
    r->actual_trace_json = torc_trace_to_json(torc_hostsim_trace(e->hs));
  }
done:
  r->duration_ns = now_ns() - t0;
  return r->verdict == TORC_ERROR ? -1 : 0;
}
