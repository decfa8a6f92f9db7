/*
 * torc_test_host_record.c - what the test host records of the target's
 * upcalls, and the checks on it.
 *
 * The callbacks (torc_test_host_{offload,requests,indicate,terminate}.c)
 * record each upcall as an event (th_new_event), append the bytes delivered
 * to the delivered stream (th_dlv_append) and record broken host-visible
 * rules as violations (th_violation, th_check_upcall) instead of asserting
 * inside the target.  The tests read the recording through the accessors
 * here: events, the compact trace text, delivered and handed-back bytes, and
 * th_check_invariants (also run by th_free).
 */
#include "torc_test_host_int.h"

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- small helpers --------------------------------------------------------
 */

void th_violation(torc_test_host *h, const char *fmt, ...) {
  if (h->nviol++ == 0) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(h->viol, sizeof h->viol, fmt, ap);
    va_end(ap);
  }
}

void th_dlv_append(torc_test_host *h, const uint8_t *p, uint64_t n) {
  if (n == 0)
    return;
  if (h->dlv_len + n > h->dlv_cap) {
    uint64_t cap = h->dlv_cap ? h->dlv_cap : 4096;
    while (cap < h->dlv_len + n)
      cap *= 2;
    uint8_t *q = realloc(h->dlv, (size_t)cap);
    ck_assert_msg(q != NULL, "test host: out of memory");
    h->dlv = q;
    h->dlv_cap = cap;
  }
  memcpy(h->dlv + h->dlv_len, p, (size_t)n);
  h->dlv_len += n;
}

th_event *th_new_event(torc_test_host *h, th_event_type type) {
  if (h->nev >= TH_MAX_EVENTS) {
    th_violation(h, "more than %d upcalls recorded", TH_MAX_EVENTS);
    return NULL;
  }
  th_event *e = &h->ev[h->nev++];
  memset(e, 0, sizeof *e);
  e->type = type;
  e->time_us = h->now;
  return e;
}

/* Common checks of an upcall that concerns the connection. */
void th_check_upcall(torc_test_host *h, uint64_t handle, const char *what) {
  if (handle != TH_HOST_HANDLE)
    th_violation(h, "RCV-122: %s with host_handle 0x%llx, expected 0x%x", what,
                 (unsigned long long)handle, TH_HOST_HANDLE);
  if (!h->offload_done)
    th_violation(h, "%s before the offload completed", what);
  else if (h->offload_status != TORC_STATUS_SUCCESS)
    th_violation(h, "%s after a failed offload", what);
  if (h->terminate_done)
    th_violation(h, "%s after terminate_offload_complete", what);
}

/* ---- recording accessors ----------------------------------------------------
 */

int th_nevents(const torc_test_host *h) {
  return h->nev;
}

const th_event *th_event_get(const torc_test_host *h, int i) {
  ck_assert_msg(i >= 0 && i < h->nev, "event %d of %d", i, h->nev);
  return &h->ev[i];
}

int th_count(const torc_test_host *h, th_event_type type) {
  int n = 0;
  for (int i = 0; i < h->nev; i++)
    n += h->ev[i].type == type;
  return n;
}

__attribute__((format(printf, 2, 3))) static void
th_trace_add(torc_test_host *h, const char *fmt, ...) {
  char tmp[64];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  if (n < 0)
    return;
  if ((size_t)n >= sizeof tmp)
    n = sizeof tmp - 1;
  if (h->trace_len + (size_t)n + 1 > h->trace_cap) {
    size_t cap = h->trace_cap ? h->trace_cap * 2 : 256;
    while (cap < h->trace_len + (size_t)n + 1)
      cap *= 2;
    char *p = realloc(h->trace, cap);
    ck_assert_msg(p != NULL, "test host: out of memory");
    h->trace = p;
    h->trace_cap = cap;
  }
  memcpy(h->trace + h->trace_len, tmp, (size_t)n + 1);
  h->trace_len += (size_t)n;
}

static const char *th_status_letter(uint32_t s) {
  switch (s) {
  case TORC_STATUS_SUCCESS:
    return "";
  case TORC_STATUS_REQUEST_ABORTED:
    return "a";
  case TORC_STATUS_UPLOAD_IN_PROGRESS:
    return "u";
  case TORC_STATUS_INVALID_STATE:
    return "i";
  default:
    return "?";
  }
}

const char *th_trace_from(torc_test_host *h, int from) {
  h->trace_len = 0;
  th_trace_add(h, "%s", "");
  for (int i = from < 0 ? 0 : from; i < h->nev; i++) {
    const th_event *e = &h->ev[i];
    const char *sp = h->trace_len ? " " : "";
    switch (e->type) {
    case TH_EV_OFFLOAD_DONE:
      th_trace_add(h, "%sO%s", sp, e->status == TORC_STATUS_SUCCESS ? "" : "!");
      break;
    case TH_EV_COMPLETE:
      th_trace_add(h, "%sC[", sp);
      for (uint32_t j = 0; j < e->count; j++)
        th_trace_add(h, "%s%u%s", j ? "," : "", e->c[j].bytes,
                     th_status_letter(e->c[j].status));
      th_trace_add(h, "]");
      break;
    case TH_EV_INDICATE:
      if (e->answer == TORC_STATUS_SUCCESS)
        th_trace_add(h, "%sI%u", sp, e->length);
      else if (e->answer == TORC_STATUS_OFFLOAD_DATA_PARTIALLY_ACCEPTED)
        th_trace_add(h, "%sI%up%u", sp, e->length, e->consumed);
      else
        th_trace_add(h, "%sI%un", sp, e->length);
      break;
    case TH_EV_EVENT:
      if (e->event == TORC_EVENT_DISCONNECT)
        th_trace_add(h, "%sEd", sp);
      else if (e->event == TORC_EVENT_ABORT)
        th_trace_add(h, "%sEa", sp);
      else if (e->event == TORC_EVENT_RETRIEVE)
        th_trace_add(h, "%sEr%u", sp, e->info);
      else
        th_trace_add(h, "%sE%u/%u", sp, e->event, e->info);
      break;
    case TH_EV_TERMINATE_DONE:
      if (e->status == TORC_STATUS_SUCCESS)
        th_trace_add(h, "%sT%u", sp, e->handback_len);
      else
        th_trace_add(h, "%sT!", sp);
      break;
    }
  }
  return h->trace;
}

const char *th_trace(torc_test_host *h) {
  return th_trace_from(h, 0);
}

const uint8_t *th_delivered(const torc_test_host *h) {
  return h->dlv;
}
uint64_t th_delivered_len(const torc_test_host *h) {
  return h->dlv_len;
}
const uint8_t *th_handback(const torc_test_host *h) {
  return h->handback;
}
uint32_t th_handback_len(const torc_test_host *h) {
  return h->handback_len;
}

void th_assert_delivered_stream(const torc_test_host *h, uint64_t from,
                                uint64_t len) {
  ck_assert_msg(h->dlv_len >= from + len,
                "delivered: expected at least %llu bytes vs actual %llu",
                (unsigned long long)(from + len),
                (unsigned long long)h->dlv_len);
  for (uint64_t i = from; i < from + len; i++)
    ck_assert_msg(h->dlv[i] == th_stream_byte(i),
                  "delivered byte %llu: expected 0x%02x vs actual 0x%02x",
                  (unsigned long long)i, th_stream_byte(i), h->dlv[i]);
}

int th_violations(const torc_test_host *h) {
  return h->nviol;
}
const char *th_first_violation(const torc_test_host *h) {
  return h->viol;
}
void th_clear_violations(torc_test_host *h) {
  h->nviol = 0;
  h->viol[0] = '\0';
}

void th_check_invariants(const torc_test_host *h) {
  const char *lb = h->label ? h->label : "";
  ck_assert_msg(h->nviol == 0, "%s%d host-rule violation(s), first: %s", lb,
                h->nviol, h->viol);
  ck_assert_msg(h->depth == 0, "%scallback depth %d at rest", lb, h->depth);
  if (!h->pure)
    return;
  ck_assert_msg(h->dlv_len <= h->stream_end,
                "%sdelivered %llu bytes, only %llu ever offered", lb,
                (unsigned long long)h->dlv_len,
                (unsigned long long)h->stream_end);
  for (uint64_t i = 0; i < h->dlv_len; i++)
    ck_assert_msg(h->dlv[i] == th_stream_byte(i),
                  "%sdelivered byte %llu: expected 0x%02x vs actual 0x%02x "
                  "(lost, duplicated or reordered data)",
                  lb, (unsigned long long)i, th_stream_byte(i), h->dlv[i]);
  /* DEC-07: delivered bytes then handed-back bytes are the stream up to the
   * reported RcvNxt, which counts an accepted FIN after them (DEC-28). */
  for (int i = 0; i < h->nev; i++) {
    const th_event *e = &h->ev[i];
    if (e->type != TH_EV_TERMINATE_DONE || e->status != TORC_STATUS_SUCCESS)
      continue;
    uint32_t upto = e->rcv_nxt - h->isn;
    if (h->fin_at == h->dlv_len + h->handback_len &&
        (uint64_t)upto == h->fin_at + 1)
      upto--; /* the FIN's sequence number */
    ck_assert_msg((uint64_t)upto == h->dlv_len + h->handback_len,
                  "%sDEC-07: rcv_nxt at terminate is stream offset %u, "
                  "expected delivered %llu + handed back %u",
                  lb, upto, (unsigned long long)h->dlv_len, h->handback_len);
    for (uint32_t j = 0; j < h->handback_len; j++)
      ck_assert_msg(h->handback[j] == th_stream_byte(h->dlv_len + j),
                    "%shanded-back byte %u (stream %llu) wrong", lb, j,
                    (unsigned long long)(h->dlv_len + j));
  }
}

int th_retrieve_index(const torc_test_host *h) {
  for (int i = 0; i < h->nev; i++)
    if (h->ev[i].type == TH_EV_EVENT && h->ev[i].event == TORC_EVENT_RETRIEVE)
      return i;
  return -1;
}
int th_upload_requested(const torc_test_host *h) {
  return th_retrieve_index(h) >= 0;
}
