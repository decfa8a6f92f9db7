/*
 * torc_deliver.c - the delivery algorithm (RCV-044, RCV-045), box by box.
 *
 * Work reaches this file from the ops-table glue (torc_reference.c: posts,
 * time, terminate) and from the wire side (torc_input.c: in-sequence data,
 * FIN, RST, urgent data).  Both only record what happened in the torc_conn
 * and call torcint_deliver_pump(), which walks the flowcharts:
 *
 *   flowchart 1, entry 1 (posts)            entry1()
 *   flowchart 1, entry 2 (in-sequence data) entry2_pending(), entry2_fin(),
 *                                           torcint_deliver_direct()
 *   flowchart 1, main path P1..D13          main_path(), place()
 *   flowchart 2, indication D14..D18        indicate_flow()
 *   flowchart 3, push timer D19..D20        timer_expired()
 *
 * Every host callback goes through one of call_complete(), call_event() or
 * the indication in indicate_flow(), which set in_progress for the duration
 * of the call: that flag is the "Completion or indication in progress?"
 * decision of boxes D1, D3 and D14.
 */
#include "torc_deliver.h"

#include <string.h>

#include "torc_seq.h"
#include "torc_why.h"

/* Completions passed in one receive_complete call at most (DEC-19
 * allowance "completion-batching" covers a split beyond this). */
#define TORC_COMPLETE_BATCH 64

static void entry1(torc_conn *c);
static void main_path(torc_conn *c, int psh, const uint8_t *src,
                      uint32_t srclen, torc_chunk *rem);
static void indicate_flow(torc_conn *c);

/* The connection was closed from inside a callback: stop at once. */
static int gone(const torc_conn *c) {
  return c->close_pending;
}

/* ---- Host callbacks, serialised (RCV-046) ------------------------------- */

static void call_event(torc_conn *c, uint32_t event, uint32_t info) {
  const torc_ref *r = c->ref;
  TORC_WHY(c, "RCV-122");
  torcint_why_emit(c);
  c->in_progress = 1;
  r->host->event_indicate(r->host_ctx, c->handle, event, info);
  c->in_progress = 0;
}

/* Completes the first n requests of the FIFO, in posting order (RCV-061): a
 * request holding placed bytes gets filled_st, an empty one empty_st; the
 * byte count is what the target placed (RCV-113, DEC-12).  The requests
 * leave the FIFO before the call, so posts made from inside it (RCV-107)
 * queue behind.  Returns -1 when the connection was closed meanwhile. */
static int complete_head(torc_conn *c, uint32_t n, uint32_t filled_st,
                         uint32_t empty_st) {
  const torc_ref *r = c->ref;
  while (n > 0 && c->reqs.count > 0) {
    torc_completion v[TORC_COMPLETE_BATCH];
    uint32_t k = n < TORC_COMPLETE_BATCH ? n : TORC_COMPLETE_BATCH;
    if (k > c->reqs.count)
      k = c->reqs.count;
    for (uint32_t i = 0; i < k; i++) {
      const torc_req *q = torcint_reqq_at(&c->reqs, i);
      v[i].id = q->r.id;
      v[i].status = q->placed > 0 ? filled_st : empty_st;
      v[i].bytes = q->placed;
    }
    torcint_reqq_drop(&c->reqs, k);
    c->pre_disc_reqs = c->pre_disc_reqs > k ? c->pre_disc_reqs - k : 0;
    n -= k;
    TORC_WHY(c, "RCV-092", "RCV-103", "RCV-109", "RCV-110", "RCV-112",
             "RCV-114", "RCV-122", "RCV-046", "RCV-047", "RCV-061", "RCV-093");
    if (k > 1)
      TORC_WHY(c, "RCV-048", "RCV-104", "RCV-105");
    if (c->window_cut)
      TORC_WHY(c, "RCV-167"); /* the window bounded what was there */
    torcint_why_emit(c);
    c->in_progress = 1;
    r->host->receive_complete(r->host_ctx, c->handle, v, k);
    c->in_progress = 0;
    if (c->held.bytes == 0 && c->pending.head == NULL)
      c->window_cut = 0; /* everything before the cut is delivered */
    if (gone(c))
      return -1;
  }
  return 0;
}

/* Completes every request behind the first keep ones with status (none
 * can hold placed bytes), leaving the first keep pending: the
 * disconnect-posts-at-once reading of DEC-18. */
static void complete_tail(torc_conn *c, uint32_t keep, uint32_t status) {
  const torc_ref *r = c->ref;
  while (c->reqs.count > keep) {
    torc_completion v[TORC_COMPLETE_BATCH];
    uint32_t k = c->reqs.count - keep, i;
    if (k > TORC_COMPLETE_BATCH)
      k = TORC_COMPLETE_BATCH;
    for (i = 0; i < k; i++) {
      const torc_req *q = torcint_reqq_at(&c->reqs, keep + i);
      v[i].id = q->r.id;
      v[i].status = status;
      v[i].bytes = q->placed;
    }
    torcint_reqq_cut(&c->reqs, keep, k);
    TORC_WHY(c, "RCV-092", "RCV-109", "RCV-110", "RCV-122", "RCV-046");
    torcint_why_emit(c);
    c->in_progress = 1;
    r->host->receive_complete(r->host_ctx, c->handle, v, k);
    c->in_progress = 0;
    if (gone(c))
      return;
  }
}

/* Requests that could not be queued for lack of memory (torc_reference.c),
 * completed with REQUEST_ABORTED and 0 bytes after every request posted
 * before them. */
static void complete_rejected(torc_conn *c) {
  const torc_ref *r = c->ref;
  torc_completion v[sizeof(c->rejected) / sizeof(c->rejected[0])];
  uint32_t n = c->nrejected;
  memcpy(v, c->rejected, n * sizeof(v[0]));
  c->nrejected = 0;
  TORC_WHY(c, "RCV-237", "RCV-114", "RCV-061", "RCV-092", "RCV-110", "RCV-112",
           "RCV-122");
  torcint_why_emit(c);
  c->in_progress = 1;
  r->host->receive_complete(r->host_ctx, c->handle, v, n);
  c->in_progress = 0;
}

/* ---- Flowchart 1: main path --------------------------------------------- */

/* A request holds bytes the target placed and has not completed (only the
 * head can: placement is in FIFO order). */
static int placed_uncompleted(torc_conn *c) {
  return c->reqs.count > 0 && torcint_reqq_at(&c->reqs, 0)->placed > 0;
}

/* The head request holds some bytes but has room left (D9, D19). */
static int head_partly_filled(torc_conn *c) {
  if (c->reqs.count == 0)
    return 0;
  const torc_req *q = torcint_reqq_at(&c->reqs, 0);
  return (q->placed > 0 || q->r.prefilled > 0) && torcint_req_room(q) > 0;
}

uint64_t torcint_deliver_room(torc_conn *c, uint64_t limit) {
  uint64_t room = 0;
  for (uint32_t i = 0; i < c->reqs.count && room < limit; i++)
    room += torcint_req_room(torcint_reqq_at(&c->reqs, i));
  return room;
}

/* P1 "Place data into receive requests" (RCV-071): held data first, oldest
 * byte first (RCV-038, RCV-057), then *src (a segment's payload on the
 * direct path), into the requests in FIFO order (RCV-060).  A request with
 * no room (zero-byte, DEC-20) counts as filled when data remains to place
 * on reaching it; it consumes nothing (RCV-117).  Returns how many requests
 * at the head are now filled. */
static uint32_t place(torc_conn *c, const uint8_t **src, uint32_t *srclen) {
  const torc_mem *mem = &c->ref->mem;
  uint32_t filled = 0;
  TORC_WHY(c, "P1", "RCV-071", "RCV-029", "RCV-050");
  if (c->held.bytes + *srclen > 0 && c->reqs.count > 0)
    TORC_WHY(c, "RCV-057", "RCV-059");
  if (c->held.bytes > 0 && c->reqs.count > 0)
    TORC_WHY(c, "RCV-038");
  while (filled < c->reqs.count && c->held.bytes + *srclen > 0) {
    torc_req *q = torcint_reqq_at(&c->reqs, filled);
    uint32_t room = torcint_req_room(q);
    while (room > 0 && c->held.bytes + *srclen > 0) {
      uint8_t *dst = q->r.buf + q->r.prefilled + q->placed;
      uint32_t take;
      if (c->held.bytes > 0) {
        take = c->held.bytes < room ? (uint32_t)c->held.bytes : room;
        torcint_held_consume(mem, &c->held, dst, take);
      } else {
        take = *srclen < room ? *srclen : room;
        memcpy(dst, *src, take);
        *src += take;
        *srclen -= take;
      }
      q->placed += take;
      room -= take;
    }
    if (room > 0)
      break; /* data ran out inside this request: partly filled */
    if (torcint_req_room(q) == 0 && q->placed == 0)
      TORC_WHY(c, "RCV-117", "DEC-20"); /* a zero-byte request */
    if (filled > 0)
      TORC_WHY(c, "RCV-060");
    filled++;
  }
  torcint_conn_update_window(c); /* placing data reopens it (DEC-15) */
  return filled;
}

/* Flowchart 1 from P1 to the exits.  psh answers D11 (DEC-09: 0 on entry 1
 * and on connector A).  src/srclen/rem: see torcint_deliver_direct(). */
static void main_path(torc_conn *c, int psh, const uint8_t *src,
                      uint32_t srclen, torc_chunk *rem) {
  const torc_mem *mem = &c->ref->mem;
  for (;;) {
    /* P1: place data into receive requests. */
    uint32_t filled = place(c, &src, &srclen);
    if (rem != NULL) {
      /* What the requests could not take becomes held data. */
      if (srclen > 0 && srclen <= rem->len) {
        memcpy(rem->data, src, srclen);
        rem->len = srclen;
        torcint_held_append(mem, &c->held, rem);
      } else {
        torcint_chunk_unref(mem, rem);
      }
      rem = NULL;
      srclen = 0;
      torcint_conn_update_window(c);
    }
    if (filled == 0)
      TORC_WHY(c, "D6=no");
    if (filled > 0) {
      /* D6 = Yes -> D7: stop the push timer (RCV-073, DEC-10). */
      TORC_WHY(c, "D6=yes", "RCV-072", "RCV-181");
      if (c->timer_running)
        TORC_WHY(c, "D7=yes", "RCV-073");
      else
        TORC_WHY(c, "D7=no");
      torcint_conn_timer_stop(c);
      /* Complete all filled requests in one call (RCV-072, DEC-19). */
      if (complete_head(c, filled, TORC_STATUS_SUCCESS, TORC_STATUS_SUCCESS) <
          0)
        return;
    }
    TORC_WHY(c, "J4");
    /* D8: all data placed into requests? */
    if (c->held.bytes > 0) {
      /* DEC-14: requests posted during the completion take the data
       * before any indication (RCV-143, RCV-052): back to P1. */
      if (c->reqs.count > 0) {
        TORC_WHY(c, "D8=no", "RCV-143", "DEC-14");
        continue;
      }
      /* D8 = No -> J5 -> (B): indicate the remaining data. */
      TORC_WHY(c, "D8=no", "J5", "B", "RCV-074");
      if (c->has_buffered &&
          TORC_SEQ_LT(c->held.head->seq + c->held.head->off, c->buffered_end))
        TORC_WHY(c, "RCV-037"); /* BufferedData beyond the requests */
      indicate_flow(c);
      return;
    }
    /* D9: any request partially filled?  No -> exit (no more data). */
    if (!head_partly_filled(c)) {
      TORC_WHY(c, "D8=yes", "D9=no", "RCV-075");
      return;
    }
    TORC_WHY(c, "D8=yes", "D9=yes");
    /* D10: is the request in push mode?  No -> exit: a later segment may
     * complete it (RCV-077, RCV-184; non-push is mandatory, RCV-076). */
    if (!torcint_reqq_at(&c->reqs, 0)->r.push) {
      TORC_WHY(c, "D10=no", "RCV-076", "RCV-176", "RCV-177", "RCV-183",
               "RCV-185", "RCV-188", "RCV-184", "RCV-077");
      return;
    }
    TORC_WHY(c, "D10=yes", "RCV-176", "RCV-177");
    /* D11: PSH bit set in the received segment (DEC-09, DEC-18)? */
    if (psh) {
      /* D12: stop the push timer, complete the request in its own call
       * (RCV-079, DEC-19). */
      TORC_WHY(c, "D11=yes", "RCV-182", "RCV-078", "RCV-079");
      if (c->timer_running)
        TORC_WHY(c, "D12=yes", "RCV-073", "J6");
      else
        TORC_WHY(c, "D12=no", "J6");
      torcint_conn_timer_stop(c);
      complete_head(c, 1, TORC_STATUS_SUCCESS, TORC_STATUS_SUCCESS);
      return;
    }
    /* D13: push timer started?  No -> start it (RCV-080, RCV-179). */
    TORC_WHY(c, "D11=no", "RCV-078");
    if (!c->timer_running) {
      TORC_WHY(c, "D13=no", "J7");
      TORC_WHY_TIMER(c, "RCV-080", "RCV-179");
      torcint_conn_timer_start(c);
    } else {
      TORC_WHY(c, "D13=yes", "J7");
    }
    return; /* completed later when the push timer expires (RCV-081) */
  }
}

/* ---- Flowchart 1: the two entries --------------------------------------- */

/* Entry 1 (E1): requests were posted (RCV-064).  D1 was answered by the
 * pump (no callback in flight). */
static void entry1(torc_conn *c) {
  TORC_WHY(c, "E1", "D1=no", "RCV-064", "RCV-044", "RCV-049", "RCV-051");
  /* DEC-18, RCV-254: after the disconnect indication no data will come;
   * a request posted since completes with INVALID_STATE and 0 bytes as soon
   * as posting order allows (RCV-061): at once when no request posted
   * before the disconnect is pending, else at the terminate.  Those older
   * requests stay pending (RCV-184, DEC-06). */
  if (c->fin_indicated) {
    uint32_t older = c->pre_disc_reqs;
    TORC_WHY(c, "RCV-254", "DEC-18");
    if (older == 0) {
      complete_head(c, c->reqs.count, TORC_STATUS_INVALID_STATE,
                    TORC_STATUS_INVALID_STATE);
    } else if (c->readings & TORC_READING_DISCONNECT_POSTS_AT_ONCE) {
      /* The other reading: RCV-254 before posting order. */
      complete_tail(c, older, TORC_STATUS_INVALID_STATE);
    } else {
      TORC_WHY(c, "RCV-061");
    }
    return;
  }
  /* D2: any buffered data?  No -> J1: the requests stay queued (RCV-065). */
  if (c->held.bytes == 0) {
    TORC_WHY(c, "D2=no", "J1", "RCV-065");
    return;
  }
  TORC_WHY(c, "D2=yes", "J2", "RCV-036", "RCV-087", "RCV-137", "DEC-09");
  /* D2 = Yes -> J2 -> J3 -> P1, with D11 answered No (DEC-09). */
  main_path(c, 0, NULL, 0, NULL);
}

/* Entry 2 (E2) for in-sequence data whose turn came (segments queued at
 * D3 = Yes, or a gap-filler with the out-of-order data it released): the
 * first pending chunk and the ones that arrived with it
 * (TORC_CHUNK_CONT). */
static void entry2_pending(torc_conn *c) {
  const torc_mem *mem = &c->ref->mem;
  int had_held = c->held.bytes > 0;
  int psh = 0;
  TORC_WHY(c, "E2", "RCV-067", "RCV-044", "RCV-049", "RCV-051");
  do {
    torc_chunk *ch = c->pending.head;
    c->pending.head = ch->next;
    if (c->pending.head == NULL)
      c->pending.tail = NULL;
    c->pending.bytes -= ch->len - ch->off;
    c->pending.count--;
    ch->next = NULL;
    psh |= (ch->flags & (TORC_TCP_PSH | TORC_TCP_FIN)) != 0;
    if (ch->flags & TORC_TCP_FIN)
      TORC_WHY(c, "DEC-18");
    torcint_held_append(mem, &c->held, ch);
  } while (!(c->readings & TORC_READING_GAP_FILL_PER_SEGMENT) &&
           c->pending.head != NULL &&
           (c->pending.head->flags & TORC_CHUNK_CONT));
  /* DEC-01: accepted in-sequence payload restarts a running push timer. */
  if (c->timer_running) {
    TORC_WHY_TIMER(c, "RCV-189", "RCV-190", "RCV-191", "DEC-01");
    torcint_conn_timer_start(c);
  }
  /* D4: receive requests available?  Yes -> J3 -> P1. */
  if (c->reqs.count > 0) {
    TORC_WHY(c, "D3=no", "D4=yes", "J3", "RCV-052", "RCV-053", "RCV-054");
    main_path(c, psh, NULL, 0, NULL);
    return;
  }
  /* D5: any buffered data?  Yes -> place the segment into buffers and
   * append them to the buffered data (RCV-070, DEC-16): done above. */
  if (had_held) {
    TORC_WHY(c, "D3=no", "D4=no", "D5=yes", "RCV-070", "RCV-035");
    return;
  }
  /* D5 = No -> J5 -> (B): indicate (flowchart 2). */
  TORC_WHY(c, "D3=no", "D4=no", "D5=no", "J5", "B", "RCV-055", "RCV-056");
  indicate_flow(c);
}

/* Entry 2 for the FIN itself, after its data (DEC-18: FIN implies PSH). */
static void entry2_fin(torc_conn *c) {
  /* D4 = Yes -> P1 (nothing new to place) -> D9..D12 with PSH. */
  if (c->reqs.count > 0) {
    TORC_WHY(c, "E2", "D3=no", "D4=yes", "J3", "DEC-18");
    main_path(c, 1, NULL, 0, NULL);
    /* The fin-nonpush-complete reading: the FIN pushes a partly filled
     * non-push request too (RFC 9293's "FIN implies PUSH" over RCV-184). */
    if ((c->readings & TORC_READING_FIN_NONPUSH_COMPLETE) && !gone(c) &&
        !c->in_progress && head_partly_filled(c) &&
        !torcint_reqq_at(&c->reqs, 0)->r.push) {
      TORC_WHY(c, "DEC-18", "DEC-30");
      complete_head(c, 1, TORC_STATUS_SUCCESS, TORC_STATUS_SUCCESS);
    }
  }
}

void torcint_deliver_direct(torc_conn *c, const uint8_t *data, uint32_t len,
                            torc_chunk *rem, int psh) {
  /* E2 -> D3 = No -> D4 = Yes -> J3 -> P1, the segment's bytes copied
   * straight into the requests (nothing is held, so order is kept). */
  TORC_WHY(c, "E2", "RCV-067", "RCV-044", "RCV-049", "RCV-051", "D3=no",
           "D4=yes", "J3", "RCV-052", "RCV-053", "RCV-054");
  if (c->timer_running) {
    TORC_WHY_TIMER(c, "RCV-189", "RCV-190", "RCV-191", "DEC-01");
    torcint_conn_timer_start(c); /* DEC-01 */
  }
  main_path(c, psh, data, len, rem);
}

/* ---- Flowchart 2: receive indication ------------------------------------ */

static void indicate_flow(torc_conn *c) {
  const torc_ref *r = c->ref;
  const torc_mem *mem = &r->mem;
  for (;;) {
    /* D14: completion or indication in progress?  Yes -> exit: the pump
     * comes back here when it is finished (RCV-082). */
    if (c->in_progress || gone(c)) {
      TORC_WHY(c, "D14=yes", "RCV-082");
      return;
    }
    /* D16 (and the entry from J5): nothing to indicate -> exit. */
    if (c->held.bytes == 0)
      return;
    /* Indicate the (remaining) data (RCV-083): all of it, or
     * RcvIndicationSize bytes at a time (DEC-21), as one list of
     * fragments (RCV-123, RCV-124) with status SUCCESS (RCV-125). */
    uint64_t n = c->held.bytes;
    TORC_WHY(c, "D14=no", "RCV-083", "RCV-125", "RCV-126", "RCV-127", "RCV-128",
             "RCV-027", "RCV-032", "RCV-122", "RCV-046", "RCV-047", "RCV-029",
             "RCV-050", "RCV-057", "RCV-059");
    if (c->indication_size != 0 && n > c->indication_size) {
      TORC_WHY(c, "RCV-157", "RCV-158", "RCV-159", "DEC-21");
      n = c->indication_size;
    } else {
      TORC_WHY(c, "RCV-164");
    }
    if (n > 0x7fffffffu)
      n = 0x7fffffffu;
    uint32_t k = 0;
    uint64_t seen = 0;
    for (torc_chunk *ch = c->held.head; ch != NULL && seen < n; ch = ch->next) {
      seen += ch->len - ch->off;
      k++;
    }
    torc_lent *l = mem->alloc(mem->ctx, sizeof(*l) + k * sizeof(l->chunks[0]) +
                                            k * sizeof(torc_fragment));
    if (l == NULL) {
      /* No memory to describe the indication: the data stays held
       * (counted) and the reference asks for an upload (DEC-25, RCV-237);
       * the held data goes back in BufferedData at the terminate (DEC-07). */
      c->ctr.priv.indicate_no_memory++;
      torcint_conn_want_upload(c, TORC_UPLOAD_UPLOAD_REQUESTED);
      return;
    }
    torc_fragment *frags = (torc_fragment *)(void *)&l->chunks[k];
    uint64_t left = n;
    torc_chunk *ch = c->held.head;
    for (uint32_t i = 0; i < k; i++, ch = ch->next) {
      uint32_t avail = ch->len - ch->off;
      frags[i].data = ch->data + ch->off;
      frags[i].len = left < avail ? (uint32_t)left : avail;
      left -= frags[i].len;
      ch->refs++;
      l->chunks[i] = ch;
    }
    if (k > 1)
      TORC_WHY(c, "RCV-124");
    if (c->indication_size == 0)
      TORC_WHY(c, "RCV-160", "RCV-163");
    l->nchunks = k;
    l->id = c->next_id++;
    l->next = NULL;
    uint32_t consumed = 0;
    if (c->window_cut)
      TORC_WHY(c, "RCV-167"); /* the window bounded what was there */
    torcint_why_emit(c);
    c->in_progress = 1;
    uint32_t st =
        r->host->receive_indicate(r->host_ctx, c->handle, l->id,
                                  TORC_STATUS_SUCCESS, frags, k, &consumed);
    c->in_progress = 0;
    /* D15: return code = success?  PARTIALLY_ACCEPTED delivers its first
     * BytesConsumed bytes (DEC-03); every other status, both "not
     * accepted" values included, consumes nothing (DEC-02). */
    uint64_t took = 0;
    if (st == TORC_STATUS_SUCCESS)
      took = n;
    else if (st == TORC_STATUS_OFFLOAD_DATA_PARTIALLY_ACCEPTED)
      took = consumed >= n ? n : consumed;
    if (took == n)
      TORC_WHY(c, "D15=yes", "RCV-084");
    else if (took > 0)
      TORC_WHY(c, "D15=no", "RCV-141", "DEC-03");
    else
      TORC_WHY(c, "D15=no", "RCV-085", "DEC-02", "RCV-136");
    if (took > 0) {
      /* Consumed bytes stay lent until receive_return(id) (RCV-133). */
      torcint_held_consume(mem, &c->held, NULL, took);
      if (c->held.bytes == 0 && c->pending.head == NULL)
        c->window_cut = 0; /* everything before the cut is delivered */
      torcint_conn_update_window(c);
      l->next = c->lent;
      c->lent = l;
    } else {
      /* The target owns the buffers again; no return will come (RCV-085,
       * RCV-135). */
      for (uint32_t i = 0; i < k; i++)
        torcint_chunk_unref(mem, l->chunks[i]);
      mem->free(mem->ctx, l);
    }
    if (gone(c))
      return;
    if (took == n) {
      /* D15 = Yes -> D16: more receive data?  No -> exit. */
      if (c->held.bytes == 0) {
        TORC_WHY(c, "D16=no");
        return;
      }
      /* D17: preposted requests available?  Yes -> (A) -> P1 (DEC-09). */
      if (c->reqs.count > 0) {
        TORC_WHY(c, "D16=yes", "D17=yes", "A", "RCV-143", "DEC-09");
        main_path(c, 0, NULL, 0, NULL);
        return;
      }
      TORC_WHY(c, "D16=yes", "D17=no", "J8");
      continue; /* D17 = No -> D14: indicate again */
    }
    /* D15 = No (or the unconsumed tail, DEC-03) -> D18: preposted requests
     * available (posted during the indication)?  Yes -> (A) -> P1. */
    if (c->reqs.count > 0) {
      TORC_WHY(c, "D18=yes", "A", "RCV-087", "RCV-137", "DEC-09");
      main_path(c, 0, NULL, 0, NULL);
      return;
    }
    TORC_WHY(c, "D18=no", "RCV-086", "RCV-136", "RCV-142", "DEC-16");
    /* D18 = No: queue the indicated buffers (RCV-086): they stay at the
     * head of the held data, not indicated again until a request is
     * posted (RCV-136, RCV-142, DEC-16). */
    return;
  }
}

/* ---- Flowchart 3: push timer -------------------------------------------- */

static void timer_expired(torc_conn *c) {
  /* E3: the push timer expires (RCV-088). */
  TORC_WHY(c, "E3", "RCV-088", "RCV-197", "RCV-199", "RCV-204", "RCV-044",
           "RCV-051");
  if (c->timer_why != NULL)
    torcint_why_add(c, c->timer_why, c->ntimer_why);
  if (c->push_interval_us == 500000u)
    TORC_WHY(c, "RCV-193");
  if (c->ref->now_us > 0xffffffffu)
    TORC_WHY(c, "RCV-200");
  torcint_conn_timer_stop(c);
  /* D19: is there a partially filled request?  No -> exit (a spurious
   * expiry is a no-op, RCV-089). */
  if (!head_partly_filled(c)) {
    TORC_WHY(c, "D19=no", "RCV-089");
    return;
  }
  /* D20: is the request in push mode?  No -> exit (RCV-077). */
  if (!torcint_reqq_at(&c->reqs, 0)->r.push) {
    TORC_WHY(c, "D19=yes", "D20=no", "RCV-077");
    return;
  }
  TORC_WHY(c, "D19=yes", "D20=yes", "RCV-081", "RCV-182");
  /* Complete the request (RCV-079, RCV-179). */
  complete_head(c, 1, TORC_STATUS_SUCCESS, TORC_STATUS_SUCCESS);
}

/* ---- Ends of the receive side ------------------------------------------- */

/* An acceptable RST (DEC-04, RCV-258, RCV-303): TcpIndicateAbort, then every
 * posted request completes with REQUEST_ABORTED and the bytes placed in it
 * (RCV-253); held and out-of-order data are discarded. */
static void abort_flow(torc_conn *c) {
  const torc_mem *mem = &c->ref->mem;
  c->pending_abort = 0;
  c->pending_fin = 0;
  c->state = TORC_CONN_ABORTED;
  torcint_conn_timer_stop(c);
  torcint_held_clear(mem, &c->held);
  torcint_held_clear(mem, &c->pending);
  torcint_reasm_clear(&c->ooo, mem);
  TORC_WHY(c, "RCV-303", "RCV-259", "RCV-258", "RCV-260", "DEC-04");
  call_event(c, TORC_EVENT_ABORT, 0);
  if (gone(c))
    return;
  TORC_WHY(c, "RCV-259", "RCV-258", "RCV-253", "DEC-04");
  complete_head(c, c->reqs.count, TORC_STATUS_REQUEST_ABORTED,
                TORC_STATUS_REQUEST_ABORTED);
  /* (requests refused for lack of memory follow from the pump) */
}

/* MiniportTerminateOffload (RCV-196, RCV-208, RCV-230, DEC-06, DEC-07). */
static void terminate_flow(torc_conn *c) {
  const torc_ref *r = c->ref;
  const torc_mem *mem = &r->mem;
  int again = c->state == TORC_CONN_TERMINATED;
  c->pending_terminate = 0;
  c->state = TORC_CONN_TERMINATED; /* segments are ignored now (RCV-215) */
  if (c->timer_running)
    TORC_WHY(c, "RCV-196");
  TORC_WHY(c, "RCV-240");
  torcint_conn_timer_stop(c); /* RCV-196 */
  torc_upload_state st;
  memset(&st, 0, sizeof(st));
  st.struct_size = sizeof(st);
  if (again) {
    /* A second terminate: nothing left to hand back. */
    st.rcv_nxt = c->rcv_nxt;
    TORC_WHY(c, "RCV-226");
    torcint_why_emit(c);
    c->in_progress = 1;
    r->host->terminate_offload_complete(r->host_ctx, c->handle,
                                        TORC_STATUS_FAILURE, &st);
    c->in_progress = 0;
    return;
  }
  /* Every posted request completes first, in one call (RCV-230, DEC-06):
   * partly filled -> SUCCESS with its bytes, empty -> UPLOAD_IN_PROGRESS. */
  while (c->reqs.count > 0 || c->nrejected > 0) {
    /* Requests posted after the disconnect (behind those posted before it)
     * keep the status RCV-254 gives them (DEC-18). */
    uint32_t n = c->reqs.count;
    if (c->fin_indicated && c->pre_disc_reqs < n)
      n = c->pre_disc_reqs;
    TORC_WHY(c, "RCV-230", "RCV-229", "DEC-06");
    if (complete_head(c, n, TORC_STATUS_SUCCESS,
                      TORC_STATUS_UPLOAD_IN_PROGRESS) < 0)
      return;
    if (c->reqs.count > 0 && c->fin_indicated) {
      TORC_WHY(c, "RCV-254", "DEC-18");
      if (complete_head(c, c->reqs.count, TORC_STATUS_INVALID_STATE,
                        TORC_STATUS_INVALID_STATE) < 0)
        return;
    }
    if (c->reqs.count == 0 && c->nrejected > 0) {
      complete_rejected(c);
      if (gone(c))
        return;
    }
  }
  /* Accepted data still waiting for entry 2 is held data too; out-of-order
   * data was never acknowledged and is dropped (RCV-220, RCV-221). */
  torcint_held_splice(&c->held, &c->pending);
  if (c->ooo.head != NULL)
    TORC_WHY(c, "RCV-220", "RCV-221");
  torcint_reasm_clear(&c->ooo, mem);
  c->pending_fin = 0;
  /* Hand back the held data, in stream order (DEC-07, RCV-208, RCV-209):
   * it ends just before RcvNxt, or just before the FIN when one was
   * received: RcvNxt counts an accepted FIN (DEC-28). */
  const torc_buffer_list *first = NULL, **link = &first;
  for (torc_chunk *ch = c->held.head; ch != NULL; ch = ch->next) {
    ch->uf.data = ch->data + ch->off;
    ch->uf.len = ch->len - ch->off;
    ch->ul.frags = &ch->uf;
    ch->ul.nfrags = 1;
    ch->ul.next = NULL;
    *link = &ch->ul;
    link = &ch->ul.next;
  }
  st.rcv_nxt = c->rcv_nxt;
  if (c->fin_rcvd)
    TORC_WHY(c, "DEC-28");
  st.rcv_wnd = torcint_conn_rcv_wnd(c);
  st.buffered_data = first;
  TORC_WHY(c, "RCV-222", "RCV-224", "RCV-171", "RCV-226", "RCV-234", "RCV-286");
  if (first != NULL) {
    TORC_WHY(c, "RCV-208", "RCV-210", "RCV-212", "RCV-213", "DEC-07");
    c->upload_id = c->next_id++;
    st.buffered_id = c->upload_id;
  }
  torcint_why_emit(c);
  c->in_progress = 1;
  r->host->terminate_offload_complete(r->host_ctx, c->handle,
                                      TORC_STATUS_SUCCESS, &st);
  c->in_progress = 0;
}

/* ---- The pump ------------------------------------------------------------ */

void torcint_deliver_pump(torc_conn *c) {
  while (!c->in_progress && !gone(c)) {
    /* Requests refused for lack of memory, once those before them are
     * done (RCV-061, RCV-114). */
    if (c->nrejected > 0 && c->reqs.count == 0) {
      complete_rejected(c);
      continue;
    }
    if (c->pending_abort) {
      abort_flow(c);
      continue;
    }
    if (c->pending_terminate) {
      terminate_flow(c);
      continue;
    }
    if (c->state != TORC_CONN_OFFLOADED) {
      /* No offload to post on (never offloaded, failed, aborted or
       * uploaded): requests complete at once with INVALID_STATE. */
      c->reqs_new = 0;
      if (c->reqs.count > 0) {
        TORC_WHY(c, "RCV-114");
        complete_head(c, c->reqs.count, TORC_STATUS_INVALID_STATE,
                      TORC_STATUS_INVALID_STATE);
        continue;
      }
      break;
    }
    /* DEC-24, RCV-242: after a mandatory TcpIndicateRetrieve nothing more
     * is delivered; requests posted since are completed with
     * UPLOAD_IN_PROGRESS and 0 bytes (RCV-236) as soon as posting order
     * allows: at once if no older request waits, else at the terminate
     * (DEC-06 gives an empty request the same status). */
    if (c->retrieve_made) {
      c->reqs_new = 0;
      if (!c->old_reqs_pending && c->reqs.count > 0) {
        c->ctr.priv.posts_upload_in_progress += c->reqs.count;
        TORC_WHY(c, "RCV-236", "RCV-242", "DEC-24");
        complete_head(c, c->reqs.count, TORC_STATUS_UPLOAD_IN_PROGRESS,
                      TORC_STATUS_UPLOAD_IN_PROGRESS);
        continue;
      }
      break;
    }
    /* DEC-14: requests posted during a callback come first (entry 1). */
    if (c->reqs_new) {
      c->reqs_new = 0;
      entry1(c);
      continue;
    }
    /* Segments queued at D3 = Yes, in arrival order (RCV-068, RCV-069). */
    if (c->pending.head != NULL) {
      entry2_pending(c);
      continue;
    }
    if (c->pending_fin) {
      c->pending_fin = 0;
      entry2_fin(c);
      continue;
    }
    /* Flowchart 3; an expiry during a callback waits for it (DEC-17). */
    if (c->timer_running && c->timer_deadline <= c->ref->now_us) {
      timer_expired(c);
      continue;
    }
    /* DEC-18, DEC-30, RCV-255: the disconnect once every byte before the
     * FIN has been delivered (no held data, and no request holding bytes
     * it has not completed); at most once. */
    if (c->fin_rcvd && !c->fin_indicated && c->held.bytes == 0 &&
        (!placed_uncompleted(c) ||
         (c->readings & TORC_READING_DISCONNECT_BEFORE_PLACED))) {
      c->fin_indicated = 1;
      c->pre_disc_reqs = c->reqs.count;
      TORC_WHY(c, "RCV-255", "RCV-256", "DEC-18", "DEC-30");
      call_event(c, TORC_EVENT_DISCONNECT, 0);
      continue;
    }
    /* DEC-08, RCV-283: urgent data, or DEC-25, RCV-237: an allocation
     * failure -> ask for an upload.  Both reasons are mandatory (RCV-242,
     * DEC-24): from here on the connection only waits for the terminate. */
    if (c->pending_retrieve) {
      c->pending_retrieve = 0;
      c->retrieve_made = 1;
      c->old_reqs_pending = c->reqs.count > 0;
      torcint_conn_timer_stop(c);
      if (c->retrieve_reason == TORC_UPLOAD_RECEIVED_URGENT_DATA)
        TORC_WHY(c, "RCV-281", "RCV-283", "RCV-288", "DEC-08");
      else
        TORC_WHY(c, "RCV-237", "DEC-25");
      TORC_WHY(c, "RCV-242", "DEC-24");
      call_event(c, TORC_EVENT_RETRIEVE, c->retrieve_reason);
      continue;
    }
    break;
  }
}
