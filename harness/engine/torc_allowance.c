/*
 * torc_allowance.c - the allowances of docs/DECISIONS.md as normalizations
 * of atom lists, and the comparison of atom lists.
 *
 * torc_judge.c flattens the expected and the actual trace into atoms and
 * calls here: where the lists first differ, and the smallest set of the
 * vector's allowances under which they are equal (each allowance drops or
 * rewrites the atoms its decision leaves open, on both lists alike, so a
 * target that takes the alternative a decision calls defensible PASSes
 * NONSTRICT with the allowance named).
 */
#include "torc_allowance.h"

#include <stdlib.h>
#include <string.h>

static int atom_eq(const atom *x, const atom *y) {
  if (x->kind != y->kind || x->callstart != y->callstart)
    return 0;
  /* DEC-22: the offload may complete in the call or at a later operation;
   * its timing is not compared (RCV-027 covers upcalls made before it). */
  if (x->kind != TORC_TR_OFFLOAD_COMPLETE && x->at != y->at)
    return 0;
  switch (x->kind) {
  case TORC_TR_OFFLOAD_COMPLETE:
    return x->status == y->status;
  case TORC_TR_COMPLETE:
    return x->id == y->id && x->status == y->status && x->bytes == y->bytes;
  case TORC_TR_INDICATE:
    return x->bytes == y->bytes && x->status == y->status &&
           x->consumed == y->consumed;
  case TORC_TR_EVENT:
    return x->event == y->event && x->info == y->info;
  case TORC_TR_TERMINATE_COMPLETE:
    return x->status == y->status && x->rcv_nxt == y->rcv_nxt &&
           x->bytes == y->bytes;
  default:
    return 0;
  }
}

/* First index where the (non-dropped) atom lists differ; sets *ia, *ib to
 * the positions in a and b.  Returns 1 if they differ, 0 if equal. */
int torcint_atoms_first_diff(const atoms *a, const atoms *b, size_t *ia,
                             size_t *ib) {
  size_t i = 0, j = 0;
  for (;;) {
    while (i < a->n && a->a[i].dropped)
      i++;
    while (j < b->n && b->a[j].dropped)
      j++;
    *ia = i;
    *ib = j;
    if (i >= a->n || j >= b->n)
      return !(i >= a->n && j >= b->n);
    if (!atom_eq(&a->a[i], &b->a[j]))
      return 1;
    i++, j++;
  }
}

static int is_terminate_event(const torc_vector_body *vb, uint32_t at) {
  return at < vb->nevents && vb->events[at].op == TORC_OP_TERMINATE;
}

/* Index of the first frame event whose segment carries flag, or UINT32_MAX. */
static uint32_t first_frame_with(const torc_vector_body *vb, uint8_t flag) {
  size_t i;
  for (i = 0; i < vb->nevents; i++)
    if (vb->events[i].op == TORC_OP_FRAME) {
      torc_frame f;
      torc_vector_frame_info(vb, &vb->events[i], &f);
      if (f.flags & flag)
        return (uint32_t)i;
    }
  return UINT32_MAX;
}

/* The post event of request id, or NULL. */
const torc_event *torcint_post_of(const torc_vector_body *vb, uint64_t id) {
  size_t i;
  for (i = 0; i < vb->nevents; i++)
    if ((vb->events[i].op == TORC_OP_POST ||
         vb->events[i].op == TORC_OP_POST_IN_COMPLETION ||
         vb->events[i].op == TORC_OP_POST_IN_INDICATION) &&
        vb->events[i].req_id == id)
      return &vb->events[i];
  return NULL;
}

/* DEC-26 (RCV-215, RCV-222): a terminate may complete at a later operation.
 * Its completion, and the request completions that precede it (RCV-230), are
 * moved back to the terminate event; every other upcall keeps its place, so
 * a frame processed between the terminate and its completion (an
 * indication, a completion with more bytes, a later RcvNxt) still differs. */
static int norm_terminate_async(const torc_vector_body *vb, atoms *l) {
  size_t i, j;
  int changed = 0;
  for (i = 0; i < l->n; i++) {
    atom *x = &l->a[i];
    uint32_t t;
    if (x->dropped || x->kind != TORC_TR_TERMINATE_COMPLETE ||
        is_terminate_event(vb, x->at))
      continue;
    for (t = x->at; t > 0 && !is_terminate_event(vb, t - 1); t--)
      ;
    if (t == 0)
      continue; /* no terminate before it: left for the judge to fail */
    t--;
    for (j = 0; j <= i; j++) {
      atom *y = &l->a[j];
      if (!y->dropped && y->at > t && y->at <= x->at &&
          (y->kind == TORC_TR_COMPLETE ||
           y->kind == TORC_TR_TERMINATE_COMPLETE)) {
        y->at = t;
        changed = 1;
      }
    }
  }
  return changed;
}

/* Index of the first event of kind op at or after from, or UINT32_MAX. */
static uint32_t first_op_from(const torc_vector_body *vb, int op,
                              uint32_t from) {
  size_t i;
  for (i = from; i < vb->nevents; i++)
    if ((int)vb->events[i].op == op)
      return (uint32_t)i;
  return UINT32_MAX;
}

/* Applies allowance bit k to a list; returns 1 if it changed anything. */
int torcint_allow_normalize(const torc_vector_body *vb, unsigned k, atoms *l) {
  size_t i;
  int changed = 0;
  uint32_t retrieve_at = UINT32_MAX, fail_at = UINT32_MAX;
  if ((1u << k) == TORC_ALLOW_TERMINATE_ASYNC)
    return norm_terminate_async(vb, l);
  if ((1u << k) == TORC_ALLOW_UPLOAD_WANTED_POSTS)
    for (i = 0; i < l->n && retrieve_at == UINT32_MAX; i++)
      if (!l->a[i].dropped && l->a[i].kind == TORC_TR_EVENT &&
          l->a[i].event == TORC_EVENT_RETRIEVE)
        retrieve_at = l->a[i].at;
  if ((1u << k) == TORC_ALLOW_RESOURCE_NO_RETRIEVE) {
    /* The first event whose allocations fail, other than the offload. */
    uint32_t f = first_op_from(vb, TORC_OP_FAIL_ALLOC, 0);
    while (f != UINT32_MAX && f + 1 < vb->nevents &&
           vb->events[f + 1].op == TORC_OP_OFFLOAD)
      f = first_op_from(vb, TORC_OP_FAIL_ALLOC, f + 1);
    if (f != UINT32_MAX)
      fail_at = f + 1;
  }
  for (i = 0; i < l->n; i++) {
    atom *x = &l->a[i];
    if (x->dropped)
      continue;
    switch (1u << k) {
    case TORC_ALLOW_COMPLETION_BATCHING: /* DEC-19 */
      if (x->kind == TORC_TR_COMPLETE && x->callstart) {
        x->callstart = 0;
        changed = 1;
      }
      break;
    case TORC_ALLOW_OFFLOAD_FAIL_STATUS: /* DEC-05 */
      if (x->kind == TORC_TR_OFFLOAD_COMPLETE &&
          (x->status == TORC_STATUS_RESOURCES ||
           x->status == TORC_STATUS_OFFLOAD_TCP_RCV_BUFFER)) {
        x->status = TORC_STATUS_FAILURE;
        changed = 1;
      }
      break;
    case TORC_ALLOW_UPLOAD_REQUEST_STATUS: /* DEC-06 */
      if (x->kind == TORC_TR_COMPLETE && is_terminate_event(vb, x->at)) {
        if (x->status == TORC_STATUS_REQUEST_ABORTED && x->bytes == 0) {
          x->status = TORC_STATUS_UPLOAD_IN_PROGRESS;
          changed = 1;
        } else if (x->status == TORC_STATUS_UPLOAD_IN_PROGRESS &&
                   x->bytes > 0) {
          x->status = TORC_STATUS_SUCCESS;
          changed = 1;
        }
      }
      break;
    case TORC_ALLOW_UPLOAD_DELIVER: /* DEC-07: compare data in total only */
      if (!is_terminate_event(vb, x->at))
        break;
      if (x->kind == TORC_TR_INDICATE) {
        x->dropped = 1;
        changed = 1;
      } else if (x->kind == TORC_TR_COMPLETE &&
                 (x->bytes || x->status != TORC_STATUS_UPLOAD_IN_PROGRESS)) {
        x->bytes = 0;
        x->status = TORC_STATUS_UPLOAD_IN_PROGRESS;
        changed = 1;
      } else if (x->kind == TORC_TR_TERMINATE_COMPLETE && x->bytes) {
        x->bytes = 0;
        changed = 1;
      }
      break;
    case TORC_ALLOW_INDICATION_SIZE: /* DEC-21: merge accepted runs */
      if (x->kind == TORC_TR_INDICATE && x->status == TORC_STATUS_SUCCESS) {
        size_t j = i + 1;
        while (j < l->n && l->a[j].dropped)
          j++;
        if (j < l->n && l->a[j].kind == TORC_TR_INDICATE &&
            l->a[j].at == x->at && l->a[j].status == TORC_STATUS_SUCCESS) {
          l->a[j].bytes += x->bytes;
          l->a[j].consumed += x->consumed;
          x->dropped = 1;
          changed = 1;
        }
      }
      break;
    case TORC_ALLOW_RST_REQUESTS_PENDING: {
      /* DEC-04: requests aborted at the RST, or left pending and completed
       * at the terminate: either completion is not compared (the bytes
       * are, always). */
      uint32_t rst = first_frame_with(vb, TORC_TCP_RST);
      if (x->kind == TORC_TR_COMPLETE && rst != UINT32_MAX &&
          ((x->at == rst && x->status == TORC_STATUS_REQUEST_ABORTED) ||
           (x->at > rst && is_terminate_event(vb, x->at)))) {
        x->dropped = 1;
        changed = 1;
      }
      break;
    }
    case TORC_ALLOW_UPLOAD_WANTED_POSTS: {
      /* DEC-24 (RCV-236 is a SHOULD): a request posted after a mandatory
       * TcpIndicateRetrieve may be completed at once or left for the
       * terminate, with UPLOAD_IN_PROGRESS or REQUEST_ABORTED and no bytes:
       * when is not compared. */
      const torc_event *pe;
      if (x->kind == TORC_TR_COMPLETE && retrieve_at != UINT32_MAX &&
          x->bytes == 0 &&
          (x->status == TORC_STATUS_UPLOAD_IN_PROGRESS ||
           x->status == TORC_STATUS_REQUEST_ABORTED) &&
          (pe = torcint_post_of(vb, x->id)) != NULL &&
          (uint32_t)(pe - vb->events) > retrieve_at) {
        x->dropped = 1;
        changed = 1;
      }
      break;
    }
    case TORC_ALLOW_RESOURCE_NO_RETRIEVE:
      /* DEC-25 (RCV-237 is a SHOULD): a target that does not ask for an
       * upload after an allocation failure keeps processing, and what it
       * does from the event whose allocations failed on is not compared
       * (the host's data checks still apply). */
      if (fail_at != UINT32_MAX && x->at >= fail_at) {
        x->dropped = 1;
        changed = 1;
      }
      break;
    default:
      break;
    }
  }
  return changed;
}

int torcint_atoms_copy(const atoms *src, atoms *dst) {
  dst->a = malloc((src->n ? src->n : 1) * sizeof *dst->a);
  if (!dst->a)
    return -1;
  if (src->n)
    memcpy(dst->a, src->a, src->n * sizeof *dst->a);
  dst->n = src->n;
  return 0;
}

/* Equal after applying the allowances in mask (in bit order)? */
static int equal_under(const torc_vector_body *vb, const atoms *e,
                       const atoms *a, uint32_t mask, uint32_t *changed) {
  atoms ce, ca;
  size_t i, j;
  unsigned k;
  int eq;
  if (torcint_atoms_copy(e, &ce) < 0)
    return 0;
  if (torcint_atoms_copy(a, &ca) < 0) {
    free(ce.a);
    return 0;
  }
  *changed = 0;
  for (k = 0; k < TORC_ALLOW_COUNT; k++)
    if (mask & (1u << k)) {
      int c1 = torcint_allow_normalize(vb, k, &ce);
      int c2 = torcint_allow_normalize(vb, k, &ca);
      if (c1 || c2)
        *changed |= 1u << k;
    }
  eq = !torcint_atoms_first_diff(&ce, &ca, &i, &j);
  free(ce.a);
  free(ca.a);
  return eq;
}

/* Allowances rewrite traces and do not commute (upload-deliver rewrites a
 * completion that fin-nonpush-complete would drop), so no fixed order of the
 * vector's whole set is right.  Tries every subset of the vector's
 * allowances, smallest first, and returns 1 with the first subset under which
 * the traces are equal (only the allowances that changed something), or 0.
 * At most 2^TORC_ALLOW_COUNT tries, and only when the traces differ. */
int torcint_allow_smallest_set(const torc_vector_body *vb, const atoms *e,
                               const atoms *a, uint32_t *needed) {
  uint32_t all = vb->allowances & ((1u << TORC_ALLOW_COUNT) - 1);
  int bits;
  for (bits = 1; bits <= TORC_ALLOW_COUNT; bits++) {
    uint32_t sub;
    for (sub = all; sub != 0; sub = (sub - 1) & all) {
      uint32_t changed;
      if (__builtin_popcount(sub) != bits)
        continue;
      if (equal_under(vb, e, a, sub, &changed) && changed == sub) {
        *needed = sub;
        return 1;
      }
    }
  }
  return 0;
}
