/*
 * torc_hostsim_upcalls.c - the host callbacks the target calls, and their
 * table (torc_hostsim_ops).
 *
 * Where it sits: the target calls these through the table torc_hostsim_ops
 * returns; each checks its arguments before using them (the target is
 * untrusted, torc_hostsim_check.c), records a trace entry and reports rule
 * breaks as violations with their RCV ids.  Receive indications are
 * answered in torc_hostsim_indicate.c, completions checked per request in
 * torc_hostsim_requests.c, the allocation hook is torc_hostsim_alloc.c.
 */
#include "torc_hostsim_int.h"

#include <inttypes.h>
#include <string.h>
#include <sys/mman.h>

static void host_log(void *ctx, int level, const char *msg) {
  torc_hostsim *hs = ctx;
  static const char *const lv[] = {"error", "warn", "info", "debug"};
  if (!hs->log || !msg)
    return;
  fprintf(hs->log, "[%s] %.1000s\n", level >= 0 && level <= 3 ? lv[level] : "?",
          msg);
}

/* ---- Host callbacks ----------------------------------------------------- */

static void poison_buffered(torc_hostsim *hs) {
  size_t i;
  if (!hs->arena)
    return;
  mprotect(hs->arena, hs->arena_cap, PROT_READ | PROT_WRITE);
  for (i = 0; i < hs->vb->nfrags; i++)
    memset((void *)(uintptr_t)hs->bfr[i].data, POISON, hs->bfr[i].len);
  mprotect(hs->arena, hs->arena_cap, PROT_READ); /* still only to be read */
}

static void host_initiate_offload_complete(void *ctx, uint64_t handle,
                                           uint32_t status) {
  torc_hostsim *hs = ctx;
  torc_trace_entry *e;
  if (torc_hs_upcall_check(hs, handle, "initiate_offload_complete", 0) < 0)
    return;
  if (!hs->offload_called) {
    torc_hostsim_violation(hs, "RCV-015",
                           "initiate_offload_complete without an offload");
    return;
  }
  if (hs->offload_done) {
    torc_hostsim_violation(hs, "RCV-015",
                           "initiate_offload_complete called twice");
    return;
  }
  switch (status) {
  case TORC_STATUS_SUCCESS:
  case TORC_STATUS_FAILURE:
  case TORC_STATUS_RESOURCES:
  case TORC_STATUS_OFFLOAD_TCP_RCV_BUFFER:
  case TORC_STATUS_OFFLOAD_TCP_RCV_WINDOW:
    break;
  default:
    torc_hostsim_violation(
        hs, "RCV-019", "initiate offload completed with status 0x%08" PRIX32,
        status);
  }
  e = torc_hs_trace_add(hs, TORC_TR_OFFLOAD_COMPLETE);
  if (e)
    e->status = status;
  hs->offload_done = status == TORC_STATUS_SUCCESS ? 1 : 2;
  /* RCV-011: the host frees (here: poisons) BufferedData at once. */
  if (status == TORC_STATUS_SUCCESS)
    poison_buffered(hs);
}

static void host_receive_complete(void *ctx, uint64_t handle,
                                  const torc_completion *c, uint32_t count) {
  torc_hostsim *hs = ctx;
  size_t open = 0, i, n;
  int outer;
  torc_trace_entry *e;
  if (torc_hs_upcall_check(hs, handle, "receive_complete", 1) < 0)
    return;
  torc_hs_serial_check(hs, TORC_TR_COMPLETE);
  for (i = hs->oldest_open; i < hs->nreqs; i++)
    open += !hs->reqs[i].done;
  if (count == 0) {
    torc_hostsim_violation(hs, "RCV-109", "receive_complete with count 0");
    return;
  }
  if (!c) {
    torc_hostsim_violation(hs, "RCV-109", "receive_complete with a NULL array");
    return;
  }
  n = count;
  if (n > open) {
    torc_hostsim_violation(hs, "RCV-109",
                           "receive_complete with count %" PRIu32
                           " but only %zu requests are open",
                           count, open);
    n = open; /* never read beyond what the target could have filled */
  }
  e = torc_hs_trace_add(hs, TORC_TR_COMPLETE);
  (void)e;
  outer = hs->busy;
  hs->busy = TORC_TR_COMPLETE;
  for (i = 0; i < n; i++)
    torc_hs_complete_one(hs, &c[i]);
  /* The host posts from inside the completion (RCV-107). */
  if (hs->ninner) {
    size_t k, m = hs->ninner;
    hs->ninner = 0;
    for (k = 0; k < m; k++)
      torc_hs_post_now(hs, hs->inner[k]);
  }
  hs->busy = outer;
}

static void host_event_indicate(void *ctx, uint64_t handle, uint32_t event,
                                uint32_t info) {
  torc_hostsim *hs = ctx;
  torc_trace_entry *e;
  if (torc_hs_upcall_check(hs, handle, "event_indicate", 1) < 0)
    return;
  if (!torc_event_name(event))
    torc_hostsim_violation(hs, "RCV-122", "unknown event type %" PRIu32, event);
  if (event == TORC_EVENT_DISCONNECT) {
    if (hs->disconnect_seen)
      torc_hostsim_violation(hs, "RCV-255",
                             "disconnect indicated more than once (DEC-18)");
    hs->disconnect_seen = 1;
  }
  e = torc_hs_trace_add(hs, TORC_TR_EVENT);
  if (e) {
    e->event = event;
    e->info = info;
  }
}

static void host_terminate_offload_complete(void *ctx, uint64_t handle,
                                            uint32_t status,
                                            const torc_upload_state *st) {
  torc_hostsim *hs = ctx;
  torc_trace_entry *e;
  uint64_t handback = 0, before = hs->delivered;
  uint64_t h = 0xcbf29ce484222325ull;
  size_t i, first = hs->nifr;
  uint32_t nlists = 0, rcv_nxt = 0;
  if (torc_hs_upcall_check(hs, handle, "terminate_offload_complete", 0) < 0)
    return;
  if (!hs->terminate_called) {
    torc_hostsim_violation(hs, "RCV-226",
                           "terminate_offload_complete without a terminate");
    return;
  }
  if (hs->terminate_done) {
    torc_hostsim_violation(hs, "RCV-226",
                           "terminate_offload_complete called twice");
    return;
  }
  hs->terminate_done = 1;
  if (status != TORC_STATUS_SUCCESS && status != TORC_STATUS_FAILURE)
    torc_hostsim_violation(
        hs, "RCV-226", "terminate completed with status 0x%08" PRIX32, status);
  for (i = hs->oldest_open; i < hs->nreqs; i++)
    if (!hs->reqs[i].done) {
      torc_hostsim_violation(hs, "RCV-230",
                             "terminate completed while request %" PRIu64
                             " is still posted",
                             hs->reqs[i].id);
      break;
    }
  e = torc_hs_trace_add(hs, TORC_TR_TERMINATE_COMPLETE);
  if (!st) {
    torc_hostsim_violation(hs, "RCV-224",
                           "terminate completed without an upload state");
  } else if (st->struct_size < offsetof(torc_upload_state, buffered_id) +
                                   sizeof st->buffered_id) {
    torc_hostsim_violation(hs, "RCV-224",
                           "upload state struct_size %" PRIu32 " too small",
                           st->struct_size);
  } else {
    const torc_buffer_list *l;
    rcv_nxt = st->rcv_nxt;
    /* DEC-07: handed-back bytes continue the delivered stream. */
    for (l = st->buffered_data; l; l = l->next) {
      if (++nlists > MAX_HANDBACK_LISTS || (l->nfrags && !l->frags) ||
          l->nfrags > MAX_INDICATE_FRAGS) {
        torc_hostsim_violation(hs, "RCV-208",
                               "handed-back BufferedData chain is malformed");
        break;
      }
      for (i = 0; i < l->nfrags; i++) {
        const torc_fragment *f = &l->frags[i];
        if (f->len && !f->data) {
          torc_hostsim_violation(hs, "RCV-208",
                                 "handed-back fragment with NULL data");
          continue;
        }
        torc_hs_check_data(hs, f->data, f->len);
        handback += f->len;
        h = torc_hs_fnv(h, f->data, f->len);
        if (HS_GROW(hs, ifr, capifr, hs->nifr + 1) == 0)
          hs->ifr[hs->nifr++] = *f;
      }
    }
    if (st->buffered_data) {
      if (HS_GROW(hs, inds, capinds, hs->ninds + 1) == 0) {
        hs_ind *in = &hs->inds[hs->ninds++];
        in->id = st->buffered_id;
        in->first = (uint32_t)first;
        in->count = (uint32_t)(hs->nifr - first);
        in->hash = h;
        in->handback = 1;
      }
    }
    if (status == TORC_STATUS_SUCCESS &&
        (uint32_t)(rcv_nxt - hs->vb->isn) != (uint32_t)(before + handback) &&
        !(before + handback == hs->vb->fin_offset &&
          (uint32_t)(rcv_nxt - hs->vb->isn) ==
              (uint32_t)(before + handback + 1)))
      torc_hostsim_violation(
          hs, "RCV-224",
          "upload RcvNxt is stream offset %" PRIu32 " but delivered (%" PRIu64
          ") + handed back (%" PRIu64 ") bytes end at %" PRIu64 " (DEC-07)",
          (uint32_t)(rcv_nxt - hs->vb->isn), before, handback,
          before + handback);
  }
  if (e) {
    e->status = status;
    e->rcv_nxt = rcv_nxt;
    e->len = (uint32_t)handback;
    e->offset = handback ? before : TORC_NO_OFFSET;
  }
}

static const torc_host_ops host_ops = {
    sizeof(torc_host_ops),
    torc_hs_host_alloc,
    torc_hs_host_free,
    host_log,
    host_initiate_offload_complete,
    host_receive_complete,
    torc_hs_host_receive_indicate,
    host_event_indicate,
    host_terminate_offload_complete,
};

const torc_host_ops *torc_hostsim_ops(void) {
  return &host_ops;
}
