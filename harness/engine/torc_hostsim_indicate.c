/*
 * torc_hostsim_indicate.c - the host's answers to receive indications and
 * the return of what it accepted.
 *
 * Where it sits: the target calls receive_indicate (through the callbacks
 * table of torc_hostsim_upcalls.c); the host answers from the vector's
 * queue of answers, then its default (DEC-02), checks the delivered bytes
 * and keeps a fingerprint of what it accepted.  torc_hostsim_return_all
 * (the script's return event) re-checks those bytes, and those of upload
 * handbacks, before handing them back (RCV-133, RCV-212).
 */
#include "torc_hostsim_int.h"

#include <inttypes.h>
#include <string.h>

uint32_t torc_hs_host_receive_indicate(void *ctx, uint64_t handle,
                                       uint64_t indication_id, uint32_t status,
                                       const torc_fragment *frags,
                                       uint32_t nfrags,
                                       uint32_t *bytes_consumed) {
  torc_hostsim *hs = ctx;
  const torc_vector_body *vb = hs->vb;
  const torc_answer *ans;
  torc_answer refuse = {TORC_STATUS_OFFLOAD_DATA_NOT_ACCEPTED, 0};
  uint64_t total = 0, h = 0xcbf29ce484222325ull;
  uint32_t consumed, left, i, nind;
  torc_trace_entry *e;
  size_t k;
  int outer;
  if (torc_hs_upcall_check(hs, handle, "receive_indicate", 1) < 0)
    return TORC_STATUS_OFFLOAD_DATA_NOT_ACCEPTED;
  torc_hs_serial_check(hs, TORC_TR_INDICATE);
  if (status != TORC_STATUS_SUCCESS)
    torc_hostsim_violation(
        hs, "RCV-125",
        "indication with status 0x%08" PRIX32 " (must be SUCCESS)", status);
  if (nfrags == 0 || !frags || nfrags > MAX_INDICATE_FRAGS) {
    torc_hostsim_violation(hs, "RCV-123",
                           "indication with %" PRIu32 " fragments%s", nfrags,
                           frags ? "" : " (NULL array)");
    return TORC_STATUS_OFFLOAD_DATA_NOT_ACCEPTED;
  }
  for (i = 0; i < nfrags; i++) {
    if (frags[i].len && !frags[i].data) {
      torc_hostsim_violation(
          hs, "RCV-123",
          "indication fragment %" PRIu32 " has a NULL data pointer", i);
      return TORC_STATUS_OFFLOAD_DATA_NOT_ACCEPTED;
    }
    total += frags[i].len;
  }
  if (total == 0 || total > UINT32_MAX) {
    torc_hostsim_violation(hs, "RCV-123", "indication of %" PRIu64 " bytes",
                           total);
    return TORC_STATUS_OFFLOAD_DATA_NOT_ACCEPTED;
  }
  for (i = hs->oldest_open; i < hs->nreqs; i++)
    if (!hs->reqs[i].done) {
      torc_hostsim_violation(hs, "RCV-143",
                             "indication while posted request %" PRIu64
                             " is not completed",
                             hs->reqs[i].id);
      torc_hostsim_violation(hs, "RCV-052",
                             "data indicated instead of placed into a "
                             "posted request");
      break;
    }
  if (!hs->ever_posted && hs->delivered < vb->buffered_len)
    torc_hostsim_violation(hs, "RCV-035",
                           "BufferedData indicated before any request was "
                           "posted");
  if (hs->refused)
    torc_hostsim_violation(hs, "RCV-142",
                           "data indicated again after a refusal, before a "
                           "request was posted");
  /* The host's answer: the vector's queue, then its default (DEC-02). */
  nind = hs->nindications++;
  ans = nind < vb->nanswers ? &vb->answers[nind] : &vb->default_answer;
  if (!bytes_consumed &&
      ans->status == TORC_STATUS_OFFLOAD_DATA_PARTIALLY_ACCEPTED) {
    torc_hostsim_violation(hs, "RCV-139",
                           "indication without a BytesConsumed pointer");
    ans = &refuse;
  }
  if (ans->status == TORC_STATUS_SUCCESS)
    consumed = (uint32_t)total;
  else if (ans->status == TORC_STATUS_OFFLOAD_DATA_PARTIALLY_ACCEPTED)
    consumed = ans->consumed < total ? ans->consumed : (uint32_t)total;
  else
    consumed = 0;
  e = torc_hs_trace_add(hs, TORC_TR_INDICATE);
  if (e) {
    e->offset = hs->delivered;
    e->len = (uint32_t)total;
    e->status = ans->status;
    e->consumed = consumed;
  }
  outer = hs->busy;
  hs->busy = TORC_TR_INDICATE;
  left = consumed;
  for (i = 0; i < nfrags && left; i++) {
    uint32_t take = frags[i].len < left ? frags[i].len : left;
    torc_hs_check_data(hs, frags[i].data, take);
    left -= take;
  }
  if (ans->status == TORC_STATUS_SUCCESS) {
    /* RCV-133: the bytes stay valid and unchanged until returned. */
    hs_ind *in;
    for (k = 0; k < hs->ninds; k++)
      if (hs->inds[k].id == indication_id && !hs->inds[k].handback)
        torc_hostsim_violation(hs, "RCV-133",
                               "indication id %" PRIu64
                               " reused before it was returned",
                               indication_id);
    if (HS_GROW(hs, inds, capinds, hs->ninds + 1) == 0 &&
        HS_GROW(hs, ifr, capifr, hs->nifr + nfrags) == 0) {
      in = &hs->inds[hs->ninds++];
      in->id = indication_id;
      in->first = (uint32_t)hs->nifr;
      in->count = nfrags;
      in->handback = 0;
      in->nth = ++hs->naccepted;
      for (i = 0; i < nfrags; i++) {
        hs->ifr[hs->nifr++] = frags[i];
        h = torc_hs_fnv(h, frags[i].data, frags[i].len);
      }
      in->hash = h;
    }
  } else {
    hs->refused = 1;
  }
  /* The host posts from inside the indication, before it answers. */
  if (hs->ninner_ind) {
    size_t m = hs->ninner_ind;
    hs->ninner_ind = 0;
    for (k = 0; k < m; k++)
      torc_hs_post_now(hs, hs->inner_ind[k]);
  }
  if (bytes_consumed)
    *bytes_consumed = consumed;
  hs->busy = outer;
  return ans->status;
}

/* Re-checks the bytes of the outstanding entry in (RCV-133/RCV-212). */
static void check_unchanged(torc_hostsim *hs, const hs_ind *in) {
  uint64_t h = 0xcbf29ce484222325ull;
  uint32_t k;
  for (k = 0; k < in->count; k++)
    h = torc_hs_fnv(h, hs->ifr[in->first + k].data, hs->ifr[in->first + k].len);
  if (h != in->hash)
    torc_hostsim_violation(
        hs, in->handback ? "RCV-212" : "RCV-133",
        "%s %" PRIu64 ": bytes changed before the host returned them",
        in->handback ? "handed-back data" : "indication", in->id);
}

void torc_hostsim_return_one(torc_hostsim *hs, uint32_t nth) {
  size_t i;
  uint64_t id;
  for (i = 0; i < hs->ninds; i++)
    if (!hs->inds[i].handback && hs->inds[i].nth == nth)
      break;
  if (i == hs->ninds)
    return; /* not accepted (yet), or already returned */
  check_unchanged(hs, &hs->inds[i]);
  id = hs->inds[i].id;
  memmove(&hs->inds[i], &hs->inds[i + 1],
          (hs->ninds - i - 1) * sizeof *hs->inds);
  if (--hs->ninds == 0)
    hs->nifr = 0;
  torc_call_receive_return(hs->cs, hs->conn, &id, 1);
}

void torc_hostsim_return_all(torc_hostsim *hs) {
  size_t i, n = hs->ninds;
  if (n == 0)
    return;
  if (HS_GROW(hs, ret_ids, capret, n) < 0)
    return;
  for (i = 0; i < n; i++) {
    check_unchanged(hs, &hs->inds[i]);
    hs->ret_ids[i] = hs->inds[i].id;
  }
  hs->ninds = 0;
  hs->nifr = 0;
  torc_call_receive_return(hs->cs, hs->conn, hs->ret_ids, (uint32_t)n);
}
