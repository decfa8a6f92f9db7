/*
 * torc_input.c - the wire side of an offloaded connection.
 *
 * segment() in torc_reference.c lands here.  The order follows RFC 9293
 * §3.10.7.4: check the sequence number against the window, then RST, then
 * SYN, then URG, then the text and the FIN.  Data that starts at RcvNxt is
 * accepted at once (RcvNxt advances) and handed to the delivery algorithm
 * (torc_deliver.c) as an in-sequence segment, flowchart 1 entry 2; data
 * beyond a gap waits in the out-of-order queue (torc_reasm.c) until the gap
 * fills.  A segment the reference cannot hold for lack of memory is dropped
 * as if never received (RcvNxt does not move), and the reference asks the
 * host for an upload (DEC-25, RCV-237).
 *
 * Each branch of this path notes a wire decision, W1..W24, in the because
 * of the next host call (torc_why.h; once per call, like a rule), so that
 * coverage-guided vector selection (`torc vectorize --select`) can ask for
 * every branch as it asks for every flowchart outcome:
 *   W1  fast path: plain in-sequence data straight into a non-push request
 *   W2  not processed: before the offload, terminating or aborted (RCV-215)
 *   W3  dropped: urgent data was seen (DEC-08)
 *   W4  dropped: an upload was asked for after an allocation failure
 *   W5  unacceptable RST (RCV-301)      W6  unacceptable, beyond the window
 *   W7  unacceptable, wholly before RcvNxt (a retransmission)
 *   W8  RST at RcvNxt (RCV-303)         W9  RST elsewhere in the window
 *   W10 SYN at RcvNxt (DEC-27)          W11 SYN elsewhere (RCV-302)
 *   W12 URG: upload requested (DEC-08)
 *   W13 the part before RcvNxt trimmed  W14 cut at the window's right edge
 *   W15 cut at a known FIN              W16 a FIN not taken (old, beyond
 *                                           the window, a second FIN, past)
 *   W17 in-sequence data accepted       W18 in-sequence data cut where
 *                                           queued out-of-order data starts
 *   W19 beyond a gap: queued            W20 beyond a gap: all duplicate
 *   W21 a FIN fixes the stream's end    W22 queued data made in-sequence
 *   W23 the FIN reached (RcvNxt past it) W24 no memory: upload (DEC-25)
 */
#include "torc_input.h"

#include <string.h>

#include "torc_deliver.h"
#include "torc_seq.h"
#include "torc_why.h"

/* RFC 9293 §3.10.7.4 acceptability test for a segment occupying seglen
 * sequence numbers from seq, against [rcv_nxt, rcv_nxt + wnd).  The RFC's
 * test looks at the first and the last byte only; a segment that starts
 * before the window and ends beyond it (a large retransmission) fails both
 * although its middle is new.  Like every deployed stack, the reference
 * takes any segment that overlaps the window, and trimming then keeps only
 * the new part ("only the new parts are processed"). */
static int acceptable(uint32_t rcv_nxt, uint32_t wnd, uint32_t seq,
                      uint32_t seglen) {
  uint32_t edge = TORC_SEQ_ADD(rcv_nxt, wnd);
  if (seglen == 0) {
    if (wnd == 0)
      return seq == rcv_nxt;
    return TORC_SEQ_IN(seq, rcv_nxt, edge);
  }
  if (wnd == 0)
    return 0;
  /* [seq, seq + seglen) and [rcv_nxt, edge) intersect. */
  return TORC_SEQ_LT(seq, edge) &&
         TORC_SEQ_GT(TORC_SEQ_ADD(seq, seglen), rcv_nxt);
}

/* Accepts len in-sequence bytes at RcvNxt.  Returns 0, or -1 when they
 * could not be held (nothing changed). */
static int accept_in_sequence(torc_conn *c, const uint8_t *data, uint32_t len,
                              uint8_t flags, int *queued) {
  const torc_mem *mem = &c->ref->mem;
  int psh = (flags & (TORC_TCP_PSH | TORC_TCP_FIN)) != 0;
  flags &= TORC_TCP_PSH | TORC_TCP_FIN;
  /* Out-of-order data this segment makes contiguous arrives with it. */
  int joins =
      c->ooo.head != NULL && TORC_SEQ_ADD(c->ooo.head->seq, c->ooo.head->off) ==
                                 TORC_SEQ_ADD(c->rcv_nxt, len);
  *queued = 0;
  if (!joins && !c->in_progress && c->pending.head == NULL && !c->pending_fin &&
      c->held.bytes == 0 && c->reqs.count > 0 && c->nrejected == 0) {
    /* D3 = No, D4 = Yes and nothing held: the requests take the bytes
     * straight from the segment.  What they cannot take is held, so its
     * memory is claimed before anything is placed. */
    uint64_t room = torcint_deliver_room(c, len);
    torc_chunk *rem = NULL;
    if (room < len) {
      rem = torcint_chunk_new(mem, c->rcv_nxt, (uint32_t)(len - room), flags);
      if (rem == NULL)
        return -1;
      rem->seq = TORC_SEQ_ADD(c->rcv_nxt, (uint32_t)room);
    }
    c->rcv_nxt = TORC_SEQ_ADD(c->rcv_nxt, len);
    torcint_deliver_direct(c, data, len, rem, psh);
    return 0;
  }
  /* D3 = Yes (queue the segment, RCV-068) or data must line up behind held
   * data: copy it into a chunk that entry 2 will process. */
  torc_chunk *ch = torcint_chunk_new(mem, c->rcv_nxt, len, flags);
  if (ch == NULL)
    return -1;
  memcpy(ch->data, data, len);
  c->rcv_nxt = TORC_SEQ_ADD(c->rcv_nxt, len);
  torcint_held_append(mem, &c->pending, ch);
  torcint_conn_update_window(c);
  *queued = 1;
  return 0;
}

/* Counts a segment that was wholly unacceptable. */
static void count_unacceptable(torc_conn *c, uint32_t seq, uint32_t seglen,
                               uint8_t flags) {
  if (seglen > 0 && !(flags & TORC_TCP_RST) &&
      TORC_SEQ_LEQ(TORC_SEQ_ADD(seq, seglen), c->rcv_nxt))
    c->ctr.pub.dropped_duplicate++; /* wholly old: a retransmission */
  else
    c->ctr.pub.dropped_out_of_window++; /* RCV-301 for an RST */
}

/* The common case in one step: an in-sequence segment of plain data (ACK,
 * maybe PSH) that fits inside the head request, which is in non-push mode,
 * with nothing held, queued, pending or timed.  The general path would go
 * E2 -> D3 No -> D4 Yes -> P1 (bytes straight into the request) -> no request
 * filled -> D8 Yes -> D9 Yes -> D10 No -> exit, with the window's right edge
 * recomputed (DEC-15); this does exactly that.  Returns 1 when it took the
 * segment. */
static int fast_path(torc_conn *c, const torc_segment *seg) {
  if (c->state != TORC_CONN_OFFLOADED || c->in_progress || c->reqs.count == 0 ||
      c->held.bytes != 0 || c->pending.head != NULL || c->ooo.head != NULL ||
      c->timer_running || c->fin_known || c->urgent || c->upload_wanted ||
      c->pending_fin || c->pending_abort || c->pending_terminate ||
      c->pending_retrieve || c->reqs_new || c->nrejected != 0 ||
      (seg->flags & ~(TORC_TCP_ACK | TORC_TCP_PSH)) || seg->seq != c->rcv_nxt ||
      seg->payload_len == 0 || seg->payload == NULL ||
      seg->payload_len > torcint_conn_rcv_wnd(c))
    return 0;
  torc_req *q = torcint_reqq_at(&c->reqs, 0);
  if (q->r.push || torcint_req_room(q) <= seg->payload_len)
    return 0;
  TORC_WHY(c, "W1");
  memcpy(q->r.buf + q->r.prefilled + q->placed, seg->payload, seg->payload_len);
  q->placed += seg->payload_len;
  c->rcv_nxt = TORC_SEQ_ADD(c->rcv_nxt, seg->payload_len);
  torcint_conn_update_window(c);
  return 1;
}

void torcint_input_segment(torc_conn *c, const torc_segment *seg) {
  const torc_mem *mem = &c->ref->mem;
  c->ctr.pub.segments_in++;
  if (fast_path(c, seg))
    return;
  /* After terminate started, after an abort, and before the offload,
   * segments are not processed (RCV-215, RCV-027). */
  if (c->state != TORC_CONN_OFFLOADED || c->pending_terminate ||
      c->pending_abort) {
    TORC_WHY(c, "W2");
    c->ctr.priv.dropped_not_open++;
    return;
  }
  uint8_t flags = seg->flags;
  uint32_t len = seg->payload_len;
  const uint8_t *data = seg->payload;
  if (len > 0 && data == NULL) {
    c->ctr.priv.dropped_not_open++; /* malformed descriptor */
    return;
  }
  if (c->urgent) {
    /* DEC-08, RCV-284, RCV-285: nothing at or after urgent data is taken. */
    TORC_WHY(c, "W3");
    c->ctr.priv.dropped_urgent++;
    return;
  }
  if (c->upload_wanted) {
    /* DEC-25, RCV-242: after an allocation failure asked for an upload, the
     * connection is not processed any more. */
    TORC_WHY(c, "W4");
    c->ctr.priv.dropped_upload_wanted++;
    return;
  }
  uint32_t seq = seg->seq;
  int fin = (flags & TORC_TCP_FIN) != 0;
  uint32_t seglen = len + (fin ? 1u : 0u);
  uint32_t wnd = torcint_conn_rcv_wnd(c);

  /* First: is the segment acceptable (RFC 9293 §3.10.7.4, DEC-15)? */
  if (!acceptable(c->rcv_nxt, wnd, seq, seglen)) {
    if (flags & TORC_TCP_RST)
      TORC_WHY(c, "W5", "RCV-301"); /* dropped, not acted on (DEC-04) */
    else if (!TORC_SEQ_LEQ(TORC_SEQ_ADD(seq, seglen), c->rcv_nxt)) {
      /* beyond the window, not a retransmission */
      TORC_WHY(c, "W6", "RCV-167");
      c->window_cut = 1;
    } else
      TORC_WHY(c, "W7");
    count_unacceptable(c, seq, seglen, flags);
    return;
  }
  /* Second: RST.  Acceptable only exactly at RcvNxt (RCV-303, DEC-04);
   * elsewhere in the window it earns a challenge ACK (RCV-304). */
  if (flags & TORC_TCP_RST) {
    if (seq == c->rcv_nxt) {
      TORC_WHY(c, "W8", "RCV-303");
      c->pending_abort = 1;
      torcint_deliver_pump(c);
    } else {
      TORC_WHY(c, "W9", "DEC-04"); /* challenged (RCV-304), not acted on */
      c->ctr.priv.rst_challenged++;
    }
    return;
  }
  /* Third: SYN.  At RcvNxt the connection goes back to the host, closed
   * (RCV-295, RCV-305, DEC-27); elsewhere it only earns a challenge ACK
   * (RCV-302) and changes nothing here. */
  if (flags & TORC_TCP_SYN) {
    c->ctr.priv.dropped_syn++;
    if (seq == c->rcv_nxt) {
      TORC_WHY(c, "W10", "RCV-295", "RCV-305", "DEC-27");
      torcint_conn_want_upload(c, TORC_UPLOAD_INVALID_STATE);
      torcint_reasm_clear(&c->ooo, mem);
      torcint_deliver_pump(c);
    } else {
      TORC_WHY(c, "W11", "RCV-302");
    }
    return;
  }
  /* URG (DEC-08): ask for an upload and stop taking data here. */
  if (flags & TORC_TCP_URG) {
    c->urgent = 1;
    TORC_WHY(c, "W12", "RCV-281", "RCV-285");
    torcint_conn_want_upload(c, TORC_UPLOAD_RECEIVED_URGENT_DATA);
    c->ctr.priv.dropped_urgent++;
    torcint_reasm_clear(&c->ooo, mem);
    torcint_deliver_pump(c);
    return;
  }

  /* The text: trim what lies before RcvNxt (old) and beyond the right edge
   * of the window or beyond a known FIN (DEC-18). */
  uint32_t fin_pos = TORC_SEQ_ADD(seq, len);
  if (TORC_SEQ_LT(seq, c->rcv_nxt)) {
    uint32_t old = TORC_SEQ_SUB(c->rcv_nxt, seq);
    uint32_t cut = old < len ? old : len;
    TORC_WHY(c, "W13");
    data += cut;
    len -= cut;
    seq = TORC_SEQ_ADD(seq, cut);
    c->ctr.pub.bytes_trimmed += cut;
    if (fin && TORC_SEQ_LT(fin_pos, c->rcv_nxt)) {
      TORC_WHY(c, "W16");
      fin = 0; /* an old FIN */
    }
  }
  uint32_t limit = c->right_edge;
  if (c->fin_known && TORC_SEQ_LT(c->fin_seq, limit))
    limit = c->fin_seq;
  if (len > 0 && TORC_SEQ_GT(TORC_SEQ_ADD(seq, len), limit)) {
    uint32_t keep = TORC_SEQ_GT(limit, seq) ? TORC_SEQ_SUB(limit, seq) : 0;
    uint32_t cut = len - keep;
    if (c->fin_known && limit == c->fin_seq) {
      TORC_WHY(c, "W15", "DEC-18");
      c->ctr.priv.dropped_after_fin++;
    } else {
      TORC_WHY(c, "W14", "RCV-167", "DEC-15");
      c->window_cut = 1;
      c->ctr.pub.bytes_trimmed += cut;
      /* DEC-31: the PSH of the kept part counts; the other reading drops
       * it with the bytes it came after. */
      if (flags & TORC_TCP_PSH) {
        TORC_WHY(c, "DEC-31");
        if (c->readings & TORC_READING_TRIMMED_PSH_IGNORED)
          flags &= (uint8_t)~TORC_TCP_PSH;
      }
    }
    len = keep;
    fin = 0; /* the FIN lay beyond what was kept */
  }
  if (fin && !TORC_SEQ_LT(fin_pos, c->right_edge)) {
    TORC_WHY(c, "W16");
    fin = 0; /* the FIN itself is beyond the window */
  }
  if (fin && c->fin_known && fin_pos != c->fin_seq) {
    TORC_WHY(c, "W16");
    c->ctr.priv.dropped_after_fin++; /* a second, different FIN */
    fin = 0;
  }
  if (fin && c->fin_rcvd) {
    TORC_WHY(c, "W16");
    fin = 0; /* already past it */
  }

  int queued = 0;
  if (len > 0) {
    if (seq == c->rcv_nxt) {
      /* In sequence.  Bytes already queued out of order arrived first and
       * win: stop at the first of them. */
      if (c->ooo.head != NULL) {
        uint32_t hs = TORC_SEQ_ADD(c->ooo.head->seq, c->ooo.head->off);
        if (TORC_SEQ_LT(hs, TORC_SEQ_ADD(seq, len)) && TORC_SEQ_GT(hs, seq)) {
          uint32_t cut = TORC_SEQ_SUB(TORC_SEQ_ADD(seq, len), hs);
          TORC_WHY(c, "W18");
          len -= cut;
          c->ctr.pub.bytes_trimmed += cut;
        }
      }
      uint8_t f = flags;
      TORC_WHY(c, "W17");
      if (fin && fin_pos != TORC_SEQ_ADD(seq, len))
        f &= (uint8_t)~TORC_TCP_FIN;
      if (accept_in_sequence(c, data, len, f, &queued) < 0) {
        TORC_WHY(c, "W24");
        c->ctr.priv.dropped_no_memory++;
        /* DEC-25, RCV-237: ask the host to take the connection back. */
        torcint_conn_want_upload(c, TORC_UPLOAD_UPLOAD_REQUESTED);
        torcint_deliver_pump(c);
        return;
      }
    } else {
      /* Beyond a gap: queue until it fills (RCV-062). */
      torc_reasm_result res;
      TORC_WHY(c, "RCV-062");
      if (torcint_reasm_insert(&c->ooo, mem, c->rcv_nxt, seq, data, len,
                               flags & TORC_TCP_PSH, &res) < 0) {
        TORC_WHY(c, "W24");
        c->ctr.priv.dropped_no_memory++;
        /* DEC-25, RCV-237: ask the host to take the connection back. */
        torcint_conn_want_upload(c, TORC_UPLOAD_UPLOAD_REQUESTED);
        torcint_deliver_pump(c);
        return;
      }
      c->ctr.pub.bytes_trimmed += res.trimmed;
      if (res.queued > 0) {
        TORC_WHY(c, "W19");
        c->ctr.pub.queued_out_of_order++;
        /* DEC-01: out-of-order data does not restart a running push timer;
         * the ooo-restarts-timer reading restarts it. */
        if ((c->readings & TORC_READING_OOO_RESTARTS_TIMER) &&
            c->timer_running) {
          TORC_WHY_TIMER(c, "RCV-189", "RCV-190", "RCV-191", "DEC-01");
          torcint_conn_timer_start(c);
        }
      } else {
        TORC_WHY(c, "W20");
        c->ctr.pub.dropped_duplicate++;
      }
    }
  }
  /* A FIN in the window fixes the end of the stream (DEC-18): queued data
   * beyond it is dropped. */
  if (fin && !c->fin_known) {
    TORC_WHY(c, "W21");
    c->fin_known = 1;
    c->fin_seq = fin_pos;
    c->ctr.priv.dropped_after_fin += torcint_reasm_cut(&c->ooo, mem, fin_pos);
  }
  /* Out-of-order data the gap-filler made in sequence, in order; it joins
   * the gap-filler's entry 2 (one arrival of in-sequence data). */
  torc_chunk *ch;
  uint8_t cont = queued ? TORC_CHUNK_CONT : 0;
  while ((ch = torcint_reasm_pop(&c->ooo, mem, c->rcv_nxt)) != NULL) {
    TORC_WHY(c, "W22", "RCV-062", "RCV-057");
    ch->flags = (uint8_t)((ch->flags & (TORC_TCP_PSH | TORC_TCP_FIN)) | cont);
    cont = TORC_CHUNK_CONT;
    c->rcv_nxt = TORC_SEQ_ADD(c->rcv_nxt, ch->len - ch->off);
    torcint_held_append(mem, &c->pending, ch);
  }
  /* The FIN once every byte before it was received. */
  if (c->fin_known && !c->fin_rcvd && c->rcv_nxt == c->fin_seq) {
    TORC_WHY(c, "W23", "DEC-18");
    c->fin_rcvd = 1;
    c->rcv_nxt = TORC_SEQ_ADD(c->rcv_nxt, 1);
    c->pending_fin = 1;
  }
  torcint_conn_update_window(c);
  torcint_deliver_pump(c);
}
