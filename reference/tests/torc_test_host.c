/*
 * torc_test_host.c - the recording host stack of the unit tests: its life
 * cycle and the end of every driving call.
 *
 * Sits between a Check test and a target: test -> th_* call -> target
 * operation (torc_target) -> host callbacks (torc_host_ops, in the
 * torc_test_host_*.c files) -> the recording kept in struct torc_test_host
 * (torc_test_host_int.h) -> test assertions.  The host side is written as a
 * conforming NDIS host would behave (it owns the buffers it lends, poisons
 * what it takes back, answers indications from a queue) and as a suspicious
 * one (nothing the target passes is believed without a bounds check; rule
 * breaks are recorded as violations, never crash).  Everything lives in the
 * host struct: no global mutable state.
 *
 * This file creates the host (binding the reference target to the host's
 * callbacks), frees it with the final checks, keeps the virtual clock and
 * ends every call that drives the target (th_after).  The other parts:
 * torc_test_host_offload.c (the stream, offload parameters, the offload),
 * torc_test_host_requests.c (posting, completions), torc_test_host_indicate.c
 * (indications and their answers), torc_test_host_terminate.c (events,
 * terminate, handed-back data), torc_test_host_wire.c (segments),
 * torc_test_host_record.c (the recording, its accessors and checks) and
 * torc_test_host_alloc.c (the alloc hook and injected failures).
 */
#include "torc_test_host_int.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__has_include)
#if __has_include("torc_reference.h")
#include "torc_reference.h"
#define TH_HAVE_REFERENCE_H 1
#endif
#endif
#ifndef TH_HAVE_REFERENCE_H
int torc_reference_target_init(uint32_t host_abi_version,
                               const torc_host_ops *host, void *host_ctx,
                               torc_target *out, char *errbuf);
#endif

/* ---- shared helpers ---------------------------------------------------- */

void *th_xcalloc(size_t n, size_t size) {
  void *p = calloc(n == 0 ? 1 : n, size == 0 ? 1 : size);
  ck_assert_msg(p != NULL, "test host: out of memory");
  return p;
}

/* End of every driving call: returns what the host gives back by itself. */
void th_after(torc_test_host *h) {
  if (h->depth != 0)
    return;
  if (h->auto_return && h->nheld > 0)
    th_return_indications(h);
  if (h->hb_pending)
    th_return_handback(h);
}

/* ---- the virtual clock ------------------------------------------------- */

void th_advance(torc_test_host *h, uint64_t us) {
  h->now += us;
  h->t.advance_time(h->t.user_data, h->now);
  th_after(h);
}

uint64_t th_now(const torc_test_host *h) {
  return h->now;
}

int th_stats(torc_test_host *h, torc_target_stats *out) {
  if (h->t.get_stats == NULL)
    return -1;
  memset(out, 0, sizeof *out);
  out->struct_size = sizeof *out;
  return h->t.get_stats(h->t.user_data, h->conn, out);
}

/* ---- life cycle -------------------------------------------------------------
 */

const torc_target *th_target(const torc_test_host *h) {
  return &h->t;
}

void *th_conn(const torc_test_host *h) {
  return h->conn;
}

torc_test_host *th_new(void) {
  torc_test_host *h = th_xcalloc(1, sizeof *h);
  h->ev = th_xcalloc(TH_MAX_EVENTS, sizeof *h->ev);
  h->comp = th_xcalloc(TH_MAX_COMPLETIONS, sizeof *h->comp);
  h->reqs = th_xcalloc(TH_MAX_REQS, sizeof *h->reqs);
  h->order = th_xcalloc(TH_MAX_REQS, sizeof *h->order);
  h->isn = 0x1000;
  h->fin_at = UINT64_MAX;
  h->rcv_wnd = 65535;
  h->tps = 1000;
  h->dflt.status = TORC_STATUS_SUCCESS;
  h->pure = 1;
  h->ops.struct_size = sizeof h->ops;
  h->ops.alloc = th_cb_alloc;
  h->ops.free = th_cb_free;
  h->ops.log = th_cb_log;
  h->ops.initiate_offload_complete = th_cb_offload_complete;
  h->ops.receive_complete = th_cb_receive_complete;
  h->ops.receive_indicate = th_cb_receive_indicate;
  h->ops.event_indicate = th_cb_event;
  h->ops.terminate_offload_complete = th_cb_terminate_complete;
  char errbuf[TORC_ERRBUF_SIZE] = "";
  int rc = torc_reference_target_init(TORC_TARGET_ABI_VERSION, &h->ops, h,
                                      &h->t, errbuf);
  errbuf[TORC_ERRBUF_SIZE - 1] = '\0';
  ck_assert_msg(rc == 0, "torc_reference_target_init: %d (%s)", rc, errbuf);
  h->target_ok = 1;
  ck_assert_msg(h->t.conn_open != NULL && h->t.conn_close != NULL &&
                    h->t.initiate_offload != NULL && h->t.receive != NULL &&
                    h->t.receive_return != NULL && h->t.segment != NULL &&
                    h->t.advance_time != NULL &&
                    h->t.terminate_offload != NULL && h->t.destroy != NULL,
                "target table lacks an operation");
  rc = h->t.conn_open(h->t.user_data, TH_HOST_HANDLE, &h->conn);
  ck_assert_msg(rc == 0, "conn_open: %d", rc);
  h->conn_ok = 1;
  return h;
}

void th_free(torc_test_host *h) {
  if (h == NULL)
    return;
  if (h->conn_ok)
    h->t.conn_close(h->t.user_data, h->conn);
  if (h->target_ok)
    h->t.destroy(h->t.user_data);
  uint64_t live = h->live;
  const char *lb = h->label ? h->label : "";
  char label[200];
  snprintf(label, sizeof label, "%s", lb);
  th_check_invariants(h);
  /* Host-owned memory. */
  th_free_buffered(h, 0);
  for (uint32_t i = 0; i < h->nreqs; i++)
    free(h->reqs[i].buf);
  for (uint32_t i = 0; i < h->nheld; i++) {
    free((void *)(uintptr_t)h->held[i].frags);
    free(h->held[i].copy);
  }
  free(h->reqs);
  free(h->order);
  free(h->ev);
  free(h->comp);
  free(h->dlv);
  free(h->handback);
  free(h->trace);
  free(h);
  ck_assert_msg(live == 0,
                "%s%llu allocation(s) of the target outstanding after "
                "conn_close and destroy",
                label, (unsigned long long)live);
}
