/*
 * test_contract_connections.c - Check tests of the contract that need a host
 * of two connections on one target, or one that keeps the offload state it
 * handed over: per-connection timers and handles (RCV-199, RCV-250),
 * indications kept apart, and untouched cached state (RCV-168).  They drive
 * the reference's torc/target.h table through the small direct host
 * (torc_direct_host.h), wrapped below as "mh_".
 *
 * One of the test_contract_*.c files (see contract_host.h for what they
 * share); its suite is named "contract" like the others, so
 * CK_RUN_SUITE=contract runs them all.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "contract_host.h"
#include "torc_direct_host.h"
#include "torc_test_host.h"

/* ---- A host of two connections ("mh_") -----------------------------------
 * The direct host (torc_direct_host.h) opens two connections on one
 * reference target, with handles MH_HA and MH_HB, and logs every upcall as
 * "a:..." or "b:..." ("?:" for an unknown handle, counted as a violation).
 * Each connection has its own stream (stream byte of offset off +
 * mh_base[i]) so a byte delivered on the wrong connection shows: the hooks
 * below check the bytes of every completion and indication against the
 * requests posted here.  Accepted indications are returned after every
 * driving call. */

#define MH_HA 0xA11CEull
#define MH_HB 0xB0Bull
#define MH_MAXREQ 16
#define MH_MAXIND 64

static const uint64_t mh_base[2] = {0, 1000000};
static const uint32_t mh_isn[2] = {0x1000u, 0xFFFFFF00u};

typedef struct mh_req {
  uint64_t id;
  uint8_t *buf;
  uint32_t size;
} mh_req;

/* What this file tracks of a connection beyond the direct host. */
typedef struct mh_conn {
  uint64_t delivered; /* stream offset of the next byte expected */
  mh_req req[MH_MAXREQ];
  uint32_t nreq;
  uint64_t ind[MH_MAXIND];
  uint32_t nind;
  uint32_t max_ind_len;
} mh_conn;

typedef struct mh {
  torc_direct_host d;
  mh_conn x[2];
  uint64_t next_id;
} mh;

static void mh_check_bytes(torc_direct_host *d, dh_conn *c, const uint8_t *p,
                           uint32_t n) {
  mh *m = d->user;
  int i = dh_index(d, c);
  mh_conn *x = &m->x[i];
  for (uint32_t k = 0; k < n; k++)
    if (p[k] != th_stream_byte(mh_base[i] + x->delivered + k)) {
      dh_violation(d, "conn %c: delivered byte %llu wrong", 'a' + i,
                   (unsigned long long)(x->delivered + k));
      break;
    }
  x->delivered += n;
}

static void mh_on_complete(torc_direct_host *d, dh_conn *c,
                           const torc_completion *cc, uint32_t count) {
  mh *m = d->user;
  mh_conn *x = &m->x[dh_index(d, c)];
  for (uint32_t j = 0; j < count; j++) {
    uint32_t k = 0;
    while (k < x->nreq && x->req[k].id != cc[j].id)
      k++;
    if (k == x->nreq) {
      dh_violation(d, "completion of id %llu not posted on this handle",
                   (unsigned long long)cc[j].id);
      continue;
    }
    mh_req *r = &x->req[k];
    if (r->buf == NULL || cc[j].bytes > r->size) {
      dh_violation(d, "bad completion of id %llu",
                   (unsigned long long)cc[j].id);
      continue;
    }
    mh_check_bytes(d, c, r->buf, cc[j].bytes);
    free(r->buf);
    r->buf = NULL;
  }
}

static uint32_t mh_on_indicate(torc_direct_host *d, dh_conn *c, uint64_t id,
                               uint32_t status, const torc_fragment *f,
                               uint32_t nf, uint32_t len, uint32_t *consumed) {
  mh *m = d->user;
  mh_conn *x = &m->x[dh_index(d, c)];
  if (status != TORC_STATUS_SUCCESS)
    dh_violation(d, "RCV-125: indication status 0x%x", status);
  for (uint32_t i = 0; i < nf && i < 4096; i++)
    mh_check_bytes(d, c, f[i].data, f[i].len);
  if (len > x->max_ind_len)
    x->max_ind_len = len;
  if (x->nind < MH_MAXIND)
    x->ind[x->nind++] = id;
  *consumed = len;
  return TORC_STATUS_SUCCESS;
}

/* Returns every accepted indication of both connections. */
static void mh_after(mh *m) {
  for (int i = 0; i < 2; i++) {
    mh_conn *x = &m->x[i];
    if (x->nind > 0) {
      uint32_t n = x->nind;
      uint64_t ids[MH_MAXIND];
      memcpy(ids, x->ind, sizeof ids[0] * n);
      x->nind = 0;
      m->d.t.receive_return(m->d.t.user_data, m->d.c[i].conn, ids, n);
    }
  }
}

static void mh_init(mh *m) {
  static const uint64_t handles[2] = {MH_HA, MH_HB};
  memset(m, 0, sizeof *m);
  m->next_id = 1;
  dh_init(&m->d, 2, handles);
  m->d.user = m;
  m->d.byte = th_stream_byte;
  m->d.on_complete = mh_on_complete;
  m->d.on_indicate = mh_on_indicate;
  for (int i = 0; i < 2; i++) {
    m->d.c[i].isn = mh_isn[i];
    m->d.c[i].stream_base = mh_base[i];
  }
}

static void mh_close(mh *m) {
  for (int i = 0; i < 2; i++)
    ck_assert_ptr_null(m->d.c[i].hb); /* no handed-back data expected */
  dh_close(&m->d);
  for (int i = 0; i < 2; i++)
    for (uint32_t k = 0; k < m->x[i].nreq; k++)
      free(m->x[i].req[k].buf);
}

/* The default offload state of connection i (no BufferedData). */
static void mh_state(torc_offload_state *st, int i) {
  dh_state(st, i, mh_isn[i]);
}

static void mh_offload(mh *m, int i, const torc_offload_state *st) {
  dh_offload(&m->d, i, st);
  mh_after(m);
}

static void mh_post(mh *m, int i, uint32_t size, int push) {
  mh_conn *x = &m->x[i];
  ck_assert_uint_lt(x->nreq, MH_MAXREQ);
  mh_req *r = &x->req[x->nreq++];
  r->id = m->next_id++;
  r->size = size;
  r->buf = calloc(size ? size : 1, 1);
  ck_assert_ptr_nonnull(r->buf);
  torc_recv_request rr;
  memset(&rr, 0, sizeof rr);
  rr.id = r->id;
  rr.buf = r->buf;
  rr.size = size;
  rr.push = (uint8_t)(push != 0);
  ck_assert_uint_eq(m->d.t.receive(m->d.t.user_data, m->d.c[i].conn, &rr, 1),
                    TORC_STATUS_PENDING);
  mh_after(m);
}

/* Stream bytes [off, off + len) of connection i, as a raw IPv4/TCP frame. */
static void mh_segment(mh *m, int i, uint64_t off, uint32_t len,
                       uint8_t flags) {
  dh_segment(&m->d, i, off, len, flags);
  mh_after(m);
}

static void mh_advance_to(mh *m, uint64_t now_us) {
  dh_advance_to(&m->d, now_us);
  mh_after(m);
}

/* covers: RCV-199 RCV-250 RCV-122 DEC-01 DEC-10 */
START_TEST(test_contract_two_connections_own_timers_and_handles) {
  mh m;
  mh_init(&m);
  torc_offload_state st[2];
  mh_state(&st[0], 0);
  mh_state(&st[1], 1);
  mh_offload(&m, 0, &st[0]);
  mh_offload(&m, 1, &st[1]);
  ck_assert_str_eq(m.d.log, "a:O b:O");
  mh_post(&m, 0, 100, 1);
  mh_post(&m, 1, 100, 1);
  /* t=0: a gets 10 bytes -> a's timer, deadline 500 ms. */
  mh_segment(&m, 0, 0, 10, 0);
  /* t=300 ms: b gets 10 -> b's timer, deadline 800 ms. */
  mh_advance_to(&m, 300 * MS);
  mh_segment(&m, 1, 0, 10, 0);
  /* t=400 ms: a gets 10 more -> a's timer restarts (DEC-01): 900 ms. */
  mh_advance_to(&m, 400 * MS);
  mh_segment(&m, 0, 10, 10, 0);
  mh_advance_to(&m, 800 * MS - 1);
  ck_assert_str_eq(m.d.log, "a:O b:O");
  /* b's timer alone expires at 800 ms, a's alone at 900 ms. */
  mh_advance_to(&m, 800 * MS);
  ck_assert_str_eq(m.d.log, "a:O b:O b:C[10]");
  mh_advance_to(&m, 900 * MS - 1);
  ck_assert_str_eq(m.d.log, "a:O b:O b:C[10]");
  mh_advance_to(&m, 900 * MS);
  ck_assert_str_eq(m.d.log, "a:O b:O b:C[10] a:C[20]");
  /* Events carry their own connection's handle: urgent data on a asks to
   * upload a only (RCV-250); a FIN on b disconnects b only. */
  mh_segment(&m, 0, 20, 5, TORC_TCP_URG);
  mh_segment(&m, 1, 10, 0, TORC_TCP_FIN);
  ck_assert_str_eq(m.d.log, "a:O b:O b:C[10] a:C[20] a:Er5 b:Ed");
  /* Terminate both: nothing posted or held on either. */
  m.d.t.terminate_offload(m.d.t.user_data, m.d.c[0].conn);
  m.d.t.terminate_offload(m.d.t.user_data, m.d.c[1].conn);
  ck_assert_str_eq(m.d.log, "a:O b:O b:C[10] a:C[20] a:Er5 b:Ed a:T b:T");
  ck_assert_uint_eq(m.x[0].delivered, 20);
  ck_assert_uint_eq(m.x[1].delivered, 10);
  mh_close(&m);
}
END_TEST

/* covers: RCV-250 RCV-122 RCV-046 RCV-102 */
START_TEST(test_contract_two_connections_indications_apart) {
  mh m;
  mh_init(&m);
  torc_offload_state st[2];
  mh_state(&st[0], 0);
  mh_state(&st[1], 1);
  mh_offload(&m, 0, &st[0]);
  mh_offload(&m, 1, &st[1]);
  /* No requests: each segment is indicated on its own connection, with
   * that connection's bytes (b's sequence numbers wrap 2^32 at 256). */
  mh_segment(&m, 0, 0, 100, 0);
  mh_segment(&m, 1, 0, 300, 0);
  mh_segment(&m, 0, 100, 50, 0);
  mh_post(&m, 1, 40, 1);
  mh_segment(&m, 1, 300, 60, 0);
  /* b: 60 bytes, 40 fill the request, the other 20 are indicated. */
  ck_assert_str_eq(m.d.log, "a:O b:O a:I100 b:I300 a:I50 b:C[40] b:I20");
  ck_assert_uint_eq(m.x[0].delivered, 150);
  ck_assert_uint_eq(m.x[1].delivered, 360);
  mh_close(&m);
}
END_TEST

/* covers: RCV-168 RCV-016 RCV-007 DEC-21 */
START_TEST(test_contract_offload_state_not_written) {
  mh m;
  mh_init(&m);
  /* Cached variables the target must not change: the state block (with
   * RcvIndicationSize 64, InitialRcvWnd, TcpPushTicks, TicksPerSecond) and
   * the BufferedData it points to stay byte-identical. */
  torc_offload_state st;
  mh_state(&st, 0);
  st.rcv_indication_size = 64;
  st.push_ticks = 20;
  st.ticks_per_second = 100; /* 200 ms */
  st.initial_rcv_wnd = 32768;
  uint8_t data[150];
  th_stream_fill(data, 0, sizeof data);
  st.rcv_nxt = mh_isn[0] + (uint32_t)sizeof data;
  /* Copies are byte copies (memcpy), padding included. */
  torc_fragment fr[2];
  torc_buffer_list bl;
  memset(fr, 0, sizeof fr);
  memset(&bl, 0, sizeof bl);
  fr[0].data = data;
  fr[0].len = 100;
  fr[1].data = data + 100;
  fr[1].len = 50;
  bl.frags = fr;
  bl.nfrags = 2;
  st.buffered_data = &bl;
  torc_offload_state st_copy;
  torc_fragment fr_copy[2];
  torc_buffer_list bl_copy;
  memcpy(&st_copy, &st, sizeof st);
  memcpy(fr_copy, fr, sizeof fr);
  memcpy(&bl_copy, &bl, sizeof bl);
  uint8_t data_copy[150];
  memcpy(data_copy, data, sizeof data);
  mh_offload(&m, 0, &st);
  ck_assert(memcmp(&st, &st_copy, sizeof st) == 0);
  ck_assert(memcmp(fr, fr_copy, sizeof fr) == 0);
  ck_assert(memcmp(&bl, &bl_copy, sizeof bl) == 0);
  ck_assert(memcmp(data, data_copy, sizeof data) == 0);
  /* The host's again (RCV-011): poison it.  The cached RcvIndicationSize
   * stays 64 in use: 150 held bytes + 100 from the wire go up 64 at a time
   * once a request has taken its share (DEC-21). */
  memset(data, 0xA5, sizeof data);
  memset(&st, 0xA5, sizeof st);
  mh_post(&m, 0, 6, 1);
  mh_segment(&m, 0, 150, 100, 0);
  ck_assert_str_eq(m.d.log, "a:O a:C[6] a:I64 a:I64 a:I16 a:I64 a:I36");
  ck_assert_uint_le(m.x[0].max_ind_len, 64);
  ck_assert_uint_eq(m.x[0].delivered, 250);
  mh_close(&m);
}
END_TEST

Suite *contract_connections_suite(void);
Suite *contract_connections_suite(void) {
  Suite *s = suite_create("contract");
  TCase *tc = tcase_create("contract");
  tcase_add_test(tc, test_contract_two_connections_own_timers_and_handles);
  tcase_add_test(tc, test_contract_two_connections_indications_apart);
  tcase_add_test(tc, test_contract_offload_state_not_written);
  suite_add_tcase(s, tc);
  return s;
}
