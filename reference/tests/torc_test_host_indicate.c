/*
 * torc_test_host_indicate.c - the test host's side of indications: receiving
 * them, answering them and returning the accepted ones.
 *
 * th_cb_receive_indicate checks and records an indication, answers it from
 * the queue th_answer fills (or the default answer), counts the consumed
 * bytes as delivered, keeps a copy of accepted ones until
 * th_return_indications gives them back through receive_return (RCV-133),
 * and makes the posts, segments and terminate queued for inside it.
 */
#include "torc_test_host_int.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

/* ---- indications ----------------------------------------------------------
 */

uint32_t th_cb_receive_indicate(void *ctx, uint64_t handle,
                                uint64_t indication_id, uint32_t status,
                                const torc_fragment *frags, uint32_t nfrags,
                                uint32_t *bytes_consumed) {
  torc_test_host *h = ctx;
  th_check_upcall(h, handle, "receive_indicate");
  if (h->depth > 0)
    th_violation(h, "RCV-046: receive_indicate while a completion or "
                    "indication is in progress");
  h->depth++;
  if (status != TORC_STATUS_SUCCESS)
    th_violation(h, "RCV-125: indication status 0x%x", status);
  uint64_t len = 0;
  int bad = 0;
  if (nfrags > 0 && frags == NULL)
    bad = 1;
  for (uint32_t i = 0; !bad && i < nfrags; i++) {
    if (frags[i].len > 0 && frags[i].data == NULL)
      bad = 1;
    len += frags[i].len;
  }
  if (bad || nfrags > TH_MAX_WALK_FRAGS || len > TH_MAX_WALK_BYTES) {
    th_violation(h, "indication with bad fragments");
    len = 0;
    bad = 1;
  }
  if (!bad && len == 0)
    th_violation(h, "indication of 0 bytes");
  uint8_t *copy = th_xcalloc((size_t)len + 1, 1);
  uint64_t at = 0;
  for (uint32_t i = 0; !bad && i < nfrags; i++) {
    if (frags[i].len)
      memcpy(copy + at, frags[i].data, frags[i].len);
    at += frags[i].len;
  }
  th_answer_rec a = h->dflt;
  if (h->ans_head != h->ans_tail) {
    a = h->answers[h->ans_head % TH_MAX_ANSWERS];
    h->ans_head++;
  }
  uint32_t consumed; /* counted as delivered, per DEC-02/DEC-03 */
  uint32_t written;  /* *bytes_consumed */
  if (a.status == TORC_STATUS_SUCCESS) {
    consumed = written = (uint32_t)len;
  } else if (a.status == TORC_STATUS_OFFLOAD_DATA_PARTIALLY_ACCEPTED) {
    written = a.consumed;
    consumed = a.consumed > len ? (uint32_t)len : a.consumed;
  } else {
    consumed = written = 0;
  }
  if (bytes_consumed == NULL)
    th_violation(h, "receive_indicate with bytes_consumed NULL");
  else
    *bytes_consumed = written;
  th_event *e = th_new_event(h, TH_EV_INDICATE);
  if (e != NULL) {
    e->status = status;
    e->indication_id = indication_id;
    e->length = (uint32_t)len;
    e->nfrags = nfrags;
    e->answer = a.status;
    e->consumed = consumed;
    e->stream_off = h->dlv_len;
  }
  th_dlv_append(h, copy, consumed);
  if (a.status == TORC_STATUS_SUCCESS && !bad) {
    for (uint32_t i = 0; i < h->nheld; i++)
      if (h->held[i].id == indication_id)
        th_violation(h, "indication id %llu reused before its return",
                     (unsigned long long)indication_id);
    if (h->nheld >= TH_MAX_INDICATIONS) {
      th_violation(h, "too many unreturned indications");
      free(copy);
    } else {
      th_held_ind *hi = &h->held[h->nheld++];
      torc_fragment *fc = th_xcalloc(nfrags, sizeof *fc);
      if (nfrags)
        memcpy(fc, frags, sizeof *fc * nfrags);
      hi->id = indication_id;
      hi->frags = fc;
      hi->nfrags = nfrags;
      hi->copy = copy;
      hi->len = (uint32_t)len;
    }
  } else {
    free(copy);
  }
  if (h->nin_ind > 0) {
    uint32_t idx[TH_MAX_PENDING_POSTS];
    uint32_t n = h->nin_ind;
    memcpy(idx, h->in_ind, sizeof idx[0] * n);
    h->nin_ind = 0;
    th_do_post(h, idx, n);
  }
  if (h->nseg_ind > 0)
    th_send_queued(h, h->seg_ind, &h->nseg_ind);
  if (h->terminate_in_ind) {
    h->terminate_in_ind = 0;
    h->t.terminate_offload(h->t.user_data, h->conn);
  }
  h->depth--;
  return a.status;
}

void th_answer(torc_test_host *h, uint32_t status, uint32_t consumed) {
  ck_assert_msg(h->ans_tail - h->ans_head < TH_MAX_ANSWERS,
                "too many queued answers");
  h->answers[h->ans_tail % TH_MAX_ANSWERS] =
      (th_answer_rec){.status = status, .consumed = consumed};
  h->ans_tail++;
}

void th_set_default_answer(torc_test_host *h, uint32_t status,
                           uint32_t consumed) {
  h->dflt.status = status;
  h->dflt.consumed = consumed;
}

uint32_t th_return_indications(torc_test_host *h) {
  uint32_t n = h->nheld;
  if (n == 0)
    return 0;
  uint64_t *ids = th_xcalloc(n, sizeof *ids);
  for (uint32_t i = 0; i < n; i++) {
    th_held_ind *hi = &h->held[i];
    uint64_t at = 0;
    for (uint32_t f = 0; f < hi->nfrags; f++) {
      if (hi->frags[f].len &&
          memcmp(hi->frags[f].data, hi->copy + at, hi->frags[f].len) != 0) {
        th_violation(h,
                     "RCV-133: bytes of indication %llu changed before "
                     "receive_return",
                     (unsigned long long)hi->id);
        break;
      }
      at += hi->frags[f].len;
    }
    ids[i] = hi->id;
    free((void *)(uintptr_t)hi->frags);
    free(hi->copy);
  }
  h->nheld = 0;
  h->t.receive_return(h->t.user_data, h->conn, ids, n);
  free(ids);
  return n;
}

uint32_t th_outstanding_indications(const torc_test_host *h) {
  return h->nheld;
}

void th_set_auto_return(torc_test_host *h, int on) {
  h->auto_return = on;
}
