/*
 * load_smoke_script.c - the one fixed script load_smoke plays against a
 * target: offload with BufferedData in two lists, posts, in-order,
 * out-of-order and duplicate segments, push timer, indications,
 * receive-return, posts from inside a completion (RCV-107), terminate with
 * handed-back data, a second connection.
 *
 * Where it sits: load_smoke.c runs it (once, twice around a reset, or N
 * times for the bench); every operation is written to the recording before
 * it is called, the target's upcalls by the recording host
 * (load_smoke_host.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load_smoke_int.h"

#define ISN 1000000u
#define HANDLE1 0x1001u
#define HANDLE2 0x2002u

uint32_t smoke_post(rec *r, uint32_t size, uint32_t prefilled, uint8_t push,
                    const char *why) {
  if (r->nreqs == MAX_REQ)
    return 0;
  req *q = &r->reqs[r->nreqs++];
  q->id = r->next_id++;
  q->size = size;
  q->prefilled = prefilled;
  q->buf = malloc(size ? size : 1);
  memset(q->buf, 0xEE, size);
  for (uint32_t i = 0; i < prefilled; i++)
    q->buf[i] = (uint8_t)('P' + i);
  q->live = 1;
  torc_recv_request rq = {q->id, q->buf, size, prefilled, push};
  uint32_t st = r->ops->receive(r->ops->user_data, r->conn, &rq, 1);
  smoke_emit(r, "op receive%s%s id=%llu size=%u prefilled=%u push=%u -> %08x",
             why ? " " : "", why ? why : "", (unsigned long long)q->id, size,
             prefilled, push, st);
  return st;
}

static void segment(rec *r, uint32_t off, uint32_t len, uint8_t flags) {
  uint8_t *f = calloc(1, 40 + len);
  f[0] = 0x45;
  f[2] = (uint8_t)((40 + len) >> 8);
  f[3] = (uint8_t)(40 + len);
  f[8] = 64;
  f[9] = 6;
  uint8_t src[4] = {10, 0, 0, 2}, dst[4] = {10, 0, 0, 1};
  memcpy(f + 12, src, 4);
  memcpy(f + 16, dst, 4);
  uint32_t seq = ISN + off;
  uint8_t *t = f + 20;
  t[0] = 0x1F;
  t[1] = 0x90; /* 8080 */
  t[2] = 0xC3;
  t[3] = 0x50; /* 50000 */
  for (int i = 0; i < 4; i++)
    t[4 + i] = (uint8_t)(seq >> (24 - 8 * i));
  t[12] = 0x50;
  t[13] = flags;
  t[14] = 0xFF;
  t[15] = 0xFF;
  for (uint32_t i = 0; i < len; i++)
    f[40 + i] = smoke_stream_byte(off + i);
  torc_segment s = {f,    40 + len, 101,   0, 20,     seq,
                    5000, 0xFFFF,   flags, 0, f + 40, len};
  smoke_emit(r, "op segment off=%u len=%u flags=%02x", off, len, flags);
  r->ops->segment(r->ops->user_data, r->conn, &s);
  free(f);
}

static void advance(rec *r, uint64_t us) {
  smoke_emit(r, "op advance_time %llu", (unsigned long long)us);
  r->ops->advance_time(r->ops->user_data, us);
}

static void ret_accepted(rec *r) {
  smoke_emit(r, "op receive_return count=%d", r->naccepted);
  r->ops->receive_return(r->ops->user_data, r->conn, r->accepted,
                         (uint32_t)r->naccepted);
  r->naccepted = 0;
}

void smoke_free_reqs(rec *r) {
  for (int k = 0; k < r->nreqs; k++)
    free(r->reqs[k].buf);
  r->nreqs = 0;
}

/* The whole script on one loaded target. */
void smoke_run_script(rec *r, torc_target *ops) {
  r->ops = ops;
  int rc = ops->conn_open(ops->user_data, HANDLE1, &r->conn);
  smoke_emit(r, "op conn_open h=%x -> %d", HANDLE1, rc);
  if (rc != 0)
    return;
  /* BufferedData: [0,1000) as two lists, 300+200 and 500 (RCV-003). */
  uint8_t *bd = malloc(1000);
  for (uint32_t i = 0; i < 1000; i++)
    bd[i] = smoke_stream_byte(i);
  torc_fragment f1[2] = {{bd, 300}, {bd + 300, 200}};
  torc_fragment f2[1] = {{bd + 500, 500}};
  torc_buffer_list l2 = {NULL, f2, 1};
  torc_buffer_list l1 = {&l2, f1, 2};
  torc_offload_state st;
  memset(&st, 0, sizeof(st));
  st.struct_size = sizeof(st);
  st.rcv_nxt = ISN + 1000;
  st.rcv_wnd = 65535;
  st.snd_una = st.snd_nxt = 5000;
  st.snd_wnd = 65535;
  st.buffered_data = &l1;
  st.ticks_per_second = 1000;
  st.push_ticks = 0;
  st.initial_rcv_wnd = 65535;
  st.mss = 1460;
  st.conn_state = 4;
  st.ip_version = 4;
  st.local_port = 50000;
  st.remote_port = 8080;
  r->bd = bd;
  r->bdlen = 1000;
  smoke_emit(r, "op initiate_offload");
  ops->initiate_offload(ops->user_data, r->conn, &st);
  advance(r, 1000);
  smoke_post(r, 700, 0, 1, NULL);
  smoke_post(r, 2000, 0, 0, NULL);
  segment(r, 1000, 1460, TORC_TCP_ACK | TORC_TCP_PSH);
  segment(r, 2460, 1000, TORC_TCP_ACK);
  segment(r, 4460, 500, TORC_TCP_ACK | TORC_TCP_PSH); /* out of order */
  segment(r, 3460, 1000, TORC_TCP_ACK);               /* fills the gap */
  advance(r, 600000);                                 /* push timer */
  segment(r, 4960, 1460, TORC_TCP_ACK);
  segment(r, 4960, 1460, TORC_TCP_ACK); /* duplicate */
  advance(r, 1200000);
  r->reentrant_left = 2;
  smoke_post(r, 1000, 0, 1, NULL);
  segment(r, 6420, 3000, TORC_TCP_ACK | TORC_TCP_PSH);
  segment(r, 9420, 1460, TORC_TCP_ACK | TORC_TCP_PSH);
  advance(r, 1800000);
  for (uint32_t o = 10880; o < 10880 + 6 * 1460; o += 1460)
    segment(r, o, 1460, TORC_TCP_ACK | TORC_TCP_PSH);
  advance(r, 2400000);
  ret_accepted(r);
  smoke_post(r, 500, 8, 1, NULL);
  for (uint32_t o = 19640; o < 19640 + 3 * 1000; o += 1000)
    segment(r, o, 1000, TORC_TCP_ACK | TORC_TCP_PSH);
  advance(r, 3000000);
  ret_accepted(r);
  segment(r, 22640, 100, TORC_TCP_ACK | TORC_TCP_PSH | TORC_TCP_FIN);
  if (ops->get_stats) {
    torc_target_stats s;
    memset(&s, 0, sizeof(s));
    s.struct_size = sizeof(s);
    rc = ops->get_stats(ops->user_data, r->conn, &s);
    smoke_emit(
        r, "op get_stats -> %d in=%llu oow=%llu dup=%llu ooo=%llu trim=%llu",
        rc, (unsigned long long)s.segments_in,
        (unsigned long long)s.dropped_out_of_window,
        (unsigned long long)s.dropped_duplicate,
        (unsigned long long)s.queued_out_of_order,
        (unsigned long long)s.bytes_trimmed);
  }
  smoke_emit(r, "op terminate_offload");
  ops->terminate_offload(ops->user_data, r->conn);
  if (r->has_upload) {
    smoke_emit(r, "op receive_return upload id=%llu",
               (unsigned long long)r->upload_id);
    ops->receive_return(ops->user_data, r->conn, &r->upload_id, 1);
    r->has_upload = 0;
  }
  ret_accepted(r);
  smoke_emit(r, "op conn_close");
  ops->conn_close(ops->user_data, r->conn);
  smoke_free_reqs(r);
  r->bd = NULL;
  free(bd);

  /* A second connection: no BufferedData, closed while requests pend. */
  rc = ops->conn_open(ops->user_data, HANDLE2, &r->conn);
  smoke_emit(r, "op conn_open h=%x -> %d", HANDLE2, rc);
  if (rc != 0)
    return;
  st.buffered_data = NULL;
  st.rcv_nxt = ISN;
  smoke_emit(r, "op initiate_offload");
  ops->initiate_offload(ops->user_data, r->conn, &st);
  smoke_post(r, 3000, 0, 1, NULL);
  segment(r, 0, 1000, TORC_TCP_ACK);
  segment(r, 1000, 1000, TORC_TCP_ACK | TORC_TCP_PSH);
  smoke_post(r, 0, 0, 1, NULL); /* zero-byte request (RCV-116) */
  smoke_emit(r, "op conn_close");
  ops->conn_close(ops->user_data, r->conn);
  smoke_free_reqs(r);
}
